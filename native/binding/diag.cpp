// Diagnostics as Engine methods (see binding.h): queue info and descriptor
// dumps, the mempool report, poll-thread load, ring occupancy for the
// monitor, and the test-only leak hook. Reading only: safe while forwarding.
#include "binding.h"

namespace rsb {
namespace {

// (port, "rx"|"tx", queue): the first three arguments of the queue methods.
struct QueueArgs {
  uint16_t port;
  rs::Dir dir;
  uint16_t queue;
};
QueueArgs queue_args(const Napi::CallbackInfo& info) {
  QueueArgs a{arg_port(info), rs::Dir::Rx, 0};
  std::string d = arg_str(info, 1, "queue direction");
  if (d != "rx" && d != "tx")
    throw_ringside(info.Env(), "EINVAL_ARG", "queue direction must be 'rx' or 'tx', not '" + d + "'");
  a.dir = d == "rx" ? rs::Dir::Rx : rs::Dir::Tx;
  uint32_t q = arg_u32(info, 2, "queue id");
  if (q >= rs::Port::kMaxQueues)
    throw_ringside(info.Env(), "EQUEUE_RANGE", "queue " + std::to_string(q) + " is out of range: queues are 0.." +
                                                   std::to_string(rs::Port::kMaxQueues - 1));
  a.queue = static_cast<uint16_t>(q);
  return a;
}

// A JS array with one element per item, made by to_js.
template <typename T, typename F>
Napi::Array array_of(Napi::Env env, const std::vector<T>& items, F to_js) {
  Napi::Array a = Napi::Array::New(env, items.size());
  for (uint32_t i = 0; i < items.size(); i++) a.Set(i, to_js(items[i]));
  return a;
}

// Counters and indices as numbers, one call per object: {{"packets", n}, ...}.
void set_counts(Napi::Env env, Napi::Object o, std::initializer_list<std::pair<const char*, uint64_t>> kv) {
  for (const auto& [k, v] : kv) o.Set(k, num(env, static_cast<double>(v)));
}

Napi::Object ring_state(Napi::Env env, const rs::RingState& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", s.name);
  set_counts(env, o, {{"size", s.size}, {"producer", s.producer}, {"consumer", s.consumer}, {"occupancy", s.occupancy}});
  o.Set("tracksHighWater", Napi::Boolean::New(env, s.tracks_high_water));
  o.Set("highWaterSampled", Napi::Boolean::New(env, s.high_water_sampled));
  set_counts(env, o, {{"highWater", s.high_water}});
  return o;
}

Napi::Value PortQueueInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  QueueArgs q = queue_args(info);
  return guarded(env, [&] {
    rs::QueueInfo qi = engine_of(info).port(q.port).queue_info(q.dir, q.queue);
    Napi::Object o = Napi::Object::New(env);
    set_counts(env, o, {{"port", q.port}});
    o.Set("dir", rs::dir_name(q.dir));
    set_counts(env, o, {{"queue", q.queue}});
    o.Set("kind", qi.kind);
    o.Set("rings", array_of(env, qi.rings, [&](const rs::RingState& s) { return ring_state(env, s); }));
    set_counts(env, o, {{"packets", qi.packets}, {"bytes", qi.bytes}, {"errors", qi.errors},
                        {"emptyPolls", qi.empty_polls}, {"full", qi.full},
                        {"nbDesc", engine_of(info).port(q.port).nb_desc(q.dir, q.queue)}});
    const rs::Port& port = engine_of(info).port(q.port);
    o.Set("started", Napi::Boolean::New(env, port.started() && port.queue_started(q.dir, q.queue)));
    o.Set("deferredStart", Napi::Boolean::New(env, port.deferred_start(q.dir, q.queue)));
    return o;
  });
}

Napi::Value PortQueueRing(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  QueueArgs q = queue_args(info);
  uint32_t count = arg_u32(info, 3, "descriptor count");
  return guarded(env, [&] {
    return array_of(env, engine_of(info).port(q.port).queue_ring(q.dir, q.queue, count), [&](const rs::Descriptor& d) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("ring", d.ring);
      o.Set("index", num(env, d.index));
      Napi::Object f = Napi::Object::New(env);
      for (const auto& [k, v] : d.fields) f.Set(k, v);
      o.Set("fields", f);
      return o;
    });
  });
}

Napi::Value Mempool(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    rs::MempoolReport r = engine_of(info).mempool_report();
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", r.pool.name);
    set_counts(env, o, {{"size", r.pool.size}, {"available", r.pool.available}, {"inUse", r.pool.in_use},
                        {"allocFailures", r.pool.alloc_failures}});
    o.Set("caches", array_of(env, r.caches, [&](const std::pair<unsigned, uint32_t>& c) {
      Napi::Object x = Napi::Object::New(env);
      set_counts(env, x, {{"lcore", c.first}, {"mbufs", c.second}});
      return x;
    }));
    o.Set("holdersKnown", Napi::Boolean::New(env, r.holders_known));
    o.Set("holders", array_of(env, r.holders, [&](const rs::MempoolHolder& h) {
      Napi::Object x = Napi::Object::New(env);
      x.Set("name", h.name);
      set_counts(env, x, {{"mbufs", h.mbufs}});
      x.Set("inRing", Napi::Boolean::New(env, h.in_ring));
      return x;
    }));
    return o;
  });
}

Napi::Value LcoreLoads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    return array_of(env, engine_of(info).lcore_loads(), [&](const rs::LcoreLoad& l) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("lcore", num(env, l.lcore));
      o.Set("cpu", num(env, l.cpu));
      o.Set("streams", array_of(env, l.streams, [&](uint16_t si) { return num(env, si); }));
      set_counts(env, o, {{"busyCycles", l.busy_cycles}, {"idleCycles", l.idle_cycles}, {"busyPolls", l.busy_polls},
                          {"idlePolls", l.idle_polls}});
      o.Set("seconds", num(env, l.seconds));
      return o;
    });
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
            // Appended piecewise: GCC 12 gives a false -Wrestrict on a chain of string '+'.
            std::string name = "p";
            name.append(std::to_string(id)).append(" ").append(rs::dir_name(d)).append("q");
            name.append(std::to_string(q)).append(" ").append(s.name);
            o.Set("name", name);
            set_counts(env, o, {{"used", s.occupancy}, {"size", s.size}});
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
