// KNI over TAP: creation and removal, the port -> KNI table the forwarding
// path looks up, and queries (see kni.h). The fast path is kni_fastpath.cpp,
// the KNI thread kni_thread.cpp, request handling kni_requests.cpp.
#include "kni.h"
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <random>
#include "../engine.h"
#include "../error.h"
#include "../netdev.h"
#include "../queue_info.h"

namespace rs {

const char* kni_policy_name(KniPolicy p) {
  switch (p) {
    case KniPolicy::Accept: return "accept";
    case KniPolicy::Reject: return "reject";
    case KniPolicy::Delay: return "delay";
  }
  return "?";
}

namespace {

// port -> KNI, for the forwarding path (kni_for_port). Written on the
// control thread only while the port does not forward.
struct Slot {
  std::atomic<const Port*> port{nullptr};
  std::atomic<KniDev*> dev{nullptr};
};
constexpr size_t kSlots = 64;
Slot g_slots[kSlots];

void register_dev(const Port* p, KniDev* d) {
  for (Slot& s : g_slots) {
    if (s.port.load(std::memory_order_acquire) == nullptr) {
      s.dev.store(d, std::memory_order_release);
      s.port.store(p, std::memory_order_release);
      return;
    }
  }
}

void unregister_dev(KniDev* d) {
  for (Slot& s : g_slots) {
    if (s.dev.load(std::memory_order_acquire) == d) {
      s.port.store(nullptr, std::memory_order_release);
      s.dev.store(nullptr, std::memory_order_release);
    }
  }
}

}  // namespace

KniDev* kni_for_port(const Port* port) {
  if (!port) return nullptr;
  for (Slot& s : g_slots)
    if (s.port.load(std::memory_order_acquire) == port) return s.dev.load(std::memory_order_acquire);
  return nullptr;
}

Kni::Kni(Engine& engine, IfProxy& ifproxy, Mempool* pool) : engine_(engine), ifp_(ifproxy), pool_(pool) {
  hook_ = ifp_.add_link_hook([this](const rtnl::LinkMsg& l, bool deleted) { on_link(l, deleted); });
}

Kni::~Kni() { shutdown(); }

std::unique_lock<std::mutex> Kni::io_lock() {
  pause_.fetch_add(1);
  std::unique_lock<std::mutex> lk(io_mu_);
  pause_.fetch_sub(1);
  return lk;
}

void Kni::held_mbufs(std::vector<std::pair<std::string, const Mbuf*>>* out) const {
  std::lock_guard<std::mutex> lk(state_mu_);
  for (const auto& d : devs_) {
    ring_holders(*d->ingress_, "KNI " + d->name_ + " ring to the kernel", out);
    ring_holders(*d->egress_, "KNI " + d->name_ + " ring from the kernel", out);
    if (d->spare_) out->push_back({"KNI " + d->name_ + " TAP read buffer", d->spare_});
  }
}

KniDev* Kni::find(uint16_t port) const {
  for (const auto& d : devs_)
    if (d->port_id_ == port) return d.get();
  return nullptr;
}

bool Kni::has(uint16_t port) const {
  std::lock_guard<std::mutex> g(state_mu_);
  return find(port) != nullptr;
}

void Kni::create(uint16_t port_id, const std::string& want_name, bool all) {
  Port& p = engine_.port(port_id);
  if (has(port_id))
    throw Error("EKNI_EXISTS", "port " + std::to_string(port_id) + " already has a KNI ('show kni " +
                                   std::to_string(port_id) + "'); 'kni destroy " + std::to_string(port_id) + "' first");
  if (engine_.forwarding())
    throw Error("EBUSY_FORWARDING", "cannot create a KNI while forwarding: stop forwarding first ('stop')");
  std::string name = want_name.empty() ? "vEth" + std::to_string(port_id) + "_0" : want_name;
  netdev::check_name(name, "name");
  if (netdev::exists(name))
    throw Error("EEXIST_IFACE", "an interface '" + name + "' already exists in this namespace: give another name ('kni create " +
                                    std::to_string(port_id) + " name NAME')");
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENODEV)
      throw Error("ENODEV_TUN", "/dev/net/tun is missing: load the tun module (modprobe tun) or, in a container, pass "
                                "the device through (--device /dev/net/tun)");
    netdev::throw_errno(err, name, "open /dev/net/tun");
  }
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    ::close(fd);
    netdev::throw_errno(err, name, "create the KNI interface");
  }
  auto d = std::unique_ptr<KniDev>(new KniDev());
  d->fd_ = fd;  // closing it removes the interface (no TUNSETPERSIST)
  d->port_id_ = port_id;
  d->port_ = &p;
  d->name_ = name;
  d->all_ = all;
  auto cleanup = [&] {
    if (d->fd_ >= 0) ::close(d->fd_);
    Ring::destroy(d->ingress_);
    Ring::destroy(d->egress_);
  };
  try {
    // The port's MAC, as DPDK's KNI uses the NIC's (a random local one when
    // the port has none).
    MacAddr mac = p.mac();
    bool zero = true;
    for (uint8_t b : mac) zero = zero && b == 0;
    if (zero || (mac[0] & 1)) {
      std::random_device rd;
      mac = {0x02, static_cast<uint8_t>(rd()), static_cast<uint8_t>(rd()), static_cast<uint8_t>(rd()),
             static_cast<uint8_t>(rd()), static_cast<uint8_t>(rd())};
    }
    netdev::set_mac(name, mac);
    try {
      netdev::set_mtu(name, p.mtu());
    } catch (const Error&) {
      // outside the TAP's range: keep the kernel's default
    }
    d->if_index_ = netdev::if_index(name);
    d->agreed_.mac = netdev::mac(name);
    d->agreed_.mtu = netdev::mtu(name);
    d->agreed_.up = netdev::is_up(name);
    d->ingress_ = Ring::create(KniDev::kRingSize, Sync::Multi, Sync::Single);
    d->egress_ = Ring::create(KniDev::kRingSize, Sync::Single, Sync::Single);
    if (!d->ingress_ || !d->egress_) throw Error("ENOMEM", "cannot allocate the KNI rings");
    ifp_.start();  // requests come through rtnetlink
    if (evfd_ < 0) {
      evfd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (evfd_ < 0) throw Error("EKNI", std::string("cannot create an eventfd: ") + std::strerror(errno));
    }
  } catch (...) {
    cleanup();
    throw;
  }
  KniDev* raw = d.get();
  {
    auto lk = io_lock();
    std::lock_guard<std::mutex> g(state_mu_);
    devs_.push_back(std::move(d));
  }
  register_dev(&p, raw);
  if (!thread_.joinable()) {
    stop_ = false;
    thread_ = std::thread(&Kni::run, this);
  }
}

