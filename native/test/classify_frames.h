// Frames for the classifier tests: Ethernet (optionally VLAN-tagged) over
// IPv4 or IPv6 over UDP or TCP, headers only plus a little payload.
#pragma once
#include <arpa/inet.h>
#include <cstdint>
#include <cstring>
#include <vector>
#include "packet.h"

namespace cls_test {

struct FrameSpec {
  bool v6 = false;
  uint8_t proto = rs::kIpProtoUdp;
  const char* src = nullptr;  // defaults per family
  const char* dst = nullptr;
  uint16_t sport = 1000, dport = 2000;
  int vlan = -1;  // VLAN id, or -1 for none
  uint16_t ethertype = 0;  // non-IP frame when set (e.g. ARP)
  uint8_t smac_last = 2;
};

inline std::vector<uint8_t> frame(const FrameSpec& s) {
  std::vector<uint8_t> f;
  auto put16 = [&](uint16_t v) { f.push_back(static_cast<uint8_t>(v >> 8)); f.push_back(static_cast<uint8_t>(v)); };
  uint8_t dmac[6] = {0x02, 0, 0, 0, 0, 0x01}, smac[6] = {0x02, 0, 0, 0, 0, s.smac_last};
  f.insert(f.end(), dmac, dmac + 6);
  f.insert(f.end(), smac, smac + 6);
  if (s.vlan >= 0) { put16(rs::kEtherTypeVlan); put16(static_cast<uint16_t>(s.vlan)); }
  if (s.ethertype) {
    put16(s.ethertype);
    f.resize(f.size() + 46, 0);
    return f;
  }
  put16(s.v6 ? rs::kEtherTypeIpv6 : rs::kEtherTypeIpv4);
  const uint16_t l4len = s.proto == rs::kIpProtoTcp ? 20 : 8;
  const uint16_t payload = 18;
  if (!s.v6) {
    f.push_back(0x45); f.push_back(0);
    put16(static_cast<uint16_t>(20 + l4len + payload));
    put16(0); put16(0);
    f.push_back(64); f.push_back(s.proto); put16(0);
    uint8_t a[4];
    inet_pton(AF_INET, s.src ? s.src : "10.0.0.1", a); f.insert(f.end(), a, a + 4);
    inet_pton(AF_INET, s.dst ? s.dst : "10.0.0.2", a); f.insert(f.end(), a, a + 4);
  } else {
    f.push_back(0x60); f.push_back(0); put16(0);
    put16(static_cast<uint16_t>(l4len + payload));
    f.push_back(s.proto); f.push_back(64);
    uint8_t a[16];
    inet_pton(AF_INET6, s.src ? s.src : "fd00::1", a); f.insert(f.end(), a, a + 16);
    inet_pton(AF_INET6, s.dst ? s.dst : "fd00::2", a); f.insert(f.end(), a, a + 16);
  }
  put16(s.sport); put16(s.dport);
  if (s.proto == rs::kIpProtoTcp) f.resize(f.size() + 16, 0);
  else { put16(static_cast<uint16_t>(8 + payload)); put16(0); }
  f.resize(f.size() + payload, 0xab);
  return f;
}

}  // namespace cls_test
