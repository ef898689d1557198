// IF proxy bindings, link hooks and queries (see ifproxy.h). The rtnetlink
// listener thread is ifproxy_listener.cpp; the cache it keeps and the events
// its changes make, ifproxy_diff.cpp. Events are built under mu_ and pushed
// after it is released.
#include "ifproxy.h"
#include <net/if.h>
#include <ctime>
#include "../error.h"
#include "../netdev.h"

namespace rs {

uint64_t now_us() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000ull + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

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

}  // namespace rs
