// IF proxy bindings, the rtnetlink listener thread and the cache it keeps
// (see ifproxy.h). Events are built under mu_ and pushed after it is released.
#include "ifproxy.h"
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <ctime>
#include "../error.h"
#include "../netdev.h"

namespace rs {

uint64_t now_us() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000ull + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

namespace {

constexpr uint64_t kReqListen = 1, kReqStop = 2, kReqUnlisten = 4, kReqStall = 8;

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

// ----------------------------------------------------------------- bindings

int IfProxy::add_link_hook(LinkHook h) {
  std::lock_guard<std::mutex> g(hooks_mu_);
  hooks_[next_hook_] = std::move(h);
  return next_hook_++;
}

void IfProxy::remove_link_hook(int id) {
  std::lock_guard<std::mutex> g(hooks_mu_);
  hooks_.erase(id);
}

void IfProxy::bind(uint16_t port, const std::string& ifname, int proxy_port) {
  int index = netdev::if_index(ifname);  // ENODEV_IFACE names the namespace
  start();
  std::lock_guard<std::mutex> g(mu_);
  auto old = port_proxy_.find(port);
  if (old != port_proxy_.end()) {
    auto p = proxies_.find(old->second);
    if (p != proxies_.end()) {
      p->second.ports.erase(port);
      if (p->second.ports.empty() && p->second.proxy_port < 0 && p->first != index) proxies_.erase(p);
    }
  }
  Proxy& p = proxies_[index];
  p.name = ifname;
  p.exists = true;
  if (proxy_port >= 0) p.proxy_port = proxy_port;
  p.ports.insert(port);
  port_proxy_[port] = index;
}

void IfProxy::add_proxy(const std::string& ifname, int proxy_port) {
  int index = netdev::if_index(ifname);
  start();
  std::lock_guard<std::mutex> g(mu_);
  Proxy& p = proxies_[index];
  p.name = ifname;
  p.exists = true;
  p.proxy_port = proxy_port;
}

void IfProxy::unbind(uint16_t port) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = port_proxy_.find(port);
  if (it == port_proxy_.end())
    throw Error("ENOT_BOUND", "port " + std::to_string(port) + " is not bound to a proxy ('show ifproxy' lists bindings)");
  auto p = proxies_.find(it->second);
  if (p != proxies_.end()) {
    p->second.ports.erase(port);
    if (p->second.ports.empty() && p->second.proxy_port < 0) proxies_.erase(p);
  }
  port_proxy_.erase(it);
}

void IfProxy::forget_port(uint16_t port) {
  std::lock_guard<std::mutex> g(mu_);
  port_proxy_.erase(port);
  for (auto it = proxies_.begin(); it != proxies_.end();) {
    it->second.ports.erase(port);
    if (it->second.proxy_port == port) {
      for (uint16_t p : it->second.ports) port_proxy_.erase(p);
      it = proxies_.erase(it);
    } else if (it->second.ports.empty() && it->second.proxy_port < 0) {
      it = proxies_.erase(it);
    } else {
      ++it;
    }
  }
}

int IfProxy::proxy_of(uint16_t port) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = port_proxy_.find(port);
  return it == port_proxy_.end() ? 0 : it->second;
}

std::string IfProxy::if_name(int index) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = cache_.links.find(index);
  return it == cache_.links.end() ? "" : it->second.name;
}

std::vector<ProxyInfo> IfProxy::proxies() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<ProxyInfo> out;
  for (const auto& [index, p] : proxies_) {
    ProxyInfo i;
    i.name = p.name;
    i.if_index = index;
    i.proxy_port = p.proxy_port;
    i.ports.assign(p.ports.begin(), p.ports.end());
    i.exists = p.exists;
    auto l = cache_.links.find(index);
    if (l != cache_.links.end()) {
      i.name = l->second.name;
      i.mac = l->second.mac;
      i.mtu = l->second.mtu;
      i.up = l->second.flags & IFF_UP;
      i.operstate = netdev::operstate_name(l->second.operstate);
    }
    std::string prefix = std::to_string(index) + "|";
    for (const auto& [key, fi] : cache_.addrs)
      if (fi.second == index) i.addrs.push_back(key.substr(prefix.size()));
    out.push_back(std::move(i));
  }
  return out;
}

ListenerInfo IfProxy::listener() const {
  ListenerInfo li;
  li.running = running_.load();
  li.rcvbuf = rcvbuf_;
  li.overflows = overflows_.load();
  li.missed = missed_.load();
  li.recovered = recovered_.load();
  li.messages = messages_.load();
  std::lock_guard<std::mutex> g(mu_);
  li.listening = emitting_;
  li.links = cache_.links.size();
  li.addrs = cache_.addrs.size();
  li.routes = cache_.routes.size();
  li.neighs = cache_.neighs.size();
  return li;
}

// ----------------------------------------------------------------- thread

void IfProxy::wake(uint64_t what) {
  requests_.fetch_or(what);
  uint64_t one = 1;
  if (evfd_ >= 0) (void)!::write(evfd_, &one, sizeof one);
}

