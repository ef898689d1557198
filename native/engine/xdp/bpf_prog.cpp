// bpf(2) and rtnetlink plumbing for the AF_XDP driver. See bpf_prog.h.
#include "bpf_prog.h"
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include "caps_hint.h"
#include "error.h"

namespace rs::xdp {
namespace {

// ENOTSUPP is kernel-internal (524) but leaks to user space from bpf(2).
constexpr int kENOTSUPP = 524;

long sys_bpf(int cmd, bpf_attr* attr) {
  return ::syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

std::string errno_text(int err) {
  if (err == kENOTSUPP) return "Operation not supported (ENOTSUPP)";
  return std::strerror(err);
}

[[noreturn]] void throw_bpf(int err, const std::string& what, const std::string& extra = "") {
  if (err == EPERM)
    throw Error("EPERM_NETADMIN", what + ": " + errno_text(err) +
                                      ": AF_XDP needs CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (or CAP_SYS_ADMIN): " + kCapsHint);
  throw Error("EXDP_UNSUPPORTED", what + ": " + errno_text(err) + extra);
}

uint64_t ptr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// One eBPF instruction (dst/src are 4-bit register numbers).
bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// ---------------------------------------------------------------- netlink

// A blocking rtnetlink request/answer on a private socket, with extended
// acks so the kernel's reason for a refusal reaches the user.
class Netlink {
 public:
  Netlink() {
    fd_.reset(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd_) return;
    int one = 1;
    // Best effort: old kernels without extended acks still answer.
    ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  }
  int fd() const { return fd_.get(); }

  // Sends req and returns the answers until the ack/error (for an ack
  // request) or the first non-ack message (for a get). Returns 0 or -errno.
  int transact(void* req, size_t len, std::vector<char>* answer, std::string* msg) {
    if (!fd_) return -errno;
    auto* h = static_cast<nlmsghdr*>(req);
    h->nlmsg_seq = ++seq_;
    sockaddr_nl to{};
    to.nl_family = AF_NETLINK;
    if (::sendto(fd_.get(), req, len, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) return -errno;
    std::vector<char> buf(64 * 1024);
    for (;;) {
      ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        return -errno;
      }
      for (auto* m = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(m, static_cast<unsigned>(n));
           m = NLMSG_NEXT(m, n)) {
        if (m->nlmsg_seq != seq_) continue;  // stale answer to an earlier request
        if (m->nlmsg_type == NLMSG_ERROR) {
          auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(m));
          if (e->error && msg && (m->nlmsg_flags & NLM_F_ACK_TLVS)) *msg = ack_message(m);
          return e->error;  // 0 = ack, else -errno
        }
        if (answer) {
          answer->assign(reinterpret_cast<char*>(m), reinterpret_cast<char*>(m) + m->nlmsg_len);
          return 0;
        }
      }
    }
  }

 private:
  // NLMSGERR_ATTR_MSG from an extended ack (the request is not echoed
  // because of NETLINK_CAP_ACK, so the TLVs follow struct nlmsgerr).
  static std::string ack_message(nlmsghdr* m) {
    size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nlmsgerr));
    while (off + sizeof(nlattr) <= m->nlmsg_len) {
      auto* a = reinterpret_cast<nlattr*>(reinterpret_cast<char*>(m) + off);
      if (a->nla_len < sizeof(nlattr) || off + a->nla_len > m->nlmsg_len) break;
      if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
        return std::string(reinterpret_cast<char*>(a) + NLA_HDRLEN, strnlen(reinterpret_cast<char*>(a) + NLA_HDRLEN, a->nla_len - NLA_HDRLEN));
      off += NLA_ALIGN(a->nla_len);
    }
    return "";
  }

  Fd fd_;
  uint32_t seq_ = 0;
};

