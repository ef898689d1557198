// Memory-order primitives, in one place so every barrier in the engine is
// named and commented where it is used.
#pragma once
#include <atomic>
#include <cstdint>

namespace rs {

constexpr std::size_t kCacheLine = 64;

// Relaxed load/store for counters written by exactly one poll thread and read
// by the control thread: no ordering needed, only freedom from tearing.
template <typename T>
inline T load_relaxed(const std::atomic<T>& a) { return a.load(std::memory_order_relaxed); }
template <typename T>
inline void store_relaxed(std::atomic<T>& a, T v) { a.store(v, std::memory_order_relaxed); }

// Single-writer counter: cheaper than fetch_add (no locked instruction) and
// still readable from another thread without tearing.
struct Counter {
  std::atomic<uint64_t> v{0};
  inline void add(uint64_t n) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  inline uint64_t get() const { return v.load(std::memory_order_relaxed); }
  inline void reset() { v.store(0, std::memory_order_relaxed); }
};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace rs
