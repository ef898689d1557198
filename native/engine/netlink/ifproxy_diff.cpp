// The IF proxy's cache of links, addresses, routes and neighbours: each
// netlink message applied to it (handle), and a fresh dump diffed against it
// (resync), both turned into the RFC's events for bound proxies.
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include "../netdev.h"
#include "ifproxy.h"

namespace rs {

namespace {

bool neigh_valid(const rtnl::NeighMsg& n) {
  constexpr uint16_t ok = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT;
  return n.has_lladdr && (n.state & ok);
}

bool route_wanted(const rtnl::RouteMsg& r) {
  // The main table as `ip route` shows it; no cached clones.
  return r.table == RT_TABLE_MAIN && !(r.flags & RTM_F_CLONED);
}

std::string route_key(const rtnl::RouteMsg& r) {
  return std::to_string(r.family) + "|" + r.dst + "/" + std::to_string(r.dst_len) + "|" + std::to_string(r.priority);
}

// The value part of a route: what makes a replace a change.
std::string route_value(const rtnl::RouteMsg& r) {
  return r.gateway + "|" + std::to_string(r.oif) + "|" + std::to_string(r.type);
}

const char* route_type_name(int t) {
  switch (t) {
    case RTN_UNICAST: return "unicast";
    case RTN_BLACKHOLE: return "blackhole";
    case RTN_UNREACHABLE: return "unreachable";
    case RTN_PROHIBIT: return "prohibit";
    case RTN_LOCAL: return "local";
    case RTN_BROADCAST: return "broadcast";
    case RTN_MULTICAST: return "multicast";
    default: return "other";
  }
}

std::vector<std::string> split(const std::string& s, char c) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t i = s.find(c, start);
    out.push_back(s.substr(start, i == std::string::npos ? std::string::npos : i - start));
    if (i == std::string::npos) return out;
    start = i + 1;
  }
}

}  // namespace

Event IfProxy::make(const char* name, int index) const {
  Event e;
  e.name = name;
  e.if_index = index;
  auto p = proxies_.find(index);
  if (p != proxies_.end()) {
    e.proxy = p->second.name;
    e.ports.assign(p->second.ports.begin(), p->second.ports.end());
  } else if (index) {
    auto l = cache_.links.find(index);
    if (l != cache_.links.end()) e.proxy = l->second.name;
  }
  return e;
}

// IFF_LOWER_UP (carrier) of <linux/if.h>, which cannot be included beside <net/if.h>.
constexpr uint32_t kIffLowerUp = 1u << 16;

// Administrative state, carrier, or operational state: the RFC's link
// change covers all three (a cable pulled changes only the last two).
bool IfProxy::link_state_changed(const Link& before, const Link& now) {
  return ((before.flags ^ now.flags) & (IFF_UP | kIffLowerUp)) || before.operstate != now.operstate;
}

void IfProxy::link_events(int index, const Link* before, const Link& now, std::vector<Event>& out) const {
  if (!emitting_ || !proxies_.count(index)) return;
  if (now.has_mac && (!before || !before->has_mac || before->mac != now.mac)) {
    Event e = make("mac_change", index);
    e.values.push_back({"mac", mac_to_string(now.mac)});
    out.push_back(std::move(e));
  }
  if (!before || before->mtu != now.mtu) {
    Event e = make("mtu_change", index);
    e.values.push_back({"mtu", std::to_string(now.mtu)});
    out.push_back(std::move(e));
  }
  if (!before || link_state_changed(*before, now)) {
    Event e = make("link_change", index);
    e.values.push_back({"up", (now.flags & IFF_UP) ? "1" : "0"});
    e.values.push_back({"carrier", (now.flags & kIffLowerUp) ? "1" : "0"});
    e.values.push_back({"operstate", netdev::operstate_name(now.operstate)});
    out.push_back(std::move(e));
  }
}

void IfProxy::addr_event(bool add, int family, int index, const std::string& addr_len, std::vector<Event>& out) const {
  if (!emitting_ || !proxies_.count(index)) return;
  const char* name = family == AF_INET ? (add ? "addr_add" : "addr_del") : (add ? "addr6_add" : "addr6_del");
  Event e = make(name, index);
  e.values.push_back({"addr", addr_len});
  out.push_back(std::move(e));
}

void IfProxy::route_event(bool add, const std::string& key, const std::string& value, std::vector<Event>& out) const {
  if (!emitting_) return;
  auto k = split(key, '|');    // family, dst/len, priority
  auto v = split(value, '|');  // gateway, oif, type
  int family = std::stoi(k[0]);
  int oif = std::stoi(v[1]);
  if (!proxies_.count(oif)) return;  // a route out of an interface no port is bound to
  const char* name = family == AF_INET ? (add ? "route_add" : "route_del") : (add ? "route6_add" : "route6_del");
  Event e = make(name, oif);
  e.values.push_back({"dst", k[1]});
  if (!v[0].empty()) e.values.push_back({"via", v[0]});
  if (oif) {
    auto l = cache_.links.find(oif);
    e.values.push_back({"dev", l != cache_.links.end() ? l->second.name : std::to_string(oif)});
  }
  if (k[2] != "0") e.values.push_back({"metric", k[2]});
  int type = std::stoi(v[2]);
  if (type != RTN_UNICAST) e.values.push_back({"type", route_type_name(type)});
  out.push_back(std::move(e));
}

