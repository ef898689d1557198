// net_memif, after DPDK's: a port whose packets go through rings shared with
// another process (dpdk-testpmd, VPP, any libmemif application, another
// ringside) by the memif protocol. The control plane (memif/service.h) runs
// on its own thread; this file is the port and the copy-mode data path.
//
// Rings: the client produces C2S (its tx) and is fed by S2C (its rx); the
// server the other way round. The client always writes a ring's head, the
// server its tail. Every descriptor the peer can write is checked against
// its region before a byte is copied, and read once (copied out) so the peer
// cannot change it between check and use.
#include <linux/membarrier.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cstring>
#include <mutex>
#include "drivers.h"
#include "error.h"
#include "memif/service.h"
#include "netlink/events.h"

namespace rs {
namespace {

using memif::Desc;
using memif::RingRef;
using memif::Role;

constexpr uint8_t kDefaultLog2Ring = 10;
constexpr uint32_t kDefaultBufferSize = 2048;
constexpr const char* kDefaultSocket = "/run/memif.sock";

// A packet's bytes into or out of the region. Frames of 32 to 64 bytes, the
// bulk of a small-packet loop, as two overlapping 32-byte moves the compiler
// inlines (exactly len bytes: no read past a buffer at a region's end);
// others through memcpy, whose call and size dispatch would cost as much as
// such a copy.
inline void copy_packet(uint8_t* dst, const uint8_t* src, uint32_t len) {
  if (len >= 32 && len <= 64) {
    std::memcpy(dst, src, 32);
    std::memcpy(dst + len - 32, src + len - 32, 32);
  } else {
    std::memcpy(dst, src, len);
  }
}

// The session as the poll threads see it: which ring each queue uses.
struct Live {
  std::unique_ptr<memif::Session> session;
  RingRef* rx[Port::kMaxQueues] = {};
  RingRef* tx[Port::kMaxQueues] = {};
};

// A poll thread's claim on the session while it runs a burst; the service
// thread withdraws a session and then waits for every claim to end.
struct alignas(kCacheLine) Claim {
  std::atomic<uint32_t> busy{0};
};

// The claim is a Dekker handshake (our store of busy, then our load of the
// session pointer, against the service thread's exchange of the pointer,
// then its loads of busy), which needs a full fence on both sides. A fence
// per burst drains the store buffer full of descriptor writes to lines the
// peer owns: a tenth of a poll thread's time. With membarrier(2) the service
// thread, which disconnects rarely, makes every thread of ours fence
// instead, and a poll thread needs only a compiler barrier (the asymmetric
// fence of liburcu's and folly's). Registered once per process; without it
// (an old kernel, a seccomp filter) poll threads fence themselves.
bool asymmetric_fence_registered() {
  static const bool ok = syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
  return ok;
}

inline void light_fence(bool asymmetric) {
  if (asymmetric) std::atomic_signal_fence(std::memory_order_seq_cst);
  else std::atomic_thread_fence(std::memory_order_seq_cst);
}

// After this returns, every thread of ours has passed a full fence.
inline void heavy_fence(bool asymmetric) {
  if (!asymmetric || syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
    std::atomic_thread_fence(std::memory_order_seq_cst);
}

class MemifPort final : public Port, public memif::Interface {
 public:
  MemifPort(uint16_t id, const DevArgs& args, Mempool* pool)
      : Port(id, args, pool), asymmetric_(asymmetric_fence_registered()) {}
  ~MemifPort() override { do_stop(); }

  // The peer (testpmd, VPP, another ringside) polls and hands over a burst
  // every few microseconds while traffic flows: a nap would stall the loop.
  bool fed_by_polling_peer() const override { return true; }

  std::vector<std::pair<std::string, std::string>> info() const override {
    std::lock_guard<std::mutex> g(status_mu_);
    std::vector<std::pair<std::string, std::string>> v{
        {"memif role", memif::role_name(cfg.role)},
        {"memif socket", (abstract ? "@" : "") + socket_path + (abstract ? " (abstract)" : "")},
        {"memif id", std::to_string(cfg.id)},
        {"memif state", state_},
    };
    if (connected_) {
      v.push_back({"memif peer", "'" + peer_.app_name + "' interface '" + peer_.if_name + "', memif " +
                                     std::to_string(peer_.version >> 8) + "." + std::to_string(peer_.version & 0xff) +
                                     ", role " + memif::role_name(cfg.role == Role::Server ? Role::Client : Role::Server)});
      v.push_back({"memif regions", regions_});
      v.push_back({"memif rings", rings_});
    }
    v.push_back({"memif buffer size", std::to_string(cfg.buffer_size) + " bytes (bsize), ring 2^" +
                                          std::to_string(cfg.log2_ring) + " (rsize), copy mode"});
    v.push_back({"memif connects", std::to_string(connects_) + ", disconnects " + std::to_string(disconnects_)});
    if (!last_reason_.empty()) v.push_back({"memif last disconnect", last_reason_});
    return v;
  }

  // ---- memif::Interface (service thread, service lock held)

  void on_connected(std::unique_ptr<memif::Session> s, const memif::PeerInfo& peer) override {
    auto live = std::make_unique<Live>();
    bool client = cfg.role == Role::Client;
    auto& rx_rings = client ? s->s2c : s->c2s;
    auto& tx_rings = client ? s->c2s : s->s2c;
    for (uint16_t q = 0; q < kMaxQueues; q++) {
      if (q < rx_rings.size()) live->rx[q] = rx_rings[q].get();
      if (q < tx_rings.size()) live->tx[q] = tx_rings[q].get();
    }
    std::string regions, rings;
    for (size_t i = 0; i < s->regions.size(); i++)
      regions += (i ? ", " : "") + std::to_string(i) + ": " + std::to_string(s->regions[i].size) + " bytes";
    auto geometry = [](const char* name, const std::vector<std::unique_ptr<RingRef>>& v) {
      std::string out = std::to_string(v.size()) + " " + name;
      if (!v.empty() && v[0]) out += " x 2^" + std::to_string(v[0]->log2) + " descriptors";
      return out;
    };
    rings = geometry("c2s", s->c2s) + ", " + geometry("s2c", s->s2c);
    live->session = std::move(s);
    fault_ready_.store(false, std::memory_order_relaxed);
    fault_claimed_.store(false, std::memory_order_relaxed);
    // release: the rings' reset and the Live are complete before a poll
    // thread can load the pointer (acquire side in claim()).
    live_.store(live.release(), std::memory_order_seq_cst);
    {
      std::lock_guard<std::mutex> g(status_mu_);
      connected_ = true;
      peer_ = peer;
      regions_ = regions;
      rings_ = rings;
      state_ = "connected (link up)";
      connects_++;
    }
    event("up", "memif port " + std::to_string(id()) + " (" + name() + ") connected to '" + peer.app_name +
                    "' interface '" + peer.if_name + "': link up (" + rings + ")",
          false);
  }

  void on_disconnected(const std::string& why) override {
    Live* old = live_.exchange(nullptr, std::memory_order_seq_cst);
    if (old) {
      // The exchange and this fence pair with claim()'s: a poll thread
      // either saw the null pointer or has its busy flag visible here, so
      // once every flag reads 0 none of them can touch the old session again.
      heavy_fence(asymmetric_);
      for (uint16_t q = 0; q < kMaxQueues; q++) {
        while (rx_claim_[q].busy.load(std::memory_order_seq_cst)) cpu_relax();
        while (tx_claim_[q].busy.load(std::memory_order_seq_cst)) cpu_relax();
      }
      while (diag_claim_.busy.load(std::memory_order_seq_cst)) cpu_relax();
      delete old;
    }
    bool repeated;
    {
      std::lock_guard<std::mutex> g(status_mu_);
      repeated = !old && why == last_reason_;  // a client retrying every second says it once
      if (old) disconnects_++;
      connected_ = false;
      state_ = started_ ? "not connected (link down): " + why : "stopped";
      last_reason_ = why;
    }
    if (!started_ || repeated) return;
    std::string who = "memif port " + std::to_string(id()) + " (" + name() + ")";
    if (old) event("down", who + " disconnected: " + why + "; link down, counters kept", true);
    else event("refused", who + " could not connect: " + why, true);
  }

  std::string take_fault() override {
    if (!fault_ready_.load(std::memory_order_acquire)) return "";
    return fault_text_;
  }

  void report(const std::string& line, bool is_error) override {
    {
      std::lock_guard<std::mutex> g(status_mu_);
      if (!connected_) state_ = line;
    }
    event("info", "memif port " + std::to_string(id()) + " (" + name() + "): " + line, is_error);
  }

  void do_queue_info(Dir d, uint16_t q, QueueInfo* out) const override {
    bool c2s = (d == Dir::Tx) == (cfg.role == Role::Client);
    out->kind = std::string("memif ") + (c2s ? "C2S (client -> server)" : "S2C (server -> client)") + " ring, copy mode";
    with_ring(d, q, [&](const Live&, const RingRef& r) { out->rings.push_back(ring_state(r, c2s)); });
  }

  void do_queue_ring(Dir d, uint16_t q, uint32_t max, std::vector<Descriptor>* out) const override {
    bool c2s = (d == Dir::Tx) == (cfg.role == Role::Client);
    with_ring(d, q, [&](const Live& live, const RingRef& r) {
      // The descriptors between tail and head: filled and not yet consumed
      // (C2S), or buffers handed to the server and not yet filled (S2C).
      uint16_t head = __atomic_load_n(&r.hdr->head, __ATOMIC_ACQUIRE);
      uint16_t tail = __atomic_load_n(&r.hdr->tail, __ATOMIC_ACQUIRE);
      uint16_t n = static_cast<uint16_t>(head - tail);
      if (n > r.size) n = r.size;
      for (uint32_t i = 0; i < n && i < max; i++) {
        uint16_t slot = static_cast<uint16_t>(tail + i);
        Desc dsc;
        std::memcpy(&dsc, &r.desc[slot & r.mask], sizeof dsc);
        const uint8_t* buf = live.session->buffer(dsc.region, dsc.offset, dsc.length);
        uint32_t shown = buf ? (dsc.length < 16 ? dsc.length : 16) : 0;
        out->push_back(Descriptor{c2s ? "c2s" : "s2c", slot,
                                  {{"region", std::to_string(dsc.region)},
                                   {"offset", hex_u64(dsc.offset)},
                                   {"length", std::to_string(dsc.length)},
                                   {"flags", dsc.flags & memif::kDescNext ? "next" : "-"},
                                   {"data", buf ? hex_bytes(buf, shown) : "(outside its region)"}}});
      }
    });
  }

 protected:
  void do_configure(uint16_t nb_rx, uint16_t nb_tx) override {
    bool client = cfg.role == Role::Client;
    cfg.c2s = client ? nb_tx : nb_rx;
    cfg.s2c = client ? nb_rx : nb_tx;
  }

  void do_start() override {
    started_ = true;
    {
      std::lock_guard<std::mutex> g(status_mu_);
      state_ = cfg.role == Role::Server ? "listening, no client yet (link down)" : "connecting (link down)";
    }
    try {
      memif::add_interface(this);
    } catch (...) {
      started_ = false;
      throw;
    }
  }

  void do_stop() override {
    if (!started_) return;
    started_ = false;
    memif::remove_interface(this, "Device stopped");
    std::lock_guard<std::mutex> g(status_mu_);
    state_ = "stopped";
  }

  void do_close() override { do_stop(); }

  LinkInfo do_link() const override {
    return LinkInfo{live_.load(std::memory_order_relaxed) != nullptr, 10000, true};
  }

  uint16_t do_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    Claim& c = rx_claim_[q];
    const Live* live = claim(c);
    RingRef* r = live ? live->rx[q] : nullptr;
    uint16_t got = r ? receive(*live->session, *r, q, pkts, n) : 0;
    c.busy.store(0, std::memory_order_release);  // ends the claim: our reads of the session happen before
    return got;
  }

  uint16_t do_tx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    Claim& c = tx_claim_[q];
    const Live* live = claim(c);
    RingRef* r = live ? live->tx[q] : nullptr;
    uint16_t sent = r ? transmit(*live->session, *r, q, pkts, n) : 0;
    c.busy.store(0, std::memory_order_release);
    if (sent) mbuf_free_bulk(pkts, sent);  // copied into the ring
    return sent;
  }

