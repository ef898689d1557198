// Traffic generation methods of Engine: the template/IMIX/flowgen settings as
// one object (read whole, written partially), per-port rate and count, and
// the receive-side measurement of a port.
#include <arpa/inet.h>
#include "binding.h"

namespace rsb {
namespace {

using rs::gen::GenSettings;

const char* l2_name(rs::gen::L2Kind k) {
  return k == rs::gen::L2Kind::Vlan ? "vlan" : k == rs::gen::L2Kind::Qinq ? "qinq" : "none";
}
const char* l4_name(rs::gen::L4Kind k) {
  return k == rs::gen::L4Kind::Tcp ? "tcp" : k == rs::gen::L4Kind::Icmp ? "icmp" : "udp";
}
const char* payload_name(rs::gen::PayloadKind k) {
  switch (k) {
    case rs::gen::PayloadKind::Inc: return "inc";
    case rs::gen::PayloadKind::Fixed: return "fixed";
    case rs::gen::PayloadKind::Random: return "random";
    default: return "zero";
  }
}

std::string ip_text(int af, const void* a) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(af, a, buf, sizeof buf);
  return buf;
}

Napi::Object settings_object(Napi::Env env, const GenSettings& g) {
  const auto& s = g.spec;
  Napi::Object o = Napi::Object::New(env);
  o.Set("l2", l2_name(s.l2));
  Napi::Array vlan = Napi::Array::New(env, 2);
  vlan.Set(0u, num(env, s.vlan_tci[0]));
  vlan.Set(1u, num(env, s.vlan_tci[1]));
  o.Set("vlan", vlan);
  o.Set("l3", s.l3 == rs::gen::L3Kind::Ipv4 ? "ipv4" : "ipv6");
  o.Set("ipv4Src", ip_text(AF_INET, &s.ip4_src));
  o.Set("ipv4Dst", ip_text(AF_INET, &s.ip4_dst));
  o.Set("ipv6Src", ip_text(AF_INET6, s.ip6_src.data()));
  o.Set("ipv6Dst", ip_text(AF_INET6, s.ip6_dst.data()));
  o.Set("l4", l4_name(s.l4));
  o.Set("srcPort", num(env, s.src_port));
  o.Set("dstPort", num(env, s.dst_port));
  o.Set("tcpFlags", num(env, s.tcp_flags));
  o.Set("ttl", num(env, s.ttl));
  o.Set("payload", payload_name(s.payload));
  o.Set("payloadByte", num(env, s.payload_byte));
  o.Set("stamp", Napi::Boolean::New(env, s.stamp));
  Napi::Array imix = Napi::Array::New(env, g.imix.size());
  for (size_t i = 0; i < g.imix.size(); i++) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("len", num(env, g.imix[i].len));
    e.Set("weight", num(env, g.imix[i].weight));
    imix.Set(i, e);
  }
  o.Set("imix", imix);
  Napi::Object f = Napi::Object::New(env);
  f.Set("srcIp", num(env, g.flows.src_ip));
  f.Set("dstIp", num(env, g.flows.dst_ip));
  f.Set("srcPort", num(env, g.flows.src_port));
  f.Set("dstPort", num(env, g.flows.dst_port));
  o.Set("flows", f);
  return o;
}

[[noreturn]] void bad(Napi::Env env, const std::string& what) { throw_ringside(env, "EINVAL_ARG", what); }

