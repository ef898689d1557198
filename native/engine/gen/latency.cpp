// Receive-side measurement: see latency.h.
#include "latency.h"
#include <algorithm>
#include <map>

namespace rs::gen {

namespace {
constexpr uint64_t kMaxAgeNs = 60ull * 1000000000ull;
inline uint64_t ld(const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); }
inline void st(std::atomic<uint64_t>& a, uint64_t v) { a.store(v, std::memory_order_relaxed); }
}  // namespace

LatencyTracker::LatencyTracker() {
  for (auto& h : hist_) st(h, 0);
}

// Buckets 0..7 hold 0..7 ns exactly; above, octave o (2^o .. 2^(o+1)) is cut
// into 8 equal steps.
uint32_t LatencyTracker::bucket_of(uint64_t ns) {
  if (ns < 8) return static_cast<uint32_t>(ns);
  uint32_t o = 63 - __builtin_clzll(ns);
  if (o > 47) return kBuckets - 1;
  return (o - 2) * 8 + static_cast<uint32_t>((ns >> (o - 3)) & 7);
}
uint64_t LatencyTracker::bucket_lo(uint32_t b) {
  if (b < 8) return b;
  uint32_t o = b / 8 + 2;
  return (8ull + b % 8) << (o - 3);
}
uint64_t LatencyTracker::bucket_width(uint32_t b) { return b < 8 ? 1 : 1ull << (b / 8 - 1); }

LatencyTracker::Source* LatencyTracker::slot(uint16_t id) {
  // Open addressing; only this thread inserts, so a relaxed store publishes.
  for (uint32_t i = 0, h = (id * 2654435761u) >> 26; i < kSources; i++, h = (h + 1) % kSources) {
    uint32_t have = src_[h].id.load(std::memory_order_relaxed);
    if (have == id) return &src_[h];
    if (have == 0xffffffff) {
      src_[h].id.store(id, std::memory_order_relaxed);
      return &src_[h];
    }
  }
  return nullptr;
}

void LatencyTracker::record(const Stamp& s, uint64_t now_ns) {
  add(stamped_, 1);
  // Latency
  if (s.ts_ns > now_ns || now_ns - s.ts_ns > kMaxAgeNs) {
    add(bad_time_, 1);
  } else {
    uint64_t lat = now_ns - s.ts_ns;
    add(lat_count_, 1);
    add(lat_sum_, lat);
    if (lat < ld(lat_min_)) st(lat_min_, lat);
    if (lat > ld(lat_max_)) st(lat_max_, lat);
    add(hist_[bucket_of(lat)], 1);
  }
  // Sequence
  Source* src = slot(s.src);
  if (!src) {
    add(untracked_, 1);
    return;
  }
  auto bit = [&](uint64_t seq) -> uint64_t& { return src->window[(seq % kWindow) / 64]; };
  auto mask = [](uint64_t seq) { return 1ull << (seq % 64); };
  if (ld(src->unique) == 0) {
    st(src->first, s.seq);
    st(src->highest, s.seq);
    bit(s.seq) |= mask(s.seq);
    st(src->unique, 1);
    return;
  }
  // Extend the 32-bit sequence around the highest seen so far.
  uint64_t hi = ld(src->highest);
  int64_t delta = static_cast<int32_t>(s.seq - static_cast<uint32_t>(hi));
  if (delta < 0 && static_cast<uint64_t>(-delta) > hi) delta = -static_cast<int64_t>(hi);  // before the start
  uint64_t seq = hi + delta;
  if (delta > 0) {
    // Clear the window bits of the sequence numbers skipped over.
    if (static_cast<uint64_t>(delta) >= kWindow) {
      std::fill(std::begin(src->window), std::end(src->window), 0);
    } else {
      for (uint64_t q = hi + 1; q < seq; q++) bit(q) &= ~mask(q);
    }
    bit(seq) |= mask(seq);
    st(src->highest, seq);
    add(src->unique, 1);
  } else if (delta == 0 || hi - seq < kWindow) {
    if (bit(seq) & mask(seq)) {
      add(src->dups, 1);
    } else {
      bit(seq) |= mask(seq);
      add(src->unique, 1);
      add(src->reordered, 1);
    }
    if (seq < ld(src->first)) st(src->first, seq);
  } else {
    // Older than the window: late, cannot be told from a duplicate.
    add(src->unique, 1);
    add(src->reordered, 1);
    if (seq < ld(src->first)) st(src->first, seq);
  }
}