 private:
  bool client() const { return cfg.role == Role::Client; }

  // Store busy, fence, load the session: with on_disconnected's exchange,
  // fence and loads of busy, either we see null or it sees our flag
  // (Dekker). acquire: the Live and its rings are complete when we see it.
  const Live* claim(Claim& c) {
    if (fault_claimed_.load(std::memory_order_relaxed)) return nullptr;  // stop touching a ring that faulted
    c.busy.store(1, std::memory_order_relaxed);
    light_fence(asymmetric_);
    return live_.load(std::memory_order_acquire);
  }

  // First fault wins; the service thread reads the text once fault_ready_ is
  // set (release/acquire) and disconnects.
  void fault(const std::string& text) {
    if (fault_claimed_.exchange(true, std::memory_order_acq_rel)) return;
    fault_text_ = text;
    fault_ready_.store(true, std::memory_order_release);
  }

  void desc_fault(const char* dir, uint16_t q, uint16_t slot, const Desc& d) {
    fault(std::string("peer's descriptor ") + std::to_string(slot) + " on " + dir + " queue " + std::to_string(q) +
          " points outside its region (region " + std::to_string(d.region) + " offset " + std::to_string(d.offset) +
          " length " + std::to_string(d.length) + ")");
  }

  uint16_t receive(const memif::Session& s, RingRef& r, uint16_t q, Mbuf** pkts, uint16_t n) {
    // Server receives on C2S, where the client produces head; client on S2C,
    // where the server produces tail. acquire: the descriptors and buffers
    // the peer filled are visible once we see its index.
    uint16_t cur = r.last;
    uint16_t end = client() ? __atomic_load_n(&r.hdr->tail, __ATOMIC_ACQUIRE) : __atomic_load_n(&r.hdr->head, __ATOMIC_ACQUIRE);
    uint16_t avail = static_cast<uint16_t>(end - cur);
    if (avail > r.size) {
      fault("peer moved rx queue " + std::to_string(q) + "'s ring index " + std::to_string(avail) +
            " slots ahead, past the ring's " + std::to_string(r.size));
      return 0;
    }
    uint16_t got = 0;
    if (avail) {
      uint16_t want = avail < n ? avail : n;
      // This burst's, and the next one's when the peer has filled it: the
      // copies below then overlap its misses.
      prefetch_buffers(s, r, cur, avail < 2 * n ? avail : 2 * n, false);
      uint32_t have = pool()->alloc_bulk(pkts, want);
      if (have == 0) {
        count_rx_nombuf(want);
      } else {
        uint64_t bytes = 0;
        uint32_t room = pool()->data_room();
        while (got < have && avail) {
          Mbuf* m = pkts[got];
          m->data_len = 0;
          uint16_t slot = cur;
          uint16_t used = 0;
          bool fits = true, complete = false, bad = false;
          while (used < avail) {
            Desc d;
            std::memcpy(&d, &r.desc[slot & r.mask], sizeof d);  // read once: the peer may rewrite it
            const uint8_t* src = s.buffer(d.region, d.offset, d.length);
            if (!src) {
              desc_fault("rx", q, slot, d);
              bad = true;
              break;
            }
            if (fits && m->data_len + d.length <= room) {
              copy_packet(m->data() + m->data_len, src, d.length);
              m->data_len = static_cast<uint16_t>(m->data_len + d.length);
            } else {
              fits = false;
            }
            slot++;
            used++;
            if (!(d.flags & memif::kDescNext)) {
              complete = true;
              break;
            }
          }
          if (bad || !complete) break;  // a chain the peer has not finished: next poll
          cur = slot;
          avail = static_cast<uint16_t>(avail - used);
          if (!fits) {
            count_rx_error(q);  // longer than an mbuf: dropped, as a jumbo frame on a small pool
            continue;
          }
          m->port = id();
          m->queue = q;
          bytes += m->data_len;
          got++;
        }
        if (got < have) mbuf_free_bulk(pkts + got, have - got);
        count_rx_bytes(q, bytes);
        uint32_t depth = static_cast<uint16_t>(end - r.last);
        if (depth > r.high_water.load(std::memory_order_relaxed)) r.high_water.store(depth, std::memory_order_relaxed);
      }
    }
    bool consumed = cur != r.last;
    r.last = cur;
    if (!client()) {
      // release: our reads of the buffers are done before the client may
      // reuse them. Only when something was read: a store, even of the same
      // value, would pull the line from the client's cache on every idle poll.
      if (consumed) __atomic_store_n(&r.hdr->tail, cur, __ATOMIC_RELEASE);
    } else {
      // Hand the consumed buffers back to the server: head runs ring size
      // ahead of what we have read. We are head's only writer (relaxed load).
      uint16_t head = __atomic_load_n(&r.hdr->head, __ATOMIC_RELAXED);
      uint16_t refill = static_cast<uint16_t>(r.size - static_cast<uint16_t>(head - cur));
      if (refill) {
        for (uint16_t i = 0; i < refill; i++) {
          Desc& d = r.desc[static_cast<uint16_t>(head + i) & r.mask];
          d.length = s.buffer_size;
          d.flags = 0;
        }
        __atomic_store_n(&r.hdr->head, static_cast<uint16_t>(head + refill), __ATOMIC_RELEASE);
      }
    }
    return got;
  }

