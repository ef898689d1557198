// rtnetlink socket, dumps and message parsing (see rtnl.h).
#include "rtnl.h"
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include "../error.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace rs::rtnl {
namespace {

constexpr size_t kBufSize = 1 << 20;  // one recv: many notifications, or a dump chunk

[[noreturn]] void fail(const std::string& what, int err) {
  if (err == EPERM || err == EACCES)
    throw Error("EPERM_NETADMIN", what + ": " + std::strerror(err) + ": needs CAP_NET_ADMIN (run as root)");
  throw Error("ENETLINK", what + ": " + std::strerror(err));
}

template <typename T>
T get(const rtattr* a) {
  T v{};
  std::memcpy(&v, RTA_DATA(a), std::min<size_t>(sizeof v, RTA_PAYLOAD(a)));
  return v;
}

std::string addr_attr(int family, const rtattr* a) {
  size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
  if (!want || RTA_PAYLOAD(a) < want) return "";
  return ntop(family, RTA_DATA(a));
}

}  // namespace

std::string ntop(int family, const void* addr) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (!inet_ntop(family, addr, buf, sizeof buf)) return "";
  return buf;
}

bool parse(const void* p, uint32_t len, Msg* out) {
  const auto* nh = static_cast<const nlmsghdr*>(p);
  if (len < sizeof(nlmsghdr) || nh->nlmsg_len > len) return false;
  *out = Msg{};
  uint16_t t = nh->nlmsg_type;
  out->del = t == RTM_DELLINK || t == RTM_DELADDR || t == RTM_DELROUTE || t == RTM_DELNEIGH;
  out->replace = (nh->nlmsg_flags & NLM_F_REPLACE) != 0;
  switch (t) {
    case RTM_NEWLINK:
    case RTM_DELLINK: {
      if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return false;
      const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(nh));
      // AF_BRIDGE / AF_INET6 link messages describe protocol state, not the device.
      if (ifi->ifi_family != AF_UNSPEC) return false;
      out->kind = Kind::Link;
      LinkMsg& l = out->link;
      l.index = ifi->ifi_index;
      l.flags = ifi->ifi_flags;
      int alen = static_cast<int>(IFLA_PAYLOAD(nh));
      for (auto* a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        switch (a->rta_type) {
          case IFLA_IFNAME: l.name.assign(static_cast<const char*>(RTA_DATA(a)), strnlen(static_cast<const char*>(RTA_DATA(a)), RTA_PAYLOAD(a))); break;
          case IFLA_MTU: l.mtu = get<uint32_t>(a); l.has_mtu = true; break;
          case IFLA_OPERSTATE: l.operstate = get<uint8_t>(a); break;
          case IFLA_ADDRESS:
            if (RTA_PAYLOAD(a) == 6) { std::memcpy(l.mac.data(), RTA_DATA(a), 6); l.has_mac = true; }
            break;
          default: break;
        }
      }
      return true;
    }
    case RTM_NEWADDR:
    case RTM_DELADDR: {
      if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) return false;
      const auto* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(nh));
      if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) return false;
      out->kind = Kind::Addr;
      AddrMsg& m = out->addr;
      m.family = ifa->ifa_family;
      m.index = static_cast<int>(ifa->ifa_index);
      m.prefix_len = ifa->ifa_prefixlen;
      std::string address, local;
      int alen = static_cast<int>(IFA_PAYLOAD(nh));
      for (auto* a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        if (a->rta_type == IFA_ADDRESS) address = addr_attr(m.family, a);
        else if (a->rta_type == IFA_LOCAL) local = addr_attr(m.family, a);
      }
      // IPv4 point-to-point links carry the peer in IFA_ADDRESS: ours is IFA_LOCAL.
      m.addr = !local.empty() ? local : address;
      return !m.addr.empty();
    }
    case RTM_NEWROUTE:
    case RTM_DELROUTE: {
      if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg))) return false;
      const auto* rtm = static_cast<const rtmsg*>(NLMSG_DATA(nh));
      if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) return false;
      out->kind = Kind::Route;
      RouteMsg& r = out->route;
      r.family = rtm->rtm_family;
      r.dst_len = rtm->rtm_dst_len;
      r.table = rtm->rtm_table;
      r.type = rtm->rtm_type;
      r.protocol = rtm->rtm_protocol;
      r.flags = rtm->rtm_flags;
      int alen = static_cast<int>(RTM_PAYLOAD(nh));
      for (auto* a = RTM_RTA(rtm); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        switch (a->rta_type) {
          case RTA_DST: r.dst = addr_attr(r.family, a); break;
          case RTA_GATEWAY: r.gateway = addr_attr(r.family, a); break;
          case RTA_OIF: r.oif = get<int>(a); break;
          case RTA_TABLE: r.table = get<uint32_t>(a); break;
          case RTA_PRIORITY: r.priority = get<uint32_t>(a); break;
          default: break;
        }
      }
      if (r.dst.empty()) r.dst = r.family == AF_INET ? "0.0.0.0" : "::";
      return true;
    }
    case RTM_NEWNEIGH:
    case RTM_DELNEIGH: {
      if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(ndmsg))) return false;
      const auto* nd = static_cast<const ndmsg*>(NLMSG_DATA(nh));
      if (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6) return false;
      out->kind = Kind::Neigh;
      NeighMsg& n = out->neigh;
      n.family = nd->ndm_family;
      n.index = nd->ndm_ifindex;
      n.state = nd->ndm_state;
      n.flags = nd->ndm_flags;
      int alen = static_cast<int>(nh->nlmsg_len - NLMSG_LENGTH(sizeof(ndmsg)));
      for (auto* a = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(const_cast<ndmsg*>(nd)) + NLMSG_ALIGN(sizeof(ndmsg)));
           RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        if (a->rta_type == NDA_DST) n.dst = addr_attr(n.family, a);
        else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
          std::memcpy(n.lladdr.data(), RTA_DATA(a), 6);
          n.has_lladdr = true;
        }
      }
      return !n.dst.empty();
    }
    default:
      return false;
  }
}

