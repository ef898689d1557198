// net_af_xdp: AF_XDP sockets on device queues start_queue .. start_queue+
// queue_count-1 of a kernel interface; the device's other queues stay with the
// kernel (the bifurcated-driver model, with the kernel checking every buffer
// address against the memory we registered).
//
//   port rx/tx queue i  <->  device queue start_queue+i  <->  XDP socket i
//
// One UMEM per port, split evenly between the sockets; each socket's slice is
// half rx frames (all of them always in the fill ring or the rx ring) and half
// tx frames (a free-frame stack refilled from the completion ring). Every
// socket has its own fill and completion rings because they sit on different
// device queues (XDP_SHARED_UMEM across queues requires it).
//
// Life cycle: the first start builds everything (sockets, program, map,
// attachment); stop only removes the sockets from the XSKMAP, so the
// program's XDP_PASS fallback hands traffic back to the kernel without the
// ~1 s rebind penalty a closed socket leaves behind; close tears it all down.
// Everything is owned by RAII objects, so an exception anywhere in setup
// leaves nothing attached.
//
// Packets are copied between UMEM frames and mbufs on both paths: the mbuf
// pool is not the UMEM, and the kernel may only see memory registered for it.
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <thread>
#include "drivers.h"
#include "ring_marks.h"
#include "caps_hint.h"
#include "error.h"
#include "netdev.h"
#include "xdp/bpf_prog.h"
#include "xdp/xsk_ring.h"