void IfProxy::neigh_event(bool add, const std::string& key, const MacAddr& ll, std::vector<Event>& out) const {
  auto k = split(key, '|');  // index, dst
  int index = std::stoi(k[0]);
  if (!emitting_ || !proxies_.count(index)) return;
  Event e = make(add ? "neigh_add" : "neigh_del", index);
  e.values.push_back({"dst", k[1]});
  if (add) e.values.push_back({"lladdr", mac_to_string(ll)});
  out.push_back(std::move(e));
}

// ---------------------------------------------------------- incremental

void IfProxy::handle(const rtnl::Msg& m, std::vector<Event>& out, std::vector<rtnl::LinkMsg>& links,
                     std::vector<int>& gone) {
  messages_++;
  std::lock_guard<std::mutex> g(mu_);
  switch (m.kind) {
    case rtnl::Kind::Link: {
      int idx = m.link.index;
      auto it = cache_.links.find(idx);
      if (m.del) {
        if (it == cache_.links.end()) break;
        cache_.links.erase(it);
        auto p = proxies_.find(idx);
        if (p != proxies_.end()) {
          p->second.exists = false;
          if (emitting_) {
            Event e = make("link_change", idx);
            e.values.push_back({"up", "0"});
            e.values.push_back({"deleted", "yes"});
            out.push_back(std::move(e));
          }
        }
        gone.push_back(idx);
        break;
      }
      Link now = it != cache_.links.end() ? it->second : Link{};
      if (!m.link.name.empty()) now.name = m.link.name;
      if (m.link.has_mtu) now.mtu = m.link.mtu;
      if (m.link.has_mac) { now.mac = m.link.mac; now.has_mac = true; }
      now.flags = m.link.flags;
      now.operstate = m.link.operstate;
      if (it != cache_.links.end()) {
        Link before = it->second;
        link_events(idx, &before, now, out);
      } else {
        link_events(idx, nullptr, now, out);
      }
      auto p = proxies_.find(idx);
      if (p != proxies_.end()) p->second.name = now.name;  // renamed
      cache_.links[idx] = now;
      rtnl::LinkMsg merged;
      merged.index = idx;
      merged.name = now.name;
      merged.flags = now.flags;
      merged.mtu = now.mtu;
      merged.has_mtu = true;
      merged.mac = now.mac;
      merged.has_mac = now.has_mac;
      merged.operstate = now.operstate;
      links.push_back(std::move(merged));
      break;
    }
    case rtnl::Kind::Addr: {
      std::string al = m.addr.addr + "/" + std::to_string(m.addr.prefix_len);
      std::string key = std::to_string(m.addr.index) + "|" + al;
      if (m.del) {
        if (cache_.addrs.erase(key)) addr_event(false, m.addr.family, m.addr.index, al, out);
      } else if (cache_.addrs.emplace(key, std::make_pair(m.addr.family, m.addr.index)).second) {
        addr_event(true, m.addr.family, m.addr.index, al, out);
      }
      break;
    }
    case rtnl::Kind::Route: {
      if (!route_wanted(m.route)) break;
      std::string key = route_key(m.route), value = route_value(m.route);
      if (m.del) {
        auto it = cache_.routes.find(key);
        if (it != cache_.routes.end()) {
          std::string v = it->second;
          cache_.routes.erase(it);
          route_event(false, key, v, out);
        }
      } else {
        auto [it, fresh] = cache_.routes.emplace(key, value);
        if (fresh || it->second != value) {
          it->second = value;
          route_event(true, key, value, out);
        }
      }
      break;
    }
    case rtnl::Kind::Neigh: {
      std::string key = std::to_string(m.neigh.index) + "|" + m.neigh.dst;
      auto it = cache_.neighs.find(key);
      if (m.del || !neigh_valid(m.neigh)) {
        if (it != cache_.neighs.end()) {
          MacAddr ll = it->second;
          cache_.neighs.erase(it);
          neigh_event(false, key, ll, out);
        }
      } else if (it == cache_.neighs.end() || it->second != m.neigh.lladdr) {
        cache_.neighs[key] = m.neigh.lladdr;
        neigh_event(true, key, m.neigh.lladdr, out);
      }
      break;
    }
    default: break;
  }
}

// ------------------------------------------------------------------ resync

