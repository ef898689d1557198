// net_tap, after DPDK's: a Linux TAP interface. What ringside sends (tx)
// enters the kernel as if received on the interface; what the kernel sends
// out of the interface arrives on rx. `ip` configures it like any device.
//
//   net_tapN[,iface=NAME][,mac=XX:XX:XX:XX:XX:XX]
//
// The device is opened (created if absent; default name rs_tap<port id>) when
// the port is attached and stays until close: a device we created has no
// TUNSETPERSIST, so closing our last fd removes it; one that existed before is
// left as it was. Created devices are multi-queue (IFF_MULTI_QUEUE) so that
// configuring N rx queues opens N fds, one per kernel queue; the kernel picks
// the fd for each outgoing packet by flow hash. Tx queue q writes to fd q mod
// N (writes on one fd from two threads are safe).
//
// A TAP hands over one packet per read() and takes one per write(): there is
// no batching interface, so rx reads until EAGAIN or the burst is full.
// MTU, MAC and link follow the device: set_mtu/mac_addr set/link up|down
// change the kernel interface, and start reads the kernel's values back.
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include "drivers.h"
#include "error.h"
#include "netdev.h"

namespace rs {
namespace {

constexpr const char* kTunPath = "/dev/net/tun";

// Opens one queue of TAP `name`. Returns the fd or -errno.
int open_queue(const std::string& name, bool multi_queue) {
  int fd = ::open(kTunPath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -errno;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (multi_queue ? IFF_MULTI_QUEUE : 0);
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    ::close(fd);
    return -err;
  }
  return fd;
}

class TapPort final : public Port {
 public:
  TapPort(uint16_t id, const DevArgs& args, Mempool* pool, std::string iface)
      : Port(id, args, pool), iface_(std::move(iface)) {}

  ~TapPort() override { close_fds(0); }

  // Opens (or creates) the device: queue 0's fd lives until close.
  void open_device(const MacAddr* want_mac) {
    existed_ = netdev::exists(iface_);
    int fd = open_queue(iface_, true);
    if (fd == -EINVAL && existed_) fd = open_queue(iface_, false);  // a pre-existing single-queue TAP
    else multi_queue_ = true;
    if (fd < 0) fail_open(-fd);
    fds_[0] = fd;
    nb_fds_ = 1;
    if (want_mac) netdev::set_mac(iface_, *want_mac);
    sync_from_device();
  }

  std::string if_name() const override { return iface_; }
  int if_index() const override {
    try {
      return netdev::if_index(iface_);
    } catch (const Error&) {
      return 0;  // removed from under us (ip link del): info still works
    }
  }
  uint16_t max_rx_queues() const override { return multi_queue_ ? kMaxQueues : 1; }
  uint16_t max_tx_queues() const override { return kMaxQueues; }
  uint32_t max_mtu() const override { return netdev::max_mtu_within(iface_, Port::max_mtu()); }

  void do_queue_info(Dir, uint16_t, QueueInfo* out) const override {
    out->kind = "TAP fd: the kernel's queue behind one read()/write() per packet, no ring shared with us";
  }

  std::vector<std::pair<std::string, std::string>> info() const override {
    std::vector<std::pair<std::string, std::string>> v;
    v.push_back({"interface", iface_ + (existed_ ? " (existed before; left in place at close)"
                                                 : " (created by ringside; removed at close)")});
    try {
      netdev::LinkFacts f = netdev::facts(iface_);
      v.push_back({"if_index", std::to_string(f.index)});
      v.push_back({"kernel state", std::string((f.flags & IFF_UP) ? "UP" : "DOWN") + ", operstate " +
                                       netdev::operstate_name(f.operstate) + ", carrier " +
                                       (f.carrier ? "on" : "off")});
      v.push_back({"kernel MTU", std::to_string(f.mtu) + " (range " + std::to_string(f.min_mtu) + ".." +
                                     std::to_string(f.max_mtu) + ")"});
      if (f.has_mac) v.push_back({"kernel MAC", mac_to_string(f.mac)});
    } catch (const Error& e) {
      v.push_back({"kernel state", e.what()});
    }
    v.push_back({"queues", std::to_string(nb_fds_) + " TAP fd(s)" +
                               (multi_queue_ ? ", multi-queue" : ", single-queue device")});
    return v;
  }

