// Token-bucket pacer for one generating stream. Tokens are packets (pps) or
// bytes (Mbit/s); they accrue continuously from CLOCK_MONOTONIC time. A
// stream that polls often finds a token or two each pass, so packets leave
// spread evenly over the second (never as a burst at its start). The bucket
// holds at most `cap_tokens`: a stream that was descheduled catches up that
// much (the caller still sends at most one burst per pass), and beyond that
// the lost time is forgotten rather than flooded out.
// Integer arithmetic in tokens x 1e9 (token-nanoseconds): no drift.
#pragma once
#include <algorithm>
#include <cstdint>

namespace rs::gen {

class Pacer {
 public:
  // rate: tokens per second (0 = unpaced: available() is unlimited).
  void init(uint64_t rate_per_s, uint64_t cap_tokens, uint64_t now_ns) {
    rate_ = rate_per_s;
    cap_ = static_cast<unsigned __int128>(std::max<uint64_t>(cap_tokens, 1)) * kScale;
    credit_ = 0;  // start empty: the first packet leaves after 1/rate
    last_ns_ = now_ns;
  }
  bool paced() const { return rate_ != 0; }

  // Whole tokens available now (after accruing since the last call).
  uint64_t available(uint64_t now_ns) {
    if (!rate_) return UINT64_MAX;
    if (now_ns > last_ns_) {
      credit_ += static_cast<unsigned __int128>(now_ns - last_ns_) * rate_;
      if (credit_ > cap_) credit_ = cap_;
      last_ns_ = now_ns;
    }
    return static_cast<uint64_t>(credit_ / kScale);
  }
  void consume(uint64_t tokens) {
    if (!rate_) return;
    unsigned __int128 c = static_cast<unsigned __int128>(tokens) * kScale;
    credit_ = c > credit_ ? 0 : credit_ - c;
  }

 private:
  static constexpr uint64_t kScale = 1000000000ull;  // ns per second
  uint64_t rate_ = 0;
  unsigned __int128 cap_ = 0, credit_ = 0;
  uint64_t last_ns_ = 0;
};

}  // namespace rs::gen
