// Lock-free power-of-two ring of pointers, after DPDK's rte_ring: producer and
// consumer each own a head (reservation) and a tail (publication) on separate
// cache lines. Single-producer/consumer sides skip the CAS.
//
// Bulk operations move exactly n or nothing; burst operations move as many as
// fit (up to n). All return the number moved.
#pragma once
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sched.h>
#include "barrier.h"

namespace rs {

enum class Sync : uint8_t { Single, Multi };

class Ring {
 public:
  // capacity must be a power of two >= 2, and the ring holds capacity
  // entries: head and tail are free-running 32-bit counters, so full and
  // empty differ without a spare slot. (rte_ring without RING_F_EXACT_SZ
  // holds size - 1; with it, exactly the count asked for.)
  static Ring* create(uint32_t capacity, Sync prod, Sync cons) {
    if (capacity < 2 || (capacity & (capacity - 1)) != 0) return nullptr;
    void* mem = std::aligned_alloc(kCacheLine, sizeof(Ring) + round_up(sizeof(void*) * capacity));
    if (!mem) return nullptr;
    return new (mem) Ring(capacity, prod, cons);
  }
  static void destroy(Ring* r) {
    if (!r) return;
    r->~Ring();
    std::free(r);
  }

  uint32_t capacity() const { return mask_ + 1; }
  // Approximate when other threads are active, exact when quiescent.
  uint32_t count() const {
    // acquire pairs with the release-stores of both tails so that the values
    // seen are at least as new as any slot contents observed earlier. The
    // consumer tail is read first: read second, it could pass the older
    // producer tail and make a nearly empty ring look full.
    uint32_t ct = cons_.tail.load(std::memory_order_acquire);
    uint32_t pt = prod_.tail.load(std::memory_order_acquire);
    uint32_t n = pt - ct;
    return n > capacity() ? capacity() : n;
  }
  uint32_t free_count() const { return capacity() - count(); }

  // Diagnostics, from any thread and read-only: the tails, and up to n
  // entries from the consumer tail on. Tails are acquire loads (pairing with
  // the release-stores that publish and free slots), slots relaxed atomic
  // loads of pointer-sized words. While other threads use the ring the view
  // is a moment's: an entry shown may have been consumed since (and after a
  // wrap its slot may hold a newer pointer), but every entry shown was
  // published at some point, so it points at a real object.
  uint32_t prod_tail() const { return prod_.tail.load(std::memory_order_acquire); }
  uint32_t cons_tail() const { return cons_.tail.load(std::memory_order_acquire); }
  uint32_t peek(void** out, uint32_t n) const {
    uint32_t ct = cons_tail();  // first, as in count()
    uint32_t avail = prod_tail() - ct;
    if (avail > capacity()) avail = capacity();
    if (n > avail) n = avail;
    const void* const* s = reinterpret_cast<const void* const*>(this + 1);
    for (uint32_t i = 0; i < n; i++)
      out[i] = const_cast<void*>(__atomic_load_n(&s[(ct + i) & mask_], __ATOMIC_RELAXED));
    return n;
  }

  inline uint32_t enqueue_bulk(void* const* objs, uint32_t n) { return enqueue(objs, n, true); }
  inline uint32_t enqueue_burst(void* const* objs, uint32_t n) { return enqueue(objs, n, false); }
  // As enqueue_burst, and *used gets the entries in the ring right after it
  // as this producer saw them (its view of the consumer tail): a free
  // high-water measure, no extra shared-line access.
  inline uint32_t enqueue_burst(void* const* objs, uint32_t n, uint32_t* used) { return enqueue(objs, n, false, used); }
  inline uint32_t dequeue_bulk(void** objs, uint32_t n) { return dequeue(objs, n, true); }
  inline uint32_t dequeue_burst(void** objs, uint32_t n) { return dequeue(objs, n, false); }

 private:
  struct alignas(kCacheLine) HeadTail {
    std::atomic<uint32_t> head{0};
    std::atomic<uint32_t> tail{0};
    Sync sync{Sync::Single};
  };

  Ring(uint32_t capacity, Sync prod, Sync cons) : mask_(capacity - 1) {
    prod_.sync = prod;
    cons_.sync = cons;
  }
  static std::size_t round_up(std::size_t n) { return (n + kCacheLine - 1) & ~(kCacheLine - 1); }
  void** slots() { return reinterpret_cast<void**>(this + 1); }

  // Multi-thread sides publish in reservation order: wait until the tail
  // reaches our reservation. Spin briefly, then yield: when threads outnumber
  // CPUs the thread we wait for may be preempted, and spinning out our whole
  // time slice would stall every later reservation behind it for a tick.
  static inline void wait_tail(const std::atomic<uint32_t>& tail, uint32_t head) {
    unsigned spins = 0;
    while (tail.load(std::memory_order_acquire) != head) {  // see callers for pairing
      if (++spins < 128) {
        cpu_relax();
      } else {
        sched_yield();
        spins = 0;
      }
    }
  }

