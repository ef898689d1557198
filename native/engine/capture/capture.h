// Packet capture: `capture start PORT [rx|tx|both] file PATH ...`.
//
// A Capture is the port's tap (port.h): on the poll thread it filters each
// burst, copies the packets (cut to snaplen) into one SPSC byte ring per
// queue and direction, stamped with CLOCK_REALTIME once per burst, and
// publishes them. One writer thread per capture drains the rings into a pcap
// or pcapng file and flushes whole records whenever the rings run dry, so a
// capture killed with SIGKILL leaves only complete records on disk. When a
// ring is full the packet is not copied and counted as dropped: capture
// never makes forwarding wait for the disk, and never hides what it lost.
//
// Stopping: the tap is removed, the control thread waits until no poll
// thread is inside it (an in-flight count with sequentially consistent
// ordering against an `enabled` flag), then the writer drains everything,
// writes the statistics block (pcapng), closes the file and exits.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include "../netlink/events.h"
#include "../pcap_file.h"
#include "../port.h"
#include "byte_ring.h"
#include "filter.h"
#include "record_stage.h"

namespace rs {

struct CaptureOptions {
  bool rx = true, tx = true;
  std::string path;
  bool pcapng = false;
  uint32_t snaplen = 0;      // 0: no limit (262144)
  uint64_t count = 0;        // 0: until stopped
  std::string filter;        // filter.h syntax; empty: everything
  uint64_t ring_bytes = 0;   // per queue and direction; 0: chosen from the queue count
};

struct CaptureStatus {
  uint16_t port = 0;
  std::string port_name, path, format, filter, state;  // state: running, done, stopped, failed
  bool rx = true, tx = true;
  uint32_t snaplen = 0;
  uint64_t count_limit = 0;
  uint64_t seen = 0;       // packets the tap was shown
  uint64_t matched = 0;    // of them, those the filter kept
  uint64_t captured = 0;   // written to the file
  uint64_t dropped = 0;    // matched but lost because the writer fell behind (ring full)
  uint64_t file_bytes = 0;
  uint64_t ring_bytes = 0;  // per ring
  uint32_t rings = 0;
  uint64_t start_ns = 0;     // CLOCK_REALTIME
  uint64_t duration_ns = 0;  // so far, or until it ended
  std::string error;
};

class Capture final : public PortTap {
 public:
  // Opens the file (header on disk at once), allocates the rings, starts the
  // writer and attaches the tap. Throws EPCAP_OPEN, EFILTER, ENOMEM.
  // events (may be null) hears `capture_done` when the count limit ends it.
  Capture(Port& port, const CaptureOptions& o, EventQueue* events);
  ~Capture();

  void rx(uint16_t q, Mbuf* const* pkts, uint16_t n) override;
  void tx_stage(uint16_t q, Mbuf* const* pkts, uint16_t n) override;
  void tx_commit(uint16_t q, uint16_t sent) override;

  // Control thread: detach, wait for in-flight bursts, drain, close. Idempotent.
  void finish(const char* final_state);
  // The count limit was reached and everything is written.
  bool complete() const { return writer_done_.load(std::memory_order_acquire); }
  uint16_t port_id() const { return port_.id(); }
  const std::string& path() const { return opts_.path; }
  CaptureStatus status() const;

 private:
  struct QRing {
    std::unique_ptr<ByteRing> ring;
    Counter seen, matched, dropped;
    bool active = false;  // a tx burst is staged
    RecordStage burst;
  };

  struct Totals {
    uint64_t seen = 0, matched = 0, dropped = 0;
  };
  Totals totals() const;  // over every ring
  bool enter();
  void leave();
  void commit(QRing& r, uint16_t k);
  uint32_t claim(uint32_t want);
  void writer_main();
  uint64_t drain_once();
  void write_record(const CapRecordHdr* h);

  Port& port_;
  CaptureOptions opts_;
  EventQueue* events_;
  Filter filter_;
  uint32_t snaplen_;
  std::vector<std::unique_ptr<QRing>> rxr_, txr_;
  PcapWriter pcap_;
  PcapngWriter pcapng_;
  std::thread writer_;
  std::atomic<bool> enabled_{true};
  std::atomic<uint32_t> inflight_{0};
  std::atomic<uint64_t> remaining_{~0ull};  // count limit left to claim
  std::atomic<uint64_t> uncovered_{0};      // queues added after the start (no ring): dropped
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> file_bytes_{0};     // the writer's byte count, mirrored for status()
  std::atomic<bool> stop_{false};
  std::atomic<bool> writer_done_{false};
  bool finished_ = false;
  std::string state_ = "running";
  std::string error_;        // set by the writer before it exits
  uint64_t start_ns_ = 0, end_ns_ = 0;
};

class CaptureManager {
 public:
  // events (may be null, must outlive the captures): completion events.
  explicit CaptureManager(EventQueue* events) : events_(events) {}
  ~CaptureManager() { stop_all(); }

  // One capture per port at a time. Throws ECAPTURE_BUSY, EPORT_CLOSED and
  // whatever Capture's constructor throws.
  CaptureStatus start(Port& port, const CaptureOptions& o);
  // Stops the capture on `port`, or every running one when port < 0.
  // Throws ENO_CAPTURE when there is nothing to stop.
  std::vector<CaptureStatus> stop(int port);
  // Every capture of the session: running ones first, then finished ones.
  std::vector<CaptureStatus> list();
  // For detach and shutdown: never throw.
  void stop_port(uint16_t port) noexcept;
  void stop_all() noexcept;
  // Frees finished captures; call only while no poll thread runs.
  void release_retired() noexcept;

 private:
  void reap();  // finishes captures that reached their count
  std::vector<std::unique_ptr<Capture>>::iterator retire(std::vector<std::unique_ptr<Capture>>::iterator it);
  std::vector<std::unique_ptr<Capture>> active_;
  std::vector<std::unique_ptr<Capture>> retired_;  // finished, freed when no poll thread runs
  std::vector<CaptureStatus> finished_;
  EventQueue* events_;
};

}  // namespace rs
