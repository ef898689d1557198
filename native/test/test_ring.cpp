// Ring: creation rules, bulk/burst semantics, counts, wraparound, and one
// stress harness run under every producer/consumer synchronisation mode.
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>
#include "harness.h"
#include "ring.h"

using rs::Ring;
using rs::Sync;

namespace {

struct RingDel { void operator()(Ring* r) const { Ring::destroy(r); } };
using RingPtr = std::unique_ptr<Ring, RingDel>;

void* tag(uint64_t v) { return reinterpret_cast<void*>(static_cast<uintptr_t>(v)); }
uint64_t untag(void* p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }

}  // namespace

TEST(ring_create_power_of_two) {
  for (uint32_t bad : {0u, 1u, 3u, 5u, 6u, 7u, 100u, 1000u, 0x80000001u}) {
    Ring* r = Ring::create(bad, Sync::Single, Sync::Single);
    if (r) std::fprintf(stderr, "    capacity %u accepted\n", bad);
    CHECK(r == nullptr);
    Ring::destroy(r);
  }
  for (uint32_t good : {2u, 4u, 64u, 1024u, 65536u}) {
    RingPtr r(Ring::create(good, Sync::Multi, Sync::Multi));
    CHECK(r != nullptr);
    if (!r) continue;
    CHECK_EQ(r->capacity(), good);
    CHECK_EQ(r->count(), 0u);
    CHECK_EQ(r->free_count(), good);
  }
  Ring::destroy(nullptr);  // no-op
}

TEST(ring_bulk_is_all_or_nothing) {
  RingPtr r(Ring::create(8, Sync::Single, Sync::Single));
  void* in[16];
  void* out[16];
  for (int i = 0; i < 16; i++) in[i] = tag(100 + i);
  CHECK_EQ(r->enqueue_bulk(in, 5), 5u);
  CHECK_EQ(r->enqueue_bulk(in + 5, 4), 0u);  // only 3 free: nothing moves
  CHECK_EQ(r->count(), 5u);
  CHECK_EQ(r->enqueue_bulk(in + 5, 3), 3u);  // all capacity slots usable
  CHECK_EQ(r->count(), 8u);
  CHECK_EQ(r->free_count(), 0u);
  CHECK_EQ(r->enqueue_bulk(in, 1), 0u);
  CHECK_EQ(r->dequeue_bulk(out, 9), 0u);  // only 8 there
  CHECK_EQ(r->count(), 8u);
  CHECK_EQ(r->dequeue_bulk(out, 8), 8u);
  for (int i = 0; i < 8; i++) CHECK_EQ(untag(out[i]), 100u + i);
  CHECK_EQ(r->dequeue_bulk(out, 1), 0u);
  CHECK_EQ(r->enqueue_bulk(in, 0), 0u);
  CHECK_EQ(r->dequeue_bulk(out, 0), 0u);
}

TEST(ring_burst_moves_what_fits) {
  for (Sync s : {Sync::Single, Sync::Multi}) {
    RingPtr r(Ring::create(8, s, s));
    void* in[16];
    void* out[16];
    for (int i = 0; i < 16; i++) in[i] = tag(200 + i);
    CHECK_EQ(r->enqueue_burst(in, 5), 5u);
    CHECK_EQ(r->enqueue_burst(in + 5, 10), 3u);  // partial
    CHECK_EQ(r->free_count(), 0u);
    CHECK_EQ(r->enqueue_burst(in, 4), 0u);
    CHECK_EQ(r->dequeue_burst(out, 3), 3u);
    CHECK_EQ(r->count(), 5u);
    CHECK_EQ(r->free_count(), 3u);
    CHECK_EQ(r->dequeue_burst(out + 3, 16), 5u);  // partial
    for (int i = 0; i < 8; i++) CHECK_EQ(untag(out[i]), 200u + i);
    CHECK_EQ(r->dequeue_burst(out, 16), 0u);
    CHECK_EQ(r->count(), 0u);
  }
}

TEST(ring_wraparound_keeps_order) {
  // Odd step sizes against a small ring: indices wrap the slot array on almost
  // every call; 32-bit head/tail keep working across many cycles.
  for (Sync s : {Sync::Single, Sync::Multi}) {
    RingPtr r(Ring::create(16, s, s));
    uint64_t next_in = 1, next_out = 1;
    bool ok = true;
    for (int cycle = 0; cycle < 20000 && ok; cycle++) {
      void* buf[16];
      uint32_t n_in = 1 + cycle % 7;
      for (uint32_t i = 0; i < n_in; i++) buf[i] = tag(next_in + i);
      uint32_t put = (cycle & 1) ? r->enqueue_burst(buf, n_in) : r->enqueue_bulk(buf, n_in);
      next_in += put;
      uint32_t n_out = 1 + (cycle * 5) % 6;
      uint32_t got = (cycle & 2) ? r->dequeue_burst(buf, n_out) : r->dequeue_bulk(buf, n_out);
      for (uint32_t i = 0; i < got; i++) ok &= untag(buf[i]) == next_out++;
      ok &= r->count() == next_in - next_out;
      ok &= r->count() + r->free_count() == 16;
    }
    CHECK(ok);
    CHECK(next_in > 50000);  // many times round the 16 slots
  }
}

