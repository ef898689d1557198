// Ring benchmark: bulk enqueue + dequeue of 32 pointers on SPSC and MPMC
// rings, (a) on one thread, (b) producer and consumer on two threads pinned to
// CPUs 0 and 1. One "op" is one bulk call that moved 32 pointers; ns/elem is
// wall time per pointer passed through the ring (enqueued and dequeued once).
//
// Each case runs 5 times; a line per case gives the median with min and max,
// and a last line "JSON {...}" carries the medians for scripts.
//   make -C native bench-ring && native/test/build/ring-bench [seconds-per-run]
#include <pthread.h>
#include <sched.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>
#include "ring.h"

using rs::Ring;
using rs::Sync;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kBulk = 32;
constexpr uint32_t kRingSize = 1024;
constexpr int kReps = 5;

struct Sample { double ops_per_sec, ns_per_elem; };

struct Case {
  std::string name;
  Sync sync;
  bool two_threads;
  std::vector<Sample> runs;
  bool pinned = true;
};

bool pin_to(unsigned cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Keeps the pointers "used" so the compiler cannot drop the copies.
std::atomic<uintptr_t> g_sink{0};

// (a) one thread: enqueue a bulk, dequeue it again. Returns seconds.
double run_one_thread(Ring* r, uint64_t iters) {
  void* in[kBulk];
  void* out[kBulk];
  for (uint32_t i = 0; i < kBulk; i++) in[i] = reinterpret_cast<void*>(uintptr_t(i + 1));
  uintptr_t sink = 0;
  auto t0 = Clock::now();
  for (uint64_t i = 0; i < iters; i++) {
    if (r->enqueue_bulk(in, kBulk) != kBulk) std::abort();
    if (r->dequeue_bulk(out, kBulk) != kBulk) std::abort();
    sink += reinterpret_cast<uintptr_t>(out[i & (kBulk - 1)]);
  }
  double t = seconds_since(t0);
  g_sink.fetch_add(sink, std::memory_order_relaxed);
  return t;
}

// (b) producer on CPU 0, consumer on CPU 1; timed from a common start until
// the consumer has received everything. Returns seconds.
double run_two_threads(Ring* r, uint64_t iters, bool* pinned) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> pin_ok{true};
  Clock::time_point t0;
  double elapsed = 0;
  std::thread prod([&] {
    if (!pin_to(0)) pin_ok = false;
    void* in[kBulk];
    for (uint32_t i = 0; i < kBulk; i++) in[i] = reinterpret_cast<void*>(uintptr_t(i + 1));
    ready.fetch_add(1);
    while (!go.load(std::memory_order_acquire)) rs::cpu_relax();
    for (uint64_t i = 0; i < iters; i++)
      while (r->enqueue_bulk(in, kBulk) != kBulk) rs::cpu_relax();
  });
  std::thread cons([&] {
    if (!pin_to(1)) pin_ok = false;
    void* out[kBulk];
    uintptr_t sink = 0;
    ready.fetch_add(1);
    while (!go.load(std::memory_order_acquire)) rs::cpu_relax();
    for (uint64_t i = 0; i < iters; i++) {
      while (r->dequeue_bulk(out, kBulk) != kBulk) rs::cpu_relax();
      sink += reinterpret_cast<uintptr_t>(out[i & (kBulk - 1)]);
    }
    elapsed = seconds_since(t0);
    g_sink.fetch_add(sink, std::memory_order_relaxed);
  });
  while (ready.load() < 2) std::this_thread::yield();
  t0 = Clock::now();
  go.store(true, std::memory_order_release);
  prod.join();
  cons.join();
  *pinned = pin_ok.load();
  return elapsed;
}

Sample measure(Case& c, uint64_t iters) {
  Ring* r = Ring::create(kRingSize, c.sync, c.sync);
  if (!r) { std::fprintf(stderr, "ring-bench: cannot create ring\n"); std::exit(1); }
  bool pinned = true;
  double t = c.two_threads ? run_two_threads(r, iters, &pinned) : run_one_thread(r, iters);
  Ring::destroy(r);
  if (!pinned) c.pinned = false;
  double ops = 2.0 * double(iters);  // one enqueue and one dequeue call per bulk
  return Sample{ops / t, t * 1e9 / (double(iters) * kBulk)};
}

// Iterations for about `target` seconds, from a short trial run.
uint64_t calibrate(Case& c, double target) {
  uint64_t iters = 20000;
  while (true) {
    Sample s = measure(c, iters);
    double t = s.ns_per_elem * 1e-9 * double(iters) * kBulk;
    if (t > 0.02 || iters >= (1ull << 32)) return std::max<uint64_t>(1000, uint64_t(double(iters) * target / t));
    iters *= 4;
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  double target = argc > 1 ? std::atof(argv[1]) : 0.2;
  if (target <= 0) target = 0.2;
  unsigned ncpu = std::thread::hardware_concurrency();
  std::vector<Case> cases = {
      {"spsc_1thread", Sync::Single, false, {}},
      {"mpmc_1thread", Sync::Multi, false, {}},
      {"spsc_2thread", Sync::Single, true, {}},
      {"mpmc_2thread", Sync::Multi, true, {}},
  };
  std::printf("ring-bench: bulk %u pointers, ring of %u, %d runs of ~%.2fs each, %u CPUs\n", kBulk, kRingSize,
              kReps, target, ncpu);
  for (Case& c : cases) {
    uint64_t iters = calibrate(c, target);
    for (int i = 0; i < kReps; i++) c.runs.push_back(measure(c, iters));
    std::vector<double> ops, ns;
    for (auto& s : c.runs) { ops.push_back(s.ops_per_sec); ns.push_back(s.ns_per_elem); }
    std::printf("%-13s %7.2f Mops/s (min %7.2f max %7.2f)  %6.3f ns/elem (min %6.3f max %6.3f)%s\n", c.name.c_str(),
                median(ops) / 1e6, *std::min_element(ops.begin(), ops.end()) / 1e6,
                *std::max_element(ops.begin(), ops.end()) / 1e6, median(ns), *std::min_element(ns.begin(), ns.end()),
                *std::max_element(ns.begin(), ns.end()),
                c.two_threads ? (c.pinned ? "  [cpu0->cpu1]" : "  [unpinned: affinity refused]") : "");
    std::fflush(stdout);
  }
  std::string json = "{\"bench\":\"ring\",\"bulk\":" + std::to_string(kBulk) + ",\"ring_size\":" +
                     std::to_string(kRingSize) + ",\"runs\":" + std::to_string(kReps) + ",\"cases\":{";
  for (std::size_t i = 0; i < cases.size(); i++) {
    const Case& c = cases[i];
    std::vector<double> ops, ns;
    for (auto& s : c.runs) { ops.push_back(s.ops_per_sec); ns.push_back(s.ns_per_elem); }
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s\"%s\":{\"ops_per_sec\":%.0f,\"ns_per_elem\":%.4f,\"threads\":%d,\"pinned\":%s}",
                  i ? "," : "", c.name.c_str(), median(ops), median(ns), c.two_threads ? 2 : 1,
                  c.two_threads && c.pinned ? "true" : "false");
    json += buf;
  }
  json += "}}";
  std::printf("JSON %s\n", json.c_str());
  return 0;
}
