// KNI over TAP: creation, the KNI thread (both directions, batched), the
// fast-path entry points and request handling (see kni.h).
#include "kni.h"
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
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

std::string mtu_s(uint32_t v) { return std::to_string(v); }

}  // namespace

KniDev* kni_for_port(const Port* port) {
  if (!port) return nullptr;
  for (Slot& s : g_slots)
    if (s.port.load(std::memory_order_acquire) == port) return s.dev.load(std::memory_order_acquire);
  return nullptr;
}

uint16_t kni_ingress(const Port* port, Mbuf** pkts, uint16_t n) {
  KniDev* d = kni_for_port(port);
  if (d) return d->to_kernel(pkts, n);
  mbuf_free_bulk(pkts, n);
  return 0;
}

// ------------------------------------------------------------- fast path

uint16_t KniDev::to_kernel(Mbuf** pkts, uint16_t n) {
  if (n == 0) return 0;
  uint32_t q = ingress_->enqueue_burst(reinterpret_cast<void* const*>(pkts), n);
  if (q < n) {
    rx_dropped_.fetch_add(n - q, std::memory_order_relaxed);
    mbuf_free_bulk(pkts + q, n - q);
  }
  return static_cast<uint16_t>(q);
}

uint16_t kni_to_kernel(KniDev* d, Mbuf** pkts, uint16_t n) { return d->to_kernel(pkts, n); }

uint16_t KniDev::from_kernel(Port* port, uint16_t queue) {
  Mbuf* b[kBurst];
  uint32_t n = egress_->dequeue_burst(reinterpret_cast<void**>(b), kBurst);
  if (!n) return 0;
  uint16_t sent = port->tx_burst(queue, b, static_cast<uint16_t>(n));
  if (sent < n) {
    tx_dropped_.fetch_add(n - sent, std::memory_order_relaxed);
    mbuf_free_bulk(b + sent, n - sent);
  }
  return sent;
}

// ------------------------------------------------------------- lifecycle

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
    count_.store(devs_.size());
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
    count_.store(devs_.size());
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
    count_.store(0);
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

// ------------------------------------------------------------- KNI thread

// One pass over one KNI: ingress ring and (with `all`, not forwarding) the
// port's rx queues into the TAP; the TAP into the port (or, while
// forwarding, into the egress ring). Returns whether anything moved.
bool Kni::service(KniDev& d, bool forwarding) {
  Mbuf* b[KniDev::kBurst];
  bool work = false;
  auto to_tap = [&](Mbuf** pkts, uint32_t n) {
    uint64_t ok = 0, bytes = 0, bad = 0;
    for (uint32_t i = 0; i < n; i++) {
      ssize_t w = ::write(d.fd_, pkts[i]->data(), pkts[i]->data_len);
      if (w == static_cast<ssize_t>(pkts[i]->data_len)) {
        ok++;
        bytes += pkts[i]->data_len;
      } else {
        bad++;  // EIO while the interface is down
      }
    }
    mbuf_free_bulk(pkts, n);
    if (ok) {
      d.rx_packets_.fetch_add(ok, std::memory_order_relaxed);
      d.rx_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    }
    if (bad) d.rx_dropped_.fetch_add(bad, std::memory_order_relaxed);
  };
  uint32_t n = d.ingress_->dequeue_burst(reinterpret_cast<void**>(b), KniDev::kBurst);
  if (n) {
    to_tap(b, n);
    work = true;
  }
  Port* port = d.port_;
  bool port_io = !forwarding && port->started();
  if (port_io && d.all_) {
    for (uint16_t q = 0; q < port->nb_rx_queues(); q++) {
      uint16_t got = port->rx_burst(q, b, KniDev::kBurst);
      if (got) {
        to_tap(b, got);
        work = true;
      }
    }
  }
  // Egress: read the TAP, one packet per read (TAPs have no batch read).
  uint16_t got = 0;
  uint64_t bytes = 0;
  while (got < KniDev::kBurst) {
    Mbuf* m = d.spare_;
    d.spare_ = nullptr;
    if (!m && !(m = pool_->alloc())) break;
    ssize_t r = ::read(d.fd_, m->data(), m->tailroom());
    if (r <= 0) {
      d.spare_ = m;
      break;
    }
    m->data_len = static_cast<uint16_t>(r);
    m->port = d.port_id_;
    b[got++] = m;
    bytes += static_cast<uint64_t>(r);
  }
  if (got) {
    work = true;
    d.tx_packets_.fetch_add(got, std::memory_order_relaxed);
    d.tx_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    uint32_t sent = 0;
    if (forwarding) sent = d.egress_->enqueue_burst(reinterpret_cast<void* const*>(b), got);
    else if (port_io) sent = port->tx_burst(0, b, got);
    if (sent < got) {
      d.tx_dropped_.fetch_add(got - sent, std::memory_order_relaxed);
      mbuf_free_bulk(b + sent, got - sent);
    }
  }
  return work;
}

