#include "capture.h"
#include <algorithm>
#include <ctime>
#include "../error.h"

namespace rs {

namespace {

uint64_t pow2_floor(uint64_t v) {
  uint64_t p = 1;
  while (p * 2 <= v) p *= 2;
  return p;
}

// The rings share a 64 MiB budget; one ring may take half of it: at 8 Mpps of
// 64-byte packets (88-byte records) 32 MiB absorbs a writer stalled ~45 ms
// by the scheduler on a busy machine.
constexpr uint64_t kMinRing = 1ull << 20, kMaxRing = 32ull << 20, kRingBudget = 64ull << 20;

}  // namespace

// ------------------------------------------------------------------ capture

Capture::Totals Capture::totals() const {
  Totals t;
  for (auto* v : {&rxr_, &txr_})
    for (auto& r : *v) {
      t.seen += r->seen.get();
      t.matched += r->matched.get();
      t.dropped += r->dropped.get();
    }
  t.dropped += uncovered_.load(std::memory_order_relaxed);  // packets of queues without a ring
  return t;
}

Capture::Capture(Port& port, const CaptureOptions& o, EventQueue* events) : port_(port), opts_(o), events_(events) {
  filter_ = Filter::compile(o.filter);
  snaplen_ = (o.snaplen == 0 || o.snaplen > kPcapMaxRecordLen) ? kPcapMaxRecordLen : o.snaplen;
  if (o.count) remaining_.store(o.count, std::memory_order_relaxed);
  uint32_t nrings = (o.rx ? port.nb_rx_queues() : 0) + (o.tx ? port.tx_queue_slots() : 0);
  uint64_t ring = o.ring_bytes ? pow2_floor(std::max<uint64_t>(o.ring_bytes, 1ull << 16))
                               : std::clamp<uint64_t>(pow2_floor(kRingBudget / std::max(nrings, 1u)), kMinRing, kMaxRing);
  opts_.ring_bytes = ring;
  auto make = [&](uint16_t n, std::vector<std::unique_ptr<QRing>>& v) {
    for (uint16_t q = 0; q < n; q++) {
      auto r = std::make_unique<QRing>();
      r->ring = std::make_unique<ByteRing>(ring);
      v.push_back(std::move(r));
    }
  };
  if (o.rx) make(port.nb_rx_queues(), rxr_);
  if (o.tx) make(port.tx_queue_slots(), txr_);  // a replay beside forwarding sends on the spare
  if (o.pcapng) pcapng_.open(o.path, snaplen_, kLinktypeEthernet, port.name());
  else pcap_.open(o.path, snaplen_, kLinktypeEthernet, true);
  start_ns_ = realtime_ns();
  file_bytes_.store(o.pcapng ? pcapng_.bytes() : pcap_.bytes(), std::memory_order_relaxed);
  writer_ = std::thread(&Capture::writer_main, this);
  port_.set_tap(this);
}

Capture::~Capture() {
  try {
    finish("stopped");
  } catch (...) {
  }
}

// A poll thread enters the tap. seq_cst on both sides (here and in finish):
// either the poll thread sees enabled_ false, or finish() sees it in flight.
inline bool Capture::enter() {
  inflight_.fetch_add(1, std::memory_order_seq_cst);
  if (!enabled_.load(std::memory_order_seq_cst)) {
    inflight_.fetch_sub(1, std::memory_order_release);
    return false;
  }
  return true;
}
inline void Capture::leave() { inflight_.fetch_sub(1, std::memory_order_release); }

uint32_t Capture::claim(uint32_t want) {
  if (!opts_.count || want == 0) return want;
  uint64_t cur = remaining_.load(std::memory_order_relaxed);
  uint64_t take;
  do {
    take = std::min<uint64_t>(cur, want);
    if (take == 0) return 0;
  } while (!remaining_.compare_exchange_weak(cur, cur - take, std::memory_order_relaxed));
  return static_cast<uint32_t>(take);
}

void Capture::commit(QRing& r, uint16_t k) {
  k = std::min(k, r.burst.staged());
  RecordStage::Prefix done = r.burst.prefix(k);
  uint32_t recs = done.matched - done.lost;
  uint32_t keep = claim(recs);
  // A count limit reached inside this burst publishes only the first `keep` records.
  r.ring->publish(keep < recs ? r.burst.head_after_records(keep) : done.head);
  r.seen.add(k);
  r.matched.add(done.matched);
  if (done.lost) r.dropped.add(done.lost);
}

void Capture::rx(uint16_t q, Mbuf* const* pkts, uint16_t n) {
  if (!enter()) return;
  if (q < rxr_.size()) {
    if (remaining_.load(std::memory_order_relaxed) != 0) {
      QRing& r = *rxr_[q];
      r.burst.stage(*r.ring, filter_, snaplen_, q, kDirInbound, pkts, n);
      commit(r, n);
    }
  } else if (opts_.rx) {
    uncovered_.fetch_add(n, std::memory_order_relaxed);
  }
  leave();
}

void Capture::tx_stage(uint16_t q, Mbuf* const* pkts, uint16_t n) {
  if (q < txr_.size()) {
    QRing& r = *txr_[q];
    r.active = false;
    if (!enter()) return;  // tx_commit then finds nothing staged
    if (remaining_.load(std::memory_order_relaxed) == 0) { leave(); return; }
    r.burst.stage(*r.ring, filter_, snaplen_, q, kDirOutbound, pkts, n);
    r.active = true;
  }
}

void Capture::tx_commit(uint16_t q, uint16_t sent) {
  if (q < txr_.size()) {
    QRing& r = *txr_[q];
    if (!r.active) return;
    r.active = false;
    commit(r, sent);
    leave();
  } else if (opts_.tx && sent) {
    uncovered_.fetch_add(sent, std::memory_order_relaxed);
  }
}

void Capture::write_record(const CapRecordHdr* h) {
  const uint8_t* data = reinterpret_cast<const uint8_t*>(h + 1);
  bool ok = opts_.pcapng ? pcapng_.write(h->ts_ns, data, h->caplen, h->origlen, h->dir, h->queue)
                         : pcap_.write(h->ts_ns, data, h->caplen, h->origlen);
  if (ok) written_.fetch_add(1, std::memory_order_relaxed);
}

uint64_t Capture::drain_once() {
  uint64_t moved = 0;
  auto drain = [&](std::vector<std::unique_ptr<QRing>>& v) {
    for (auto& r : v) {
      unsigned n = 0;
      while (const CapRecordHdr* h = r->ring->peek()) {
        write_record(h);
        r->ring->consume(h);
        if (++n % 64 == 0) r->ring->release();
      }
      r->ring->release();
      moved += n;
    }
  };
  drain(rxr_);
  drain(txr_);
  if (moved) file_bytes_.store(opts_.pcapng ? pcapng_.bytes() : pcap_.bytes(), std::memory_order_relaxed);
  return moved;
}

void Capture::writer_main() {
  bool dirty = false, count_done = false;
  for (;;) {
    bool stopping = stop_.load(std::memory_order_acquire);
    uint64_t moved = drain_once();
    if (moved) dirty = true;
    count_done = opts_.count && written_.load(std::memory_order_relaxed) >= opts_.count;
    if (stopping || count_done) {
      // stop_ was set after every producer left: one more pass takes the rest.
      drain_once();
      break;
    }
    if (!moved) {
      if (dirty) {
        // Rings ran dry: put what we have on disk, in whole records.
        try {
          if (opts_.pcapng) pcapng_.flush();
          else pcap_.flush();
        } catch (const Error& e) {
          error_ = e.what();
        }
        dirty = false;
      }
      timespec ts{0, 1000000};  // 1 ms
      ::nanosleep(&ts, nullptr);
    }
  }
  end_ns_ = realtime_ns();
  file_bytes_.store(opts_.pcapng ? pcapng_.bytes() : pcap_.bytes(), std::memory_order_relaxed);
  try {
    if (opts_.pcapng) {
      Totals t = totals();
      pcapng_.write_stats(end_ns_, start_ns_, end_ns_, t.seen, t.dropped);
      pcapng_.close();
    } else {
      pcap_.close();
    }
  } catch (const Error& e) {
    if (error_.empty()) error_ = e.what();
  }
  // Before writer_done_: from then on the control thread may free us.
  if (count_done && events_) {
    Event ev;
    ev.name = "capture_done";
    ev.ports = {port_.id()};
    ev.values = {{"file", opts_.path},
                 {"captured", std::to_string(written_.load(std::memory_order_relaxed))},
                 {"dropped", std::to_string(totals().dropped)}};
    if (!error_.empty()) ev.values.emplace_back("error", error_);
    events_->push(std::move(ev));
  }
  writer_done_.store(true, std::memory_order_release);
}

void Capture::finish(const char* final_state) {
  if (finished_) return;
  finished_ = true;
  enabled_.store(false, std::memory_order_seq_cst);
  if (port_.tap() == this) port_.set_tap(nullptr);
  while (inflight_.load(std::memory_order_seq_cst) != 0) {
    timespec ts{0, 50000};
    ::nanosleep(&ts, nullptr);
  }
  stop_.store(true, std::memory_order_release);
  if (writer_.joinable()) writer_.join();
  state_ = !error_.empty() ? "failed" : final_state;
}

CaptureStatus Capture::status() const {
  CaptureStatus s;
  s.port = port_.id();
  s.port_name = port_.name();
  s.path = opts_.path;
  s.format = opts_.pcapng ? "pcapng" : "pcap";
  s.filter = opts_.filter;
  s.rx = opts_.rx;
  s.tx = opts_.tx;
  s.snaplen = snaplen_;
  s.count_limit = opts_.count;
  s.ring_bytes = opts_.ring_bytes;
  s.rings = static_cast<uint32_t>(rxr_.size() + txr_.size());
  Totals t = totals();
  s.seen = t.seen;
  s.matched = t.matched;
  s.dropped = t.dropped;
  s.captured = written_.load(std::memory_order_relaxed);
  s.start_ns = start_ns_;
  bool done = writer_done_.load(std::memory_order_acquire);
  s.file_bytes = done ? (opts_.pcapng ? pcapng_.bytes() : pcap_.bytes()) : file_bytes_.load(std::memory_order_relaxed);
  s.duration_ns = (done ? end_ns_ : realtime_ns()) - start_ns_;
  if (finished_) s.state = state_;
  else s.state = done ? (error_.empty() ? "done" : "failed") : "running";
  if (done) s.error = error_;
  return s;
}

// ------------------------------------------------------------------ manager

void CaptureManager::reap() {
  for (auto it = active_.begin(); it != active_.end();) {
    if ((*it)->complete()) {
      (*it)->finish("done");
      finished_.push_back((*it)->status());
      it = retire(it);
    } else {
      ++it;
    }
  }
  if (finished_.size() > 64) finished_.erase(finished_.begin(), finished_.begin() + (finished_.size() - 64));
}

CaptureStatus CaptureManager::start(Port& port, const CaptureOptions& o) {
  reap();
  for (auto& c : active_) {
    if (c->port_id() == port.id())
      throw Error("ECAPTURE_BUSY", "port " + std::to_string(port.id()) + " is already capturing to '" + c->path() +
                                       "': stop it first ('capture stop " + std::to_string(port.id()) + "')");
    if (c->path() == o.path)
      throw Error("ECAPTURE_BUSY", "'" + o.path + "' is being written by the capture on port " +
                                       std::to_string(c->port_id()) + ": choose another file");
  }
  if (port.closed())
    throw Error("EPORT_CLOSED", "port " + std::to_string(port.id()) + " is closed: attach it again to capture on it");
  if (o.path.empty()) throw Error("EINVAL_ARG", "capture needs a file: 'capture start PORT file PATH'");
  if (!o.rx && !o.tx) throw Error("EINVAL_ARG", "capture needs a direction: rx, tx or both");
  if (port.tap())
    throw Error("ECAPTURE_BUSY", "port " + std::to_string(port.id()) + " already has a packet tap");
  auto c = std::make_unique<Capture>(port, o, events_);
  CaptureStatus s = c->status();
  active_.push_back(std::move(c));
  return s;
}

std::vector<CaptureStatus> CaptureManager::stop(int port) {
  reap();
  std::vector<CaptureStatus> out;
  for (auto it = active_.begin(); it != active_.end();) {
    if (port < 0 || (*it)->port_id() == port) {
      (*it)->finish("stopped");
      out.push_back((*it)->status());
      finished_.push_back(out.back());
      it = retire(it);
    } else {
      ++it;
    }
  }
  if (out.empty())
    throw Error("ENO_CAPTURE", port < 0 ? std::string("no capture is running ('show capture' lists finished ones)")
                                        : "no capture is running on port " + std::to_string(port) +
                                              " ('show capture' lists the captures)");
  return out;
}

std::vector<CaptureStatus> CaptureManager::list() {
  reap();
  std::vector<CaptureStatus> out;
  for (auto& c : active_) out.push_back(c->status());
  out.insert(out.end(), finished_.begin(), finished_.end());
  return out;
}

void CaptureManager::stop_port(uint16_t port) noexcept {
  for (auto it = active_.begin(); it != active_.end();) {
    if ((*it)->port_id() == port) {
      (*it)->finish((*it)->complete() ? "done" : "stopped");
      finished_.push_back((*it)->status());
      it = retire(it);
    } else {
      ++it;
    }
  }
}

void CaptureManager::stop_all() noexcept {
  for (auto& c : active_) {
    c->finish(c->complete() ? "done" : "stopped");
    finished_.push_back(c->status());
    retired_.push_back(std::move(c));
  }
  active_.clear();
}

// A poll thread may have loaded a tap pointer just before finish() removed
// it, and still calls enter() on it: a finished capture is kept until no poll
// thread runs, then freed here.
std::vector<std::unique_ptr<Capture>>::iterator CaptureManager::retire(std::vector<std::unique_ptr<Capture>>::iterator it) {
  retired_.push_back(std::move(*it));
  return active_.erase(it);
}

void CaptureManager::release_retired() noexcept { retired_.clear(); }

}  // namespace rs
