// Receive-side measurement (gen/latency.h): loss, duplicates, reordering,
// sequence wrap, merging queues, and latency statistics.
#include <memory>
#include "gen/latency.h"
#include "harness.h"

using namespace rs;
using namespace rs::gen;

namespace {
Stamp stamp(uint16_t src, uint32_t seq, uint64_t ts) { return Stamp{kStampMagic, src, seq, ts}; }
LatencyReport report(const LatencyTracker& t) { return LatencyTracker::merge({&t}); }
}  // namespace

TEST(latency_buckets_are_ordered_and_cover) {
  uint64_t prev_lo = 0;
  for (uint32_t b = 1; b < LatencyTracker::kBuckets; b++) {
    uint64_t lo = LatencyTracker::bucket_lo(b);
    CHECK(lo > prev_lo || b == 0);
    CHECK_EQ(lo, LatencyTracker::bucket_lo(b - 1) + LatencyTracker::bucket_width(b - 1));
    CHECK_EQ(LatencyTracker::bucket_of(lo), b);
    CHECK_EQ(LatencyTracker::bucket_of(lo + LatencyTracker::bucket_width(b) - 1), b);
    prev_lo = lo;
  }
}

TEST(latency_in_order_stream_has_no_loss) {
  auto t = std::make_unique<LatencyTracker>();
  for (uint32_t i = 0; i < 5000; i++) t->record(stamp(1, i, 1000), 1000 + 2000);
  LatencyReport r = report(*t);
  CHECK_EQ(r.stamped, 5000u);
  CHECK_EQ(r.unique, 5000u);
  CHECK_EQ(r.expected, 5000u);
  CHECK_EQ(r.lost, 0u);
  CHECK_EQ(r.duplicates, 0u);
  CHECK_EQ(r.reordered, 0u);
  CHECK_EQ(r.sources, 1u);
  CHECK_EQ(r.min_ns, 2000u);
  CHECK_EQ(r.max_ns, 2000u);
  CHECK_EQ(r.avg_ns, 2000u);
  CHECK_EQ(r.p50_ns, 2000u);
}

TEST(latency_loss_dups_reorder) {
  auto t = std::make_unique<LatencyTracker>();
  // 0..99 minus 10..19 (lost), 50 twice (dup), 60 and 61 swapped (reorder).
  for (uint32_t i = 0; i < 100; i++) {
    if (i >= 10 && i < 20) continue;
    if (i == 60) { t->record(stamp(3, 61, 0), 10); t->record(stamp(3, 60, 0), 10); continue; }
    if (i == 61) continue;
    t->record(stamp(3, i, 0), 10);
    if (i == 50) t->record(stamp(3, 50, 0), 10);
  }
  LatencyReport r = report(*t);
  CHECK_EQ(r.expected, 100u);
  CHECK_EQ(r.unique, 90u);
  CHECK_EQ(r.lost, 10u);
  CHECK_EQ(r.duplicates, 1u);
  CHECK_EQ(r.reordered, 1u);
  // A late arrival of a "lost" one: no longer lost, counted reordered.
  t->record(stamp(3, 15, 0), 10);
  r = report(*t);
  CHECK_EQ(r.lost, 9u);
  CHECK_EQ(r.reordered, 2u);
}

TEST(latency_sequence_wraps_and_sources_are_separate) {
  auto t = std::make_unique<LatencyTracker>();
  for (uint64_t i = 0xfffffff0ull; i < 0x100000010ull; i++) t->record(stamp(1, uint32_t(i), 0), 1);
  for (uint32_t i = 0; i < 10; i++) t->record(stamp(2, i, 0), 1);
  LatencyReport r = report(*t);
  CHECK_EQ(r.sources, 2u);
  CHECK_EQ(r.unique, 42u);
  CHECK_EQ(r.lost, 0u);
  CHECK_EQ(r.reordered, 0u);
  CHECK_EQ(r.duplicates, 0u);
}

TEST(latency_merge_over_queues_counts_loss_once) {
  // One generator's packets split over two rx queues (RSS): no loss.
  auto a = std::make_unique<LatencyTracker>(), b = std::make_unique<LatencyTracker>();
  for (uint32_t i = 0; i < 1000; i++) (i % 3 ? a : b)->record(stamp(9, i, 0), 5);
  LatencyReport r = LatencyTracker::merge({a.get(), b.get()});
  CHECK_EQ(r.expected, 1000u);
  CHECK_EQ(r.lost, 0u);
  CHECK_EQ(r.sources, 1u);
}

TEST(latency_percentiles_and_histogram) {
  auto t = std::make_unique<LatencyTracker>();
  // 1000 packets: latency i us for i in 1..1000.
  for (uint32_t i = 1; i <= 1000; i++) t->record(stamp(1, i, 0), uint64_t(i) * 1000);
  LatencyReport r = report(*t);
  CHECK_EQ(r.min_ns, 1000u);
  CHECK_EQ(r.max_ns, 1000000u);
  CHECK_EQ(r.avg_ns, 500500u);
  // Within one 1/8-octave step (12.5%).
  CHECK(r.p50_ns > 500000 * 0.88 && r.p50_ns < 500000 * 1.13);
  CHECK(r.p99_ns > 990000 * 0.88 && r.p99_ns <= 1000000);
  uint64_t n = 0;
  for (const auto& b : r.histogram) {
    CHECK(b.hi_ns == b.lo_ns * 2 || b.lo_ns == 0);
    n += b.count;
  }
  CHECK_EQ(n, 1000u);
  // Timestamps from the future or far past are not latencies.
  t->record(stamp(1, 1001, 5000), 10);
  t->record(stamp(1, 1002, 0), 100ull * 1000000000ull);
  r = report(*t);
  CHECK_EQ(r.bad_time, 2u);
  CHECK_EQ(r.lat_count, 1000u);
}