void IfProxy::start(int rcvbuf) {
  if (running_) return;
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) throw Error("ENETLINK", std::string("cannot create an eventfd: ") + std::strerror(errno));
  evfd_ = fd;
  try {
    sock_.open(true, rcvbuf > 0 ? rcvbuf : kDefaultRcvbuf);
    rcvbuf_ = sock_.rcvbuf();
    inode_ = sock_.inode();
    drops_seen_ = std::max<int64_t>(0, rtnl::socket_drops(inode_));
    resync(false, nullptr);  // the cache, quietly, before anyone asks
    requests_ = 0;
    thread_ = std::thread(&IfProxy::run, this);
  } catch (...) {
    sock_.close();
    ::close(evfd_);
    evfd_ = -1;
    throw;
  }
  running_ = true;
}

void IfProxy::stop() {
  if (!running_) return;
  wake(kReqStop);
  thread_.join();
  sock_.close();
  ::close(evfd_);
  evfd_ = -1;
  running_ = false;
  std::lock_guard<std::mutex> g(mu_);
  emitting_ = false;
}

void IfProxy::listen(int rcvbuf) {
  if (!running_) {
    start(rcvbuf);
  } else if (rcvbuf > 0 && rcvbuf != rcvbuf_) {
    int fd = sock_.fd();
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    rcvbuf_ = sock_.rcvbuf();
  }
  wake(kReqListen);
}

void IfProxy::stall(uint32_t ms) {
  if (!running_) start();
  stall_ms_ = ms;
  wake(kReqStall);
}

void IfProxy::close_listen() {
  if (running_) wake(kReqUnlisten);
}

void IfProxy::run() {
  pollfd fds[2] = {{sock_.fd(), POLLIN, 0}, {evfd_, POLLIN, 0}};
  auto error_event = [this](const std::string& what) {
    Event e;
    e.name = "error";
    e.values.push_back({"message", what});
    events_.push(std::move(e));
  };
  for (;;) {
    int r = ::poll(fds, 2, -1);
    if (r < 0 && errno != EINTR) {
      error_event(std::string("netlink listener poll: ") + std::strerror(errno));
      return;
    }
    if (fds[1].revents & POLLIN) {
      uint64_t v;
      (void)!::read(evfd_, &v, sizeof v);
      uint64_t req = requests_.exchange(0);
      if (req & kReqStop) return;
      if (req & kReqStall) {
        // Slept in small steps so a stop is not held up.
        for (uint32_t t = 0; t < stall_ms_.load() && !(requests_.load() & kReqStop); t += 10)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (requests_.load() & kReqStop) return;
      }
      if (req & kReqUnlisten) {
        std::lock_guard<std::mutex> g(mu_);
        emitting_ = false;
      }
      if (req & kReqListen) {
        {
          std::lock_guard<std::mutex> g(mu_);
          emitting_ = true;
        }
        try {
          resync(true, nullptr);
        } catch (const Error& e) {
          error_event(e.what());
        }
        Event fin;
        fin.name = "cfg_finished";
        events_.push(std::move(fin));
      }
    }
    // Everything queued, in batches, each batch's events pushed together.
    for (;;) {
      std::vector<Event> evs;
      std::vector<rtnl::LinkMsg> links;
      std::vector<int> gone;
      int n;
      try {
        n = sock_.receive([&](const rtnl::Msg& m) { handle(m, evs, links, gone); }, 32);
      } catch (const Error& e) {
        error_event(e.what());
        n = 0;
      }
      events_.push(std::move(evs));
      call_link_hooks(links, gone);
      if (n == -ENOBUFS) {
        overflow();
        continue;
      }
      if (n <= 0) break;
    }
  }
}

void IfProxy::overflow() {
  overflows_++;
  int64_t d = rtnl::socket_drops(inode_);
  int64_t missed = -1;
  if (d >= 0) {
    missed = d - drops_seen_;
    drops_seen_ = d;
    missed_ += static_cast<uint64_t>(std::max<int64_t>(missed, 0));
  }
  bool emitting;
  {
    std::lock_guard<std::mutex> g(mu_);
    emitting = emitting_;
  }
  if (emitting) {
    Event e;
    e.name = "overflow";
    e.values.push_back({"missed", missed >= 0 ? std::to_string(missed) : "unknown"});
    e.values.push_back({"rcvbuf", std::to_string(rcvbuf_)});
    events_.push(std::move(e));
  }
  uint64_t changes = 0;
  try {
    resync(false, &changes);
  } catch (const Error& err) {
    Event e;
    e.name = "error";
    e.values.push_back({"message", std::string("re-dump after overflow: ") + err.what()});
    events_.push(std::move(e));
  }
  recovered_ += changes;
  if (emitting) {
    Event fin;
    fin.name = "cfg_finished";
    fin.values.push_back({"after", "overflow"});
    fin.values.push_back({"recovered", std::to_string(changes)});
    events_.push(std::move(fin));
  }
}

void IfProxy::call_link_hooks(const std::vector<rtnl::LinkMsg>& links, const std::vector<int>& gone) {
  if (links.empty() && gone.empty()) return;
  std::vector<LinkHook> hooks;
  {
    std::lock_guard<std::mutex> g(hooks_mu_);
    for (auto& [id, h] : hooks_) hooks.push_back(h);
  }
  for (const auto& h : hooks) {
    for (const auto& l : links) h(l, false);
    for (int idx : gone) {
      rtnl::LinkMsg l;
      l.index = idx;
      h(l, true);
    }
  }
}

// ------------------------------------------------------------- event makers

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
