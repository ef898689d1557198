// Identity of the current poll thread. Like DPDK's rte_lcore_id(): poll
// threads set it once, other threads see kNoLcore and bypass per-lcore caches.
#pragma once
#include <cstdint>
#include <vector>
#include "engine_limits.h"

namespace rs {

constexpr unsigned kMaxLcores = limits::kMaxLcores;
constexpr unsigned kNoLcore = ~0u;

unsigned this_lcore();
void set_this_lcore(unsigned id);

// CPUs this process may run on (its affinity when first asked), ascending.
const std::vector<int>& allowed_cpus();

}  // namespace rs
