// Mempool: counts, all-or-nothing bulk allocation, mbuf reset, per-lcore
// caches and their flush, ownership, and a multi-thread stress that passes
// mbufs between lcores through a multi-producer ring.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>
#include "error.h"
#include "harness.h"
#include "lcore.h"
#include "mempool.h"
#include "ring.h"

using rs::Mbuf;
using rs::Mempool;

namespace {

// Runs fn on a fresh thread that calls itself lcore `id` (the lcore id is
// thread-local, so the test thread itself stays kNoLcore).
template <typename F>
void on_lcore(unsigned id, F fn) {
  std::thread t([&] {
    rs::set_this_lcore(id);
    fn();
  });
  t.join();
}

}  // namespace

TEST(mempool_create_and_counts) {
  Mempool p("p", 100);
  CHECK_EQ(p.name(), std::string("p"));
  CHECK_EQ(p.size(), 100u);
  CHECK_EQ(p.data_room(), Mempool::kDefaultDataRoom);
  CHECK_EQ(p.headroom(), Mempool::kDefaultHeadroom);
  CHECK_EQ(p.available(), 100u);
  CHECK_EQ(p.in_use(), 0u);
  std::vector<Mbuf*> v;
  for (int i = 0; i < 10; i++) {
    Mbuf* m = p.alloc();
    CHECK(m != nullptr);
    if (!m) return;
    CHECK(m->pool == &p);
    CHECK_EQ(m->buf_len, uint32_t(Mempool::kDefaultHeadroom + Mempool::kDefaultDataRoom));
    CHECK_EQ(m->tailroom(), uint32_t(Mempool::kDefaultDataRoom));
    v.push_back(m);
  }
  CHECK_EQ(p.in_use(), 10u);
  CHECK_EQ(p.available(), 90u);
  rs::mbuf_free(v.back());
  v.pop_back();
  CHECK_EQ(p.in_use(), 9u);
  rs::mbuf_free_bulk(v.data(), static_cast<uint32_t>(v.size()));
  CHECK_EQ(p.in_use(), 0u);
  CHECK_EQ(p.alloc_failures(), 0u);
  CHECK_THROWS_CODE(Mempool("empty", 0), "EINVAL");
}

TEST(mempool_alloc_bulk_all_or_nothing) {
  // Same rules without a cache (test thread) and with one (lcore 2).
  auto run = [] {
    Mempool p("p", 16);
    Mbuf* a[16];
    Mbuf* b[16];
    CHECK_EQ(p.alloc_bulk(a, 10), 10u);
    CHECK_EQ(p.alloc_bulk(b, 7), 0u);  // 6 left: nothing handed out
    CHECK_EQ(p.in_use(), 10u);
    CHECK_EQ(p.alloc_failures(), 1u);
    CHECK_EQ(p.alloc_bulk(b, 6), 6u);
    CHECK_EQ(p.in_use(), 16u);
    CHECK(p.alloc() == nullptr);
    CHECK_EQ(p.alloc_failures(), 2u);
    std::vector<Mbuf*> all(a, a + 10);
    all.insert(all.end(), b, b + 6);
    std::sort(all.begin(), all.end());
    CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
    p.put_bulk(a, 10);
    p.put_bulk(b, 6);
    CHECK_EQ(p.in_use(), 0u);
    p.flush_cache(rs::this_lcore());
    CHECK_EQ(p.in_use(), 0u);
    CHECK_EQ(p.available(), 16u);
  };
  run();
  on_lcore(2, run);
}

TEST(mempool_mbuf_reset_on_alloc) {
  auto run = [] {
    Mempool p("p", 1, 512, 64);
    Mbuf* m = p.alloc();
    CHECK(m != nullptr);
    if (!m) return;
    CHECK_EQ(m->data_off, 64);
    CHECK_EQ(m->data_len, 0);
    CHECK_EQ(m->buf_len, 576u);
    m->data_off = 0;
    m->data_len = 300;
    m->hash = 0xdeadbeef;
    m->timestamp = 123;
    m->seqn = 456;
    std::memset(m->data(), 0xab, 300);
    rs::mbuf_free(m);
    Mbuf* again = p.alloc();
    CHECK(again == m);  // the only mbuf
    if (!again) return;
    CHECK_EQ(again->data_off, 64);
    CHECK_EQ(again->data_len, 0);
    CHECK_EQ(again->hash, 0u);
    CHECK_EQ(again->timestamp, 0u);
    CHECK_EQ(again->seqn, 0u);
    CHECK(again->pool == &p);
    CHECK_EQ(again->buf_len, 576u);
    CHECK_EQ(again->tailroom(), 512u);
    rs::mbuf_free(again);
    p.flush_cache(rs::this_lcore());
  };
  run();
  on_lcore(0, run);
}