void Kni::remove(KniDev* d) {
  unregister_dev(d);
  Mbuf* b[KniDev::kBurst];
  uint32_t n;
  while ((n = d->ingress_->dequeue_burst(reinterpret_cast<void**>(b), KniDev::kBurst))) mbuf_free_bulk(b, n);
  while ((n = d->egress_->dequeue_burst(reinterpret_cast<void**>(b), KniDev::kBurst))) mbuf_free_bulk(b, n);
  if (d->spare_) mbuf_free(d->spare_);
  d->spare_ = nullptr;
  Ring::destroy(d->ingress_);
  Ring::destroy(d->egress_);
  d->ingress_ = d->egress_ = nullptr;
  if (d->fd_ >= 0) ::close(d->fd_);
  d->fd_ = -1;
}

void Kni::destroy(uint16_t port) {
  if (!has(port)) throw Error("EKNI_NONE", "port " + std::to_string(port) + " has no KNI ('show kni' lists them)");
  if (engine_.forwarding())
    throw Error("EBUSY_FORWARDING", "cannot destroy a KNI while forwarding: stop forwarding first ('stop')");
  forget_port(port);
}

void Kni::forget_port(uint16_t port) {
  std::unique_ptr<KniDev> gone;
  {
    auto lk = io_lock();
    std::lock_guard<std::mutex> g(state_mu_);
    for (auto it = devs_.begin(); it != devs_.end(); ++it) {
      if ((*it)->port_id_ == port) {
        gone = std::move(*it);
        devs_.erase(it);
        break;
      }
    }
  }
  if (gone) remove(gone.get());
}

