// Receive-side measurement of generated traffic (rxonly, flowgen): per
// generator (the stamp's source id) sequence tracking — loss, duplicates,
// reordering — and a latency histogram with log2 octaves split into 8
// linear steps (so p50/p99 are within 1/8 of an octave). One tracker per
// receiving stream, written by its poll thread only with relaxed stores;
// snapshot() merges the trackers of a port from the control thread at any
// time (figures taken while running may be a few packets apart).
#pragma once
#include <atomic>
#include <cstdint>
#include <vector>
#include "template.h"

namespace rs::gen {

struct LatencyReport {
  uint64_t stamped = 0;     // packets with a stamp, counted
  uint64_t unique = 0;      // distinct sequence numbers among them
  uint64_t expected = 0;    // per source: highest - lowest sequence seen + 1, summed
  uint64_t lost = 0;        // expected - unique (packets after the last one seen are not known lost)
  uint64_t duplicates = 0;
  uint64_t reordered = 0;   // arrived after a higher sequence number of the same source
  uint64_t sources = 0;     // generators heard from
  uint64_t untracked = 0;   // stamped packets from sources beyond the table size
  uint64_t bad_time = 0;    // stamps with a timestamp in the future or older than 60 s
  uint64_t lat_count = 0;
  uint64_t min_ns = 0, max_ns = 0, avg_ns = 0, p50_ns = 0, p99_ns = 0;
  struct Bucket { uint64_t lo_ns, hi_ns, count; };  // [lo, hi)
  std::vector<Bucket> histogram;  // log2 octaves with packets
};

class LatencyTracker {
 public:
  static constexpr uint32_t kSources = 64;
  static constexpr uint32_t kWindow = 1024;  // duplicates are detected within this many sequence numbers
  static constexpr uint32_t kBuckets = 46 * 8;  // 0..7 ns exactly, then octaves 2^3 .. 2^48 ns

  LatencyTracker();
  // Poll thread: one stamped packet received at now_ns.
  void record(const Stamp& st, uint64_t now_ns);
  // Poll thread: looks for a stamp in each frame and records it.
  void record_burst(Mbuf* const* pkts, uint16_t n, uint64_t now_ns);

  static LatencyReport merge(const std::vector<const LatencyTracker*>& trackers);
  static uint32_t bucket_of(uint64_t ns);
  static uint64_t bucket_lo(uint32_t b);
  static uint64_t bucket_width(uint32_t b);

 private:
  struct Source {
    std::atomic<uint32_t> id{0xffffffff};  // 0xffffffff: free slot
    std::atomic<uint64_t> first{0}, highest{0}, unique{0}, dups{0}, reordered{0};
    uint64_t window[kWindow / 64] = {};  // poll thread only: bit (seq % kWindow) set when seen
  };
  Source* slot(uint16_t id);
  static void add(std::atomic<uint64_t>& c, uint64_t n) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  Source src_[kSources];
  std::atomic<uint64_t> stamped_{0}, untracked_{0}, bad_time_{0};
  std::atomic<uint64_t> lat_count_{0}, lat_sum_{0}, lat_min_{UINT64_MAX}, lat_max_{0};
  std::atomic<uint64_t> hist_[kBuckets];
};

}  // namespace rs::gen
