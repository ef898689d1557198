// What filter_compile.cpp and filter.cpp agree on beyond filter.h: the
// layers a byte-offset load counts from, the relations, the limits of the
// evaluators' stacks, and the protocol numbers only filters use.
#pragma once
#include <cstdint>

namespace rs {

// proto[index]: what the index counts from, and what must be there first.
enum class Layer : uint8_t {
  Link,        // ether[], link[]: the frame's first byte
  Ip4,         // ip[]: the network header, an IPv4 packet
  Ip6,         // ip6[]
  Arp,         // arp[]
  Rarp,        // rarp[]
  Transport4,  // tcp[] udp[] sctp[] icmp[] igmp[]: after the IPv4 header, not a later fragment
  Transport6,  // icmp6[]: after the fixed IPv6 header
};

enum class Relop : uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

constexpr unsigned kMaxPending = 64;  // primitives awaiting and/or
constexpr unsigned kArithDepth = 32;  // operands awaiting an arithmetic operator

constexpr uint16_t kEtherTypeRarp = 0x8035;
constexpr uint16_t kEtherTypeMpls = 0x8847;
constexpr uint8_t kIpProtoFragment = 44;

}  // namespace rs
