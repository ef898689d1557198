// Per-stream generator: see txgen.h.
#include "txgen.h"
#include <algorithm>
#include "../error.h"

namespace rs::gen {

namespace {
constexpr uint32_t kMaxScheduleWeight = 1024;
// A descheduled poll thread (a busy host) may catch up this much of its
// rate, still at most one burst per pass; longer gaps are forgotten.
constexpr uint64_t kCatchUpNs = 50000000;  // 50 ms

uint32_t header_len_of(const TemplateSpec& s) {
  uint32_t l2 = 14 + (s.l2 == L2Kind::Vlan ? 4 : s.l2 == L2Kind::Qinq ? 8 : 0);
  uint32_t l3 = s.l3 == L3Kind::Ipv4 ? 20 : 40;
  uint32_t l4 = s.l4 == L4Kind::Tcp ? 20 : 8;
  return l2 + l3 + l4;
}
}  // namespace

void validate(const GenSettings& g, uint32_t data_room) {
  if (g.imix.size() > Template::kMaxSizes)
    throw Error("EGEN_IMIX", "an IMIX list takes at most " + std::to_string(Template::kMaxSizes) + " sizes, not " +
                                 std::to_string(g.imix.size()));
  uint32_t total = 0;
  const uint32_t hdr = header_len_of(g.spec);
  for (const ImixEntry& e : g.imix) {
    if (e.len < hdr || e.len > data_room)
      throw Error("EGEN_IMIX", "IMIX size " + std::to_string(e.len) + " is outside " + std::to_string(hdr) +
                                   " (the headers of the current template) .. " + std::to_string(data_room) +
                                   " (the mbuf data room)");
    if (e.weight == 0) throw Error("EGEN_IMIX", "IMIX weights must be at least 1 (size " + std::to_string(e.len) + ")");
    total += e.weight;
  }
  if (total > kMaxScheduleWeight)
    throw Error("EGEN_IMIX", "IMIX weights add up to " + std::to_string(total) + ": keep them at most " +
                                 std::to_string(kMaxScheduleWeight) + " (they are ratios: 7:4:1, not 7000:4000:1000)");
  auto nonzero = [](uint32_t v, const char* what) {
    if (v == 0) throw Error("EGEN_FLOWS", std::string("flowgen ") + what + " count must be at least 1");
  };
  nonzero(g.flows.src_ip, "src-ip");
  nonzero(g.flows.dst_ip, "dst-ip");
  nonzero(g.flows.src_port, "src-port");
  nonzero(g.flows.dst_port, "dst-port");
  if (g.flows.src_port > 65536 || g.flows.dst_port > 65536)
    throw Error("EGEN_FLOWS", "a port range covers at most 65536 ports");
  for (const TxRate& r : g.rate)
    if (r.mbps ? r.value > 1000000 : r.value > 1000000000)
      throw Error("EGEN_RATE", "tx rate must be at most 1000000 Mbit/s or 1000000000 pps");
}

void TxGen::init(const TxGenParams& p, uint64_t now_ns) {
  const GenSettings& g = *p.gen;
  std::vector<uint16_t> sizes;
  std::vector<uint16_t> weights;
  if (g.imix.empty()) {
    sizes.push_back(static_cast<uint16_t>(std::min<uint32_t>(p.txpkts_len, 65535)));
    weights.push_back(1);
  } else {
    for (const ImixEntry& e : g.imix) {
      sizes.push_back(e.len);
      weights.push_back(std::max<uint16_t>(e.weight, 1));
    }
  }
  tmpl_.build(g.spec, p.src_mac, p.dst_mac, sizes, p.data_room);

  // Smooth weighted round robin: 7:4:1 becomes a 12-long cycle with the
  // sizes interleaved, so any window of packets has the right mix.
  uint32_t total = 0;
  for (uint16_t w : weights) total += w;
  total = std::min(total, kMaxScheduleWeight);
  schedule_.clear();
  std::vector<int64_t> current(weights.size(), 0);
  for (uint32_t i = 0; i < total; i++) {
    std::size_t best = 0;
    for (std::size_t k = 0; k < weights.size(); k++) {
      current[k] += weights[k];
      if (current[k] > current[best]) best = k;
    }
    current[best] -= total;
    schedule_.push_back(static_cast<uint8_t>(best));
  }
  if (sched_pos_ >= schedule_.size()) sched_pos_ = 0;

  vary_ = p.vary_flows;
  base_ = tmpl_.base_flow();
  ranges_ = vary_ ? g.flows : FlowRanges{};
  src_id_ = p.src_id;
  limited_ = p.limited;
  limit_ = p.count;

  by_bytes_ = p.rate_bytes && p.rate_per_s;
  uint64_t rate = p.rate_per_s;  // tokens: bytes or packets
  uint32_t longest = 0;
  min_len_ = 65535;
  for (uint32_t k = 0; k < tmpl_.nb_sizes(); k++) {
    longest = std::max<uint32_t>(longest, tmpl_.size(k));
    min_len_ = std::min<uint32_t>(min_len_, tmpl_.size(k));
  }
  uint64_t burst_tokens = by_bytes_ ? uint64_t(p.burst) * longest : p.burst;
  uint64_t cap = std::max<uint64_t>(burst_tokens, rate * kCatchUpNs / 1000000000ull);
  pacer_.init(rate, cap, now_ns);
}

FlowFields TxGen::next_flow() {
  FlowFields f = base_;
  if (!vary_) return f;
  f.src_ip += fi_[0];
  f.dst_ip += fi_[1];
  f.src_port = static_cast<uint16_t>(f.src_port + fi_[2]);
  f.dst_port = static_cast<uint16_t>(f.dst_port + fi_[3]);
  // Mixed-radix counter, source address fastest, so consecutive packets
  // belong to different flows (and land on different RSS queues).
  if (++fi_[0] >= ranges_.src_ip) {
    fi_[0] = 0;
    if (++fi_[1] >= ranges_.dst_ip) {
      fi_[1] = 0;
      if (++fi_[2] >= ranges_.src_port) {
        fi_[2] = 0;
        if (++fi_[3] >= ranges_.dst_port) fi_[3] = 0;
      }
    }
  }
  return f;
}

uint16_t TxGen::fill(Mempool* pool, Mbuf** pkts, uint16_t max, uint64_t now_ns) {
  uint64_t n = max;
  if (limited_) n = std::min<uint64_t>(n, limit_ > seq_ ? limit_ - seq_ : 0);
  uint64_t tokens = pacer_.available(now_ns);
  n = std::min(n, by_bytes_ ? tokens / min_len_ : tokens);
  if (n == 0) return 0;
  uint16_t want = static_cast<uint16_t>(n);
  if (pool->alloc_bulk(pkts, want) != want) {
    // Pool nearly empty (packets parked in rings): take what there is.
    uint16_t got = 0;
    while (got < want && (pkts[got] = pool->alloc()) != nullptr) got++;
    want = got;
  }
  uint16_t made = 0;
  uint64_t spent = 0;
  for (; made < want; made++) {
    uint8_t k = schedule_[sched_pos_];
    if (by_bytes_) {
      uint32_t len = tmpl_.size(k);
      if (spent + len > tokens) break;
      spent += len;
    }
    if (++sched_pos_ == schedule_.size()) sched_pos_ = 0;
    tmpl_.write(pkts[made], k, next_flow(), src_id_, static_cast<uint32_t>(seq_), now_ns);
    seq_++;
  }
  if (made < want) mbuf_free_bulk(pkts + made, want - made);
  pacer_.consume(by_bytes_ ? spent : made);
  return made;
}

}  // namespace rs::gen
