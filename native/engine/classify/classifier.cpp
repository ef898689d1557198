#include "classifier.h"
#include <algorithm>
#include "error.h"
#include "mempool.h"

namespace rs {

namespace {
constexpr uint16_t kStage = 32;  // packets staged per target before a ring operation
}

Classifier::Classifier() = default;

Classifier::~Classifier() {
  drain();
  destroy_rings();
}

void Classifier::destroy_rings() {
  for (Ring*& r : rings_) {
    Ring::destroy(r);
    r = nullptr;
  }
}

uint32_t Classifier::configure(uint16_t port, uint16_t nb_rx, uint16_t hw_rx) {
  uint32_t freed = drain();
  destroy_rings();  // their producer count may change; rebuilt below
  port_ = port;
  nb_rx_ = nb_rx;
  hw_rx_ = hw_rx;
  rss_.reset_reta(nb_rx);  // like a driver at configure: entries 0..nb_rx-1 in turn
  rebuild();
  return freed;
}

int Classifier::highest_rule_queue() const {
  int hi = -1;
  for (const auto& s : rules_) {
    if (s->c.fate == FlowFate::Queue) hi = std::max<int>(hi, s->c.queue);
    for (uint16_t q : s->c.rss_queues) hi = std::max<int>(hi, q);
  }
  return hi;
}

FlowLimits Classifier::limits() const { return FlowLimits{port_, nb_rx_, exc_ != nullptr}; }

void Classifier::rebuild() {
  bool rules_hash = std::any_of(rules_.begin(), rules_.end(), [](const auto& s) { return s->c.fate == FlowFate::Rss; });
  rss_on_ = rss_.types != 0 && nb_rx_ > 1;
  bool on = !rules_.empty() || rss_on_ || nb_rx_ > hw_rx_ || isolated_;
  if ((rss_on_ || rules_hash) && !toeplitz_) toeplitz_ = std::make_unique<ToeplitzTable>(rss_.key);
  if (on) {
    for (uint16_t q = 0; q < nb_rx_; q++) {
      if (rings_[q]) continue;
      // Producers of ring q: the pollers of the driver queues other than q.
      // One producer (the usual case: a driver feeding queue 0 only) takes
      // the single-producer path, with no CAS; several driver queues (e.g.
      // net_af_packet with PACKET_FANOUT) may steer into q at once from
      // different lcores, so they need multi-producer. The consumer is the
      // one thread that polls queue q (port.h), hence always single.
      uint16_t producers = static_cast<uint16_t>(hw_rx_ - (q < hw_rx_ ? 1 : 0));
      if (producers == 0) continue;  // nothing can steer into it
      rings_[q] = Ring::create(kSoftRingSlots, producers == 1 ? Sync::Single : Sync::Multi, Sync::Single);
      if (!rings_[q])
        throw Error("ENOMEM", "port " + std::to_string(port_) + ": cannot allocate the software ring of rx queue " +
                                  std::to_string(q));
    }
  }
  store_relaxed(enabled_, on);
}

void Classifier::set_rss_types(uint32_t types) {
  rss_.types = types & kRssAll;
  rebuild();
}

void Classifier::set_reta(const std::vector<std::pair<uint16_t, uint16_t>>& entries) {
  for (const auto& [idx, q] : entries) {
    if (idx >= kRetaSize)
      throw Error("ERETA", "redirection table index " + std::to_string(idx) + " is out of range: the table has " +
                               std::to_string(kRetaSize) + " entries (0.." + std::to_string(kRetaSize - 1) + ")");
    if (q >= nb_rx_)
      throw Error("ERETA", "queue " + std::to_string(q) + " is out of range: port " + std::to_string(port_) + " has " +
                               std::to_string(nb_rx_) + " rx queue" + (nb_rx_ == 1 ? "" : "s"));
  }
  for (const auto& [idx, q] : entries) rss_.reta[idx] = q;
}

void Classifier::set_rss_key(const uint8_t* key) {
  std::copy(key, key + kRssKeyLen, rss_.key);
  toeplitz_.reset();
  rebuild();
}

void Classifier::validate(const FlowRule& r) const { flow_compile(r, limits()); }

uint32_t Classifier::create(const FlowRule& r) {
  auto slot = std::make_unique<RuleSlot>();
  slot->c = flow_compile(r, limits());
  slot->rule = r;
  slot->id = next_id_;
  // By group, then after the last rule of the same or a better (lower)
  // priority: ties keep creation order, so the first matching rule is the oldest.
  auto pos = std::upper_bound(rules_.begin(), rules_.end(), std::make_pair(slot->c.group, slot->c.priority),
                              [](const std::pair<uint32_t, uint32_t>& key, const auto& s) {
                                return key < std::make_pair(s->c.group, s->c.priority);
                              });
  rules_.insert(pos, std::move(slot));
  next_id_++;
  rebuild();
  return next_id_ - 1;
}

void Classifier::destroy(uint32_t id) {
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const auto& s) { return s->id == id; });
  if (it == rules_.end())
    throw Error("EFLOW_RULE", "port " + std::to_string(port_) + " has no flow rule " + std::to_string(id) +
                                  ": see 'flow list " + std::to_string(port_) + "'");
  rules_.erase(it);
  rebuild();
}

