// Capture filters: a small tcpdump-like expression language, compiled once
// into a postfix program and evaluated natively per packet (no allocation,
// no recursion) on the poll thread. Shared by capture and `set verbose`.
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

namespace rs {

// The fields a filter looks at, decoded once per packet.
struct PacketFields {
  uint8_t nvlan = 0;
  uint16_t vid[2] = {0, 0};
  uint16_t ethertype = 0;      // after the tags
  bool ip4 = false, ip6 = false, arp = false;
  uint8_t alen = 0;            // 4 or 16 when src/dst are set
  uint8_t src[16] = {}, dst[16] = {};
  uint8_t proto = 0;           // IPv4 protocol / IPv6 next header
  bool has_ports = false;      // TCP/UDP header present (first fragment)
  uint16_t sport = 0, dport = 0;
};
// Returns false for frames shorter than an Ethernet header.
bool decode_fields(const uint8_t* frame, uint32_t len, PacketFields* f);

class Filter {
 public:
  Filter() = default;  // matches everything
  // Throws rs::Error("EFILTER") naming the column and what was expected.
  static Filter compile(const std::string& expr);

  bool empty() const { return prog_.empty(); }
  const std::string& text() const { return text_; }
  bool match(const uint8_t* frame, uint32_t len) const;
  bool match(const PacketFields& f) const;

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
