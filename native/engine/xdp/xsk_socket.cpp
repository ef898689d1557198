// AF_XDP socket and UMEM set-up (xsk_socket.h).
#include "xdp/xsk_socket.h"
#include <linux/if_xdp.h>
#include <sys/mman.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include "caps_hint.h"
#include "error.h"

namespace rs::xdp {
namespace {

constexpr auto kBindRetryFor = std::chrono::milliseconds(2000);

std::string errno_str(int e) { return std::strerror(e); }

}  // namespace

Mapping& Mapping::operator=(Mapping&& o) noexcept {
  std::swap(addr, o.addr);
  std::swap(len, o.len);
  return *this;
}

Mapping::~Mapping() {
  if (addr) ::munmap(addr, len);
}

void throw_perm(const std::string& what, int err) {
  throw Error("EPERM_NETADMIN", what + ": " + errno_str(err) +
                                    ": AF_XDP needs CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (or CAP_SYS_ADMIN): " + kCapsHint);
}

void XskSet::open(const Params& p) {
  close();
  p_ = p;
  frame_size_ = p.frame_size;
  bind_retries_ = 0;
  try {
    frames_ = 0;
    for (const QueueRings& q : p.rings) frames_ += uint64_t(q.rx) + q.tx;
    size_t len = frames_ * frame_size_;
    void* mem = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (mem == MAP_FAILED)
      throw Error("ENOMEM", p.port_name + ": cannot map " + std::to_string(len >> 20) + " MiB of UMEM: " + errno_str(errno));
    umem_ = Mapping(mem, len);
    for (uint32_t i = 0; i < p.rings.size(); i++) socks_.push_back(open_with_retry(i));
    uint64_t base = 0;
    for (uint32_t i = 0; i < p.rings.size(); i++) {
      prime(*socks_[i], base, p.rings[i]);
      base += (uint64_t(p.rings[i].rx) + p.rings[i].tx) * frame_size_;
    }
  } catch (...) {
    close();
    throw;
  }
}

void XskSet::close() {
  socks_.clear();
  umem_ = Mapping();
  frames_ = 0;
}

// Gives a socket its frames, from `base` on: rx ones into the fill ring, tx
// ones onto the free stack.
void XskSet::prime(Xsk& s, uint64_t base, const QueueRings& q) {
  uint32_t idx;
  uint32_t got = s.r.fill.reserve(q.rx, &idx);
  for (uint32_t k = 0; k < got; k++) s.r.fill.at(idx + k) = base + uint64_t(k) * frame_size_;
  s.r.fill.submit();
  s.t.free_frames.reserve(q.tx);
  for (uint32_t k = 0; k < q.tx; k++) s.t.free_frames.push_back(base + uint64_t(q.rx + k) * frame_size_);
  kick_rx_if_needed(s);
}

// A queue whose previous socket closed less than about a second ago is
// still busy (the kernel frees it after an RCU grace period and deferred
// work): retry with growing pauses, then give up with a clear error.
std::unique_ptr<Xsk> XskSet::open_with_retry(uint32_t i) {
  auto deadline = std::chrono::steady_clock::now() + kBindRetryFor;
  auto pause = std::chrono::milliseconds(20);
  for (;;) {
    try {
      return open_socket(i);
    } catch (const BindError& e) {
      if (e.err != EBUSY || std::chrono::steady_clock::now() >= deadline) bind_failed(i, e.err);
    }
    bind_retries_++;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(250));
  }
}

void XskSet::bind_failed(uint32_t i, int err) {
  std::string q = "device queue " + std::to_string(p_.first_queue + i) + " of '" + p_.ifname + "'";
  if (err == EBUSY)
    throw Error("EBUSY_QUEUE", "cannot bind an AF_XDP socket to " + q + ": still busy after " +
                                   std::to_string(kBindRetryFor.count() / 1000) +
                                   " s of retries: another AF_XDP socket (another ringside or program) holds it");
  if (err == EPERM) throw_perm("bind an AF_XDP socket to " + q, err);
  throw Error("EXDP_UNSUPPORTED", "cannot bind an AF_XDP socket to " + q + ": " + errno_str(err));
}

// Socket i: the first registers the UMEM; the others share it. Throws
// BindError for bind failures the caller may retry, rs::Error otherwise.
std::unique_ptr<Xsk> XskSet::open_socket(uint32_t i) {
  if (i > 0) return make_socket(i, XDP_SHARED_UMEM);  // inherits mode and wakeup flags
  try {
    auto s = make_socket(0, XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP);
    zero_copy_ = true;
    return s;
  } catch (const BindError& e) {
    if (e.err != EOPNOTSUPP) throw;
  }
  // A fresh socket for copy mode: a failed bind leaves state behind that
  // is not worth reasoning about.
  zero_copy_ = false;
  return make_socket(0, XDP_COPY | XDP_USE_NEED_WAKEUP);
}