  uint16_t transmit(const memif::Session& s, RingRef& r, uint16_t q, Mbuf** pkts, uint16_t n) {
    // Client sends on C2S: it owns head, free slots end at tail + size.
    // Server sends on S2C: it owns tail, free slots are the buffers the
    // client handed over, up to head. acquire on the peer's index: its
    // release of those slots (reads done, lengths set) is visible.
    // The peer's index is read again only when the slots it freed at the
    // last reading run short: the line it sits on is written by the peer on
    // every burst, and each reading is a miss.
    uint16_t slot, free;
    if (client()) {
      slot = __atomic_load_n(&r.hdr->head, __ATOMIC_RELAXED);
      free = static_cast<uint16_t>(r.size - static_cast<uint16_t>(slot - r.peer_seen));
      if (free < n) {
        r.peer_seen = __atomic_load_n(&r.hdr->tail, __ATOMIC_ACQUIRE);
        free = static_cast<uint16_t>(r.size - static_cast<uint16_t>(slot - r.peer_seen));
      }
    } else {
      slot = __atomic_load_n(&r.hdr->tail, __ATOMIC_RELAXED);
      free = static_cast<uint16_t>(r.peer_seen - slot);
      if (free < n) {
        r.peer_seen = __atomic_load_n(&r.hdr->head, __ATOMIC_ACQUIRE);
        free = static_cast<uint16_t>(r.peer_seen - slot);
      }
    }
    if (free > r.size) {
      fault("peer moved tx queue " + std::to_string(q) + "'s ring index " + std::to_string(free) +
            " slots ahead, past the ring's " + std::to_string(r.size));
      return 0;
    }
    uint16_t sent = 0;
    prefetch_buffers(s, r, slot, free < 2 * n ? free : 2 * n, true);  // this burst's and the next one's
    while (sent < n && free) {
      const Mbuf* m = pkts[sent];
      const uint8_t* src = m->data();
      uint32_t left = m->data_len;
      uint16_t at = slot, used = 0;
      bool ok = true;
      for (;;) {
        if (used == free) {
          ok = false;  // no room for the whole packet: it waits
          break;
        }
        Desc& dst = r.desc[at & r.mask];
        Desc d;
        std::memcpy(&d, &dst, sizeof d);
        uint32_t cap = client() ? s.buffer_size : d.length;
        uint8_t* buf = s.buffer(d.region, d.offset, cap);
        if (!buf || cap == 0) {
          desc_fault("tx", q, at, d);
          return finish_tx(r, slot, sent);
        }
        uint32_t len = left < cap ? left : cap;
        copy_packet(buf, src, len);
        src += len;
        left -= len;
        dst.length = len;
        dst.flags = left ? memif::kDescNext : 0;
        at++;
        used++;
        if (!left) break;
      }
      if (!ok) break;
      slot = at;
      free = static_cast<uint16_t>(free - used);
      sent++;
    }
    return finish_tx(r, slot, sent);
  }

