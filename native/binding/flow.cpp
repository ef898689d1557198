// Software RSS and flow rules as Engine methods (see binding.h). The command
// layer (commands/flow.ts) parses testpmd's syntax into a structured rule;
// here its item, field and action names map onto the engine's enums and the
// field values (MAC, IPv4, IPv6, numbers) become bytes. The classifier
// (native/engine/classify/) checks whether the rule can apply.
#include <arpa/inet.h>
#include <map>
#include <memory>
#include "binding.h"
#include "classify/classifier.h"
#include "kni/kni.h"

namespace rsb {
namespace {

// Action `kernel`: the port's KNI, looked up at every hand-over so a KNI
// destroyed after the rule was made only means packets are freed.
class KniPath final : public rs::ExceptionPath {
 public:
  explicit KniPath(const rs::Port* p) : port_(p) {}
  uint16_t to_kernel(rs::Mbuf** pkts, uint16_t n) override { return rs::kni_ingress(port_, pkts, n); }

 private:
  const rs::Port* port_;
};

rs::ExceptionPath* kni_path(const rs::Port* p) {
  static std::map<const rs::Port*, std::unique_ptr<KniPath>> paths;  // main thread only
  auto& slot = paths[p];
  if (!slot) slot = std::make_unique<KniPath>(p);
  return slot.get();
}

// Classifier changes need the port's queues idle: refused while the port forwards.
rs::Port& config_port(const Napi::CallbackInfo& info, rs::Engine& e, uint16_t id) {
  rs::Port& p = e.port(id);
  if (e.forwarding())
    for (const rs::StreamStats& s : e.streams())
      if (s.rx_port == id || s.tx_port == id)
        throw rs::Error("EBUSY_FORWARDING", "cannot change RSS or flow rules of port " + std::to_string(id) +
                                                " while it forwards: stop forwarding first ('stop')");
  // The exception path exists when the port has a KNI now.
  p.classifier().set_exception_path(rs::kni_for_port(&p) ? kni_path(&p) : nullptr);
  (void)info;
  return p;
}

std::string get_str(const Napi::Object& o, const char* key, const std::string& def = "") {
  if (!o.Has(key) || !o.Get(key).IsString()) return def;
  return o.Get(key).As<Napi::String>().Utf8Value();
}
double get_num(const Napi::Object& o, const char* key, double def) {
  if (!o.Has(key) || !o.Get(key).IsNumber()) return def;
  return o.Get(key).As<Napi::Number>().DoubleValue();
}
Napi::Array get_arr(Napi::Env env, const Napi::Object& o, const char* key) {
  if (!o.Has(key) || !o.Get(key).IsArray()) return Napi::Array::New(env, 0);
  return o.Get(key).As<Napi::Array>();
}

uint32_t to_u32(double v, const std::string& what, uint32_t max) {
  if (!(v >= 0) || v > max || v != static_cast<double>(static_cast<uint64_t>(v)))
    throw rs::Error("EFLOW_VALUE", what + " must be an integer 0.." + std::to_string(max));
  return static_cast<uint32_t>(v);
}

// A field value as bytes of the field's width: MAC, IPv4, IPv6 or a number.
void field_value(rs::FlowField f, uint8_t len, const std::string& text, const std::string& what, uint8_t* out) {
  auto bad = [&](const char* expect) {
    return rs::Error("EFLOW_VALUE", what + " '" + text + "' is not " + expect);
  };
  if (len == 6) {
    rs::MacAddr m;
    if (!rs::parse_mac(text, &m)) throw bad("a MAC address (XX:XX:XX:XX:XX:XX)");
    std::copy(m.begin(), m.end(), out);
    return;
  }
  if (len == 4) {
    if (inet_pton(AF_INET, text.c_str(), out) != 1) throw bad("an IPv4 address");
    return;
  }
  if (len == 16) {
    if (inet_pton(AF_INET6, text.c_str(), out) != 1) throw bad("an IPv6 address");
    return;
  }
  // 1- to 3-byte number, decimal or 0x hex.
  std::size_t used = 0;
  unsigned long v = 0;
  bool ok = !text.empty() && text[0] != '-' && text[0] != '+';
  try {
    if (ok) v = std::stoul(text, &used, 0);
  } catch (...) {
    ok = false;
  }
  unsigned long max = len == 1 ? 0xff : len == 3 ? 0xffffff : (f == rs::FlowField::VlanVid ? 0xfff : 0xffff);
  if (!ok || used != text.size() || v > max)
    throw rs::Error("EFLOW_VALUE", what + " '" + text + "' is not a number 0.." + std::to_string(max));
  for (uint8_t i = 0; i < len; i++) out[i] = static_cast<uint8_t>(v >> (8 * (len - 1 - i)));  // network order
}

rs::FlowRule rule_from_js(Napi::Env env, const Napi::Value& val) {
  if (!val.IsObject()) throw rs::Error("EINVAL_ARG", "the flow rule must be an object");
  Napi::Object o = val.As<Napi::Object>();
  rs::FlowRule r;
  r.group = to_u32(get_num(o, "group", 0), "group", 0xffffffffu);
  r.priority = to_u32(get_num(o, "priority", 0), "priority", 0xffffffffu);
  r.ingress = o.Has("ingress") && o.Get("ingress").ToBoolean().Value();
  r.egress = o.Has("egress") && o.Get("egress").ToBoolean().Value();
  r.text = get_str(o, "text");
  Napi::Array items = get_arr(env, o, "pattern");
  for (uint32_t i = 0; i < items.Length(); i++) {
    Napi::Object it = items.Get(i).As<Napi::Object>();
    std::string type = get_str(it, "type");
    rs::FlowItem item;
    if (!rs::flow_item_from_name(type, &item.type))
      throw rs::Error("EFLOW_PATTERN", "unknown pattern item '" + type + "': valid items are " + rs::flow_item_names());
    Napi::Array fields = get_arr(env, it, "fields");
    for (uint32_t k = 0; k < fields.Length(); k++) {
      Napi::Object fo = fields.Get(k).As<Napi::Object>();
      std::string name = get_str(fo, "name");
      rs::FlowFieldMatch m;
      if (!rs::flow_field_from_name(item.type, name, &m.field, &m.len))
        throw rs::Error("EFLOW_FIELD", "item '" + type + "' has no field '" + name + "': its fields are " +
                                           rs::flow_fields_of(item.type));
      std::string what = type + " " + name;
      field_value(m.field, m.len, get_str(fo, "spec"), what, m.spec);
      std::string mask = get_str(fo, "mask");
      if (mask.empty()) std::fill(m.mask, m.mask + m.len, 0xff);
      else field_value(m.field, m.len, mask, what + " mask", m.mask);
      std::string last = get_str(fo, "last");
      m.range = !last.empty();
      if (m.range) field_value(m.field, m.len, last, what + " last", m.last);
      item.fields.push_back(m);
    }
    r.pattern.push_back(std::move(item));
  }
  Napi::Array acts = get_arr(env, o, "actions");
  for (uint32_t i = 0; i < acts.Length(); i++) {
    Napi::Object ao = acts.Get(i).As<Napi::Object>();
    std::string type = get_str(ao, "type");
    rs::FlowAction a;
    if (!rs::flow_action_from_name(type, &a.type))
      throw rs::Error("EFLOW_ACTION", "unknown action '" + type + "': valid actions are " + rs::flow_action_names());
    a.value = to_u32(get_num(ao, "value", 0), type == "mark" ? "mark id" : type == "jump" ? "jump group" : "queue index", 0xffffffffu);
    Napi::Array qs = get_arr(env, ao, "queues");
    for (uint32_t k = 0; k < qs.Length(); k++)
      a.queues.push_back(static_cast<uint16_t>(to_u32(qs.Get(k).As<Napi::Number>().DoubleValue(), "rss queue", 0xffff)));
    r.actions.push_back(std::move(a));
  }
  return r;
}

Napi::Value FlowValidate(const Napi::CallbackInfo& info) {
  uint16_t port = arg_port(info);
  guarded(info.Env(), [&] {
    rs::FlowRule r = rule_from_js(info.Env(), info[1]);
    config_port(info, engine_of(info), port).classifier().validate(r);
  });
  return info.Env().Undefined();
}

Napi::Value FlowCreate(const Napi::CallbackInfo& info) {
  uint16_t port = arg_port(info);
  return num(info.Env(), guarded(info.Env(), [&] {
    rs::FlowRule r = rule_from_js(info.Env(), info[1]);
    return config_port(info, engine_of(info), port).classifier().create(r);
  }));
}

Napi::Value FlowDestroy(const Napi::CallbackInfo& info) {
  uint16_t port = arg_port(info);
  uint32_t id = arg_u32(info, 1, "rule id");
  guarded(info.Env(), [&] { config_port(info, engine_of(info), port).classifier().destroy(id); });
  return info.Env().Undefined();
}

Napi::Value FlowFlush(const Napi::CallbackInfo& info) {
  uint16_t port = arg_port(info);
  guarded(info.Env(), [&] { config_port(info, engine_of(info), port).classifier().flush(); });
  return info.Env().Undefined();
}

// (port, on): flow isolate.
Napi::Value FlowIsolate(const Napi::CallbackInfo& info) {
  uint16_t port = arg_port(info);
  bool on = arg_bool(info, 1, "isolate");
  guarded(info.Env(), [&] { config_port(info, engine_of(info), port).classifier().set_isolated(on); });
  return info.Env().Undefined();
}

Napi::Value FlowList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info);
  auto list = guarded(env, [&] { return engine_of(info).port(port).classifier().list(); });
  Napi::Array a = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", num(env, list[i].id));
    o.Set("group", num(env, list[i].group));
    o.Set("priority", num(env, list[i].priority));
    o.Set("ingress", Napi::Boolean::New(env, list[i].ingress));
    o.Set("pattern", list[i].pattern);
    o.Set("actions", list[i].actions);
    o.Set("text", list[i].text);
    a.Set(i, o);
  }
  return a;
}

