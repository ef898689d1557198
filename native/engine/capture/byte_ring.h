// Single-producer/single-consumer ring of variable-size records (packet
// copies), used between one poll thread (one port queue) and one capture
// writer thread. Positions are free-running 64-bit byte counts; records are
// 8-byte aligned and never wrap: a record that does not fit before the end
// of the buffer is preceded by a wrap marker and starts at offset 0.
//
// The producer may write several records before publishing them, and then
// publish only a prefix (tx capture stages a burst before tx_burst and keeps
// only what the driver took).
#pragma once
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include "../barrier.h"

namespace rs {

struct CapRecordHdr {
  uint32_t size;     // whole record incl. this header, 8-byte aligned; kWrap marks a wrap
  uint32_t caplen;
  uint32_t origlen;
  uint16_t queue;
  uint8_t dir;       // kDirInbound / kDirOutbound
  uint8_t pad;
  uint64_t ts_ns;
};
static_assert(sizeof(CapRecordHdr) == 24);

// The records' clock: CLOCK_REALTIME in ns (vDSO: no system call).
inline uint64_t realtime_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

class ByteRing {
 public:
  static constexpr uint32_t kWrap = 0xffffffffu;

  explicit ByteRing(uint64_t capacity) : cap_(capacity), mask_(capacity - 1) {
    buf_ = static_cast<uint8_t*>(std::aligned_alloc(kCacheLine, capacity));
    if (!buf_) throw std::bad_alloc();
  }
  ~ByteRing() { std::free(buf_); }
  ByteRing(const ByteRing&) = delete;
  ByteRing& operator=(const ByteRing&) = delete;

  uint64_t capacity() const { return cap_; }

  // ---- producer
  // Space for a record of `size` bytes (multiple of 8) at the unpublished
  // head, or nullptr when the ring is full. Advances the private head.
  inline uint8_t* reserve(uint32_t size) {
    uint64_t off = phead_ & mask_;
    uint64_t to_end = cap_ - off;
    uint64_t need = size <= to_end ? size : to_end + size;
    // acquire pairs with the consumer's release of tail_: its reads of the
    // bytes being reused are complete.
    if (phead_ + need - ctail_cache_ > cap_) {
      ctail_cache_ = tail_.load(std::memory_order_acquire);
      if (phead_ + need - ctail_cache_ > cap_) return nullptr;
    }
    if (size > to_end) {
      uint32_t w = kWrap;
      std::memcpy(buf_ + off, &w, 4);  // to_end >= 8: positions stay 8-aligned
      phead_ += to_end;
      off = 0;
    }
    phead_ += size;
    return buf_ + off;
  }
  uint64_t private_head() const { return phead_; }
  // Publishes everything up to position `upto` (<= the private head) and
  // forgets anything reserved after it.
  inline void publish(uint64_t upto) {
    phead_ = upto;
    // release pairs with the consumer's acquire of head_: record bytes first.
    head_.store(upto, std::memory_order_release);
  }

  // ---- consumer
  // The next record, or nullptr when the ring is empty; consume() releases it.
  inline const CapRecordHdr* peek() {
    for (;;) {
      if (ctail_ == phead_cache_) {
        phead_cache_ = head_.load(std::memory_order_acquire);
        if (ctail_ == phead_cache_) return nullptr;
      }
      const uint8_t* p = buf_ + (ctail_ & mask_);
      uint32_t sz;
      std::memcpy(&sz, p, 4);
      if (sz == kWrap) {
        ctail_ += cap_ - (ctail_ & mask_);
        continue;
      }
      return reinterpret_cast<const CapRecordHdr*>(p);
    }
  }
  inline void consume(const CapRecordHdr* r) { ctail_ += r->size; }
  // Makes consumed space available to the producer.
  inline void release() { tail_.store(ctail_, std::memory_order_release); }

 private:
  uint8_t* buf_;
  const uint64_t cap_, mask_;
  alignas(kCacheLine) std::atomic<uint64_t> head_{0};  // published by the producer
  uint64_t phead_ = 0, ctail_cache_ = 0;               // producer-private
  alignas(kCacheLine) std::atomic<uint64_t> tail_{0};  // released by the consumer
  uint64_t ctail_ = 0, phead_cache_ = 0;               // consumer-private
};

}  // namespace rs
