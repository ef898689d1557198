// The header fields the classifier looks at, found once per packet and shared
// by flow matching and the RSS hash. Offsets are from the frame start; the
// addresses and ports stay in network order where they lie in the frame.
#pragma once
#include <cstdint>
#include "packet.h"

namespace rs {

struct PacketView {
  const uint8_t* frame = nullptr;
  uint32_t len = 0;
  uint16_t outer_type = 0;  // ethertype of the Ethernet header (host order)
  uint16_t ethertype = 0;   // after VLAN tags (host order)
  bool has_vlan = false;
  uint16_t vid = 0;         // outer tag's VLAN id (12 bits)
  uint8_t ip_version = 0;   // 4, 6 or 0 (not IP or truncated)
  uint8_t proto = 0;        // IPv4 protocol / IPv6 next header
  bool fragment = false;    // IPv4 fragment (MF set or offset != 0)
  uint32_t l3_off = 0;
  uint32_t l4_off = 0;      // set when ports are present (UDP/TCP, first fragment)
  bool has_ports = false;

  const uint8_t* src_addr() const {
    return frame + l3_off + (ip_version == 4 ? offsetof(Ipv4Hdr, src) : offsetof(Ipv6Hdr, src));
  }
  const uint8_t* dst_addr() const {
    return frame + l3_off + (ip_version == 4 ? offsetof(Ipv4Hdr, dst) : offsetof(Ipv6Hdr, dst));
  }
  uint32_t addr_len() const { return ip_version == 4 ? 4 : 16; }
  const uint8_t* ports() const { return frame + l4_off; }  // source then destination port
};

// Never reads past len: a truncated header leaves the deeper fields unset.
inline void parse_view(const uint8_t* frame, uint32_t len, PacketView* v) {
  *v = PacketView{};
  v->frame = frame;
  v->len = len;
  if (len < sizeof(EtherHdr)) return;
  v->outer_type = be16(reinterpret_cast<const EtherHdr*>(frame)->type);
  if ((v->outer_type == kEtherTypeVlan || v->outer_type == kEtherTypeQinq) && len >= sizeof(EtherHdr) + sizeof(VlanHdr)) {
    v->has_vlan = true;
    v->vid = be16(reinterpret_cast<const VlanHdr*>(frame + sizeof(EtherHdr))->tci) & 0x0fff;
  }
  uint16_t type = 0;
  uint32_t off = l2_parse(frame, len, &type);
  if (off == 0) return;
  v->ethertype = type;
  v->l3_off = off;
  if (type == kEtherTypeIpv4 && len >= off + sizeof(Ipv4Hdr)) {
    auto ip = reinterpret_cast<const Ipv4Hdr*>(frame + off);
    uint32_t hl = ip->header_len();
    if ((ip->ver_ihl >> 4) != 4 || hl < sizeof(Ipv4Hdr) || len < off + hl) return;
    v->ip_version = 4;
    v->proto = ip->proto;
    uint16_t fo = be16(ip->frag_off);
    v->fragment = (fo & 0x2000) || (fo & 0x1fff);
    if ((fo & 0x1fff) == 0 && (v->proto == kIpProtoUdp || v->proto == kIpProtoTcp) && len >= off + hl + 4) {
      v->l4_off = off + hl;
      v->has_ports = true;
    }
  } else if (type == kEtherTypeIpv6 && len >= off + sizeof(Ipv6Hdr)) {
    auto ip = reinterpret_cast<const Ipv6Hdr*>(frame + off);
    if ((frame[off] >> 4) != 6) return;
    v->ip_version = 6;
    v->proto = ip->next_header;  // extension headers are not followed
    if ((v->proto == kIpProtoUdp || v->proto == kIpProtoTcp) && len >= off + sizeof(Ipv6Hdr) + 4) {
      v->l4_off = off + sizeof(Ipv6Hdr);
      v->has_ports = true;
    }
  }
}

}  // namespace rs
