// net_ring, after DPDK's: in-memory rings, one per rx queue. Packets move as
// pointers only (no header or data access), so a pair of cores can exchange
// well over 100 Mpps. Tx queue q enqueues into rx ring q of its target:
//   - this port itself (a lone port loops back to itself), or
//   - with peer=net_ringK, port net_ringK; and net_ringK, if it names no peer
//     of its own, sends back to this port: two ports wired back to back.
// Each rx ring is single-producer/single-consumer, so start refuses a wiring
// in which two started ports would feed the same port's rings.
//
// The target is resolved by name at start, because the peer may be attached
// after this port. Ports find each other through a process-wide registry kept
// in this file (control thread only; guarded by a mutex for the test binary).
#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include "drivers.h"
#include "error.h"

namespace rs {
namespace {

constexpr uint32_t kRingSlots = 1024;
constexpr uint32_t kMaxRingSlots = 1u << 16;

class RingPort;

struct Registry {
  std::mutex mu;
  std::map<std::string, RingPort*> ports;  // attached (not closed) ports by name
};
Registry& registry() {
  static Registry r;
  return r;
}

// A ring of `want` slots (rxd), rounded up to the power of two Ring needs;
// 0: the default.
Ring* new_ring(const std::string& port, uint32_t want) {
  uint32_t slots = kRingSlots;
  if (want) for (slots = 2; slots < want; slots <<= 1) {}
  Ring* r = slots <= kMaxRingSlots ? Ring::create(slots, Sync::Single, Sync::Single) : nullptr;
  if (!r) throw Error("ENOMEM", port + ": cannot allocate a " + std::to_string(slots) + "-slot ring (at most " +
                                    std::to_string(kMaxRingSlots) + ")");
  return r;
}

uint32_t drain_ring(Ring* r) {
  Mbuf* b[64];
  uint32_t total = 0;
  while (uint32_t n = r->dequeue_burst(reinterpret_cast<void**>(b), 64)) {
    mbuf_free_bulk(b, n);
    total += n;
  }
  return total;
}

// High-water mark of one rx ring: written only by the ring's single sender
// (its poll thread, in tx), read by the control thread; relaxed, as Counter.
struct alignas(kCacheLine) HighWater {
  std::atomic<uint32_t> v{0};
};

RingState ring_state(const Ring* r, const HighWater& hw) {
  RingState s;
  s.name = "ring";
  s.size = r->capacity();
  s.consumer = r->cons_tail();  // consumer first, as Ring::count() explains
  s.producer = r->prod_tail();
  s.occupancy = std::min(s.producer - s.consumer, s.size);
  s.tracks_high_water = true;
  s.high_water = load_relaxed(hw.v);
  return s;
}

void ring_descriptors(const Ring* r, uint32_t max, std::vector<Descriptor>* out) {
  std::vector<void*> slots(std::min(max, r->capacity()));
  uint32_t first = r->cons_tail();
  uint32_t n = r->peek(slots.data(), static_cast<uint32_t>(slots.size()));
  for (uint32_t i = 0; i < n; i++) out->push_back(mbuf_descriptor("ring", first + i, static_cast<const Mbuf*>(slots[i])));
}

class RingPort final : public Port {
 public:
  RingPort(uint16_t id, const DevArgs& args, Mempool* pool, std::string peer)
      : Port(id, args, pool), peer_(std::move(peer)) {
    // Rings for the default single queue exist from creation so a sender can
    // resolve this port even if it was never configured explicitly.
    rx_[0] = new_ring(name(), 0);
    nb_rings_ = 1;
  }

  ~RingPort() override {
    std::lock_guard<std::mutex> lock(registry().mu);
    unlink_locked();
  }

  // Adds this port to the registry; throws if the name is taken.
  void register_name() {
    std::lock_guard<std::mutex> lock(registry().mu);
    auto [it, inserted] = registry().ports.emplace(name(), this);
    if (!inserted)
      throw Error("EEXIST", "a port named " + name() + " is already attached: detach it or use another number");
    registered_ = true;
  }

  void held_mbufs(std::vector<std::pair<std::string, const Mbuf*>>* out) const override {
    for (uint16_t q = 0; q < nb_rings_; q++)
      ring_holders(*rx_[q], "port " + std::to_string(id()) + " rxq " + std::to_string(q) + " ring (" + name() + ")", out);
  }

  std::vector<std::pair<std::string, std::string>> info() const override {
    std::string to = target_ ? target_->name() : std::string("(resolved at start)");
    // Ring 0's size: the default, or as rxd/ring_size set it (closed: no rings).
    std::string slots = rx_[0] ? std::to_string(rx_[0]->capacity()) : std::string("0");
    return {{"rings", std::to_string(nb_rings_) + " rx rings of " + slots + " slots"},
            {"peer", peer_.empty() ? std::string("none") : peer_},
            {"tx into", to}};
  }

