// Diagnostics as Engine methods (see binding.h): queue info and descriptor
// dumps, the mempool report, poll-thread load, ring occupancy for the
// monitor, and the test-only leak hook. Reading only: safe while forwarding.
#include "binding.h"

namespace rsb {
namespace {

rs::Dir arg_dir(const Napi::CallbackInfo& info, size_t i) {
  std::string d = arg_str(info, i, "queue direction");
  if (d == "rx") return rs::Dir::Rx;
  if (d == "tx") return rs::Dir::Tx;
  throw_ringside(info.Env(), "EINVAL_ARG", "queue direction must be 'rx' or 'tx', not '" + d + "'");
}

uint16_t arg_queue(const Napi::CallbackInfo& info, size_t i) {
  uint32_t q = arg_u32(info, i, "queue id");
  if (q >= rs::Port::kMaxQueues)
    throw_ringside(info.Env(), "EQUEUE_RANGE", "queue " + std::to_string(q) + " is out of range: queues are 0.." +
                                                   std::to_string(rs::Port::kMaxQueues - 1));
  return static_cast<uint16_t>(q);
}

Napi::Object ring_state(Napi::Env env, const rs::RingState& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", s.name);
  o.Set("size", num(env, s.size));
  o.Set("producer", num(env, s.producer));
  o.Set("consumer", num(env, s.consumer));
  o.Set("occupancy", num(env, s.occupancy));
  o.Set("tracksHighWater", Napi::Boolean::New(env, s.tracks_high_water));
  o.Set("highWater", num(env, s.high_water));
  return o;
}

Napi::Value PortQueueInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info);
  rs::Dir dir = arg_dir(info, 1);
  uint16_t q = arg_queue(info, 2);
  return guarded(env, [&] {
    rs::QueueInfo qi = engine_of(info).port(port).queue_info(dir, q);
    Napi::Object o = Napi::Object::New(env);
    o.Set("port", num(env, port));
    o.Set("dir", rs::dir_name(dir));
    o.Set("queue", num(env, q));
    o.Set("kind", qi.kind);
    Napi::Array rings = Napi::Array::New(env, qi.rings.size());
    for (uint32_t i = 0; i < qi.rings.size(); i++) rings.Set(i, ring_state(env, qi.rings[i]));
    o.Set("rings", rings);
    o.Set("packets", num(env, static_cast<double>(qi.packets)));
    o.Set("bytes", num(env, static_cast<double>(qi.bytes)));
    o.Set("errors", num(env, static_cast<double>(qi.errors)));
    o.Set("emptyPolls", num(env, static_cast<double>(qi.empty_polls)));
    o.Set("full", num(env, static_cast<double>(qi.full)));
    return o;
  });
}

Napi::Value PortQueueRing(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port = arg_port(info);
  rs::Dir dir = arg_dir(info, 1);
  uint16_t q = arg_queue(info, 2);
  uint32_t count = arg_u32(info, 3, "descriptor count");
  return guarded(env, [&] {
    std::vector<rs::Descriptor> ds = engine_of(info).port(port).queue_ring(dir, q, count);
    Napi::Array a = Napi::Array::New(env, ds.size());
    for (uint32_t i = 0; i < ds.size(); i++) {
      Napi::Object d = Napi::Object::New(env);
      d.Set("ring", ds[i].ring);
      d.Set("index", num(env, ds[i].index));
      Napi::Object f = Napi::Object::New(env);
      for (const auto& [k, v] : ds[i].fields) f.Set(k, v);
      d.Set("fields", f);
      a.Set(i, d);
    }
    return a;
  });
}

