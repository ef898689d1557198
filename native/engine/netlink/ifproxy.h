// IF proxy, after DPDK's RFC: kernel-visible interfaces ("proxies") bound to
// ringside ports (one proxy may serve many ports), and a netlink listener
// thread that turns the kernel's configuration changes into the RFC's
// callbacks as Events: mac_change, mtu_change, link_change, addr_add,
// addr_del, addr6_add, addr6_del, route_add, route_del, route6_add,
// route6_del, neigh_add, neigh_del, cfg_finished (plus overflow when the
// kernel dropped notifications: ENOBUFS, then a fresh dump, diffed against
// what we knew, so nothing is silently lost).
//
// Threads: bind/unbind/listen/proxies run on the control thread; the listener
// thread owns the sockets. State (bindings and the cache of links, addresses,
// routes and neighbours) is under one mutex that is never held while events
// are pushed or link hooks run, so hooks and notify callbacks may call any
// method here.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include "events.h"
#include "rtnl.h"

namespace rs {

struct ProxyInfo {
  std::string name;
  int if_index = 0;
  int proxy_port = -1;  // the ringside port that is this interface (ifproxy create, a net_tap), else -1
  std::vector<uint16_t> ports;  // bound
  bool exists = true;           // false once the interface was deleted
  MacAddr mac{};
  uint32_t mtu = 0;
  bool up = false;              // IFF_UP
  std::string operstate;
  std::vector<std::string> addrs;  // "10.0.0.1/24", "2001:db8::1/64"
};

struct ListenerInfo {
  bool running = false, listening = false;
  int rcvbuf = 0;            // bytes the kernel granted
  uint64_t overflows = 0;    // ENOBUFS seen
  uint64_t missed = 0;       // notifications the kernel dropped (sum of /proc/net/netlink Drops deltas)
  uint64_t recovered = 0;    // changes found by re-dumps after overflows
  uint64_t messages = 0;     // netlink messages parsed
  size_t links = 0, addrs = 0, routes = 0, neighs = 0;  // cache sizes
};

class IfProxy {
 public:
  static constexpr int kDefaultRcvbuf = 32 << 20;
  using LinkHook = std::function<void(const rtnl::LinkMsg&, bool deleted)>;

  // events: the engine's queue, which captures and replays report through too.
  explicit IfProxy(EventQueue& events) : events_(events) {}
  ~IfProxy() { stop(); }
  IfProxy(const IfProxy&) = delete;
  IfProxy& operator=(const IfProxy&) = delete;

  EventQueue& events() { return events_; }

  // Binds `port` to interface `ifname` (ENODEV_IFACE if absent). proxy_port:
  // the port that is the interface, when known. A port has one proxy: binding
  // again moves it. Starts the listener (quietly: no events before listen).
  void bind(uint16_t port, const std::string& ifname, int proxy_port = -1);
  void unbind(uint16_t port);  // ENOT_BOUND
  // A proxy with no port bound yet (ifproxy create): `proxy_port` is the
  // ringside port that is the interface.
  void add_proxy(const std::string& ifname, int proxy_port);
  // Forget every binding of a port (detach) and proxies that are this port.
  void forget_port(uint16_t port);
  std::vector<ProxyInfo> proxies() const;
  int proxy_of(uint16_t port) const;  // if_index, 0 when unbound

  // Starts the listener if needed; it dumps the current configuration as
  // events, then emits cfg_finished, then follows changes. rcvbuf 0: default.
  void listen(int rcvbuf = 0);
  void close_listen();  // no more events (the listener keeps running for KNI)
  // Diagnostics: the listener thread stops reading for ms, as a slow
  // application would (so a burst overflows the socket: ENOBUFS handling).
  void stall(uint32_t ms);
  // The listener without events (bind and KNI need the cache / link changes).
  void start(int rcvbuf = 0);
  void stop();
  ListenerInfo listener() const;

  // Link changes, for KNI requests: called on the listener thread (and on the
  // control thread during start's first dump) with no lock held.
  int add_link_hook(LinkHook h);
  void remove_link_hook(int id);

  // Name of an interface by index from the cache ("" unknown).
  std::string if_name(int index) const;

 private:
  struct Link {
    std::string name;
    uint32_t mtu = 0, flags = 0;
    MacAddr mac{};
    bool has_mac = false;
    uint8_t operstate = 0;
  };
  struct Proxy {
    std::string name;
    int proxy_port = -1;
    std::set<uint16_t> ports;
    bool exists = true;
  };
  struct Cache {
    std::map<int, Link> links;
    std::map<std::string, std::pair<int, int>> addrs;  // "family|index|addr/len" -> (family, index)
    std::map<std::string, std::string> routes;         // key -> value (gw/oif/type)
    std::map<std::string, MacAddr> neighs;             // "family|index|dst" -> lladdr
  };

  void run();
  void resync(bool emit_all, uint64_t* changes);
  void handle(const rtnl::Msg& m, std::vector<Event>& out, std::vector<rtnl::LinkMsg>& links, std::vector<int>& gone);
  void call_link_hooks(const std::vector<rtnl::LinkMsg>& links, const std::vector<int>& gone);
  void overflow();
  void wake(uint64_t what);

  // Under mu_: events for one change.
  Event make(const char* name, int index) const;
  static bool link_state_changed(const Link& before, const Link& now);
  void link_events(int index, const Link* before, const Link& now, std::vector<Event>& out) const;
  void addr_event(bool add, int family, int index, const std::string& addr_len, std::vector<Event>& out) const;
  void route_event(bool add, const std::string& key, const std::string& value, std::vector<Event>& out) const;
  void neigh_event(bool add, const std::string& key, const MacAddr& ll, std::vector<Event>& out) const;

  EventQueue& events_;
  mutable std::mutex mu_;
  std::map<int, Proxy> proxies_;        // by if_index
  std::map<uint16_t, int> port_proxy_;  // port -> if_index
  Cache cache_;
  bool emitting_ = false;  // listening: events go out

  std::mutex hooks_mu_;
  std::map<int, LinkHook> hooks_;
  int next_hook_ = 1;

  std::thread thread_;
  int evfd_ = -1;
  rtnl::Socket sock_;
  std::atomic<uint64_t> requests_{0};  // bits: 1 listen, 2 stop, 4 unlisten, 8 stall
  std::atomic<uint32_t> stall_ms_{0};
  std::atomic<bool> running_{false};
  int rcvbuf_ = 0;
  uint64_t inode_ = 0;
  int64_t drops_seen_ = 0;
  std::atomic<uint64_t> overflows_{0}, missed_{0}, recovered_{0}, messages_{0};
};

}  // namespace rs
