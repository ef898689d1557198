// IF proxy and KNI methods of Engine, and the event delivery to JS: events
// are queued in the engine (netlink/events.h) and handed to one JS callback
// through a thread-safe function; the netlink listener thread only pokes it
// (once per batch: further pokes are coalesced until the callback drained).
#include <mutex>
#include "binding.h"
#include "kni/kni.h"
#include "netlink/ifproxy.h"

namespace rsb {
namespace {

Napi::Object event_object(Napi::Env env, const rs::Event& e) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("seq", num(env, static_cast<double>(e.seq)));
  o.Set("timeUs", num(env, static_cast<double>(e.time_us)));
  o.Set("name", e.name);
  o.Set("proxy", e.proxy);
  o.Set("ifIndex", num(env, e.if_index));
  Napi::Array ports = Napi::Array::New(env, e.ports.size());
  for (size_t i = 0; i < e.ports.size(); i++) ports.Set(i, num(env, e.ports[i]));
  o.Set("ports", ports);
  Napi::Object values = Napi::Object::New(env);
  for (const auto& [k, v] : e.values) values.Set(k, v);
  o.Set("values", values);
  return o;
}

Napi::Array event_array(Napi::Env env, const std::vector<rs::Event>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(i, event_object(env, v[i]));
  return a;
}

// The JS side of one engine's event queue. Lives as long as the TSFN (its
// finalizer holds a reference); `queue` is cleared when the engine lets go.
struct JsSink {
  Napi::ThreadSafeFunction tsfn;
  napi_env env = nullptr;
  std::mutex mu;
  bool live = true;            // TSFN usable (not released, env not tearing down)
  bool hook = false;           // our env cleanup hook is registered
  rs::EventQueue* queue = nullptr;  // JS thread only
  std::atomic<bool> pending{false};

  // Any thread: ask for one callback (coalesced).
  void poke() {
    if (pending.exchange(true)) return;
    std::lock_guard<std::mutex> g(mu);
    if (live)
      tsfn.NonBlockingCall([this](Napi::Env, Napi::Function fn) {
        pending = false;  // before the drain: a push from now on pokes again
        fn.Call({});
      });
  }
  // JS thread: the engine is done with us.
  void close() {
    queue = nullptr;
    std::lock_guard<std::mutex> g(mu);
    if (hook) {
      napi_remove_env_cleanup_hook(env, on_env_cleanup, this);
      hook = false;
    }
    if (live) {
      live = false;
      tsfn.Release();
    }
  }
  // Registered after the TSFN was created, so it runs before the TSFN's own
  // clean-up: from here on nobody calls it.
  static void on_env_cleanup(void* arg) {
    auto* s = static_cast<JsSink*>(arg);
    std::lock_guard<std::mutex> g(s->mu);
    s->live = false;
    s->hook = false;
  }
};

// Owned by the queue's notify function: when the queue goes (engine shut
// down) or another subscriber replaces it, the sink is closed.
struct SinkCloser {
  std::shared_ptr<JsSink> sink;
  ~SinkCloser() { sink->close(); }
};

void OnEvents(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::Engine& e = engine_of(info);
  rs::EventQueue& events = guarded(env, [&]() -> rs::EventQueue& { return e.events(); });
  if (info.Length() < 1 || info[0].IsNull() || info[0].IsUndefined()) {
    events.set_notify(nullptr);
    return;
  }
  if (!info[0].IsFunction()) throw_ringside(env, "EINVAL_ARG", "onEvents needs a function (or null)");
  auto sink = std::make_shared<JsSink>();
  sink->env = env;
  auto* ctx = new std::shared_ptr<JsSink>(sink);
  sink->tsfn = Napi::ThreadSafeFunction::New(
      env, info[0].As<Napi::Function>(), "ringside-events", 0, 1, ctx,
      [](Napi::Env, std::shared_ptr<JsSink>* c) { delete c; });
  sink->tsfn.Unref(env);  // events never keep the process alive
  napi_add_env_cleanup_hook(env, JsSink::on_env_cleanup, sink.get());
  sink->hook = true;
  sink->queue = &events;
  std::shared_ptr<SinkCloser> closer(new SinkCloser{sink});  // no temporary: its destructor closes
  // The JS function is called with no arguments; it calls drainEvents().
  events.set_notify([closer]() { closer->sink->poke(); });
}

Napi::Value DrainEvents(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  uint32_t max = info.Length() > 0 && info[0].IsNumber() ? arg_u32(info, 0, "max") : 0xffffffffu;
  // Allow the next poke before draining, so nothing pushed meanwhile is missed.
  std::vector<rs::Event> v = guarded(info.Env(), [&] { return e.events().drain(max); });
  return event_array(info.Env(), v);
}

Napi::Value Events(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  size_t last = info.Length() > 0 && info[0].IsNumber() ? arg_u32(info, 0, "last") : ~size_t(0);
  double after = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0;
  auto v = guarded(info.Env(), [&] { return e.events().history(last, static_cast<uint64_t>(after)); });
  return event_array(info.Env(), v);
}

Napi::Value EventCounters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::Engine& e = engine_of(info);
  auto c = guarded(env, [&] { return e.events().counters(); });
  Napi::Object o = Napi::Object::New(env);
  for (const auto& [k, v] : c) o.Set(k, num(env, static_cast<double>(v)));
  return o;
}