Socket::~Socket() { close(); }

void Socket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Socket::open(bool subscribe, int rcvbuf) {
  close();
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) fail("cannot open an rtnetlink socket", errno);
  fd_ = fd;
  if (rcvbuf > 0) {
    // FORCE passes net.core.rmem_max (needs CAP_NET_ADMIN); otherwise the
    // kernel caps SO_RCVBUF at rmem_max.
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) {
    int err = errno;
    close();
    fail("cannot bind the rtnetlink socket", err);
  }
  if (subscribe) {
    const unsigned groups[] = {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
                               RTNLGRP_IPV6_ROUTE, RTNLGRP_NEIGH};
    for (unsigned g : groups) {
      if (::setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0) {
        int err = errno;
        close();
        fail("cannot join rtnetlink group " + std::to_string(g), err);
      }
    }
  }
  buf_.resize(kBufSize);
}

int Socket::rcvbuf() const {
  int v = 0;
  socklen_t l = sizeof v;
  if (fd_ < 0 || ::getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &v, &l) < 0) return 0;
  return v;
}

uint64_t Socket::inode() const {
  struct stat st{};
  if (fd_ < 0 || ::fstat(fd_, &st) < 0) return 0;
  return st.st_ino;
}

void Socket::dump(uint16_t type, uint8_t family, const std::function<void(const Msg&)>& fn) {
  for (int attempt = 0;; attempt++) {
    struct {
      nlmsghdr nh;
      rtgenmsg g;
      char pad[16];
    } req{};
    // RTM_GETROUTE/GETADDR/GETNEIGH accept rtgenmsg-sized headers for a plain dump.
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(rtgenmsg));
    if (type == RTM_GETLINK) req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
    req.nh.nlmsg_type = type;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = ++seq_;
    req.g.rtgen_family = family;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd_, &req, req.nh.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
      fail("cannot send an rtnetlink dump request", errno);
    // Dump replies are collected first and delivered after NLMSG_DONE, so an
    // interrupted dump can be thrown away and asked again.
    std::vector<Msg> got;
    bool interrupted = false, done = false;
    while (!done) {
      ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          // Non-blocking socket: wait for the kernel's next chunk.
          fd_set rd;
          FD_ZERO(&rd);
          FD_SET(fd_, &rd);
          timeval tv{5, 0};
          int r = ::select(fd_ + 1, &rd, nullptr, nullptr, &tv);
          if (r == 0) throw Error("ENETLINK", "rtnetlink dump: no answer from the kernel within 5 s");
          continue;
        }
        fail("rtnetlink dump", errno);
      }
      int len = static_cast<int>(n);
      for (auto* nh = reinterpret_cast<nlmsghdr*>(buf_.data()); NLMSG_OK(nh, static_cast<unsigned>(len));
           nh = NLMSG_NEXT(nh, len)) {
        if (nh->nlmsg_seq != seq_) continue;  // a stale answer
        if (nh->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
        if (nh->nlmsg_type == NLMSG_DONE) { done = true; break; }
        if (nh->nlmsg_type == NLMSG_ERROR) {
          auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(nh));
          if (e->error) fail("rtnetlink dump refused", -e->error);
          continue;
        }
        Msg m;
        if (parse(nh, nh->nlmsg_len, &m)) got.push_back(std::move(m));
      }
    }
    if (interrupted && attempt < 3) continue;
    for (const Msg& m : got) fn(m);
    return;
  }
}

int Socket::receive(const std::function<void(const Msg&)>& fn, int max_datagrams) {
  int count = 0;
  while (count < max_datagrams) {
    ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      if (errno == ENOBUFS) return -ENOBUFS;
      fail("rtnetlink receive", errno);
    }
    count++;
    int len = static_cast<int>(n);
    for (auto* nh = reinterpret_cast<nlmsghdr*>(buf_.data()); NLMSG_OK(nh, static_cast<unsigned>(len));
         nh = NLMSG_NEXT(nh, len)) {
      if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR || nh->nlmsg_type == NLMSG_NOOP) continue;
      Msg m;
      if (parse(nh, nh->nlmsg_len, &m)) fn(m);
    }
  }
  return count;
}

int64_t socket_drops(uint64_t inode) {
  if (!inode) return -1;
  FILE* f = std::fopen("/proc/net/netlink", "r");
  if (!f) return -1;
  char line[512];
  int64_t drops = -1;
  if (!std::fgets(line, sizeof line, f)) { std::fclose(f); return -1; }  // header
  while (std::fgets(line, sizeof line, f)) {
    char sk[64];
    int eth;
    unsigned long pid, groups, rmem, wmem, dump, locks, drp, ino;
    if (std::sscanf(line, "%63s %d %lu %lx %lu %lu %lu %lu %lu %lu", sk, &eth, &pid, &groups, &rmem, &wmem, &dump,
                    &locks, &drp, &ino) == 10 &&
        ino == inode) {
      drops = static_cast<int64_t>(drp);
      break;
    }
  }
  std::fclose(f);
  return drops;
}

}  // namespace rs::rtnl
