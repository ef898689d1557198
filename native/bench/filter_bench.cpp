// Filter benchmark: Filter::select over a burst of 32 hot frames (in cache),
// the poll thread's per-burst call. ns/packet is the thread's CPU time per
// frame filtered (not wall time: on a shared machine the time other
// processes hold the CPU is left out). Each case runs RUNS times: median with
// min and max.
//   make -C native bench-filter && native/test/build/filter-bench [iterations] [runs]
// It uses only Filter::compile and Filter::select, so the same file builds
// against an older engine: native/bench/filter_compare.sh runs two side by side.
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <vector>
#include "capture/filter.h"
#include "mempool.h"

namespace {

constexpr uint16_t kBurst = 32;

// Ethernet [+ 802.1Q tag 10] + IPv4 10.0.0.1 -> 10.0.0.2 or IPv6 fd00::1 ->
// fd00::2 + UDP 1000 -> (2000 + i), 64+ bytes: nothing below matches it but
// `ip`/`ip6` and the vlan filters on tagged frames.
std::vector<uint8_t> udp_frame(uint16_t dport, bool v6, bool vlan) {
  std::vector<uint8_t> f(14, 0);
  f[0] = 2; f[6] = 2; f[11] = 1;
  if (vlan) f.insert(f.end(), {0, 0, 0, 10});
  uint16_t type = v6 ? 0x86dd : 0x0800;
  f[12] = vlan ? 0x81 : uint8_t(type >> 8);
  f[13] = vlan ? 0x00 : uint8_t(type);
  if (vlan) { f[16] = uint8_t(type >> 8); f[17] = uint8_t(type); }
  std::size_t l3 = f.size();
  if (v6) {
    f.resize(l3 + 40, 0);
    f[l3] = 0x60; f[l3 + 5] = 26; f[l3 + 6] = 17; f[l3 + 7] = 64;
    f[l3 + 8] = 0xfd; f[l3 + 23] = 1; f[l3 + 24] = 0xfd; f[l3 + 39] = 2;
  } else {
    f.resize(l3 + 20, 0);
    const uint8_t ip[20] = {0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    std::memcpy(&f[l3], ip, 20);
  }
  std::size_t l4 = f.size();
  f.resize(std::max<std::size_t>(l4 + 8 + 18, 64), 0);
  f[l4] = 1000 >> 8; f[l4 + 1] = 1000 & 0xff; f[l4 + 2] = uint8_t(dport >> 8); f[l4 + 3] = uint8_t(dport);
  return f;
}

double cpu_ns() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e9 + double(t.tv_nsec);
}

double run_once(const rs::Filter& flt, rs::Mbuf* const* burst, long iters) {
  uint16_t kept[kBurst];
  unsigned long sink = 0;
  double t0 = cpu_ns();
  for (long i = 0; i < iters; i++) sink += flt.select(burst, kBurst, kept);
  double ns = cpu_ns() - t0;
  if (sink == 1) std::printf(" ");  // keeps the loop
  return ns / (double(iters) * kBurst);
}

}  // namespace

int main(int argc, char** argv) {
  long iters = argc > 1 ? std::atol(argv[1]) : 2000000;
  int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  rs::Mempool pool("filter-bench", 4 * kBurst);
  // alternate: IPv4 and IPv6 frames in turn, as on a dual-stack link.
  struct Frames { const char* name; bool v6, vlan, alternate; };
  const Frames kinds[] = {{"untagged IPv4 UDP", false, false, false}, {"IPv6 UDP", true, false, false},
                          {"802.1Q IPv4 UDP", false, true, false}, {"802.1Q IPv6 UDP", true, true, false},
                          {"IPv4/IPv6 in turn", false, false, true}};
  const char* exprs[] = {"udp port 4789", "tcp port 80", "host 10.9.0.1", "host fd00::9", "ip", "ip6",
                         "vlan 10 and udp", "vlan and udp port 4789", "udp port 4789 or host 10.9.0.1",
                         "tcp[tcpflags] & tcp-syn != 0"};
  for (const Frames& k : kinds) {
    rs::Mbuf* burst[kBurst];
    for (uint16_t i = 0; i < kBurst; i++) {
      burst[i] = pool.alloc();
      auto f = udp_frame(uint16_t(2000 + i), k.alternate ? i % 2 == 1 : k.v6, k.vlan);
      std::memcpy(burst[i]->data(), f.data(), f.size());
      burst[i]->data_len = uint16_t(f.size());
    }
    for (const char* e : exprs) {
      rs::Filter flt;
      try {
        flt = rs::Filter::compile(e);
      } catch (const std::exception& err) {
        std::printf("%-18s %-34s refused: %s\n", k.name, e, err.what());
        continue;
      }
      std::vector<double> times;
      for (int r = 0; r < runs; r++) times.push_back(run_once(flt, burst, iters));
      std::sort(times.begin(), times.end());
      std::printf("%-18s %-34s %6.2f ns/packet (min %.2f, max %.2f)\n", k.name, e, times[times.size() / 2], times.front(),
                  times.back());
    }
    rs::mbuf_free_bulk(burst, kBurst);
  }
  return 0;
}