Napi::Value FlowQuery(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info);
  uint32_t id = arg_u32(info, 1, "rule id");
  rs::FlowCount c = guarded(env, [&] { return engine_of(info).port(port).classifier().query(id); });
  Napi::Object o = Napi::Object::New(env);
  o.Set("hitsSet", Napi::Boolean::New(env, true));
  o.Set("bytesSet", Napi::Boolean::New(env, true));
  o.Set("hits", num(env, static_cast<double>(c.hits)));
  o.Set("bytes", num(env, static_cast<double>(c.bytes)));
  return o;
}

Napi::Value PortRss(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info);
  return guarded(env, [&] {
    rs::Port& p = engine_of(info).port(port);
    const rs::Classifier& c = p.classifier();
    rs::ClassifierStats s = c.stats();
    rs::PortStats ps = p.stats();
    Napi::Object o = Napi::Object::New(env);
    o.Set("port", num(env, port));
    o.Set("types", rs::rss_types_to_string(c.rss().types));
    o.Set("enabled", Napi::Boolean::New(env, s.enabled));
    o.Set("nbRxQueues", num(env, p.nb_rx_queues()));
    o.Set("driverQueues", num(env, p.hw_rx_queues()));
    o.Set("maxDriverQueues", num(env, p.max_rx_queues()));
    static const char* hex = "0123456789abcdef";
    std::string key;
    for (uint8_t b : c.rss().key) { key += hex[b >> 4]; key += hex[b & 15]; }
    o.Set("key", key);
    Napi::Array reta = Napi::Array::New(env, rs::kRetaSize);
    for (uint16_t i = 0; i < rs::kRetaSize; i++) reta.Set(i, num(env, c.rss().reta[i]));
    o.Set("reta", reta);
    o.Set("rules", num(env, static_cast<double>(c.rule_count())));
    o.Set("droppedByRules", num(env, static_cast<double>(s.dropped)));
    o.Set("toKernel", num(env, static_cast<double>(s.to_kernel)));
    o.Set("kernelDropped", num(env, static_cast<double>(s.kernel_dropped)));
    o.Set("rssHashed", num(env, static_cast<double>(s.rss_hashed)));
    o.Set("rxMissed", num(env, static_cast<double>(ps.rx_missed)));
    Napi::Array qs = Napi::Array::New(env, p.nb_rx_queues());
    for (uint16_t q = 0; q < p.nb_rx_queues(); q++) {
      Napi::Object qo = Napi::Object::New(env);
      qo.Set("queue", num(env, q));
      qo.Set("driver", Napi::Boolean::New(env, q < p.hw_rx_queues()));
      qo.Set("packets", num(env, q < ps.rxq_packets.size() ? static_cast<double>(ps.rxq_packets[q]) : 0));
      qo.Set("steeredIn", num(env, q < s.steered_in.size() ? static_cast<double>(s.steered_in[q]) : 0));
      qo.Set("waiting", num(env, q < s.ring_count.size() ? s.ring_count[q] : 0));
      qs.Set(q, qo);
    }
    o.Set("queues", qs);
    return o;
  });
}

