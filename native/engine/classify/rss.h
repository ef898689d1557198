// Receive-side scaling in software: which packets are hashed (types), over
// which tuple, and how a hash picks an rx queue (redirection table).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include "pktview.h"
#include "toeplitz.h"

namespace rs {

// Hash types, as testpmd's `port config all rss all|ip|udp|tcp|none|ipv4|
// ipv4-tcp|...` sets them.
enum RssType : uint32_t {
  kRssIpv4 = 1u << 0,     // IPv4 packets on the 2-tuple (addresses)
  kRssIpv6 = 1u << 1,     // IPv6 packets on the 2-tuple
  kRssIpv4Udp = 1u << 2,  // UDP over IPv4 (not fragmented) on the 4-tuple (addresses, ports)
  kRssIpv4Tcp = 1u << 3,  // TCP over IPv4 likewise
  kRssIpv6Udp = 1u << 4,
  kRssIpv6Tcp = 1u << 5,
};
constexpr uint32_t kRssIp = kRssIpv4 | kRssIpv6;
constexpr uint32_t kRssUdp = kRssIpv4Udp | kRssIpv6Udp;
constexpr uint32_t kRssTcp = kRssIpv4Tcp | kRssIpv6Tcp;
constexpr uint32_t kRssAll = kRssIp | kRssUdp | kRssTcp;

// "all", "ip", "udp", "tcp", "none", and testpmd's "ipv4", "ipv6",
// "ipv4-tcp", "ipv4-udp", "ipv6-tcp", "ipv6-udp" -> types; false for others.
bool rss_types_from_name(const std::string& name, uint32_t* types);
// "ipv4 ipv6 udp tcp" (one version only: "ipv4-udp") or "none".
std::string rss_types_to_string(uint32_t types);

constexpr uint16_t kRetaSize = 128;  // a power of two: the hash's low bits index it

struct RssConf {
  uint32_t types = 0;
  uint8_t key[kRssKeyLen];
  uint16_t reta[kRetaSize];
  RssConf() {
    std::memcpy(key, kDefaultRssKey, kRssKeyLen);
    reset_reta(1);
  }
  // Entries 0, 1, .., n-1, 0, 1, ..: DPDK drivers' default table.
  void reset_reta(uint16_t nb_queues) {
    for (uint16_t i = 0; i < kRetaSize; i++) reta[i] = static_cast<uint16_t>(i % (nb_queues ? nb_queues : 1));
  }
};

// The hash input for this packet under types: the 2-tuple for IP packets
// when their version's IP type is on, the 4-tuple for unfragmented UDP/TCP
// when that type is on. Returns its length, 0 when the packet is not hashed.
inline uint32_t rss_input(uint32_t types, const PacketView& v, uint8_t* in /* kRssMaxInput */) {
  if (v.ip_version == 0) return 0;
  const bool v4 = v.ip_version == 4;
  bool l4 = v.has_ports && !v.fragment &&
            ((v.proto == kIpProtoUdp && (types & (v4 ? kRssIpv4Udp : kRssIpv6Udp))) ||
             (v.proto == kIpProtoTcp && (types & (v4 ? kRssIpv4Tcp : kRssIpv6Tcp))));
  bool l3 = (types & (v.ip_version == 4 ? kRssIpv4 : kRssIpv6)) != 0;
  if (!l4 && !l3) return 0;
  uint32_t a = v.addr_len();
  std::memcpy(in, v.src_addr(), a);
  std::memcpy(in + a, v.dst_addr(), a);
  if (!l4) return 2 * a;
  std::memcpy(in + 2 * a, v.ports(), 4);
  return 2 * a + 4;
}

// Hash of the packet, or false when types do not cover it.
inline bool rss_hash(const ToeplitzTable& t, uint32_t types, const PacketView& v, uint32_t* hash) {
  uint8_t in[kRssMaxInput];
  uint32_t n = rss_input(types, v, in);
  if (n == 0) return false;
  *hash = t.hash(in, n);
  return true;
}

}  // namespace rs
