// Port's diagnostic wrappers: queue range checks and the counters every
// driver shares; drivers add their rings (do_queue_info / do_queue_ring).
#include <cstdio>
#include "error.h"
#include "port.h"
#include "ring.h"

namespace rs {

std::string hex_u64(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

std::string hex_bytes(const uint8_t* p, uint32_t n, char sep) {
  std::string s;
  char b[4];
  for (uint32_t i = 0; i < n; i++) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    if (i) s += sep;
    s += b;
  }
  return s;
}

Descriptor mbuf_descriptor(const std::string& ring, uint32_t index, const Mbuf* m) {
  // The mbuf may be in flight on another thread: its header and first bytes
  // are a moment's view (torn values possible while it is rewritten). The
  // pool's memory outlives every port, so the reads themselves are safe.
  constexpr uint32_t kShown = 16;
  uint32_t len = m->data_len < kShown ? m->data_len : kShown;
  if (m->data_off + len > m->buf_len) len = 0;  // torn header: show no bytes
  return Descriptor{ring, index,
                    {{"mbuf", std::to_string(m->pool->index_of(m))},
                     {"data_len", std::to_string(m->data_len)},
                     {"rx", "port " + std::to_string(m->port) + " rxq " + std::to_string(m->queue)},
                     {"data", hex_bytes(m->data(), len)}}};
}

void ring_holders(const Ring& r, const std::string& who, std::vector<std::pair<std::string, const Mbuf*>>* out) {
  std::vector<void*> slots(r.capacity());
  uint32_t n = r.peek(slots.data(), r.capacity());
  for (uint32_t i = 0; i < n; i++) out->push_back({who, static_cast<const Mbuf*>(slots[i])});
}

void Port::do_queue_info(Dir, uint16_t, QueueInfo* out) const {
  out->kind = "no ring of its own (" + driver() + ")";
}

static void check_queue(const Port& p, Dir d, uint16_t q) {
  uint16_t nb = d == Dir::Rx ? p.nb_rx_queues() : p.nb_tx_queues();
  if (q >= nb)
    throw Error("EQUEUE_RANGE", "port " + std::to_string(p.id()) + " has " + dir_name(d) + " queues 0.." +
                                    std::to_string(nb - 1) + ", not " + std::to_string(q) +
                                    ": see 'show port info " + std::to_string(p.id()) + "'");
}

QueueInfo Port::queue_info(Dir d, uint16_t q) const {
  check_queue(*this, d, q);
  QueueInfo qi;
  qi.port = id_;
  qi.queue = q;
  qi.dir = d;
  if (d == Dir::Rx && q >= hw_rx_) {
    qi.kind = "software queue (fed by RSS or flow rules)";
  } else {
    do_queue_info(d, q, &qi);
  }
  PortStats s = stats();
  const QueueStats& raw = d == Dir::Rx ? rxq_[q] : txq_[q];
  qi.packets = (d == Dir::Rx ? s.rxq_packets : s.txq_packets)[q];
  qi.bytes = (d == Dir::Rx ? s.rxq_bytes : s.txq_bytes)[q];
  qi.errors = (d == Dir::Rx ? s.rxq_errors : s.txq_errors)[q];
  qi.empty_polls = raw.empty_polls.get();
  qi.full = raw.full.get();
  return qi;
}

std::vector<Descriptor> Port::queue_ring(Dir d, uint16_t q, uint32_t max) const {
  check_queue(*this, d, q);
  std::vector<Descriptor> out;
  if (d == Dir::Tx || q < hw_rx_) do_queue_ring(d, q, max, &out);
  return out;
}

}  // namespace rs