void IfProxy::resync(bool emit_all, uint64_t* changes) {
  // Notifications still queued are older than the dump about to be taken:
  // drop them (the dump says the same, newer).
  for (int guard = 0; guard < 1000; guard++) {
    int n = sock_.receive([](const rtnl::Msg&) {}, 64);
    if (n == 0) break;
  }
  // Two dumps, and the cache is their union. A dump taken while the tables
  // change can skip an entry that exists throughout, without flagging
  // NLM_F_DUMP_INTR (the kernel resumes each chunk by position): diffed alone
  // it would report a delete, and the entry's return an add, that never
  // happened. An entry only the first pass has was deleted after the drain
  // above, so its delete notification is still queued and counted then.
  std::vector<rtnl::Msg> dumped;
  {
    rtnl::Socket ds;
    ds.open(false, 4 << 20);
    auto keep = [&](const rtnl::Msg& m) { dumped.push_back(m); };
    for (int pass = 0; pass < 2; pass++) {
      ds.dump(RTM_GETLINK, AF_UNSPEC, keep);
      ds.dump(RTM_GETADDR, AF_UNSPEC, keep);
      ds.dump(RTM_GETROUTE, AF_UNSPEC, keep);
      ds.dump(RTM_GETNEIGH, AF_UNSPEC, keep);
    }
  }
  std::vector<Event> out;
  std::vector<rtnl::LinkMsg> links;
  std::vector<int> gone;
  {
    std::lock_guard<std::mutex> g(mu_);
    Cache old = emit_all ? Cache{} : std::move(cache_);
    Cache fresh;
    for (const rtnl::Msg& m : dumped) {
      switch (m.kind) {
        case rtnl::Kind::Link: {
          Link l;
          l.name = m.link.name;
          l.mtu = m.link.mtu;
          l.flags = m.link.flags;
          l.mac = m.link.mac;
          l.has_mac = m.link.has_mac;
          l.operstate = m.link.operstate;
          fresh.links[m.link.index] = l;
          links.push_back(m.link);
          break;
        }
        case rtnl::Kind::Addr:
          fresh.addrs.emplace(std::to_string(m.addr.index) + "|" + m.addr.addr + "/" + std::to_string(m.addr.prefix_len),
                              std::make_pair(m.addr.family, m.addr.index));
          break;
        case rtnl::Kind::Route:
          if (route_wanted(m.route)) fresh.routes[route_key(m.route)] = route_value(m.route);
          break;
        case rtnl::Kind::Neigh:
          if (neigh_valid(m.neigh)) fresh.neighs[std::to_string(m.neigh.index) + "|" + m.neigh.dst] = m.neigh.lladdr;
          break;
        default: break;
      }
    }
    cache_ = std::move(fresh);  // event makers read names from the new cache
    for (auto& [idx, p] : proxies_) {
      auto o = old.links.find(idx);
      auto f = cache_.links.find(idx);
      if (f != cache_.links.end()) {
        p.name = f->second.name;
        p.exists = true;
        link_events(idx, o != old.links.end() ? &o->second : nullptr, f->second, out);
      } else if (o != old.links.end() || p.exists) {
        p.exists = false;
        gone.push_back(idx);
        if (emitting_) {
          Event e = make("link_change", idx);
          e.values.push_back({"up", "0"});
          e.values.push_back({"deleted", "yes"});
          out.push_back(std::move(e));
        }
      }
    }
    for (const auto& [k, v] : cache_.addrs)
      if (!old.addrs.count(k)) addr_event(true, v.first, v.second, k.substr(k.find('|') + 1), out);
    for (const auto& [k, v] : old.addrs)
      if (!cache_.addrs.count(k)) addr_event(false, v.first, v.second, k.substr(k.find('|') + 1), out);
    for (const auto& [k, v] : cache_.routes) {
      auto o = old.routes.find(k);
      if (o == old.routes.end() || o->second != v) route_event(true, k, v, out);
    }
    for (const auto& [k, v] : old.routes)
      if (!cache_.routes.count(k)) route_event(false, k, v, out);
    for (const auto& [k, v] : cache_.neighs) {
      auto o = old.neighs.find(k);
      if (o == old.neighs.end() || o->second != v) neigh_event(true, k, v, out);
    }
    for (const auto& [k, v] : old.neighs)
      if (!cache_.neighs.count(k)) neigh_event(false, k, v, out);
    if (changes) {
      // Differences found (whether or not anyone listens), for the overflow report.
      uint64_t n = 0;
      for (const auto& [k, v] : cache_.routes) { auto o = old.routes.find(k); n += (o == old.routes.end() || o->second != v); }
      for (const auto& [k, v] : old.routes) n += !cache_.routes.count(k);
      for (const auto& [k, v] : cache_.addrs) n += !old.addrs.count(k);
      for (const auto& [k, v] : old.addrs) n += !cache_.addrs.count(k);
      for (const auto& [k, v] : cache_.neighs) { auto o = old.neighs.find(k); n += (o == old.neighs.end() || o->second != v); }
      for (const auto& [k, v] : old.neighs) n += !cache_.neighs.count(k);
      for (const auto& [k, v] : cache_.links) {
        auto o = old.links.find(k);
        n += (o == old.links.end() || o->second.mtu != v.mtu || o->second.mac != v.mac ||
              link_state_changed(o->second, v));
      }
      for (const auto& [k, v] : old.links) n += !cache_.links.count(k);
      *changes = n;
    }
  }
  events_.push(std::move(out));
  call_link_hooks(links, gone);
}

}  // namespace rs
