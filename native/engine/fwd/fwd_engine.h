// Forwarding engines: one file each, listed in one table (table.cpp). An
// engine is a name, a help line and a packet_fwd function that moves one burst
// on one stream and says whether it moved any packet, as in testpmd's struct
// fwd_engine.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include "../barrier.h"
#include "../gen/latency.h"
#include "../gen/txgen.h"
#include "../engine_limits.h"
#include "../mempool.h"
#include "../poll_clock.h"
#include "../port.h"

namespace rs {

class KniDev;  // kni/kni.h

constexpr uint16_t kMaxBurst = limits::kMaxBurst;
constexpr uint16_t kMaxPorts = limits::kMaxPorts;

struct PortIp {  // `port config N ip ADDR/LEN`; network byte order
  uint32_t addr;
  uint8_t prefix_len;
};

// testpmd's --noisy-* options (noisy mode): a FIFO of tx_sw_buffer_size
// packets between rx and tx, flushed after flush_time_ms without a send, and
// per packet lkup_* random accesses into lkup_memory_mb MiB, as a VNF's
// table lookups would make. 0: that part off.
struct NoisySettings {
  uint32_t tx_sw_buffer_size = 0, flush_time_ms = 0, lkup_memory_mb = 0;
  uint32_t lkup_writes = 0, lkup_reads = 0, lkup_reads_writes = 0;
};

// Settings fixed at `start` and read-only while poll threads run.
struct FwdSettings {
  uint16_t burst = 32;
  std::vector<uint16_t> txpkts{64};          // segment lengths; packet = their sum
  std::vector<MacAddr> eth_peer;             // per port id: destination MAC for mac/txonly
  std::vector<std::vector<PortIp>> port_ips; // per port id: addresses icmpecho answers for
  Mempool* pool = nullptr;                   // where txonly allocates
  gen::GenSettings gen;                      // txonly/flowgen templates, IMIX, flows, rate, count (gen/)
  NoisySettings noisy;                       // noisy mode
};

// State an engine keeps per stream beyond its scratch (noisy's FIFO). Made by
// stream_init, used by the owning poll thread; destroyed by the control thread
// when forwarding stops, which returns any packets it holds to the pool.
struct FwdEngineState {
  virtual ~FwdEngineState() = default;
};

// testpmd's `set record-burst-stats on`: how many rx and tx bursts of each
// size (0..kMaxBurst packets) a stream made. The counters are written by the
// stream's poll thread; the bases only by the control thread (clear fwd stats).
struct BurstSpread {
  Counter rx[kMaxBurst + 1], tx[kMaxBurst + 1];
  uint64_t rx_base[kMaxBurst + 1] = {}, tx_base[kMaxBurst + 1] = {};