 protected:
  // One fd per rx queue; tx queues share them (q mod nb_rx).
  void do_configure(uint16_t nb_rx, uint16_t) override {
    while (nb_fds_ < nb_rx) {
      int fd = open_queue(iface_, true);
      if (fd < 0) fail_open(-fd);
      fds_[nb_fds_++] = fd;
    }
    close_fds(nb_rx);
  }

  void do_start() override {
    if (admin_up_ && !netdev::is_up(iface_)) {
      netdev::set_up(iface_, true);
      brought_up_ = true;
    }
    sync_from_device();
  }

  // Like DPDK's tap: a stopped port's interface goes down, but only if start
  // brought it up; an interface the user set up stays as the user left it.
  void do_stop() override {
    if (!brought_up_) return;
    brought_up_ = false;
    try {
      netdev::set_up(iface_, false);
    } catch (const Error&) {
      // stop must succeed; the device may already be gone
    }
  }

  void do_close() override { close_fds(0); }

  void held_mbufs(std::vector<std::pair<std::string, const Mbuf*>>* out) const override {
    for (uint16_t q = 0; q < kMaxQueues; q++)
      if (spare_[q]) out->push_back({"port " + std::to_string(id()) + " rxq " + std::to_string(q) + " TAP read buffer (" + iface_ + ")", spare_[q]});
  }

  uint32_t do_drain() override {
    // Spare mbufs are not packets: freed, not counted as missed.
    for (Mbuf*& m : spare_)
      if (m) { mbuf_free(m); m = nullptr; }
    return 0;
  }

  void do_set_mtu(uint32_t mtu) override {
    if (netdev::mtu(iface_) != mtu) netdev::set_mtu(iface_, mtu);
  }
  void do_set_mac(const MacAddr& m) override {
    if (netdev::mac(iface_) != m) netdev::set_mac(iface_, m);
  }
  void do_set_link(bool up) override {
    netdev::set_up(iface_, up);
    admin_up_ = up;
    brought_up_ = false;  // the user decided: stop leaves it as set
  }
  LinkInfo do_link() const override {
    bool running = false;
    try {
      running = netdev::carrier(iface_);
    } catch (const Error&) {
    }
    return LinkInfo{running, running ? 10000u : 0u, true};  // a TAP has no speed; report 10G like DPDK's
  }

  uint16_t do_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    int fd = fds_[q];
    uint16_t got = 0;
    uint64_t bytes = 0;
    while (got < n) {
      // Reading needs a buffer before we know whether a packet waits; an
      // unused one is kept for the next call rather than freed and
      // re-allocated on every empty poll.
      Mbuf* m = spare_[q];
      spare_[q] = nullptr;
      if (!m && !(m = pool()->alloc())) {
        count_rx_nombuf(1);
        break;
      }
      ssize_t r = ::read(fd, m->data(), m->tailroom());
      if (r <= 0) {
        spare_[q] = m;
        if (r < 0 && errno != EAGAIN && errno != EINTR) count_rx_error(q);
        break;
      }
      m->data_len = static_cast<uint16_t>(r);
      m->port = id();
      m->queue = q;
      pkts[got++] = m;
      bytes += static_cast<uint64_t>(r);
    }
    if (got) {
      timespec ts;
      ::clock_gettime(CLOCK_REALTIME, &ts);  // vDSO, once per burst: a TAP gives no rx time
      uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
      for (uint16_t i = 0; i < got; i++) pkts[i]->timestamp = now;
      count_rx_bytes(q, bytes);
    }
    return got;
  }

