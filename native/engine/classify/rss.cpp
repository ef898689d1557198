#include "rss.h"

namespace rs {

bool rss_types_from_name(const std::string& name, uint32_t* types) {
  if (name == "all") *types = kRssAll;
  else if (name == "ip") *types = kRssIp;
  else if (name == "udp") *types = kRssUdp;
  else if (name == "tcp") *types = kRssTcp;
  else if (name == "none") *types = 0;
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
  add(kRssUdp, "udp");
  add(kRssTcp, "tcp");
  return s;
}

}  // namespace rs
