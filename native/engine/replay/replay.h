// Replay: `replay start FILE port N [speed ...] [loop N]`.
//
// The sender is a thread of its own (not a poll lcore), pinned to a CPU the
// forwarding lcores do not use when there is one. It reads the file through
// PcapReader's mapping (no system call per packet), copies each record into
// an mbuf of the engine's pool (it runs as lcore 0, testpmd's main lcore id,
// which no poll thread uses, so it has its own mempool cache) and sends it
// with tx_burst on one tx queue of the port: one that forwarding does not
// send on, else the port's spare tx queue (port.h: kernel packet-socket
// ports have one), else replay refuses to start (EBUSY_FORWARDING); `start`
// refuses to forward on a queue a replay sends on (EBUSY_REPLAY).
//
// Pacing: original timing (or a multiple of it), a packet rate or a bit rate
// give each packet a scheduled CLOCK_MONOTONIC time; the sender sleeps with
// clock_nanosleep (timer slack 1 ns) until shortly before it and busy-waits
// the last ~30 us. Packets already late are sent in bursts of up to 32.
// topspeed takes 32 mbufs from the pool at once, copies the next 32 records
// into them and sends them as one burst, with no clock read per packet; a
// port that takes fewer is retried (counted), never dropped.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>
#include "../mempool.h"
#include "../netlink/events.h"
#include "../pcap_file.h"
#include "../port.h"

namespace rs {

class Engine;

enum class ReplaySpeed { Original, Multiplier, Pps, Mbps, Topspeed };

struct ReplayOptions {
  std::string path;
  ReplaySpeed speed = ReplaySpeed::Original;
  double value = 1;     // multiplier, pps or Mbit/s
  uint32_t loops = 1;   // 0: until stopped
};

struct ReplayStatus {
  std::string state;  // running, done, stopped, failed
  std::string path, speed, error;
  uint16_t port = 0, queue = 0;
  int cpu = -1;
  uint32_t loops = 1, loop = 0;  // loop: the one running (1-based)
  uint64_t file_packets = 0, file_bytes = 0, file_duration_ns = 0;  // of the records replayed
  std::string file_stops;  // where a truncated or damaged file stops (PcapReader::ending), else ""
  uint64_t sent = 0, bytes = 0, skipped = 0, retries = 0;
  uint64_t elapsed_ns = 0;
  double pps = 0, mbps = 0;     // rate reached
  // |actual send time - scheduled time| over the paced packets (none at topspeed).
  uint64_t timing_samples = 0;
  double timing_mean_ns = 0;
  uint64_t timing_p50_ns = 0, timing_p99_ns = 0, timing_max_ns = 0;
};

class ReplayManager {
 public:
  // events (may be null, must outlive the manager): `replay_done` when a
  // replay ends by itself (not by `replay stop`).
  ReplayManager(Mempool* pool, EventQueue* events) : pool_(pool), events_(events) {}
  ~ReplayManager() { stop_all(); }

  // Reads the whole file first (a truncated or damaged one is replayed up to
  // where it stops, which the status names), picks the tx queue and the CPU,
  // then starts the sender. Throws EBUSY_REPLAY, EBUSY_FORWARDING,
  // EPORT_STOPPED, EPCAP_* (bad header), EPCAP_EMPTY (no usable record),
  // EMBUF_SIZE (frames longer than an mbuf: the message names --mbuf-size).
  ReplayStatus start(Engine& engine, uint16_t port, const ReplayOptions& o);
  ReplayStatus stop();      // ENO_REPLAY when none runs
  ReplayStatus status();    // the running one or the last one; ENO_REPLAY if none ever ran
  bool active();
  uint16_t port() const { return port_id_; }
  uint16_t queue() const { return queue_; }
  void stop_port(uint16_t port) noexcept;
  void stop_all() noexcept;

 private:
  void run();
  void reap();
  // Pacing state carried across loops.
  struct Pacing {
    uint64_t t0 = 0, prev = 0, idx = 0;  // start, last scheduled time, packets scheduled (pps)
    double bits = 0;                     // bits scheduled (mbps)
    double mult = 1, loop_len = 0;       // speed multiplier, one loop's length at that speed (ns)
  };
  void topspeed_pass();
  void paced_pass(Pacing& pc, uint32_t loop);
  bool sendable(const PcapRecord& rec);  // counts the ones it refuses as skipped
  bool ethernet(const PcapRecord& rec) const;  // of an Ethernet interface (pcapng may mix link types)
  void send_all(Mbuf** pkts, uint16_t n, uint64_t bytes);
  void record_error(uint64_t err);
  ReplayStatus snapshot() const;

  void announce_end();
  Mempool* pool_;
  EventQueue* events_;
  Port* port_ = nullptr;
  uint16_t port_id_ = 0, queue_ = 0;
  int cpu_ = -1;
  ReplayOptions opts_;
  PcapReader reader_;
  std::thread thread_;
  bool have_ = false;        // a replay was started in this session
  bool running_ = false;     // thread_ joinable and not reaped
  std::atomic<bool> stop_{false}, done_{false};
  std::string state_, error_;
  uint64_t file_packets_ = 0, file_bytes_ = 0, first_ts_ = 0, span_ns_ = 0;
  std::string file_stops_;
  uint64_t start_mono_ = 0;
  std::atomic<uint64_t> end_mono_{0};
  std::atomic<uint64_t> sent_{0}, bytes_{0}, skipped_{0}, retries_{0}, loop_{0};
  std::atomic<uint64_t> err_n_{0}, err_sum_{0}, err_max_{0};
  std::vector<uint32_t> samples_;  // reservoir of timing errors (ns, capped), sender-owned until done
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;
};

}  // namespace rs