void ClearEventCounters(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  guarded(info.Env(), [&] { e.events().clear_counters(); });
}

// ------------------------------------------------------------ IF proxy

Napi::Value IfproxyCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::Engine& e = engine_of(info);
  std::string name = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  return num(env, guarded(env, [&] { return e.ifproxy_create(name); }));
}

// (port, interface name or proxy port id)
void IfproxyBind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::Engine& e = engine_of(info);
  uint16_t port = arg_port(info, 0);
  if (info.Length() < 2 || !(info[1].IsString() || info[1].IsNumber()))
    throw_ringside(env, "EINVAL_ARG", "ifproxy bind needs an interface name or a proxy port id");
  if (info[1].IsNumber()) {
    uint16_t proxy_port = arg_port(info, 1);
    guarded(env, [&] { e.ifproxy_bind_port(port, proxy_port); });
  } else {
    std::string ifname = info[1].As<Napi::String>().Utf8Value();
    guarded(env, [&] { e.ifproxy_bind(port, ifname); });
  }
}

void IfproxyUnbind(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  uint16_t port = arg_port(info, 0);
  guarded(info.Env(), [&] { e.ifproxy().unbind(port); });
}

Napi::Value IfproxyList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::Engine& e = engine_of(info);
  auto v = guarded(env, [&] { return e.ifproxy().proxies(); });
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) {
    const rs::ProxyInfo& p = v[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", p.name);
    o.Set("ifIndex", num(env, p.if_index));
    o.Set("proxyPort", num(env, p.proxy_port));
    Napi::Array ports = Napi::Array::New(env, p.ports.size());
    for (size_t j = 0; j < p.ports.size(); j++) ports.Set(j, num(env, p.ports[j]));
    o.Set("ports", ports);
    o.Set("exists", Napi::Boolean::New(env, p.exists));
    o.Set("mac", rs::mac_to_string(p.mac));
    o.Set("mtu", num(env, p.mtu));
    o.Set("up", Napi::Boolean::New(env, p.up));
    o.Set("operstate", p.operstate);
    o.Set("addrs", string_array(env, p.addrs));
    a.Set(i, o);
  }
  return a;
}

void IfproxyListen(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  uint32_t rcvbuf = info.Length() > 0 && info[0].IsNumber() ? arg_u32(info, 0, "rcvbuf") : 0;
  guarded(info.Env(), [&] { e.ifproxy().listen(static_cast<int>(rcvbuf)); });
}

void IfproxyStall(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  uint32_t ms = arg_u32(info, 0, "stall ms");
  guarded(info.Env(), [&] { e.ifproxy().stall(ms); });
}

void IfproxyClose(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  guarded(info.Env(), [&] { e.ifproxy().close_listen(); });
}

Napi::Value IfproxyListener(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::Engine& e = engine_of(info);
  rs::ListenerInfo l = guarded(env, [&] { return e.ifproxy().listener(); });
  Napi::Object o = Napi::Object::New(env);
  o.Set("running", Napi::Boolean::New(env, l.running));
  o.Set("listening", Napi::Boolean::New(env, l.listening));
  o.Set("rcvbuf", num(env, l.rcvbuf));
  o.Set("overflows", num(env, static_cast<double>(l.overflows)));
  o.Set("missed", num(env, static_cast<double>(l.missed)));
  o.Set("recovered", num(env, static_cast<double>(l.recovered)));
  o.Set("messages", num(env, static_cast<double>(l.messages)));
  o.Set("links", num(env, static_cast<double>(l.links)));
  o.Set("addrs", num(env, static_cast<double>(l.addrs)));
  o.Set("routes", num(env, static_cast<double>(l.routes)));
  o.Set("neighs", num(env, static_cast<double>(l.neighs)));
  o.Set("undelivered", num(env, static_cast<double>(e.events().undelivered())));
  return o;
}

// ------------------------------------------------------------------ KNI