namespace rs {
namespace {

constexpr uint32_t kRingSize = 1024;                       // descriptors in each of the four rings
constexpr uint32_t kRxFrames = kRingSize;                  // per socket: all fit the fill ring at once
constexpr uint32_t kTxFrames = kRingSize;                  // per socket: all fit the completion ring
constexpr uint32_t kFramesPerQueue = kRxFrames + kTxFrames;
constexpr uint32_t kXdpHeadroom = 256;                     // XDP_PACKET_HEADROOM the kernel keeps in rx frames
constexpr uint32_t kMaxFrameSize = 4096;                   // one page: copy mode's limit for a UMEM frame
constexpr uint32_t kL2Overhead = 18;                       // Ethernet header and one VLAN tag beyond the MTU
constexpr uint32_t kCopyBatch = 32;                        // copy-mode tx sends at most this many per syscall
constexpr auto kBindRetryFor = std::chrono::milliseconds(2000);

std::string errno_str(int e) { return std::strerror(e); }

// UMEM frames of half a page while a full-MTU frame (plus a VLAN tag) fits
// after the kernel's rx headroom, a page otherwise.
uint32_t frame_size_for(uint32_t mtu) { return mtu + kL2Overhead + kXdpHeadroom <= 2048 ? 2048 : kMaxFrameSize; }

[[noreturn]] void throw_perm(const std::string& what, int err) {
  throw Error("EPERM_NETADMIN", what + ": " + errno_str(err) +
                                    ": AF_XDP needs CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (or CAP_SYS_ADMIN): " + kCapsHint);
}

// Effective capabilities, from capget(2) directly (no libcap).
bool has_cap(int cap) {
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2]{};
  if (::syscall(SYS_capget, &h, d) != 0) return true;  // cannot tell: let the kernel decide
  return d[cap / 32].effective & (1u << (cap % 32));
}

// "0,2-3" from a sorted list of queue ids; "none" when empty.
std::string ranges(const std::vector<uint32_t>& q) {
  if (q.empty()) return "none";
  std::string s;
  for (size_t i = 0; i < q.size();) {
    size_t j = i;
    while (j + 1 < q.size() && q[j + 1] == q[j] + 1) j++;
    s += (s.empty() ? "" : ",") + std::to_string(q[i]);
    if (j > i) s += "-" + std::to_string(q[j]);
    i = j + 1;
  }
  return s;
}

struct Ethtool {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ~Ethtool() { if (fd >= 0) ::close(fd); }
  bool call(const std::string& ifname, void* cmd) {
    if (fd < 0) return false;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    ifr.ifr_data = static_cast<char*>(cmd);
    return ::ioctl(fd, SIOCETHTOOL, &ifr) == 0;
  }
};

// Queues an XDP socket can bind to: it needs both an rx and a tx queue with
// the id. ethtool channels give the queues in use on multi-queue NICs (which
// often allocate more than they enable); rtnetlink's counts otherwise.
uint32_t device_queue_count(const std::string& ifname, const netdev::LinkFacts& f) {
  ethtool_channels ch{};
  ch.cmd = ETHTOOL_GCHANNELS;
  if (Ethtool().call(ifname, &ch)) {
    uint32_t rx = ch.rx_count + ch.combined_count, tx = ch.tx_count + ch.combined_count;
    if (rx && tx) return std::min(rx, tx);
  }
  return std::max<uint32_t>(1, std::min(f.rx_queues, f.tx_queues));
}

// "veth", "ixgbe", ...: for messages about what the device supports.
std::string driver_of(const std::string& ifname, const netdev::LinkFacts& f) {
  if (!f.kind.empty()) return f.kind;
  ethtool_drvinfo di{};
  di.cmd = ETHTOOL_GDRVINFO;
  if (Ethtool().call(ifname, &di)) return std::string(di.driver, strnlen(di.driver, sizeof di.driver));
  return "this driver";
}

// A mapping that unmaps itself.
struct Mapping {
  void* addr = nullptr;
  size_t len = 0;
  Mapping() = default;
  Mapping(void* a, size_t l) : addr(a), len(l) {}
  Mapping(Mapping&& o) noexcept : addr(o.addr), len(o.len) { o.addr = nullptr; }
  Mapping& operator=(Mapping&& o) noexcept {
    std::swap(addr, o.addr);
    std::swap(len, o.len);
    return *this;
  }
  ~Mapping() { if (addr) ::munmap(addr, len); }
  uint8_t* bytes() const { return static_cast<uint8_t*>(addr); }
};

// The poll-thread state of one socket: rx side and tx side on separate cache
// lines, because rx queue i and tx queue i may be polled by different threads.
// High-water marks (ring_marks.h): most entries the poll thread saw in each
// ring at once. rx and completion: what a peek found. fill and tx, the rings
// we produce into: what the kernel had not taken yet, which needs a fresh
// read of its consumer index, so they are sampled.
struct alignas(kCacheLine) RxSide {
  xdp::RxRing rx;
  xdp::FillRing fill;
  uint32_t polls = 0;
  std::atomic<uint32_t> high_water{0}, fill_high_water{0};
};
struct alignas(kCacheLine) TxSide {
  xdp::TxRing tx;
  xdp::CompRing comp;
  std::vector<uint64_t> free_frames;  // tx frame addresses not in flight
  uint32_t polls = 0;
  std::atomic<uint32_t> high_water{0}, comp_high_water{0};
};

// One AF_XDP socket on one device queue.
struct Xsk {
  xdp::Fd fd;
  uint32_t dev_queue = 0;
  Mapping rx_map, tx_map, fill_map, comp_map;
  xdp::RingMap rx_ring, tx_ring, fill_ring, comp_ring;  // for diagnostics (read-only)
  RxSide r;
  TxSide t;
};

// Why a socket could not be bound, for the retry/fallback logic.
struct BindError {
  int err;
};

class AfXdpPort final : public Port {
 public:
  AfXdpPort(uint16_t id, const DevArgs& args, Mempool* pool, std::string ifname, int ifindex, uint32_t first,
            uint32_t count, uint32_t dev_queues, std::string driver)
      : Port(id, args, pool), ifname_(std::move(ifname)), borrowed_(ifname_), ifindex_(ifindex), first_(first), count_(count),
        dev_queues_(dev_queues), driver_name_(std::move(driver)) {}
  ~AfXdpPort() override { teardown(); }

  std::string if_name() const override { return ifname_; }
  int if_index() const override { return ifindex_; }
  uint16_t max_rx_queues() const override { return static_cast<uint16_t>(count_); }
  uint16_t max_tx_queues() const override { return static_cast<uint16_t>(count_); }
  uint32_t max_mtu() const override {
    return netdev::max_mtu_within(ifname_, std::min(Port::max_mtu(), kMaxFrameSize - kXdpHeadroom - kL2Overhead));
  }

