// The header fields a packet is matched on, found once per packet and shared
// by flow matching, the RSS hash and the capture/verbose filters. Offsets are
// from the frame start; addresses and ports stay in network order where they
// lie in the frame, so finding them copies nothing.
#pragma once
#include <cstdint>
#include <cstring>
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

// The usual frame, untagged IPv4 without options and long enough for ports,
// seen at fixed offsets: the fields PacketView has, under the same names, the
// ones that cannot vary constant. parse_view starts from it, and the capture
// filter's untagged IPv4 layout (capture/filter_shapes.h) is the frames it fits.
struct PlainIpv4View {
  static constexpr uint32_t kL3 = sizeof(EtherHdr), kL4 = kL3 + sizeof(Ipv4Hdr);
  static constexpr uint16_t ethertype = kEtherTypeIpv4;
  static constexpr uint8_t nvlan = 0, ip_version = 4, alen = 4;
  static constexpr uint16_t vid[2] = {0, 0};

  // Ethertype 0x0800 then version 4 with a 5-word header: bytes 12..14
  // compared as one word (the byte after them is masked off).
  static bool fits(const uint8_t* frame, uint32_t len) {
    constexpr uint8_t kWant[4] = {0x08, 0x00, 0x45, 0x00}, kMask[4] = {0xff, 0xff, 0xff, 0x00};
    if (len < kL4 + 4) return false;
    uint32_t w, want, mask;
    std::memcpy(&w, frame + 12, 4);
    std::memcpy(&want, kWant, 4);
    std::memcpy(&mask, kMask, 4);
    return (w & mask) == want;
  }
  explicit PlainIpv4View(const uint8_t* f)
      : frame(f), proto(ip()->proto), fragment(be16(ip()->frag_off) & 0x3fff),
        has_ports(ip()->fragment_offset() == 0 && (proto == kIpProtoUdp || proto == kIpProtoTcp)) {}

  const uint8_t* frame;
  uint8_t proto;
  bool fragment;  // MF set or offset != 0
  bool has_ports;
  const Ipv4Hdr* ip() const { return reinterpret_cast<const Ipv4Hdr*>(frame + kL3); }
  const uint8_t* src_addr() const { return frame + kL3 + offsetof(Ipv4Hdr, src); }
  const uint8_t* dst_addr() const { return frame + kL3 + offsetof(Ipv4Hdr, dst); }
  const uint8_t* ports() const { return frame + kL4; }
};

// Never reads past len: a truncated header leaves the deeper fields unset.
// An IPv4 header counts from its first 20 bytes (addresses and protocol,
// as tcpdump reads them); its ports need a valid header length.
inline void parse_view(const uint8_t* frame, uint32_t len, PacketView* v) {
  *v = PacketView{};
  v->frame = frame;
  v->len = len;
  if (len < sizeof(EtherHdr)) return;
  if (PlainIpv4View::fits(frame, len)) {
    PlainIpv4View p(frame);
    v->ethertype = p.ethertype;
    v->l3_off = p.kL3;
    v->ip_version = p.ip_version;
    v->alen = p.alen;
    v->src_off = static_cast<uint16_t>(p.src_addr() - frame);
    v->dst_off = static_cast<uint16_t>(p.dst_addr() - frame);
    v->proto = p.proto;
    v->fragment = p.fragment;
    v->has_ports = p.has_ports;
    v->l4_off = p.has_ports ? p.kL4 : 0;
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
