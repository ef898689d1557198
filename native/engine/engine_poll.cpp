// Engine poll loop: start and stop forwarding, and run_lcore(), the body of
// each poll thread. While forwarding, the streams, lcore table, settings and
// engine choice are frozen (config changes are refused), so poll threads read
// them without synchronisation beyond thread creation and join.
#include <pthread.h>
#include <sched.h>
#include <algorithm>
#include <set>
#include <system_error>
#include "engine.h"
#include "fwd/engines.h"
#include "gen/template.h"
#include "kni/kni.h"
#include "poll_clock.h"
#include "replay/replay.h"

namespace rs {

void Engine::start(unsigned tx_first_bursts) {
  if (forwarding_) throw Error("EBUSY_FORWARDING", "forwarding is already running: run 'stop' first");
  if (!pool_) throw Error("ESHUTDOWN", "the engine was shut down: create a new session");
  build_streams();
  if (replay_->active())
    for (const auto& fs : streams_)
      if (fs->tx_port == replay_->port() && fs->tx_queue == replay_->queue())
        throw Error("EBUSY_REPLAY", "a replay sends on tx queue " + std::to_string(fs->tx_queue) + " of port " +
                                        std::to_string(fs->tx_port) + ", which forwarding would use too: stop it first "
                                        "('replay stop') or wait until it is done ('show replay')");
  settings_.pool = pool_.get();
  for (auto& fs : streams_) {
    KniDev* k = kni_for_port(fs->rx);  // `kni create ... all`: leftovers to the kernel
    fs->kni_all = k && k->takes_all() ? k : nullptr;
    if (fwd_->stream_init) fwd_->stream_init(*fs, settings_);
    fs->tx_retries = tx_retry_ ? tx_retries_ : 0;
    if (record_bursts_) fs->bursts = std::make_unique<BurstSpread>();
    fs->tx_retry_delay_us = tx_delay_us_;
  }
  tx_first_bursts_ = tx_first_bursts;
  // Relaxed: std::thread's constructor orders this store (and all the set-up
  // above) before anything the new threads do.
  stop_flag_.store(false, std::memory_order_relaxed);
  lcore_counters_.clear();
  for (std::size_t i = 0; i < lcores_.size(); i++) lcore_counters_.push_back(std::make_unique<LcoreCounters>());
  run_start_ns_ = monotonic_ns();
  run_stop_ns_ = 0;
  if (kni_) kni_->set_forwarding(true);  // the poll threads own the ports' queues now
  try {
    for (unsigned i = 0; i < lcores_.size(); i++) threads_.emplace_back(&Engine::run_lcore, this, i);
  } catch (const std::system_error& e) {
    stop_flag_.store(true, std::memory_order_relaxed);
    for (auto& t : threads_) t.join();
    threads_.clear();
    if (kni_) kni_->set_forwarding(false);
    throw Error("ETHREAD", std::string("cannot start a poll thread: ") + e.what() + ": use fewer cores ('set nbcore N')");
  }
  forwarding_ = true;
}

void Engine::run_lcore(unsigned index) {
  const LcoreAssignment& lc = lcores_[index];
  set_this_lcore(lc.lcore);  // selects this thread's mempool cache
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(lc.cpu, &set);
  // Pinning is best effort: a refused affinity only costs performance.
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  // Named as testpmd's lcores are numbered, for top -H and ps -L.
  pthread_setname_np(pthread_self(), ("lcore-" + std::to_string(lc.lcore)).c_str());

  std::vector<FwdStream*> mine;
  for (uint16_t si : lc.streams) mine.push_back(streams_[si].get());

  if (tx_first_bursts_) {
    // testpmd's `start tx_first`: prime the loop with txonly bursts. txonly's
    // template shares the stream scratch with the mode's own state, so the
    // mode's stream_init runs again afterwards. Past the first kWholeBursts,
    // the stop flag is checked between bursts (relaxed, as in the loop
    // below): a million bursts to a TAP take minutes, and stop, quit or
    // SIGTERM must not wait for them. The first ones always go out, so a
    // `start tx_first` stopped before this thread got a CPU still primes.
    constexpr unsigned kWholeBursts = 64;
    for (FwdStream* fs : mine) {
      if (fwd_ != &fwd_txonly) fwd_txonly.stream_init(*fs, settings_);
      for (unsigned b = 0; b < tx_first_bursts_; b++) {
        if (b >= kWholeBursts && stop_flag_.load(std::memory_order_relaxed)) break;
        fwd_txonly.packet_fwd(*fs, settings_);
      }
      if (fwd_ != &fwd_txonly && fwd_->stream_init) fwd_->stream_init(*fs, settings_);
    }
  }

  // KNI egress while forwarding: the lcore that owns tx queue 0 of a port
  // with a KNI sends what the kernel sent out of it (kni/kni.h).
  std::vector<std::pair<KniDev*, FwdStream*>> kni_tx;
  for (FwdStream* fs : mine) {
    KniDev* k = fs->tx_queue == 0 ? kni_for_port(fs->tx) : nullptr;
    bool seen = false;
    for (auto& e : kni_tx) seen = seen || e.second->tx == fs->tx;
    if (k && !seen) kni_tx.push_back({k, fs});
  }

  if (index == 0 && test_leak_ && !mine.empty()) test_only_leak(*mine[0]);

  auto packet_fwd = fwd_->packet_fwd;
  // testpmd's record-core-cycles: a burst that moved packets adds its
  // poll_clock() time to its stream (testpmd's get_start/end_cycles: one
  // clock read on every poll, a second when it moved something).
  const bool record_cycles = record_cycles_;
  auto run_stream = [&](FwdStream& fs) {
    if (!record_cycles) return packet_fwd(fs, settings_);
    uint64_t t0 = poll_clock();
    bool moved = packet_fwd(fs, settings_);
    if (moved) fs.core_cycles.add(poll_clock() - t0);
    return moved;
  };
  // `show lcores` samples: one pass in kTimedEvery is timed (two clock
  // reads) and classed busy (some stream's packet_fwd moved a packet) or
  // idle, and stands for kTimedEvery passes. Every pass is
  // not measured because a clock read costs 110-130 ns on this VM (rdtsc is
  // trapped), more than a whole io pass on net_ring; sampling by pass count
  // keeps the busy share unbiased, and an untimed pass pays one decrement.
  constexpr unsigned kTimedEvery = 64;
  LcoreCounters& load = *lcore_counters_[index];
  unsigned until_timed = kTimedEvery;
  uint64_t acked = 0;
  // A poll thread that has moved nothing for kIdlePasses passes sleeps
  // between passes until a pass moves something again: kIdleSleepMinNs,
  // doubling while it stays idle up to kIdleSleepMaxNs. Spinning
  // on an empty port takes a whole CPU for nothing, and on a shared machine
  // that pushes every other thread (on a veth, the sender whose packets the
  // port is waiting for) onto the CPUs left; it also keeps re-reading ring
  // words the producing CPU writes. Kernel ports hand over packets in
  // batches (an AF_PACKET block per 1 ms or when full), so the sleep adds
  // nothing a user sees; a busy loop never sleeps, nor does a thread that
  // sends a KNI's egress (kni_tx), so what the kernel sends is not delayed.
  // A port a polling peer fills (memif) gets a burst every few microseconds
  // while traffic flows, and a nap between two would stall both sides: its
  // lcore waits for kIdlePassesPolledPeer (milliseconds) before napping.
  constexpr unsigned kIdlePasses = 256, kIdlePassesPolledPeer = 1u << 16;
  unsigned nap_after = kIdlePasses;
  for (FwdStream* fs : mine)
    if (fs->rx->fed_by_polling_peer()) nap_after = kIdlePassesPolledPeer;
  constexpr long kIdleSleepMinNs = 50'000, kIdleSleepMaxNs = 1'000'000;
  unsigned idle_passes = 0;
  long idle_sleep_ns = kIdleSleepMinNs;
  // Relaxed load, checked once per pass over the streams: the flag carries no
  // data with it (everything the control thread reads afterwards is ordered
  // by join()), so it only needs to become visible eventually. At least one
  // pass runs, so a `start` at once followed by `stop` still polls every stream.
  do {
    // acquire pairs with with_port_paused's release when it resumes: the
    // port changes it made are seen before the port's streams run again.
    uint64_t pause = pause_word_.load(std::memory_order_acquire);
    uint32_t paused = static_cast<uint32_t>(pause & 0xffff);  // 1 + port id, 0: none
    bool timed = --until_timed == 0;
    uint64_t t0 = timed ? poll_clock() : 0;
    bool busy = false;
    for (FwdStream* fs : mine)
      if (fs->rx_port + 1u != paused && fs->tx_port + 1u != paused) busy |= run_stream(*fs);
    for (auto& [k, fs] : kni_tx)
      if (fs->tx_port + 1u != paused) k->from_kernel(fs->tx, fs->tx_queue);
    if (busy || !kni_tx.empty()) {
      idle_passes = 0;
      idle_sleep_ns = kIdleSleepMinNs;
    } else if (++idle_passes >= nap_after) [[unlikely]] {
      const timespec ts{0, idle_sleep_ns};
      ::nanosleep(&ts, nullptr);
      idle_sleep_ns = std::min(idle_sleep_ns * 2, kIdleSleepMaxNs);
    }
    if (timed) [[unlikely]] {
      until_timed = kTimedEvery;
      (busy ? load.busy_cycles : load.idle_cycles).add(poll_clock() - t0);
      (busy ? load.busy_polls : load.idle_polls).add(kTimedEvery);
    }
    // release: this whole pass, which skipped the paused port, happens
    // before with_port_paused (acquire) touches it.
    if (pause != acked) [[unlikely]] {
      load.pause_ack.store(pause, std::memory_order_release);
      acked = pause;
    }
  } while (!stop_flag_.load(std::memory_order_relaxed));

  pool_->flush_cache(lc.lcore);
  load.exited.store(true, std::memory_order_release);  // pairs with with_port_paused's acquire
}

void Engine::with_port_paused(uint16_t id, const std::function<void()>& fn) {
  uint64_t word = (((pause_word_.load(std::memory_order_relaxed) >> 16) + 1) << 16) | (id + 1u);
  pause_word_.store(word, std::memory_order_release);
  auto resume = [&] { pause_word_.store(word & ~uint64_t(0xffff), std::memory_order_release); };
  // Every poll thread finishes a pass that skipped the port (or has exited).
  // A stop meanwhile ends the wait without touching the port: a thread start
  // never created would never answer.
  for (const auto& c : lcore_counters_) {
    while (c->pause_ack.load(std::memory_order_acquire) != word && !c->exited.load(std::memory_order_acquire)) {
      if (stop_flag_.load(std::memory_order_relaxed)) {
        resume();
        throw Error("EBUSY_FORWARDING", "forwarding stopped while port " + std::to_string(id) + " was being paused");
      }
      std::this_thread::yield();
    }
  }
  try {
    fn();
  } catch (...) {
    resume();
    throw;
  }
  resume();
}

std::vector<StreamStats> Engine::stop() {
  if (!forwarding_) throw Error("ENOT_FORWARDING", "packet forwarding is not started");
  // Relaxed: see run_lcore; join() below is the synchronisation point.
  stop_flag_.store(true, std::memory_order_relaxed);
  for (auto& t : threads_) t.join();
  threads_.clear();
  forwarding_ = false;
  run_stop_ns_ = monotonic_ns();
  if (kni_) kni_->set_forwarding(false);
  release_taps_if_idle();
  // Packets parked inside forwarding ports (ring contents) go back to the
  // pool, so the pool is whole again; they were in flight, not dropped.
  std::set<Port*> fwd_ports;
  for (auto& fs : streams_) {
    fwd_ports.insert(fs->rx);
    fwd_ports.insert(fs->tx);
  }
  for (auto& fs : streams_) fs->state.reset();  // packets an engine holds (noisy's FIFO) go back too
  for (Port* p : fwd_ports) p->flush();
  return snapshot_streams();
}

}  // namespace rs
