// High-water marks of driver rings (`show port N rxq|txq Q info`): each is
// written by the queue's one poll thread and read by the control thread,
// relaxed, as a Counter.
#pragma once
#include <atomic>
#include <cstdint>
#include "../barrier.h"

namespace rs {

inline void raise_mark(std::atomic<uint32_t>& mark, uint32_t seen) {
  if (seen > load_relaxed(mark)) store_relaxed(mark, seen);
}

// Counting what a ring holds may read indices or headers the kernel writes
// (a cache line taken from the writer each): the poll thread does it on one
// burst in 16, and the mark says it is sampled.
inline bool sample_due(uint32_t& polls) { return (++polls & 15u) == 0; }

}  // namespace rs
