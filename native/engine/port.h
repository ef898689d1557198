// One port interface for every driver (net_null, net_ring, net_pcap, ...).
// Drivers implement the protected do_* hooks; the public non-virtual wrappers
// check state and keep the per-queue counters, so every driver counts alike.
//
// Threading: configure/start/stop/close run on the control thread while no
// poll thread uses the port. rx_burst on one queue and tx_burst on one queue
// are each called by at most one poll thread at a time.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include "barrier.h"
#include "mbuf.h"
#include "classify/classifier.h"
#include "engine_limits.h"
#include "mempool.h"
#include "queue_info.h"
#include "rx_filter.h"

namespace rs {

class EventQueue;  // netlink/events.h

using MacAddr = std::array<uint8_t, 6>;
std::string mac_to_string(const MacAddr& m);
bool parse_mac(const std::string& s, MacAddr* out);

// One cache line per queue: each queue's counters are written by the poll
// thread that owns it, and two queues sharing a line (40 bytes each) made
// their threads bounce it between cores.
struct alignas(kCacheLine) QueueStats {
  Counter packets, bytes, errors;
  Counter empty_polls;  // rx: bursts that returned nothing
  Counter full;         // tx: packets the driver refused (ring full)
};

struct PortStats {  // summed over queues, plus port-level counters
  uint64_t rx_packets = 0, rx_bytes = 0, rx_errors = 0, rx_missed = 0, rx_nombuf = 0;
  uint64_t rx_flushed = 0;  // in flight when forwarding stopped: freed by flush(), not a loss
  uint64_t tx_packets = 0, tx_bytes = 0, tx_errors = 0;
  std::vector<uint64_t> rxq_packets, rxq_bytes, rxq_errors;
  std::vector<uint64_t> txq_packets, txq_bytes, txq_errors;
};

// Packet tap: capture (capture/capture.h) and `set verbose` (diag/verbose.h)
// each set one on a port while they run.
// rx sees the packets received; tx stages a burst before the driver takes it
// and commits the part it took (the driver may free the rest at once).
class PortTap {
 public:
  virtual void rx(uint16_t q, Mbuf* const* pkts, uint16_t n) = 0;
  virtual void tx_stage(uint16_t q, Mbuf* const* pkts, uint16_t n) = 0;
  virtual void tx_commit(uint16_t q, uint16_t sent) = 0;

 protected:
  ~PortTap() = default;
};

struct LinkInfo {
  bool up = false;
  uint32_t speed_mbps = 0;
  bool full_duplex = true;
};

// key=value options from devargs such as "net_pcap0,rx_pcap=in.pcap".
struct DevArgs {
  std::string name;    // "net_pcap0"
  std::string driver;  // "net_pcap"
  std::map<std::string, std::string> kv;
  std::string raw;
  // Throws rs::Error(EDEVARGS) with the offending part named.
  static DevArgs parse(const std::string& s);
};

class Port {
 public:
  static constexpr uint16_t kMaxQueues = limits::kMaxQueues;

  virtual ~Port() = default;

  // Identity and facts for `show port info`.
  uint16_t id() const { return id_; }
  const std::string& name() const { return args_.name; }
  const std::string& driver() const { return args_.driver; }
  const DevArgs& devargs() const { return args_; }
  virtual std::string if_name() const { return ""; }
  virtual int if_index() const { return 0; }
  virtual uint16_t max_rx_queues() const { return kMaxQueues; }
  virtual uint16_t max_tx_queues() const { return kMaxQueues; }
  virtual uint32_t min_mtu() const { return 68; }
  virtual uint32_t max_mtu() const;  // from the pool's data room
  // Whether the driver counts bytes (net_ring, like DPDK's, moves pointers only).
  virtual bool counts_bytes() const { return true; }
  // Whether another process polling shared memory fills this port's rx
  // (memif): its lcore then naps only after a long idle spell (engine.cpp).
  virtual bool fed_by_polling_peer() const { return false; }
  // Extra "key: value" facts for `show port info` (files, interface, ...).
  virtual std::vector<std::pair<std::string, std::string>> info() const { return {}; }

