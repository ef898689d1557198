// KNI, the exception path between a port and the kernel stack, after DPDK's
// Kernel NIC Interface but on a plain TAP (no kernel module):
//
//   kni create PORT [name IFNAME] [all]   a TAP (default vEth<port>_0) bound to PORT
//
// Ingress (port -> kernel): packets handed over by kni_ingress() (the flow
// action `kernel`, from any poll thread: a multi-producer ring per KNI) and,
// with `all`, every packet the forwarding engine does not consume: while the
// port does not forward, every packet it receives (the KNI thread polls its
// rx queues); while it forwards, what the engine leaves unhandled, one burst
// at a time (fwd_unhandled in fwd/fwd_engine.h; today icmpecho's packets that
// are not ARP or echo requests for the port). Engines that consume what they
// receive keep it, as in testpmd: io, mac, macswap and 5tswap forward every
// packet, rxonly and flowgen receive to count and measure. The KNI thread
// writes the ring to the TAP in bursts.
// Egress (kernel -> port): the KNI thread reads the TAP in bursts and sends
// them out of the port (tx queue 0 only: the kernel's exception traffic is
// small next to forwarding, and one queue keeps its order). While forwarding runs, the poll lcores own
// the port's queues, so egress bursts go to a ring that the lcore owning the
// port's tx queue 0 drains (Kni::service_egress, called from run_lcore).
//
// Requests: `ip link set IFNAME up|down|mtu N|address MAC` reach ringside over
// rtnetlink (IfProxy's link hook). They queue as KNI requests and are applied
// by process_requests() on the control thread under the KNI's policy: accept
// (stop the port, apply, start it), reject (put the interface back and say
// why) or delay MS (accept after MS). Each request and its result is an
// Event (kni_request, kni_response) in the IfProxy event queue.
//
// Threads: create/destroy/policy/process_requests run on the control thread;
// the KNI thread does the TAP and port I/O under io_mu_, which the control
// thread takes (io_lock) whenever it changes a port.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include "../mbuf.h"
#include "../port.h"
#include "../ring.h"
#include "../netlink/ifproxy.h"

namespace rs {

class Engine;

enum class KniPolicy { Accept, Reject, Delay };
const char* kni_policy_name(KniPolicy p);

struct KniStats {
  uint64_t rx_packets = 0, rx_bytes = 0, rx_dropped = 0;  // to the kernel (ingress)
  uint64_t tx_packets = 0, tx_bytes = 0, tx_dropped = 0;  // from the kernel (egress)
  uint64_t requests_handled = 0, requests_rejected = 0;
};

struct KniInfo {
  uint16_t port = 0;
  std::string name;
  int if_index = 0;
  bool all = false;
  KniPolicy policy = KniPolicy::Accept;
  uint32_t delay_ms = 0;
  uint32_t mtu = 0;      // as ringside last agreed to it
  bool up = false;
  MacAddr mac{};
  size_t pending = 0;    // requests not handled yet
  KniStats stats;
};

// One KNI: the TAP, its rings and counters. Fast-path entry: to_kernel.
class KniDev {
 public:
  static constexpr uint32_t kRingSize = 4096;
  static constexpr uint16_t kBurst = 32;

  // Takes ownership of all n packets: queued for the kernel, or freed and
  // counted as rx_dropped. Returns how many were queued. Any thread.
  uint16_t to_kernel(Mbuf** pkts, uint16_t n);
  bool takes_all() const { return all_; }
  // Poll-thread side of egress while forwarding (the lcore owning tx queue
  // `queue` of the port): sends what the kernel sent out of the interface.
  uint16_t from_kernel(Port* port, uint16_t queue);
  uint16_t port_id() const { return port_id_; }

