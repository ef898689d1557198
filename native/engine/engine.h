// The engine: owns the mbuf pool, the ports, the forwarding configuration and
// the poll threads. Used by the addon and by the C++ test binary alike; no
// N-API in here. Control-path methods throw rs::Error; all run on one control
// thread.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include "error.h"
#include "fwd/fwd_engine.h"
#include "mempool.h"
#include "netlink/events.h"
#include "port.h"

namespace rs {

class CaptureManager;  // capture/capture.h
class IfProxy;         // netlink/ifproxy.h
class Kni;             // kni/kni.h
class ReplayManager;   // replay/replay.h
class VerboseManager;  // diag/verbose.h

enum class Topology { Paired, Chained, Loop };
const char* topology_name(Topology t);

struct EngineOptions {
  uint32_t total_num_mbufs = 16384;
  uint16_t mbuf_data_room = Mempool::kDefaultDataRoom;
};

// One poll thread's share of the streams, for `show config fwd`.
struct LcoreAssignment {
  unsigned lcore;  // 1-based like testpmd's forwarding lcores
  int cpu;         // CPU it is pinned to
  std::vector<uint16_t> streams;  // indexes into streams()
};

// A forwarding lcore and the CPU its poll thread is pinned to (EAL -l,
// --lcores, -c; `set corelist|coremask` picks among them).
struct LcoreCpu {
  unsigned lcore;
  int cpu;
};

struct StreamStats {
  uint16_t rx_port, rx_queue, tx_port, tx_queue;
  uint64_t rx_packets, tx_packets, fwd_dropped;
  uint64_t bad_ip_csum, bad_l4_csum;  // csum mode
  uint64_t core_cycles;                // with core cycles recorded (poll_clock() units)
  // With burst stats recorded: (burst size, bursts) pairs, sizes ascending.
  std::vector<std::pair<uint16_t, uint64_t>> rx_bursts{}, tx_bursts{};
};

struct PoolStats {
  std::string name;
  uint32_t size, available, in_use;
  uint64_t alloc_failures;
};

// `show lcores`: one poll thread's streams and how its passes over them went
// in the current or last run. A pass is busy when the packet_fwd of any of
// its streams says it moved a packet (received or generated one). Sampled
// (engine_poll.cpp run_lcore): one pass in 64 is timed and counts for 64, so
// pass counts are estimates in steps of 64, and cycles are poll_clock()
// units of the timed passes only: their ratio is the busy share.
struct LcoreLoad {
  unsigned lcore;
  int cpu;
  std::vector<uint16_t> streams;
  uint64_t busy_cycles, idle_cycles, busy_polls, idle_polls;
  double seconds;  // run time so far (or of the last run)
};

// `show mempool`: the pool, its per-lcore caches and who holds its in-use
// mbufs: rings by name, the rest by the queue they were last received on
// and the stream that takes from that queue.
struct MempoolHolder {
  std::string name;
  uint32_t mbufs;
  bool in_ring;  // false: held by no ring or cache (a leak once stopped)
};
struct MempoolReport {
  PoolStats pool;
  std::vector<std::pair<unsigned, uint32_t>> caches;  // (lcore, mbufs cached)
  bool holders_known;  // holders are listed only while no poll or replay thread runs
  std::vector<MempoolHolder> holders;
};

class Engine {
 public:
  explicit Engine(const EngineOptions& opts = {});
  ~Engine();  // shutdown()
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Ports. attach takes the lowest free id (a detached port's id is reused, as in DPDK).
  uint16_t attach(const std::string& devargs);   // creates, configures with default queues
  void detach(uint16_t port);                    // closes first
  Port& port(uint16_t id);                       // throws EPORT_RANGE
  std::vector<uint16_t> port_ids() const;        // attached ports, ascending
  void port_start(uint16_t id);
  void port_stop(uint16_t id);
  void port_close(uint16_t id);
  void port_set_queues(uint16_t id, int nb_rx, int nb_tx);  // -1 keeps; port must be stopped
  // Descriptors of one queue ring or all (q = Port::kAllQueues); the port
  // stopped and not forwarding.
  void port_set_nb_desc(uint16_t id, Dir d, uint16_t q, uint32_t n);
  // testpmd's `port P rxq|txq Q start|stop|deferred_start on|off`.
  void port_queue_state(uint16_t id, Dir d, uint16_t q, bool start);
  void port_queue_deferred(uint16_t id, Dir d, uint16_t q, bool on);
  void port_add_ip(uint16_t id, const std::string& cidr);   // "192.168.1.1/24"; EINVAL_IP
  std::vector<std::string> port_ips(uint16_t id) const;

  // Forwarding configuration (refused with EBUSY_FORWARDING while running,
  // except where noted).
  void set_fwd_mode(const std::string& name);  // EFWD_MODE lists valid modes
  const FwdEngine& fwd_mode() const { return *fwd_; }
  void set_nb_cores(unsigned n);              // at most the forwarding lcores, when they are set
  unsigned nb_cores() const { return nb_cores_; }
  // The forwarding lcores (CPUs checked against the process's affinity).
  // Empty: lcore N on the N-th allowed CPU, as many as --nb-cores asks.
  void set_lcores(const std::vector<LcoreCpu>& lcores);
  const std::vector<LcoreCpu>& fwd_lcores() const { return lcore_map_; }
  // The ports forwarding uses, in this order (testpmd's portlist); empty:
  // every started port. Ids must be attached.
  void set_fwd_ports(const std::vector<uint16_t>& ids);
  const std::vector<uint16_t>& fwd_ports() const { return fwd_ports_; }
  void set_burst(uint16_t n);                   // 1..kMaxBurst
  // testpmd's `set fwd MODE retry` and `set burst tx delay US retry N`
  // (defaults 1 us, 64 tries); used at the next start.
  void set_tx_retry(bool on);
  void set_burst_tx_retry(uint32_t delay_us, uint32_t tries);
  bool tx_retry() const { return tx_retry_; }
  uint32_t burst_tx_delay_us() const { return tx_delay_us_; }
  uint32_t burst_tx_retries() const { return tx_retries_; }
  uint16_t burst() const { return settings_.burst; }
  // testpmd's `set record-burst-stats on|off`, from the next start.
  void set_record_burst_stats(bool on) { record_bursts_ = on; }
  bool record_burst_stats() const { return record_bursts_; }
  // testpmd's `set record-core-cycles on|off`, from the next start.
  void set_record_core_cycles(bool on) { record_cycles_ = on; }
  bool record_core_cycles() const { return record_cycles_; }
  // testpmd's --noisy-* options for noisy mode (ENOISY_* when inconsistent).
  void set_noisy(const NoisySettings& n);
  const NoisySettings& noisy() const { return settings_.noisy; }
  void set_topology(Topology t);
  Topology topology() const { return topology_; }
  void set_txpkts(const std::vector<uint16_t>& segs);  // sum within 42..data room
  const std::vector<uint16_t>& txpkts() const { return settings_.txpkts; }
  void set_eth_peer(uint16_t port, const MacAddr& mac);
  MacAddr eth_peer(uint16_t port) const;
  // Traffic generation (gen/): template, IMIX, flowgen ranges, per-port rate
  // and count. Validated (EGEN_*); refused while forwarding.
  void set_gen_settings(const gen::GenSettings& g);
  const gen::GenSettings& gen_settings() const { return settings_.gen; }
  // What rxonly/flowgen measured on this port's rx queues in the current or
  // last run (`show port latency N`).
  gen::LatencyReport port_latency(uint16_t port) const;

  // The stream table the next start would use (or the running one).
  std::vector<StreamStats> streams() const;
  std::vector<LcoreAssignment> lcores() const;

  // Start forwarding on all started ports. tx_first_bursts > 0 first sends
  // that many txonly bursts on every stream (testpmd's start tx_first [N]).
  void start(unsigned tx_first_bursts = 0);
  // Stop poll threads, drain port-held packets back to the pool, and return
  // per-stream counters of this run.
  std::vector<StreamStats> stop();
  bool forwarding() const { return forwarding_; }
  // Runs fn while no poll thread touches port id (a KNI request applied
  // while forwarding: pause that port's streams, apply, resume; its packets
  // wait in its queues meanwhile). Only while forwarding, from one control
  // thread at a time (the KNI thread, under its io lock, which start and stop
  // also take). Throws EBUSY_FORWARDING, without running fn, if forwarding
  // stops meanwhile.
  void with_port_paused(uint16_t id, const std::function<void()>& fn);

  PoolStats pool_stats() const;
  void clear_fwd_stats();
  // Diagnostics (engine_diag.cpp): `show lcores`, `show mempool`.
  std::vector<LcoreLoad> lcore_loads() const;
  MempoolReport mempool_report() const;
  // TEST-ONLY fault hook: the next start's first poll thread receives n
  // packets on its first stream and drops them without freeing: a leak for
  // tests of `show mempool` to find. Also set by the environment variable
  // RINGSIDE_TEST_LEAK_MBUFS=n at engine creation.
  void test_only_leak_mbufs(unsigned n) { test_leak_ = n; }
  // Stops forwarding, closes every port, frees everything. Idempotent.
  void shutdown();

  // Events for the shell, whoever pushes them (IF proxy, KNI, capture, replay).
  EventQueue& events();
  // Captures and replays (stopped, files flushed and closed, before ports close).
  // IF proxy (rtnetlink listener, events) and KNI, created on first use;
  // stopped (listener thread, KNI thread, TAPs removed) before ports close.
  IfProxy& ifproxy();
  // `ifproxy create [NAME]`: attaches the next free net_tapN (its interface
  // NAME, else the driver's) and makes it a proxy; a port whose proxy cannot
  // be made is detached again. Returns the port id.
  uint16_t ifproxy_create(const std::string& ifname = "");
  // `ifproxy bind PORT IFNAME`: binds to the interface; a port that is that
  // interface is recorded as the proxy's port.
  void ifproxy_bind(uint16_t port, const std::string& ifname);
  // `ifproxy bind PORT PROXY_PORT`: binds to the kernel interface of another
  // port (EPROXY_INVISIBLE when it has none).
  void ifproxy_bind_port(uint16_t port, uint16_t proxy_port);
  Kni& kni();
  bool has_kni() const { return kni_ != nullptr; }
  CaptureManager& captures() { return *captures_; }
  ReplayManager& replays() { return *replay_; }
  // `set verbose` taps; retired ones are freed when forwarding stops.
  VerboseManager& verbose() { return *verbose_; }
  // Frees removed packet taps when no poll or replay thread can hold one.
  void release_taps_if_idle();

 private:
  void require_stopped(const char* what) const;
  void build_streams();
  void run_lcore(unsigned index);
  void test_only_leak(FwdStream& fs);

  EngineOptions opts_;
  std::unique_ptr<Mempool> pool_;
  // Events for the shell (IF proxy, KNI, capture and replay completion); before
  // everything that pushes into it.
  EventQueue events_;
  std::unique_ptr<CaptureManager> captures_;
  std::unique_ptr<ReplayManager> replay_;
  std::unique_ptr<VerboseManager> verbose_;
  std::unique_ptr<IfProxy> ifproxy_;  // before kni_: the KNI uses it
  std::unique_ptr<Kni> kni_;
  std::vector<std::unique_ptr<Port>> ports_;  // index = port id; null when detached
  std::vector<std::unique_ptr<FwdStream>> streams_;
  std::vector<LcoreAssignment> lcores_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_flag_{false};
  const FwdEngine* fwd_;
  FwdSettings settings_;
  unsigned nb_cores_ = 1;
  bool tx_retry_ = false;
  bool record_bursts_ = false;
  bool record_cycles_ = false;
  uint32_t tx_delay_us_ = 1, tx_retries_ = 64;  // testpmd's burst_tx_delay_time, burst_tx_retry_num
  std::vector<LcoreCpu> lcore_map_;
  std::vector<uint16_t> fwd_ports_;
  Topology topology_ = Topology::Paired;
  unsigned tx_first_bursts_ = 0;
  bool forwarding_ = false;
  // Per poll thread, written only by it (single-writer Counters), own line.
  struct alignas(kCacheLine) LcoreCounters {
    Counter busy_cycles, idle_cycles, busy_polls, idle_polls;
    std::atomic<uint64_t> pause_ack{0};  // the last pause_word_ a whole pass honoured
    std::atomic<bool> exited{false};
  };
  // A pause request: a generation above bit 16, below it 1 + the port whose
  // streams the poll threads skip (0: none).
  std::atomic<uint64_t> pause_word_{0};
  std::vector<std::unique_ptr<LcoreCounters>> lcore_counters_;  // per lcores_ entry, rebuilt at start
  uint64_t run_start_ns_ = 0, run_stop_ns_ = 0;  // CLOCK_MONOTONIC; stop 0 while running
  unsigned test_leak_ = 0;
  // Per-stream raw counters (rx, tx, dropped) at the last clear_fwd_stats();
  // the counters have single writers, so clearing keeps a baseline.
  std::vector<std::array<uint64_t, 6>> stream_base_;
  // Ports whose start at attach was refused for wiring (EPEER: a net_ring
  // peer not attached yet); retried after each later attach, like testpmd
  // starting every port once all vdevs exist.
  std::vector<uint16_t> pending_start_;
  std::vector<StreamStats> snapshot_streams() const;
  void retry_pending_starts();
  void forget_pending(uint16_t id);
  void require_not_forwarding_port(uint16_t id, const char* what) const;
};

}  // namespace rs
