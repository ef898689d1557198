#include "verbose.h"
#include <algorithm>
#include <iterator>
#include "../error.h"
#include "../pcap_file.h"

namespace rs {

namespace {

uint64_t ring_size(uint64_t want) {
  // ByteRing wants a power of two with room for a few whole records.
  uint64_t p = 4096;
  while (p < want) p *= 2;
  return p;
}

constexpr size_t kMaxOrphans = 65536;

}  // namespace

// ------------------------------------------------------------------- the tap

VerboseTap::VerboseTap(Port& port, bool rx, bool tx, const Filter& filter, uint64_t ring_bytes)
    : port_(port), port_id_(port.id()), nb_rx_(port.nb_rx_queues()), nb_tx_(port.nb_tx_queues()), filter_(filter) {
  uint64_t size = ring_size(ring_bytes ? ring_bytes : kDefaultRing);
  auto make = [&](uint16_t n, std::vector<std::unique_ptr<QRing>>& v) {
    for (uint16_t q = 0; q < n; q++) {
      auto r = std::make_unique<QRing>();
      r->ring = std::make_unique<ByteRing>(size);
      v.push_back(std::move(r));
    }
  };
  if (rx) make(port.nb_rx_queues(), rxr_);
  if (tx) make(port.tx_queue_slots(), txr_);  // a replay beside forwarding sends on the spare
}

void VerboseTap::rx(uint16_t q, Mbuf* const* pkts, uint16_t n) {
  if (q >= rxr_.size()) return;  // cannot happen: a port with new queues gets a new tap (cover)
  QRing& r = *rxr_[q];
  uint16_t staged = r.burst.stage(*r.ring, filter_, kSnap, q, kDirInbound, pkts, n);
  commit(r, staged);
}

void VerboseTap::tx_stage(uint16_t q, Mbuf* const* pkts, uint16_t n) {
  if (q >= txr_.size()) return;
  QRing& r = *txr_[q];
  r.burst.stage(*r.ring, filter_, kSnap, q, kDirOutbound, pkts, n);
}

void VerboseTap::tx_commit(uint16_t q, uint16_t sent) {
  if (q >= txr_.size()) return;
  QRing& r = *txr_[q];
  commit(r, std::min(sent, r.burst.staged()));  // only what the driver took was sent
}

void VerboseTap::commit(QRing& r, uint16_t k) {
  RecordStage::Prefix done = r.burst.prefix(k);
  r.ring->publish(done.head);
  if (done.lost) r.suppressed.add(done.lost);
}

void VerboseTap::drain(std::vector<VerboseRecord>& out, size_t max) {
  auto take = [&](std::vector<std::unique_ptr<QRing>>& v, bool tx) {
    for (auto& r : v) {
      while (out.size() < max) {
        const CapRecordHdr* h = r->ring->peek();
        if (!h) break;
        VerboseRecord rec;
        rec.port = port_id_;
        rec.queue = h->queue;
        rec.tx = tx;
        rec.ts_ns = h->ts_ns;
        rec.length = h->origlen;
        rec.caplen = h->caplen;
        const uint8_t* data = reinterpret_cast<const uint8_t*>(h + 1);
        rec.bytes.assign(data, data + h->caplen);
        r->ring->consume(h);
        rec.decoded = decode_packet(rec.bytes.data(), rec.caplen, rec.length);
        out.push_back(std::move(rec));
      }
      r->ring->release();
    }
  };
  take(rxr_, false);
  take(txr_, true);
}

uint64_t VerboseTap::take_suppressed() {
  uint64_t n = 0;
  for (auto* v : {&rxr_, &txr_}) {
    for (auto& r : *v) {
      uint64_t now = r->suppressed.get();
      n += now - r->reported;
      r->reported = now;
    }
  }
  return n;
}

// --------------------------------------------------------------- the manager

std::unique_ptr<VerboseTap> VerboseManager::make_tap(Port& p) const {
  bool rx = opts_.level != 2, tx = opts_.level >= 2;
  return std::make_unique<VerboseTap>(p, rx, tx, filter_, opts_.ring_bytes);
}

void VerboseManager::set(const std::vector<Port*>& ports, bool all, const VerboseOptions& o) {
  if (o.level > 5) throw Error("EINVAL_ARG", "verbose level " + std::to_string(o.level) + " is out of range 0..5");
  VerboseManager next;  // built aside: a bad filter or no memory changes nothing
  next.opts_ = o;
  next.filter_ = Filter::compile(o.filter);
  next.all_ = all;
  if (o.level > 0)
    for (Port* p : ports) {
      next.active_.push_back(next.make_tap(*p));
      next.chosen_.push_back(p->id());
    }
  retire_all();
  for (auto& t : next.active_) t->attach();
  active_ = std::move(next.active_);
  opts_ = o;
  filter_ = next.filter_;
  all_ = all;
  chosen_ = std::move(next.chosen_);
}

void VerboseManager::cover(Port& port) {
  if (opts_.level == 0) return;
  if (!all_ && std::find(chosen_.begin(), chosen_.end(), port.id()) == chosen_.end()) return;
  auto it = std::find_if(active_.begin(), active_.end(), [&](const auto& t) { return t->port_id() == port.id(); });
  if (it != active_.end() && (*it)->covers(port)) return;
  std::unique_ptr<VerboseTap> tap = make_tap(port);
  if (it != active_.end()) retire(it);
  tap->attach();
  active_.push_back(std::move(tap));
}

void VerboseManager::retire(std::vector<std::unique_ptr<VerboseTap>>::iterator it) {
  (*it)->detach();
  retired_.push_back(std::move(*it));
  active_.erase(it);
}

void VerboseManager::retire_all() {
  while (!active_.empty()) retire(active_.begin());
}

VerboseDrain VerboseManager::drain(size_t max) {
  VerboseDrain d;
  size_t n = std::min(max, orphans_.size());
  d.records.assign(std::make_move_iterator(orphans_.begin()), std::make_move_iterator(orphans_.begin() + n));
  orphans_.erase(orphans_.begin(), orphans_.begin() + n);
  d.suppressed = orphans_suppressed_;
  orphans_suppressed_ = 0;
  for (auto* v : {&retired_, &active_}) {
    for (auto& t : *v) {
      t->drain(d.records, max);
      d.suppressed += t->take_suppressed();
    }
  }
  // Each ring is in order; interleave them by time (rx of a packet before its tx).
  std::stable_sort(d.records.begin(), d.records.end(),
                   [](const VerboseRecord& a, const VerboseRecord& b) { return a.ts_ns < b.ts_ns; });
  return d;
}

void VerboseManager::forget_port(uint16_t port) noexcept {
  auto it = std::find_if(active_.begin(), active_.end(), [&](const auto& t) { return t->port_id() == port; });
  if (it != active_.end()) retire(it);
}

void VerboseManager::stop_all() noexcept {
  retire_all();
  opts_.level = 0;
}

void VerboseManager::release_retired() noexcept {
  if (opts_.level == 0) {  // verbose is off: nobody will show what they held
    retired_.clear();
    orphans_.clear();
    orphans_suppressed_ = 0;
    return;
  }
  try {
    for (auto& t : retired_) {
      std::vector<VerboseRecord> left;
      t->drain(left, kMaxOrphans);
      orphans_suppressed_ += t->take_suppressed();
      size_t room = kMaxOrphans - std::min(kMaxOrphans, orphans_.size());
      if (left.size() > room) {
        orphans_suppressed_ += left.size() - room;
        left.resize(room);
      }
      std::move(left.begin(), left.end(), std::back_inserter(orphans_));
    }
  } catch (const std::bad_alloc&) {
    orphans_.clear();  // out of memory: the lines are lost, the taps still freed
  }
  retired_.clear();
}

}  // namespace rs