  // The descriptors of slots [from, from + count) are read (independent
  // loads, so their misses overlap) and the first line of each buffer they
  // name is fetched (for writing: tx), before the copy loop needs them one
  // after another. A hint only: the copy loop reads and checks each
  // descriptor again.
  static void prefetch_buffers(const memif::Session& s, const RingRef& r, uint16_t from, uint32_t count, bool write) {
    for (uint32_t i = 0; i < count; i++) {
      Desc d;
      std::memcpy(&d, &r.desc[static_cast<uint16_t>(from + i) & r.mask], sizeof d);
      const uint8_t* buf = s.buffer(d.region, d.offset, 0);
      if (!buf) continue;
      if (write) __builtin_prefetch(buf, 1);
      else __builtin_prefetch(buf, 0);
    }
  }

  uint16_t finish_tx(RingRef& r, uint16_t slot, uint16_t sent) {
    if (!sent) return 0;
    // release: descriptors and buffers written before the peer sees the index.
    if (client()) __atomic_store_n(&r.hdr->head, slot, __ATOMIC_RELEASE);
    else __atomic_store_n(&r.hdr->tail, slot, __ATOMIC_RELEASE);
    // A receiver in interrupt mode wants a kick; a polling one (testpmd,
    // ringside) masks it. One write per burst, not per packet.
    if (!(__atomic_load_n(&r.hdr->flags, __ATOMIC_RELAXED) & memif::kRingMaskInterrupt) && r.eventfd >= 0) {
      uint64_t one = 1;
      [[maybe_unused]] ssize_t w = write(r.eventfd, &one, sizeof one);
    }
    return sent;
  }

