// The header fields a packet is matched on, found once per packet and shared
// by flow matching, the RSS hash and the capture/verbose filters. Offsets are
// from the frame start; addresses and ports stay in network order where they
// lie in the frame, so finding them copies nothing.
#pragma once
#include <cstdint>
#include "packet.h"

namespace rs {

struct PacketView {
  const uint8_t* frame = nullptr;
  uint32_t len = 0;
  uint16_t ethertype = 0;   // after the VLAN tags (host order); the tag's type when a tag is truncated
  uint8_t nvlan = 0;        // VLAN/QinQ tags read (at most 2)
  uint16_t vid[2] = {0, 0}; // their VLAN ids (12 bits), outermost first
  uint8_t ip_version = 0;   // 4, 6 or 0 (not IP or truncated)
  uint8_t proto = 0;        // IPv4 protocol / IPv6 next header
  bool fragment = false;    // IPv4 fragment (MF set or offset != 0)
  uint8_t alen = 0;         // 4 or 16 when there are addresses: IP, or ARP's IPv4 sender/target
  uint16_t src_off = 0, dst_off = 0;
  uint32_t l3_off = 0;
  uint32_t l4_off = 0;      // set when ports are present (UDP/TCP, first fragment)
  bool has_ports = false;

  const uint8_t* src_addr() const { return frame + src_off; }
  const uint8_t* dst_addr() const { return frame + dst_off; }
  uint32_t addr_len() const { return alen; }
  const uint8_t* ports() const { return frame + l4_off; }  // source then destination port
};

// Never reads past len: a truncated header leaves the deeper fields unset.
// An IPv4 header counts from its first 20 bytes (addresses and protocol,
// as tcpdump reads them); its ports need a valid header length.
inline void parse_view(const uint8_t* frame, uint32_t len, PacketView* v) {
  *v = PacketView{};
  v->frame = frame;
  v->len = len;
  if (len < sizeof(EtherHdr)) return;
  // The usual frame first, every field at a fixed offset: untagged IPv4
  // without options, long enough for ports. The same result as below.
  constexpr uint32_t kPlainL4 = sizeof(EtherHdr) + sizeof(Ipv4Hdr);
  if (len >= kPlainL4 + 4 && frame[12] == 0x08 && frame[13] == 0x00 && frame[14] == 0x45) {
    auto ip = reinterpret_cast<const Ipv4Hdr*>(frame + sizeof(EtherHdr));
    v->ethertype = kEtherTypeIpv4;
    v->l3_off = sizeof(EtherHdr);
    v->ip_version = 4;
    v->alen = 4;
    v->src_off = static_cast<uint16_t>(sizeof(EtherHdr) + offsetof(Ipv4Hdr, src));
    v->dst_off = static_cast<uint16_t>(sizeof(EtherHdr) + offsetof(Ipv4Hdr, dst));
    v->proto = ip->proto;
    uint16_t fo = be16(ip->frag_off);
    v->fragment = (fo & 0x2000) || (fo & 0x1fff);
    v->has_ports = (fo & 0x1fff) == 0 && (v->proto == kIpProtoUdp || v->proto == kIpProtoTcp);
    v->l4_off = v->has_ports ? kPlainL4 : 0;
    return;
  }
  uint32_t off = sizeof(EtherHdr);
  uint16_t type = be16(reinterpret_cast<const EtherHdr*>(frame)->type);
  while ((type == kEtherTypeVlan || type == kEtherTypeQinq) && v->nvlan < 2) {
    if (len < off + sizeof(VlanHdr)) break;
    auto tag = reinterpret_cast<const VlanHdr*>(frame + off);
    v->vid[v->nvlan++] = be16(tag->tci) & 0x0fff;
    type = be16(tag->type);
    off += sizeof(VlanHdr);
  }
  v->ethertype = type;
  if (type == kEtherTypeVlan || type == kEtherTypeQinq) return;  // truncated, or a third tag
  v->l3_off = off;
  if (type == kEtherTypeIpv4 && len >= off + sizeof(Ipv4Hdr)) {
    auto ip = reinterpret_cast<const Ipv4Hdr*>(frame + off);
    if ((ip->ver_ihl >> 4) != 4) return;
    v->ip_version = 4;
    v->alen = 4;
    v->src_off = static_cast<uint16_t>(off + offsetof(Ipv4Hdr, src));
    v->dst_off = static_cast<uint16_t>(off + offsetof(Ipv4Hdr, dst));
    v->proto = ip->proto;
    uint16_t fo = be16(ip->frag_off);
    v->fragment = (fo & 0x2000) || (fo & 0x1fff);
    uint32_t hl = ip->header_len();
    if ((fo & 0x1fff) == 0 && hl >= sizeof(Ipv4Hdr) && (v->proto == kIpProtoUdp || v->proto == kIpProtoTcp) &&
        len >= off + hl + 4) {
      v->l4_off = off + hl;
      v->has_ports = true;
    }
  } else if (type == kEtherTypeIpv6 && len >= off + sizeof(Ipv6Hdr)) {
    auto ip = reinterpret_cast<const Ipv6Hdr*>(frame + off);
    if ((frame[off] >> 4) != 6) return;
    v->ip_version = 6;
    v->alen = 16;
    v->src_off = static_cast<uint16_t>(off + offsetof(Ipv6Hdr, src));
    v->dst_off = static_cast<uint16_t>(off + offsetof(Ipv6Hdr, dst));
    v->proto = ip->next_header;  // extension headers are not followed
    if ((v->proto == kIpProtoUdp || v->proto == kIpProtoTcp) && len >= off + sizeof(Ipv6Hdr) + 4) {
      v->l4_off = off + sizeof(Ipv6Hdr);
      v->has_ports = true;
    }
  } else if (type == kEtherTypeArp && len >= off + sizeof(ArpHdr)) {
    auto a = reinterpret_cast<const ArpHdr*>(frame + off);
    if (be16(a->pro) == kEtherTypeIpv4 && a->pln == 4) {
      v->alen = 4;
      v->src_off = static_cast<uint16_t>(off + offsetof(ArpHdr, sip));
      v->dst_off = static_cast<uint16_t>(off + offsetof(ArpHdr, tip));
    }
  }
}

}  // namespace rs
