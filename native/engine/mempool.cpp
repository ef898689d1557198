#include "mempool.h"
#include <cstdlib>
#include <new>
#include "error.h"

namespace rs {

Mempool::Mempool(std::string name, uint32_t count, uint16_t data_room, uint16_t headroom)
    : name_(std::move(name)), count_(count), data_room_(data_room), headroom_(headroom) {
  if (count < 1) throw Error("EINVAL", "mbuf pool needs at least one mbuf");
  if (count > (1u << 31)) throw Error("EINVAL", "mbuf pool of " + std::to_string(count) + " mbufs is too large");
  uint32_t cap = 2;  // smallest ring; a pool of one mbuf is valid
  while (cap < count) cap <<= 1;  // the free ring must hold every mbuf
  elt_size_ = static_cast<uint32_t>((sizeof(Mbuf) + headroom + data_room + kCacheLine - 1) & ~(kCacheLine - 1));
  mem_ = static_cast<uint8_t*>(std::aligned_alloc(kCacheLine, static_cast<std::size_t>(elt_size_) * count));
  ring_ = Ring::create(cap, Sync::Multi, Sync::Multi);
  caches_ = static_cast<Cache*>(std::aligned_alloc(kCacheLine, sizeof(Cache) * kMaxLcores));
  if (!mem_ || !ring_ || !caches_) {
    std::free(mem_);
    Ring::destroy(ring_);
    std::free(caches_);
    throw Error("ENOMEM", "cannot allocate mbuf pool '" + name_ + "' of " + std::to_string(count) +
                              " mbufs: lower --total-num-mbufs or --mbuf-size");
  }
  for (unsigned i = 0; i < kMaxLcores; i++) new (&caches_[i]) Cache();
  for (uint32_t i = 0; i < count; i++) {
    auto* m = reinterpret_cast<Mbuf*>(mem_ + static_cast<std::size_t>(i) * elt_size_);
    new (m) Mbuf();
    m->pool = this;
    m->buf_len = static_cast<uint32_t>(headroom + data_room);
    m->data_off = headroom;
    void* p = m;
    ring_->enqueue_bulk(&p, 1);
  }
}

Mempool::~Mempool() {
  for (unsigned i = 0; i < kMaxLcores; i++) caches_[i].~Cache();
  std::free(caches_);
  Ring::destroy(ring_);
  std::free(mem_);
}

uint32_t Mempool::available() const {
  uint32_t n = ring_->count();
  for (unsigned i = 0; i < kMaxLcores; i++) n += load_relaxed(caches_[i].published_len);
  return n > count_ ? count_ : n;
}

void Mempool::flush_cache(unsigned lcore) {
  if (lcore >= kMaxLcores) return;
  Cache& c = caches_[lcore];
  if (c.len) ring_->enqueue_bulk(reinterpret_cast<void* const*>(c.objs), c.len);
  c.len = 0;
  store_relaxed(c.published_len, 0u);
}

bool Mempool::owns(const Mbuf* m) const {
  auto p = reinterpret_cast<const uint8_t*>(m);
  if (p < mem_ || p >= mem_ + static_cast<std::size_t>(elt_size_) * count_) return false;
  return (static_cast<std::size_t>(p - mem_) % elt_size_) == 0;
}

std::vector<std::pair<unsigned, uint32_t>> Mempool::cache_occupancy() const {
  std::vector<std::pair<unsigned, uint32_t>> out;
  for (unsigned i = 0; i < kMaxLcores; i++)
    if (uint32_t n = load_relaxed(caches_[i].published_len)) out.push_back({i, n});
  return out;
}

std::vector<const Mbuf*> Mempool::in_use_mbufs() const {
  std::vector<bool> is_free(count_, false);
  std::vector<void*> ring(count_);
  uint32_t n = ring_->peek(ring.data(), count_);
  for (uint32_t i = 0; i < n; i++) is_free[index_of(static_cast<Mbuf*>(ring[i]))] = true;
  for (unsigned lc = 0; lc < kMaxLcores; lc++)
    for (uint32_t i = 0; i < caches_[lc].len; i++) is_free[index_of(caches_[lc].objs[i])] = true;
  std::vector<const Mbuf*> out;
  for (uint32_t i = 0; i < count_; i++)
    if (!is_free[i]) out.push_back(reinterpret_cast<const Mbuf*>(mem_ + static_cast<std::size_t>(i) * elt_size_));
  return out;
}

}  // namespace rs