// Appends one attribute to a message being built in buf.
void put_attr(std::vector<char>& buf, uint16_t type, const void* data, uint16_t len) {
  size_t off = NLMSG_ALIGN(buf.size());
  buf.resize(off + NLA_ALIGN(NLA_HDRLEN + len), 0);
  auto* a = reinterpret_cast<nlattr*>(buf.data() + off);
  a->nla_type = type;
  a->nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
  if (len) std::memcpy(buf.data() + off + NLA_HDRLEN, data, len);
}

std::vector<char> link_request(uint16_t type, uint16_t flags, int ifindex) {
  std::vector<char> buf(NLMSG_SPACE(sizeof(ifinfomsg)), 0);
  auto* h = reinterpret_cast<nlmsghdr*>(buf.data());
  h->nlmsg_type = type;
  h->nlmsg_flags = flags;
  auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(h));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  return buf;
}

}  // namespace

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

// ---------------------------------------------------------------- program

std::vector<bpf_insn> redirect_insns(int map_fd, uint32_t first_queue, uint32_t count) {
  const uint8_t R0 = BPF_REG_0, R1 = BPF_REG_1, R2 = BPF_REG_2, R3 = BPF_REG_3;
  const int32_t end = static_cast<int32_t>(first_queue + count);
  // Jump offsets count instructions after the jump; "pass" is insn 8.
  return {
      // 0: r2 = ctx->rx_queue_index (u32 load from struct xdp_md)
      insn(BPF_LDX | BPF_MEM | BPF_W, R2, R1, offsetof(xdp_md, rx_queue_index), 0),
      // 1-2: queues outside [first, end) stay with the kernel (unsigned compares)
      insn(BPF_JMP | BPF_JLT | BPF_K, R2, 0, 8 - 2, static_cast<int32_t>(first_queue)),
      insn(BPF_JMP | BPF_JGE | BPF_K, R2, 0, 8 - 3, end),
      // 3-4: r1 = &xskmap (ld_imm64 with the map-fd pseudo source: the
      // verifier swaps the fd for the map's address)
      insn(BPF_LD | BPF_DW | BPF_IMM, R1, BPF_PSEUDO_MAP_FD, 0, map_fd),
      insn(0, 0, 0, 0, 0),
      // 5: r3 = XDP_PASS: the action when the queue has no socket in the map
      insn(BPF_ALU64 | BPF_MOV | BPF_K, R3, 0, 0, XDP_PASS),
      // 6-7: return bpf_redirect_map(r1, r2, r3)
      insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map),
      insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
      // 8-9: pass: return XDP_PASS
      insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, XDP_PASS),
      insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
  };
}

Fd create_xskmap(uint32_t max_entries) {
  bpf_attr a{};
  a.map_type = BPF_MAP_TYPE_XSKMAP;
  a.key_size = sizeof(uint32_t);
  a.value_size = sizeof(uint32_t);
  a.max_entries = max_entries;
  std::strncpy(a.map_name, "ringside_xsks", sizeof a.map_name - 1);
  long fd = sys_bpf(BPF_MAP_CREATE, &a);
  if (fd < 0) throw_bpf(errno, "bpf(BPF_MAP_CREATE, XSKMAP of " + std::to_string(max_entries) + " entries)");
  return Fd(static_cast<int>(fd));
}

Fd load_redirect_prog(int map_fd, uint32_t first_queue, uint32_t count) {
  std::vector<bpf_insn> insns = redirect_insns(map_fd, first_queue, count);
  static const char license[] = "Dual BSD/GPL";
  auto load = [&](char* log, uint32_t log_size) {
    bpf_attr a{};
    a.prog_type = BPF_PROG_TYPE_XDP;
    a.expected_attach_type = BPF_XDP;
    a.insns = ptr(insns.data());
    a.insn_cnt = static_cast<uint32_t>(insns.size());
    a.license = ptr(license);
    std::strncpy(a.prog_name, kProgName, sizeof a.prog_name - 1);
    if (log) {
      a.log_buf = ptr(log);
      a.log_size = log_size;
      a.log_level = 1;
    }
    return sys_bpf(BPF_PROG_LOAD, &a);
  };
  long fd = load(nullptr, 0);
  if (fd >= 0) return Fd(static_cast<int>(fd));
  int err = errno;
  if (err == EPERM) throw_bpf(err, "bpf(BPF_PROG_LOAD)");
  // Load again with a log so the message says what the verifier disliked
  // (the first attempt skips the log: it costs time on every start).
  std::vector<char> log(256 * 1024, 0);
  fd = load(log.data(), static_cast<uint32_t>(log.size()));
  if (fd >= 0) return Fd(static_cast<int>(fd));  // passed the second time: keep it
  err = errno;
  std::string text(log.data(), strnlen(log.data(), log.size()));
  throw_bpf(err, "bpf(BPF_PROG_LOAD) of the XDP redirect program",
            text.empty() ? std::string() : "\nverifier log:\n" + text);
}

