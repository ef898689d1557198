// Capture, replay and pcap file tools as Engine methods (see binding.h).
#include <cmath>
#include "binding.h"
#include "capture/capture.h"
#include "capture/filter.h"
#include "capture/pcap_tools.h"
#include "replay/replay.h"

namespace rsb {
namespace {

// Counters as JS numbers (exact up to 2^53).
void set_numbers(Napi::Env env, Napi::Object& o, std::initializer_list<std::pair<const char*, uint64_t>> kv) {
  for (const auto& [k, v] : kv) o.Set(k, num(env, static_cast<double>(v)));
}

std::string opt_str(Napi::Env env, const Napi::Object& o, const char* key, const std::string& def = "") {
  if (!o.Has(key) || o.Get(key).IsUndefined() || o.Get(key).IsNull()) return def;
  if (!o.Get(key).IsString()) throw_ringside(env, "EINVAL_ARG", std::string(key) + " must be a string");
  return o.Get(key).As<Napi::String>().Utf8Value();
}
double opt_num(Napi::Env env, const Napi::Object& o, const char* key, double def) {
  if (!o.Has(key) || o.Get(key).IsUndefined() || o.Get(key).IsNull()) return def;
  if (!o.Get(key).IsNumber()) throw_ringside(env, "EINVAL_ARG", std::string(key) + " must be a number");
  double v = o.Get(key).As<Napi::Number>().DoubleValue();
  if (!(v >= 0) || !std::isfinite(v)) throw_ringside(env, "EINVAL_ARG", std::string(key) + " must be a non-negative number");
  return v;
}
Napi::Object options(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsObject()) throw_ringside(info.Env(), "EINVAL_ARG", "options must be an object");
  return info[i].As<Napi::Object>();
}

Napi::Object capture_object(Napi::Env env, const rs::CaptureStatus& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("port", num(env, s.port));
  o.Set("portName", s.port_name);
  o.Set("file", s.path);
  o.Set("format", s.format);
  o.Set("direction", s.rx && s.tx ? "both" : s.rx ? "rx" : "tx");
  o.Set("filter", s.filter);
  o.Set("state", s.state);
  o.Set("snaplen", num(env, s.snaplen));
  set_numbers(env, o, {{"countLimit", s.count_limit}, {"seen", s.seen}, {"matched", s.matched},
                       {"captured", s.captured}, {"dropped", s.dropped}, {"fileBytes", s.file_bytes},
                       {"ringBytes", s.ring_bytes}, {"rings", s.rings}, {"startMs", s.start_ns / 1000000},
                       {"durationNs", s.duration_ns}});
  o.Set("error", s.error);
  return o;
}

Napi::Array capture_array(Napi::Env env, const std::vector<rs::CaptureStatus>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(i, capture_object(env, v[i]));
  return a;
}

Napi::Object replay_object(Napi::Env env, const rs::ReplayStatus& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("state", s.state);
  o.Set("file", s.path);
  o.Set("speed", s.speed);
  o.Set("error", s.error);
  o.Set("fileStops", s.file_stops);
  o.Set("port", num(env, s.port));
  o.Set("queue", num(env, s.queue));
  o.Set("cpu", num(env, s.cpu));
  o.Set("loops", num(env, s.loops));
  o.Set("loop", num(env, s.loop));
  set_numbers(env, o, {{"filePackets", s.file_packets}, {"fileBytes", s.file_bytes},
                       {"fileDurationNs", s.file_duration_ns}, {"sent", s.sent}, {"bytes", s.bytes},
                       {"skipped", s.skipped}, {"retries", s.retries}, {"elapsedNs", s.elapsed_ns},
                       {"timingSamples", s.timing_samples}, {"timingP50Ns", s.timing_p50_ns},
                       {"timingP99Ns", s.timing_p99_ns}, {"timingMaxNs", s.timing_max_ns}});
  o.Set("pps", num(env, s.pps));
  o.Set("mbps", num(env, s.mbps));
  o.Set("timingMeanNs", num(env, s.timing_mean_ns));
  return o;
}

Napi::Value CaptureStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info, 0);
  Napi::Object o = options(info, 1);
  rs::CaptureOptions c;
  std::string dir = opt_str(env, o, "direction", "both");
  if (dir != "rx" && dir != "tx" && dir != "both")
    throw_ringside(env, "EINVAL_ARG", "capture direction must be rx, tx or both, not '" + dir + "'");
  c.rx = dir != "tx";
  c.tx = dir != "rx";
  c.path = opt_str(env, o, "file");
  std::string fmt = opt_str(env, o, "format", "pcap");
  if (fmt != "pcap" && fmt != "pcapng")
    throw_ringside(env, "EINVAL_ARG", "capture format must be pcap or pcapng, not '" + fmt + "'");
  c.pcapng = fmt == "pcapng";
  c.snaplen = static_cast<uint32_t>(std::min(opt_num(env, o, "snaplen", 0), 4294967295.0));
  c.count = static_cast<uint64_t>(opt_num(env, o, "count", 0));
  c.filter = opt_str(env, o, "filter");
  c.ring_bytes = static_cast<uint64_t>(opt_num(env, o, "ringBytes", 0));
  return guarded(env, [&] {
    rs::Engine& e = engine_of(info);
    return capture_object(env, e.captures().start(e.port(port), c));
  });
}

Napi::Value CaptureStop(const Napi::CallbackInfo& info) {
  int port = -1;
  if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) port = arg_port(info, 0);
  return guarded(info.Env(), [&] { return capture_array(info.Env(), engine_of(info).captures().stop(port)); });
}

