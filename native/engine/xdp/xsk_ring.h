// AF_XDP ring access: the four single-producer/single-consumer rings an XDP
// socket shares with the kernel (rx, tx, fill, completion), mapped with mmap
// at the offsets getsockopt(XDP_MMAP_OFFSETS) reports. User space produces on
// fill and tx, and consumes rx and completion.
//
// Verbs after the kernel's AF_XDP documentation: a producer reserve()s slots,
// writes them, then submit()s; a consumer peek()s, reads, then release()s (or
// cancel()s a peek it cannot use). Each side keeps cached copies of both
// indices so the shared cache lines (the other side's index) are read only
// when the cached view says the ring looks full (producer) or empty
// (consumer).
//
// Memory ordering (the pairing the kernel's net/xdp/xsk_queue.h documents):
//   producer:  LOAD consumer (A)          consumer:  LOAD.acquire producer (C)
//              STORE descriptors                     LOAD descriptors
//              STORE.release producer (B)            STORE.release consumer (D)
// (B) pairs with (C): descriptors are visible before the index that publishes
// them. (A) pairs with (D): the other side has finished reading a slot before
// we overwrite it. We make (A) an acquire load rather than relying on the
// control dependency the kernel uses, which C++ does not model.
//
// Indices are free-running u32 counters; entries = producer - consumer in
// modular arithmetic, and slot = index & mask (sizes are powers of two).
#pragma once
#include <atomic>
#include <cstdint>
#include <linux/if_xdp.h>

namespace rs::xdp {

// Relaxed/acquire/release access to a u32 index that lives in kernel-shared
// memory (not a std::atomic object, so through atomic_ref).
inline uint32_t load_acquire(uint32_t* p) { return std::atomic_ref<uint32_t>(*p).load(std::memory_order_acquire); }
inline uint32_t load_relaxed_u32(uint32_t* p) { return std::atomic_ref<uint32_t>(*p).load(std::memory_order_relaxed); }
inline void store_release(uint32_t* p, uint32_t v) { std::atomic_ref<uint32_t>(*p).store(v, std::memory_order_release); }

// The pointers into one mapped ring, filled in by the socket setup code.
struct RingMap {
  uint32_t* producer = nullptr;
  uint32_t* consumer = nullptr;
  uint32_t* flags = nullptr;
  void* descs = nullptr;
  uint32_t size = 0;  // power of two
};

// Diagnostics from a thread that is neither side (the control thread): the
// two indices, consumer first (read second, it could pass an older producer
// index and make a nearly empty ring look full), each an acquire load that
// pairs with that side's release-store, and a descriptor slot read with
// relaxed loads. A moment's view: the slot may be rewritten right after.
struct RingIndices {
  uint32_t producer, consumer;
};
inline RingIndices ring_indices(const RingMap& m) {
  uint32_t c = load_acquire(m.consumer);
  return RingIndices{load_acquire(m.producer), c};
}
inline uint64_t addr_at(const RingMap& m, uint32_t idx) {
  return std::atomic_ref<uint64_t>(static_cast<uint64_t*>(m.descs)[idx & (m.size - 1)]).load(std::memory_order_relaxed);
}
inline xdp_desc desc_at(const RingMap& m, uint32_t idx) {
  xdp_desc& d = static_cast<xdp_desc*>(m.descs)[idx & (m.size - 1)];
  return xdp_desc{std::atomic_ref<__u64>(d.addr).load(std::memory_order_relaxed),
                  std::atomic_ref<__u32>(d.len).load(std::memory_order_relaxed),
                  std::atomic_ref<__u32>(d.options).load(std::memory_order_relaxed)};
}

// Ring that user space produces into: fill (u64 frame addresses) and tx
// (struct xdp_desc).
template <typename Desc>
class ProdRing {
 public:
  ProdRing() = default;
  explicit ProdRing(const RingMap& m)
      : prod_(m.producer), cons_(m.consumer), flags_(m.flags), descs_(static_cast<Desc*>(m.descs)),
        mask_(m.size - 1), size_(m.size) {
    // We are the only producer: our own index can be read relaxed.
    cached_prod_ = load_relaxed_u32(prod_);
    // (A) acquire: slots the kernel already consumed are free to overwrite.
    cached_cons_ = load_acquire(cons_) + size_;
  }