Napi::Value PortSetRss(const Napi::CallbackInfo& info) {
  uint16_t port = arg_port(info);
  std::string name = arg_str(info, 1, "rss types");
  guarded(info.Env(), [&] {
    uint32_t types = 0;
    if (!rs::rss_types_from_name(name, &types))
      throw rs::Error("EINVAL_RSS", "unknown RSS types '" + name + "': valid are all, ip, udp, tcp, none, ipv4, ipv6, ipv4-tcp, ipv4-udp, ipv6-tcp, ipv6-udp");
    config_port(info, engine_of(info), port).classifier().set_rss_types(types);
  });
  return info.Env().Undefined();
}

// entries: [[index, queue], ...]
Napi::Value PortSetReta(const Napi::CallbackInfo& info) {
  uint16_t port = arg_port(info);
  if (info.Length() < 2 || !info[1].IsArray()) throw_ringside(info.Env(), "EINVAL_ARG", "reta entries must be an array");
  Napi::Array a = info[1].As<Napi::Array>();
  std::vector<std::pair<uint16_t, uint16_t>> entries;
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value v = a.Get(i);
    if (!v.IsArray() || v.As<Napi::Array>().Length() != 2)
      throw_ringside(info.Env(), "EINVAL_ARG", "each reta entry must be [index, queue]");
    Napi::Array pr = v.As<Napi::Array>();
    uint32_t idx = pr.Get(0u).ToNumber().Uint32Value(), q = pr.Get(1u).ToNumber().Uint32Value();
    entries.push_back({static_cast<uint16_t>(std::min<uint32_t>(idx, 0xffff)), static_cast<uint16_t>(std::min<uint32_t>(q, 0xffff))});
  }
  guarded(info.Env(), [&] { config_port(info, engine_of(info), port).classifier().set_reta(entries); });
  return info.Env().Undefined();
}

