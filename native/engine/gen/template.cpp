// Packet templates: see template.h. Every sum here is over 16-bit words as
// they lie in memory (packet.h explains why that is byte-order safe); values
// written into the header are big endian, so sums of be16()/be32() values
// match what a decoder sums over the wire bytes.
#include "template.h"
#include <algorithm>
#include <cstring>

namespace rs::gen {

namespace {

inline uint64_t sum32(uint32_t v) { return (v & 0xffff) + (v >> 16); }  // both halves, as in memory

uint8_t l4_proto(const TemplateSpec& s) {
  switch (s.l4) {
    case L4Kind::Udp: return kIpProtoUdp;
    case L4Kind::Tcp: return kIpProtoTcp;
    case L4Kind::Icmp: return s.l3 == L3Kind::Ipv4 ? kIpProtoIcmp : kIpProtoIcmpv6;
  }
  return kIpProtoUdp;
}

}  // namespace

FlowFields Template::base_flow() const {
  FlowFields f;
  if (spec_.l3 == L3Kind::Ipv4) {
    f.src_ip = be32(spec_.ip4_src);
    f.dst_ip = be32(spec_.ip4_dst);
  } else {
    uint32_t s, d;
    std::memcpy(&s, spec_.ip6_src.data() + 12, 4);
    std::memcpy(&d, spec_.ip6_dst.data() + 12, 4);
    f.src_ip = be32(s);
    f.dst_ip = be32(d);
  }
  f.src_port = spec_.src_port;
  f.dst_port = spec_.dst_port;
  return f;
}

void Template::build(const TemplateSpec& spec, const MacAddr& src_mac, const MacAddr& dst_mac,
                     const std::vector<uint16_t>& sizes, uint32_t max_len) {
  spec_ = spec;
  std::memset(hdr_, 0, sizeof hdr_);
  const uint16_t l3_type = spec.l3 == L3Kind::Ipv4 ? kEtherTypeIpv4 : kEtherTypeIpv6;
  const uint8_t proto = l4_proto(spec);

  // L2
  auto* eth = reinterpret_cast<EtherHdr*>(hdr_);
  std::memcpy(eth->dst, dst_mac.data(), 6);
  std::memcpy(eth->src, src_mac.data(), 6);
  uint32_t off = sizeof(EtherHdr);
  if (spec.l2 == L2Kind::None) {
    eth->type = be16(l3_type);
  } else if (spec.l2 == L2Kind::Vlan) {
    eth->type = be16(kEtherTypeVlan);
    auto* tag = reinterpret_cast<VlanHdr*>(hdr_ + off);
    tag->tci = be16(spec.vlan_tci[0]);
    tag->type = be16(l3_type);
    off += sizeof(VlanHdr);
  } else {
    eth->type = be16(kEtherTypeQinq);
    auto* s_tag = reinterpret_cast<VlanHdr*>(hdr_ + off);
    s_tag->tci = be16(spec.vlan_tci[0]);
    s_tag->type = be16(kEtherTypeVlan);
    off += sizeof(VlanHdr);
    auto* c_tag = reinterpret_cast<VlanHdr*>(hdr_ + off);
    c_tag->tci = be16(spec.vlan_tci[1]);
    c_tag->type = be16(l3_type);
    off += sizeof(VlanHdr);
  }

  // L3 (lengths stay 0 here; write() stores them per size)
  l3_off_ = off;
  if (spec.l3 == L3Kind::Ipv4) {
    auto* ip = reinterpret_cast<Ipv4Hdr*>(hdr_ + off);
    ip->ver_ihl = 0x45;
    ip->ttl = spec.ttl;
    ip->proto = proto;
    ip->src = spec.ip4_src;
    ip->dst = spec.ip4_dst;
    off += sizeof(Ipv4Hdr);
  } else {
    auto* ip = reinterpret_cast<Ipv6Hdr*>(hdr_ + off);
    ip->vtc_flow = be32(6u << 28);
    ip->next_header = proto;
    ip->hop_limit = spec.ttl;
    std::memcpy(ip->src, spec.ip6_src.data(), 16);
    std::memcpy(ip->dst, spec.ip6_dst.data(), 16);
    off += sizeof(Ipv6Hdr);
  }

  // L4 (ports, lengths, checksum and echo ident/seq are written per packet)
  l4_off_ = off;
  if (spec.l4 == L4Kind::Udp) {
    l4_hdr_len_ = sizeof(UdpHdr);
  } else if (spec.l4 == L4Kind::Tcp) {
    auto* tcp = reinterpret_cast<TcpHdr*>(hdr_ + off);
    tcp->seq = be32(1);
    tcp->ack = (spec.tcp_flags & 0x10) ? be32(1) : 0;
    tcp->data_off = 5 << 4;
    tcp->flags = spec.tcp_flags;
    tcp->window = be16(65535);
    l4_hdr_len_ = sizeof(TcpHdr);
  } else {
    auto* icmp = reinterpret_cast<IcmpHdr*>(hdr_ + off);
    icmp->type = spec.l3 == L3Kind::Ipv4 ? kIcmpEchoRequest : kIcmpv6EchoRequest;
    l4_hdr_len_ = sizeof(IcmpHdr);
  }
  hdr_len_ = off + l4_hdr_len_;

  // Payload pattern, long enough for the longest frame.
  uint32_t longest = hdr_len_;
  nb_sizes_ = 0;
  for (uint16_t sz : sizes) {
    if (nb_sizes_ == kMaxSizes) break;
    uint32_t len = std::clamp<uint32_t>(sz, hdr_len_, std::max(max_len, hdr_len_));
    sizes_[nb_sizes_++].len = static_cast<uint16_t>(len);
    longest = std::max(longest, len);
  }
  if (nb_sizes_ == 0) sizes_[nb_sizes_++].len = static_cast<uint16_t>(std::max<uint32_t>(64, hdr_len_));
  for (uint32_t k = 0; k < nb_sizes_; k++) longest = std::max<uint32_t>(longest, sizes_[k].len);
  payload_.assign(longest - hdr_len_, 0);
  uint32_t rnd = 0x9e3779b9;  // xorshift32: "random" is drawn once, so checksums stay precomputed
  for (std::size_t i = 0; i < payload_.size(); i++) {
    switch (spec.payload) {
      case PayloadKind::Zero: break;
      case PayloadKind::Inc: payload_[i] = static_cast<uint8_t>(i); break;
      case PayloadKind::Fixed: payload_[i] = spec.payload_byte; break;
      case PayloadKind::Random:
        rnd ^= rnd << 13;
        rnd ^= rnd >> 17;
        rnd ^= rnd << 5;
        payload_[i] = static_cast<uint8_t>(rnd);
        break;
    }
  }

  // Constant sums per size.
  for (uint32_t k = 0; k < nb_sizes_; k++) {
    Size& z = sizes_[k];
    const uint32_t l3_len = z.len - l3_off_;
    const uint32_t l4_len = z.len - l4_off_;
    const uint32_t pay_len = z.len - hdr_len_;
    z.stamp = spec.stamp && pay_len >= sizeof(Stamp);
    z.ip_sum = 0;
    uint64_t l4 = 0;
    if (spec.l3 == L3Kind::Ipv4) {
      // ver_ihl/tos, total_len, id, frag_off, ttl/proto: words 0..4 of the header.
      const uint8_t* ip = hdr_ + l3_off_;
      z.ip_sum = cksum_add(ip, 10) + be16(static_cast<uint16_t>(l3_len));
      if (proto != kIpProtoIcmp) l4 += be16(proto) + be16(static_cast<uint16_t>(l4_len));
    } else {
      // High 96 bits of each address are constant; the low 32 vary with flows.
      const auto* ip = reinterpret_cast<const Ipv6Hdr*>(hdr_ + l3_off_);
      l4 += cksum_add(ip->src, 12) + cksum_add(ip->dst, 12);
      l4 += be16(static_cast<uint16_t>(l4_len >> 16)) + be16(static_cast<uint16_t>(l4_len)) + be16(proto);
    }
    const uint8_t* h4 = hdr_ + l4_off_;
    if (spec.l4 == L4Kind::Udp) {
      l4 += be16(static_cast<uint16_t>(l4_len));  // the UDP length field
    } else if (spec.l4 == L4Kind::Tcp) {
      l4 += cksum_add(h4 + 4, 12) + cksum_add(h4 + 18, 2);  // seq..window, urgent
    } else {
      l4 += cksum_add(h4, 2);  // type, code
    }
    const uint32_t skip = z.stamp ? sizeof(Stamp) : 0;
    if (pay_len > skip) l4 += cksum_add(payload_.data() + skip, pay_len - skip);
    z.l4_sum = l4;
  }
}

void Template::write(Mbuf* m, uint32_t k, const FlowFields& flow, uint16_t src_id, uint32_t seq,
                     uint64_t ts_ns) const {
  const Size& z = sizes_[k];
  uint8_t* d = m->data();
  std::memcpy(d, hdr_, hdr_len_);
  std::memcpy(d + hdr_len_, payload_.data(), z.len - hdr_len_);
  m->data_len = z.len;

  uint64_t addr_sum;
  if (spec_.l3 == L3Kind::Ipv4) {
    auto* ip = reinterpret_cast<Ipv4Hdr*>(d + l3_off_);
    ip->total_len = be16(static_cast<uint16_t>(z.len - l3_off_));
    ip->src = be32(flow.src_ip);
    ip->dst = be32(flow.dst_ip);
    addr_sum = sum32(ip->src) + sum32(ip->dst);
    ip->csum = static_cast<uint16_t>(~cksum_fold(z.ip_sum + addr_sum));
  } else {
    auto* ip = reinterpret_cast<Ipv6Hdr*>(d + l3_off_);
    ip->payload_len = be16(static_cast<uint16_t>(z.len - l4_off_));
    uint32_t s = be32(flow.src_ip), t = be32(flow.dst_ip);
    std::memcpy(ip->src + 12, &s, 4);
    std::memcpy(ip->dst + 12, &t, 4);
    addr_sum = sum32(s) + sum32(t);
  }

  uint64_t sum = z.l4_sum;
  uint8_t* l4 = d + l4_off_;
  uint32_t csum_off;  // of the checksum field within the L4 header
  if (spec_.l4 == L4Kind::Udp || spec_.l4 == L4Kind::Tcp) {
    uint16_t sp = be16(flow.src_port), dp = be16(flow.dst_port);
    std::memcpy(l4, &sp, 2);
    std::memcpy(l4 + 2, &dp, 2);
    sum += sp + dp + addr_sum;
    if (spec_.l4 == L4Kind::Udp) {
      reinterpret_cast<UdpHdr*>(l4)->len = be16(static_cast<uint16_t>(z.len - l4_off_));
      csum_off = offsetof(UdpHdr, csum);
    } else {
      csum_off = offsetof(TcpHdr, csum);
    }
  } else {
    auto* ic = reinterpret_cast<IcmpHdr*>(l4);
    ic->ident = be16(src_id);
    ic->seq = be16(static_cast<uint16_t>(seq));
    sum += ic->ident + ic->seq;
    if (spec_.l3 == L3Kind::Ipv6) sum += addr_sum;  // ICMPv6 has a pseudo-header, ICMP has none
    csum_off = offsetof(IcmpHdr, csum);
  }
  if (z.stamp) {
    Stamp st{be16(kStampMagic), be16(src_id), be32(seq), 0};
    const uint64_t t = ts_ns;
    uint32_t hi = be32(static_cast<uint32_t>(t >> 32)), lo = be32(static_cast<uint32_t>(t));
    std::memcpy(reinterpret_cast<uint8_t*>(&st) + 8, &hi, 4);
    std::memcpy(reinterpret_cast<uint8_t*>(&st) + 12, &lo, 4);
    std::memcpy(d + hdr_len_, &st, sizeof st);
    sum += cksum_add(&st, sizeof st);
  }
  uint16_t c = static_cast<uint16_t>(~cksum_fold(sum));
  if (spec_.l4 == L4Kind::Udp && c == 0) c = 0xffff;
  std::memcpy(l4 + csum_off, &c, 2);
}

bool find_stamp(const uint8_t* frame, uint32_t len, Stamp* out) {
  uint16_t type = 0;
  uint32_t off = l2_parse(frame, len, &type);
  if (off == 0) return false;
  uint8_t proto;
  uint32_t end = len;
  if (type == kEtherTypeIpv4) {
    if (len < off + sizeof(Ipv4Hdr)) return false;
    const auto* ip = reinterpret_cast<const Ipv4Hdr*>(frame + off);
    if ((ip->ver_ihl >> 4) != 4 || ip->header_len() < 20 || ip->fragment_offset() != 0) return false;
    end = std::min<uint32_t>(len, off + be16(ip->total_len));
    proto = ip->proto;
    off += ip->header_len();
  } else if (type == kEtherTypeIpv6) {
    if (len < off + sizeof(Ipv6Hdr)) return false;
    const auto* ip = reinterpret_cast<const Ipv6Hdr*>(frame + off);
    proto = ip->next_header;
    off += sizeof(Ipv6Hdr);
  } else {
    return false;
  }
  if (proto == kIpProtoUdp) {
    off += sizeof(UdpHdr);
  } else if (proto == kIpProtoTcp) {
    if (end < off + sizeof(TcpHdr)) return false;
    off += (reinterpret_cast<const TcpHdr*>(frame + off)->data_off >> 4) * 4u;
  } else if (proto == kIpProtoIcmp || proto == kIpProtoIcmpv6) {
    off += sizeof(IcmpHdr);
  } else {
    return false;
  }
  if (end < off + sizeof(Stamp)) return false;
  std::memcpy(out, frame + off, sizeof(Stamp));
  if (be16(out->magic) != kStampMagic) return false;
  out->src = be16(out->src);
  out->seq = be32(out->seq);
  uint32_t hi, lo;
  std::memcpy(&hi, frame + off + 8, 4);
  std::memcpy(&lo, frame + off + 12, 4);
  out->ts_ns = (static_cast<uint64_t>(be32(hi)) << 32) | be32(lo);
  return true;
}

}  // namespace rs::gen
