// net_af_xdp: AF_XDP sockets on device queues start_queue .. start_queue+
// queue_count-1 of a kernel interface; the device's other queues stay with the
// kernel (the bifurcated-driver model, with the kernel checking every buffer
// address against the memory we registered).
//
//   port rx/tx queue i  <->  device queue start_queue+i  <->  XDP socket i
//
// This file is the port: its life cycle, diagnostics and burst path. The
// sockets and their UMEM are set up by xdp/xsk_socket.h; rxd/txd size each
// queue's rings (and its share of the UMEM).
//
// The spare tx queue (port.h), which a replay uses while forwarding sends on
// every configured tx queue: the tx side of socket nb_tx while the port has
// fewer tx queues than sockets, else a packet socket with a TPACKET tx ring
// on the same interface (tpacket_tx.h), opened at start. Copy mode sends
// through the same driver path either way (an skb per frame).
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
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include "drivers.h"
#include "drivers/tpacket_tx.h"
#include "ring_marks.h"
#include "caps_hint.h"
#include "error.h"
#include "netdev.h"
#include "xdp/bpf_prog.h"
#include "xdp/xsk_socket.h"

namespace rs {
namespace {

constexpr uint32_t kCopyBatch = 32;  // copy-mode tx sends at most this many per syscall

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
    return netdev::max_mtu_within(ifname_, std::min(Port::max_mtu(), xdp::kMaxFrameSize - xdp::kHeadroom - xdp::kL2Overhead));
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
    if (xsks_.empty()) {
      v.emplace_back("queues bound", "none yet (sockets are bound at port start): will be " + ranges(bound));
      v.emplace_back("bind mode", "not bound");
    } else {
      v.emplace_back("queues bound", ranges(bound) + " (port queue i = device queue " + std::to_string(first_) + "+i)");
      v.emplace_back("bind mode", xsks_.zero_copy() ? std::string("zero-copy")
                                             : "copy (zero-copy not supported by " + driver_name_ + ")");
      if (xsks_.bind_retries())
        v.emplace_back("bind retries", std::to_string(xsks_.bind_retries()) + " (queue still held after an earlier close: EBUSY)");
      v.emplace_back("umem", std::to_string(xsks_.frames()) + " frames of " + std::to_string(xsks_.frame_size()) +
                                 " bytes; rings per queue: " + rings_text());
    }
    if (spare_.is_open())
      v.emplace_back("spare tx queue", "a packet socket's TPACKET_V3 ring of " + std::to_string(spare_.frames()) +
                                           " frames (a replay beside forwarding sends on it)");
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
    if (xsks_.empty()) {
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
          xdp::xskmap_set(map_.get(), first_ + i, xsks_[i].fd.get());
        else
          xdp::xskmap_clear(map_.get(), first_ + i);
      }
      // The spare tx queue: socket nb_tx's tx side while the port has
      // fewer tx queues than sockets, else a packet socket of its own.
      if (nb_tx_queues() >= xsks_.size()) open_spare();
    } catch (...) {
      teardown();
      throw;
    }
  }

  void do_stop() override {
    // Traffic goes back to the kernel until the next start; sockets stay
    // bound. Never throws: stop must always succeed.
    for (uint32_t i = 0; i < xsks_.size(); i++) {
      try {
        xdp::xskmap_clear(map_.get(), first_ + i);
      } catch (const Error&) {
      }
    }
    spare_.close();
  }

  bool spare_tx_queue_supported() const override { return true; }

  // rxd/txd: the queue's ring sizes (and its rx or tx frames), powers of
  // two; the sockets are rebuilt by the next start when they change.
  void do_set_nb_desc(Dir d, uint16_t q) override {
    uint32_t n = nb_desc(d, q);
    if (n && (n < xdp::kMinRingSize || n > xdp::kMaxRingSize))
      throw Error("EINVAL_ARG", name() + ": AF_XDP " + dir_name(d) + " rings hold " + std::to_string(xdp::kMinRingSize) +
                                    ".." + std::to_string(xdp::kMaxRingSize) + " descriptors (a power of two; others "
                                    "round up): got " + std::to_string(n));
    if (!xsks_.empty() && q < xsks_.size() && ring_sizes()[q] != current_rings(q)) teardown();
  }

  void do_close() override {
    teardown();
    borrowed_.restore();
  }

  // The device's MTU too. Frames too small for it mean a new UMEM: the
  // sockets are closed now and rebuilt by the next start.
  void do_set_mtu(uint32_t mtu) override {
    if (!xsks_.empty() && xdp::frame_size_for(mtu) > xsks_.frame_size()) {
      if (started())
        throw Error("EBUSY_STARTED", "MTU " + std::to_string(mtu) + " needs larger AF_XDP frames: run 'port stop " +
                                         std::to_string(id()) + "' first");
      teardown();
    }
    if (netdev::mtu(ifname_) != mtu) netdev::set_mtu(ifname_, mtu);
    store_relaxed(spare_max_len_, std::min(spare_.max_len(), mtu + xdp::kL2Overhead));
  }

  // Rx queue q: socket q's rx ring and the fill ring feeding it; tx queue
  // q: its tx ring and completion ring. Read-only views (xsk_ring.h).
  void do_queue_info(Dir d, uint16_t q, QueueInfo* out) const override {
    if (q >= xsks_.size()) {
      out->kind = "AF_XDP (no socket: port not started)";
      return;
    }
    const xdp::Xsk& s = xsks_[q];
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
    std::string mode = xsks_.zero_copy() ? "zero-copy" : "copy mode";
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
    if (q >= xsks_.size()) return;
    const xdp::Xsk& s = xsks_[q];
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
    xdp::Xsk& s = xsks_[q];
    xdp::RxSide& r = s.r;
    uint32_t idx;
    uint32_t got = r.rx.peek(n, &idx);
    raise_mark(r.high_water, got + r.rx.cached_entries());
    if (got == 0) {
      xdp::kick_rx_if_needed(s);
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
    uint8_t* umem = xsks_.umem();
    const uint64_t frame_mask = ~uint64_t(xsks_.frame_size() - 1);
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
    xdp::kick_rx_if_needed(s);
    if (bad) {
      mbuf_free_bulk(pkts + kept, bad);
      count_rx_error(q, bad);
    }
    count_rx_bytes(q, bytes);
    return static_cast<uint16_t>(kept);
  }

  uint16_t do_tx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    if (q >= xsks_.size()) return spare_tx_burst(q, pkts, n);
    xdp::Xsk& s = xsks_[q];
    xdp::TxSide& t = s.t;
    reclaim_completions(t);
    uint32_t want = std::min<uint32_t>(n, static_cast<uint32_t>(t.free_frames.size()));
    uint32_t idx;
    uint32_t slots = t.tx.reserve(want, &idx);
    uint32_t sent = 0;
    uint8_t* umem = xsks_.umem();
    for (; sent < slots; sent++) {
      Mbuf* m = pkts[sent];
      if (m->data_len > xsks_.frame_size()) {
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
  uint16_t spare_tx_burst(uint16_t q, Mbuf** pkts, uint16_t n) {
    TpacketTx::Result r = spare_.burst(pkts, n, load_relaxed(spare_max_len_));
    if (r.kick_failed) count_tx_error(q);
    if (r.oversize) count_tx_error(q, r.oversize);
    mbuf_free_bulk(pkts, r.taken);
    return r.taken;
  }

  void kick_tx_if_needed(xdp::Xsk& s, uint32_t sent) {
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

  void reclaim_completions(xdp::TxSide& t) {
    uint32_t idx;
    uint32_t n = t.comp.peek(UINT32_MAX, &idx);  // all there are
    raise_mark(t.comp_high_water, n + t.comp.cached_entries());
    for (uint32_t i = 0; i < n; i++) t.free_frames.push_back(t.comp.at(idx + i));
    if (n) t.comp.release();
  }

  std::string kernel_drops() const {
    xdp_statistics total{};
    for (size_t i = 0; i < xsks_.size(); i++) {
      const xdp::Xsk& s = xsks_[i];
      xdp_statistics st{};
      socklen_t len = sizeof st;
      if (::getsockopt(s.fd.get(), SOL_XDP, XDP_STATISTICS, &st, &len) != 0) continue;
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

  void setup() {
    stale_note_ = xdp::remove_stale(ifindex_, ifname_);
    map_ = xdp::create_xskmap(dev_queues_);
    prog_ = xdp::load_redirect_prog(map_.get(), first_, count_);
    prog_id_ = xdp::prog_id(prog_.get());
    xdp::XskSet::Params p;
    p.port_name = name();
    p.ifname = ifname_;
    p.ifindex = ifindex_;
    p.first_queue = first_;
    p.frame_size = xdp::frame_size_for(netdev::mtu(ifname_));
    p.rings = ring_sizes();
    xsks_.open(p);
    // Attach last: until now the device ran untouched.
    attach_ = xdp::Attachment::attach(prog_.get(), ifindex_, ifname_);
  }

  // Each socket's ring sizes: rxd/txd rounded up to a power of two, or the default.
  std::vector<xdp::QueueRings> ring_sizes() const {
    auto size = [&](Dir d, uint32_t q) {
      uint32_t n = nb_desc(d, static_cast<uint16_t>(q));
      return n ? std::bit_ceil(n) : xdp::kDefaultRingSize;
    };
    std::vector<xdp::QueueRings> v(count_);
    for (uint32_t q = 0; q < count_; q++) v[q] = xdp::QueueRings{size(Dir::Rx, q), size(Dir::Tx, q)};
    return v;
  }
  xdp::QueueRings current_rings(uint32_t q) const { return xdp::QueueRings{xsks_[q].rx_ring.size, xsks_[q].tx_ring.size}; }

  // A TPACKET tx ring on the interface for the spare tx queue, in frames
  // that hold the MTU.
  void open_spare() {
    TpacketTx::Geometry g;
    if (mtu() + xdp::kL2Overhead > TpacketTx::max_len_for(g.frame_size)) g.frame_size = xdp::kMaxFrameSize;
    spare_.open(ifindex_, g, [this](const std::string& action, int err) {
      throw Error(err == EPERM || err == EACCES ? ErrorCode("EPERM_NETADMIN") : ErrorCode("EXDP_UNSUPPORTED"),
                  name() + ": spare tx queue: cannot " + action + " on '" + ifname_ + "': " + std::strerror(err));
    });
    store_relaxed(spare_max_len_, std::min(spare_.max_len(), mtu() + xdp::kL2Overhead));
  }

  // "rx 1024, tx 1024": each queue's ring sizes, once when all queues agree.
  std::string rings_text() const {
    std::vector<std::string> each;
    bool same = true;
    for (size_t i = 0; i < xsks_.size(); i++) {
      each.push_back("rx " + std::to_string(xsks_[i].rx_ring.size) + ", tx " + std::to_string(xsks_[i].tx_ring.size));
      same = same && each[i] == each[0];
    }
    if (same) return each[0];
    std::string s;
    for (size_t i = 0; i < each.size(); i++) s += (i ? "; " : "") + std::string("queue ") + std::to_string(i) + " " + each[i];
    return s;
  }

  // Detach first (no more redirects into our sockets), then sockets and
  // their rings, then the UMEM they point into, then program and map.
  void teardown() {
    spare_.close();
    attach_.detach();
    xsks_.close();
    prog_.reset();
    map_.reset();
    prog_id_ = 0;
  }

  std::string ifname_;
  netdev::BorrowedIface borrowed_;
  int ifindex_;
  uint32_t first_, count_, dev_queues_;
  std::string driver_name_;
  std::string stale_note_;
  xdp::Fd map_, prog_;
  uint32_t prog_id_ = 0;
  xdp::XskSet xsks_;
  TpacketTx spare_;  // the spare tx queue when every socket's tx side is a configured tx queue
  // The longest frame the spare sends, read by its poll thread while the
  // control thread may change the MTU: relaxed, a stale value for one burst is harmless.
  std::atomic<uint32_t> spare_max_len_{0};
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