void Kni::run() {
  unsigned idle = 0;
  std::vector<pollfd> fds;
  while (!stop_.load(std::memory_order_relaxed)) {
    bool work = false;
    {
      std::unique_lock<std::mutex> lk(io_mu_);
      bool fwd = forwarding_.load(std::memory_order_relaxed);
      for (auto& d : devs_) work |= service(*d, fwd);
      if (!work && idle >= 200) {
        fds.clear();
        fds.push_back({evfd_, POLLIN, 0});
        for (auto& d : devs_) fds.push_back({d->fd_, POLLIN, 0});
      }
    }
    if (pause_.load(std::memory_order_relaxed)) {
      std::this_thread::yield();
      continue;
    }
    if (work) {
      idle = 0;
      continue;
    }
    if (++idle < 200) {
      sched_yield();
      continue;
    }
    // Quiet: sleep until the kernel sends something, at most 1 ms (port rx
    // and the ingress ring have no fd to wait on).
    ::poll(fds.data(), fds.size(), 1);
    uint64_t v;
    if (::read(evfd_, &v, sizeof v) > 0) idle = 0;
    if (fds.size() > 1) {
      for (size_t i = 1; i < fds.size(); i++)
        if (fds[i].revents & POLLIN) idle = 0;
    }
  }
}

// ------------------------------------------------------------- requests

void Kni::request(KniDev& d, const std::string& what, const std::string& from, const std::string& to,
                  std::vector<Event>& out) {
  uint64_t now = now_us();
  auto rv = d.rejected_value_.find(what);
  if (rv != d.rejected_value_.end()) {
    if (rv->second.first == to && now < rv->second.second) return;  // an echo of what we just put back
    d.rejected_value_.erase(rv);
  }
  auto it = d.pending_.find(what);
  if (it != d.pending_.end()) {
    if (it->second.to == to) return;
    it->second.to = to;
  } else {
    KniDev::Request r;
    r.what = what;
    r.from = from;
    r.to = to;
    r.seen_us = now;
    r.due_us = now + (d.policy_ == KniPolicy::Delay ? uint64_t(d.delay_ms_) * 1000 : 0);
    d.pending_[what] = r;
  }
  Event e;
  e.name = "kni_request";
  e.proxy = d.name_;
  e.if_index = d.if_index_;
  e.ports.push_back(d.port_id_);
  e.values.push_back({"request", what});
  e.values.push_back({"from", from});
  e.values.push_back({"to", to});
  e.values.push_back({"policy", d.policy_ == KniPolicy::Delay ? "delay " + std::to_string(d.delay_ms_) + "ms"
                                                               : kni_policy_name(d.policy_)});
  out.push_back(std::move(e));
}

void Kni::on_link(const rtnl::LinkMsg& l, bool deleted) {
  std::vector<Event> out;
  {
    std::lock_guard<std::mutex> g(state_mu_);
    for (auto& dp : devs_) {
      KniDev& d = *dp;
      if (d.if_index_ != l.index) continue;
      if (deleted) {
        Event e;
        e.name = "kni_gone";
        e.proxy = d.name_;
        e.if_index = d.if_index_;
        e.ports.push_back(d.port_id_);
        out.push_back(std::move(e));
        continue;
      }
      if (l.has_mtu && l.mtu != d.agreed_.mtu) request(d, "mtu", mtu_s(d.agreed_.mtu), mtu_s(l.mtu), out);
      else d.pending_.erase("mtu");
      bool up = l.flags & IFF_UP;
      if (up != d.agreed_.up) request(d, "link", d.agreed_.up ? "up" : "down", up ? "up" : "down", out);
      else d.pending_.erase("link");
      if (l.has_mac && l.mac != d.agreed_.mac) request(d, "mac", mac_to_string(d.agreed_.mac), mac_to_string(l.mac), out);
      else d.pending_.erase("mac");
    }
  }
  ifp_.events().push(std::move(out));
}

