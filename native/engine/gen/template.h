// Packet templates for the generators (txonly, flowgen): a header stack built
// once from a spec (Ethernet [+ VLAN | + QinQ] + IPv4|IPv6 + UDP|TCP|ICMP echo
// |ICMPv6 echo), a payload pattern, and per frame size the constant parts of
// every checksum. write() then fills one mbuf: copies header and payload,
// patches what varies per packet (lengths, flow addresses/ports, the
// sequence/timestamp stamp, the ICMP echo sequence) and finishes the IPv4 and
// L4 checksums from the precomputed sums plus the patched words (RFC 1624
// style: no pass over the payload, no allocation).
#pragma once
#include <array>
#include <cstdint>
#include <vector>
#include "../packet.h"
#include "../port.h"

namespace rs::gen {

enum class L2Kind : uint8_t { None, Vlan, Qinq };
enum class L3Kind : uint8_t { Ipv4, Ipv6 };
enum class L4Kind : uint8_t { Udp, Tcp, Icmp };  // Icmp: ICMP echo (IPv4) or ICMPv6 echo (IPv6)
enum class PayloadKind : uint8_t { Zero, Inc, Fixed, Random };

constexpr uint8_t kIpProtoIcmpv6 = 58;
constexpr uint8_t kIcmpv6EchoRequest = 128;

// What the user chose (`set txl2/txl3/txl4/txpayload/txstamp`). Addresses in
// network order; ports and TCI in host order.
struct TemplateSpec {
  L2Kind l2 = L2Kind::None;
  uint16_t vlan_tci[2] = {100, 200};  // outer first: vlan uses [0]; qinq: S-tag [0], C-tag [1]
  L3Kind l3 = L3Kind::Ipv4;
  uint32_t ip4_src = 0x0100A8C0;  // 192.168.0.1 (testpmd's txonly defaults), network order
  uint32_t ip4_dst = 0x0200A8C0;  // 192.168.0.2
  std::array<uint8_t, 16> ip6_src{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};  // fd00::1
  std::array<uint8_t, 16> ip6_dst{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};  // fd00::2
  L4Kind l4 = L4Kind::Udp;
  uint16_t src_port = 9, dst_port = 9;
  uint8_t tcp_flags = 0x02;  // SYN
  uint8_t ttl = 64;
  PayloadKind payload = PayloadKind::Zero;
  uint8_t payload_byte = 0;
  bool stamp = true;  // sequence number + timestamp at the payload start, when it fits
};

// The 16-byte stamp at the start of the L4 payload (all fields big endian).
struct __attribute__((packed)) Stamp {
  uint16_t magic;  // kStampMagic
  uint16_t src;    // generator id: tx port << 8 | tx queue
  uint32_t seq;    // per generator, from 0 at each start
  uint64_t ts_ns;  // CLOCK_MONOTONIC when the burst was built
};
static_assert(sizeof(Stamp) == 16);
constexpr uint16_t kStampMagic = 0x5253;  // "RS"

// Per packet flow fields for write(), host order.
struct FlowFields {
  uint32_t src_ip = 0, dst_ip = 0;  // IPv4 address, or the low 32 bits of the IPv6 one
  uint16_t src_port = 0, dst_port = 0;
};

class Template {
 public:
  static constexpr uint32_t kMaxHdr = 14 + 8 + 40 + 20;
  static constexpr uint32_t kMaxSizes = 16;

  // Builds the header for this spec and these frame sizes (each clamped to
  // the header length at least and `max_len` at most; at most kMaxSizes).
  void build(const TemplateSpec& spec, const MacAddr& src_mac, const MacAddr& dst_mac,
             const std::vector<uint16_t>& sizes, uint32_t max_len);

  // The spec's own addresses and ports (what txonly sends; flowgen varies them).
  FlowFields base_flow() const;

  // Fills m with a frame of size class k, addresses and ports from flow. The
  // stamp is written when the spec asks and the payload has room (stamps(k)).
  void write(Mbuf* m, uint32_t k, const FlowFields& flow, uint16_t src_id, uint32_t seq, uint64_t ts_ns) const;

  uint32_t header_len() const { return hdr_len_; }
  uint32_t nb_sizes() const { return nb_sizes_; }
  uint16_t size(uint32_t k) const { return sizes_[k].len; }
  bool stamps(uint32_t k) const { return sizes_[k].stamp; }

 private:
  struct Size {
    uint16_t len;
    bool stamp;
    uint64_t ip_sum;  // IPv4 header sum without csum, src, dst (lengths included)
    uint64_t l4_sum;  // L4 sum without the varying words (ports, addresses, stamp, echo seq)
  };
  TemplateSpec spec_{};
  uint8_t hdr_[kMaxHdr]{};
  uint32_t hdr_len_ = 0, l3_off_ = 0, l4_off_ = 0, l4_hdr_len_ = 0;
  Size sizes_[kMaxSizes]{};
  uint32_t nb_sizes_ = 0;
  std::vector<uint8_t> payload_;  // pattern for the longest frame, from the payload start
};

// Where the stamp of a received frame would be (after Ethernet, up to two
// tags, IPv4/IPv6 and UDP/TCP/ICMP(v6)); returns false when the frame has
// none. Checks only the magic; the caller judges the timestamp.
bool find_stamp(const uint8_t* frame, uint32_t len, Stamp* out);

}  // namespace rs::gen
