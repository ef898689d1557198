// Interface helpers: SIOC* ioctls on a datagram socket for the simple
// get/set operations, one rtnetlink RTM_GETLINK for the facts ioctls do not
// give (MTU range, queue counts, operstate, link kind). rtnetlink rather than
// /sys/class/net: sysfs shows the namespace it was mounted in, netlink the
// caller's, which is what a port in `ip netns exec` needs.
#include "netdev.h"
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>
#include "caps_hint.h"
#include "error.h"

namespace rs::netdev {
namespace {

// An fd closed on scope exit.
struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() { if (fd >= 0) ::close(fd); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

int ctl_socket() {
  // AF_INET works for every SIOC*IF* request and needs no capability to open.
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error("ENETDEV", std::string("cannot open a control socket: ") + std::strerror(errno));
  return fd;
}

ifreq make_ifreq(const std::string& name) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  return ifr;
}

// One ioctl on a fresh control socket; throws with `action` on failure.
void ioctl_or_throw(unsigned long req, ifreq& ifr, const std::string& name, const std::string& action) {
  Fd s(ctl_socket());
  if (::ioctl(s.fd, req, &ifr) < 0) throw_errno(errno, name, action);
}

}  // namespace

[[noreturn]] void throw_errno(int err, const std::string& name, const std::string& action) {
  switch (err) {
    case ENODEV:
    case ENXIO:
      throw Error("ENODEV_IFACE", "no interface '" + name + "' in this network namespace: 'ip link' lists them");
    case EPERM:
    case EACCES:
      throw Error("EPERM_NETADMIN", "cannot " + action + " on '" + name +
                                        "': needs CAP_NET_ADMIN: " + kCapsHint);
    case EBUSY:
      throw Error("EBUSY_IFACE", "cannot " + action + " on '" + name + "': the device is busy (" +
                                     std::strerror(err) + "); bring it down with 'ip link set " + name +
                                     " down' or stop what uses it");
    default:
      throw Error("ENETDEV", "cannot " + action + " on '" + name + "': " + std::strerror(err));
  }
}

void check_name(const std::string& name, const std::string& what) {
  bool ok = !name.empty() && name.size() < IFNAMSIZ && name != "." && name != "..";
  for (char c : name) ok = ok && c != '/' && c != ':' && c > ' ' && c < 127;
  if (!ok)
    throw Error("EDEVARGS", what + "=" + name + " is not an interface name: give 1 to " +
                                std::to_string(IFNAMSIZ - 1) + " characters without '/', ':' or spaces");
}

int if_index(const std::string& name) {
  ifreq ifr = make_ifreq(name);
  ioctl_or_throw(SIOCGIFINDEX, ifr, name, "look up the interface");
  return ifr.ifr_ifindex;
}

bool exists(const std::string& name) {
  try {
    return if_index(name) > 0;
  } catch (const Error&) {
    return false;
  }
}

uint32_t mtu(const std::string& name) {
  ifreq ifr = make_ifreq(name);
  ioctl_or_throw(SIOCGIFMTU, ifr, name, "read the MTU");
  return static_cast<uint32_t>(ifr.ifr_mtu);
}

void set_mtu(const std::string& name, uint32_t value) {
  ifreq ifr = make_ifreq(name);
  ifr.ifr_mtu = static_cast<int>(value);
  Fd s(ctl_socket());
  if (::ioctl(s.fd, SIOCSIFMTU, &ifr) == 0) return;
  int err = errno;
  if (err == EINVAL) {
    LinkFacts f = facts(name);
    throw Error("EMTU_RANGE", "the kernel refused MTU " + std::to_string(value) + " on '" + name + "': valid is " +
                                  std::to_string(f.min_mtu) + ".." + std::to_string(f.max_mtu));
  }
  throw_errno(err, name, "set MTU " + std::to_string(value));
}

uint32_t max_mtu_within(const std::string& name, uint32_t cap) {
  try {
    return std::min(cap, facts(name).max_mtu);
  } catch (const Error&) {
    return cap;
  }
}

MacAddr mac(const std::string& name) {
  ifreq ifr = make_ifreq(name);
  ioctl_or_throw(SIOCGIFHWADDR, ifr, name, "read the MAC address");
  MacAddr m;
  std::memcpy(m.data(), ifr.ifr_hwaddr.sa_data, 6);
  return m;
}

void set_mac(const std::string& name, const MacAddr& m) {
  ifreq ifr = make_ifreq(name);
  ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  std::memcpy(ifr.ifr_hwaddr.sa_data, m.data(), 6);
  ioctl_or_throw(SIOCSIFHWADDR, ifr, name, "set MAC " + mac_to_string(m));
}

static short get_flags(const std::string& name) {
  ifreq ifr = make_ifreq(name);
  ioctl_or_throw(SIOCGIFFLAGS, ifr, name, "read the interface flags");
  return ifr.ifr_flags;
}

bool is_up(const std::string& name) { return get_flags(name) & IFF_UP; }
bool carrier(const std::string& name) { return get_flags(name) & IFF_RUNNING; }

void set_up(const std::string& name, bool up) {
  // Read-modify-write of the flags: not atomic against another tool changing
  // them in between, which is how `ip` and ifconfig behave too.
  ifreq ifr = make_ifreq(name);
  ifr.ifr_flags = get_flags(name);
  bool now = ifr.ifr_flags & IFF_UP;
  if (now == up) return;
  ifr.ifr_flags = static_cast<short>(up ? (ifr.ifr_flags | IFF_UP) : (ifr.ifr_flags & ~IFF_UP));
  ioctl_or_throw(SIOCSIFFLAGS, ifr, name, up ? "set the link up" : "set the link down");
}

const char* operstate_name(uint8_t s) {
  static const char* names[] = {"unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"};
  return s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

LinkFacts facts(const std::string& name) {
  int index = if_index(name);
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) throw Error("ENETDEV", std::string("cannot open an rtnetlink socket: ") + std::strerror(errno));
  Fd s(fd);

  struct {
    nlmsghdr nh;
    ifinfomsg ifi;
  } req{};
  req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  req.nh.nlmsg_type = RTM_GETLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST;
  req.nh.nlmsg_seq = 1;
  req.ifi.ifi_family = AF_UNSPEC;
  req.ifi.ifi_index = index;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, &req, req.nh.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    throw_errno(errno, name, "query the link over rtnetlink");

  // One RTM_NEWLINK answer (or an error). 32 KiB holds any single link message.
  std::vector<char> buf(32768);
  ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
  if (n < 0) throw_errno(errno, name, "read the rtnetlink answer");
  LinkFacts f;
  bool max_given = false;
  f.index = index;
  f.name = name;
  for (auto* nh = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(nh, static_cast<unsigned>(n));
       nh = NLMSG_NEXT(nh, n)) {
    if (nh->nlmsg_type == NLMSG_ERROR) {
      auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(nh));
      if (e->error) throw_errno(-e->error, name, "query the link over rtnetlink");
      continue;
    }
    if (nh->nlmsg_type != RTM_NEWLINK) continue;
    auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(nh));
    f.flags = ifi->ifi_flags;
    int len = static_cast<int>(IFLA_PAYLOAD(nh));
    for (auto* a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
      auto u32 = [a] { uint32_t v; std::memcpy(&v, RTA_DATA(a), 4); return v; };
      switch (a->rta_type) {
        case IFLA_IFNAME: f.name = static_cast<const char*>(RTA_DATA(a)); break;
        case IFLA_MTU: f.mtu = u32(); break;
        case IFLA_MIN_MTU: f.min_mtu = u32(); break;
        case IFLA_MAX_MTU: if (u32()) { f.max_mtu = u32(); max_given = true; } break;  // 0: no limit given
        case IFLA_PROMISCUITY: f.promiscuity = u32(); break;
        case IFLA_NUM_TX_QUEUES: f.tx_queues = u32(); break;
        case IFLA_NUM_RX_QUEUES: f.rx_queues = u32(); break;
        case IFLA_OPERSTATE: f.operstate = *static_cast<uint8_t*>(RTA_DATA(a)); break;
        case IFLA_CARRIER: f.carrier = *static_cast<uint8_t*>(RTA_DATA(a)); break;
        case IFLA_ADDRESS:
          if (RTA_PAYLOAD(a) == 6) {
            std::memcpy(f.mac.data(), RTA_DATA(a), 6);
            f.has_mac = true;
          }
          break;
        case IFLA_LINKINFO: {
          int ilen = static_cast<int>(RTA_PAYLOAD(a));
          for (auto* i = static_cast<rtattr*>(RTA_DATA(a)); RTA_OK(i, ilen); i = RTA_NEXT(i, ilen))
            if (i->rta_type == IFLA_INFO_KIND) f.kind = static_cast<const char*>(RTA_DATA(i));
          break;
        }
        default: break;
      }
    }
  }
  if (!max_given) f.max_mtu = std::max(f.max_mtu, f.mtu);  // lo runs at 65536 and gives no maximum
  return f;
}

BorrowedIface::BorrowedIface(const std::string& name) : name_(name) {
  try {
    LinkFacts f = facts(name);
    mtu_ = f.mtu;
    mac_ = f.mac;
    has_mac_ = f.has_mac;
  } catch (const Error&) {
    // not there (yet): nothing known to put back
  }
}

void BorrowedIface::restore() {
  if (!mtu_) return;
  try {
    LinkFacts f = facts(name_);
    if (f.mtu != mtu_) set_mtu(name_, mtu_);
    if (has_mac_ && f.mac != mac_) set_mac(name_, mac_);
  } catch (const Error&) {
    // the interface is gone (or refuses): nothing left to put back
  }
}

}  // namespace rs::netdev
