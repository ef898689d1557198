#include "rss.h"

namespace rs {

bool rss_types_from_name(const std::string& name, uint32_t* types) {
  if (name == "all") *types = kRssAll;
  else if (name == "ip") *types = kRssIp;
  else if (name == "udp") *types = kRssUdp;
  else if (name == "tcp") *types = kRssTcp;
  else if (name == "none") *types = 0;
  else if (name == "ipv4") *types = kRssIpv4;
  else if (name == "ipv6") *types = kRssIpv6;
  else if (name == "ipv4-udp") *types = kRssIpv4Udp;
  else if (name == "ipv4-tcp") *types = kRssIpv4Tcp;
  else if (name == "ipv6-udp") *types = kRssIpv6Udp;
  else if (name == "ipv6-tcp") *types = kRssIpv6Tcp;
  else return false;
  return true;
}

std::string rss_types_to_string(uint32_t types) {
  if (types == 0) return "none";
  std::string s;
  auto add = [&](uint32_t bit, const char* n) {
    if (!(types & bit)) return;
    if (!s.empty()) s += ' ';
    s += n;
  };
  add(kRssIpv4, "ipv4");
  add(kRssIpv6, "ipv6");
  // Both versions: the short name; one: testpmd's.
  auto add_l4 = [&](uint32_t v4, uint32_t v6, const char* both, const char* n4, const char* n6) {
    if ((types & (v4 | v6)) == (v4 | v6)) add(v4 | v6, both);
    else add(v4, n4), add(v6, n6);
  };
  add_l4(kRssIpv4Udp, kRssIpv6Udp, "udp", "ipv4-udp", "ipv6-udp");
  add_l4(kRssIpv4Tcp, kRssIpv6Tcp, "tcp", "ipv4-tcp", "ipv6-tcp");
  return s;
}

}  // namespace rs