  inline uint32_t enqueue(void* const* objs, uint32_t n, bool exact, uint32_t* used = nullptr) {
    uint32_t head, next, free_slots;
    if (prod_.sync == Sync::Single) {
      head = prod_.head.load(std::memory_order_relaxed);
      // acquire pairs with the consumer's release-store of cons_.tail: slots it
      // has released are not overwritten before the consumer finished reading.
      free_slots = capacity() + cons_.tail.load(std::memory_order_acquire) - head;
      if (n > free_slots) { if (exact) return 0; n = free_slots; }
      if (n == 0) { if (used) *used = capacity() - free_slots; return 0; }
      next = head + n;
      prod_.head.store(next, std::memory_order_relaxed);
    } else {
      // A head and the opposite tail it is compared with must come from one
      // consistent view: a head newer than that tail makes free_slots wrap
      // and overwrite unread slots. The head CAS releases (on success) and
      // every head load acquires (here and on CAS failure), so a producer
      // that reads head H synchronises with the one that moved it to H and
      // reads a cons_.tail at least as new as that one computed H from
      // (read-read coherence). With acquire on success, as before, nothing
      // ordered the earlier producer's tail read before our own: the C11
      // model let us see an older cons_.tail against the newer head. This is
      // the edge DPDK added to rte_ring in 2025 ("establish safe partial
      // order"); on x86 the instructions are the same, on Arm they differ.
      head = prod_.head.load(std::memory_order_acquire);
      do {
        // acquire pairs with the consumer's release of cons_.tail: its slot
        // reads finish before we overwrite those slots.
        free_slots = capacity() + cons_.tail.load(std::memory_order_acquire) - head;
        uint32_t want = n;
        if (want > free_slots) { if (exact) return 0; want = free_slots; }
        if (want == 0) return 0;
        next = head + want;
        if (prod_.head.compare_exchange_weak(head, next, std::memory_order_release,
                                             std::memory_order_acquire)) {
          n = want;
          break;
        }
      } while (true);
    }
    void** s = slots();
    copy_in(s, head & mask_, objs, n);
    if (prod_.sync == Sync::Multi) {
      // Producers publish in reservation order: wait for earlier ones.
      // acquire pairs with the earlier producer's release-store of prod_.tail,
      // so its slot writes happen-before our release below and a consumer
      // that acquires our tail sees them too (a plain store does not extend
      // the earlier producer's release sequence).
      wait_tail(prod_.tail, head);
    }
    // release pairs with the consumer's acquire-load of prod_.tail: slot writes
    // above become visible before the new tail does.
    prod_.tail.store(next, std::memory_order_release);
    if (used) *used = capacity() - free_slots + n;
    return n;
  }

  inline uint32_t dequeue(void** objs, uint32_t n, bool exact) {
    uint32_t head, next, avail;
    if (cons_.sync == Sync::Single) {
      head = cons_.head.load(std::memory_order_relaxed);
      // acquire pairs with the producer's release-store of prod_.tail.
      avail = prod_.tail.load(std::memory_order_acquire) - head;
      if (n > avail) { if (exact) return 0; n = avail; }
      if (n == 0) return 0;
      next = head + n;
      cons_.head.store(next, std::memory_order_relaxed);
    } else {
      // Head loads acquire and the CAS releases on success, as on the
      // producer side: a consumer that reads head H sees a prod_.tail at least
      // as new as the one H was computed from, so avail never counts slots
      // not yet published.
      head = cons_.head.load(std::memory_order_acquire);
      do {
        // acquire pairs with the producer's release of prod_.tail.
        avail = prod_.tail.load(std::memory_order_acquire) - head;
        uint32_t want = n;
        if (want > avail) { if (exact) return 0; want = avail; }
        if (want == 0) return 0;
        next = head + want;
        if (cons_.head.compare_exchange_weak(head, next, std::memory_order_release,
                                             std::memory_order_acquire)) {
          n = want;
          break;
        }
      } while (true);
    }
    void** s = slots();
    copy_out(objs, s, head & mask_, n);
    if (cons_.sync == Sync::Multi) {
      // Consumers release in reservation order. acquire pairs with the earlier
      // consumer's release-store of cons_.tail, so its slot reads happen-before
      // a producer that acquires our tail overwrites those slots.
      wait_tail(cons_.tail, head);
    }
    // release pairs with the producer's acquire-load of cons_.tail: our slot
    // reads complete before the producer may overwrite those slots.
    cons_.tail.store(next, std::memory_order_release);
    return n;
  }

  // Slot copies in at most two contiguous runs (before and after the wrap),
  // so the compiler can vectorise them instead of masking every index.
  inline void copy_in(void** s, uint32_t idx, void* const* objs, uint32_t n) {
    uint32_t first = n < capacity() - idx ? n : capacity() - idx;
    std::memcpy(s + idx, objs, first * sizeof(void*));
    if (first < n) std::memcpy(s, objs + first, (n - first) * sizeof(void*));
  }
  inline void copy_out(void** objs, void* const* s, uint32_t idx, uint32_t n) {
    uint32_t first = n < capacity() - idx ? n : capacity() - idx;
    std::memcpy(objs, s + idx, first * sizeof(void*));
    if (first < n) std::memcpy(objs + first, s, (n - first) * sizeof(void*));
  }

  alignas(kCacheLine) const uint32_t mask_;
  HeadTail prod_;
  HeadTail cons_;
};

}  // namespace rs