 protected:
  void do_configure(uint16_t nb_rx, uint16_t) override {
    std::lock_guard<std::mutex> lock(registry().mu);
    // Adding rings is harmless; removing one a started sender uses is not.
    if (RingPort* s = sender_locked(); s && nb_rx < std::min(s->nb_tx_queues(), nb_rings_))
      throw Error("EBUSY_STARTED", s->name() + " is started and sends into " + name() + "'s rx queues 0.." +
                                       std::to_string(s->nb_tx_queues() - 1) + ": stop " + s->name() +
                                       " before removing them");
    uint32_t dropped = 0;
    for (uint16_t q = nb_rx; q < nb_rings_; q++) {
      dropped += drain_ring(rx_[q]);
      Ring::destroy(rx_[q]);
      rx_[q] = nullptr;
    }
    for (uint16_t q = nb_rings_; q < nb_rx; q++) {
      try {
        rx_[q] = new_ring(name(), nb_desc(Dir::Rx, q));
        store_relaxed(rx_hw_[q].v, 0u);
      } catch (...) {
        nb_rings_ = q;
        throw;
      }
    }
    nb_rings_ = nb_rx;
    if (dropped) count_rx_missed(dropped);
  }

  void do_start() override {
    std::lock_guard<std::mutex> lock(registry().mu);
    auto& ports = registry().ports;
    RingPort* t = this;
    if (!peer_.empty()) {
      auto it = ports.find(peer_);
      if (it == ports.end())
        throw Error("EPEER", name() + ": peer " + peer_ + " is not attached: attach " + peer_ +
                                 " first or drop peer= to loop back to itself");
      t = it->second;
    } else {
      for (auto& [n, p] : ports)
        if (p != this && p->peer_ == name()) { t = p; break; }  // the back-to-back reverse direction
    }
    for (auto& [n, p] : ports) {
      if (p == this || p->target_ != t) continue;
      std::string who = p == t ? p->name() + " itself (it loops back)" : p->name();
      throw Error("EPEER", name() + " cannot send into " + t->name() + ": started port " + who +
                               " already does, and a ring takes one sender. Stop " + p->name() + ", start " + name() +
                               ", then start " + p->name() + " again so the wiring is resolved in that order");
    }
    target_ = t;
    // As DPDK's net_ring, tx queue q feeds ring q; a tx queue with no rx ring
    // of that number behind it (more tx than rx queues) is not wired and
    // refuses what it is given (forwarding does not use it: one stream per rx queue).
    for (uint16_t q = 0; q < nb_tx_queues() && q < t->nb_rings_; q++) {
      tx_[q] = t->rx_[q];
      tx_hw_[q] = &t->rx_hw_[q];
      sent_hw_[q] = load_relaxed(t->rx_hw_[q].v);
    }
  }

  void do_stop() override {
    std::lock_guard<std::mutex> lock(registry().mu);
    clear_tx();
  }

  void do_close() override {
    std::lock_guard<std::mutex> lock(registry().mu);
    unlink_locked();
  }

  // Rx queue q is this port's ring q; tx queue q is the target's ring q
  // (while started). Ring pointers change only on the control thread.
  const Ring* queue_ring_of(Dir d, uint16_t q, const HighWater** hw, std::string* where) const {
    if (d == Dir::Rx) {
      *hw = &rx_hw_[q];
      *where = "in-memory ring, single producer/consumer";
      return q < nb_rings_ ? rx_[q] : nullptr;
    }
    if (!tx_[q]) {
      *where = target_ ? "in-memory ring (not wired: " + target_->name() + " has no rx queue " + std::to_string(q) + ")"
                       : std::string("in-memory ring (not wired: port stopped)");
      return nullptr;
    }
    *hw = &target_->rx_hw_[q];
    *where = "in-memory ring, single producer/consumer: rx queue " + std::to_string(q) + " of " + target_->name();
    return tx_[q];
  }

  void do_queue_info(Dir d, uint16_t q, QueueInfo* out) const override {
    const HighWater* hw = nullptr;
    const Ring* r = queue_ring_of(d, q, &hw, &out->kind);
    if (r) out->rings.push_back(ring_state(r, *hw));
  }

  void do_queue_ring(Dir d, uint16_t q, uint32_t max, std::vector<Descriptor>* out) const override {
    const HighWater* hw = nullptr;
    std::string where;
    if (const Ring* r = queue_ring_of(d, q, &hw, &where)) ring_descriptors(r, max, out);
  }

