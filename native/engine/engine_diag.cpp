// Engine diagnostics: `show lcores` (poll-thread load) and `show mempool`
// (pool, caches, and who holds the mbufs in use), plus the test-only leak.
#include <map>
#include <tuple>
#include "engine.h"
#include "poll_clock.h"
#include "kni/kni.h"
#include "replay/replay.h"

namespace rs {

std::vector<LcoreLoad> Engine::lcore_loads() const {
  std::vector<LcoreLoad> out;
  if (lcore_counters_.empty()) {  // never started: the plan, with no load yet
    for (const LcoreAssignment& a : lcores()) out.push_back({a.lcore, a.cpu, a.streams, 0, 0, 0, 0, 0.0});
    return out;
  }
  uint64_t end = run_stop_ns_ ? run_stop_ns_ : monotonic_ns();
  double seconds = static_cast<double>(end - run_start_ns_) / 1e9;
  for (std::size_t i = 0; i < lcores_.size(); i++) {
    const LcoreCounters& c = *lcore_counters_[i];
    out.push_back({lcores_[i].lcore, lcores_[i].cpu, lcores_[i].streams, c.busy_cycles.get(), c.idle_cycles.get(),
                   c.busy_polls.get(), c.idle_polls.get(), seconds});
  }
  return out;
}

MempoolReport Engine::mempool_report() const {
  // The caches' contents belong to running poll threads and to a replay
  // thread: holders are listed only while none runs. The KNI thread, which
  // moves mbufs whenever, waits meanwhile, so the counts and holders agree.
  std::unique_lock<std::mutex> kni_guard;
  if (kni_) kni_guard = kni_->io_lock();
  MempoolReport r{pool_stats(), {}, !forwarding_ && !replay_->active(), {}};
  if (!pool_) return r;
  r.caches = pool_->cache_occupancy();
  if (!r.holders_known) return r;

  // Mbufs held inside ports (ring contents) and KNIs, by the holder's name.
  std::vector<std::pair<std::string, const Mbuf*>> held;
  for (const auto& p : ports_)
    if (p) p->held_mbufs(&held);
  if (kni_) kni_->held_mbufs(&held);
  std::map<const Mbuf*, const std::string*> holder_of;
  for (const auto& [name, m] : held) holder_of[m] = &name;

  // The rest by the rx queue they were last received on (drivers tag each
  // mbuf with port/queue on rx) and the stream that takes from that queue.
  std::map<std::string, uint32_t> in_ring;
  std::map<std::tuple<uint16_t, uint16_t>, uint32_t> loose;
  for (const Mbuf* m : pool_->in_use_mbufs()) {
    if (auto it = holder_of.find(m); it != holder_of.end()) in_ring[*it->second]++;
    else loose[{m->port, m->queue}]++;
  }
  for (const auto& [name, n] : in_ring) r.holders.push_back({name, n, true});
  for (const auto& [pq, n] : loose) {
    auto [port, queue] = pq;
    std::string name = "port " + std::to_string(port) + " rxq " + std::to_string(queue);
    for (std::size_t i = 0; i < streams_.size(); i++) {
      const FwdStream& fs = *streams_[i];
      if (fs.rx_port != port || fs.rx_queue != queue) continue;
      name += ", taken by stream " + std::to_string(i) + " (port " + std::to_string(fs.rx_port) + " rxq " +
              std::to_string(fs.rx_queue) + " -> port " + std::to_string(fs.tx_port) + " txq " +
              std::to_string(fs.tx_queue) + ")";
      break;
    }
    r.holders.push_back({name, n, false});
  }
  return r;
}

// TEST-ONLY (see engine.h): poll the stream until n packets came, then drop
// them on the floor. Runs once, before the poll loop, on the first poll thread.
void Engine::test_only_leak(FwdStream& fs) {
  Mbuf* pkts[kMaxBurst];
  unsigned left = test_leak_;
  test_leak_ = 0;
  while (left && !stop_flag_.load(std::memory_order_relaxed)) {
    uint16_t want = static_cast<uint16_t>(left < kMaxBurst ? left : kMaxBurst);
    uint16_t got = fs.rx->rx_burst(fs.rx_queue, pkts, want);
    fs.rx_packets.add(got);
    left -= got;  // deliberately never freed
  }
}

}  // namespace rs
