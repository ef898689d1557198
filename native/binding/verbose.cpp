// `set verbose` as Engine methods (see binding.h): set the taps, drain the
// packets they kept, decoded (native/engine/diag/).
#include "binding.h"
#include "diag/verbose.h"

namespace rsb {
namespace {

Napi::Value VerboseSet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::VerboseOptions o;
  uint32_t level = arg_u32(info, 0, "level");
  if (level > 5) throw_ringside(env, "EINVAL_ARG", "verbose level must be 0..5, not " + std::to_string(level));
  o.level = static_cast<uint8_t>(level);
  // The caller names the ports; every_port: ports attached later get a tap too.
  std::vector<uint32_t> ids = arg_u32_list(info, 1, "ports");
  bool every_port = arg_bool(info, 2, "everyPort");
  if (info.Length() > 3 && !info[3].IsUndefined()) o.filter = arg_str(info, 3, "filter");
  if (info.Length() > 4 && !info[4].IsUndefined()) o.ring_bytes = arg_u32(info, 4, "ringBytes");
  return guarded(env, [&] {
    rs::Engine& e = engine_of(info);
    std::vector<rs::Port*> ports;
    for (uint32_t id : ids) ports.push_back(&e.port(static_cast<uint16_t>(id)));
    e.verbose().set(ports, every_port, o);
    e.release_taps_if_idle();
    Napi::Object r = Napi::Object::New(env);
    r.Set("level", num(env, o.level));
    r.Set("filter", o.filter);
    Napi::Array ids = Napi::Array::New(env, ports.size());
    for (size_t i = 0; i < ports.size(); i++) ids.Set(i, num(env, ports[i]->id()));
    r.Set("ports", ids);
    return r;
  });
}

Napi::Object record_object(Napi::Env env, const rs::VerboseRecord& v, bool hex) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("port", num(env, v.port));
  o.Set("queue", num(env, v.queue));
  o.Set("dir", v.tx ? "tx" : "rx");
  o.Set("sec", num(env, static_cast<double>(v.ts_ns / 1000000000ull)));
  o.Set("nsec", num(env, static_cast<double>(v.ts_ns % 1000000000ull)));
  o.Set("length", num(env, v.length));
  o.Set("caplen", num(env, v.caplen));
  o.Set("src", v.decoded.src_mac);
  o.Set("dst", v.decoded.dst_mac);
  o.Set("etherType", num(env, v.decoded.ethertype));
  o.Set("ptype", v.decoded.ptype);
  o.Set("l2Len", num(env, v.decoded.l2_len));
  o.Set("l3Len", num(env, v.decoded.l3_len));
  o.Set("l4Len", num(env, v.decoded.l4_len));
  o.Set("summary", v.decoded.summary);
  if (hex) o.Set("hex", string_array(env, rs::hex_dump(v.bytes.data(), v.caplen)));
  return o;
}

Napi::Value VerboseDrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t max = info.Length() > 0 && !info[0].IsUndefined() ? arg_u32(info, 0, "max") : 4096;
  return guarded(env, [&] {
    rs::VerboseManager& m = engine_of(info).verbose();
    rs::VerboseDrain d = m.drain(max);
    Napi::Object r = Napi::Object::New(env);
    Napi::Array a = Napi::Array::New(env, d.records.size());
    for (size_t i = 0; i < d.records.size(); i++) a.Set(i, record_object(env, d.records[i], m.level() == 5));
    r.Set("records", a);
    r.Set("suppressed", num(env, static_cast<double>(d.suppressed)));
    return r;
  });
}

}  // namespace

extern const MethodTable verbose_methods;
const MethodTable verbose_methods = {{"verboseSet", VerboseSet}, {"verboseDrain", VerboseDrain}};

}  // namespace rsb
