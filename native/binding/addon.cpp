// The thin N-API layer: converts arguments and results, and turns rs::Error
// into the JS RingsideError class (handed over once by setErrorClass). All
// behaviour lives in the engine; nothing here touches packets.
#include <time.h>
#include "binding.h"

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

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Engine", {
      InstanceMethod<&EngineWrap::Attach>("attach"),
      InstanceMethod<&EngineWrap::Detach>("detach"),
      InstanceMethod<&EngineWrap::PortIds>("portIds"),
      InstanceMethod<&EngineWrap::PortInfo>("portInfo"),
      InstanceMethod<&EngineWrap::PortStart>("portStart"),
      InstanceMethod<&EngineWrap::PortStop>("portStop"),
      InstanceMethod<&EngineWrap::PortClose>("portClose"),
      InstanceMethod<&EngineWrap::PortSetQueues>("portSetQueues"),
      InstanceMethod<&EngineWrap::PortSetMtu>("portSetMtu"),
      InstanceMethod<&EngineWrap::PortSetNbDesc>("portSetNbDesc"),
      InstanceMethod<&EngineWrap::PortQueueState>("portQueueState"),
      InstanceMethod<&EngineWrap::PortQueueDeferred>("portQueueDeferred"),
      InstanceMethod<&EngineWrap::PortSetMac>("portSetMac"),
      InstanceMethod<&EngineWrap::PortSetPromiscuous>("portSetPromiscuous"),
      InstanceMethod<&EngineWrap::PortSetAllmulti>("portSetAllmulti"),
      InstanceMethod<&EngineWrap::PortRxAddr>("portRxAddr"),
      InstanceMethod<&EngineWrap::PortSetLink>("portSetLink"),
      InstanceMethod<&EngineWrap::PortAddIp>("portAddIp"),
      InstanceMethod<&EngineWrap::PortIps>("portIps"),
      InstanceMethod<&EngineWrap::ClearPortStats>("clearPortStats"),
      InstanceMethod<&EngineWrap::SetFwdMode>("setFwdMode"),
      InstanceMethod<&EngineWrap::FwdMode>("fwdMode"),
      InstanceMethod<&EngineWrap::SetNbCores>("setNbCores"),
      InstanceMethod<&EngineWrap::NbCores>("nbCores"),
      InstanceMethod<&EngineWrap::SetLcores>("setLcores"),
      InstanceMethod<&EngineWrap::FwdLcores>("fwdLcores"),
      InstanceMethod<&EngineWrap::SetFwdPorts>("setFwdPorts"),
      InstanceMethod<&EngineWrap::FwdPorts>("fwdPorts"),
      InstanceMethod<&EngineWrap::SetTxRetry>("setTxRetry"),
      InstanceMethod<&EngineWrap::SetBurstTxRetry>("setBurstTxRetry"),
      InstanceMethod<&EngineWrap::TxRetry>("txRetry"),
      InstanceMethod<&EngineWrap::SetBurst>("setBurst"),
      InstanceMethod<&EngineWrap::SetNoisy>("setNoisy"),
      InstanceMethod<&EngineWrap::SetRecordBurstStats>("setRecordBurstStats"),
      InstanceMethod<&EngineWrap::Burst>("burst"),
      InstanceMethod<&EngineWrap::SetTopology>("setTopology"),
      InstanceMethod<&EngineWrap::GetTopology>("topology"),
      InstanceMethod<&EngineWrap::SetTxpkts>("setTxpkts"),
      InstanceMethod<&EngineWrap::Txpkts>("txpkts"),
      InstanceMethod<&EngineWrap::SetEthPeer>("setEthPeer"),
      InstanceMethod<&EngineWrap::EthPeer>("ethPeer"),
      InstanceMethod<&EngineWrap::Streams>("streams"),
      InstanceMethod<&EngineWrap::Lcores>("lcores"),
      InstanceMethod<&EngineWrap::Start>("start"),
      InstanceMethod<&EngineWrap::Stop>("stop"),
      InstanceMethod<&EngineWrap::Forwarding>("forwarding"),
      InstanceMethod<&EngineWrap::ClearFwdStats>("clearFwdStats"),
      InstanceMethod<&EngineWrap::Snapshot>("snapshot"),
      InstanceMethod<&EngineWrap::Shutdown>("shutdown"),
    });
  }

  explicit EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
    Napi::Env env = info.Env();
    rs::EngineOptions opts;
    if (info.Length() > 0 && info[0].IsObject()) {
      Napi::Object o = info[0].As<Napi::Object>();
      if (o.Has("totalNumMbufs") && o.Get("totalNumMbufs").IsNumber())
        opts.total_num_mbufs = o.Get("totalNumMbufs").As<Napi::Number>().Uint32Value();
      if (o.Has("mbufSize") && o.Get("mbufSize").IsNumber()) {
        uint32_t sz = o.Get("mbufSize").As<Napi::Number>().Uint32Value();
        if (sz < 128 || sz > 65000) throw_ringside(env, "EINVAL_ARG", "--mbuf-size must be 128..65000 bytes");
        opts.mbuf_data_room = static_cast<uint16_t>(sz);
      }
    }
    engine_ = guarded(env, [&] { return std::make_unique<rs::Engine>(opts); });
    data(env).engines.insert(engine_.get());
  }
  ~EngineWrap() override { release(); }

  rs::Engine& engine(const Napi::CallbackInfo& info) { return eng(info); }

 private:
  void release() {
    if (!engine_) return;
    data(Env()).engines.erase(engine_.get());
    engine_.reset();  // ~Engine shuts down: poll threads, then ports, then the pool
  }
  rs::Engine& eng(const Napi::CallbackInfo& info) {
    if (!engine_) throw_ringside(info.Env(), "ESHUTDOWN", "the engine was shut down: create a new session");
    return *engine_;
  }

  Napi::Value Attach(const Napi::CallbackInfo& info) {
    std::string devargs = arg_str(info, 0, "devargs");
    return num(info.Env(), guarded(info.Env(), [&] { return eng(info).attach(devargs); }));
  }
  void Detach(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    guarded(info.Env(), [&] { eng(info).detach(p); });
  }
  Napi::Value PortIds(const Napi::CallbackInfo& info) {
    auto ids = eng(info).port_ids();
    Napi::Array a = Napi::Array::New(info.Env(), ids.size());
    for (size_t i = 0; i < ids.size(); i++) a.Set(i, num(info.Env(), ids[i]));
    return a;
  }
  Napi::Value PortInfo(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint16_t p = arg_port(info);
    return guarded(env, [&] {
      rs::Port& port = eng(info).port(p);
      Napi::Object o = Napi::Object::New(env);
      o.Set("id", num(env, port.id()));
      o.Set("name", port.name());
      o.Set("driver", port.driver());
      o.Set("devargs", port.devargs().raw);
      o.Set("ifName", port.if_name());
      o.Set("ifIndex", num(env, port.if_index()));
      o.Set("mac", rs::mac_to_string(port.mac()));
      o.Set("mtu", num(env, port.mtu()));
      o.Set("minMtu", num(env, port.min_mtu()));
      o.Set("maxMtu", num(env, port.max_mtu()));
      o.Set("promiscuous", Napi::Boolean::New(env, port.promiscuous()));
      o.Set("allmulti", Napi::Boolean::New(env, port.allmulti()));
      auto macs = [&](const std::vector<rs::MacAddr>& l) {
        Napi::Array a = Napi::Array::New(env, l.size());
        for (uint32_t i = 0; i < l.size(); i++) a.Set(i, rs::mac_to_string(l[i]));
        return a;
      };
      o.Set("addedMacs", macs(port.added_macs()));
      o.Set("mcastMacs", macs(port.mcast_macs()));
      rs::LinkInfo l = port.link();
      Napi::Object link = Napi::Object::New(env);
      link.Set("up", Napi::Boolean::New(env, l.up));
      link.Set("speedMbps", num(env, l.speed_mbps));
      link.Set("fullDuplex", Napi::Boolean::New(env, l.full_duplex));
      o.Set("link", link);
      o.Set("started", Napi::Boolean::New(env, port.started()));
      o.Set("closed", Napi::Boolean::New(env, port.closed()));
      o.Set("nbRxQueues", num(env, port.nb_rx_queues()));
      o.Set("nbTxQueues", num(env, port.nb_tx_queues()));
      o.Set("maxRxQueues", num(env, port.max_rx_queues()));
      o.Set("maxTxQueues", num(env, port.max_tx_queues()));
      o.Set("countsBytes", Napi::Boolean::New(env, port.counts_bytes()));
      auto extra = port.info();
      Napi::Array ex = Napi::Array::New(env, extra.size());
      for (size_t i = 0; i < extra.size(); i++) {
        Napi::Array kv = Napi::Array::New(env, 2);
        kv.Set(0u, extra[i].first);
        kv.Set(1u, extra[i].second);
        ex.Set(i, kv);
      }
      o.Set("extra", ex);
      return o;
    });
  }
  void PortStart(const Napi::CallbackInfo& info) { uint16_t p = arg_port(info); guarded(info.Env(), [&] { eng(info).port_start(p); }); }
  void PortStop(const Napi::CallbackInfo& info) { uint16_t p = arg_port(info); guarded(info.Env(), [&] { eng(info).port_stop(p); }); }
  void PortClose(const Napi::CallbackInfo& info) { uint16_t p = arg_port(info); guarded(info.Env(), [&] { eng(info).port_close(p); }); }
  void PortSetQueues(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    int rx = arg_i32(info, 1, "rx queue count"), tx = arg_i32(info, 2, "tx queue count");
    guarded(info.Env(), [&] { eng(info).port_set_queues(p, rx, tx); });
  }
  static rs::Dir arg_dir(const Napi::CallbackInfo& info, size_t i) {
    std::string d = arg_str(info, i, "queue direction");
    if (d != "rx" && d != "tx") throw_ringside(info.Env(), "EINVAL_ARG", "queue direction must be 'rx' or 'tx'");
    return d == "rx" ? rs::Dir::Rx : rs::Dir::Tx;
  }
  // A queue id below kMaxQueues (the port checks its own count), or -1 when allowed: every queue.
  static uint16_t arg_queue(const Napi::CallbackInfo& info, size_t i, bool all_allowed) {
    int32_t q = arg_i32(info, i, "queue id");
    if (q < 0 && all_allowed) return rs::Port::kAllQueues;
    if (q < 0 || q >= rs::Port::kMaxQueues)
      throw_ringside(info.Env(), "EQUEUE_RANGE", "queue " + std::to_string(q) + " is out of range: queues are 0.." +
                                                     std::to_string(rs::Port::kMaxQueues - 1));
    return static_cast<uint16_t>(q);
  }
  // (port, "rx"|"tx", queue or -1 for all, descriptors; 0 = the driver's default)
  void PortSetNbDesc(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    rs::Dir d = arg_dir(info, 1);
    uint16_t q = arg_queue(info, 2, true);
    uint32_t n = arg_u32(info, 3, "descriptors");
    guarded(info.Env(), [&] { eng(info).port_set_nb_desc(p, d, q, n); });
  }
  // (port, "rx"|"tx", queue, start: bool)
  void PortQueueState(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    rs::Dir d = arg_dir(info, 1);
    uint16_t q = arg_queue(info, 2, false);
    bool start = arg_bool(info, 3, "start");
    guarded(info.Env(), [&] { eng(info).port_queue_state(p, d, q, start); });
  }
  void PortQueueDeferred(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    rs::Dir d = arg_dir(info, 1);
    uint16_t q = arg_queue(info, 2, false);
    bool on = arg_bool(info, 3, "deferred_start");
    guarded(info.Env(), [&] { eng(info).port_queue_deferred(p, d, q, on); });
  }
  void PortSetMtu(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    uint32_t mtu = arg_u32(info, 1, "MTU");
    guarded(info.Env(), [&] { eng(info).port(p).set_mtu(mtu); });
  }
  void PortSetMac(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    rs::MacAddr m = arg_mac(info, 1);
    guarded(info.Env(), [&] { eng(info).port(p).set_mac(m); });
  }
  void PortSetPromiscuous(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    bool on = arg_bool(info, 1, "promiscuous");
    guarded(info.Env(), [&] { eng(info).port(p).set_promiscuous(on); });
  }
  void PortSetAllmulti(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    bool on = arg_bool(info, 1, "allmulti");
    guarded(info.Env(), [&] { eng(info).port(p).set_allmulti(on); });
  }
  // (port, mac, multicast list?, add?): mac_addr and mcast_addr add|remove.
  void PortRxAddr(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    rs::MacAddr m = arg_mac(info, 1);
    bool multicast = arg_bool(info, 2, "multicast");
    bool add = arg_bool(info, 3, "add");
    guarded(info.Env(), [&] {
      rs::Port& port = eng(info).port(p);
      if (multicast) add ? port.add_mcast(m) : port.remove_mcast(m);
      else add ? port.add_mac(m) : port.remove_mac(m);
    });
  }
  void PortSetLink(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    bool up = arg_bool(info, 1, "link up");
    guarded(info.Env(), [&] { eng(info).port(p).set_link(up); });
  }
  void PortAddIp(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    std::string cidr = arg_str(info, 1, "address");
    guarded(info.Env(), [&] { eng(info).port_add_ip(p, cidr); });
  }
  Napi::Value PortIps(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    return string_array(info.Env(), guarded(info.Env(), [&] { return eng(info).port_ips(p); }));
  }
  void ClearPortStats(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    guarded(info.Env(), [&] { eng(info).port(p).clear_stats(); });
  }
  void SetFwdMode(const Napi::CallbackInfo& info) {
    std::string m = arg_str(info, 0, "forwarding mode");
    guarded(info.Env(), [&] { eng(info).set_fwd_mode(m); });
  }
  Napi::Value FwdMode(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), eng(info).fwd_mode().name); }
  void SetNbCores(const Napi::CallbackInfo& info) {
    uint32_t n = arg_u32(info, 0, "number of cores");
    guarded(info.Env(), [&] { eng(info).set_nb_cores(n); });
  }
  Napi::Value NbCores(const Napi::CallbackInfo& info) { return num(info.Env(), eng(info).nb_cores()); }
  // [lcore, cpu, lcore, cpu, ...]
  void SetLcores(const Napi::CallbackInfo& info) {
    std::vector<uint32_t> flat = arg_u32_list(info, 0, "lcores");
    if (flat.size() % 2) throw_ringside(info.Env(), "EINVAL_ARG", "lcores must be lcore, cpu pairs");
    std::vector<rs::LcoreCpu> map;
    for (size_t i = 0; i + 1 < flat.size(); i += 2) map.push_back({flat[i], static_cast<int>(flat[i + 1])});
    guarded(info.Env(), [&] { eng(info).set_lcores(map); });
  }
  Napi::Value FwdLcores(const Napi::CallbackInfo& info) {
    const auto& m = eng(info).fwd_lcores();
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
    guarded(info.Env(), [&] { eng(info).set_fwd_ports(ports); });
  }
  Napi::Value FwdPorts(const Napi::CallbackInfo& info) {
    const auto& ids = eng(info).fwd_ports();
    Napi::Array a = Napi::Array::New(info.Env(), ids.size());
    for (size_t i = 0; i < ids.size(); i++) a.Set(i, num(info.Env(), ids[i]));
    return a;
  }
  void SetBurst(const Napi::CallbackInfo& info) {
    uint32_t n = arg_u32(info, 0, "burst");
    if (n > 0xffff) throw_ringside(info.Env(), "EBURST_RANGE", "burst must be 1.." + std::to_string(rs::kMaxBurst));
    guarded(info.Env(), [&] { eng(info).set_burst(static_cast<uint16_t>(n)); });
  }
  void SetRecordBurstStats(const Napi::CallbackInfo& info) { eng(info).set_record_burst_stats(arg_bool(info, 0, "record")); }
  // testpmd's --noisy-* options, in run_app.rst's order.
  void SetNoisy(const Napi::CallbackInfo& info) {
    rs::NoisySettings n;
    n.tx_sw_buffer_size = arg_u32(info, 0, "tx sw buffer size");
    n.flush_time_ms = arg_u32(info, 1, "flush time (ms)");
    n.lkup_memory_mb = arg_u32(info, 2, "lookup memory (MiB)");
    n.lkup_reads = arg_u32(info, 3, "lookup reads");
    n.lkup_writes = arg_u32(info, 4, "lookup writes");
    n.lkup_reads_writes = arg_u32(info, 5, "lookup reads-writes");
    guarded(info.Env(), [&] { eng(info).set_noisy(n); });
  }
  void SetTxRetry(const Napi::CallbackInfo& info) {
    bool on = arg_bool(info, 0, "retry");
    guarded(info.Env(), [&] { eng(info).set_tx_retry(on); });
  }
  void SetBurstTxRetry(const Napi::CallbackInfo& info) {
    uint32_t delay = arg_u32(info, 0, "delay (us)");
    uint32_t tries = arg_u32(info, 1, "retries");
    guarded(info.Env(), [&] { eng(info).set_burst_tx_retry(delay, tries); });
  }
  // { on, delayUs, tries }
  Napi::Value TxRetry(const Napi::CallbackInfo& info) {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("on", Napi::Boolean::New(info.Env(), eng(info).tx_retry()));
    o.Set("delayUs", num(info.Env(), eng(info).burst_tx_delay_us()));
    o.Set("tries", num(info.Env(), eng(info).burst_tx_retries()));
    return o;
  }
  Napi::Value Burst(const Napi::CallbackInfo& info) { return num(info.Env(), eng(info).burst()); }
  void SetTopology(const Napi::CallbackInfo& info) {
    rs::Topology t = parse_topology(info.Env(), arg_str(info, 0, "topology"));
    guarded(info.Env(), [&] { eng(info).set_topology(t); });
  }
  Napi::Value GetTopology(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), rs::topology_name(eng(info).topology())); }
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
    guarded(info.Env(), [&] { eng(info).set_txpkts(segs); });
  }
  Napi::Value Txpkts(const Napi::CallbackInfo& info) {
    const auto& t = eng(info).txpkts();
    Napi::Array a = Napi::Array::New(info.Env(), t.size());
    for (size_t i = 0; i < t.size(); i++) a.Set(i, num(info.Env(), t[i]));
    return a;
  }
  void SetEthPeer(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    rs::MacAddr m = arg_mac(info, 1);
    guarded(info.Env(), [&] { eng(info).set_eth_peer(p, m); });
  }
  Napi::Value EthPeer(const Napi::CallbackInfo& info) {
    uint16_t p = arg_port(info);
    return Napi::String::New(info.Env(), guarded(info.Env(), [&] { return rs::mac_to_string(eng(info).eth_peer(p)); }));
  }
  Napi::Value Streams(const Napi::CallbackInfo& info) {
    return stream_array(info.Env(), guarded(info.Env(), [&] { return eng(info).streams(); }));
  }
  Napi::Value Lcores(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto lc = guarded(env, [&] { return eng(info).lcores(); });
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
    guarded(info.Env(), [&] { eng(info).start(bursts); });
  }
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    return stream_array(info.Env(), guarded(info.Env(), [&] { return eng(info).stop(); }));
  }
  Napi::Value Forwarding(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), engine_ && engine_->forwarding()); }
  void ClearFwdStats(const Napi::CallbackInfo& info) { guarded(info.Env(), [&] { eng(info).clear_fwd_stats(); }); }

  // One call for every counter the shell shows: ports with their queues,
  // streams and the pool, stamped with CLOCK_MONOTONIC for rate computation.
  Napi::Value Snapshot(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    rs::Engine& e = eng(info);
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
  void Shutdown(const Napi::CallbackInfo& info) { release(); }

  std::unique_ptr<rs::Engine> engine_;
};