void Classifier::set_isolated(bool on) {
  isolated_ = on;
  rebuild();
}

void Classifier::flush() {
  rules_.clear();
  rebuild();
}

std::vector<FlowListEntry> Classifier::list() const {
  std::vector<FlowListEntry> out;
  for (const auto& s : rules_)
    out.push_back({s->id, s->rule.group, s->rule.priority, s->rule.ingress, flow_pattern_summary(s->rule),
                   flow_actions_summary(s->rule), s->rule.text});
  return out;
}

FlowCount Classifier::query(uint32_t id) const {
  for (const auto& s : rules_) {
    if (s->id != id) continue;
    if (!s->c.count)
      throw Error("EFLOW_QUERY", "flow rule " + std::to_string(id) + " of port " + std::to_string(port_) +
                                     " has no count action: create it with '... actions ... / count / end' to query it");
    FlowCount c{true, 0, 0};
    for (uint16_t q = 0; q < kClassifierQueues; q++) {
      c.hits += s->hits[q].get();
      c.bytes += s->bytes[q].get();
    }
    return c;
  }
  throw Error("EFLOW_RULE", "port " + std::to_string(port_) + " has no flow rule " + std::to_string(id) +
                                ": see 'flow list " + std::to_string(port_) + "'");
}

uint32_t Classifier::drain() {
  uint32_t total = 0;
  Mbuf* b[64];
  for (Ring* r : rings_) {
    if (!r) continue;
    while (uint32_t n = r->dequeue_burst(reinterpret_cast<void**>(b), 64)) {
      mbuf_free_bulk(b, n);
      total += n;
    }
  }
  return total;
}

ClassifierStats Classifier::stats() const {
  ClassifierStats s{enabled(), nb_rx_, hw_rx_, 0, 0, 0, 0, {}, {}};
  for (const QueueCounters& c : qc_) {
    s.dropped += c.dropped.get();
    s.to_kernel += c.to_kernel.get();
    s.kernel_dropped += c.kernel_dropped.get();
    s.rss_hashed += c.rss_hashed.get();
  }
  for (uint16_t q = 0; q < nb_rx_; q++) {
    s.steered_in.push_back(steered_in_[q].get());
    s.ring_count.push_back(rings_[q] ? rings_[q]->count() : 0);
  }
  return s;
}