TEST(mempool_lcore_cache_and_flush) {
  Mempool p("p", 600);
  on_lcore(1, [&] {
    Mbuf* m[8];
    CHECK_EQ(p.alloc_bulk(m, 8), 8u);  // refills this lcore's cache from the ring
    CHECK_EQ(p.in_use(), 8u);
    p.put_bulk(m, 8);  // back into the cache, not the ring
    CHECK_EQ(p.in_use(), 0u);
  });
  // Cached mbufs count as available but the test thread (no lcore, straight
  // to the ring) cannot have them until the lcore's cache is flushed.
  CHECK_EQ(p.available(), 600u);
  std::vector<Mbuf*> all(600);
  CHECK_EQ(p.alloc_bulk(all.data(), 600), 0u);
  CHECK_EQ(p.alloc_failures(), 1u);
  p.flush_cache(1);
  CHECK_EQ(p.in_use(), 0u);
  CHECK_EQ(p.alloc_bulk(all.data(), 600), 600u);
  for (Mbuf* m : all) CHECK(p.owns(m));
  p.put_bulk(all.data(), 600);
  CHECK_EQ(p.in_use(), 0u);

  // Spill: freeing many more than the cache holds on one lcore sends the
  // excess back to the ring, and a burst larger than the cache bypasses it.
  on_lcore(5, [&] {
    std::vector<Mbuf*> v(600);
    uint32_t got = 0;
    while (got < 600) {
      uint32_t n = std::min(32u, 600 - got);
      CHECK_EQ(p.alloc_bulk(v.data() + got, n), n);
      got += n;
    }
    CHECK_EQ(p.in_use(), 600u);
    for (uint32_t i = 0; i < 600; i += 20) p.put_bulk(v.data() + i, 20);
    CHECK_EQ(p.in_use(), 0u);
    CHECK_EQ(p.alloc_bulk(v.data(), Mempool::kCacheSize + 1), Mempool::kCacheSize + 1);
    p.put_bulk(v.data(), Mempool::kCacheSize + 1);
  });
  p.flush_cache(5);
  p.flush_cache(5);  // flushing an empty cache is harmless
  p.flush_cache(rs::kNoLcore);
  CHECK_EQ(p.in_use(), 0u);
  CHECK_EQ(p.alloc_bulk(all.data(), 600), 600u);
  p.put_bulk(all.data(), 600);
}

TEST(mempool_owns) {
  Mempool a("a", 8), b("b", 8);
  Mbuf* ma = a.alloc();
  Mbuf* mb = b.alloc();
  CHECK(ma && mb);
  if (!ma || !mb) return;
  CHECK(a.owns(ma));
  CHECK(!a.owns(mb));
  CHECK(b.owns(mb));
  CHECK(!b.owns(ma));
  CHECK(!a.owns(reinterpret_cast<Mbuf*>(reinterpret_cast<uint8_t*>(ma) + 8)));  // inside, not a start
  Mbuf local{};
  CHECK(!a.owns(&local));
  CHECK(!a.owns(nullptr));
  // mbuf_free_bulk returns each mbuf to its own pool, even when mixed.
  Mbuf* mixed[4] = {ma, mb, b.alloc(), a.alloc()};
  CHECK_EQ(a.in_use(), 2u);
  CHECK_EQ(b.in_use(), 2u);
  rs::mbuf_free_bulk(mixed, 4);
  CHECK_EQ(a.in_use(), 0u);
  CHECK_EQ(b.in_use(), 0u);
}

