// Capture filters: a small tcpdump-like expression language, compiled once
// into a postfix program and evaluated natively per packet (no allocation,
// no recursion) on the poll thread over the classifier's PacketView (no
// field is copied). Shared by capture and `set verbose`.
//
//   expr      := term (('or' | '||') term)*
//   term      := factor (('and' | '&&') factor)*
//   factor    := ('not' | '!') factor | '(' expr ')' | primitive
//   primitive := udp | tcp | icmp | icmp6 | arp | ip | ip6
//              | vlan [N]                       any tag, or a tag with VLAN id N
//              | [src|dst] host ADDR            IPv4 or IPv6; also ARP sender/target
//              | [src|dst] net ADDR/LEN
//              | [tcp|udp] [src|dst] port N
//              | [src|dst] ADDR                 (host implied, as in tcpdump)
// Up to two VLAN tags are skipped before the network layer, so `vlan 10 and
// udp` matches UDP inside VLAN 10.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "../classify/pktview.h"
#include "../mbuf.h"

namespace rs {

class Filter {
 public:
  Filter() = default;  // matches everything
  // Throws rs::Error("EFILTER") naming the column and what was expected.
  static Filter compile(const std::string& expr);

  bool empty() const { return prog_.empty(); }
  const std::string& text() const { return text_; }
  bool match(const uint8_t* frame, uint32_t len) const;
  bool match(const PacketView& v) const;
  // Poll thread: the packets of a burst the filter keeps, their indices in
  // ascending order in `kept`; returns how many.
  uint16_t select(Mbuf* const* pkts, uint16_t n, uint16_t* kept) const;

  enum class Kind : uint8_t { Proto, Vlan, Host, Net, Port, And, Or, Not };
  enum class Dir : uint8_t { Any, Src, Dst };
  struct Op {
    Kind kind;
    Dir dir = Dir::Any;
    uint8_t proto = 0;   // Proto: IP proto, or 0 with ethertype; Port: 0 any, 6 tcp, 17 udp
    uint8_t alen = 0;    // Host/Net: 4 or 16
    uint8_t prefix = 0;  // Net
    uint16_t value = 0;  // Vlan id (0xffff: any), Port number, Proto ethertype
    uint8_t addr[16] = {};
  };

 private:
  std::vector<Op> prog_;
  std::string text_;
};

}  // namespace rs
