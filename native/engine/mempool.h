// Fixed-size mbuf pool: one contiguous allocation, free mbufs in a
// multi-producer/multi-consumer Ring, and a small per-lcore cache so the
// common case (alloc and free on the same poll thread) touches no shared line.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>
#include "barrier.h"
#include "lcore.h"
#include "mbuf.h"
#include "ring.h"

namespace rs {

class Mempool {
 public:
  static constexpr uint32_t kCacheSize = 256;
  static constexpr uint16_t kDefaultHeadroom = 128;
  static constexpr uint16_t kDefaultDataRoom = 2048;

  // Throws rs::Error (ENOMEM) on failure.
  Mempool(std::string name, uint32_t count, uint16_t data_room = kDefaultDataRoom,
          uint16_t headroom = kDefaultHeadroom);
  ~Mempool();
  Mempool(const Mempool&) = delete;
  Mempool& operator=(const Mempool&) = delete;

  const std::string& name() const { return name_; }
  uint32_t size() const { return count_; }
  uint16_t data_room() const { return data_room_; }
  uint16_t headroom() const { return headroom_; }
  // Mbufs in the ring plus all lcore caches. Exact when no poll thread runs.
  uint32_t available() const;
  uint32_t in_use() const { return count_ - available(); }
  uint64_t alloc_failures() const { return alloc_fail_.get(); }

  // Allocate exactly n or none; returns n or 0. Mbufs come reset (data_off =
  // headroom, data_len = 0).
  inline uint32_t alloc_bulk(Mbuf** out, uint32_t n);
  inline Mbuf* alloc() { Mbuf* m; return alloc_bulk(&m, 1) ? m : nullptr; }
  // Return mbufs of this pool.
  inline void put_bulk(Mbuf* const* in, uint32_t n);

  // Give this lcore's cached mbufs back to the ring (poll thread exit).
  void flush_cache(unsigned lcore);
  bool owns(const Mbuf* m) const;

  // Diagnostics (`show mempool`). index_of: the mbuf's number in the pool.
  uint32_t index_of(const Mbuf* m) const {
    return static_cast<uint32_t>(static_cast<std::size_t>(reinterpret_cast<const uint8_t*>(m) - mem_) / elt_size_);
  }
  // (lcore, mbufs cached) for every lcore whose cache is not empty; relaxed
  // reads of the published lengths, so safe while poll threads run.
  std::vector<std::pair<unsigned, uint32_t>> cache_occupancy() const;
  // Every mbuf neither in the free ring nor in an lcore cache, in pool
  // order. Reads the caches' contents, which only their poll threads
  // write: call it only while no poll thread runs.
  std::vector<const Mbuf*> in_use_mbufs() const;

 private:
  struct alignas(kCacheLine) Cache {
    uint32_t len = 0;
    std::atomic<uint32_t> published_len{0};  // len mirrored for available()
    Mbuf* objs[kCacheSize * 3];  // room for a full spill threshold plus one burst
  };
  inline void reset(Mbuf* m) { m->data_off = headroom_; m->data_len = 0; m->hash = 0; m->timestamp = 0; m->seqn = 0; m->flags = 0; }

  std::string name_;
  uint32_t count_;
  uint16_t data_room_, headroom_;
  uint32_t elt_size_;
  uint8_t* mem_ = nullptr;
  Ring* ring_ = nullptr;
  Cache* caches_ = nullptr;  // kMaxLcores entries
  Counter alloc_fail_;
};

inline uint32_t Mempool::alloc_bulk(Mbuf** out, uint32_t n) {
  unsigned lc = this_lcore();
  if (lc < kMaxLcores && n <= kCacheSize) {
    Cache& c = caches_[lc];
    if (c.len < n) {
      // Refill to kCacheSize + n in one ring operation.
      uint32_t want = kCacheSize + n - c.len;
      uint32_t got = ring_->dequeue_burst(reinterpret_cast<void**>(&c.objs[c.len]), want);
      c.len += got;
      if (c.len < n) { store_relaxed(c.published_len, c.len); alloc_fail_.v.fetch_add(1, std::memory_order_relaxed); return 0; }
    }
    for (uint32_t i = 0; i < n; i++) { out[i] = c.objs[c.len - 1 - i]; reset(out[i]); }
    c.len -= n;
    store_relaxed(c.published_len, c.len);
    return n;
  }
  if (ring_->dequeue_bulk(reinterpret_cast<void**>(out), n) != n) {
    alloc_fail_.v.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  for (uint32_t i = 0; i < n; i++) reset(out[i]);
  return n;
}

inline void Mempool::put_bulk(Mbuf* const* in, uint32_t n) {
  unsigned lc = this_lcore();
  if (lc < kMaxLcores && n <= kCacheSize) {
    Cache& c = caches_[lc];
    for (uint32_t i = 0; i < n; i++) c.objs[c.len + i] = in[i];
    c.len += n;
    if (c.len >= kCacheSize + kCacheSize / 2) {
      // Spill down to kCacheSize/2 so the next refills and spills are rare.
      uint32_t spill = c.len - kCacheSize / 2;
      ring_->enqueue_bulk(reinterpret_cast<void* const*>(&c.objs[c.len - spill]), spill);
      c.len -= spill;
    }
    store_relaxed(c.published_len, c.len);
    return;
  }
  // The ring holds every mbuf of the pool, so this never runs out of room.
  ring_->enqueue_bulk(reinterpret_cast<void* const*>(in), n);
}

// Free mbufs that may come from different pools, in runs of the same pool.
inline void mbuf_free_bulk(Mbuf* const* m, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    uint32_t j = i + 1;
    while (j < n && m[j]->pool == m[i]->pool) j++;
    m[i]->pool->put_bulk(m + i, j - i);
    i = j;
  }
}
inline void mbuf_free(Mbuf* m) { m->pool->put_bulk(&m, 1); }

}  // namespace rs
