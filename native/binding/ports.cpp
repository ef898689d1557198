// Port methods of Engine: attach and detach, port info, start/stop/close,
// queues and descriptors, MTU, MAC and receive addresses, link, addresses.
#include "binding.h"

namespace rsb {
namespace {

Napi::Value Attach(const Napi::CallbackInfo& info) {
  std::string devargs = arg_str(info, 0, "devargs");
  return num(info.Env(), guarded(info.Env(), [&] { return engine_of(info).attach(devargs); }));
}
void Detach(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  guarded(info.Env(), [&] { engine_of(info).detach(p); });
}
Napi::Value PortIds(const Napi::CallbackInfo& info) {
  auto ids = engine_of(info).port_ids();
  Napi::Array a = Napi::Array::New(info.Env(), ids.size());
  for (size_t i = 0; i < ids.size(); i++) a.Set(i, num(info.Env(), ids[i]));
  return a;
}
Napi::Value PortInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t p = arg_port(info);
  return guarded(env, [&] {
    rs::Port& port = engine_of(info).port(p);
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
void PortStart(const Napi::CallbackInfo& info) { uint16_t p = arg_port(info); guarded(info.Env(), [&] { engine_of(info).port_start(p); }); }
void PortStop(const Napi::CallbackInfo& info) { uint16_t p = arg_port(info); guarded(info.Env(), [&] { engine_of(info).port_stop(p); }); }
void PortClose(const Napi::CallbackInfo& info) { uint16_t p = arg_port(info); guarded(info.Env(), [&] { engine_of(info).port_close(p); }); }
void PortSetQueues(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  int rx = arg_i32(info, 1, "rx queue count"), tx = arg_i32(info, 2, "tx queue count");
  guarded(info.Env(), [&] { engine_of(info).port_set_queues(p, rx, tx); });
}
rs::Dir arg_dir(const Napi::CallbackInfo& info, size_t i) {
  std::string d = arg_str(info, i, "queue direction");
  if (d != "rx" && d != "tx") throw_ringside(info.Env(), "EINVAL_ARG", "queue direction must be 'rx' or 'tx'");
  return d == "rx" ? rs::Dir::Rx : rs::Dir::Tx;
}
// A queue id below kMaxQueues (the port checks its own count), or -1 when allowed: every queue.
uint16_t arg_queue(const Napi::CallbackInfo& info, size_t i, bool all_allowed) {
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
  guarded(info.Env(), [&] { engine_of(info).port_set_nb_desc(p, d, q, n); });
}
// (port, "rx"|"tx", queue, start: bool)
void PortQueueState(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  rs::Dir d = arg_dir(info, 1);
  uint16_t q = arg_queue(info, 2, false);
  bool start = arg_bool(info, 3, "start");
  guarded(info.Env(), [&] { engine_of(info).port_queue_state(p, d, q, start); });
}
void PortQueueDeferred(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  rs::Dir d = arg_dir(info, 1);
  uint16_t q = arg_queue(info, 2, false);
  bool on = arg_bool(info, 3, "deferred_start");
  guarded(info.Env(), [&] { engine_of(info).port_queue_deferred(p, d, q, on); });
}
void PortSetMtu(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  uint32_t mtu = arg_u32(info, 1, "MTU");
  guarded(info.Env(), [&] { engine_of(info).port(p).set_mtu(mtu); });
}
void PortSetMac(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  rs::MacAddr m = arg_mac(info, 1);
  guarded(info.Env(), [&] { engine_of(info).port(p).set_mac(m); });
}
void PortSetPromiscuous(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  bool on = arg_bool(info, 1, "promiscuous");
  guarded(info.Env(), [&] { engine_of(info).port(p).set_promiscuous(on); });
}
void PortSetAllmulti(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  bool on = arg_bool(info, 1, "allmulti");
  guarded(info.Env(), [&] { engine_of(info).port(p).set_allmulti(on); });
}
// (port, mac, multicast list?, add?): mac_addr and mcast_addr add|remove.
void PortRxAddr(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  rs::MacAddr m = arg_mac(info, 1);
  bool multicast = arg_bool(info, 2, "multicast");
  bool add = arg_bool(info, 3, "add");
  guarded(info.Env(), [&] {
    rs::Port& port = engine_of(info).port(p);
    if (multicast) add ? port.add_mcast(m) : port.remove_mcast(m);
    else add ? port.add_mac(m) : port.remove_mac(m);
  });
}
void PortSetLink(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  bool up = arg_bool(info, 1, "link up");
  guarded(info.Env(), [&] { engine_of(info).port(p).set_link(up); });
}
void PortAddIp(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  std::string cidr = arg_str(info, 1, "address");
  guarded(info.Env(), [&] { engine_of(info).port_add_ip(p, cidr); });
}
Napi::Value PortIps(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  return string_array(info.Env(), guarded(info.Env(), [&] { return engine_of(info).port_ips(p); }));
}
void ClearPortStats(const Napi::CallbackInfo& info) {
  uint16_t p = arg_port(info);
  guarded(info.Env(), [&] { engine_of(info).port(p).clear_stats(); });
}

}  // namespace

extern const MethodTable port_methods;
const MethodTable port_methods = {
    {"attach", Attach},
    {"detach", no_result<Detach>},
    {"portIds", PortIds},
    {"portInfo", PortInfo},
    {"portStart", no_result<PortStart>},
    {"portStop", no_result<PortStop>},
    {"portClose", no_result<PortClose>},
    {"portSetQueues", no_result<PortSetQueues>},
    {"portSetMtu", no_result<PortSetMtu>},
    {"portSetNbDesc", no_result<PortSetNbDesc>},
    {"portQueueState", no_result<PortQueueState>},
    {"portQueueDeferred", no_result<PortQueueDeferred>},
    {"portSetMac", no_result<PortSetMac>},
    {"portSetPromiscuous", no_result<PortSetPromiscuous>},
    {"portSetAllmulti", no_result<PortSetAllmulti>},
    {"portRxAddr", no_result<PortRxAddr>},
    {"portSetLink", no_result<PortSetLink>},
    {"portAddIp", no_result<PortAddIp>},
    {"portIps", PortIps},
    {"clearPortStats", no_result<ClearPortStats>},
};

}  // namespace rsb