void xskmap_set(int map_fd, uint32_t queue, int xsk_fd) {
  uint32_t key = queue, value = static_cast<uint32_t>(xsk_fd);
  bpf_attr a{};
  a.map_fd = static_cast<uint32_t>(map_fd);
  a.key = ptr(&key);
  a.value = ptr(&value);
  a.flags = BPF_ANY;
  if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a) < 0)
    throw_bpf(errno, "bpf(BPF_MAP_UPDATE_ELEM) of the socket for device queue " + std::to_string(queue));
}

void xskmap_clear(int map_fd, uint32_t queue) {
  uint32_t key = queue;
  bpf_attr a{};
  a.map_fd = static_cast<uint32_t>(map_fd);
  a.key = ptr(&key);
  if (sys_bpf(BPF_MAP_DELETE_ELEM, &a) < 0 && errno != ENOENT)
    throw_bpf(errno, "bpf(BPF_MAP_DELETE_ELEM) for device queue " + std::to_string(queue));
}

namespace {
bool prog_info(int prog_fd, bpf_prog_info* info) {
  bpf_attr a{};
  *info = {};
  a.info.bpf_fd = static_cast<uint32_t>(prog_fd);
  a.info.info_len = sizeof(*info);
  a.info.info = ptr(info);
  return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) == 0;
}
}  // namespace

uint32_t prog_id(int prog_fd) {
  bpf_prog_info info;
  return prog_info(prog_fd, &info) ? info.id : 0;
}

std::string prog_name_by_id(uint32_t id) {
  bpf_attr a{};
  a.prog_id = id;
  long fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
  if (fd < 0) return "";
  Fd prog(static_cast<int>(fd));
  bpf_prog_info info;
  if (!prog_info(prog.get(), &info)) return "";
  return std::string(info.name, strnlen(info.name, sizeof info.name));
}

// ---------------------------------------------------------------- netlink XDP

XdpState query_xdp(int ifindex, const std::string& ifname) {
  Netlink nl;
  std::vector<char> req = link_request(RTM_GETLINK, NLM_F_REQUEST, ifindex);
  uint32_t mask = RTEXT_FILTER_SKIP_STATS;  // the answer needs no counters
  put_attr(req, IFLA_EXT_MASK, &mask, sizeof mask);
  reinterpret_cast<nlmsghdr*>(req.data())->nlmsg_len = static_cast<uint32_t>(req.size());
  std::vector<char> ans;
  std::string msg;
  int err = nl.transact(req.data(), req.size(), &ans, &msg);
  if (err) {
    if (err == -ENODEV)
      throw Error("ENODEV_IFACE", "no interface '" + ifname + "' in this network namespace: list them with 'ip link'");
    throw Error("EXDP_UNSUPPORTED", "rtnetlink RTM_GETLINK for '" + ifname + "': " + errno_text(-err));
  }
  XdpState st;
  auto* h = reinterpret_cast<nlmsghdr*>(ans.data());
  if (h->nlmsg_type != RTM_NEWLINK) return st;
  int len = static_cast<int>(h->nlmsg_len) - static_cast<int>(NLMSG_SPACE(sizeof(ifinfomsg)));
  for (auto* a = reinterpret_cast<rtattr*>(static_cast<char*>(NLMSG_DATA(h)) + NLMSG_ALIGN(sizeof(ifinfomsg)));
       RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if ((a->rta_type & NLA_TYPE_MASK) != IFLA_XDP) continue;
    int nlen = static_cast<int>(RTA_PAYLOAD(a));
    for (auto* x = static_cast<rtattr*>(RTA_DATA(a)); RTA_OK(x, nlen); x = RTA_NEXT(x, nlen)) {
      if (x->rta_type == IFLA_XDP_ATTACHED && RTA_PAYLOAD(x) >= 1) st.attached = *static_cast<uint8_t*>(RTA_DATA(x));
      if (x->rta_type == IFLA_XDP_PROG_ID && RTA_PAYLOAD(x) >= 4) std::memcpy(&st.prog_id, RTA_DATA(x), 4);
    }
  }
  return st;
}

