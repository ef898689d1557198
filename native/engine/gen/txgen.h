// Generation settings (templates, sizes, flow ranges, rate, count) and the
// per-stream generator behind txonly and flowgen: a Template, the size
// schedule (txpkts sum, or an IMIX list interleaved by weight), the flow
// counters (flowgen), the pacer and the count limit. Built on the control
// thread (or the stream's own poll thread for `start tx_first`), then used
// by one poll thread only; nothing allocates per packet.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>
#include "../mempool.h"
#include "pacer.h"
#include "template.h"

namespace rs::gen {

struct TxRate {
  uint64_t value = 0;  // 0: as fast as the port takes them
  bool mbps = false;   // value in Mbit/s of frame bytes (as port byte counters count), else packets/s
  uint64_t tokens_per_s() const { return mbps ? value * 125000 : value; }  // packets or bytes per second
};

struct ImixEntry {
  uint16_t len;
  uint16_t weight;
};

// testpmd-like IMIX: 64/570/1518 bytes in 7:4:1.
inline std::vector<ImixEntry> default_imix() { return {{64, 7}, {570, 4}, {1518, 1}}; }

struct FlowRanges {  // flowgen: how many consecutive values each field takes
  uint32_t src_ip = 1, dst_ip = 1, src_port = 1, dst_port = 1;
};

struct GenSettings {
  TemplateSpec spec;
  std::vector<ImixEntry> imix;  // empty: every packet is the txpkts sum long
  FlowRanges flows;
  std::vector<TxRate> rate;     // per port id (resized by the engine)
  std::vector<uint64_t> count;  // per port id: packets to send per start, 0 = no limit
};

// Throws rs::Error (EGEN_*) when the settings cannot be generated with this
// mbuf data room. Called by the engine's setter.
void validate(const GenSettings& g, uint32_t data_room);

// Everything a stream's generator needs, resolved by the caller.
struct TxGenParams {
  const GenSettings* gen;
  uint32_t txpkts_len;   // sum of txpkts segments (used when gen->imix is empty)
  uint32_t data_room;
  MacAddr src_mac, dst_mac;
  uint16_t src_id;       // tx port << 8 | tx queue: carried in every stamp
  bool vary_flows;       // flowgen
  uint16_t burst;
  uint64_t rate_per_s;   // this stream's share of the port's rate: packets/s, or bytes/s when rate_bytes (0: unpaced)
  bool rate_bytes;
  bool limited;          // the port has a packet count:
  uint64_t count;        // this stream's share of it (may be 0)
};

class TxGen {
 public:
  // (Re)build for a start. Keeps the sequence number and the count already
  // sent, so `start tx_first` then the mode's own init continue one sequence.
  void init(const TxGenParams& p, uint64_t now_ns);

  // Allocates and writes up to `max` packets allowed now by the pacer and
  // the count limit; returns how many are in pkts. now_ns: CLOCK_MONOTONIC.
  uint16_t fill(Mempool* pool, Mbuf** pkts, uint16_t max, uint64_t now_ns);

  bool done() const { return limited_ && seq_ >= limit_; }

 private:
  FlowFields next_flow();

  Template tmpl_;
  std::vector<uint8_t> schedule_;  // size class of each packet, cycled
  uint32_t sched_pos_ = 0;
  bool by_bytes_ = false;
  uint32_t min_len_ = 64;
  bool vary_ = false;
  FlowFields base_{};
  FlowRanges ranges_{};
  uint32_t fi_[4] = {0, 0, 0, 0};  // flow counters: src ip, dst ip, src port, dst port
  Pacer pacer_;
  uint16_t src_id_ = 0;
  uint64_t seq_ = 0;
  bool limited_ = false;
  uint64_t limit_ = 0;
};

}  // namespace rs::gen
