// Forwarding methods of Engine: the forwarding configuration (mode, cores,
// lcores, ports, burst, retry, topology, txpkts, eth-peer), the stream table,
// start and stop, and the counter snapshot the shell polls.
#include <time.h>
#include "binding.h"
#include "poll_clock.h"

namespace rsb {
namespace {

Napi::Array queue_array(Napi::Env env, const std::vector<uint64_t>& p, const std::vector<uint64_t>& b,
                        const std::vector<uint64_t>& e) {
  Napi::Array a = Napi::Array::New(env, p.size());
  for (size_t i = 0; i < p.size(); i++) {
    Napi::Object q = Napi::Object::New(env);
    q.Set("packets", num(env, p[i]));
    q.Set("bytes", num(env, b[i]));
    q.Set("errors", num(env, e[i]));
    a.Set(i, q);
  }
  return a;
}

Napi::Object stream_object(Napi::Env env, const rs::StreamStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("rxPort", num(env, s.rx_port));
  o.Set("rxQueue", num(env, s.rx_queue));
  o.Set("txPort", num(env, s.tx_port));
  o.Set("txQueue", num(env, s.tx_queue));
  o.Set("rxPackets", num(env, s.rx_packets));
  o.Set("txPackets", num(env, s.tx_packets));
  o.Set("fwdDropped", num(env, s.fwd_dropped));
  o.Set("badIpCsum", num(env, s.bad_ip_csum));
  o.Set("badL4Csum", num(env, s.bad_l4_csum));
  o.Set("coreCycles", num(env, s.core_cycles));
  if (!s.rx_bursts.empty() || !s.tx_bursts.empty()) {
    // [[size, bursts], ...]: testpmd's burst spread, when recorded
    auto pairs = [&](const std::vector<std::pair<uint16_t, uint64_t>>& v) {
      Napi::Array a = Napi::Array::New(env, v.size());
      for (size_t i = 0; i < v.size(); i++) {
        Napi::Array p = Napi::Array::New(env, 2);
        p.Set(0u, num(env, v[i].first));
        p.Set(1u, num(env, v[i].second));
        a.Set(i, p);
      }
      return a;
    };
    o.Set("rxBursts", pairs(s.rx_bursts));
    o.Set("txBursts", pairs(s.tx_bursts));
  }
  return o;
}

Napi::Array stream_array(Napi::Env env, const std::vector<rs::StreamStats>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(i, stream_object(env, v[i]));
  return a;
}

rs::Topology parse_topology(Napi::Env env, const std::string& s) {
  if (s == "paired") return rs::Topology::Paired;
  if (s == "chained") return rs::Topology::Chained;
  if (s == "loop") return rs::Topology::Loop;
  throw_ringside(env, "ETOPOLOGY", "unknown port topology '" + s + "': valid are paired, chained, loop");
}


void SetFwdMode(const Napi::CallbackInfo& info) {
  std::string m = arg_str(info, 0, "forwarding mode");
  guarded(info.Env(), [&] { engine_of(info).set_fwd_mode(m); });
}
Napi::Value FwdMode(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), engine_of(info).fwd_mode().name); }
void SetNbCores(const Napi::CallbackInfo& info) {
  uint32_t n = arg_u32(info, 0, "number of cores");
  guarded(info.Env(), [&] { engine_of(info).set_nb_cores(n); });
}
Napi::Value NbCores(const Napi::CallbackInfo& info) { return num(info.Env(), engine_of(info).nb_cores()); }
// [lcore, cpu, lcore, cpu, ...]
void SetLcores(const Napi::CallbackInfo& info) {
  std::vector<uint32_t> flat = arg_u32_list(info, 0, "lcores");
  if (flat.size() % 2) throw_ringside(info.Env(), "EINVAL_ARG", "lcores must be lcore, cpu pairs");
  std::vector<rs::LcoreCpu> map;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) map.push_back({flat[i], static_cast<int>(flat[i + 1])});
  guarded(info.Env(), [&] { engine_of(info).set_lcores(map); });
}
Napi::Value FwdLcores(const Napi::CallbackInfo& info) {
  const auto& m = engine_of(info).fwd_lcores();
  Napi::Array a = Napi::Array::New(info.Env(), m.size());
  for (size_t i = 0; i < m.size(); i++) {
    Napi::Array pair = Napi::Array::New(info.Env(), 2);
    pair.Set(0u, num(info.Env(), m[i].lcore));
    pair.Set(1u, num(info.Env(), m[i].cpu));
    a.Set(i, pair);
  }
  return a;
}
void SetFwdPorts(const Napi::CallbackInfo& info) {
  std::vector<uint32_t> ids = arg_u32_list(info, 0, "port ids");
  std::vector<uint16_t> ports;
  for (uint32_t id : ids) {
    if (id > 0xffff) throw_ringside(info.Env(), "EPORT_RANGE", "port " + std::to_string(id) + " does not exist");
    ports.push_back(static_cast<uint16_t>(id));
  }
  guarded(info.Env(), [&] { engine_of(info).set_fwd_ports(ports); });
}
Napi::Value FwdPorts(const Napi::CallbackInfo& info) {
  const auto& ids = engine_of(info).fwd_ports();
  Napi::Array a = Napi::Array::New(info.Env(), ids.size());
  for (size_t i = 0; i < ids.size(); i++) a.Set(i, num(info.Env(), ids[i]));
  return a;
}
void SetBurst(const Napi::CallbackInfo& info) {
  uint32_t n = arg_u32(info, 0, "burst");
  if (n > 0xffff) throw_ringside(info.Env(), "EBURST_RANGE", "burst must be 1.." + std::to_string(rs::kMaxBurst));
  guarded(info.Env(), [&] { engine_of(info).set_burst(static_cast<uint16_t>(n)); });
}
void SetRecordBurstStats(const Napi::CallbackInfo& info) { engine_of(info).set_record_burst_stats(arg_bool(info, 0, "record")); }
void SetRecordCoreCycles(const Napi::CallbackInfo& info) { engine_of(info).set_record_core_cycles(arg_bool(info, 0, "record")); }
// The rate of the clock coreCycles counts in, in MHz (testpmd's "at N MHz Clock"), while recording, else 0.
Napi::Value CoreCyclesMhz(const Napi::CallbackInfo& info) {
  if (!engine_of(info).record_core_cycles()) return num(info.Env(), 0);
  return num(info.Env(), (rs::poll_clock_hz() + 500'000) / 1'000'000);
}
// testpmd's --noisy-* options, in run_app.rst's order.
void SetNoisy(const Napi::CallbackInfo& info) {
  rs::NoisySettings n;
  n.tx_sw_buffer_size = arg_u32(info, 0, "tx sw buffer size");
  n.flush_time_ms = arg_u32(info, 1, "flush time (ms)");
  n.lkup_memory_mb = arg_u32(info, 2, "lookup memory (MiB)");
  n.lkup_reads = arg_u32(info, 3, "lookup reads");
  n.lkup_writes = arg_u32(info, 4, "lookup writes");
  n.lkup_reads_writes = arg_u32(info, 5, "lookup reads-writes");
  guarded(info.Env(), [&] { engine_of(info).set_noisy(n); });
}
void SetTxRetry(const Napi::CallbackInfo& info) {
  bool on = arg_bool(info, 0, "retry");
  guarded(info.Env(), [&] { engine_of(info).set_tx_retry(on); });
}
void SetBurstTxRetry(const Napi::CallbackInfo& info) {
  uint32_t delay = arg_u32(info, 0, "delay (us)");
  uint32_t tries = arg_u32(info, 1, "retries");
  guarded(info.Env(), [&] { engine_of(info).set_burst_tx_retry(delay, tries); });
}
// { on, delayUs, tries }
Napi::Value TxRetry(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("on", Napi::Boolean::New(info.Env(), engine_of(info).tx_retry()));
  o.Set("delayUs", num(info.Env(), engine_of(info).burst_tx_delay_us()));
  o.Set("tries", num(info.Env(), engine_of(info).burst_tx_retries()));
  return o;
}
Napi::Value Burst(const Napi::CallbackInfo& info) { return num(info.Env(), engine_of(info).burst()); }
void SetTopology(const Napi::CallbackInfo& info) {
  rs::Topology t = parse_topology(info.Env(), arg_str(info, 0, "topology"));
  guarded(info.Env(), [&] { engine_of(info).set_topology(t); });
}
Napi::Value GetTopology(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), rs::topology_name(engine_of(info).topology())); }
void SetTxpkts(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsArray()) throw_ringside(info.Env(), "EINVAL_ARG", "txpkts must be a list of lengths");
  Napi::Array a = info[0].As<Napi::Array>();
  std::vector<uint16_t> segs;
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value v = a.Get(i);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (d < 1 || d > 65535 || d != static_cast<double>(static_cast<uint16_t>(d)))
      throw_ringside(info.Env(), "ETXPKTS", "txpkts lengths must be integers 1..65535");
    segs.push_back(static_cast<uint16_t>(d));
  }
  guarded(info.Env(), [&] { engine_of(info).set_txpkts(segs); });
}
Napi::Value Txpkts(const Napi::CallbackInfo& info) {
  const auto& t = engine_of(info).txpkts();
  Napi::Array a = Napi::Array::New(info.Env(), t.size());
  for (size_t i = 0; i < t.size(); i++) a.Set(i, num(info.Env(), t[i]));
  return a;
}
void SetEthPeer(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  rs::MacAddr m = arg_mac(info, 1);
  guarded(info.Env(), [&] { engine_of(info).set_eth_peer(p, m); });
}
Napi::Value EthPeer(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  return Napi::String::New(info.Env(), guarded(info.Env(), [&] { return rs::mac_to_string(engine_of(info).eth_peer(p)); }));
}
Napi::Value Streams(const Napi::CallbackInfo& info) {
  return stream_array(info.Env(), guarded(info.Env(), [&] { return engine_of(info).streams(); }));
}
Napi::Value Lcores(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto lc = guarded(env, [&] { return engine_of(info).lcores(); });
  Napi::Array a = Napi::Array::New(env, lc.size());
  for (size_t i = 0; i < lc.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("lcore", num(env, lc[i].lcore));
    o.Set("cpu", num(env, lc[i].cpu));
    Napi::Array s = Napi::Array::New(env, lc[i].streams.size());
    for (size_t j = 0; j < lc[i].streams.size(); j++) s.Set(j, num(env, lc[i].streams[j]));
    o.Set("streams", s);
    a.Set(i, o);
  }
  return a;
}
void Start(const Napi::CallbackInfo& info) {
  uint32_t bursts = info.Length() > 0 ? arg_u32(info, 0, "tx_first bursts") : 0;
  guarded(info.Env(), [&] { engine_of(info).start(bursts); });
}
Napi::Value Stop(const Napi::CallbackInfo& info) {
  return stream_array(info.Env(), guarded(info.Env(), [&] { return engine_of(info).stop(); }));
}
void ClearFwdStats(const Napi::CallbackInfo& info) { guarded(info.Env(), [&] { engine_of(info).clear_fwd_stats(); }); }

