// KNI requests: link, MTU and MAC changes made to a KNI interface, seen
// through rtnetlink, queued and applied (or rejected and put back) under
// the KNI's policy on the control thread.
#include <net/if.h>
#include "kni.h"
#include "../engine.h"
#include "../error.h"
#include "../netdev.h"

namespace rs {

namespace {

std::string mtu_s(uint32_t v) { return std::to_string(v); }

}  // namespace

void Kni::request(KniDev& d, const std::string& what, const std::string& from, const std::string& to,
                  std::vector<Event>& out) {
  uint64_t now = now_us();
  auto rv = d.rejected_value_.find(what);
  if (rv != d.rejected_value_.end()) {
    if (rv->second.first == to && now < rv->second.second) return;  // an echo of what we just put back
    d.rejected_value_.erase(rv);
  }
  auto it = d.pending_.find(what);
  if (it != d.pending_.end()) {
    if (it->second.to == to) return;
    it->second.to = to;
  } else {
    KniDev::Request r;
    r.what = what;
    r.from = from;
    r.to = to;
    r.seen_us = now;
    r.due_us = now + (d.policy_ == KniPolicy::Delay ? uint64_t(d.delay_ms_) * 1000 : 0);
    d.pending_[what] = r;
  }
  Event e;
  e.name = "kni_request";
  e.proxy = d.name_;
  e.if_index = d.if_index_;
  e.ports.push_back(d.port_id_);
  e.values.push_back({"request", what});
  e.values.push_back({"from", from});
  e.values.push_back({"to", to});
  e.values.push_back({"policy", d.policy_ == KniPolicy::Delay ? "delay " + std::to_string(d.delay_ms_) + "ms"
                                                               : kni_policy_name(d.policy_)});
  out.push_back(std::move(e));
}

void Kni::on_link(const rtnl::LinkMsg& l, bool deleted) {
  std::vector<Event> out;
  {
    std::lock_guard<std::mutex> g(state_mu_);
    for (auto& dp : devs_) {
      KniDev& d = *dp;
      if (d.if_index_ != l.index) continue;
      if (deleted) {
        Event e;
        e.name = "kni_gone";
        e.proxy = d.name_;
        e.if_index = d.if_index_;
        e.ports.push_back(d.port_id_);
        out.push_back(std::move(e));
        continue;
      }
      if (l.has_mtu && l.mtu != d.agreed_.mtu) request(d, "mtu", mtu_s(d.agreed_.mtu), mtu_s(l.mtu), out);
      else d.pending_.erase("mtu");
      bool up = l.flags & IFF_UP;
      if (up != d.agreed_.up) request(d, "link", d.agreed_.up ? "up" : "down", up ? "up" : "down", out);
      else d.pending_.erase("link");
      if (l.has_mac && l.mac != d.agreed_.mac) request(d, "mac", mac_to_string(d.agreed_.mac), mac_to_string(l.mac), out);
      else d.pending_.erase("mac");
    }
  }
  ifp_.events().push(std::move(out));
}

void Kni::apply(KniDev& d, const KniDev::Request& r, bool* ok, bool* paused, std::string* why) {
  uint16_t id = d.port_id_;
  *ok = false;
  *paused = false;
  try {
    Port& p = engine_.port(id);
    if (r.what == "link") {
      if (r.to == "up") {
        if (!p.started()) engine_.port_start(id);
      } else if (p.started()) {
        engine_.port_stop(id);
      }
    } else {
      auto set = [&] {
        if (r.what == "mtu") {
          p.set_mtu(static_cast<uint32_t>(std::stoul(r.to)));
        } else {
          MacAddr m;
          if (!parse_mac(r.to, &m)) throw Error("EINVAL_MAC", "'" + r.to + "' is not a MAC address");
          p.set_mac(m);
        }
      };
      {
        // While forwarding, as DPDK's KNI applies requests with traffic
        // running: the port's streams pause (its packets wait in its
        // queues), the value is set on the started port, the streams resume.
        // Under io_lock, which start and stop take to change forwarding.
        auto lk = io_lock();
        if (forwarding_.load()) {
          engine_.with_port_paused(id, set);
          *paused = true;
          *ok = true;
          return;
        }
      }
      bool was = p.started();
      if (was) engine_.port_stop(id);  // stop, configure, start, as DPDK's KNI example does
      try {
        auto lk = io_lock();
        set();
      } catch (...) {
        if (was) {
          try { engine_.port_start(id); } catch (const Error&) {}
        }
        throw;
      }
      if (was) engine_.port_start(id);
    }
    *ok = true;
  } catch (const Error& e) {
    *why = std::string(e.code()) + ": " + e.what();
  } catch (const std::exception& e) {
    *why = e.what();
  }
}

void Kni::revert(KniDev& d, const KniDev::Request& r) {
  try {
    if (r.what == "mtu") netdev::set_mtu(d.name_, static_cast<uint32_t>(std::stoul(r.from)));
    else if (r.what == "link") netdev::set_up(d.name_, r.from == "up");
    else {
      MacAddr m;
      if (parse_mac(r.from, &m)) netdev::set_mac(d.name_, m);
    }
  } catch (const Error&) {
    // the interface may be gone; the response says what was asked
  }
}

int Kni::process_requests() {
  struct Due {
    KniDev* d;
    KniDev::Request r;
    KniPolicy policy;
  };
  std::vector<Due> due;
  uint64_t now = now_us();
  uint64_t next = 0;
  {
    std::lock_guard<std::mutex> g(state_mu_);
    for (auto& dp : devs_) {
      for (auto it = dp->pending_.begin(); it != dp->pending_.end();) {
        if (it->second.due_us <= now) {
          KniPolicy pol = dp->policy_;
          due.push_back({dp.get(), it->second, pol});
          // Agreed at once, so further notifications showing the new value
          // are no new request; put back below if it is refused.
          const KniDev::Request& r = it->second;
          if (pol != KniPolicy::Reject) {
            if (r.what == "mtu") dp->agreed_.mtu = static_cast<uint32_t>(std::stoul(r.to));
            else if (r.what == "link") dp->agreed_.up = r.to == "up";
            else parse_mac(r.to, &dp->agreed_.mac);
          } else {
            dp->rejected_value_[r.what] = {r.to, now + 300000};
          }
          it = dp->pending_.erase(it);
        } else {
          if (!next || it->second.due_us < next) next = it->second.due_us;
          ++it;
        }
      }
    }
  }
  std::vector<Event> out;
  for (Due& x : due) {
    KniDev& d = *x.d;
    Event e;
    e.name = "kni_response";
    e.proxy = d.name_;
    e.if_index = d.if_index_;
    e.ports.push_back(d.port_id_);
    e.values.push_back({"request", x.r.what});
    e.values.push_back({"from", x.r.from});
    e.values.push_back({"to", x.r.to});
    if (x.policy == KniPolicy::Reject) {
      revert(d, x.r);
      d.rejected_.fetch_add(1);
      e.values.push_back({"result", "rejected"});
      e.values.push_back({"reason", "the handler policy of port " + std::to_string(d.port_id_) +
                                        " is reject ('kni handler " + std::to_string(d.port_id_) + " accept' to allow)"});
      e.values.push_back({"now", x.r.from});
    } else {
      bool ok = false, paused = false;
      std::string why;
      apply(d, x.r, &ok, &paused, &why);
      if (ok) {
        d.handled_.fetch_add(1);
        e.values.push_back({"result", "applied"});
        if (paused) e.values.push_back({"while", "forwarding"});
        if (x.policy == KniPolicy::Delay)
          e.values.push_back({"delayed_ms", std::to_string((now_us() - x.r.seen_us) / 1000)});
      } else {
        {
          std::lock_guard<std::mutex> g(state_mu_);
          if (x.r.what == "mtu") d.agreed_.mtu = static_cast<uint32_t>(std::stoul(x.r.from));
          else if (x.r.what == "link") d.agreed_.up = x.r.from == "up";
          else parse_mac(x.r.from, &d.agreed_.mac);
          d.rejected_value_[x.r.what] = {x.r.to, now_us() + 300000};
        }
        revert(d, x.r);
        d.rejected_.fetch_add(1);
        e.values.push_back({"result", "failed"});
        e.values.push_back({"reason", why});
        e.values.push_back({"now", x.r.from});
      }
    }
    out.push_back(std::move(e));
  }
  ifp_.events().push(std::move(out));
  if (!next) return -1;
  uint64_t n2 = now_us();
  return next <= n2 ? 0 : static_cast<int>((next - n2 + 999) / 1000);
}

}  // namespace rs