  // Control path (throws rs::Error). configure only while stopped.
  void configure(uint16_t nb_rx, uint16_t nb_tx);
  void start();
  void stop();
  void close();  // stop, then release driver resources
  bool started() const { return started_; }
  bool closed() const { return closed_; }
  uint16_t nb_rx_queues() const { return nb_rx_; }
  uint16_t nb_tx_queues() const { return nb_tx_; }
  // A tx queue beside the configured ones, at index nb_tx_queues(), which no
  // forwarding stream sends on: for a sender that runs beside forwarding
  // (replay). Drivers that can open one more tx queue cheaply (a packet
  // socket) have it while started; its packets count in the port's totals.
  bool has_spare_tx_queue() const { return nb_tx_ < kMaxQueues && spare_tx_queue_supported(); }
  uint16_t spare_tx_queue() const { return nb_tx_; }
  // Tx queue indexes a tap may be shown: the configured ones and the spare.
  uint16_t tx_queue_slots() const { return nb_tx_ + (has_spare_tx_queue() ? 1 : 0); }
  // Rx queues the driver feeds (0..hw-1); the others are software queues
  // fed by the classifier (RSS and flow rules in software, classify/).
  uint16_t hw_rx_queues() const { return hw_rx_; }
  Classifier& classifier() { return cls_; }  // control: only with no poll thread on the port
  const Classifier& classifier() const { return cls_; }

  // Descriptors per queue ring (`port config all rxd N`, `port config P rxq Q
  // ring_size N`, --rxd/--txd); 0 is the driver's default. Only while
  // stopped. Drivers with rings of their own size them from it (net_ring: its
  // rx rings, rounded up to a power of two); queue_info() shows the result.
  static constexpr uint16_t kAllQueues = 0xffff;
  void set_nb_desc(Dir d, uint16_t q, uint32_t n);  // q: a queue or kAllQueues
  uint32_t nb_desc(Dir d, uint16_t q) const { return (d == Dir::Rx ? rxd_ : txd_)[q]; }

  // Per queue, as rte_eth_dev_rx|tx_queue_start|stop: a stopped queue moves
  // nothing (its packets stay in the ring; what is sent to a stopped tx queue
  // is refused and counted by the caller as dropped). Only on a started port.
  // deferred_start: the queue stays stopped when the port starts, until
  // queue_start (set while the port is stopped).
  void queue_start(Dir d, uint16_t q) { set_queue_on(d, q, true); }
  void queue_stop(Dir d, uint16_t q) { set_queue_on(d, q, false); }
  bool queue_started(Dir d, uint16_t q) const { return load_relaxed((d == Dir::Rx ? rxq_on_ : txq_on_)[q]); }
  void set_deferred_start(Dir d, uint16_t q, bool on);
  bool deferred_start(Dir d, uint16_t q) const { return (d == Dir::Rx ? rx_deferred_ : tx_deferred_)[q]; }

  LinkInfo link() const;
  void set_link(bool up);  // set link-up / set link-down
  uint32_t mtu() const { return mtu_; }
  void set_mtu(uint32_t mtu);
  MacAddr mac() const { return mac_; }
  void set_mac(const MacAddr& m);
  bool promiscuous() const { return promisc_; }
  void set_promiscuous(bool on);
  // Receive addresses (set allmulti, mac_addr add|remove, mcast_addr
  // add|remove). With promiscuous mode off rx keeps only what they admit
  // (rx_filter.h); kernel-facing drivers also ask the interface for them.
  // Throw EINVAL_MAC / EMAC_FULL / EMAC_ABSENT with testpmd's wording.
  static constexpr std::size_t kMaxRxAddrs = 64;
  bool allmulti() const { return allmulti_; }
  void set_allmulti(bool on);
  const std::vector<MacAddr>& added_macs() const { return added_macs_; }  // beside mac()
  const std::vector<MacAddr>& mcast_macs() const { return mcast_macs_; }
  void add_mac(const MacAddr& m);
  void remove_mac(const MacAddr& m);
  void add_mcast(const MacAddr& m);
  void remove_mcast(const MacAddr& m);