// ---- stress harness shared by every sync mode ----

namespace {

struct StressCfg {
  Sync prod, cons;
  unsigned producers, consumers;
  uint32_t per_producer;  // elements each producer sends
  uint32_t capacity;
};

struct Rng {
  uint64_t s;
  uint32_t next() { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return static_cast<uint32_t>(s); }
};

// Element = (producer << 32) | sequence (from 1, so never a null pointer).
// Every element must arrive exactly once; within what one consumer sees, each
// producer's sequence must increase (ring order), and with a single consumer
// it must be exactly consecutive.
void ring_stress(const StressCfg& c) {
  RingPtr r(Ring::create(c.capacity, c.prod, c.cons));
  CHECK(r != nullptr);
  if (!r) return;
  const uint64_t total = uint64_t(c.producers) * c.per_producer;
  std::vector<std::atomic<uint8_t>> seen(total);
  std::atomic<uint64_t> consumed{0};
  std::atomic<unsigned> ready{0};
  std::atomic<uint64_t> bad_tag{0}, bad_order{0}, bad_partial{0};
  const unsigned nthreads = c.producers + c.consumers;

  auto start_gate = [&] {
    ready.fetch_add(1);
    while (ready.load() < nthreads) std::this_thread::yield();
  };
  auto producer = [&](unsigned id) {
    Rng rng{0x9e3779b97f4a7c15ull * (id + 1)};
    start_gate();
    void* buf[32];
    uint32_t seq = 1;
    while (seq <= c.per_producer) {
      uint32_t want = 1 + rng.next() % 32;
      if (want > c.per_producer - seq + 1) want = c.per_producer - seq + 1;
      for (uint32_t i = 0; i < want; i++) buf[i] = tag(uint64_t(id) << 32 | (seq + i));
      bool bulk = rng.next() & 1;
      uint32_t put = bulk ? r->enqueue_bulk(buf, want) : r->enqueue_burst(buf, want);
      if (bulk && put != 0 && put != want) bad_partial.fetch_add(1);
      seq += put;
      if (put == 0) std::this_thread::yield();  // full: 2 vCPUs, let consumers run
    }
  };
  auto consumer = [&](unsigned id) {
    Rng rng{0xd1b54a32d192ed03ull * (id + 7)};
    std::vector<uint32_t> last(c.producers, 0);
    start_gate();
    void* buf[32];
    while (consumed.load(std::memory_order_relaxed) < total) {
      uint32_t want = 1 + rng.next() % 32;
      bool bulk = rng.next() & 1;
      uint32_t got = bulk ? r->dequeue_bulk(buf, want) : r->dequeue_burst(buf, want);
      if (bulk && got != 0 && got != want) bad_partial.fetch_add(1);
      if (got == 0) { std::this_thread::yield(); continue; }
      for (uint32_t i = 0; i < got; i++) {
        uint64_t v = untag(buf[i]);
        uint32_t p = uint32_t(v >> 32), seq = uint32_t(v);
        if (p >= c.producers || seq == 0 || seq > c.per_producer) { bad_tag.fetch_add(1); continue; }
        seen[uint64_t(p) * c.per_producer + (seq - 1)].fetch_add(1, std::memory_order_relaxed);
        bool in_order = c.consumers == 1 ? seq == last[p] + 1 : seq > last[p];
        if (!in_order) bad_order.fetch_add(1);
        last[p] = seq;
      }
      consumed.fetch_add(got, std::memory_order_relaxed);
    }
  };

  std::vector<std::thread> th;
  for (unsigned i = 0; i < c.producers; i++) th.emplace_back(producer, i);
  for (unsigned i = 0; i < c.consumers; i++) th.emplace_back(consumer, i);
  for (auto& t : th) t.join();

  CHECK_EQ(consumed.load(), total);
  CHECK_EQ(bad_tag.load(), 0u);
  CHECK_EQ(bad_order.load(), 0u);
  CHECK_EQ(bad_partial.load(), 0u);  // a bulk call moved only part
  uint64_t missing = 0, dup = 0;
  for (auto& s : seen) {
    uint8_t v = s.load();
    missing += v == 0;
    dup += v > 1;
  }
  CHECK_EQ(missing, 0u);
  CHECK_EQ(dup, 0u);
  CHECK_EQ(r->count(), 0u);
}

}  // namespace

TEST(ring_stress_spsc) {
  ring_stress({Sync::Single, Sync::Single, 1, 1, 4000000 / rstest::kStressDivisor, 256});
}

TEST(ring_stress_mpmc) {
  ring_stress({Sync::Multi, Sync::Multi, 4, 4, 500000 / rstest::kStressDivisor, 256});
}

TEST(ring_stress_mpsc) {
  ring_stress({Sync::Multi, Sync::Single, 4, 1, 1000000 / rstest::kStressDivisor, 256});
}

TEST(ring_stress_spmc) {
  ring_stress({Sync::Single, Sync::Multi, 1, 4, 2000000 / rstest::kStressDivisor, 256});
}