Napi::Object kni_object(Napi::Env env, const rs::KniInfo& k) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("port", num(env, k.port));
  o.Set("name", k.name);
  o.Set("ifIndex", num(env, k.if_index));
  o.Set("all", Napi::Boolean::New(env, k.all));
  o.Set("policy", rs::kni_policy_name(k.policy));
  o.Set("delayMs", num(env, k.delay_ms));
  o.Set("mtu", num(env, k.mtu));
  o.Set("up", Napi::Boolean::New(env, k.up));
  o.Set("mac", rs::mac_to_string(k.mac));
  o.Set("pending", num(env, static_cast<double>(k.pending)));
  const rs::KniStats& s = k.stats;
  Napi::Object st = Napi::Object::New(env);
  st.Set("rxPackets", num(env, static_cast<double>(s.rx_packets)));
  st.Set("rxBytes", num(env, static_cast<double>(s.rx_bytes)));
  st.Set("rxDropped", num(env, static_cast<double>(s.rx_dropped)));
  st.Set("txPackets", num(env, static_cast<double>(s.tx_packets)));
  st.Set("txBytes", num(env, static_cast<double>(s.tx_bytes)));
  st.Set("txDropped", num(env, static_cast<double>(s.tx_dropped)));
  st.Set("requestsHandled", num(env, static_cast<double>(s.requests_handled)));
  st.Set("requestsRejected", num(env, static_cast<double>(s.requests_rejected)));
  o.Set("stats", st);
  return o;
}

void KniCreate(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  uint16_t port = arg_port(info, 0);
  std::string name = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  bool all = info.Length() > 2 && info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
  guarded(info.Env(), [&] { e.kni().create(port, name, all); });
}

void KniDestroy(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  uint16_t port = arg_port(info, 0);
  guarded(info.Env(), [&] { e.kni().destroy(port); });
}

Napi::Value KniList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::Engine& e = engine_of(info);
  auto v = guarded(env, [&] { return e.has_kni() ? e.kni().list() : std::vector<rs::KniInfo>{}; });
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(i, kni_object(env, v[i]));
  return a;
}

Napi::Value KniStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::Engine& e = engine_of(info);
  uint16_t port = arg_port(info, 0);
  return guarded(env, [&] { return kni_object(env, e.kni().info(port)); });
}

void KniSetHandler(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rs::Engine& e = engine_of(info);
  uint16_t port = arg_port(info, 0);
  std::string pol = arg_str(info, 1, "policy");
  uint32_t delay = info.Length() > 2 && info[2].IsNumber() ? arg_u32(info, 2, "delay") : 0;
  rs::KniPolicy p;
  if (pol == "accept") p = rs::KniPolicy::Accept;
  else if (pol == "reject") p = rs::KniPolicy::Reject;
  else if (pol == "delay") p = rs::KniPolicy::Delay;
  else throw_ringside(env, "EINVAL_ARG", "KNI handler policy must be accept, reject or delay, not '" + pol + "'");
  guarded(env, [&] { e.kni().set_policy(port, p, delay); });
}

Napi::Value KniProcessRequests(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  return num(info.Env(), guarded(info.Env(), [&] { return e.has_kni() ? e.kni().process_requests() : -1; }));
}

void KniClearStats(const Napi::CallbackInfo& info) {
  rs::Engine& e = engine_of(info);
  uint16_t port = arg_port(info, 0);
  guarded(info.Env(), [&] { e.kni().clear_stats(port); });
}

}  // namespace

extern const MethodTable netevents_methods;
const MethodTable netevents_methods = {
    {"onEvents", no_result<OnEvents>},
    {"drainEvents", DrainEvents},
    {"events", Events},
    {"eventCounters", EventCounters},
    {"clearEventCounters", no_result<ClearEventCounters>},
    {"ifproxyCreate", IfproxyCreate},
    {"ifproxyBind", no_result<IfproxyBind>},
    {"ifproxyUnbind", no_result<IfproxyUnbind>},
    {"ifproxyList", IfproxyList},
    {"ifproxyListen", no_result<IfproxyListen>},
    {"ifproxyClose", no_result<IfproxyClose>},
    {"ifproxyStall", no_result<IfproxyStall>},
    {"ifproxyListener", IfproxyListener},
    {"kniCreate", no_result<KniCreate>},
    {"kniDestroy", no_result<KniDestroy>},
    {"kniList", KniList},
    {"kniStats", KniStats},
    {"kniSetHandler", no_result<KniSetHandler>},
    {"kniProcessRequests", KniProcessRequests},
    {"kniClearStats", no_result<KniClearStats>},
};

}  // namespace rsb
