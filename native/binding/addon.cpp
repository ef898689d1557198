// The addon's entry: the Engine class, its lifecycle and the cleanup hook,
// and the module's functions. The binding is a thin N-API layer: it converts
// arguments and results, and turns rs::Error into the JS RingsideError class
// (handed over once by setErrorClass). All behaviour lives in the engine;
// nothing here touches packets.
#include "binding.h"

namespace rsb {
namespace {


class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  // The class carries its lifecycle; every other method comes from a
  // feature's table (ports.cpp, forwarding.cpp, ..., listed in features.cpp).
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Engine", {
      InstanceMethod<&EngineWrap::Forwarding>("forwarding"),
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

  rs::Engine& engine(const Napi::CallbackInfo& info) {
    if (!engine_) throw_ringside(info.Env(), "ESHUTDOWN", "the engine was shut down: create a new session");
    return *engine_;
  }

 private:
  void release() {
    if (!engine_) return;
    data(Env()).engines.erase(engine_.get());
    engine_.reset();  // ~Engine shuts down: poll threads, then ports, then the pool
  }

  Napi::Value Forwarding(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), engine_ && engine_->forwarding()); }
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