  std::vector<std::pair<std::string, std::string>> info() const override {
    std::vector<std::pair<std::string, std::string>> v;
    v.emplace_back("interface", ifname_);
    v.emplace_back("if_index", std::to_string(ifindex_));
    v.emplace_back("device queues", std::to_string(dev_queues_));
    std::vector<uint32_t> bound, redirected, kernel;
    for (uint32_t i = 0; i < count_; i++) bound.push_back(first_ + i);
    for (uint32_t q = 0; q < dev_queues_; q++) {
      bool red = started() && q >= first_ && q < first_ + hw_rx_queues();
      (red ? redirected : kernel).push_back(q);
    }
    if (socks_.empty()) {
      v.emplace_back("queues bound", "none yet (sockets are bound at port start): will be " + ranges(bound));
      v.emplace_back("bind mode", "not bound");
    } else {
      v.emplace_back("queues bound", ranges(bound) + " (port queue i = device queue " + std::to_string(first_) + "+i)");
      v.emplace_back("bind mode", zero_copy_ ? std::string("zero-copy")
                                             : "copy (zero-copy not supported by " + driver_name_ + ")");
      if (bind_retries_)
        v.emplace_back("bind retries", std::to_string(bind_retries_) + " (queue still held after an earlier close: EBUSY)");
      v.emplace_back("umem", std::to_string(count_ * kFramesPerQueue) + " frames of " + std::to_string(frame_size_) +
                                 " bytes, rings of " + std::to_string(kRingSize));
    }
    v.emplace_back("queues redirected", ranges(redirected));
    v.emplace_back("queues kept by the kernel", ranges(kernel));
    if (attach_.how() != xdp::AttachHow::None) {
      xdp::XdpState st{};
      try {
        st = xdp::query_xdp(ifindex_, ifname_);
      } catch (const Error&) {
      }
      v.emplace_back("xdp program", "id " + std::to_string(prog_id_) + " (" + xdp::kProgName + "), " +
                                        xdp::attach_mode_name(st.attached) + " mode, via " + attach_.describe());
      v.emplace_back("kernel drops", kernel_drops());
    }
    if (!stale_note_.empty()) v.emplace_back("stale xdp", stale_note_);
    return v;
  }

 protected:
  LinkInfo do_link() const override {
    try {
      return LinkInfo{netdev::carrier(ifname_), 0, true};
    } catch (const Error&) {
      return LinkInfo{false, 0, true};
    }
  }

  void do_start() override {
    // The MTU follows the device's when it fits the port's range.
    uint32_t kmtu = netdev::mtu(ifname_);
    if (kmtu != mtu() && kmtu >= min_mtu() && kmtu <= max_mtu()) set_mtu(kmtu);
    if (socks_.empty()) {
      try {
        setup();
      } catch (...) {
        teardown();
        throw;
      }
    }
    // Register the sockets of the port's rx queues; the others' queues fall
    // back to the kernel through the program's XDP_PASS default.
    try {
      for (uint32_t i = 0; i < count_; i++) {
        if (i < hw_rx_queues())
          xdp::xskmap_set(map_.get(), first_ + i, socks_[i]->fd.get());
        else
          xdp::xskmap_clear(map_.get(), first_ + i);
      }
    } catch (...) {
      teardown();
      throw;
    }
  }

  void do_stop() override {
    // Traffic goes back to the kernel until the next start; sockets stay
    // bound. Never throws: stop must always succeed.
    for (uint32_t i = 0; i < socks_.size(); i++) {
      try {
        xdp::xskmap_clear(map_.get(), first_ + i);
      } catch (const Error&) {
      }
    }
  }

  void do_close() override {
    teardown();
    borrowed_.restore();
  }