  using Sizes = std::vector<std::pair<uint16_t, uint64_t>>;  // (burst size, bursts), sizes ascending
  // Control thread: the bursts since the last rebase, sizes with none left out.
  Sizes since_base(bool tx_side) const {
    Sizes out;
    for (uint16_t n = 0; n <= kMaxBurst; n++)
      if (uint64_t c = (tx_side ? tx[n].get() - tx_base[n] : rx[n].get() - rx_base[n])) out.emplace_back(n, c);
    return out;
  }
  void rebase() {  // control thread: clear fwd stats
    for (uint16_t n = 0; n <= kMaxBurst; n++) rx_base[n] = rx[n].get(), tx_base[n] = tx[n].get();
  }
};

// Aligned to a cache line: a stream's counters and scratch are written by its
// poll thread only, and must not share a line with another thread's stream.
struct alignas(kCacheLine) FwdStream {
  uint16_t rx_port = 0, rx_queue = 0, tx_port = 0, tx_queue = 0;
  Port* rx = nullptr;
  Port* tx = nullptr;
  // Written only by the owning poll thread.
  Counter rx_packets, tx_packets, fwd_dropped;
  Counter bad_ip_csum, bad_l4_csum;  // csum mode: wrong checksums found (and fixed) on received packets
  // testpmd's `set record-core-cycles on`: poll_clock() units spent in the
  // bursts that moved packets (an empty poll is not counted, as in testpmd).
  Counter core_cycles;
  // Engine-private state prepared by stream_init (e.g. a packet template).
  alignas(8) uint8_t scratch[256];
  // Generators (txonly, flowgen, tx_first) and receive-side measurement
  // (rxonly, flowgen): created by stream_init for one start (FwdStreams are
  // rebuilt at every start), used by the owning poll thread, read by the
  // control thread only through LatencyTracker::merge.
  std::unique_ptr<gen::TxGen> txgen;
  std::unique_ptr<gen::LatencyTracker> lat;
  // testpmd's `set fwd MODE retry` (`set burst tx delay US retry N`): a tx
  // burst the port took only part of is tried again up to tx_retries times,
  // tx_retry_delay_us apart, before the rest is dropped. 0: no retry.
  uint32_t tx_retries = 0, tx_retry_delay_us = 0;
  // `kni create RX_PORT ... all`: the KNI that takes what the engine does not
  // handle (fwd_unhandled), else nullptr. Resolved once at start, so the fast
  // path does no lookup; the KNI outlives forwarding (kni destroy is refused
  // while forwarding).
  KniDev* kni_all = nullptr;
  std::unique_ptr<FwdEngineState> state;
  std::unique_ptr<BurstSpread> bursts;  // null unless burst stats are recorded
};

struct FwdEngine {
  const char* name;
  const char* help;
  // Optional: prepare stream scratch before poll threads start.
  void (*stream_init)(FwdStream& fs, const FwdSettings& s);
  // One burst. True when it received or generated a packet (testpmd's
  // packet_fwd_t): the poll loop counts the pass busy and does not back off.
  bool (*packet_fwd)(FwdStream& fs, const FwdSettings& s);
};

const std::vector<const FwdEngine*>& fwd_engine_table();
const FwdEngine* find_fwd_engine(const std::string& name);

// Shared by engines: send n packets, count what left, free and count the rest
// as forward drops (testpmd's "TX-dropped"), so packets are always conserved.
// With retry (testpmd's rte_delay_us between tries), the poll thread waits
// for the queue to drain rather than dropping at once.
void fwd_tx_retry(FwdStream& fs, Mbuf** pkts, uint16_t n, uint16_t* sent);  // fwd/retry.cpp

inline void fwd_tx_and_free_rest(FwdStream& fs, Mbuf** pkts, uint16_t n) {
  if (n == 0) return;
  uint16_t sent = fs.tx->tx_burst(fs.tx_queue, pkts, n);
  if (sent < n && fs.tx_retries) [[unlikely]] fwd_tx_retry(fs, pkts, n, &sent);
  fs.tx_packets.add(sent);
  if (fs.bursts) [[unlikely]] fs.bursts->tx[sent].add(1);
  if (sent < n) {
    fs.fwd_dropped.add(n - sent);
    mbuf_free_bulk(pkts + sent, n - sent);
  }
}

// kni/kni_fastpath.cpp: queues n packets for the kernel; takes ownership of all of them.
uint16_t kni_to_kernel(KniDev* d, Mbuf** pkts, uint16_t n);

// Shared by engines that leave packets unhandled (icmpecho: everything but
// ARP and echo requests for the port): to the rx port's KNI in one burst when
// it was created with `all` (counted there: kni rx-packets, rx-dropped), else
// freed and counted as forward drops.
inline void fwd_unhandled(FwdStream& fs, Mbuf** pkts, uint16_t n) {
  if (n == 0) return;
  if (fs.kni_all) {
    kni_to_kernel(fs.kni_all, pkts, n);
    return;
  }
  fs.fwd_dropped.add(n);
  mbuf_free_bulk(pkts, n);
}

// Shared by txonly and flowgen: (re)initialise the stream's generator from
// the settings (rate and count are the port's, shared among its tx streams).
void fwd_txgen_init(FwdStream& fs, const FwdSettings& s, bool vary_flows);
// Generate up to one burst (paced, counted) and send it; true when the
// burst held a packet.
bool fwd_txgen_burst(FwdStream& fs, const FwdSettings& s);
// Shared by rxonly and flowgen: record the stamps of received packets.
void fwd_measure_init(FwdStream& fs);
inline void fwd_measure(FwdStream& fs, Mbuf* const* pkts, uint16_t n) {
  if (n && fs.lat) fs.lat->record_burst(pkts, n, monotonic_ns());
}

// Shared by engines that receive: one rx burst, counted on the stream.
inline uint16_t fwd_rx(FwdStream& fs, Mbuf** pkts, uint16_t n) {
  uint16_t got = fs.rx->rx_burst(fs.rx_queue, pkts, n);
  fs.rx_packets.add(got);
  if (fs.bursts) [[unlikely]] fs.bursts->rx[got].add(1);
  return got;
}

}  // namespace rs