Napi::Value Mempool(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    rs::MempoolReport r = engine_of(info).mempool_report();
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", r.pool.name);
    o.Set("size", num(env, r.pool.size));
    o.Set("available", num(env, r.pool.available));
    o.Set("inUse", num(env, r.pool.in_use));
    o.Set("allocFailures", num(env, static_cast<double>(r.pool.alloc_failures)));
    Napi::Array caches = Napi::Array::New(env, r.caches.size());
    for (uint32_t i = 0; i < r.caches.size(); i++) {
      Napi::Object c = Napi::Object::New(env);
      c.Set("lcore", num(env, r.caches[i].first));
      c.Set("mbufs", num(env, r.caches[i].second));
      caches.Set(i, c);
    }
    o.Set("caches", caches);
    o.Set("holdersKnown", Napi::Boolean::New(env, r.holders_known));
    Napi::Array holders = Napi::Array::New(env, r.holders.size());
    for (uint32_t i = 0; i < r.holders.size(); i++) {
      Napi::Object h = Napi::Object::New(env);
      h.Set("name", r.holders[i].name);
      h.Set("mbufs", num(env, r.holders[i].mbufs));
      h.Set("inRing", Napi::Boolean::New(env, r.holders[i].in_ring));
      holders.Set(i, h);
    }
    o.Set("holders", holders);
    return o;
  });
}

Napi::Value LcoreLoads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    std::vector<rs::LcoreLoad> ls = engine_of(info).lcore_loads();
    Napi::Array a = Napi::Array::New(env, ls.size());
    for (uint32_t i = 0; i < ls.size(); i++) {
      const rs::LcoreLoad& l = ls[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("lcore", num(env, l.lcore));
      o.Set("cpu", num(env, l.cpu));
      Napi::Array st = Napi::Array::New(env, l.streams.size());
      for (uint32_t k = 0; k < l.streams.size(); k++) st.Set(k, num(env, l.streams[k]));
      o.Set("streams", st);
      o.Set("busyCycles", num(env, static_cast<double>(l.busy_cycles)));
      o.Set("idleCycles", num(env, static_cast<double>(l.idle_cycles)));
      o.Set("busyPolls", num(env, static_cast<double>(l.busy_polls)));
      o.Set("idlePolls", num(env, static_cast<double>(l.idle_polls)));
      o.Set("seconds", num(env, l.seconds));
      a.Set(i, o);
    }
    return a;
  });
}

// The monitor's occupancy rows: every ring of every configured queue.
Napi::Value RingOccupancy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    rs::Engine& e = engine_of(info);
    Napi::Array a = Napi::Array::New(env);
    uint32_t n = 0;
    for (uint16_t id : e.port_ids()) {
      const rs::Port& p = e.port(id);
      for (rs::Dir d : {rs::Dir::Rx, rs::Dir::Tx}) {
        uint16_t nb = d == rs::Dir::Rx ? p.nb_rx_queues() : p.nb_tx_queues();
        for (uint16_t q = 0; q < nb; q++) {
          for (const rs::RingState& s : p.queue_info(d, q).rings) {
            Napi::Object o = Napi::Object::New(env);
            o.Set("name", "p" + std::to_string(id) + " " + rs::dir_name(d) + "q" + std::to_string(q) + " " + s.name);
            o.Set("used", num(env, s.occupancy));
            o.Set("size", num(env, s.size));
            a.Set(n++, o);
          }
        }
      }
    }
    return a;
  });
}

Napi::Value TestOnlyLeakMbufs(const Napi::CallbackInfo& info) {
  uint32_t n = arg_u32(info, 0, "mbuf count");
  guarded(info.Env(), [&] { engine_of(info).test_only_leak_mbufs(n); });
  return info.Env().Undefined();
}

}  // namespace

extern const MethodTable diag_methods;
const MethodTable diag_methods = {
    {"portQueueInfo", PortQueueInfo}, {"portQueueRing", PortQueueRing},         {"mempool", Mempool},
    {"lcoreLoads", LcoreLoads},       {"ringOccupancy", RingOccupancy},         {"testOnlyLeakMbufs", TestOnlyLeakMbufs},
};

}  // namespace rsb