  uint16_t do_tx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    int fd = fds_[q % nb_fds_];
    uint32_t failed = 0;
    for (uint16_t i = 0; i < n; i++) {
      ssize_t w = ::write(fd, pkts[i]->data(), pkts[i]->data_len);
      if (w != static_cast<ssize_t>(pkts[i]->data_len)) failed++;  // EIO while down, EINVAL if malformed
    }
    if (failed) count_tx_error(q, failed);
    mbuf_free_bulk(pkts, n);
    return n;
  }

 private:
  [[noreturn]] void fail_open(int err) {
    if (err == ENOENT || err == ENODEV)
      throw Error("ENODEV_TUN", std::string(kTunPath) + " is missing: load the tun module (modprobe tun) or, in a "
                                                        "container, pass the device through (--device /dev/net/tun)");
    if (err == EINVAL && existed_)
      throw Error("EDEVARGS", name() + ": interface '" + iface_ +
                                  "' exists and is not a TAP device ('ip -d link show " + iface_ +
                                  "' tells what it is): name another iface=");
    if (err == EBUSY)
      throw Error("EBUSY_IFACE", name() + ": TAP '" + iface_ +
                                     "' is in use by another process (single-queue TAPs take one user)");
    netdev::throw_errno(err, iface_, "open TAP device");
  }

  // Port's MTU and MAC from the kernel (someone may have used `ip` meanwhile).
  void sync_from_device() {
    mac_ = netdev::mac(iface_);
    uint32_t kmtu = netdev::mtu(iface_);
    if (kmtu != mtu() && kmtu >= min_mtu() && kmtu <= max_mtu()) set_mtu(kmtu);  // do_set_mtu sees it equal
  }

  // Closes fds from index `keep` upward (0: all; the device goes if we made it).
  void close_fds(uint16_t keep) {
    for (uint16_t q = keep; q < nb_fds_; q++) {
      ::close(fds_[q]);
      fds_[q] = -1;
      if (spare_[q]) { mbuf_free(spare_[q]); spare_[q] = nullptr; }
    }
    if (nb_fds_ > keep) nb_fds_ = keep;
  }

  std::string iface_;
  bool existed_ = false, multi_queue_ = false;
  bool admin_up_ = true;     // last `set link-up|down`
  bool brought_up_ = false;  // start set IFF_UP; stop clears it again
  uint16_t nb_fds_ = 0;
  std::array<int, kMaxQueues> fds_{};
  std::array<Mbuf*, kMaxQueues> spare_{};  // one ready buffer per rx queue
};

std::unique_ptr<Port> create(uint16_t id, const DevArgs& args, Mempool* pool) {
  check_devargs(args, net_tap_driver());
  std::string iface = "rs_tap" + std::to_string(id);
  if (auto it = args.kv.find("iface"); it != args.kv.end()) iface = it->second;
  netdev::check_name(iface, args.name + ": iface");
  MacAddr mac{};
  bool has_mac = false;
  if (auto it = args.kv.find("mac"); it != args.kv.end()) {
    if (!parse_mac(it->second, &mac) || (mac[0] & 1))
      throw Error("EDEVARGS", args.name + ": mac=" + it->second +
                                  " is not a unicast MAC: write mac=02:00:00:00:00:01 (hex pairs, first byte even)");
    has_mac = true;
  }
  auto port = std::make_unique<TapPort>(id, args, pool, iface);
  port->open_device(has_mac ? &mac : nullptr);  // on throw the destructor closes the fd
  return port;
}

}  // namespace

const DriverInfo& net_tap_driver() {
  static const DriverInfo d{"net_tap",
                            "net_tapN[,iface=NAME][,mac=MAC]: a Linux TAP interface (created if absent, default "
                            "rs_tap<port>); the kernel sees what the port sends and the port gets what the kernel "
                            "sends; needs CAP_NET_ADMIN",
                            "iface,mac", create};
  return d;
}

}  // namespace rs