  // Free slots, refreshing the cached consumer index only when the cached
  // view has fewer than `want` free.
  uint32_t free_slots(uint32_t want) {
    uint32_t free = cached_cons_ - cached_prod_;
    if (free >= want) return free;
    // (A) acquire pairs with the kernel's release of the consumer index (D):
    // it has finished reading the slots it gives back.
    cached_cons_ = load_acquire(cons_) + size_;
    return cached_cons_ - cached_prod_;
  }

  // Reserves up to n slots (as many as are free); returns how many and the
  // first index in *idx.
  uint32_t reserve(uint32_t n, uint32_t* idx) {
    uint32_t free = free_slots(n);
    if (n > free) n = free;
    *idx = cached_prod_;
    cached_prod_ += n;
    return n;
  }
  Desc& at(uint32_t idx) { return descs_[idx & mask_]; }
  // Takes back the last n reserved slots unwritten (nothing was published).
  void unreserve(uint32_t n) { cached_prod_ -= n; }

  // Publishes everything reserved so far.
  void submit() {
    // (B) release: the descriptors written into reserved slots are visible to
    // the kernel before the producer index that hands them over.
    store_release(prod_, cached_prod_);
  }

  // XDP_RING_NEED_WAKEUP: the kernel asks for a syscall before it looks at
  // this ring again.
  bool needs_wakeup() const {
    // Full fence: our producer store (just submitted) must be ordered before
    // this load of the flag, or we could read a stale "no wakeup needed"
    // while the kernel, having read our old producer index, goes to sleep
    // (store->load ordering, which release/acquire do not give).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return std::atomic_ref<uint32_t>(*flags_).load(std::memory_order_relaxed) & XDP_RING_NEED_WAKEUP;
  }

  uint32_t size() const { return size_; }
  // Entries the kernel has not consumed yet, reading its consumer index now
  // (for a high-water mark; relaxed: a count, no slot is touched after it).
  uint32_t entries() const { return cached_prod_ - std::atomic_ref<uint32_t>(*cons_).load(std::memory_order_relaxed); }

 private:
  uint32_t* prod_ = nullptr;
  uint32_t* cons_ = nullptr;
  uint32_t* flags_ = nullptr;
  Desc* descs_ = nullptr;
  uint32_t mask_ = 0, size_ = 0;
  uint32_t cached_prod_ = 0;  // our next slot to write
  uint32_t cached_cons_ = 0;  // kernel consumer index + size: the first slot we may not write
};

// Ring that user space consumes from: rx (struct xdp_desc) and completion
// (u64 frame addresses).
template <typename Desc>
class ConsRing {
 public:
  ConsRing() = default;
  explicit ConsRing(const RingMap& m)
      : prod_(m.producer), cons_(m.consumer), descs_(static_cast<Desc*>(m.descs)), mask_(m.size - 1) {
    // We are the only consumer: our own index can be read relaxed.
    cached_cons_ = load_relaxed_u32(cons_);
    // (C) acquire: see peek().
    cached_prod_ = load_acquire(prod_);
  }

  // Up to n filled entries; the first index goes to *idx.
  uint32_t peek(uint32_t n, uint32_t* idx) {
    uint32_t avail = cached_prod_ - cached_cons_;
    if (avail == 0) {
      // (C) acquire pairs with the kernel's release of the producer index
      // (B): the descriptors it published are visible before we read them.
      cached_prod_ = load_acquire(prod_);
      avail = cached_prod_ - cached_cons_;
    }
    if (n > avail) n = avail;
    *idx = cached_cons_;
    cached_cons_ += n;
    return n;
  }
  const Desc& at(uint32_t idx) const { return descs_[idx & mask_]; }

  // Entries published and not yet peeked, as our cached view has them.
  uint32_t cached_entries() const { return cached_prod_ - cached_cons_; }

  // Gives back the last n peeked entries unread (nothing was published).
  void cancel(uint32_t n) { cached_cons_ -= n; }

  // Returns every peeked entry's slot to the kernel.
  void release() {
    // (D) release: our reads of the descriptors are complete before the
    // kernel may see their slots as free and overwrite them.
    store_release(cons_, cached_cons_);
  }

 private:
  uint32_t* prod_ = nullptr;
  uint32_t* cons_ = nullptr;
  const Desc* descs_ = nullptr;
  uint32_t mask_ = 0;
  uint32_t cached_prod_ = 0;  // kernel producer index as last read
  uint32_t cached_cons_ = 0;  // our next entry to read
};

using FillRing = ProdRing<uint64_t>;
using TxRing = ProdRing<xdp_desc>;
using RxRing = ConsRing<xdp_desc>;
using CompRing = ConsRing<uint64_t>;

}  // namespace rs::xdp
