// Engine stream planning: the stream table and lcore split a start would use
// (testpmd's fwd config), planned from the ports and settings alone so
// `show config fwd` can preview it; and the per-stream counters.
#include <algorithm>
#include <map>
#include <optional>
#include "engine.h"

namespace rs {

namespace {

// The stream table and lcore split a start would use; pure function of the
// ports and settings so `show config fwd` can preview it.
struct StreamPlan {
  uint16_t rx_port, rx_queue, tx_port, tx_queue;
  Port* rx;
  Port* tx;
};
struct Plan {
  std::vector<StreamPlan> streams;
  std::vector<LcoreAssignment> lcores;
  std::optional<ErrorCode> err_code;  // set (with err_msg) when queues would be shared across lcores
  std::string err_msg;
};

std::size_t peer_index(std::size_t i, std::size_t n, Topology t) {
  switch (t) {
    case Topology::Paired: return (i % 2 == 0) ? (i + 1 < n ? i + 1 : i) : i - 1;
    case Topology::Chained: return (i + 1) % n;
    case Topology::Loop: return i;
  }
  return i;
}

Plan make_plan(const std::vector<std::unique_ptr<Port>>& ports, Topology topo, unsigned nb_cores,
               const std::vector<uint16_t>& port_list, const std::vector<LcoreCpu>& lcore_map) {
  Plan plan;
  std::vector<Port*> fwd;  // forwarding ports: started, in the port list's order or by id
  if (port_list.empty()) {
    for (const auto& p : ports)
      if (p && p->started()) fwd.push_back(p.get());
  } else {
    for (uint16_t id : port_list)
      if (id < ports.size() && ports[id] && ports[id]->started()) fwd.push_back(ports[id].get());
  }
  // Port-major order (all queues of port 0, then port 1, ...): contiguous
  // lcore blocks then keep one port's queues together, so ports with fewer tx
  // than rx queues still split cleanly over cores.
  for (std::size_t i = 0; i < fwd.size(); i++) {
    Port* rx = fwd[i];
    Port* tx = fwd[peer_index(i, fwd.size(), topo)];
    // One stream per rx queue, as testpmd: tx queues beyond the rx queues stay unused.
    uint16_t nq = rx->nb_rx_queues();
    for (uint16_t q = 0; q < nq; q++)
      plan.streams.push_back({rx->id(), static_cast<uint16_t>(q % rx->nb_rx_queues()), tx->id(),
                              static_cast<uint16_t>(q % tx->nb_tx_queues()), rx, tx});
  }
  // testpmd's setup_fwd_config_of_each_lcore: contiguous blocks, the last
  // (nb_streams % nb_lcores) lcores take one stream more; never more lcores
  // than streams.
  std::size_t ns = plan.streams.size();
  std::size_t nl = std::min<std::size_t>(nb_cores, ns);
  if (!lcore_map.empty()) nl = std::min(nl, lcore_map.size());
  if (nl == 0) return plan;
  std::size_t per = ns / nl, extra = ns % nl, first_big = nl - extra;
  const auto& cpus = allowed_cpus();
  std::size_t s = 0;
  for (std::size_t l = 0; l < nl; l++) {
    LcoreAssignment a;
    if (lcore_map.empty()) {
      a.lcore = static_cast<unsigned>(l + 1);
      a.cpu = cpus[a.lcore % cpus.size()];
    } else {
      a.lcore = lcore_map[l].lcore;
      a.cpu = lcore_map[l].cpu;
    }
    std::size_t cnt = per + (l >= first_big ? 1 : 0);
    for (std::size_t k = 0; k < cnt; k++) a.streams.push_back(static_cast<uint16_t>(s++));
    plan.lcores.push_back(std::move(a));
  }
  // A queue is driven by one thread at a time (port.h); refuse tables in
  // which two lcores would share one.
  using Owners = std::map<std::pair<uint16_t, uint16_t>, unsigned>;
  Owners txq_owner, rxq_owner;
  // The first queue two lcores would share becomes the plan's error.
  auto claim = [&](Owners& owners, uint16_t port, uint16_t queue, unsigned lcore, bool tx, uint16_t fix_count) {
    auto [it, fresh] = owners.emplace(std::make_pair(port, queue), lcore);
    if (fresh || it->second == lcore || plan.err_code) return;
    const char* dir = tx ? "tx" : "rx";
    const char* other = tx ? "rx" : "tx";
    plan.err_code = tx ? ErrorCode("ETXQ_SHARED") : ErrorCode("ERXQ_SHARED");
    plan.err_msg = std::string(dir) + " queue " + std::to_string(queue) + " of port " + std::to_string(port) +
                   (tx ? " would be used by lcores " : " would be polled by lcores ") + std::to_string(it->second) +
                   " and " + std::to_string(lcore) + ": configure as many " + dir + " queues as " + other +
                   " queues ('port config all " + dir + "q " + std::to_string(fix_count) +
                   "') or use fewer cores ('set nbcore N')";
  };
  for (const auto& a : plan.lcores) {
    for (uint16_t si : a.streams) {
      const StreamPlan& sp = plan.streams[si];
      claim(txq_owner, sp.tx_port, sp.tx_queue, a.lcore, true, sp.rx->nb_rx_queues());
      claim(rxq_owner, sp.rx_port, sp.rx_queue, a.lcore, false, sp.tx->nb_tx_queues());
    }
  }
  return plan;
}

}  // namespace

std::vector<StreamStats> Engine::snapshot_streams() const {
  std::vector<StreamStats> out;
  out.reserve(streams_.size());
  for (std::size_t i = 0; i < streams_.size(); i++) {
    const FwdStream& fs = *streams_[i];
    const auto& b = stream_base_[i];
    out.push_back({fs.rx_port, fs.rx_queue, fs.tx_port, fs.tx_queue, fs.rx_packets.get() - b[0],
                   fs.tx_packets.get() - b[1], fs.fwd_dropped.get() - b[2], fs.bad_ip_csum.get() - b[3],
                   fs.bad_l4_csum.get() - b[4], fs.core_cycles.get() - b[5]});
    if (fs.bursts) out.back().rx_bursts = fs.bursts->since_base(false), out.back().tx_bursts = fs.bursts->since_base(true);
  }
  return out;
}

std::vector<StreamStats> Engine::streams() const {
  if (forwarding_) return snapshot_streams();
  // Preview of the next start. When it matches the last run's table, show the
  // last run's counters (as testpmd keeps them until the next start).
  Plan plan = make_plan(ports_, topology_, nb_cores_, fwd_ports_, lcore_map_);
  std::vector<StreamStats> last = snapshot_streams();
  bool same = last.size() == plan.streams.size();
  std::vector<StreamStats> out;
  for (std::size_t i = 0; i < plan.streams.size(); i++) {
    const StreamPlan& sp = plan.streams[i];
    same = same && last[i].rx_port == sp.rx_port && last[i].rx_queue == sp.rx_queue &&
           last[i].tx_port == sp.tx_port && last[i].tx_queue == sp.tx_queue;
    out.push_back(same ? last[i] : StreamStats{sp.rx_port, sp.rx_queue, sp.tx_port, sp.tx_queue, 0, 0, 0, 0, 0, 0});
  }
  return out;
}

std::vector<LcoreAssignment> Engine::lcores() const {
  if (forwarding_) return lcores_;
  return make_plan(ports_, topology_, nb_cores_, fwd_ports_, lcore_map_).lcores;
}

void Engine::build_streams() {
  Plan plan = make_plan(ports_, topology_, nb_cores_, fwd_ports_, lcore_map_);
  if (plan.streams.empty())
    throw Error("ENO_PORTS", "no started port to forward on: attach one ('port attach net_ring0') or start one "
                             "('port start all')");
  if (plan.err_code) throw Error(*plan.err_code, plan.err_msg);
  streams_.clear();
  for (const StreamPlan& sp : plan.streams) {
    auto fs = std::make_unique<FwdStream>();
    fs->rx_port = sp.rx_port;
    fs->rx_queue = sp.rx_queue;
    fs->tx_port = sp.tx_port;
    fs->tx_queue = sp.tx_queue;
    fs->rx = sp.rx;
    fs->tx = sp.tx;
    streams_.push_back(std::move(fs));
  }
  stream_base_.assign(streams_.size(), {0, 0, 0, 0, 0, 0});
  lcores_ = std::move(plan.lcores);
}

void Engine::clear_fwd_stats() {
  for (std::size_t i = 0; i < streams_.size(); i++)
    stream_base_[i] = {streams_[i]->rx_packets.get(), streams_[i]->tx_packets.get(), streams_[i]->fwd_dropped.get(),
                       streams_[i]->bad_ip_csum.get(), streams_[i]->bad_l4_csum.get(), streams_[i]->core_cycles.get()};
  for (auto& fs : streams_)
    if (fs->bursts) fs->bursts->rebase();
}

}  // namespace rs