  // The device's MTU too. Frames too small for it mean a new UMEM: the
  // sockets are closed now and rebuilt by the next start.
  void do_set_mtu(uint32_t mtu) override {
    if (!socks_.empty() && frame_size_for(mtu) > frame_size_) {
      if (started())
        throw Error("EBUSY_STARTED", "MTU " + std::to_string(mtu) + " needs larger AF_XDP frames: run 'port stop " +
                                         std::to_string(id()) + "' first");
      teardown();
    }
    if (netdev::mtu(ifname_) != mtu) netdev::set_mtu(ifname_, mtu);
  }

  // Rx queue q: socket q's rx ring and the fill ring feeding it; tx queue
  // q: its tx ring and completion ring. Read-only views (xsk_ring.h).
  void do_queue_info(Dir d, uint16_t q, QueueInfo* out) const override {
    if (q >= socks_.size()) {
      out->kind = "AF_XDP (no socket: port not started)";
      return;
    }
    const Xsk& s = *socks_[q];
    auto state = [](const char* name, const xdp::RingMap& m, const std::atomic<uint32_t>& mark, bool sampled) {
      xdp::RingIndices ix = xdp::ring_indices(m);
      RingState st;
      st.name = name;
      st.size = m.size;
      st.producer = ix.producer;
      st.consumer = ix.consumer;
      st.occupancy = std::min(ix.producer - ix.consumer, m.size);
      st.tracks_high_water = true;
      st.high_water_sampled = sampled;
      st.high_water = std::max(st.occupancy, load_relaxed(mark));
      return st;
    };
    std::string mode = zero_copy_ ? "zero-copy" : "copy mode";
    if (d == Dir::Rx) {
      out->kind = "AF_XDP rx + fill rings (" + mode + "), device queue " + std::to_string(s.dev_queue);
      out->rings = {state("rx", s.rx_ring, s.r.high_water, false), state("fill", s.fill_ring, s.r.fill_high_water, true)};
    } else {
      out->kind = "AF_XDP tx + completion rings (" + mode + "), device queue " + std::to_string(s.dev_queue);
      out->rings = {state("tx", s.tx_ring, s.t.high_water, true), state("completion", s.comp_ring, s.t.comp_high_water, false)};
    }
  }

  // The entries between consumer and producer of each ring: UMEM address,
  // length and options of rx/tx descriptors, frame addresses of fill and
  // completion entries.
  void do_queue_ring(Dir d, uint16_t q, uint32_t max, std::vector<Descriptor>* out) const override {
    if (q >= socks_.size()) return;
    const Xsk& s = *socks_[q];
    auto dump = [&](const char* name, const xdp::RingMap& m, bool descs) {
      xdp::RingIndices ix = xdp::ring_indices(m);
      uint32_t n = std::min({ix.producer - ix.consumer, m.size, max});
      for (uint32_t i = 0; i < n; i++) {
        uint32_t idx = ix.consumer + i;
        if (descs) {
          xdp_desc dd = xdp::desc_at(m, idx);
          out->push_back({name, idx, {{"addr", hex_u64(dd.addr)}, {"len", std::to_string(dd.len)}, {"options", hex_u64(dd.options)}}});
        } else {
          out->push_back({name, idx, {{"addr", hex_u64(xdp::addr_at(m, idx))}}});
        }
      }
    };
    if (d == Dir::Rx) {
      dump("rx", s.rx_ring, true);
      dump("fill", s.fill_ring, false);
    } else {
      dump("tx", s.tx_ring, true);
      dump("completion", s.comp_ring, false);
    }
  }