uint16_t Classifier::classify(uint16_t q, Mbuf** pkts, uint16_t n, uint32_t* missed) {
  Mbuf* stage[kClassifierQueues][kStage];
  uint16_t staged[kClassifierQueues] = {};
  Mbuf* drop[kStage];
  uint16_t ndrop = 0;
  Mbuf* kern[kStage];
  uint16_t nkern = 0;
  QueueCounters& qc = qc_[q];
  uint64_t dropped = 0, hashed = 0;

  auto flush_queue = [&](uint16_t t) {
    uint16_t k = staged[t];
    uint32_t put = rings_[t]->enqueue_burst(reinterpret_cast<void* const*>(stage[t]), k);
    if (put < k) {  // the queue is not polled fast enough: lost, like a full NIC ring
      mbuf_free_bulk(stage[t] + put, k - put);
      *missed += k - put;
    }
    staged[t] = 0;
  };
  auto flush_kernel = [&] {
    uint16_t took = 0;
    if (exc_) took = exc_->to_kernel(kern, nkern);  // owns all nkern from here
    else mbuf_free_bulk(kern, nkern);               // the path went away after the rule was made
    if (took < nkern) qc.kernel_dropped.add(nkern - took);
    qc.to_kernel.add(took);
    nkern = 0;
  };

  uint16_t kept = 0;
  for (uint16_t i = 0; i < n; i++) {
    Mbuf* m = pkts[i];
    PacketView v;
    parse_view(m->data(), m->data_len, &v);
    // Rules are sorted by group: those of the current group are matched in
    // order; a jump moves on to a higher group, passthru to the next rule.
    const RuleSlot* hit = nullptr;
    uint32_t group = 0;
    for (const auto& s : rules_) {
      if (s->c.group != group || !flow_match(s->c, v)) continue;
      // Single writer: indexed by this driver queue. The rule's slot stays
      // put while poll threads run (rules change only with them stopped).
      s->hits[q].add(1);
      s->bytes[q].add(m->data_len);
      if (s->c.mark) {
        m->mark = s->c.mark_id;
        m->flags |= kMbufFlagMark;
      }
      if (s->c.flag) m->flags |= kMbufFlagFlag;
      if (s->c.fate == FlowFate::Passthru) continue;
      if (s->c.fate == FlowFate::Jump) {
        group = s->c.jump_group;
        continue;
      }
      hit = s.get();
      break;
    }
    uint16_t target = q;
    // Isolated: only what a terminating rule matched is received.
    FlowFate fate = hit ? hit->c.fate : isolated_ ? FlowFate::Drop : FlowFate::None;
    switch (fate) {
      case FlowFate::Drop:
        dropped++;
        drop[ndrop++] = m;
        if (ndrop == kStage) { mbuf_free_bulk(drop, ndrop); ndrop = 0; }
        continue;
      case FlowFate::Kernel:
        kern[nkern++] = m;
        if (nkern == kStage) flush_kernel();
        continue;
      case FlowFate::Queue:
        target = hit->c.queue;
        break;
      case FlowFate::Rss: {
        uint32_t h = 0;
        const auto& qs = hit->c.rss_queues;
        if (rss_hash(*toeplitz_, rss_.types ? rss_.types : kRssAll, v, &h)) {
          m->hash = h;
          m->flags |= kMbufFlagRssHash;
          hashed++;
          target = qs[(h & (kRetaSize - 1)) % qs.size()];
        } else {
          target = qs[0];
        }
        break;
      }
      case FlowFate::Jump:
      case FlowFate::Passthru:  // never a terminating rule's fate: the loop went on
      case FlowFate::None:
        if (rss_on_) {
          uint32_t h = 0;
          if (rss_hash(*toeplitz_, rss_.types, v, &h)) {
            m->hash = h;
            m->flags |= kMbufFlagRssHash;
            hashed++;
            target = rss_.reta[h & (kRetaSize - 1)];
          }
          // Not covered by the hash types: stays on the queue it came in on.
        }
        break;
    }
    m->queue = target;
    if (target == q) {
      pkts[kept++] = m;  // kept <= i: compaction in place keeps the order
    } else {
      stage[target][staged[target]++] = m;
      if (staged[target] == kStage) flush_queue(target);
    }
  }
  for (uint16_t t = 0; t < nb_rx_; t++)
    if (staged[t]) flush_queue(t);
  if (ndrop) mbuf_free_bulk(drop, ndrop);
  if (nkern) flush_kernel();
  if (dropped) qc.dropped.add(dropped);
  if (hashed) qc.rss_hashed.add(hashed);
  return kept;
}

}  // namespace rs