 private:
  friend class Kni;
  KniDev() = default;
  uint16_t port_id_ = 0;
  Port* port_ = nullptr;
  std::string name_;
  int fd_ = -1;
  int if_index_ = 0;
  bool all_ = false;
  Ring* ingress_ = nullptr;  // multi-producer (poll threads), single consumer (KNI thread)
  Ring* egress_ = nullptr;   // KNI thread -> the lcore owning tx queue 0, while forwarding
  Mbuf* spare_ = nullptr;    // a buffer for the next TAP read
  std::atomic<uint64_t> rx_packets_{0}, rx_bytes_{0}, rx_dropped_{0};
  std::atomic<uint64_t> tx_packets_{0}, tx_bytes_{0}, tx_dropped_{0};
  std::atomic<uint64_t> handled_{0}, rejected_{0};
  // Under Kni::state_mu_:
  struct State { uint32_t mtu = 1500; bool up = false; MacAddr mac{}; };
  State agreed_;  // what ringside applied; kernel values that differ are requests
  KniPolicy policy_ = KniPolicy::Accept;
  uint32_t delay_ms_ = 0;
  struct Request { std::string what; std::string from, to; uint64_t seen_us = 0; uint64_t due_us = 0; };
  std::map<std::string, Request> pending_;  // by what: "mtu", "link", "mac"
  std::map<std::string, std::pair<std::string, uint64_t>> rejected_value_;  // what -> (value, until us): stale echoes
};

// For the forwarding path (flow action `kernel`, engines' leftovers with
// `kni create ... all`): the KNI of a port, or nullptr. Valid while the port
// forwards (kni destroy is refused while the port forwards). Cheap: a scan of
// a small table, meant to be called once per stream at start.
KniDev* kni_for_port(const Port* port);
// Hands packets to the port's KNI; with none, frees them. Returns how many
// were queued for the kernel (the rest were freed and counted).
uint16_t kni_ingress(const Port* port, Mbuf** pkts, uint16_t n);
// KniDev::to_kernel for code that only sees KniDev declared (fwd_unhandled).
uint16_t kni_to_kernel(KniDev* d, Mbuf** pkts, uint16_t n);

class Kni {
 public:
  Kni(Engine& engine, IfProxy& ifproxy, Mempool* pool);
  ~Kni();
  Kni(const Kni&) = delete;
  Kni& operator=(const Kni&) = delete;

  // Throws EKNI_EXISTS, EEXIST_IFACE, ENODEV_TUN, EPERM_NETADMIN, EPORT_RANGE.
  void create(uint16_t port, const std::string& name = "", bool all = false);
  void destroy(uint16_t port);  // EKNI_NONE; EBUSY_FORWARDING while the port forwards
  bool has(uint16_t port) const;
  std::vector<KniInfo> list() const;
  KniInfo info(uint16_t port) const;
  void set_policy(uint16_t port, KniPolicy p, uint32_t delay_ms = 0);
  void clear_stats(uint16_t port);

  // Control thread: handles the due requests; returns ms until the next
  // delayed one is due, or -1 when none waits.
  int process_requests();

  // `show mempool`: the mbufs the KNIs hold (their rings, the TAP read
  // buffer), by name. Call under io_lock (the KNI thread moves them).
  void held_mbufs(std::vector<std::pair<std::string, const Mbuf*>>* out) const;

  // Engine hooks.
  std::unique_lock<std::mutex> io_lock();
  void set_forwarding(bool on);  // before poll threads start / after they stop
  void forget_port(uint16_t port);  // detach: the KNI goes too
  void shutdown();                  // KNI thread stopped, TAPs removed

 private:
  void run();
  bool service(KniDev& d, bool forwarding);
  void on_link(const rtnl::LinkMsg& l, bool deleted);
  // *paused: applied while forwarding, with the port's streams paused.
  void apply(KniDev& d, const KniDev::Request& r, bool* ok, bool* paused, std::string* why);
  void revert(KniDev& d, const KniDev::Request& r);
  KniDev* find(uint16_t port) const;
  void request(KniDev& d, const std::string& what, const std::string& from, const std::string& to,
               std::vector<Event>& out);
  void remove(KniDev* d);

  Engine& engine_;
  IfProxy& ifp_;
  Mempool* pool_;
  std::atomic<int> pause_{0};      // control thread waiting for io_mu_
  int hook_ = 0;
  std::mutex io_mu_;                 // KNI thread I/O vs control-path port changes
  mutable std::mutex state_mu_;      // devs_, agreed_ state, policies, pending requests
  std::vector<std::unique_ptr<KniDev>> devs_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> forwarding_{false};
  int evfd_ = -1;
};

}  // namespace rs