// One call for every counter the shell shows: ports with their queues,
// streams and the pool, stamped with CLOCK_MONOTONIC for rate computation.
Napi::Value Snapshot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::Engine& e = engine_of(info);
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  Napi::Object o = Napi::Object::New(env);
  o.Set("timeNs", num(env, static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec)));
  o.Set("forwarding", Napi::Boolean::New(env, e.forwarding()));
  auto ids = e.port_ids();
  Napi::Array ports = Napi::Array::New(env, ids.size());
  for (size_t i = 0; i < ids.size(); i++) {
    rs::PortStats s = e.port(ids[i]).stats();
    Napi::Object p = Napi::Object::New(env);
    p.Set("id", num(env, ids[i]));
    p.Set("rxPackets", num(env, s.rx_packets));
    p.Set("rxBytes", num(env, s.rx_bytes));
    p.Set("rxErrors", num(env, s.rx_errors));
    p.Set("rxMissed", num(env, s.rx_missed));
    p.Set("rxFlushed", num(env, s.rx_flushed));
    p.Set("rxNombuf", num(env, s.rx_nombuf));
    p.Set("txPackets", num(env, s.tx_packets));
    p.Set("txBytes", num(env, s.tx_bytes));
    p.Set("txErrors", num(env, s.tx_errors));
    p.Set("rxq", queue_array(env, s.rxq_packets, s.rxq_bytes, s.rxq_errors));
    p.Set("txq", queue_array(env, s.txq_packets, s.txq_bytes, s.txq_errors));
    ports.Set(i, p);
  }
  o.Set("ports", ports);
  o.Set("streams", stream_array(env, e.streams()));
  rs::PoolStats ps = e.pool_stats();
  Napi::Object pool = Napi::Object::New(env);
  pool.Set("name", ps.name);
  pool.Set("size", num(env, ps.size));
  pool.Set("available", num(env, ps.available));
  pool.Set("inUse", num(env, ps.in_use));
  pool.Set("allocFailures", num(env, static_cast<double>(ps.alloc_failures)));
  o.Set("pool", pool);
  return o;
}

}  // namespace