  static RingState ring_state(const RingRef& r, bool c2s) {
    RingState st;
    st.name = c2s ? "c2s" : "s2c";
    st.size = r.size;
    st.producer = __atomic_load_n(&r.hdr->head, __ATOMIC_ACQUIRE);
    st.consumer = __atomic_load_n(&r.hdr->tail, __ATOMIC_ACQUIRE);
    st.occupancy = static_cast<uint16_t>(st.producer - st.consumer);
    st.tracks_high_water = true;
    st.high_water = r.high_water.load(std::memory_order_relaxed);
    return st;
  }

  template <typename Fn>
  void with_ring(Dir d, uint16_t q, Fn fn) const {
    // Diagnostics from the control thread: a claim of its own (the poll
    // thread may hold the queue's) keeps the session mapped while we read.
    std::lock_guard<std::mutex> g(diag_mu_);
    diag_claim_.busy.store(1, std::memory_order_seq_cst);
    const Live* live = live_.load(std::memory_order_seq_cst);
    const RingRef* r = live ? (d == Dir::Rx ? live->rx[q] : live->tx[q]) : nullptr;
    if (r) fn(*live, *r);
    diag_claim_.busy.store(0, std::memory_order_release);
  }

  void event(const std::string& state, const std::string& message, bool is_error) {
    if (!events()) return;
    Event e;
    e.name = "memif";
    e.ports = {id()};
    e.values = {{"state", state}, {"message", message}, {"level", is_error ? "error" : "info"}};
    events()->push(std::move(e));
  }