std::unique_ptr<Xsk> XskSet::make_socket(uint32_t i, uint16_t bind_flags) {
  auto s = std::make_unique<Xsk>();
  s->dev_queue = p_.first_queue + i;
  s->fd = Fd(::socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!s->fd) {
    int e = errno;
    if (e == EPERM) throw_perm("socket(AF_XDP)", e);
    throw Error("EXDP_UNSUPPORTED", "socket(AF_XDP): " + errno_str(e) +
                                        (e == EAFNOSUPPORT ? " (kernel built without CONFIG_XDP_SOCKETS)" : ""));
  }
  int fd = s->fd.get();
  auto sockopt = [&](int opt, const void* v, socklen_t len, const char* what) {
    if (::setsockopt(fd, SOL_XDP, opt, v, len) == 0) return;
    int e = errno;
    if (e == EPERM) throw_perm(std::string("setsockopt(") + what + ")", e);
    throw Error(e == ENOMEM || e == ENOBUFS ? ErrorCode("ENOMEM") : ErrorCode("EXDP_UNSUPPORTED"),
                p_.port_name + ": setsockopt(" + what + "): " + errno_str(e) +
                    (e == ENOMEM || e == ENOBUFS ? " (locked-memory limit? see 'ulimit -l')" : ""));
  };
  if (i == 0) {
    xdp_umem_reg reg{};
    reg.addr = reinterpret_cast<uintptr_t>(umem_.addr);
    reg.len = umem_.len;
    reg.chunk_size = frame_size_;
    reg.headroom = 0;
    sockopt(XDP_UMEM_REG, &reg, sizeof reg, "XDP_UMEM_REG");
  }
  const QueueRings& q = p_.rings[i];
  sockopt(XDP_UMEM_FILL_RING, &q.rx, sizeof q.rx, "XDP_UMEM_FILL_RING");
  sockopt(XDP_UMEM_COMPLETION_RING, &q.tx, sizeof q.tx, "XDP_UMEM_COMPLETION_RING");
  sockopt(XDP_RX_RING, &q.rx, sizeof q.rx, "XDP_RX_RING");
  sockopt(XDP_TX_RING, &q.tx, sizeof q.tx, "XDP_TX_RING");

  xdp_mmap_offsets off{};
  socklen_t olen = sizeof off;
  if (::getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &olen) != 0 || olen != sizeof off)
    throw Error("EXDP_UNSUPPORTED", p_.port_name + ": getsockopt(XDP_MMAP_OFFSETS): " +
                                        (olen != sizeof off ? std::string("kernel too old (no ring flags)")
                                                            : errno_str(errno)));
  s->rx_ring = map_ring(fd, off.rx, XDP_PGOFF_RX_RING, sizeof(xdp_desc), q.rx, &s->rx_map, "rx");
  s->tx_ring = map_ring(fd, off.tx, XDP_PGOFF_TX_RING, sizeof(xdp_desc), q.tx, &s->tx_map, "tx");
  s->fill_ring = map_ring(fd, off.fr, XDP_UMEM_PGOFF_FILL_RING, sizeof(uint64_t), q.rx, &s->fill_map, "fill");
  s->comp_ring = map_ring(fd, off.cr, XDP_UMEM_PGOFF_COMPLETION_RING, sizeof(uint64_t), q.tx, &s->comp_map, "completion");
  s->r.rx = RxRing(s->rx_ring);
  s->r.fill = FillRing(s->fill_ring);
  s->t.tx = TxRing(s->tx_ring);
  s->t.comp = CompRing(s->comp_ring);

  sockaddr_xdp sa{};
  sa.sxdp_family = AF_XDP;
  sa.sxdp_flags = bind_flags;
  sa.sxdp_ifindex = static_cast<uint32_t>(p_.ifindex);
  sa.sxdp_queue_id = p_.first_queue + i;
  if (bind_flags & XDP_SHARED_UMEM) sa.sxdp_shared_umem_fd = static_cast<uint32_t>(socks_[0]->fd.get());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) throw BindError{errno};
  return s;
}

RingMap XskSet::map_ring(int fd, const xdp_ring_offset& o, off_t pgoff, size_t desc_size, uint32_t size,
                         Mapping* keep, const char* what) {
  size_t len = o.desc + size * desc_size;
  void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, pgoff);
  if (p == MAP_FAILED)
    throw Error("EXDP_UNSUPPORTED", p_.port_name + ": mmap of the " + what + " ring: " + errno_str(errno));
  *keep = Mapping(p, len);
  uint8_t* b = static_cast<uint8_t*>(p);
  RingMap m;
  m.producer = reinterpret_cast<uint32_t*>(b + o.producer);
  m.consumer = reinterpret_cast<uint32_t*>(b + o.consumer);
  m.flags = reinterpret_cast<uint32_t*>(b + o.flags);
  m.descs = b + o.desc;
  m.size = size;
  return m;
}

}  // namespace rs::xdp