extern const MethodTable forwarding_methods;
const MethodTable forwarding_methods = {
    {"setFwdMode", no_result<SetFwdMode>},
    {"fwdMode", FwdMode},
    {"setNbCores", no_result<SetNbCores>},
    {"nbCores", NbCores},
    {"setLcores", no_result<SetLcores>},
    {"fwdLcores", FwdLcores},
    {"setFwdPorts", no_result<SetFwdPorts>},
    {"fwdPorts", FwdPorts},
    {"setTxRetry", no_result<SetTxRetry>},
    {"setBurstTxRetry", no_result<SetBurstTxRetry>},
    {"txRetry", TxRetry},
    {"setBurst", no_result<SetBurst>},
    {"burst", Burst},
    {"setNoisy", no_result<SetNoisy>},
    {"setRecordBurstStats", no_result<SetRecordBurstStats>},
    {"setRecordCoreCycles", no_result<SetRecordCoreCycles>},
    {"coreCyclesMhz", CoreCyclesMhz},
    {"setTopology", no_result<SetTopology>},
    {"topology", GetTopology},
    {"setTxpkts", no_result<SetTxpkts>},
    {"txpkts", Txpkts},
    {"setEthPeer", no_result<SetEthPeer>},
    {"ethPeer", EthPeer},
    {"streams", Streams},
    {"lcores", Lcores},
    {"start", no_result<Start>},
    {"stop", Stop},
    {"clearFwdStats", no_result<ClearFwdStats>},
    {"snapshot", Snapshot},
};

}  // namespace rsb
