// Small helpers over a kernel network interface named by the user, shared by
// the kernel-facing drivers (net_tap, net_af_packet, net_af_xdp). Everything
// acts in the calling thread's network namespace. Control path only: each call
// opens and closes its own socket, and errors are rs::Error with a code a user
// can act on:
//   ENODEV_IFACE    no such interface in this namespace
//   EPERM_NETADMIN  the change needs CAP_NET_ADMIN
//   EMTU_RANGE      the device refused the MTU
//   EBUSY_IFACE     the device refused while up / in use
//   ENETDEV         anything else, with the system's reason
#pragma once
#include <cstdint>
#include <string>
#include "port.h"

namespace rs::netdev {

// One RTM_GETLINK answer: the facts `show port info` and the drivers need.
struct LinkFacts {
  std::string name;
  int index = 0;
  uint32_t flags = 0;  // IFF_UP, IFF_RUNNING, IFF_PROMISC, ...
  uint32_t mtu = 0;
  uint32_t min_mtu = 68;     // IFLA_MIN_MTU, or 68 when the kernel does not say
  uint32_t max_mtu = 65535;  // IFLA_MAX_MTU, or 65535 when the kernel does not say
  MacAddr mac{};
  bool has_mac = false;
  uint8_t operstate = 0;  // IF_OPER_* (RFC 2863)
  bool carrier = false;
  uint32_t promiscuity = 0;  // IFLA_PROMISCUITY: users wanting promiscuous mode (IFF_PROMISC shows only `ip`'s)
  uint32_t rx_queues = 1, tx_queues = 1;  // IFLA_NUM_RX_QUEUES / IFLA_NUM_TX_QUEUES
  std::string kind;  // IFLA_INFO_KIND: "veth", "tun", ... (empty for physical devices)
};

// Throws ENODEV_IFACE (the message says how to list interfaces).
int if_index(const std::string& name);
bool exists(const std::string& name);  // never throws
LinkFacts facts(const std::string& name);

uint32_t mtu(const std::string& name);
void set_mtu(const std::string& name, uint32_t mtu);
// `cap` lowered to the device's own maximum MTU (cap if the device cannot be
// asked): the top of a kernel-facing port's MTU range. Never throws.
uint32_t max_mtu_within(const std::string& name, uint32_t cap);
MacAddr mac(const std::string& name);
void set_mac(const std::string& name, const MacAddr& mac);
bool is_up(const std::string& name);  // IFF_UP (administrative state)
void set_up(const std::string& name, bool up);
bool carrier(const std::string& name);  // IFF_RUNNING: up and carrier on
const char* operstate_name(uint8_t operstate);  // "up", "down", "lowerlayerdown", ...

// An interface a port uses but ringside did not create (a veth, a NIC): its
// MTU and MAC as found, put back when the port closes, as tcpdump puts back
// promiscuous mode (which the drivers take per socket, so the kernel drops it
// with them). Changes made through the port (`port config mtu`, a KNI
// request, `mac_addr set`) do not outlive ringside. Never throws.
class BorrowedIface {
 public:
  explicit BorrowedIface(const std::string& name);
  ~BorrowedIface() { restore(); }
  BorrowedIface(const BorrowedIface&) = delete;
  BorrowedIface& operator=(const BorrowedIface&) = delete;
  void restore();

 private:
  std::string name_;
  uint32_t mtu_ = 0;  // 0: unknown, nothing to put back
  MacAddr mac_{};
  bool has_mac_ = false;
};

// Interface names are at most IFNAMSIZ-1 (15) bytes with no '/', ':' or
// whitespace; throws EDEVARGS naming the devargs key otherwise.
void check_name(const std::string& name, const std::string& what);

// Maps an errno from an interface operation to the codes above.
[[noreturn]] void throw_errno(int err, const std::string& name, const std::string& action);

}  // namespace rs::netdev