uint32_t u32_field(Napi::Env env, Napi::Object o, const char* key, uint32_t max) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) bad(env, std::string(key) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d < 0 || d > max || d != static_cast<double>(static_cast<uint32_t>(d)))
    bad(env, std::string(key) + " must be an integer 0.." + std::to_string(max));
  return static_cast<uint32_t>(d);
}
std::string str_field(Napi::Env env, Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) bad(env, std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

void parse_ip(Napi::Env env, int af, const std::string& text, void* out) {
  if (inet_pton(af, text.c_str(), out) != 1)
    throw_ringside(env, "EINVAL_IP", "'" + text + "' is not an " + (af == AF_INET ? "IPv4" : "IPv6") + " address");
}

// Applies the fields present in o to g.
void merge(Napi::Env env, Napi::Object o, GenSettings& g) {
  auto& s = g.spec;
  if (o.Has("l2")) {
    std::string v = str_field(env, o, "l2");
    if (v == "none") s.l2 = rs::gen::L2Kind::None;
    else if (v == "vlan") s.l2 = rs::gen::L2Kind::Vlan;
    else if (v == "qinq") s.l2 = rs::gen::L2Kind::Qinq;
    else bad(env, "l2 must be none, vlan or qinq");
  }
  if (o.Has("vlan")) {
    Napi::Value v = o.Get("vlan");
    if (!v.IsArray()) bad(env, "vlan must be an array of TCI values");
    Napi::Array a = v.As<Napi::Array>();
    if (a.Length() < 1 || a.Length() > 2) bad(env, "vlan takes one or two TCI values");
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value t = a.Get(i);
      double d = t.IsNumber() ? t.As<Napi::Number>().DoubleValue() : -1;
      if (d < 0 || d > 65535 || d != static_cast<double>(static_cast<uint32_t>(d)))
        throw_ringside(env, "EINVAL_VLAN", "a VLAN TCI must be 0..65535 (the VLAN id is its low 12 bits)");
      s.vlan_tci[i] = static_cast<uint16_t>(d);
    }
  }
  if (o.Has("l3")) {
    std::string v = str_field(env, o, "l3");
    if (v == "ipv4") s.l3 = rs::gen::L3Kind::Ipv4;
    else if (v == "ipv6") s.l3 = rs::gen::L3Kind::Ipv6;
    else bad(env, "l3 must be ipv4 or ipv6");
  }
  if (o.Has("ipv4Src")) parse_ip(env, AF_INET, str_field(env, o, "ipv4Src"), &s.ip4_src);
  if (o.Has("ipv4Dst")) parse_ip(env, AF_INET, str_field(env, o, "ipv4Dst"), &s.ip4_dst);
  if (o.Has("ipv6Src")) parse_ip(env, AF_INET6, str_field(env, o, "ipv6Src"), s.ip6_src.data());
  if (o.Has("ipv6Dst")) parse_ip(env, AF_INET6, str_field(env, o, "ipv6Dst"), s.ip6_dst.data());
  if (o.Has("l4")) {
    std::string v = str_field(env, o, "l4");
    if (v == "udp") s.l4 = rs::gen::L4Kind::Udp;
    else if (v == "tcp") s.l4 = rs::gen::L4Kind::Tcp;
    else if (v == "icmp") s.l4 = rs::gen::L4Kind::Icmp;
    else bad(env, "l4 must be udp, tcp or icmp");
  }
  if (o.Has("srcPort")) s.src_port = static_cast<uint16_t>(u32_field(env, o, "srcPort", 65535));
  if (o.Has("dstPort")) s.dst_port = static_cast<uint16_t>(u32_field(env, o, "dstPort", 65535));
  if (o.Has("tcpFlags")) s.tcp_flags = static_cast<uint8_t>(u32_field(env, o, "tcpFlags", 255));
  if (o.Has("ttl")) s.ttl = static_cast<uint8_t>(u32_field(env, o, "ttl", 255));
  if (o.Has("payload")) {
    std::string v = str_field(env, o, "payload");
    if (v == "zero") s.payload = rs::gen::PayloadKind::Zero;
    else if (v == "inc") s.payload = rs::gen::PayloadKind::Inc;
    else if (v == "fixed") s.payload = rs::gen::PayloadKind::Fixed;
    else if (v == "random") s.payload = rs::gen::PayloadKind::Random;
    else bad(env, "payload must be zero, inc, fixed or random");
  }
  if (o.Has("payloadByte")) s.payload_byte = static_cast<uint8_t>(u32_field(env, o, "payloadByte", 255));
  if (o.Has("stamp")) {
    Napi::Value v = o.Get("stamp");
    if (!v.IsBoolean()) bad(env, "stamp must be true or false");
    s.stamp = v.As<Napi::Boolean>().Value();
  }
  if (o.Has("imix")) {
    Napi::Value v = o.Get("imix");
    if (!v.IsArray()) bad(env, "imix must be an array of {len, weight}");
    Napi::Array a = v.As<Napi::Array>();
    g.imix.clear();
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value e = a.Get(i);
      if (!e.IsObject()) bad(env, "imix entries must be {len, weight}");
      Napi::Object eo = e.As<Napi::Object>();
      g.imix.push_back({static_cast<uint16_t>(u32_field(env, eo, "len", 65535)),
                        static_cast<uint16_t>(u32_field(env, eo, "weight", 65535))});
    }
  }
  if (o.Has("flows")) {
    Napi::Value v = o.Get("flows");
    if (!v.IsObject()) bad(env, "flows must be an object");
    Napi::Object f = v.As<Napi::Object>();
    if (f.Has("srcIp")) g.flows.src_ip = u32_field(env, f, "srcIp", 0xffffffff);
    if (f.Has("dstIp")) g.flows.dst_ip = u32_field(env, f, "dstIp", 0xffffffff);
    if (f.Has("srcPort")) g.flows.src_port = u32_field(env, f, "srcPort", 65536);
    if (f.Has("dstPort")) g.flows.dst_port = u32_field(env, f, "dstPort", 65536);
  }
}

