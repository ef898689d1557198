// One burst's packet copies on their way into a ByteRing, shared by capture
// and `set verbose`. stage() runs the filter over the burst and writes a
// record (CapRecordHdr + the first `snap` bytes) for each packet it keeps,
// behind the ring's private head. For rx every packet was received; for tx
// only what the driver took was sent, so the owner then publishes the
// records of the first `k` packets (prefix) and forgets the rest.
//
// Producer-private: one per ring, used by that ring's poll thread only.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include "byte_ring.h"
#include "filter.h"

namespace rs {

class RecordStage {
 public:
  static constexpr uint16_t kMaxBurst = 1024;  // packets beyond this in one burst are not looked at

  // Returns how many packets of the burst were looked at.
  uint16_t stage(ByteRing& ring, const Filter& filter, uint32_t snap, uint16_t q, uint8_t dir, Mbuf* const* pkts,
                 uint16_t n) {
    base_ = ring.private_head();
    staged_ = std::min(n, kMaxBurst);
    kept_ = filter.select(pkts, staged_, index_);
    uint64_t ts = 0;
    uint32_t lost = 0;
    for (uint16_t j = 0; j < kept_; j++) {
      const Mbuf* m = pkts[index_[j]];
      uint32_t len = m->data_len;
      uint32_t cap = len < snap ? len : snap;
      uint32_t size = (static_cast<uint32_t>(sizeof(CapRecordHdr)) + cap + 7u) & ~7u;
      if (uint8_t* p = ring.reserve(size)) {
        if (ts == 0) ts = realtime_ns();  // one clock read per burst, only when something is kept
        CapRecordHdr h{size, cap, len, q, dir, 0, ts};
        std::memcpy(p, &h, sizeof h);
        std::memcpy(p + sizeof h, m->data(), cap);
      } else {
        lost++;  // the ring is full: the reader is behind
      }
      mark_[j] = ring.private_head();
      lost_[j] = lost;
    }
    return staged_;
  }

  // What the first k packets (k <= staged) amount to.
  struct Prefix {
    uint64_t head;     // the ring's head after their records
    uint32_t matched;  // packets the filter kept
    uint32_t lost;     // of those, records that did not fit
  };
  Prefix prefix(uint16_t k) const {
    uint16_t j = static_cast<uint16_t>(std::lower_bound(index_, index_ + kept_, k) - index_);
    if (j == 0) return {base_, 0, 0};
    return {mark_[j - 1], j, lost_[j - 1]};
  }
  // The head after the first `records` records written (a count limit
  // reached inside the burst).
  uint64_t head_after_records(uint32_t records) const {
    uint64_t head = base_;
    for (uint16_t j = 0; j < kept_ && j + 1u - lost_[j] <= records; j++) head = mark_[j];
    return head;
  }
  uint16_t staged() const { return staged_; }

 private:
  uint64_t base_ = 0;
  uint16_t staged_ = 0, kept_ = 0;
  uint16_t index_[kMaxBurst];  // the kept packets' indices in the burst, ascending
  uint64_t mark_[kMaxBurst];   // ring head after the j-th kept packet's record
  uint32_t lost_[kMaxBurst];   // records lost among the first j+1 kept packets
};

}  // namespace rs
