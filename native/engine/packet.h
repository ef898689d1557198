// Wire formats the engines touch (Ethernet, VLAN, ARP, IPv4, IPv6, UDP, TCP,
// ICMP) and the Internet checksum. Header-only: used per packet by forwarding
// engines and by capture filters.
//
// Multi-byte fields hold network byte order; read them through be16()/be32().
// Checksums are summed over 16-bit words exactly as they lie in memory: the
// one's-complement sum is byte-order independent (RFC 1071 section 2), so the
// folded result can be stored into the header without swapping.
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rs {

// Host <-> network order for 16/32-bit values (the same swap both ways).
constexpr uint16_t be16(uint16_t v) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap16(v);
  return v;
}
constexpr uint32_t be32(uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap32(v);
  return v;
}

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeArp = 0x0806;
constexpr uint16_t kEtherTypeVlan = 0x8100;
constexpr uint16_t kEtherTypeQinq = 0x88A8;
constexpr uint16_t kEtherTypeIpv6 = 0x86DD;
constexpr uint8_t kIpProtoIcmp = 1;
constexpr uint8_t kIpProtoTcp = 6;
constexpr uint8_t kIpProtoUdp = 17;
constexpr uint8_t kIpProtoGre = 47;
constexpr uint8_t kIpProtoIcmp6 = 58;
constexpr uint8_t kIpProtoSctp = 132;
constexpr uint16_t kUdpPortVxlan = 4789;
constexpr uint16_t kArpHrdEther = 1;
constexpr uint16_t kArpOpRequest = 1;
constexpr uint16_t kArpOpReply = 2;
constexpr uint8_t kIcmpEchoReply = 0;
constexpr uint8_t kIcmpEchoRequest = 8;

struct __attribute__((packed)) EtherHdr {
  uint8_t dst[6];
  uint8_t src[6];
  uint16_t type;
};

struct __attribute__((packed)) VlanHdr {  // follows EtherHdr whose type is VLAN/QinQ
  uint16_t tci;
  uint16_t type;  // the encapsulated ethertype
};

struct __attribute__((packed)) ArpHdr {  // Ethernet/IPv4 ARP only
  uint16_t hrd;
  uint16_t pro;
  uint8_t hln;
  uint8_t pln;
  uint16_t op;
  uint8_t sha[6];
  uint32_t sip;
  uint8_t tha[6];
  uint32_t tip;
};

struct __attribute__((packed)) Ipv4Hdr {
  uint8_t ver_ihl;  // version 4 in the high nibble, header length in words below
  uint8_t tos;
  uint16_t total_len;
  uint16_t id;
  uint16_t frag_off;  // flags (3 bits) and offset in 8-byte units
  uint8_t ttl;
  uint8_t proto;
  uint16_t csum;
  uint32_t src;
  uint32_t dst;

  uint32_t header_len() const { return (ver_ihl & 0x0f) * 4u; }
  uint16_t fragment_offset() const { return be16(frag_off) & 0x1fff; }
};

struct __attribute__((packed)) Ipv6Hdr {
  uint32_t vtc_flow;  // version, traffic class, flow label
  uint16_t payload_len;
  uint8_t next_header;
  uint8_t hop_limit;
  uint8_t src[16];
  uint8_t dst[16];
};

struct __attribute__((packed)) UdpHdr {
  uint16_t src_port;
  uint16_t dst_port;
  uint16_t len;
  uint16_t csum;
};

struct __attribute__((packed)) TcpHdr {
  uint16_t src_port;
  uint16_t dst_port;
  uint32_t seq;
  uint32_t ack;
  uint8_t data_off;  // header length in words in the high nibble
  uint8_t flags;
  uint16_t window;
  uint16_t csum;
  uint16_t urgent;
};

struct __attribute__((packed)) IcmpHdr {  // echo request/reply layout
  uint8_t type;
  uint8_t code;
  uint16_t csum;
  uint16_t ident;
  uint16_t seq;
};

static_assert(sizeof(EtherHdr) == 14 && sizeof(VlanHdr) == 4 && sizeof(ArpHdr) == 28);
static_assert(sizeof(Ipv4Hdr) == 20 && sizeof(Ipv6Hdr) == 40);
static_assert(sizeof(UdpHdr) == 8 && sizeof(TcpHdr) == 20 && sizeof(IcmpHdr) == 8);

// Partial one's-complement sum of len bytes, added to sum. The 64-bit
// accumulator cannot overflow for any packet we can hold.
inline uint64_t cksum_add(const void* data, std::size_t len, uint64_t sum = 0) {
  auto p = static_cast<const uint8_t*>(data);
  for (; len >= 2; p += 2, len -= 2) {
    uint16_t w;
    std::memcpy(&w, p, 2);  // unaligned-safe; compiles to a plain load
    sum += w;
  }
  if (len) {  // an odd last byte is padded with a zero byte after it
    uint8_t pad[2] = {*p, 0};
    uint16_t w;
    std::memcpy(&w, pad, 2);
    sum += w;
  }
  return sum;
}