Napi::Value GenSettingsGet(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return settings_object(info.Env(), engine_of(info).gen_settings()); });
}

Napi::Value GenSettingsSet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) bad(env, "settings must be an object");
  rs::Engine& e = engine_of(info);
  GenSettings g = e.gen_settings();
  merge(env, info[0].As<Napi::Object>(), g);
  guarded(env, [&] { e.set_gen_settings(g); });
  return env.Undefined();
}

Napi::Value SetTxRate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info, 0);
  uint32_t value = arg_u32(info, 1, "rate");
  std::string unit = arg_str(info, 2, "unit");
  if (unit != "pps" && unit != "mbps") bad(env, "rate unit must be pps or mbps");
  guarded(env, [&] {
    rs::Engine& e = engine_of(info);
    e.port(port);
    GenSettings g = e.gen_settings();
    g.rate[port] = rs::gen::TxRate{value, unit == "mbps"};
    e.set_gen_settings(g);
  });
  return env.Undefined();
}

Napi::Value TxRate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info, 0);
  return guarded(env, [&] {
    rs::Engine& e = engine_of(info);
    e.port(port);
    const auto& r = e.gen_settings().rate[port];
    Napi::Object o = Napi::Object::New(env);
    o.Set("value", num(env, static_cast<double>(r.value)));
    o.Set("unit", r.mbps ? "mbps" : "pps");
    return o;
  });
}

Napi::Value SetTxCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info, 0);
  if (info.Length() < 2 || !info[1].IsNumber()) bad(env, "count must be a number");
  double d = info[1].As<Napi::Number>().DoubleValue();
  if (d < 0 || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
    bad(env, "count must be a non-negative integer");
  guarded(env, [&] {
    rs::Engine& e = engine_of(info);
    e.port(port);
    GenSettings g = e.gen_settings();
    g.count[port] = static_cast<uint64_t>(d);
    e.set_gen_settings(g);
  });
  return env.Undefined();
}

Napi::Value TxCount(const Napi::CallbackInfo& info) {
  uint16_t port = arg_port(info, 0);
  return guarded(info.Env(), [&] {
    rs::Engine& e = engine_of(info);
    e.port(port);
    return num(info.Env(), static_cast<double>(e.gen_settings().count[port]));
  });
}

Napi::Value PortLatency(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info, 0);
  return guarded(env, [&] {
    rs::gen::LatencyReport r = engine_of(info).port_latency(port);
    Napi::Object o = Napi::Object::New(env);
    o.Set("port", num(env, port));
    o.Set("stamped", num(env, r.stamped));
    o.Set("unique", num(env, r.unique));
    o.Set("expected", num(env, r.expected));
    o.Set("lost", num(env, r.lost));
    o.Set("duplicates", num(env, r.duplicates));
    o.Set("reordered", num(env, r.reordered));
    o.Set("sources", num(env, r.sources));
    o.Set("untracked", num(env, r.untracked));
    o.Set("badTime", num(env, r.bad_time));
    o.Set("latCount", num(env, r.lat_count));
    o.Set("minNs", num(env, r.min_ns));
    o.Set("avgNs", num(env, r.avg_ns));
    o.Set("p50Ns", num(env, r.p50_ns));
    o.Set("p99Ns", num(env, r.p99_ns));
    o.Set("maxNs", num(env, r.max_ns));
    Napi::Array h = Napi::Array::New(env, r.histogram.size());
    for (size_t i = 0; i < r.histogram.size(); i++) {
      Napi::Object b = Napi::Object::New(env);
      b.Set("loNs", num(env, r.histogram[i].lo_ns));
      b.Set("hiNs", num(env, r.histogram[i].hi_ns));
      b.Set("count", num(env, r.histogram[i].count));
      h.Set(i, b);
    }
    o.Set("histogram", h);
    return o;
  });
}

}  // namespace

extern const MethodTable gen_methods;
const MethodTable gen_methods = {
    {"genSettings", GenSettingsGet}, {"setGenSettings", GenSettingsSet}, {"setTxRate", SetTxRate},
    {"txRate", TxRate},              {"setTxCount", SetTxCount},         {"txCount", TxCount},
    {"portLatency", PortLatency},
};

}  // namespace rsb
