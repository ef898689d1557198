// The clock the poll loop reads on its timed passes for `show lcores` (busy
// vs idle time): the TSC where there is one (no system call; ~20 cycles on
// bare metal, but 100+ ns where a hypervisor traps it), else CLOCK_MONOTONIC
// through the vDSO. Only ratios are shown, so the unit does not matter.
#pragma once
#include <cstdint>
#include <ctime>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace rs {

inline uint64_t poll_clock() {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();
#else
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
#endif
}

}  // namespace rs
