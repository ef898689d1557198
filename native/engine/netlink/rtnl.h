// rtnetlink, the parts ringside needs to follow the kernel's network
// configuration: a socket (notification groups, large receive buffer, ENOBUFS
// reported as such), dumps, and parsing of RTM_{NEW,DEL}{LINK,ADDR,ROUTE,NEIGH}
// into plain structs. No threads and no state here: netlink/ifproxy_listener.cpp runs
// the listener on top of this. Everything acts in the calling thread's
// network namespace.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include "../port.h"

namespace rs::rtnl {

enum class Kind : uint8_t { Link, Addr, Route, Neigh, Other };

struct LinkMsg {
  int index = 0;
  std::string name;
  uint32_t flags = 0;  // IFF_*
  uint32_t mtu = 0;
  bool has_mtu = false;
  MacAddr mac{};
  bool has_mac = false;
  uint8_t operstate = 0;
};

struct AddrMsg {
  int family = 0;  // AF_INET / AF_INET6
  int index = 0;
  uint8_t prefix_len = 0;
  std::string addr;  // "10.0.0.1", "2001:db8::1"
};

struct RouteMsg {
  int family = 0;
  uint8_t dst_len = 0;
  uint32_t table = 0;
  uint8_t type = 0;  // RTN_*
  uint8_t protocol = 0;
  uint32_t flags = 0;
  std::string dst;      // "" for the default route
  std::string gateway;  // "" when none
  int oif = 0;
  uint32_t priority = 0;
};

struct NeighMsg {
  int family = 0;
  int index = 0;
  uint16_t state = 0;  // NUD_*
  uint8_t flags = 0;
  std::string dst;
  MacAddr lladdr{};
  bool has_lladdr = false;
};

// One parsed message. `del` for RTM_DEL*.
struct Msg {
  Kind kind = Kind::Other;
  bool del = false;
  bool replace = false;  // NLM_F_REPLACE on RTM_NEWROUTE
  LinkMsg link;
  AddrMsg addr;
  RouteMsg route;
  NeighMsg neigh;
};

// Parses one netlink message (header included); false for types we ignore
// or messages too short to be valid.
bool parse(const void* nlmsg, uint32_t len, Msg* out);

// Socket groups.
constexpr uint32_t kAllGroups = ~0u;  // link, ipv4/ipv6 addr, ipv4/ipv6 route, neigh

class Socket {
 public:
  Socket() = default;
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Opens an rtnetlink socket joined to the listener's groups (none when
  // subscribe is false: a dump socket). rcvbuf bytes are asked with
  // SO_RCVBUFFORCE (root) and then SO_RCVBUF; rcvbuf() says what was granted.
  // Throws rs::Error (ENETLINK).
  void open(bool subscribe, int rcvbuf = 0);
  void close();
  int fd() const { return fd_; }
  int rcvbuf() const;
  uint64_t inode() const;  // for /proc/net/netlink's Drops column

  // Dumps one table (RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH)
  // for `family`, calling fn on each message. Retries (up to 3 times) when
  // the kernel flags the dump as interrupted (NLM_F_DUMP_INTR). Throws on
  // errors.
  void dump(uint16_t type, uint8_t family, const std::function<void(const Msg&)>& fn);

  // Non-blocking receive of whatever is queued: calls fn for each parsed
  // message. Returns the number of datagrams read (0: nothing queued), or
  // -ENOBUFS when the kernel dropped notifications (the caller resyncs).
  int receive(const std::function<void(const Msg&)>& fn, int max_datagrams = 64);

 private:
  int fd_ = -1;
  uint32_t seq_ = 1;
  std::vector<char> buf_;
};

// Notifications the kernel dropped for the socket with this inode (the Drops
// column of /proc/net/netlink, in the caller's namespace); -1 if unknown.
int64_t socket_drops(uint64_t inode);

// Address formatting.
std::string ntop(int family, const void* addr);

}  // namespace rs::rtnl
