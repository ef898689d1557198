#include "linktype.h"

namespace rs {

namespace {

constexpr uint16_t kTypeIpv4 = 0x0800, kTypeIpv6 = 0x86dd;

uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// Raw IP: the version nibble says which.
bool by_version(const uint8_t* p, uint32_t caplen, uint32_t off, NetworkLayer* out) {
  if (caplen <= off) return false;
  uint8_t v = p[off] >> 4;
  if (v != 4 && v != 6) return false;
  *out = {off, v == 4 ? kTypeIpv4 : kTypeIpv6};
  return true;
}

// BSD loopback's address family: AF_INET is 2 everywhere; AF_INET6 is 24
// (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD), 30 (Darwin) or 10 (Linux).
bool by_family(uint32_t family, NetworkLayer* out) {
  if (family == 2) *out = {kLoopbackHeaderLen, kTypeIpv4};
  else if (family == 24 || family == 28 || family == 30 || family == 10) *out = {kLoopbackHeaderLen, kTypeIpv6};
  else return false;
  return true;
}

// How each link type ringside reads says what its network layer is.
enum class Kind { Ethernet, Sll, Sll2, RawIp, Ipv4, Ipv6, LoopHost, LoopNet, None };

struct LinkInfo {
  uint32_t linktype;
  const char* name;  // tcpdump's description
  Kind kind;
};

constexpr LinkInfo kLinks[] = {
    {kLinktypeNull, "BSD loopback", Kind::LoopHost},
    {kLinktypeEthernet, "Ethernet", Kind::Ethernet},
    {kLinktypeRawDlt, "Raw IP", Kind::RawIp},
    {kLinktypeRawDltBsd, "Raw IP", Kind::RawIp},
    {kLinktypeRaw, "Raw IP", Kind::RawIp},
    {105, "IEEE 802.11", Kind::None},
    {kLinktypeLoop, "OpenBSD loopback", Kind::LoopNet},
    {kLinktypeSll, "Linux cooked v1", Kind::Sll},
    {127, "IEEE 802.11 radiotap", Kind::None},
    {kLinktypeIpv4, "Raw IPv4", Kind::Ipv4},
    {kLinktypeIpv6, "Raw IPv6", Kind::Ipv6},
    {kLinktypeSll2, "Linux cooked v2", Kind::Sll2},
};

const LinkInfo* find(uint32_t linktype) {
  for (const LinkInfo& l : kLinks)
    if (l.linktype == linktype) return &l;
  return nullptr;
}

}  // namespace

bool network_layer_known(uint32_t linktype) {
  const LinkInfo* l = find(linktype);
  return l && l->kind != Kind::None;
}

bool network_layer(uint32_t linktype, const uint8_t* p, uint32_t caplen, NetworkLayer* out) {
  const LinkInfo* l = find(linktype);
  switch (l ? l->kind : Kind::None) {
    case Kind::Ethernet:
      if (caplen < 14) return false;
      *out = {14, rd16(p + 12)};
      return true;
    case Kind::Sll:
      if (caplen < kSllHeaderLen) return false;
      *out = {kSllHeaderLen, rd16(p + 14)};
      return true;
    case Kind::Sll2:
      if (caplen < kSll2HeaderLen) return false;
      *out = {kSll2HeaderLen, rd16(p)};
      return true;
    case Kind::RawIp:
    case Kind::Ipv4:  // as tcpdump reads them: the version nibble decides, whatever the link type says
    case Kind::Ipv6:
      return by_version(p, caplen, 0, out);
    case Kind::LoopHost: {
      if (caplen < kLoopbackHeaderLen) return false;
      // The writer's byte order: a family is small, so a value with its low
      // half zero was written the other way round.
      uint32_t le = static_cast<uint32_t>(p[0]) | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
      if ((le & 0xffff0000u) != 0) le = __builtin_bswap32(le);
      return by_family(le, out);
    }
    case Kind::LoopNet:
      if (caplen < kLoopbackHeaderLen) return false;
      return by_family(static_cast<uint32_t>(rd16(p)) << 16 | rd16(p + 2), out);
    case Kind::None:
      return false;
  }
  return false;
}

uint32_t link_header_len(uint32_t linktype) {
  const LinkInfo* l = find(linktype);
  switch (l ? l->kind : Kind::None) {
    case Kind::Ethernet: return 14;
    case Kind::Sll: return kSllHeaderLen;
    case Kind::Sll2: return kSll2HeaderLen;
    case Kind::LoopHost:
    case Kind::LoopNet: return kLoopbackHeaderLen;
    default: return 0;
  }
}

const char* linktype_name(uint32_t linktype) {
  const LinkInfo* l = find(linktype);
  return l ? l->name : "unknown";
}

}  // namespace rs