  // Fast path. Returns the number of packets received/sent; unsent packets
  // stay with the caller (who frees and counts them as tx drops).
  inline uint16_t rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) {
    if (!load_relaxed(running_) || !load_relaxed(rxq_on_[q])) return 0;
    uint16_t got = cls_.enabled() ? classified_rx_burst(q, pkts, n) : do_rx_burst(q, pkts, n);
    // acquire: the filter was fully built before it was published.
    if (const RxFilter* f = rx_filter_.load(std::memory_order_acquire); f && got) [[unlikely]] {
      uint64_t dropped_bytes = 0;
      got = f->keep(pkts, got, &dropped_bytes);
      // The driver counted these bytes; unsigned wrap-around subtracts them.
      if (counts_bytes_) rxq_[q].bytes.add(0 - dropped_bytes);
    }
    if (got) {
      rxq_[q].packets.add(got);
      if (PortTap* t = tap_.load(std::memory_order_acquire)) [[unlikely]] t->rx(q, pkts, got);
      if (PortTap* t = diag_tap_.load(std::memory_order_acquire)) [[unlikely]] t->rx(q, pkts, got);
    } else {
      rxq_[q].empty_polls.add(1);  // only on the idle path, where time is free
    }
    return got;
  }
  inline uint16_t tx_burst(uint16_t q, Mbuf** pkts, uint16_t n) {
    if (!load_relaxed(running_) || !load_relaxed(txq_on_[q])) return 0;
    uint64_t bytes = 0;
    if (counts_bytes_)
      for (uint16_t i = 0; i < n; i++) bytes += pkts[i]->data_len;
    PortTap* tap = tap_.load(std::memory_order_acquire);
    PortTap* diag = diag_tap_.load(std::memory_order_acquire);
    if (tap) [[unlikely]] tap->tx_stage(q, pkts, n);
    if (diag) [[unlikely]] diag->tx_stage(q, pkts, n);
    uint16_t sent = do_tx_burst(q, pkts, n);
    if (tap) [[unlikely]] tap->tx_commit(q, sent);
    if (diag) [[unlikely]] diag->tx_commit(q, sent);
    if (sent) {
      txq_[q].packets.add(sent);
      if (counts_bytes_) {
        for (uint16_t i = sent; i < n; i++) bytes -= pkts[i]->data_len;
        txq_[q].bytes.add(bytes);
      }
    }
    if (sent < n) txq_[q].full.add(n - sent);
    return sent;
  }
  // Drivers count received bytes themselves (they touch the data anyway).
  inline void count_rx_bytes(uint16_t q, uint64_t b) { rxq_[q].bytes.add(b); }
  inline void count_rx_error(uint16_t q, uint64_t n = 1) { rxq_[q].errors.add(n); }
  inline void count_tx_error(uint16_t q, uint64_t n = 1) { txq_[q].errors.add(n); }
  inline void count_rx_missed(uint64_t n) { rx_missed_.v.fetch_add(n, std::memory_order_relaxed); }
  inline void count_rx_nombuf(uint64_t n) { rx_nombuf_.v.fetch_add(n, std::memory_order_relaxed); }

  // Free whatever the driver holds inside (ring contents) so every mbuf goes
  // back to its pool; counted as rx_missed. Called with no poll thread running.
  void drain();
  // The same at `stop`: what is still in the rings was in flight, not lost
  // (testpmd reports 0 dropped), so it is counted apart, as rx_flushed.
  void flush();

  PortStats stats() const;
  void clear_stats();

  // Diagnostics (`show port N rxq|txq Q info|ring`), control thread, safe
  // while a poll thread runs: drivers read their rings read-only (see
  // queue_info.h on staleness). Throw EQUEUE_RANGE for a queue not configured.
  QueueInfo queue_info(Dir d, uint16_t q) const;
  std::vector<Descriptor> queue_ring(Dir d, uint16_t q, uint32_t max) const;
  // The mbufs the driver holds inside (ring contents), with the name of the
  // queue that holds them, for `show mempool`'s leak attribution. Meaningful
  // when no poll thread runs (else a moment's view, as above).
  virtual void held_mbufs(std::vector<std::pair<std::string, const Mbuf*>>* out) const { (void)out; }

  // Capture tap; the capture code waits for in-flight bursts before freeing
  // a removed tap. acquire/release: the tap is fully built before it is seen.
  void set_tap(PortTap* t) { tap_.store(t, std::memory_order_release); }
  PortTap* tap() const { return tap_.load(std::memory_order_relaxed); }
  // The diagnostic tap (`set verbose`), beside the capture tap so both run on
  // one port. Same ordering; its owner frees a removed tap only once no poll
  // thread runs (diag/verbose.h).
  void set_diag_tap(PortTap* t) { diag_tap_.store(t, std::memory_order_release); }
  PortTap* diag_tap() const { return diag_tap_.load(std::memory_order_relaxed); }
  // Where a driver with a control plane of its own (net_memif) reports what
  // happens on it; set by the engine at attach, before start.
  void set_events(EventQueue* q) { events_ = q; }