void Kni::apply(KniDev& d, const KniDev::Request& r, bool* ok, bool* paused, std::string* why) {
  uint16_t id = d.port_id_;
  *ok = false;
  *paused = false;
  try {
    Port& p = engine_.port(id);
    if (r.what == "link") {
      if (r.to == "up") {
        if (!p.started()) engine_.port_start(id);
      } else if (p.started()) {
        engine_.port_stop(id);
      }
    } else {
      auto set = [&] {
        if (r.what == "mtu") {
          p.set_mtu(static_cast<uint32_t>(std::stoul(r.to)));
        } else {
          MacAddr m;
          if (!parse_mac(r.to, &m)) throw Error("EINVAL_MAC", "'" + r.to + "' is not a MAC address");
          p.set_mac(m);
        }
      };
      {
        // While forwarding, as DPDK's KNI applies requests with traffic
        // running: the port's streams pause (its packets wait in its
        // queues), the value is set on the started port, the streams resume.
        // Under io_lock, which start and stop take to change forwarding.
        auto lk = io_lock();
        if (forwarding_.load()) {
          engine_.with_port_paused(id, set);
          *paused = true;
          *ok = true;
          return;
        }
      }
      bool was = p.started();
      if (was) engine_.port_stop(id);  // stop, configure, start, as DPDK's KNI example does
      try {
        auto lk = io_lock();
        set();
      } catch (...) {
        if (was) {
          try { engine_.port_start(id); } catch (const Error&) {}
        }
        throw;
      }
      if (was) engine_.port_start(id);
    }
    *ok = true;
  } catch (const Error& e) {
    *why = std::string(e.code()) + ": " + e.what();
  } catch (const std::exception& e) {
    *why = e.what();
  }
}

void Kni::revert(KniDev& d, const KniDev::Request& r) {
  try {
    if (r.what == "mtu") netdev::set_mtu(d.name_, static_cast<uint32_t>(std::stoul(r.from)));
    else if (r.what == "link") netdev::set_up(d.name_, r.from == "up");
    else {
      MacAddr m;
      if (parse_mac(r.from, &m)) netdev::set_mac(d.name_, m);
    }
  } catch (const Error&) {
    // the interface may be gone; the response says what was asked
  }
}

int Kni::process_requests() {
  struct Due {
    KniDev* d;
    KniDev::Request r;
    KniPolicy policy;
  };
  std::vector<Due> due;
  uint64_t now = now_us();
  uint64_t next = 0;
  {
    std::lock_guard<std::mutex> g(state_mu_);
    for (auto& dp : devs_) {
      for (auto it = dp->pending_.begin(); it != dp->pending_.end();) {
        if (it->second.due_us <= now) {
          KniPolicy pol = dp->policy_;
          due.push_back({dp.get(), it->second, pol});
          // Agreed at once, so further notifications showing the new value
          // are no new request; put back below if it is refused.
          const KniDev::Request& r = it->second;
          if (pol != KniPolicy::Reject) {
            if (r.what == "mtu") dp->agreed_.mtu = static_cast<uint32_t>(std::stoul(r.to));
            else if (r.what == "link") dp->agreed_.up = r.to == "up";
            else parse_mac(r.to, &dp->agreed_.mac);
          } else {
            dp->rejected_value_[r.what] = {r.to, now + 300000};
          }
          it = dp->pending_.erase(it);
        } else {
          if (!next || it->second.due_us < next) next = it->second.due_us;
          ++it;
        }
      }
    }
  }
  std::vector<Event> out;
  for (Due& x : due) {
    KniDev& d = *x.d;
    Event e;
    e.name = "kni_response";
    e.proxy = d.name_;
    e.if_index = d.if_index_;
    e.ports.push_back(d.port_id_);
    e.values.push_back({"request", x.r.what});
    e.values.push_back({"from", x.r.from});
    e.values.push_back({"to", x.r.to});
    if (x.policy == KniPolicy::Reject) {
      revert(d, x.r);
      d.rejected_.fetch_add(1);
      e.values.push_back({"result", "rejected"});
      e.values.push_back({"reason", "the handler policy of port " + std::to_string(d.port_id_) +
                                        " is reject ('kni handler " + std::to_string(d.port_id_) + " accept' to allow)"});
      e.values.push_back({"now", x.r.from});
    } else {
      bool ok = false, paused = false;
      std::string why;
      apply(d, x.r, &ok, &paused, &why);
      if (ok) {
        d.handled_.fetch_add(1);
        e.values.push_back({"result", "applied"});
        if (paused) e.values.push_back({"while", "forwarding"});
        if (x.policy == KniPolicy::Delay)
          e.values.push_back({"delayed_ms", std::to_string((now_us() - x.r.seen_us) / 1000)});
      } else {
        {
          std::lock_guard<std::mutex> g(state_mu_);
          if (x.r.what == "mtu") d.agreed_.mtu = static_cast<uint32_t>(std::stoul(x.r.from));
          else if (x.r.what == "link") d.agreed_.up = x.r.from == "up";
          else parse_mac(x.r.from, &d.agreed_.mac);
          d.rejected_value_[x.r.what] = {x.r.to, now_us() + 300000};
        }
        revert(d, x.r);
        d.rejected_.fetch_add(1);
        e.values.push_back({"result", "failed"});
        e.values.push_back({"reason", why});
        e.values.push_back({"now", x.r.from});
      }
    }
    out.push_back(std::move(e));
  }
  ifp_.events().push(std::move(out));
  if (!next) return -1;
  uint64_t n2 = now_us();
  return next <= n2 ? 0 : static_cast<int>((next - n2 + 999) / 1000);
}

}  // namespace rs
