// `set verbose 0..5 [port N] [filter EXPR]`: show the packets a port receives
// (levels 1, 3, 4, 5) and sends (2, 3, 4, 5) without ever making forwarding
// wait.
//
// A VerboseTap is the port's diagnostic tap (port.h). On the poll thread it
// runs the compiled filter over each burst and copies the first kSnap bytes
// of a matching packet, with its length, queue, direction and a CLOCK_REALTIME
// stamp (read once per burst, only when something matched), into a bounded
// SPSC byte ring per queue and direction (capture/record_stage.h). A full ring costs nothing but a counter:
// the record is suppressed, never waited for. Decoding to text happens on the
// control thread when the UI drains the rings (VerboseManager::drain).
//
// A replaced or removed tap may still be in use by a poll thread that loaded
// the pointer just before: it is retired (its records still drained) and
// freed by release_retired() once no poll thread runs.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "../capture/byte_ring.h"
#include "../capture/filter.h"
#include "../capture/record_stage.h"
#include "../port.h"
#include "decode.h"

namespace rs {

struct VerboseOptions {
  uint8_t level = 0;        // 0 off; 1 rx, 2 tx, 3 both (testpmd's dump); 4 one line, 5 line + hex, both
  std::string filter;       // filter.h syntax; empty: every packet
  uint64_t ring_bytes = 0;  // per queue and direction; 0: kDefaultRing
};

// One packet, decoded on the control thread.
struct VerboseRecord {
  uint16_t port = 0, queue = 0;
  bool tx = false;
  uint64_t ts_ns = 0;
  uint32_t length = 0, caplen = 0;  // caplen: bytes kept (at most kSnap)
  DecodedPacket decoded;
  std::vector<uint8_t> bytes;       // the caplen bytes kept (for the hex dump)
};

struct VerboseDrain {
  std::vector<VerboseRecord> records;  // in time order
  uint64_t suppressed = 0;             // since the previous drain: the rings were full
};

class VerboseTap final : public PortTap {
 public:
  static constexpr uint32_t kSnap = 128;
  static constexpr uint64_t kDefaultRing = 256 * 1024;

  // The filter comes compiled; throws std::bad_alloc only.
  VerboseTap(Port& port, bool rx, bool tx, const Filter& filter, uint64_t ring_bytes);

  void rx(uint16_t q, Mbuf* const* pkts, uint16_t n) override;
  void tx_stage(uint16_t q, Mbuf* const* pkts, uint16_t n) override;
  void tx_commit(uint16_t q, uint16_t sent) override;

  uint16_t port_id() const { return port_id_; }
  // Every queue the port has now is covered (its queue counts were not changed since).
  bool covers(const Port& p) const { return p.nb_rx_queues() == nb_rx_ && p.nb_tx_queues() == nb_tx_; }
  // Control thread: puts the tap on its port, or takes it off (the port must
  // still exist).
  void attach() { port_.set_diag_tap(this); }
  void detach() { port_.set_diag_tap(nullptr); }
  // Control thread: moves out up to `max` records, decoded.
  void drain(std::vector<VerboseRecord>& out, size_t max);
  // Records lost to a full ring since the previous call.
  uint64_t take_suppressed();

 private:
  struct QRing {
    std::unique_ptr<ByteRing> ring;
    Counter suppressed;     // written by the producer only
    uint64_t reported = 0;  // control thread: suppressed already counted by a drain
    RecordStage burst;
  };

  void commit(QRing& r, uint16_t k);

  Port& port_;
  uint16_t port_id_;
  uint16_t nb_rx_, nb_tx_;  // the port's queue counts when the tap was made
  Filter filter_;
  std::vector<std::unique_ptr<QRing>> rxr_, txr_;  // empty for a direction not shown
};

class VerboseManager {
 public:
  // Replaces every tap: one per port in `ports` (level 0: none); `all`: the
  // ports attached later are covered too. Throws EFILTER from the filter,
  // EINVAL_ARG for a level above 5.
  void set(const std::vector<Port*>& ports, bool all, const VerboseOptions& o);
  // A port was attached or its queues changed: when verbose covers it, it
  // gets a tap over every queue it has now (the old tap is retired).
  void cover(Port& port);
  uint8_t level() const { return opts_.level; }
  const std::string& filter() const { return opts_.filter; }
  // Control thread: the records waiting, oldest first, at most `max`.
  VerboseDrain drain(size_t max);
  // Detach: the port goes away (no thread uses it). Never throws.
  void forget_port(uint16_t port) noexcept;
  // Shutdown, after the poll threads stopped: removes every tap.
  void stop_all() noexcept;
  // Frees retired taps (their records kept for drain, or dropped when verbose
  // is off); only while no poll thread runs.
  void release_retired() noexcept;

 private:
  std::unique_ptr<VerboseTap> make_tap(Port& p) const;
  void retire(std::vector<std::unique_ptr<VerboseTap>>::iterator it);
  void retire_all();
  VerboseOptions opts_;
  Filter filter_;                 // opts_.filter, compiled
  bool all_ = false;              // every port, also those attached later
  std::vector<uint16_t> chosen_;  // else these
  std::vector<std::unique_ptr<VerboseTap>> active_, retired_;
  std::vector<VerboseRecord> orphans_;  // drained from freed taps, not yet shown
  uint64_t orphans_suppressed_ = 0;
};

}  // namespace rs