void LatencyTracker::record_burst(Mbuf* const* pkts, uint16_t n, uint64_t now_ns) {
  Stamp s;
  for (uint16_t i = 0; i < n; i++)
    if (find_stamp(pkts[i]->data(), pkts[i]->data_len, &s)) record(s, now_ns);
}

LatencyReport LatencyTracker::merge(const std::vector<const LatencyTracker*>& trackers) {
  LatencyReport r;
  struct Agg { uint64_t first = UINT64_MAX, highest = 0, unique = 0; };
  std::map<uint32_t, Agg> per_src;  // RSS may split one generator over several queues
  std::vector<uint64_t> hist(kBuckets, 0);
  uint64_t sum = 0, mn = UINT64_MAX, mx = 0;
  for (const LatencyTracker* t : trackers) {
    r.stamped += ld(t->stamped_);
    r.untracked += ld(t->untracked_);
    r.bad_time += ld(t->bad_time_);
    r.lat_count += ld(t->lat_count_);
    sum += ld(t->lat_sum_);
    mn = std::min(mn, ld(t->lat_min_));
    mx = std::max(mx, ld(t->lat_max_));
    for (uint32_t b = 0; b < kBuckets; b++) hist[b] += ld(t->hist_[b]);
    for (const Source& s : t->src_) {
      uint32_t id = s.id.load(std::memory_order_relaxed);
      uint64_t u = ld(s.unique);
      if (id == 0xffffffff || u == 0) continue;
      Agg& a = per_src[id];
      a.first = std::min(a.first, ld(s.first));
      a.highest = std::max(a.highest, ld(s.highest));
      a.unique += u;
      r.duplicates += ld(s.dups);
      r.reordered += ld(s.reordered);
    }
  }
  r.sources = per_src.size();
  for (const auto& [id, a] : per_src) {
    uint64_t exp = a.highest >= a.first ? a.highest - a.first + 1 : 0;
    r.expected += exp;
    r.unique += a.unique;
    r.lost += exp > a.unique ? exp - a.unique : 0;
  }
  if (r.lat_count) {
    r.min_ns = mn;
    r.max_ns = mx;
    r.avg_ns = sum / r.lat_count;
    auto pct = [&](double p) {
      uint64_t rank = static_cast<uint64_t>(p * static_cast<double>(r.lat_count) + 0.999999);
      rank = std::clamp<uint64_t>(rank, 1, r.lat_count);
      uint64_t cum = 0;
      for (uint32_t b = 0; b < kBuckets; b++) {
        cum += hist[b];
        if (cum >= rank) return std::clamp(bucket_lo(b) + bucket_width(b) / 2, mn, mx);
      }
      return mx;
    };
    r.p50_ns = pct(0.50);
    r.p99_ns = pct(0.99);
    // log2 octaves: [0,1), [1,2), [2,4), [4,8), ...
    std::map<uint32_t, uint64_t> oct;
    for (uint32_t b = 0; b < kBuckets; b++) {
      if (!hist[b]) continue;
      uint64_t lo = bucket_lo(b);
      uint32_t key = lo == 0 ? 0 : 64 - __builtin_clzll(lo);
      oct[key] += hist[b];
    }
    for (const auto& [key, count] : oct) {
      uint64_t lo = key == 0 ? 0 : 1ull << (key - 1);
      uint64_t hi = key == 0 ? 1 : 1ull << key;
      r.histogram.push_back({lo, hi, count});
    }
  }
  return r;
}

}  // namespace rs::gen
