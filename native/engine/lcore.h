// Identity of the current poll thread. Like DPDK's rte_lcore_id(): poll
// threads set it once, other threads see kNoLcore and bypass per-lcore caches.
#pragma once
#include <cstdint>

namespace rs {

constexpr unsigned kMaxLcores = 64;
constexpr unsigned kNoLcore = ~0u;

unsigned this_lcore();
void set_this_lcore(unsigned id);

}  // namespace rs
