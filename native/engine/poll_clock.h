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

inline uint64_t monotonic_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

inline uint64_t poll_clock() {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();
#else
  return monotonic_ns();
#endif
}

// poll_clock() ticks per second, for the cycles testpmd's record-core-cycles
// reports with its clock rate: the TSC measured against CLOCK_MONOTONIC over
// 10 ms the first time it is asked (control thread; a busy wait, once per
// process), 1e9 where poll_clock() is CLOCK_MONOTONIC itself.
inline uint64_t poll_clock_hz() {
#if defined(__x86_64__) || defined(__i386__)
  static const uint64_t hz = [] {
    uint64_t ns0 = monotonic_ns(), tsc0 = __rdtsc(), ns1;
    while ((ns1 = monotonic_ns()) - ns0 < 10'000'000) {
    }
    return (__rdtsc() - tsc0) * 1'000'000'000ull / (ns1 - ns0);
  }();
  return hz;
#else
  return 1'000'000'000ull;
#endif
}

}  // namespace rs