TEST(mempool_stress_lcores_pass_mbufs) {
  constexpr unsigned kThreads = 4;
  constexpr uint32_t kCount = 4096;
  constexpr int kRounds = 60000 / rstest::kStressDivisor;
  Mempool p("stress", kCount, 64, 0);
  std::unique_ptr<rs::Ring, void (*)(rs::Ring*)> pass(
      rs::Ring::create(kCount, rs::Sync::Multi, rs::Sync::Multi), rs::Ring::destroy);

  // Every mbuf's address, sorted, to index a held flag: an allocation of an
  // mbuf someone else holds is a double allocation.
  std::vector<Mbuf*> addrs(kCount);
  CHECK_EQ(p.alloc_bulk(addrs.data(), kCount), kCount);
  p.put_bulk(addrs.data(), kCount);
  std::sort(addrs.begin(), addrs.end());
  // The pool is one array of equal elements: index by address arithmetic.
  const auto base = reinterpret_cast<uintptr_t>(addrs[0]);
  const uintptr_t stride = reinterpret_cast<uintptr_t>(addrs[1]) - base;
  bool evenly_spaced = true;
  for (uint32_t i = 0; i < kCount; i++) evenly_spaced &= reinterpret_cast<uintptr_t>(addrs[i]) == base + i * stride;
  CHECK(evenly_spaced);
  if (!evenly_spaced) return;
  std::vector<std::atomic<uint8_t>> held(kCount);
  auto index = [&](Mbuf* m) { return (reinterpret_cast<uintptr_t>(m) - base) / stride; };
  std::atomic<uint64_t> double_alloc{0}, double_free{0}, bad_tag{0}, passed{0}, allocated{0};

  auto worker = [&](unsigned lc) {
    rs::set_this_lcore(lc);
    uint64_t rng = 0x2545f4914f6cdd1dull * (lc + 1);
    auto next = [&] { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return static_cast<uint32_t>(rng); };
    std::vector<Mbuf*> stash;
    Mbuf* buf[32];
    auto release = [&](Mbuf** ms, uint32_t n) {
      for (uint32_t i = 0; i < n; i++)
        if (held[index(ms[i])].exchange(0) != 1) double_free.fetch_add(1);
      rs::mbuf_free_bulk(ms, n);
    };
    for (int round = 0; round < kRounds; round++) {
      uint32_t n = 1 + next() % 32;
      uint32_t got = p.alloc_bulk(buf, n);
      for (uint32_t i = 0; i < got; i++) {
        if (held[index(buf[i])].exchange(1) != 0) double_alloc.fetch_add(1);
        buf[i]->seqn = uint64_t(lc + 1) << 32 | uint32_t(round);
        buf[i]->data_len = static_cast<uint16_t>(lc);
        stash.push_back(buf[i]);
      }
      allocated.fetch_add(got, std::memory_order_relaxed);
      switch (next() % 3) {
        case 0: {  // hand some to whichever lcore dequeues them
          uint32_t k = std::min<uint32_t>(static_cast<uint32_t>(stash.size()), 1 + next() % 32);
          uint32_t put = pass->enqueue_burst(reinterpret_cast<void* const*>(stash.data() + stash.size() - k), k);
          stash.resize(stash.size() - put);
          passed.fetch_add(put, std::memory_order_relaxed);
          break;
        }
        case 1: {  // take some passed by others (or ourselves) and free them here
          uint32_t k = pass->dequeue_burst(reinterpret_cast<void**>(buf), 1 + next() % 32);
          for (uint32_t i = 0; i < k; i++) {
            uint32_t owner = static_cast<uint32_t>(buf[i]->seqn >> 32);
            if (owner < 1 || owner > kThreads || buf[i]->data_len != owner - 1) bad_tag.fetch_add(1);
          }
          release(buf, k);
          break;
        }
        default: {  // free some of our own
          uint32_t k = std::min<uint32_t>(static_cast<uint32_t>(stash.size()), 1 + next() % 32);
          release(stash.data() + stash.size() - k, k);
          stash.resize(stash.size() - k);
        }
      }
      if (stash.size() > 128) {
        release(stash.data(), static_cast<uint32_t>(stash.size()));
        stash.clear();
      }
    }
    release(stash.data(), static_cast<uint32_t>(stash.size()));
    p.flush_cache(lc);  // poll-thread exit
  };
  std::vector<std::thread> th;
  for (unsigned i = 0; i < kThreads; i++) th.emplace_back(worker, i);
  for (auto& t : th) t.join();

  // Whatever is still in flight in the pass ring goes back from the test thread.
  Mbuf* buf[32];
  while (uint32_t k = pass->dequeue_burst(reinterpret_cast<void**>(buf), 32)) {
    for (uint32_t i = 0; i < k; i++)
      if (held[index(buf[i])].exchange(0) != 1) double_free.fetch_add(1);
    rs::mbuf_free_bulk(buf, k);
  }
  CHECK_EQ(double_alloc.load(), 0u);
  CHECK_EQ(double_free.load(), 0u);
  CHECK_EQ(bad_tag.load(), 0u);
  CHECK(passed.load() > 1000);
  CHECK(allocated.load() > uint64_t(kRounds) * kThreads);
  CHECK_EQ(p.in_use(), 0u);
  CHECK_EQ(p.available(), kCount);
  // Everything is back exactly once: the whole pool allocates again, no repeats.
  std::vector<Mbuf*> again(kCount);
  CHECK_EQ(p.alloc_bulk(again.data(), kCount), kCount);
  std::sort(again.begin(), again.end());
  CHECK(again == addrs);
  p.put_bulk(again.data(), kCount);
}
