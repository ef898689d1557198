// One primitive over one packet, the general way: each reads the frame at
// the offsets libpcap's code reads and answers yes, no, or "reject the
// packet" when it would read past the captured bytes (a BPF load out of
// bounds ends the program with 0); `run` combines the answers of the postfix
// program in the order tcpdump evaluates them. Each evaluator is a template
// over the packet: an Ethernet frame (Pkt) reads its type field where the
// program says; another link type (LinkPkt, filter.cpp) has its network
// layer's type found once per packet. Shared by match() (filter.cpp) and
// select()'s frames of no known shape (filter_select.cpp).
#pragma once
#include <cstring>
#include <vector>
#include "filter.h"
#include "filter_layers.h"
#include "../packet.h"

namespace rs::filter_eval {

using Op = Filter::Op;
using Dir = Filter::Dir;
enum Verdict : uint8_t { kNo = 0, kYes = 1, kReject = 2 };

struct Pkt {
  const uint8_t* f;
  uint32_t caplen, wirelen;
  // Offsets are at most 2^17 here (compare() checks its own for overflow).
  bool has(uint32_t off, uint32_t n) const { return off + n <= caplen; }
  uint32_t u8(uint32_t off) const { return f[off]; }
  uint32_t u16(uint32_t off) const { return static_cast<uint32_t>(f[off]) << 8 | f[off + 1]; }
  uint32_t u32(uint32_t off) const { return u16(off) << 16 | u16(off + 2); }
};

// A packet of another link type: the type of its network layer, found once
// (link_packet), which every link test then compares.
struct LinkPkt : Pkt {
  uint16_t type;  // as an ethertype; 0 when neither IPv4 nor IPv6
  bool cut;       // the link header is cut: a link test rejects the packet
};

#define NEED(p, off, n) \
  do {                  \
    if (!(p).has((off), (n))) return kReject; \
  } while (0)

// Is the network header at nl of this ethertype? After MPLS labels there is
// no ethertype: the last label's bottom-of-stack bit and the IP version say.
[[gnu::always_inline]] inline Verdict link_is(const Pkt& p, uint32_t nl, uint8_t mpls, uint16_t type) {
  if (mpls) {
    if (type != kEtherTypeIpv4 && type != kEtherTypeIpv6) return kNo;
    NEED(p, nl - 2, 1);
    if (!(p.u8(nl - 2) & 1)) return kNo;
    NEED(p, nl, 1);
    return (p.u8(nl) & 0xf0) == (type == kEtherTypeIpv4 ? 0x40u : 0x60u) ? kYes : kNo;
  }
  NEED(p, nl - 2, 2);
  return p.u16(nl - 2) == type ? kYes : kNo;
}

// Another link type: no VLAN or MPLS (the compiler refuses them there).
inline Verdict link_is(const LinkPkt& p, uint32_t, uint8_t, uint16_t type) {
  if (p.cut) return kReject;
  return p.type == type ? kYes : kNo;
}

inline bool masked_eq(const uint8_t* a, const Op& op) {
  for (unsigned i = 0; i < op.alen; i++)
    if ((a[i] & op.mask[i]) != op.addr[i]) return false;
  return true;
}

// Source and destination tests joined as the direction says; each side
// returns a Verdict (a rejection ends the test).
template <typename Side>
[[gnu::always_inline]] inline Verdict by_dir(Dir dir, Side side) {
  if (dir == Dir::Dst) return side(false);
  Verdict s = side(true);
  if (dir == Dir::Src || s == kReject) return s;
  if (dir == Dir::Any && s == kYes) return kYes;
  if (dir == Dir::Both && s == kNo) return kNo;
  return side(false);
}

template <typename P>
inline Verdict ip_proto(const P& p, const Op& op) {
  const uint32_t nl = op.nl;
  if (op.family & Filter::kIp4) {
    Verdict r = link_is(p, nl, op.mpls, kEtherTypeIpv4);
    if (r != kNo) {
      if (r == kReject) return r;
      NEED(p, nl + 9, 1);
      return p.u8(nl + 9) == op.proto ? kYes : kNo;
    }
  }
  if (op.family & Filter::kIp6) {
    Verdict r = link_is(p, nl, op.mpls, kEtherTypeIpv6);
    if (r != kYes) return r;
    NEED(p, nl + 6, 1);
    uint32_t nh = p.u8(nl + 6);
    if (nh == op.proto) return kYes;
    if (nh != kIpProtoFragment) return kNo;
    NEED(p, nl + 40, 1);
    return p.u8(nl + 40) == op.proto ? kYes : kNo;
  }
  return kNo;
}

template <typename P>
inline Verdict host(const P& p, const Op& op) {
  const uint32_t nl = op.nl;
  if (op.alen == 16) {
    Verdict r = link_is(p, nl, op.mpls, kEtherTypeIpv6);
    if (r != kYes) return r;
    return by_dir(op.dir, [&](bool src) -> Verdict {
      uint32_t at = nl + (src ? 8 : 24);
      NEED(p, at, 16);
      return masked_eq(p.f + at, op) ? kYes : kNo;
    });
  }
  struct Where { uint8_t family; uint16_t type; uint8_t src, dst; };
  static constexpr Where kWhere[] = {{Filter::kIp4, kEtherTypeIpv4, 12, 16}, {Filter::kArp, kEtherTypeArp, 14, 24},
                                     {Filter::kRarp, kEtherTypeRarp, 14, 24}};
  for (const Where& w : kWhere) {
    if (!(op.family & w.family)) continue;
    Verdict r = link_is(p, nl, op.mpls, w.type);
    if (r == kNo) continue;
    if (r == kReject) return r;
    return by_dir(op.dir, [&](bool src) -> Verdict {
      uint32_t at = nl + (src ? w.src : w.dst);
      NEED(p, at, 4);
      return masked_eq(p.f + at, op) ? kYes : kNo;
    });
  }
  return kNo;
}

template <typename P>
inline Verdict ether(const P& p, const Op& op) {
  return by_dir(op.dir, [&](bool src) -> Verdict {
    uint32_t at = src ? 6 : 0;
    NEED(p, at, 6);
    return std::memcmp(p.f + at, op.addr, 6) == 0 ? kYes : kNo;
  });
}

inline bool transport_in(uint32_t proto, const Op& op) { return (op.transports[proto >> 6] >> (proto & 63)) & 1; }

template <typename P>
[[gnu::always_inline]] inline Verdict ports_at(const P& p, const Op& op, uint32_t l4) {
  return by_dir(op.dir, [&](bool src) -> Verdict {
    uint32_t at = l4 + (src ? 0 : 2);
    NEED(p, at, 2);
    uint32_t port = p.u16(at);
    return port >= op.lo && port <= op.hi ? kYes : kNo;
  });
}

// IPv4: not a later fragment, ports after the header length the header
// gives; IPv6: the next header of the fixed header only (as libpcap).
template <typename P>
[[gnu::always_inline]] inline Verdict port(const P& p, const Op& op) {
  const uint32_t nl = op.nl;
  if (op.family & Filter::kIp4) {
    Verdict r = link_is(p, nl, op.mpls, kEtherTypeIpv4);
    if (r == kReject) return r;
    if (r == kYes) {
      NEED(p, nl + 9, 1);
      if (!transport_in(p.u8(nl + 9), op)) return kNo;
      NEED(p, nl + 6, 2);
      if (p.u16(nl + 6) & 0x1fff) return kNo;
      return ports_at(p, op, nl + 4 * (p.u8(nl) & 0xf));
    }
  }
  if (op.family & Filter::kIp6) {
    Verdict r = link_is(p, nl, op.mpls, kEtherTypeIpv6);
    if (r != kYes) return r;
    NEED(p, nl + 6, 1);
    if (!transport_in(p.u8(nl + 6), op)) return kNo;
    return ports_at(p, op, nl + 40);
  }
  return kNo;
}

template <typename P>
inline Verdict vlan(const P& p, const Op& op) {
  NEED(p, op.nl - 2, 2);
  uint32_t tpid = p.u16(op.nl - 2);
  if (tpid != kEtherTypeVlan && tpid != kEtherTypeQinq && tpid != 0x9100) return kNo;
  if (!op.hi) return kYes;
  NEED(p, op.nl, 2);
  return (p.u16(op.nl) & 0x0fff) == op.lo ? kYes : kNo;
}

template <typename P>
inline Verdict mpls(const P& p, const Op& op) {
  if (op.mpls) {  // inside a stack: the previous label is not the last
    NEED(p, op.nl - 2, 1);
    if (p.u8(op.nl - 2) & 1) return kNo;
  } else {
    NEED(p, op.nl - 2, 2);
    if (p.u16(op.nl - 2) != kEtherTypeMpls) return kNo;
  }
  if (!op.hi) return kYes;
  NEED(p, op.nl, 4);
  return (p.u32(op.nl) >> 12) == op.lo ? kYes : kNo;
}

// The protocol a load's layer needs before its bytes are read, as libpcap
// tests it: a transport header of IPv4 that is not a later fragment.
template <typename P>
inline Verdict layer_present(const P& p, const Filter::Arith& a) {
  switch (static_cast<Layer>(a.layer)) {
    case Layer::Link: return kYes;
    case Layer::Ip4: return link_is(p, a.nl, a.mpls, kEtherTypeIpv4);
    case Layer::Ip6: return link_is(p, a.nl, a.mpls, kEtherTypeIpv6);
    case Layer::Arp: return link_is(p, a.nl, a.mpls, kEtherTypeArp);
    case Layer::Rarp: return link_is(p, a.nl, a.mpls, kEtherTypeRarp);
    case Layer::Transport4: {
      Verdict r = link_is(p, a.nl, a.mpls, kEtherTypeIpv4);
      if (r != kYes) return r;
      NEED(p, a.nl + 9, 1);
      if (p.u8(a.nl + 9) != a.proto) return kNo;
      NEED(p, a.nl + 6, 2);
      return p.u16(a.nl + 6) & 0x1fff ? kNo : kYes;
    }
    case Layer::Transport6: {
      Verdict r = link_is(p, a.nl, a.mpls, kEtherTypeIpv6);
      if (r != kYes) return r;
      NEED(p, a.nl + 6, 1);
      return p.u8(a.nl + 6) == a.proto ? kYes : kNo;
    }
  }
  return kNo;
}

template <typename P>
inline uint32_t layer_base(const P& p, const Filter::Arith& a) {
  switch (static_cast<Layer>(a.layer)) {
    case Layer::Link: return 0;
    case Layer::Transport4: return a.nl + 4 * (p.u8(a.nl) & 0xf);
    case Layer::Transport6: return a.nl + 40u;
    default: return a.nl;
  }
}

inline bool relation(uint8_t relop, uint32_t a, uint32_t b) {
  switch (static_cast<Relop>(relop)) {
    case Relop::Eq: return a == b;
    case Relop::Ne: return a != b;
    case Relop::Lt: return a < b;
    case Relop::Le: return a <= b;
    case Relop::Gt: return a > b;
    case Relop::Ge: return a >= b;
  }
  return false;
}

// Both sides computed in 32-bit unsigned arithmetic, once the layers the
// operands load from are known to be there.
template <typename P>
inline Verdict relate(const P& p, const Op& op, const std::vector<Filter::Arith>& code) {
  using A = Filter::Arith;
  uint32_t stack[kArithDepth];
  unsigned sp = 0;
  for (uint32_t i = op.arith; i < op.arith_end; i++) {
    const A& a = code[i];
    switch (a.code) {
      case A::Const: stack[sp++] = a.value; continue;
      case A::Len: stack[sp++] = p.wirelen; continue;
      case A::Neg: stack[sp - 1] = 0u - stack[sp - 1]; continue;
      case A::Load: {
        uint32_t off = layer_base(p, a) + stack[sp - 1];
        if (off < stack[sp - 1]) return kReject;
        NEED(p, off, a.size);
        stack[sp - 1] = a.size == 1 ? p.u8(off) : a.size == 2 ? p.u16(off) : p.u32(off);
        continue;
      }
      default: break;
    }
    uint32_t y = stack[--sp], &x = stack[sp - 1];
    switch (a.code) {
      case A::Add: x += y; break;
      case A::Sub: x -= y; break;
      case A::Mul: x *= y; break;
      case A::Div: if (!y) return kReject; x /= y; break;
      case A::Mod: if (!y) return kReject; x %= y; break;
      case A::AndB: x &= y; break;
      case A::OrB: x |= y; break;
      case A::Xor: x ^= y; break;
      case A::Shl: x = y >= 32 ? 0 : x << y; break;
      case A::Shr: x = y >= 32 ? 0 : x >> y; break;
      default: break;
    }
  }
  return relation(op.relop, stack[0], stack[1]) ? kYes : kNo;
}

// Every layer the operands load from must be there (tested first, as libpcap
// does), then the relation.
template <typename P>
inline Verdict compare(const P& p, const Op& op, const std::vector<Filter::Arith>& code) {
  for (uint32_t i = op.arith; i < op.arith_end; i++) {
    if (code[i].code != Filter::Arith::Load) continue;
    Verdict r = layer_present(p, code[i]);
    if (r != kYes) return r;
  }
  return relate(p, op, code);
}

template <typename P>
inline Verdict leaf(const P& p, const Op& op, const std::vector<Filter::Arith>& code) {
  using K = Filter::Kind;
  switch (op.kind) {
    case K::Link: return link_is(p, op.nl, op.mpls, op.ethertype);
    case K::Vlan: return vlan(p, op);
    case K::Mpls: return mpls(p, op);
    case K::IpProto: return ip_proto(p, op);
    case K::Host: return host(p, op);
    case K::Ether: return ether(p, op);
    case K::Port: return port(p, op);
    case K::Compare: return compare(p, op, code);
    default: return kNo;
  }
}

// The postfix program: a stack of verdicts, each primitive's from leaf(op).
// And/Or take the left verdict first (a rejection on the left rejects, as
// the left side runs first).
template <typename Leaf>
[[gnu::always_inline]] inline Verdict run(const std::vector<Op>& prog, Leaf leaf) {
  using K = Filter::Kind;
  uint8_t stack[kMaxPending];
  unsigned sp = 0;
  for (const Op& op : prog) {
    switch (op.kind) {
      case K::And: {
        uint8_t b = stack[--sp], a = stack[sp - 1];
        stack[sp - 1] = a == kYes ? b : a;
        break;
      }
      case K::Or: {
        uint8_t b = stack[--sp], a = stack[sp - 1];
        stack[sp - 1] = a == kNo ? b : a;
        break;
      }
      case K::Not: stack[sp - 1] = stack[sp - 1] == kReject ? kReject : stack[sp - 1] ^ 1; break;
      default: stack[sp++] = leaf(op); break;
    }
  }
  return static_cast<Verdict>(stack[0]);
}

#undef NEED

}  // namespace rs::filter_eval