Napi::Value Captures(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return capture_array(info.Env(), engine_of(info).captures().list()); });
}

Napi::Value ReplayStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info, 0);
  Napi::Object o = options(info, 1);
  rs::ReplayOptions r;
  r.path = opt_str(env, o, "file");
  std::string sp = opt_str(env, o, "speed", "original");
  if (sp == "original") r.speed = rs::ReplaySpeed::Original;
  else if (sp == "topspeed") r.speed = rs::ReplaySpeed::Topspeed;
  else if (sp == "multiplier") r.speed = rs::ReplaySpeed::Multiplier;
  else if (sp == "pps") r.speed = rs::ReplaySpeed::Pps;
  else if (sp == "mbps") r.speed = rs::ReplaySpeed::Mbps;
  else throw_ringside(env, "EINVAL_ARG", "replay speed must be original, topspeed, xMULT, pps N or mbps N");
  r.value = opt_num(env, o, "value", 1);
  r.loops = static_cast<uint32_t>(std::min(opt_num(env, o, "loops", 1), 4294967295.0));
  return guarded(env, [&] {
    rs::Engine& e = engine_of(info);
    return replay_object(env, e.replays().start(e, port, r));
  });
}

Napi::Value ReplayStop(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return replay_object(info.Env(), engine_of(info).replays().stop()); });
}

Napi::Value ReplayStatus(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return replay_object(info.Env(), engine_of(info).replays().status()); });
}

Napi::Value PcapInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = arg_str(info, 0, "file");
  return guarded(env, [&] {
    rs::PcapInfo i = rs::pcap_info(path);
    Napi::Object o = Napi::Object::New(env);
    o.Set("file", i.path);
    o.Set("format", i.format);
    o.Set("byteOrder", i.byte_order);
    o.Set("tsResolution", i.ts_resolution);
    o.Set("version", i.version);
    o.Set("linktype", num(env, i.linktype));
    o.Set("linktypeName", i.linktype_name);
    o.Set("snaplen", num(env, i.snaplen));
    o.Set("interfaces", num(env, i.interfaces));
    o.Set("interfaceNames", string_array(env, i.interface_names));
    o.Set("sections", num(env, i.sections));
    o.Set("packets", num(env, static_cast<double>(i.packets)));
    o.Set("dataBytes", num(env, static_cast<double>(i.data_bytes)));
    o.Set("origBytes", num(env, static_cast<double>(i.orig_bytes)));
    o.Set("fileBytes", num(env, static_cast<double>(i.file_bytes)));
    o.Set("firstSec", num(env, static_cast<double>(i.first_ns / 1000000000ull)));
    o.Set("firstNsec", num(env, static_cast<double>(i.first_ns % 1000000000ull)));
    o.Set("lastSec", num(env, static_cast<double>(i.last_ns / 1000000000ull)));
    o.Set("lastNsec", num(env, static_cast<double>(i.last_ns % 1000000000ull)));
    o.Set("durationNs", num(env, static_cast<double>(i.last_ns - i.first_ns)));
    o.Set("minCaplen", num(env, i.min_caplen));
    o.Set("maxCaplen", num(env, i.max_caplen));
    o.Set("cutPackets", num(env, static_cast<double>(i.cut_packets)));
    o.Set("stopped", i.stopped);
    return o;
  });
}

Napi::Value PcapShow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = arg_str(info, 0, "file");
  uint32_t count = info.Length() > 1 && !info[1].IsUndefined() ? arg_u32(info, 1, "count") : 0;
  std::string expr = info.Length() > 2 && !info[2].IsUndefined() ? arg_str(info, 2, "filter") : "";
  return guarded(env, [&] {
    rs::PcapShow s = rs::pcap_show(path, count, expr);
    Napi::Object o = Napi::Object::New(env);
    o.Set("file", path);
    o.Set("nanosecond", Napi::Boolean::New(env, s.nanosecond));
    Napi::Array a = Napi::Array::New(env, s.lines.size());
    for (size_t i = 0; i < s.lines.size(); i++) {
      const rs::PcapShowLine& l = s.lines[i];
      Napi::Object p = Napi::Object::New(env);
      p.Set("index", num(env, static_cast<double>(l.index)));
      p.Set("sec", num(env, static_cast<double>(l.ts_ns / 1000000000ull)));
      p.Set("nsec", num(env, static_cast<double>(l.ts_ns % 1000000000ull)));
      if (l.ts_overflow) p.Set("tsOverflow", Napi::Boolean::New(env, true));
      p.Set("caplen", num(env, l.caplen));
      p.Set("origlen", num(env, l.origlen));
      p.Set("iface", num(env, l.iface));
      p.Set("direction", l.direction == rs::kDirInbound ? "in" : l.direction == rs::kDirOutbound ? "out" : "");
      p.Set("summary", l.summary);
      a.Set(i, p);
    }
    o.Set("packets", a);
    o.Set("stopped", s.stopped);
    return o;
  });
}

Napi::Value FilterCheck(const Napi::CallbackInfo& info) {
  std::string expr = arg_str(info, 0, "filter");
  guarded(info.Env(), [&] { rs::Filter::compile(expr); });
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace

extern const MethodTable capture_methods;
const MethodTable capture_methods = {
    {"captureStart", CaptureStart}, {"captureStop", CaptureStop},   {"captures", Captures},
    {"replayStart", ReplayStart},   {"replayStop", ReplayStop},     {"replayStatus", ReplayStatus},
    {"pcapInfo", PcapInfo},         {"pcapShow", PcapShow},         {"filterCheck", FilterCheck},
};

}  // namespace rsb