// Fold a partial sum to 16 bits (not yet complemented).
inline uint16_t cksum_fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// IPv4 header checksum ready to store in h->csum; the current csum field is
// skipped, so it need not be zeroed first.
inline uint16_t ipv4_hdr_cksum(const Ipv4Hdr* h) {
  auto p = reinterpret_cast<const uint8_t*>(h);
  uint64_t sum = cksum_add(p, offsetof(Ipv4Hdr, csum));
  sum = cksum_add(p + offsetof(Ipv4Hdr, src), h->header_len() - offsetof(Ipv4Hdr, src), sum);
  return static_cast<uint16_t>(~cksum_fold(sum));
}

// Pseudo-header sums (RFC 768/793 for IPv4, RFC 8200 section 8.1 for IPv6);
// l4_len is the UDP/TCP header plus payload length in host order.
inline uint64_t ipv4_pseudo_sum(const Ipv4Hdr* ip, uint8_t proto, uint32_t l4_len) {
  uint64_t sum = cksum_add(reinterpret_cast<const uint8_t*>(ip) + offsetof(Ipv4Hdr, src), 8);  // src, dst adjacent
  return sum + be16(proto) + be16(static_cast<uint16_t>(l4_len));
}
inline uint64_t ipv6_pseudo_sum(const Ipv6Hdr* ip, uint8_t proto, uint32_t l4_len) {
  uint64_t sum = cksum_add(reinterpret_cast<const uint8_t*>(ip) + offsetof(Ipv6Hdr, src), 32);  // src, dst adjacent
  return sum + be16(static_cast<uint16_t>(l4_len >> 16)) + be16(static_cast<uint16_t>(l4_len)) + be16(proto);
}

// UDP/TCP checksum over pseudo-header and l4 (header + payload, l4_len bytes),
// ready to store. The checksum field inside l4 must be zero when called.
// For UDP a computed 0 is sent as 0xFFFF, since 0 means "no checksum".
inline uint16_t l4_cksum_finish(uint64_t sum, uint8_t proto) {
  uint16_t c = static_cast<uint16_t>(~cksum_fold(sum));
  return (proto == kIpProtoUdp && c == 0) ? 0xffff : c;
}
inline uint16_t ipv4_l4_cksum(const Ipv4Hdr* ip, uint8_t proto, const void* l4, uint32_t l4_len) {
  return l4_cksum_finish(cksum_add(l4, l4_len, ipv4_pseudo_sum(ip, proto, l4_len)), proto);
}
inline uint16_t ipv6_l4_cksum(const Ipv6Hdr* ip, uint8_t proto, const void* l4, uint32_t l4_len) {
  return l4_cksum_finish(cksum_add(l4, l4_len, ipv6_pseudo_sum(ip, proto, l4_len)), proto);
}

// Incremental update when one 16-bit word covered by a checksum changes from
// old_word to new_word (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')). All three
// values as they lie in memory.
inline uint16_t cksum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word) {
  uint64_t sum = static_cast<uint16_t>(~csum);
  sum += static_cast<uint16_t>(~old_word);
  sum += new_word;
  return static_cast<uint16_t>(~cksum_fold(sum));
}
inline uint16_t cksum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val) {
  uint16_t o[2], n[2];
  std::memcpy(o, &old_val, 4);
  std::memcpy(n, &new_val, 4);
  return cksum_update16(cksum_update16(csum, o[0], n[0]), o[1], n[1]);
}

// Skip up to two VLAN/QinQ tags after the Ethernet header. Returns the L3
// offset and stores the inner ethertype (host order), or returns 0 when the
// frame is too short to hold what it announces.
inline uint32_t l2_parse(const uint8_t* frame, uint32_t len, uint16_t* ethertype) {
  if (len < sizeof(EtherHdr)) return 0;
  uint32_t off = sizeof(EtherHdr);
  uint16_t type = be16(reinterpret_cast<const EtherHdr*>(frame)->type);
  for (int tags = 0; tags < 2 && (type == kEtherTypeVlan || type == kEtherTypeQinq); tags++) {
    if (len < off + sizeof(VlanHdr)) return 0;
    type = be16(reinterpret_cast<const VlanHdr*>(frame + off)->type);
    off += sizeof(VlanHdr);
  }
  *ethertype = type;
  return off;
}

// Swap two equally sized fields in place (MACs, addresses, ports).
template <std::size_t N>
inline void swap_bytes(uint8_t* a, uint8_t* b) {
  uint8_t t[N];
  std::memcpy(t, a, N);
  std::memcpy(a, b, N);
  std::memcpy(b, t, N);
}

}  // namespace rs
