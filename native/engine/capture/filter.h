// Capture filters: the pcap-filter(7) language as tcpdump runs it, compiled
// once for one link type into a postfix program of primitives and evaluated
// natively per packet (no allocation, no recursion) on the poll thread.
// Ports are Ethernet; `pcap show FILE filter EXPR` also reads the link types
// linktype.h lists (Linux cooked v1/v2, raw IP, BSD loopback), where, as in
// libpcap, the network layer starts after their fixed header and `ether`
// addresses, broadcast, multicast, `vlan` and `mpls` are refused. Shared by
// capture, `set verbose` and `pcap show`; `help filter` documents it
// (commands/filter-help.ts).
//
// Each primitive reads the frame at the offsets libpcap's code reads, with
// its answers: an untagged primitive tests untagged frames; each `vlan` or
// `mpls` keyword moves what follows one header (4 bytes) in, in the order
// written; IPv6 protocol tests also see a fragment header, port tests do not;
// `host` covers IPv4, ARP and RARP addresses. A read past the captured bytes
// rejects the packet, as a BPF load out of bounds does.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "../linktype.h"
#include "../mbuf.h"

namespace rs {

class Filter {
 public:
  Filter() = default;  // matches everything
  // Throws rs::Error("EFILTER") naming the column and what was expected, or
  // the primitive the link type has no header for (as tcpdump refuses it).
  static Filter compile(const std::string& expr, uint32_t linktype = kLinktypeEthernet);

  bool empty() const { return prog_.empty(); }
  const std::string& text() const { return text_; }
  uint32_t linktype() const { return linktype_; }
  // wire_len: the length on the wire (pcap's origlen), what `len` tests.
  bool match(const uint8_t* frame, uint32_t len, uint32_t wire_len) const;
  bool match(const uint8_t* frame, uint32_t len) const { return match(frame, len, len); }
  // Poll thread: the packets of a burst the filter keeps, their indices in
  // ascending order in `kept`; returns how many. Ethernet filters only (ports
  // are Ethernet).
  uint16_t select(Mbuf* const* pkts, uint16_t n, uint16_t* kept) const;

  enum class Kind : uint8_t {
    Link,     // ethertype (ip, ip6, arp, rarp, ether proto)
    Vlan,     // a VLAN tag here [with this id]
    Mpls,     // an MPLS label here [with this label]
    IpProto,  // IPv4 protocol / IPv6 next header (also behind a fragment header)
    Host,     // IPv4 (IP, ARP, RARP) or IPv6 address under a prefix
    Ether,    // Ethernet address
    Port,     // TCP/UDP/SCTP port range
    Compare,  // arithmetic relation over packet bytes and len
    And, Or, Not,
    True, False  // what a primitive is on every frame of a shape (filter_reduce.cpp)
  };
  enum class Dir : uint8_t { Any, Src, Dst, Both };  // Any: src or dst; Both: src and dst
  enum Family : uint8_t { kIp4 = 1, kIp6 = 2, kArp = 4, kRarp = 8 };
  struct Op {
    Kind kind;
    Dir dir = Dir::Any;
    uint8_t family = 0;    // IpProto, Host, Port: Family bits
    uint8_t mpls = 0;      // MPLS labels before this primitive
    uint16_t nl = 14;      // where the network header starts (the link header, + 4 per vlan/mpls before)
    uint16_t ethertype = 0;
    uint8_t proto = 0;         // IpProto: the protocol number; plain Port: its one transport (0: several);
                               // plain Compare: the transport its loads need (0: none)
    uint64_t transports[4] = {};  // Port: the set of transport protocols, one bit per number
    uint8_t alen = 0;        // Host: 4 or 16; Ether: 6
    uint8_t relop = 0;       // Compare
    bool plain = false;      // in a shape's program: tested at the shape's fixed offsets (filter_reduce.cpp)
    uint32_t lo = 0, hi = 0; // Port range; Vlan id / Mpls label (lo) when hi == 1
    uint16_t arith = 0, arith_end = 0;  // Compare: its operands in arith_
    uint8_t addr[16] = {};
    uint8_t mask[16] = {};
  };
  // Compare's operands: two postfix arithmetic expressions, left then right.
  struct Arith {
    enum Code : uint8_t { Const, Len, Load, Add, Sub, Mul, Div, Mod, AndB, OrB, Xor, Shl, Shr, Neg };
    Code code;
    uint8_t size = 0;     // Load: 1, 2 or 4 bytes
    uint8_t layer = 0;    // Load: what the index counts from (filter.cpp Layer)
    uint8_t proto = 0;    // Load from a transport header: its IP protocol
    uint16_t nl = 14;     // Load: the network header's offset
    uint8_t mpls = 0;
    uint32_t value = 0;   // Const
  };

 private:
  // select() knows some frame shapes (IPv4 and IPv6, untagged or behind one
  // 802.1Q tag) from a few bytes at fixed offsets; for each, the program reduced to what it is on
  // that shape, and the form of test that runs it (filter_reduce.cpp, filter_select.cpp).
  struct ShapeProgram {
    std::vector<Op> prog;
    uint8_t form = 0;
  };
  static constexpr unsigned kShapes = 4;
  void specialise();
  std::vector<Op> prog_;
  ShapeProgram shapes_[kShapes];
  std::vector<Arith> arith_;
  std::string text_;
  uint32_t linktype_ = kLinktypeEthernet;
};

}  // namespace rs