const char* attach_mode_name(uint8_t attached) {
  switch (attached) {
    case XDP_ATTACHED_NONE: return "none";
    case XDP_ATTACHED_DRV: return "driver";
    case XDP_ATTACHED_SKB: return "generic (skb)";
    case XDP_ATTACHED_HW: return "offloaded (hw)";
    default: return "multiple";
  }
}

int netlink_set_xdp(int ifindex, int fd, uint32_t flags, std::string* msg) {
  Netlink nl;
  std::vector<char> req = link_request(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);
  // IFLA_XDP is a nest of IFLA_XDP_FD and IFLA_XDP_FLAGS.
  std::vector<char> nest;
  int32_t sfd = fd;
  put_attr(nest, IFLA_XDP_FD, &sfd, sizeof sfd);
  put_attr(nest, IFLA_XDP_FLAGS, &flags, sizeof flags);
  put_attr(req, IFLA_XDP | NLA_F_NESTED, nest.data(), static_cast<uint16_t>(nest.size()));
  reinterpret_cast<nlmsghdr*>(req.data())->nlmsg_len = static_cast<uint32_t>(req.size());
  return nl.transact(req.data(), req.size(), nullptr, msg);
}

// ---------------------------------------------------------------- attachment

Attachment& Attachment::operator=(Attachment&& o) noexcept {
  if (this != &o) {
    detach();
    how_ = o.how_;
    link_ = std::move(o.link_);
    ifindex_ = o.ifindex_;
    o.how_ = AttachHow::None;
  }
  return *this;
}

void Attachment::detach() {
  switch (how_) {
    case AttachHow::None: break;
    case AttachHow::Link: link_.reset(); break;  // closing the last link fd detaches
    case AttachHow::NetlinkDrv: netlink_set_xdp(ifindex_, -1, XDP_FLAGS_DRV_MODE); break;
    case AttachHow::NetlinkSkb: netlink_set_xdp(ifindex_, -1, XDP_FLAGS_SKB_MODE); break;
  }
  how_ = AttachHow::None;
}

std::string Attachment::describe() const {
  switch (how_) {
    case AttachHow::None: return "not attached";
    case AttachHow::Link: return "bpf_link (detaches when ringside exits, even on a crash)";
    case AttachHow::NetlinkDrv: return "netlink, driver mode (this kernel has no XDP bpf_link)";
    case AttachHow::NetlinkSkb: return "netlink, generic mode (this kernel has no XDP bpf_link)";
  }
  return "";
}

