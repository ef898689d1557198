// The XDP side of net_af_xdp, with no libbpf and no compiler: the program is
// a handful of raw eBPF instructions built here, and the program, its XSKMAP
// and its attachment are made with the bpf(2) system call and rtnetlink
// directly, so a fresh machine needs nothing installed.
//
// The program: packets on device queues [first, first+count) go to the XDP
// socket registered for their queue in the XSKMAP (falling back to the kernel
// stack when no socket is registered); every other queue stays with the
// kernel:
//
//   r2 = ctx->rx_queue_index
//   if r2 <  first       goto pass
//   if r2 >= first+count goto pass
//   return bpf_redirect_map(&xskmap, r2, XDP_PASS)
//   pass: return XDP_PASS
//
// Errors are rs::Error: EPERM_NETADMIN (missing CAP_BPF / CAP_NET_ADMIN),
// EXDP_UNSUPPORTED (the kernel's errno text, and the verifier log for a
// rejected program), EXDP_BUSY (another XDP program owns the interface).
#pragma once
#include <linux/bpf.h>
#include <cstdint>
#include <string>
#include <vector>

namespace rs::xdp {

// Name given to our program (at most 15 characters), so a later ringside can
// recognise one a crashed ringside left attached.
inline constexpr const char* kProgName = "ringside_xsk";

// A file descriptor that closes itself; move-only.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() { int f = fd_; fd_ = -1; return f; }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// The instructions of the redirect program; map_fd goes into the ld_imm64
// map-fd pseudo instruction. Pure: tested without privileges.
std::vector<bpf_insn> redirect_insns(int map_fd, uint32_t first_queue, uint32_t count);

// BPF_MAP_CREATE of a BPF_MAP_TYPE_XSKMAP with u32 keys (device queue ids)
// and u32 values (XDP socket fds).
Fd create_xskmap(uint32_t max_entries);
// BPF_PROG_LOAD of redirect_insns(); on rejection the message carries the
// verifier log.
Fd load_redirect_prog(int map_fd, uint32_t first_queue, uint32_t count);
// Registers / unregisters the socket of a device queue.
void xskmap_set(int map_fd, uint32_t queue, int xsk_fd);
void xskmap_clear(int map_fd, uint32_t queue);  // absent entries are fine

// The kernel's id and name of a loaded program (0 / "" if unknown).
uint32_t prog_id(int prog_fd);
std::string prog_name_by_id(uint32_t id);

// What rtnetlink says is attached to an interface (IFLA_XDP).
struct XdpState {
  uint8_t attached = 0;  // XDP_ATTACHED_NONE / DRV / SKB / HW / MULTI
  uint32_t prog_id = 0;
};
XdpState query_xdp(int ifindex, const std::string& ifname);
const char* attach_mode_name(uint8_t attached);  // "driver", "generic (skb)", ...

// How a program was attached.
enum class AttachHow : uint8_t { None, Link, NetlinkDrv, NetlinkSkb };

// An attached program. A bpf_link detaches when its fd closes, also when the
// process dies; a netlink attachment must be removed explicitly (done here on
// destruction).
class Attachment {
 public:
  Attachment() = default;
  Attachment(Attachment&& o) noexcept { *this = std::move(o); }
  Attachment& operator=(Attachment&& o) noexcept;
  ~Attachment() { detach(); }
  void detach();  // never throws; idempotent
  AttachHow how() const { return how_; }
  std::string describe() const;  // "bpf_link", "netlink (driver mode)", ...

  // BPF_LINK_CREATE (attach type BPF_XDP); only when the kernel does not
  // support XDP links, rtnetlink IFLA_XDP in driver mode, then generic mode.
  static Attachment attach(int prog_fd, int ifindex, const std::string& ifname);
  // The fallback alone (driver mode, then generic); public so tests can run
  // it on a kernel that has links. `why` says why links were not used.
  static Attachment attach_netlink(int prog_fd, int ifindex, const std::string& ifname, const std::string& why);

 private:
  AttachHow how_ = AttachHow::None;
  Fd link_;
  int ifindex_ = 0;
};

// If the interface carries a program named kProgName attached through
// netlink (left by a ringside that crashed while on the netlink fallback),
// removes it and returns a sentence saying so; returns "" when there was
// nothing stale. Throws EXDP_BUSY when another program (or a live ringside's
// bpf_link) is attached, since our attach would fail anyway.
std::string remove_stale(int ifindex, const std::string& ifname);

// rtnetlink RTM_SETLINK IFLA_XDP: attach fd (or detach with fd -1) with the
// given XDP_FLAGS_*. Returns 0 or -errno; *msg gets the kernel's extended ack
// text when there is one. Exposed for tests (to simulate a crashed ringside).
int netlink_set_xdp(int ifindex, int fd, uint32_t flags, std::string* msg = nullptr);

}  // namespace rs::xdp
