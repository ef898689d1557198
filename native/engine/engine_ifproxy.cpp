// Engine: IF proxies that are ports. `ifproxy create` attaches a net_tap
// port to be the proxy; `ifproxy bind` names the proxy by interface or by
// the port that is it. The IF proxy itself knows interfaces, not ports.
#include "engine.h"
#include <set>
#include "netlink/ifproxy.h"

namespace rs {

uint16_t Engine::ifproxy_create(const std::string& ifname) {
  std::set<std::string> used;
  for (const auto& p : ports_)
    if (p) used.insert(p->name());
  int k = 0;
  while (used.count("net_tap" + std::to_string(k))) k++;
  uint16_t id = attach("net_tap" + std::to_string(k) + (ifname.empty() ? "" : ",iface=" + ifname));
  try {
    ifproxy().add_proxy(port(id).if_name(), id);
  } catch (...) {
    detach(id);  // no half-made proxy: the port goes again
    throw;
  }
  return id;
}

void Engine::ifproxy_bind(uint16_t id, const std::string& ifname) {
  port(id);
  int proxy_port = -1;
  for (const auto& p : ports_)
    if (p && p->if_name() == ifname) proxy_port = p->id();
  ifproxy().bind(id, ifname, proxy_port);
}

void Engine::ifproxy_bind_port(uint16_t id, uint16_t proxy_port) {
  port(id);
  Port& pp = port(proxy_port);
  if (pp.if_name().empty() || pp.if_index() == 0)
    throw Error("EPROXY_INVISIBLE", "port " + std::to_string(proxy_port) + " (" + pp.driver() +
                                        ") is not visible to the kernel (if_index 0): a proxy must be a kernel "
                                        "interface, e.g. 'ifproxy create' or a net_tap port");
  ifproxy().bind(id, pp.if_name(), proxy_port);
}

}  // namespace rs