  // rxd: a new ring of that size replaces rx ring q (its packets are
  // dropped, counted as rx_missed), unless a started port sends into it.
  void do_set_nb_desc(Dir d, uint16_t q) override {
    if (d != Dir::Rx || q >= nb_rings_) return;  // tx queues feed the target's rings; absent rings are made at configure
    std::lock_guard<std::mutex> lock(registry().mu);
    if (RingPort* s = sender_locked(); s && q < s->nb_tx_queues())
      throw Error("EBUSY_STARTED", s->name() + " is started and sends into " + name() + "'s rx queue " +
                                       std::to_string(q) + ": stop " + s->name() + " first");
    Ring* r = new_ring(name(), nb_desc(Dir::Rx, q));
    if (uint32_t dropped = drain_ring(rx_[q])) count_rx_missed(dropped);
    Ring::destroy(rx_[q]);
    rx_[q] = r;
    store_relaxed(rx_hw_[q].v, 0u);
  }

  uint32_t do_drain() override {
    uint32_t n = 0;
    for (uint16_t q = 0; q < nb_rings_; q++) n += drain_ring(rx_[q]);
    return n;
  }

  // Unlike DPDK's net_ring, which counts packets only, bytes are counted (as
  // tx_burst does on the other side): `show port stats` would show 0 bytes.
  // It reads each mbuf's length, the one touch of the mbuf on this path.
  uint16_t do_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    uint16_t got = static_cast<uint16_t>(rx_[q]->dequeue_burst(reinterpret_cast<void**>(pkts), n));
    uint64_t bytes = 0;
    for (uint16_t i = 0; i < got; i++) bytes += pkts[i]->data_len;
    if (got) count_rx_bytes(q, bytes);
    return got;
  }

  uint16_t do_tx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    Ring* r = tx_[q];
    if (!r) return 0;  // the target was closed under us: the caller drops
    uint32_t used = 0;
    uint32_t sent = r->enqueue_burst(reinterpret_cast<void* const*>(pkts), n, &used);
    // We are this ring's only sender, so the only writer of its mark; our
    // copy of it keeps the common case to one compare with a hot line.
    if (used > sent_hw_[q]) [[unlikely]] {
      sent_hw_[q] = used;
      store_relaxed(tx_hw_[q]->v, used);
    }
    return static_cast<uint16_t>(sent);
  }

 private:
  void clear_tx() {
    target_ = nullptr;
    tx_.fill(nullptr);
  }

  // A started port other than this one whose tx goes into our rings.
  RingPort* sender_locked() const {
    for (auto& [n, p] : registry().ports)
      if (p != this && p->target_ == this) return p;
    return nullptr;
  }

  // Leave the registry and free the rings. Ports still sending here lose
  // their target (their tx returns 0) instead of writing into freed memory;
  // the engine only closes ports while no poll thread runs.
  void unlink_locked() {
    for (auto& [n, p] : registry().ports)
      if (p != this && p->target_ == this) p->clear_tx();
    if (registered_) {
      registry().ports.erase(name());
      registered_ = false;
    }
    clear_tx();
    uint32_t dropped = 0;
    for (uint16_t q = 0; q < nb_rings_; q++) {
      dropped += drain_ring(rx_[q]);
      Ring::destroy(rx_[q]);
      rx_[q] = nullptr;
    }
    nb_rings_ = 0;
    if (dropped) count_rx_missed(dropped);
  }

  std::string peer_;
  bool registered_ = false;
  uint16_t nb_rings_ = 0;
  std::array<Ring*, kMaxQueues> rx_{};  // owned, one per rx queue
  std::array<Ring*, kMaxQueues> tx_{};  // borrowed: the target's rx rings, while started
  std::array<uint32_t, kMaxQueues> sent_hw_{};       // our copy of *tx_hw_[q] (we are its writer)
  std::array<HighWater, kMaxQueues> rx_hw_{};        // of our rx rings
  std::array<HighWater*, kMaxQueues> tx_hw_{};       // the target's marks, while started
  RingPort* target_ = nullptr;          // while started
};

bool is_ring_name(const std::string& s) {
  const std::string prefix = "net_ring";
  if (s.size() <= prefix.size() || s.compare(0, prefix.size(), prefix) != 0) return false;
  for (std::size_t i = prefix.size(); i < s.size(); i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::unique_ptr<Port> create(uint16_t id, const DevArgs& args, Mempool* pool) {
  check_devargs(args, net_ring_driver());
  std::string peer;
  if (auto it = args.kv.find("peer"); it != args.kv.end()) {
    peer = it->second;
    if (!is_ring_name(peer))
      throw Error("EDEVARGS", args.name + ": peer=" + peer + " is not a net_ring port name: write peer=net_ring1");
    if (peer == args.name)
      throw Error("EDEVARGS", args.name + ": a port cannot be its own peer: drop peer= and it loops back to itself");
  }
  auto port = std::make_unique<RingPort>(id, args, pool, peer);
  port->register_name();
  return port;
}

}  // namespace

const DriverInfo& net_ring_driver() {
  static const DriverInfo d{"net_ring",
                            "net_ringN[,peer=net_ringM]: in-memory rings; tx queue q feeds rx queue q of this port, "
                            "or of net_ringM (which sends back) with peer=",
                            "peer", create};
  return d;
}

}  // namespace rs