Napi::Value PortSetRssKey(const Napi::CallbackInfo& info) {
  uint16_t port = arg_port(info);
  std::string hex = arg_str(info, 1, "rss key");
  guarded(info.Env(), [&] {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (hex.size() != 2 * rs::kRssKeyLen)
      throw rs::Error("EINVAL_RSS", "an RSS key is " + std::to_string(rs::kRssKeyLen) + " bytes: give " +
                                        std::to_string(2 * rs::kRssKeyLen) + " hex digits, not " + std::to_string(hex.size()));
    uint8_t key[rs::kRssKeyLen];
    for (size_t i = 0; i < rs::kRssKeyLen; i++) {
      int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) throw rs::Error("EINVAL_RSS", "the RSS key must be hex digits only");
      key[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    config_port(info, engine_of(info), port).classifier().set_rss_key(key);
  });
  return info.Env().Undefined();
}

}  // namespace

extern const MethodTable flow_methods;
const MethodTable flow_methods = {
    {"flowValidate", FlowValidate}, {"flowCreate", FlowCreate}, {"flowDestroy", FlowDestroy},
    {"flowFlush", FlowFlush},       {"flowList", FlowList},     {"flowQuery", FlowQuery},
    {"flowIsolate", FlowIsolate},
    {"portRss", PortRss},           {"portSetRss", PortSetRss}, {"portSetReta", PortSetReta},
    {"portSetRssKey", PortSetRssKey},
};

}  // namespace rsb