  uint16_t do_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    Xsk& s = *socks_[q];
    RxSide& r = s.r;
    uint32_t idx;
    uint32_t got = r.rx.peek(n, &idx);
    raise_mark(r.high_water, got + r.rx.cached_entries());
    if (got == 0) {
      kick_rx_if_needed(s);
      return 0;
    }
    if (pool()->alloc_bulk(pkts, got) != got) {
      // Leave the packets in the ring for the next poll; the kernel drops
      // (and counts) what does not fit meanwhile.
      r.rx.cancel(got);
      count_rx_nombuf(got);
      return 0;
    }
    timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t now = uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
    uint8_t* umem = umem_.bytes();
    const uint64_t frame_mask = ~uint64_t(frame_size_ - 1);
    uint32_t fidx;
    // Every rx frame is ours and the fill ring holds them all, so it always
    // has room for the ones we give back.
    uint32_t room = r.fill.reserve(got, &fidx);
    uint64_t bytes = 0;
    uint32_t kept = 0, bad = 0;
    for (uint32_t i = 0; i < got; i++) {
      const xdp_desc& d = r.rx.at(idx + i);
      Mbuf* m = pkts[kept];
      if (d.len > m->tailroom()) {
        bad++;  // larger than an mbuf: counted as an rx error, not delivered
      } else {
        std::memcpy(m->data(), umem + d.addr, d.len);
        m->data_len = static_cast<uint16_t>(d.len);
        m->port = id();
        m->queue = q;
        m->timestamp = now;
        bytes += d.len;
        kept++;
      }
      if (i < room) r.fill.at(fidx + i) = d.addr & frame_mask;  // back to the frame start (room == got always)
    }
    r.rx.release();
    r.fill.submit();
    if (sample_due(r.polls)) raise_mark(r.fill_high_water, r.fill.entries());
    kick_rx_if_needed(s);
    if (bad) {
      mbuf_free_bulk(pkts + kept, bad);
      count_rx_error(q, bad);
    }
    count_rx_bytes(q, bytes);
    return static_cast<uint16_t>(kept);
  }

