// The frame layouts select() knows (filter_select.cpp) and specialise()
// reduces a program for (filter_reduce.cpp): IPv4 with a 20-byte header and
// IPv6, untagged or behind one 802.1Q tag, their ports captured. A few bytes
// at fixed offsets identify each; on it every field the fixed tests read
// lies at a fixed offset, inside the frame.
#pragma once
#include <cstdint>
#include <cstring>
#include "filter.h"
#include "filter_layers.h"
#include "../classify/pktview.h"
#include "../packet.h"

namespace rs::filter_shapes {

inline uint32_t u16_at(const uint8_t* f, uint32_t off) { return static_cast<uint32_t>(f[off]) << 8 | f[off + 1]; }

// Untagged IPv4, version 4 with a 20-byte header, its ports captured.
struct Ip4Shape {
  static constexpr bool kTagged = false;
  static constexpr uint16_t kType = kEtherTypeIpv4;
  static constexpr uint8_t kFamily = Filter::kIp4, kAlen = 4;
  static constexpr uint32_t kNl = 14, kProto = kNl + 9, kSrc = kNl + 12, kDst = kNl + 16, kL4 = kNl + 20;
  static_assert(kL4 == PlainIpv4View::kL4);
  static bool fits(const uint8_t* f, uint32_t len) { return PlainIpv4View::fits(f, len); }
  // Ports belong to the first fragment only: the offset is 0 (tested in
  // network order as it lies in the frame).
  static bool has_ports(const uint8_t* f) {
    uint16_t field;
    std::memcpy(&field, f + kNl + 6, 2);
    return (field & be16(0x1fff)) == 0;
  }
  static bool proto_is(const uint8_t* f, uint8_t proto) { return f[kProto] == proto; }
};

// Untagged IPv6 (the type field only, as libpcap), its ports captured.
struct Ip6Shape {
  static constexpr bool kTagged = false;
  static constexpr uint16_t kType = kEtherTypeIpv6;
  static constexpr uint8_t kFamily = Filter::kIp6, kAlen = 16;
  static constexpr uint32_t kNl = 14, kProto = kNl + 6, kSrc = kNl + 8, kDst = kNl + 24, kL4 = kNl + 40;
  static bool fits(const uint8_t* f, uint32_t len) { return len >= kL4 + 4 && u16_at(f, 12) == kType; }
  // Port tests read the fixed header's next header only (as libpcap).
  static bool has_ports(const uint8_t*) { return true; }
  // Protocol tests also see one fragment header (as libpcap).
  static bool proto_is(const uint8_t* f, uint8_t proto) {
    uint32_t nh = f[kProto];
    return (nh == proto) | ((nh == kIpProtoFragment) & (f[kL4] == proto));
  }
};

// The same behind one 802.1Q tag (type 0x8100): the network layer 4 bytes in.
template <class Untagged>
struct Tagged {
  static constexpr bool kTagged = true;
  static constexpr uint16_t kType = Untagged::kType;
  static constexpr uint8_t kFamily = Untagged::kFamily, kAlen = Untagged::kAlen;
  static constexpr uint32_t kNl = Untagged::kNl + 4, kProto = Untagged::kProto + 4, kSrc = Untagged::kSrc + 4,
                            kDst = Untagged::kDst + 4, kL4 = Untagged::kL4 + 4;
  static bool fits(const uint8_t* f, uint32_t len) {
    return len >= kL4 + 4 && u16_at(f, 12) == kEtherTypeVlan && Untagged::fits(f + 4, len - 4);
  }
  static bool has_ports(const uint8_t* f) { return Untagged::has_ports(f + 4); }
  static bool proto_is(const uint8_t* f, uint8_t proto) { return Untagged::proto_is(f + 4, proto); }
};
using Vlan4Shape = Tagged<Ip4Shape>;
using Vlan6Shape = Tagged<Ip6Shape>;

// The form of test a shape's program takes: a constant, one fixed-offset
// primitive, two joined, or a program.
enum Form : uint8_t { kFalse, kTrue, kPortOne, kPort, kHost, kProto, kCompare, kPair, kProgram };

}  // namespace rs::filter_shapes
