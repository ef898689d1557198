// Per-port software classifier: splits what a driver receives over the
// port's rx queues by flow rules and RSS, for ports whose driver feeds fewer
// queues than configured (net_pcap, net_tap, ...) or that have rules or RSS.
//
// Data path (Port::rx_burst when enabled()):
//   rx_burst(q) = take(q): queue q's software ring, filled by other queues,
//               + classify(q, what the driver gave on q), if the driver feeds q.
//   classify() keeps the packets whose target is q in the burst (in order),
//   pushes the others into their target queue's software ring, frees drops.
// No allocation and no system call per packet: rings and tables are built on
// the control path, staging arrays live on the stack.
//
// Threading: every control method runs while no poll thread uses the port
// (port stopped or forwarding stopped; the binding checks). Counters written
// on the data path are indexed by the driver queue whose poller writes them,
// so each has a single writer.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include "barrier.h"
#include "flow.h"
#include "engine_limits.h"
#include "mbuf.h"
#include "ring.h"
#include "rss.h"
#include "toeplitz.h"

namespace rs {

constexpr uint16_t kClassifierQueues = limits::kMaxQueues;  // == Port::kMaxQueues
constexpr uint32_t kSoftRingSlots = 1024;

// Where action `kernel` hands packets: the port's exception path (KNI, see
// kni/kni.h). It takes ownership of all n packets (queues them for the
// kernel or frees them) and returns how many it queued. Called from the poll
// threads of the driver queues (several at once when the driver feeds
// several queues), so it must be multi-producer safe.
class ExceptionPath {
 public:
  virtual ~ExceptionPath() = default;
  virtual uint16_t to_kernel(Mbuf** pkts, uint16_t n) = 0;
};

struct FlowListEntry {
  uint32_t id, group, priority;
  bool ingress;
  std::string pattern, actions, text;
};

struct FlowCount {
  bool has_count;  // the rule has a count action
  uint64_t hits, bytes;
};

struct ClassifierStats {
  bool enabled;
  uint16_t nb_rx_queues, driver_queues;
  uint64_t dropped;         // by drop rules
  uint64_t to_kernel;       // handed to the exception path
  uint64_t kernel_dropped;  // refused by it
  uint64_t rss_hashed;      // packets steered by the RSS hash
  std::vector<uint64_t> steered_in;  // per queue: packets arrived through its software ring
  std::vector<uint32_t> ring_count;  // per queue: packets waiting in it now
};

class Classifier {
 public:
  Classifier();
  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // ---- control path (no poll thread on this port) ----
  // After the port was configured: nb_rx queues, of which the driver feeds
  // 0..hw_rx-1. Frees what the old rings held (returned, for rx_missed).
  uint32_t configure(uint16_t port, uint16_t nb_rx, uint16_t hw_rx);
  // Whether the port may have more rx queues than its driver feeds.
  bool wants_soft_queues() const { return rss_.types != 0 || !rules_.empty(); }
  // Highest rx queue a rule sends to, or -1 (configure must keep it).
  int highest_rule_queue() const;

  void set_rss_types(uint32_t types);
  // (index, queue) entries; throws ERETA for an index or queue out of range.
  void set_reta(const std::vector<std::pair<uint16_t, uint16_t>>& entries);
  void set_rss_key(const uint8_t* key);  // kRssKeyLen bytes
  const RssConf& rss() const { return rss_; }

  void validate(const FlowRule& r) const;  // throws rs::Error with the reason
  uint32_t create(const FlowRule& r);       // returns the rule id
  void destroy(uint32_t id);                // throws EFLOW_RULE when unknown
  void flush();
  std::vector<FlowListEntry> list() const;  // in matching order
  FlowCount query(uint32_t id) const;
  std::size_t rule_count() const { return rules_.size(); }
  // Isolated mode (flow isolate): only packets a terminating rule matched are
  // received; the rest is dropped, counted as dropped by rules.
  void set_isolated(bool on);
  bool isolated() const { return isolated_; }

  void set_exception_path(ExceptionPath* p) { exc_ = p; }

  uint32_t drain();  // frees every packet in the software rings; returns how many
  ClassifierStats stats() const;

  // ---- data path ----
  inline bool enabled() const { return load_relaxed(enabled_); }
  inline uint16_t take(uint16_t q, Mbuf** pkts, uint16_t n) {
    Ring* r = rings_[q];
    if (!r) return 0;
    uint16_t got = static_cast<uint16_t>(r->dequeue_burst(reinterpret_cast<void**>(pkts), n));
    if (got) steered_in_[q].add(got);  // the consumer of ring q is its only writer
    return got;
  }
  // pkts[0..n) were received on driver queue q; returns how many stay in
  // pkts for q. *missed counts packets lost to a full software ring.
  uint16_t classify(uint16_t q, Mbuf** pkts, uint16_t n, uint32_t* missed);

 private:
  struct RuleSlot {
    uint32_t id;
    FlowRule rule;
    CompiledFlow c;
    std::array<Counter, kClassifierQueues> hits{}, bytes{};  // by driver queue
  };
  struct alignas(kCacheLine) QueueCounters {  // by driver queue
    Counter dropped, to_kernel, kernel_dropped, rss_hashed;
  };

  FlowLimits limits() const;
  void rebuild();  // after any change: enabled flag, rings, hash table
  void destroy_rings();

  uint16_t port_ = 0, nb_rx_ = 1, hw_rx_ = 1;
  RssConf rss_;
  std::unique_ptr<ToeplitzTable> toeplitz_;  // built when something hashes
  std::vector<std::unique_ptr<RuleSlot>> rules_;  // by priority, then id
  uint32_t next_id_ = 0;
  std::array<Ring*, kClassifierQueues> rings_{};
  std::array<QueueCounters, kClassifierQueues> qc_{};
  std::array<Counter, kClassifierQueues> steered_in_{};
  // Per-burst switches, derived in rebuild().
  bool rss_on_ = false;
  bool isolated_ = false;
  std::atomic<bool> enabled_{false};
  ExceptionPath* exc_ = nullptr;
};

}  // namespace rs