Attachment Attachment::attach(int prog_fd, int ifindex, const std::string& ifname) {
  Attachment at;
  at.ifindex_ = ifindex;
  bpf_attr a{};
  a.link_create.prog_fd = static_cast<uint32_t>(prog_fd);
  a.link_create.target_ifindex = static_cast<uint32_t>(ifindex);
  a.link_create.attach_type = BPF_XDP;
  a.link_create.flags = 0;  // the kernel picks driver mode when the device has it, else generic
  long fd = sys_bpf(BPF_LINK_CREATE, &a);
  if (fd >= 0) {
    at.link_ = Fd(static_cast<int>(fd));
    at.how_ = AttachHow::Link;
    return at;
  }
  int err = errno;
  std::string where = "attach the XDP program to '" + ifname + "'";
  if (err == EPERM) throw_bpf(err, "bpf(BPF_LINK_CREATE): " + where);
  if (err == EBUSY || err == EEXIST)
    throw Error("EXDP_BUSY", "cannot " + where + ": another XDP program is attached (see 'ip link show " + ifname +
                                 "'); remove it with 'ip link set dev " + ifname + " xdp off' if it is stale");
  // Kernels before 5.9 have no XDP links: EINVAL (unknown attach type) or
  // ENOTSUPP/EOPNOTSUPP. Anything else is a real refusal by the device.
  if (err != EINVAL && err != kENOTSUPP && err != EOPNOTSUPP)
    throw_bpf(err, "bpf(BPF_LINK_CREATE): " + where,
              err == ENOSPC || err == ERANGE ? " (veth: the peer needs no more tx queues than this side has rx "
                                               "queues, and an MTU that fits a page)"
                                             : "");
  return attach_netlink(prog_fd, ifindex, ifname, "bpf_link unsupported: " + errno_text(err));
}

Attachment Attachment::attach_netlink(int prog_fd, int ifindex, const std::string& ifname, const std::string& why) {
  Attachment at;
  at.ifindex_ = ifindex;
  std::string where = "attach the XDP program to '" + ifname + "'";
  std::string msg;
  int r = netlink_set_xdp(ifindex, prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_DRV_MODE, &msg);
  if (r == 0) {
    at.how_ = AttachHow::NetlinkDrv;
    return at;
  }
  std::string drv_msg = msg;
  msg.clear();
  r = netlink_set_xdp(ifindex, prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_SKB_MODE, &msg);
  if (r == 0) {
    at.how_ = AttachHow::NetlinkSkb;
    return at;
  }
  if (r == -EPERM) throw_bpf(EPERM, "rtnetlink IFLA_XDP: " + where);
  if (r == -EBUSY || r == -EEXIST)
    throw Error("EXDP_BUSY", "cannot " + where + ": another XDP program is attached (" + msg + ")");
  throw_bpf(-r, "rtnetlink IFLA_XDP (" + why + "): " + where,
            (drv_msg.empty() ? "" : "; driver mode: " + drv_msg) + (msg.empty() ? "" : "; generic mode: " + msg));
}

std::string remove_stale(int ifindex, const std::string& ifname) {
  XdpState st = query_xdp(ifindex, ifname);
  if (st.attached == XDP_ATTACHED_NONE || st.prog_id == 0) return "";
  std::string name = prog_name_by_id(st.prog_id);
  std::string id = std::to_string(st.prog_id);
  if (name != kProgName)
    throw Error("EXDP_BUSY", "'" + ifname + "' already has XDP program " + id +
                                 (name.empty() ? "" : " ('" + name + "')") +
                                 " attached, not one of ringside's: AF_XDP needs its own program there; remove it "
                                 "with 'ip link set dev " + ifname + " xdp off' if nothing needs it");
  uint32_t mode = st.attached == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
  std::string msg;
  int r = netlink_set_xdp(ifindex, -1, mode, &msg);
  if (r == -EBUSY)
    // Held by a bpf_link: its owner is alive (links die with their process).
    throw Error("EXDP_BUSY", "'" + ifname + "' is in use by another net_af_xdp port, in this or another running "
                                 "ringside (XDP program " + id + " held by its bpf_link; one port per interface): "
                                 "detach that port first, or give it more queues with queue_count=");
  if (r) throw_bpf(-r, "remove stale XDP program " + id + " from '" + ifname + "'", msg.empty() ? "" : " (" + msg + ")");
  return "removed stale XDP program " + id + " (" + kProgName + ", " + attach_mode_name(st.attached) +
         " mode) left attached through netlink by an earlier ringside";
}

}  // namespace rs::xdp