void Kni::shutdown() {
  if (thread_.joinable()) {
    stop_ = true;
    uint64_t one = 1;
    if (evfd_ >= 0) (void)!::write(evfd_, &one, sizeof one);
    thread_.join();
  }
  if (hook_) {
    ifp_.remove_link_hook(hook_);
    hook_ = 0;
  }
  std::vector<std::unique_ptr<KniDev>> all;
  {
    std::lock_guard<std::mutex> g(io_mu_);
    std::lock_guard<std::mutex> g2(state_mu_);
    all = std::move(devs_);
    devs_.clear();
  }
  for (auto& d : all) remove(d.get());
  if (evfd_ >= 0) ::close(evfd_);
  evfd_ = -1;
}

void Kni::set_forwarding(bool on) {
  auto lk = io_lock();
  forwarding_.store(on);
  if (on) return;
  // What the lcores did not send before they stopped goes back to the pool.
  std::lock_guard<std::mutex> g(state_mu_);
  for (auto& d : devs_) {
    Mbuf* b[KniDev::kBurst];
    uint32_t n;
    while ((n = d->egress_->dequeue_burst(reinterpret_cast<void**>(b), KniDev::kBurst))) {
      d->tx_dropped_.fetch_add(n);
      mbuf_free_bulk(b, n);
    }
  }
}

// ------------------------------------------------------------- queries

std::vector<KniInfo> Kni::list() const {
  std::lock_guard<std::mutex> g(state_mu_);
  std::vector<KniInfo> out;
  for (const auto& d : devs_) {
    KniInfo i;
    i.port = d->port_id_;
    i.name = d->name_;
    i.if_index = d->if_index_;
    i.all = d->all_;
    i.policy = d->policy_;
    i.delay_ms = d->delay_ms_;
    i.mtu = d->agreed_.mtu;
    i.up = d->agreed_.up;
    i.mac = d->agreed_.mac;
    i.pending = d->pending_.size();
    i.stats.rx_packets = d->rx_packets_.load();
    i.stats.rx_bytes = d->rx_bytes_.load();
    i.stats.rx_dropped = d->rx_dropped_.load();
    i.stats.tx_packets = d->tx_packets_.load();
    i.stats.tx_bytes = d->tx_bytes_.load();
    i.stats.tx_dropped = d->tx_dropped_.load();
    i.stats.requests_handled = d->handled_.load();
    i.stats.requests_rejected = d->rejected_.load();
    out.push_back(std::move(i));
  }
  return out;
}

KniInfo Kni::info(uint16_t port) const {
  for (KniInfo& i : list())
    if (i.port == port) return i;
  throw Error("EKNI_NONE", "port " + std::to_string(port) + " has no KNI: create one with 'kni create " +
                               std::to_string(port) + "'");
}

void Kni::set_policy(uint16_t port, KniPolicy p, uint32_t delay_ms) {
  std::lock_guard<std::mutex> g(state_mu_);
  KniDev* d = find(port);
  if (!d) throw Error("EKNI_NONE", "port " + std::to_string(port) + " has no KNI ('show kni' lists them)");
  d->policy_ = p;
  d->delay_ms_ = p == KniPolicy::Delay ? delay_ms : 0;
}

void Kni::clear_stats(uint16_t port) {
  std::lock_guard<std::mutex> g(state_mu_);
  KniDev* d = find(port);
  if (!d) throw Error("EKNI_NONE", "port " + std::to_string(port) + " has no KNI");
  for (auto* c : {&d->rx_packets_, &d->rx_bytes_, &d->rx_dropped_, &d->tx_packets_, &d->tx_bytes_, &d->tx_dropped_,
                  &d->handled_, &d->rejected_})
    c->store(0);
}

}  // namespace rs