Napi::Value FwdModes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& t = rs::fwd_engine_table();
  Napi::Array a = Napi::Array::New(env, t.size());
  for (size_t i = 0; i < t.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", t[i]->name);
    o.Set("help", t[i]->help);
    a.Set(i, o);
  }
  return a;
}

Napi::Value Drivers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& t = rs::driver_table();
  Napi::Array a = Napi::Array::New(env, t.size());
  for (size_t i = 0; i < t.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", t[i].name);
    o.Set("help", t[i].help);
    std::vector<std::string> keys;
    std::string k = t[i].keys;
    size_t start = 0;
    while (start < k.size()) {
      size_t c = k.find(',', start);
      keys.push_back(k.substr(start, c == std::string::npos ? std::string::npos : c - start));
      if (c == std::string::npos) break;
      start = c + 1;
    }
    o.Set("keys", string_array(env, keys));
    a.Set(i, o);
  }
  return a;
}

void SetErrorClass(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "setErrorClass needs a class");
  data(info.Env()).error_class = Napi::Persistent(info[0].As<Napi::Function>());
}

// Runs when the Node environment exits: stop poll threads before ports are
// closed and pools freed (Engine::shutdown does them in that order).
void Cleanup(AddonData* d) {
  for (rs::Engine* e : d->engines) e->shutdown();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* d = new AddonData();
  env.SetInstanceData(d);
  env.AddCleanupHook(Cleanup, d);
  Napi::Function ctor = EngineWrap::Define(env);
  // Feature files add their methods to Engine.prototype (see binding.h).
  Napi::Object proto = ctor.Get("prototype").As<Napi::Object>();
  for (const MethodTable* table : feature_method_tables())
    for (const auto& [name, callback] : *table) proto.Set(name, Napi::Function::New(env, callback, name));
  d->engine_ctor = Napi::Persistent(ctor);
  exports.Set("Engine", ctor);
  exports.Set("fwdModes", Napi::Function::New(env, FwdModes));
  exports.Set("drivers", Napi::Function::New(env, Drivers));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass));
  return exports;
}

}  // namespace

rs::Engine& engine_of(const Napi::CallbackInfo& info) {
  if (!info.This().IsObject()) throw_ringside(info.Env(), "EINVAL_ARG", "an Engine method was called without its engine");
  return EngineWrap::Unwrap(info.This().As<Napi::Object>())->engine(info);
}

}  // namespace rsb

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return rsb::Init(env, exports); }

NODE_API_MODULE(ringside, InitAddon)
