// AF_XDP socket and UMEM set-up for net_af_xdp: one UMEM per port, one
// socket per device queue, each with its four rings mapped; what the burst
// path (drivers/net_af_xdp.cpp) then drives.
//
// The UMEM is cut into one slice per socket: its rx frames (all of them
// always in the fill ring or the rx ring) then its tx frames (a free-frame
// stack refilled from the completion ring). Every socket has its own fill and
// completion rings because they sit on different device queues
// (XDP_SHARED_UMEM across queues requires it).
#pragma once
#include <sys/socket.h>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "barrier.h"
#include "xdp/bpf_prog.h"
#include "xdp/xsk_ring.h"

namespace rs::xdp {

constexpr uint32_t kDefaultRingSize = 1024;  // descriptors in each ring unless rxd/txd say
constexpr uint32_t kMinRingSize = 64;        // two bursts of 32
constexpr uint32_t kMaxRingSize = 16384;     // 32 MiB of 2 KiB frames per ring
constexpr uint32_t kHeadroom = 256;          // XDP_PACKET_HEADROOM the kernel keeps in rx frames
constexpr uint32_t kMaxFrameSize = 4096;     // one page: copy mode's limit for a UMEM frame
constexpr uint32_t kL2Overhead = 18;         // Ethernet header and one VLAN tag beyond the MTU

// UMEM frames of half a page while a full-MTU frame (plus a VLAN tag) fits
// after the kernel's rx headroom, a page otherwise.
inline uint32_t frame_size_for(uint32_t mtu) { return mtu + kL2Overhead + kHeadroom <= 2048 ? 2048 : kMaxFrameSize; }

// A mapping that unmaps itself.
struct Mapping {
  void* addr = nullptr;
  size_t len = 0;
  Mapping() = default;
  Mapping(void* a, size_t l) : addr(a), len(l) {}
  Mapping(Mapping&& o) noexcept : addr(o.addr), len(o.len) { o.addr = nullptr; }
  Mapping& operator=(Mapping&& o) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();
  uint8_t* bytes() const { return static_cast<uint8_t*>(addr); }
};

// The poll-thread state of one socket: rx side and tx side on separate cache
// lines, because rx queue i and tx queue i may be polled by different threads.
// High-water marks (ring_marks.h): most entries the poll thread saw in each
// ring at once. rx and completion: what a peek found. fill and tx, the rings
// we produce into: what the kernel had not taken yet, which needs a fresh
// read of its consumer index, so they are sampled.
struct alignas(kCacheLine) RxSide {
  RxRing rx;
  FillRing fill;
  uint32_t polls = 0;
  std::atomic<uint32_t> high_water{0}, fill_high_water{0};
};
struct alignas(kCacheLine) TxSide {
  TxRing tx;
  CompRing comp;
  std::vector<uint64_t> free_frames;  // tx frame addresses not in flight
  uint32_t polls = 0;
  std::atomic<uint32_t> high_water{0}, comp_high_water{0};
};

// One AF_XDP socket on one device queue.
struct Xsk {
  Fd fd;
  uint32_t dev_queue = 0;
  Mapping rx_map, tx_map, fill_map, comp_map;
  RingMap rx_ring, tx_ring, fill_ring, comp_ring;  // for diagnostics (read-only)
  RxSide r;
  TxSide t;
};

// Only drivers that sleep set the fill ring's flag (never in copy mode); a
// zero-length recvfrom makes them look at the fill ring again.
inline void kick_rx_if_needed(Xsk& s) {
  if (s.r.fill.needs_wakeup()) ::recvfrom(s.fd.get(), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
}

// Descriptors in one queue's rings: rx (the rx and fill rings, and the rx
// frames), tx (the tx and completion rings, and the tx frames). Powers of two.
struct QueueRings {
  uint32_t rx = kDefaultRingSize, tx = kDefaultRingSize;
  bool operator==(const QueueRings&) const = default;
};

// A port's UMEM and sockets. open() builds them all or, on an exception,
// nothing; close() (and the destructor) takes sockets down before the UMEM
// they point into.
class XskSet {
 public:
  struct Params {
    std::string port_name, ifname;  // for messages
    int ifindex = 0;
    uint32_t first_queue = 0;       // socket i binds device queue first_queue + i
    uint32_t frame_size = 2048;
    std::vector<QueueRings> rings;  // one per socket
  };
  ~XskSet() { close(); }
  void open(const Params& p);
  void close();

  bool empty() const { return socks_.empty(); }
  size_t size() const { return socks_.size(); }
  Xsk& operator[](size_t i) { return *socks_[i]; }
  const Xsk& operator[](size_t i) const { return *socks_[i]; }
  uint8_t* umem() const { return umem_.bytes(); }
  uint64_t frames() const { return frames_; }
  uint32_t frame_size() const { return frame_size_; }
  bool zero_copy() const { return zero_copy_; }
  uint32_t bind_retries() const { return bind_retries_; }  // EBUSY retries of the last open

 private:
  struct BindError {  // why a socket could not be bound, for the retry/fallback logic
    int err;
  };
  std::unique_ptr<Xsk> open_with_retry(uint32_t i);
  [[noreturn]] void bind_failed(uint32_t i, int err);
  std::unique_ptr<Xsk> open_socket(uint32_t i);
  std::unique_ptr<Xsk> make_socket(uint32_t i, uint16_t bind_flags);
  RingMap map_ring(int fd, const xdp_ring_offset& o, off_t pgoff, size_t desc_size, uint32_t size, Mapping* keep,
                   const char* what);
  void prime(Xsk& s, uint64_t base, const QueueRings& q);

  Params p_;
  Mapping umem_;
  uint64_t frames_ = 0;
  uint32_t frame_size_ = 2048;
  bool zero_copy_ = false;
  uint32_t bind_retries_ = 0;
  std::vector<std::unique_ptr<Xsk>> socks_;  // socket i on device queue first_queue + i
};

// Throws EPERM_NETADMIN naming what AF_XDP needs.
[[noreturn]] void throw_perm(const std::string& what, int err);

}  // namespace rs::xdp