  uint16_t do_tx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    Xsk& s = *socks_[q];
    TxSide& t = s.t;
    reclaim_completions(t);
    uint32_t want = std::min<uint32_t>(n, static_cast<uint32_t>(t.free_frames.size()));
    uint32_t idx;
    uint32_t slots = t.tx.reserve(want, &idx);
    uint32_t sent = 0;
    uint8_t* umem = umem_.bytes();
    for (; sent < slots; sent++) {
      Mbuf* m = pkts[sent];
      if (m->data_len > frame_size_) {
        // Cannot go in one frame: the burst ends here and the caller drops it.
        if (sent == 0) count_tx_error(q);
        break;
      }
      uint64_t addr = t.free_frames.back();
      t.free_frames.pop_back();
      std::memcpy(umem + addr, m->data(), m->data_len);
      xdp_desc& d = t.tx.at(idx + sent);
      d.addr = addr;
      d.len = m->data_len;
      d.options = 0;
    }
    if (sent < slots) t.tx.unreserve(slots - sent);
    if (sent) {
      t.tx.submit();
      if (sample_due(t.polls)) raise_mark(t.high_water, t.tx.entries());
    }
    // Kick even when nothing new went in: descriptors left from an earlier
    // burst (copy mode sends kCopyBatch per call) still need sending, and
    // their completions are what frees frames for us.
    kick_tx_if_needed(s, sent);
    if (sent) mbuf_free_bulk(pkts, sent);
    return static_cast<uint16_t>(sent);
  }

 private:
  void kick_rx_if_needed(Xsk& s) {
    // Only drivers that sleep set the fill ring's flag (never in copy
    // mode); a zero-length recvfrom makes them look at the fill ring again.
    if (s.r.fill.needs_wakeup()) ::recvfrom(s.fd.get(), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
  }

  void kick_tx_if_needed(Xsk& s, uint32_t sent) {
    if (!s.t.tx.needs_wakeup()) return;
    // Copy mode transmits at most kCopyBatch descriptors per sendto and
    // answers EAGAIN while more are left: repeat for this burst's share
    // only, so one poll never spins here.
    uint32_t calls = sent / kCopyBatch + 1;
    for (uint32_t i = 0; i < calls; i++) {
      if (::sendto(s.fd.get(), nullptr, 0, MSG_DONTWAIT, nullptr, 0) >= 0) break;
      // EAGAIN: more to send. ENOBUFS / EBUSY / ENETDOWN: the descriptors
      // stay in the ring and go with a later kick.
      if (errno != EAGAIN) break;
    }
  }

  void reclaim_completions(TxSide& t) {
    uint32_t idx;
    uint32_t n = t.comp.peek(kTxFrames, &idx);
    raise_mark(t.comp_high_water, n + t.comp.cached_entries());
    for (uint32_t i = 0; i < n; i++) t.free_frames.push_back(t.comp.at(idx + i));
    if (n) t.comp.release();
  }

  std::string kernel_drops() const {
    xdp_statistics total{};
    for (const auto& s : socks_) {
      xdp_statistics st{};
      socklen_t len = sizeof st;
      if (::getsockopt(s->fd.get(), SOL_XDP, XDP_STATISTICS, &st, &len) != 0) continue;
      total.rx_dropped += st.rx_dropped;
      total.rx_ring_full += st.rx_ring_full;
      total.rx_fill_ring_empty_descs += st.rx_fill_ring_empty_descs;
      total.rx_invalid_descs += st.rx_invalid_descs;
      total.tx_invalid_descs += st.tx_invalid_descs;
    }
    return "rx ring full " + std::to_string(total.rx_ring_full) + ", fill ring empty " +
           std::to_string(total.rx_fill_ring_empty_descs) + ", other rx " + std::to_string(total.rx_dropped) +
           ", invalid rx/tx descriptors " + std::to_string(total.rx_invalid_descs) + "/" +
           std::to_string(total.tx_invalid_descs);
  }

  // ------------------------------------------------------------ setup

  void setup() {
    bind_retries_ = 0;
    frame_size_ = frame_size_for(netdev::mtu(ifname_));
    stale_note_ = xdp::remove_stale(ifindex_, ifname_);

    map_ = xdp::create_xskmap(dev_queues_);
    prog_ = xdp::load_redirect_prog(map_.get(), first_, count_);
    prog_id_ = xdp::prog_id(prog_.get());

    size_t len = size_t(count_) * kFramesPerQueue * frame_size_;
    void* mem = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (mem == MAP_FAILED)
      throw Error("ENOMEM", name() + ": cannot map " + std::to_string(len >> 20) + " MiB of UMEM: " + errno_str(errno));
    umem_ = Mapping(mem, len);

    for (uint32_t i = 0; i < count_; i++) socks_.push_back(open_with_retry(i));
    for (uint32_t i = 0; i < count_; i++) prime(*socks_[i], i);

    // Attach last: until now the device ran untouched.
    attach_ = xdp::Attachment::attach(prog_.get(), ifindex_, ifname_);
  }

  // Gives socket i its frames: rx ones into the fill ring, tx ones onto the
  // free stack.
  void prime(Xsk& s, uint32_t i) {
    uint64_t base = uint64_t(i) * kFramesPerQueue * frame_size_;
    uint32_t idx;
    uint32_t got = s.r.fill.reserve(kRxFrames, &idx);
    for (uint32_t k = 0; k < got; k++) s.r.fill.at(idx + k) = base + uint64_t(k) * frame_size_;
    s.r.fill.submit();
    s.t.free_frames.reserve(kTxFrames);
    for (uint32_t k = 0; k < kTxFrames; k++) s.t.free_frames.push_back(base + uint64_t(kRxFrames + k) * frame_size_);
    kick_rx_if_needed(s);
  }

  // A queue whose previous socket closed less than about a second ago is
  // still busy (the kernel frees it after an RCU grace period and deferred
  // work): retry with growing pauses, then give up with a clear error.
  std::unique_ptr<Xsk> open_with_retry(uint32_t i) {
    auto deadline = std::chrono::steady_clock::now() + kBindRetryFor;
    auto pause = std::chrono::milliseconds(20);
    for (;;) {
      try {
        return open_socket(i);
      } catch (const BindError& e) {
        if (e.err != EBUSY || std::chrono::steady_clock::now() >= deadline)
          bind_failed(i, e.err);
      }
      bind_retries_++;
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(250));
    }
  }

  [[noreturn]] void bind_failed(uint32_t i, int err) {
    std::string q = "device queue " + std::to_string(first_ + i) + " of '" + ifname_ + "'";
    if (err == EBUSY)
      throw Error("EBUSY_QUEUE", "cannot bind an AF_XDP socket to " + q + ": still busy after " +
                                     std::to_string(kBindRetryFor.count() / 1000) +
                                     " s of retries: another AF_XDP socket (another ringside or program) holds it");
    if (err == EPERM) throw_perm("bind an AF_XDP socket to " + q, err);
    throw Error("EXDP_UNSUPPORTED", "cannot bind an AF_XDP socket to " + q + ": " + errno_str(err));
  }

  // Socket i: the first registers the UMEM; the others share it. Throws
  // BindError for bind failures the caller may retry, rs::Error otherwise.
  std::unique_ptr<Xsk> open_socket(uint32_t i) {
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

  std::unique_ptr<Xsk> make_socket(uint32_t i, uint16_t bind_flags) {
    auto s = std::make_unique<Xsk>();
    s->dev_queue = first_ + i;
    s->fd = xdp::Fd(::socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0));
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
                  name() + ": setsockopt(" + what + "): " + errno_str(e) +
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
    uint32_t size = kRingSize;
    sockopt(XDP_UMEM_FILL_RING, &size, sizeof size, "XDP_UMEM_FILL_RING");
    sockopt(XDP_UMEM_COMPLETION_RING, &size, sizeof size, "XDP_UMEM_COMPLETION_RING");
    sockopt(XDP_RX_RING, &size, sizeof size, "XDP_RX_RING");
    sockopt(XDP_TX_RING, &size, sizeof size, "XDP_TX_RING");

    xdp_mmap_offsets off{};
    socklen_t olen = sizeof off;
    if (::getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &olen) != 0 || olen != sizeof off)
      throw Error("EXDP_UNSUPPORTED", name() + ": getsockopt(XDP_MMAP_OFFSETS): " +
                                          (olen != sizeof off ? std::string("kernel too old (no ring flags)")
                                                              : errno_str(errno)));
    xdp::RingMap rx = map_ring(fd, off.rx, XDP_PGOFF_RX_RING, sizeof(xdp_desc), &s->rx_map, "rx");
    xdp::RingMap tx = map_ring(fd, off.tx, XDP_PGOFF_TX_RING, sizeof(xdp_desc), &s->tx_map, "tx");
    xdp::RingMap fr = map_ring(fd, off.fr, XDP_UMEM_PGOFF_FILL_RING, sizeof(uint64_t), &s->fill_map, "fill");
    xdp::RingMap cr = map_ring(fd, off.cr, XDP_UMEM_PGOFF_COMPLETION_RING, sizeof(uint64_t), &s->comp_map, "completion");
    s->rx_ring = rx;
    s->tx_ring = tx;
    s->fill_ring = fr;
    s->comp_ring = cr;
    s->r.rx = xdp::RxRing(rx);
    s->r.fill = xdp::FillRing(fr);
    s->t.tx = xdp::TxRing(tx);
    s->t.comp = xdp::CompRing(cr);

    sockaddr_xdp sa{};
    sa.sxdp_family = AF_XDP;
    sa.sxdp_flags = bind_flags;
    sa.sxdp_ifindex = static_cast<uint32_t>(ifindex_);
    sa.sxdp_queue_id = first_ + i;
    if (bind_flags & XDP_SHARED_UMEM) sa.sxdp_shared_umem_fd = static_cast<uint32_t>(socks_[0]->fd.get());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) throw BindError{errno};
    return s;
  }

  xdp::RingMap map_ring(int fd, const xdp_ring_offset& o, off_t pgoff, size_t desc_size, Mapping* keep,
                        const char* what) {
    size_t len = o.desc + kRingSize * desc_size;
    void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, pgoff);
    if (p == MAP_FAILED)
      throw Error("EXDP_UNSUPPORTED", name() + ": mmap of the " + what + " ring: " + errno_str(errno));
    *keep = Mapping(p, len);
    uint8_t* b = static_cast<uint8_t*>(p);
    xdp::RingMap m;
    m.producer = reinterpret_cast<uint32_t*>(b + o.producer);
    m.consumer = reinterpret_cast<uint32_t*>(b + o.consumer);
    m.flags = reinterpret_cast<uint32_t*>(b + o.flags);
    m.descs = b + o.desc;
    m.size = kRingSize;
    return m;
  }

  // Detach first (no more redirects into our sockets), then sockets and
  // their rings, then the UMEM they point into, then program and map.
  void teardown() {
    attach_.detach();
    socks_.clear();
    umem_ = Mapping();
    prog_.reset();
    map_.reset();
    prog_id_ = 0;
  }

  std::string ifname_;
  netdev::BorrowedIface borrowed_;
  int ifindex_;
  uint32_t first_, count_, dev_queues_;
  std::string driver_name_;
  uint32_t frame_size_ = 2048;
  bool zero_copy_ = false;
  uint32_t bind_retries_ = 0;  // EBUSY retries of the last setup
  std::string stale_note_;
  xdp::Fd map_, prog_;
  uint32_t prog_id_ = 0;
  Mapping umem_;
  std::vector<std::unique_ptr<Xsk>> socks_;  // socket i on device queue first_+i
  xdp::Attachment attach_;
};