 protected:
  Port(uint16_t id, DevArgs args, Mempool* pool);
  Mempool* pool() const { return pool_; }
  EventQueue* events() const { return events_; }
  virtual void do_configure(uint16_t nb_rx, uint16_t nb_tx) { (void)nb_rx; (void)nb_tx; }
  virtual bool spare_tx_queue_supported() const { return false; }
  virtual void do_start() {}
  virtual void do_stop() {}
  virtual void do_close() {}
  virtual void do_set_mtu(uint32_t) {}
  virtual void do_set_mac(const MacAddr&) {}
  virtual void do_set_promiscuous(bool) {}
  virtual void do_set_allmulti(bool) {}
  virtual void do_rx_addr(const MacAddr&, bool add) { (void)add; }  // unicast or multicast by the address
  virtual void do_set_link(bool) {}
  virtual uint32_t do_drain() { return 0; }  // returns packets freed
  virtual void do_set_nb_desc(Dir, uint16_t) {}  // queue q's wanted size changed (port stopped)
  virtual LinkInfo do_link() const { return LinkInfo{true, 10000, true}; }
  // Kind and rings of a queue (the wrapper adds the counters), and up to max
  // of its descriptors. Defaults: a queue with no ring of its own.
  virtual void do_queue_info(Dir d, uint16_t q, QueueInfo* out) const;
  virtual void do_queue_ring(Dir d, uint16_t q, uint32_t max, std::vector<Descriptor>* out) const {
    (void)d; (void)q; (void)max; (void)out;
  }
  virtual uint16_t do_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) = 0;
  virtual uint16_t do_tx_burst(uint16_t q, Mbuf** pkts, uint16_t n) = 0;

  MacAddr mac_{};

 private:
  uint16_t id_;
  DevArgs args_;
  Mempool* pool_;
  EventQueue* events_ = nullptr;
  uint16_t nb_rx_ = 1, nb_tx_ = 1;
  uint16_t hw_rx_ = 1;
  Classifier cls_;
  uint16_t classified_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n);  // port.cpp
  bool started_ = false, closed_ = false, configured_ = false, admin_up_ = true;
  bool counts_bytes_ = true;
  std::atomic<bool> running_{false};  // started and link administratively up
  // Queue started (relaxed: a flag read once a burst, no data published with it).
  std::array<std::atomic<bool>, kMaxQueues> rxq_on_{}, txq_on_{};
  std::array<bool, kMaxQueues> rx_deferred_{}, tx_deferred_{};
  void set_queue_on(Dir d, uint16_t q, bool on);
  void check_queue_id(Dir d, uint16_t q) const;
  std::atomic<PortTap*> tap_{nullptr};
  std::atomic<PortTap*> diag_tap_{nullptr};
  uint32_t mtu_ = 1500;
  bool promisc_ = true;
  bool allmulti_ = true;  // as net_ring and testpmd: on until set allmulti off
  std::vector<MacAddr> added_macs_, mcast_macs_;
  // The filter the poll thread reads (null: promiscuous, everything passes).
  // Replaced ones stay alive until stop(), when no poll thread can hold one.
  std::atomic<const RxFilter*> rx_filter_{nullptr};
  std::vector<std::unique_ptr<RxFilter>> rx_filters_;
  void publish_rx_filter();
  std::array<QueueStats, kMaxQueues> rxq_, txq_;
  std::array<uint32_t, kMaxQueues> rxd_{}, txd_{};  // wanted descriptors per queue; 0 = driver default
  Counter rx_missed_, rx_nombuf_, rx_flushed_;
  PortStats baseline_;  // raw counters at the last clear_stats()
  PortStats raw_stats() const;
};

// Driver table: one entry per file in drivers/, looked up by devargs prefix.
struct DriverInfo {
  const char* name;  // "net_null"
  const char* help;  // one line, with its keys
  const char* keys;  // comma-separated devargs keys, for completion
  std::unique_ptr<Port> (*create)(uint16_t id, const DevArgs& args, Mempool* pool);
};
const std::vector<DriverInfo>& driver_table();
const DriverInfo* find_driver(const std::string& name);

}  // namespace rs
