// Engine-side event queue for IF-proxy events and KNI requests/responses.
// Never on the packet path: producers are the netlink listener thread and the
// control thread. A mutex and deques; the notify callback (the addon's
// thread-safe function) is called after the lock is released, so whatever it
// does may call back into the queue.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace rs {

struct Event {
  uint64_t seq = 0;      // 1, 2, ... in order of push
  uint64_t time_us = 0;  // CLOCK_REALTIME, microseconds
  std::string name;      // mtu_change, addr_add, route_add, cfg_finished, overflow, kni_request, ...
  std::string proxy;     // interface name ("" for events of no interface)
  int if_index = 0;
  std::vector<uint16_t> ports;  // ports bound to the proxy (or the KNI's port)
  std::vector<std::pair<std::string, std::string>> values;  // in display order: mtu=1600, addr=10.0.0.1/24, ...

  const std::string* value(const std::string& key) const {
    for (const auto& kv : values)
      if (kv.first == key) return &kv.second;
    return nullptr;
  }
};

uint64_t now_us();

// What `show ifproxy events` counts: the IF-proxy callbacks and the
// listener's own overflow. KNI, capture and replay events share the queue
// (and its history) but are not IF-proxy events.
inline bool is_ifproxy_event(const std::string& name) {
  static const char* const kCounted[] = {
#define RS_EVENT(event, source, counted) counted ? #event : nullptr,
#include "events.def"
#undef RS_EVENT
  };
  for (const char* n : kCounted)
    if (n && name == n) return true;
  return false;
}

class EventQueue {
 public:
  using Notify = std::function<void()>;
  static constexpr size_t kHistory = 50000;   // `show ifproxy events`, scenario checks
  static constexpr size_t kPending = 500000;  // undelivered to the subscriber

  // Stamps seq (and time when 0), counts IF-proxy events, keeps history and, with a
  // subscriber, the pending queue; then calls notify with no lock held.
  void push(std::vector<Event> evs) {
    if (evs.empty()) return;
    std::shared_ptr<Notify> n;
    {
      std::lock_guard<std::mutex> g(mu_);
      for (Event& e : evs) {
        e.seq = ++seq_;
        if (!e.time_us) e.time_us = now_us();
        if (is_ifproxy_event(e.name)) counts_[e.name]++;
        history_.push_back(e);
        if (history_.size() > kHistory) history_.pop_front();
        if (notify_) {
          if (pending_.size() >= kPending) undelivered_++;
          else pending_.push_back(std::move(e));
        }
      }
      n = notify_;
    }
    if (n) (*n)();
  }
  void push(Event e) {
    std::vector<Event> v;
    v.push_back(std::move(e));
    push(std::move(v));
  }

  // The subscriber's side: up to max pending events, oldest first.
  std::vector<Event> drain(size_t max = ~size_t(0)) {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<Event> out;
    while (!pending_.empty() && out.size() < max) {
      out.push_back(std::move(pending_.front()));
      pending_.pop_front();
    }
    return out;
  }
  // Events with seq > after (0: all kept), at most the last `last`.
  std::vector<Event> history(size_t last = ~size_t(0), uint64_t after = 0) const {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<Event> out;
    size_t start = history_.size() > last ? history_.size() - last : 0;
    for (size_t i = start; i < history_.size(); i++)
      if (history_[i].seq > after) out.push_back(history_[i]);
    return out;
  }
  std::map<std::string, uint64_t> counters() const {
    std::lock_guard<std::mutex> g(mu_);
    return counts_;
  }
  uint64_t undelivered() const {
    std::lock_guard<std::mutex> g(mu_);
    return undelivered_;
  }
  uint64_t last_seq() const {
    std::lock_guard<std::mutex> g(mu_);
    return seq_;
  }
  void clear_counters() {
    std::lock_guard<std::mutex> g(mu_);
    counts_.clear();
  }
  // One subscriber (the addon); nullptr unsubscribes and drops what is pending.
  void set_notify(Notify n) {
    std::lock_guard<std::mutex> g(mu_);
    notify_ = n ? std::make_shared<Notify>(std::move(n)) : nullptr;
    if (!notify_) pending_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::deque<Event> pending_, history_;
  std::map<std::string, uint64_t> counts_;
  uint64_t seq_ = 0, undelivered_ = 0;
  std::shared_ptr<Notify> notify_;
};

}  // namespace rs