uint32_t parse_key(const DevArgs& args, const char* key, uint32_t def, uint32_t max) {
  auto it = args.kv.find(key);
  if (it == args.kv.end()) return def;
  uint64_t v;
  if (!parse_uint(it->second, max, &v))
    throw Error("EDEVARGS", args.name + ": " + key + "=" + it->second + " is not a number in 0.." + std::to_string(max));
  return static_cast<uint32_t>(v);
}

std::unique_ptr<Port> create(uint16_t id, const DevArgs& args, Mempool* pool) {
  check_devargs(args, net_af_xdp_driver());
  auto it = args.kv.find("iface");
  if (it == args.kv.end() || it->second.empty())
    throw Error("EDEVARGS", args.name + ": iface= is required: write " + args.name + ",iface=eth1");
  const std::string ifname = it->second;
  netdev::check_name(ifname, "iface");
  uint32_t first = parse_key(args, "start_queue", 0, 65535);
  uint32_t count = parse_key(args, "queue_count", 1, Port::kMaxQueues);
  if (count == 0) throw Error("EDEVARGS", args.name + ": queue_count must be 1.." + std::to_string(Port::kMaxQueues));

  int ifindex = netdev::if_index(ifname);  // ENODEV_IFACE
  netdev::LinkFacts f = netdev::facts(ifname);
  uint32_t dev_queues = device_queue_count(ifname, f);
  if (first + count > dev_queues)
    throw Error("EQUEUE_RANGE", ifname + " has " + std::to_string(dev_queues) + " queue" +
                                    (dev_queues == 1 ? "" : "s") + ": start_queue+queue_count must be <= " +
                                    std::to_string(dev_queues) + " (got start_queue=" + std::to_string(first) +
                                    ", queue_count=" + std::to_string(count) + ")");
  // Say what is missing now rather than at start, halfway through setup.
  std::string missing;
  if (!has_cap(CAP_NET_ADMIN)) missing += " CAP_NET_ADMIN";
  if (!has_cap(CAP_NET_RAW)) missing += " CAP_NET_RAW";
  if (!has_cap(CAP_BPF) && !has_cap(CAP_SYS_ADMIN)) missing += " CAP_BPF";
  if (!missing.empty())
    throw Error("EPERM_NETADMIN", args.name + ": AF_XDP on " + ifname + " needs CAP_NET_ADMIN, CAP_NET_RAW and "
                                  "CAP_BPF; missing:" + missing + ": " + kCapsHint);

  auto port = std::make_unique<AfXdpPort>(id, args, pool, ifname, ifindex, first, count, dev_queues,
                                          driver_of(ifname, f));
  if (f.has_mac) port->set_mac(f.mac);
  return port;
}

}  // namespace

const DriverInfo& net_af_xdp_driver() {
  static const DriverInfo d{"net_af_xdp",
                            "net_af_xdpN,iface=NAME[,start_queue=Q][,queue_count=N]: AF_XDP sockets on device queues "
                            "Q..Q+N-1; the other queues stay with the kernel (needs root)",
                            "iface,start_queue,queue_count", create};
  return d;
}

}  // namespace rs