  const bool asymmetric_;  // membarrier(2) fences for the poll threads (claim())
  std::atomic<Live*> live_{nullptr};
  std::array<Claim, kMaxQueues> rx_claim_, tx_claim_;
  mutable Claim diag_claim_;
  mutable std::mutex diag_mu_;
  std::atomic<bool> fault_claimed_{false}, fault_ready_{false};
  std::string fault_text_;
  std::atomic<bool> started_{false};  // read by the service thread

  mutable std::mutex status_mu_;  // what info() shows, written by the service thread
  bool connected_ = false;
  std::string state_ = "stopped", regions_, rings_, last_reason_;
  memif::PeerInfo peer_;
  uint64_t connects_ = 0, disconnects_ = 0;

  friend std::unique_ptr<Port> create(uint16_t, const DevArgs&, Mempool*);
};

bool parse_yes_no(const DevArgs& args, const char* key, bool dflt) {
  auto it = args.kv.find(key);
  if (it == args.kv.end()) return dflt;
  if (it->second == "yes") return true;
  if (it->second == "no") return false;
  throw Error("EDEVARGS", args.name + ": " + key + "=" + it->second + " is not valid: give yes or no");
}

std::unique_ptr<Port> create(uint16_t id, const DevArgs& args, Mempool* pool) {
  check_devargs(args, net_memif_driver());
  auto p = std::make_unique<MemifPort>(id, args, pool);
  memif::IfConfig& cfg = p->cfg;
  auto get = [&](const char* key) -> const std::string* {
    auto it = args.kv.find(key);
    return it == args.kv.end() ? nullptr : &it->second;
  };
  cfg.role = Role::Client;  // DPDK's default
  if (const std::string* v = get("role")) {
    if (*v == "server") cfg.role = Role::Server;
    else if (*v != "client")
      throw Error("EDEVARGS", args.name + ": role=" + *v + " is not valid: give role=server or role=client");
  }
  uint64_t v = 0;
  if (const std::string* s = get("id")) {
    if (!parse_uint(*s, UINT32_MAX, &v))
      throw Error("EDEVARGS", args.name + ": id=" + *s + " is not valid: give an interface id from 0 to 4294967295");
    cfg.id = static_cast<uint32_t>(v);
  }
  cfg.log2_ring = kDefaultLog2Ring;
  if (const std::string* s = get("rsize")) {
    if (!parse_uint(*s, memif::kMaxLog2Ring, &v) || v == 0)
      throw Error("EDEVARGS", args.name + ": rsize=" + *s + " is not valid: give the log2 of the ring size, 1 to " +
                                  std::to_string(memif::kMaxLog2Ring) + " (10: 1024 descriptors)");
    cfg.log2_ring = static_cast<uint8_t>(v);
  }
  cfg.buffer_size = kDefaultBufferSize;
  if (const std::string* s = get("bsize")) {
    if (!parse_uint(*s, 65535, &v) || v < 64)
      throw Error("EDEVARGS", args.name + ": bsize=" + *s + " is not valid: give a buffer size in bytes from 64 to 65535");
    cfg.buffer_size = static_cast<uint32_t>(v);
  }
  if (const std::string* s = get("secret")) {
    if (s->size() > memif::kSecretSize)
      throw Error("EDEVARGS", args.name + ": secret is " + std::to_string(s->size()) + " characters: memif carries at most " +
                                  std::to_string(memif::kSecretSize));
    cfg.secret = *s;
  }
  if (parse_yes_no(args, "zero-copy", false))
    throw Error("EDEVARGS", args.name + ": zero-copy=yes is not supported: ringside's memif copies packets "
                                        "(its mbufs are not in shared memory); leave zero-copy=no");
  p->abstract = parse_yes_no(args, "socket-abstract", true);  // DPDK 22.11's default
  p->socket_path = get("socket") ? *get("socket") : kDefaultSocket;
  std::string bad = memif::check_socket_path(p->socket_path, p->abstract);
  if (!bad.empty()) throw Error("EDEVARGS", args.name + ": " + bad);
  if (const std::string* s = get("mac")) {
    MacAddr m;
    if (!parse_mac(*s, &m)) throw Error("EDEVARGS", args.name + ": mac=" + *s + " is not a MAC address (xx:xx:xx:xx:xx:xx)");
    p->mac_ = m;
  }
  cfg.app_name = "ringside";
  cfg.if_name = args.name;
  return p;
}

}  // namespace

const DriverInfo& net_memif_driver() {
  static const DriverInfo d{
      "net_memif",
      "net_memifN,role=server|client,socket=PATH,id=N[,socket-abstract=yes|no,secret=S,rsize=LOG2,bsize=N,"
      "zero-copy=no,mac=MAC]: packets through rings shared with another process by the memif protocol "
      "(dpdk-testpmd, VPP, libmemif); defaults as DPDK: client, /run/memif.sock, abstract, id 0, rsize 10, bsize 2048",
      "role,socket,id,socket-abstract,secret,rsize,bsize,zero-copy,mac", create};
  return d;
}

}  // namespace rs
