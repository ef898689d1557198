#include "decode.h"
#include <arpa/inet.h>
#include <cstdio>
#include <cstring>
#include "../packet.h"

namespace rs {
namespace {

constexpr uint8_t kIpProtoIcmp6 = 58;
constexpr uint8_t kIpv6HopByHop = 0, kIpv6Routing = 43, kIpv6Fragment = 44, kIpv6DestOpts = 60;
constexpr uint16_t kVxlanPort = 4789;
constexpr uint32_t kVxlanHdrLen = 8;

std::string ip4s(const void* a) {
  char b[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, a, b, sizeof b);
  return b;
}
std::string ip6s(const void* a) {
  char b[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, a, b, sizeof b);
  return b;
}
std::string macs(const uint8_t* m) {
  char b[18];
  std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return b;
}
std::string hex(uint32_t v, int width) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%0*x", width, v);
  return b;
}
uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t rd32(const uint8_t* p) { return static_cast<uint32_t>(rd16(p)) << 16 | rd16(p + 2); }

// Where decoding stops: "[truncated IPv4 header at byte 14]".
std::string cut(const std::string& what, uint32_t off) {
  return "[truncated " + what + " at byte " + std::to_string(off) + "]";
}

// tcpdump's letters, in its order.
std::string tcp_flags(uint8_t f) {
  std::string s;
  if (f & 0x02) s += 'S';
  if (f & 0x01) s += 'F';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x20) s += 'U';
  if (f & 0x40) s += 'E';
  if (f & 0x80) s += 'W';
  if (f & 0x10) s += '.';
  return s.empty() ? "none" : s;
}

const char* icmp6_name(uint8_t type) {
  switch (type) {
    case 1: return "destination unreachable";
    case 2: return "packet too big";
    case 3: return "time exceeded in-transit";
    case 128: return "echo request";
    case 129: return "echo reply";
    case 133: return "router solicitation";
    case 134: return "router advertisement";
    case 135: return "neighbor solicitation";
    case 136: return "neighbor advertisement";
    default: return nullptr;
  }
}

// One frame, outer or (inside VXLAN) inner; the summary is appended to out.
class Decoder {
 public:
  Decoder(const uint8_t* p, uint32_t caplen, uint32_t origlen, DecodedPacket& d)
      : p_(p), cap_(caplen), orig_(origlen), d_(d) {}

  void frame(uint32_t off, std::string& out) {
    if (cap_ < off + sizeof(EtherHdr)) {
      out += cut("Ethernet header", off);
      return;
    }
    const EtherHdr* e = reinterpret_cast<const EtherHdr*>(p_ + off);
    if (!inner_) {
      d_.src_mac = macs(e->src);
      d_.dst_mac = macs(e->dst);
    }
    uint32_t start = off;
    uint16_t type = be16(e->type);
    off += sizeof(EtherHdr);
    int tags = 0;
    for (; tags < 2 && (type == kEtherTypeVlan || type == kEtherTypeQinq); tags++) {
      if (cap_ < off + sizeof(VlanHdr)) {
        out += "vlan " + cut("VLAN tag", off);
        return;
      }
      const VlanHdr* v = reinterpret_cast<const VlanHdr*>(p_ + off);
      uint16_t tci = be16(v->tci);
      out += "vlan " + std::to_string(tci & 0xfff) + ", p " + std::to_string(tci >> 13) + ", ";
      type = be16(v->type);
      off += sizeof(VlanHdr);
    }
    if (!inner_) {
      d_.ethertype = type;
      d_.l2_len = off;
    }
    ptype(type == kEtherTypeArp ? "L2_ETHER_ARP" : tags == 0 ? "L2_ETHER" : tags == 1 ? "L2_ETHER_VLAN" : "L2_ETHER_QINQ");
    if (type == kEtherTypeIpv4) return ipv4(off, out);
    if (type == kEtherTypeIpv6) return ipv6(off, out);
    if (type == kEtherTypeArp) return arp(off, out);
    out += macs(e->src) + " > " + macs(e->dst) + ", ethertype " + hex(type, 4) + ", length " +
           std::to_string(orig_ - start);
  }

 private:
  void ptype(const std::string& word) {
    if (!d_.ptype.empty()) d_.ptype += ' ';
    d_.ptype += (inner_ ? "INNER_" : "") + word;
  }
  void lengths(uint32_t l3, uint32_t l4) {
    if (inner_) return;
    d_.l3_len = l3;
    d_.l4_len = l4;
  }

  void arp(uint32_t off, std::string& out) {
    if (cap_ < off + sizeof(ArpHdr)) {
      out += "ARP, " + cut("ARP header", off);
      return;
    }
    const ArpHdr* a = reinterpret_cast<const ArpHdr*>(p_ + off);
    uint16_t op = be16(a->op);
    std::string len = ", length " + std::to_string(orig_ - off);  // tcpdump: the ARP part, padding included
    if (op == kArpOpRequest) out += "ARP, Request who-has " + ip4s(&a->tip) + " tell " + ip4s(&a->sip) + len;
    else if (op == kArpOpReply) out += "ARP, Reply " + ip4s(&a->sip) + " is-at " + macs(a->sha) + len;
    else out += "ARP, op " + std::to_string(op) + len;
  }

  void ipv4(uint32_t off, std::string& out) {
    if (cap_ < off + sizeof(Ipv4Hdr)) {
      out += "IP " + cut("IPv4 header", off);
      return;
    }
    const Ipv4Hdr* ip = reinterpret_cast<const Ipv4Hdr*>(p_ + off);
    uint32_t hl = ip->header_len();
    if ((ip->ver_ihl >> 4) != 4 || hl < sizeof(Ipv4Hdr)) {
      out += "IP [bad IPv4 version/header length " + hex(ip->ver_ihl, 2) + " at byte " + std::to_string(off) + "]";
      return;
    }
    if (cap_ < off + hl) {
      out += "IP " + cut("IPv4 options", off + sizeof(Ipv4Hdr));
      return;
    }
    ptype(hl > sizeof(Ipv4Hdr) ? "L3_IPV4_EXT" : "L3_IPV4");
    uint32_t total = be16(ip->total_len);
    L3 l3{"IP ", ip4s(&ip->src), ip4s(&ip->dst), ""};
    if (ip->fragment_offset() != 0) {
      ptype("L4_FRAG");
      lengths(hl, 0);
      out += l3.who() + "ip-proto-" + std::to_string(ip->proto) + " (fragment offset " +
             std::to_string(ip->fragment_offset() * 8) + ")";
      return;
    }
    transport(ip->proto, l3, off + hl, hl, total > hl ? total - hl : 0, out);
  }

  void ipv6(uint32_t off, std::string& out) {
    if (cap_ < off + sizeof(Ipv6Hdr)) {
      out += "IP6 " + cut("IPv6 header", off);
      return;
    }
    const Ipv6Hdr* ip = reinterpret_cast<const Ipv6Hdr*>(p_ + off);
    L3 l3{"IP6 ", ip6s(ip->src), ip6s(ip->dst), ""};
    uint8_t nh = ip->next_header;
    uint32_t pos = off + sizeof(Ipv6Hdr);
    bool ext = false;
    while (nh == kIpv6HopByHop || nh == kIpv6Routing || nh == kIpv6Fragment || nh == kIpv6DestOpts) {
      const char* name = nh == kIpv6HopByHop ? "hop-by-hop" : nh == kIpv6Routing ? "routing"
                       : nh == kIpv6Fragment ? "fragment" : "dest-opts";
      if (cap_ < pos + 8) {
        out += l3.who() + (l3.ext.empty() ? "" : l3.ext + "] ") + cut(std::string("IPv6 ") + name + " header", pos);
        return;
      }
      const uint8_t* h = p_ + pos;
      uint32_t len = nh == kIpv6Fragment ? 8u : (h[1] + 1u) * 8u;
      std::string note = name;
      if (nh == kIpv6Routing) note += " type " + std::to_string(h[2]) + " segleft " + std::to_string(h[3]);
      uint16_t frag_off = 0;
      if (nh == kIpv6Fragment) {
        frag_off = rd16(h + 2) & 0xfff8;
        note += " offset " + std::to_string(frag_off) + " id " + hex(rd32(h + 4), 8) + ((h[3] & 1) ? " more" : "");
      }
      l3.ext += (l3.ext.empty() ? "[" : ", ") + note;
      if (cap_ < pos + len) {
        out += l3.who() + l3.ext + "] " + cut(std::string("IPv6 ") + name + " header", pos);
        return;
      }
      ext = true;
      nh = h[0];
      pos += len;
      if (frag_off != 0) {
        ptype("L3_IPV6_EXT");
        ptype("L4_FRAG");
        lengths(pos - off, 0);
        out += l3.who() + l3.ext + "] ip-proto-" + std::to_string(nh);
        return;
      }
    }
    if (ext) l3.ext += "] ";
    ptype(ext ? "L3_IPV6_EXT" : "L3_IPV6");
    uint32_t plen = be16(ip->payload_len), hdrs = pos - off - sizeof(Ipv6Hdr);
    transport(nh, l3, pos, pos - off, plen > hdrs ? plen - hdrs : 0, out);
  }

  // The network layer's words for the transport part.
  struct L3 {
    const char* ip;  // "IP " or "IP6 "
    std::string src, dst, ext;  // ext: IPv6 extension headers, "[hop-by-hop, ...] "
    std::string who() const { return ip + src + " > " + dst + ": "; }
    std::string ports(uint16_t sp, uint16_t dp) const {
      return ip + src + "." + std::to_string(sp) + " > " + dst + "." + std::to_string(dp) + ": " + ext;
    }
  };

  void transport(uint8_t proto, const L3& l3, uint32_t off, uint32_t l3_len, uint32_t l4_len, std::string& out) {
    bool v6 = l3.ip[2] == '6';
    if (proto == kIpProtoUdp) return udp(l3, off, l3_len, out);
    if (proto == kIpProtoTcp) return tcp(l3, off, l3_len, l4_len, out);
    lengths(l3_len, 0);
    if (proto == kIpProtoIcmp && !v6) return icmp(l3, off, l4_len, out);
    if (proto == kIpProtoIcmp6 && v6) return icmp6(l3, off, l4_len, out);
    out += l3.who() + l3.ext + "ip-proto-" + std::to_string(proto) + " " + std::to_string(l4_len);
  }

  // A cut UDP/TCP header: its ports when they are there, then where it stops.
  void cut_l4(const L3& l3, uint32_t off, const char* name, std::string& out) {
    out += cap_ >= off + 4 ? l3.ports(rd16(p_ + off), rd16(p_ + off + 2)) : l3.who() + l3.ext;
    out += std::string(name) + " " + cut(std::string(name) + " header", off);
  }

  void udp(const L3& l3, uint32_t off, uint32_t l3_len, std::string& out) {
    ptype("L4_UDP");
    lengths(l3_len, sizeof(UdpHdr));
    if (cap_ < off + sizeof(UdpHdr)) return cut_l4(l3, off, "UDP", out);
    const UdpHdr* u = reinterpret_cast<const UdpHdr*>(p_ + off);
    uint16_t dport = be16(u->dst_port);
    out += l3.ports(be16(u->src_port), dport);
    if (dport == kVxlanPort && !inner_) return vxlan(off + sizeof(UdpHdr), out);
    uint32_t ulen = be16(u->len);
    out += "UDP, length " + std::to_string(ulen >= sizeof(UdpHdr) ? ulen - sizeof(UdpHdr) : 0);
  }

  void vxlan(uint32_t off, std::string& out) {
    if (cap_ < off + kVxlanHdrLen) {
      out += "VXLAN " + cut("VXLAN header", off);
      return;
    }
    const uint8_t* v = p_ + off;
    out += "VXLAN, flags [" + std::string((v[0] & 0x08) ? "I" : ".") + "] (" + hex(v[0], 2) + "), vni " +
           std::to_string(rd32(v + 4) >> 8) + ": ";
    d_.ptype += " TUNNEL_VXLAN";
    inner_ = true;
    frame(off + kVxlanHdrLen, out);
  }

  void tcp(const L3& l3, uint32_t off, uint32_t l3_len, uint32_t l4_len, std::string& out) {
    ptype("L4_TCP");
    if (cap_ < off + sizeof(TcpHdr)) {
      lengths(l3_len, 0);
      return cut_l4(l3, off, "TCP", out);
    }
    const TcpHdr* t = reinterpret_cast<const TcpHdr*>(p_ + off);
    uint32_t hl = (t->data_off >> 4) * 4u;
    lengths(l3_len, hl);
    out += l3.ports(be16(t->src_port), be16(t->dst_port)) + "Flags [" + tcp_flags(t->flags) + "], seq " +
           std::to_string(be32(t->seq));
    if (t->flags & 0x10) out += ", ack " + std::to_string(be32(t->ack));
    out += ", win " + std::to_string(be16(t->window)) + ", length " + std::to_string(l4_len > hl ? l4_len - hl : 0);
  }

  void icmp(const L3& l3, uint32_t off, uint32_t l4_len, std::string& out) {
    ptype("L4_ICMP");
    if (cap_ < off + 4) {
      out += l3.who() + "ICMP " + cut("ICMP header", off);
      return;
    }
    const IcmpHdr* c = reinterpret_cast<const IcmpHdr*>(p_ + off);
    std::string what;
    if ((c->type == kIcmpEchoRequest || c->type == kIcmpEchoReply) && cap_ >= off + sizeof(IcmpHdr))
      what = std::string(c->type == kIcmpEchoRequest ? "echo request" : "echo reply") + ", id " +
             std::to_string(be16(c->ident)) + ", seq " + std::to_string(be16(c->seq));
    else if (c->type == 3) what = "destination unreachable, code " + std::to_string(c->code);
    else if (c->type == 11) what = "time exceeded, code " + std::to_string(c->code);
    else what = "type " + std::to_string(c->type) + ", code " + std::to_string(c->code);
    out += l3.who() + "ICMP " + what + ", length " + std::to_string(l4_len);
  }

  void icmp6(const L3& l3, uint32_t off, uint32_t l4_len, std::string& out) {
    ptype("L4_ICMP");
    if (cap_ < off + 4) {
      out += l3.who() + l3.ext + "ICMP6 " + cut("ICMPv6 header", off);
      return;
    }
    const uint8_t* c = p_ + off;
    const char* name = icmp6_name(c[0]);
    std::string what = name ? name : "type " + std::to_string(c[0]);
    if ((c[0] == 128 || c[0] == 129) && cap_ >= off + 8)
      what += ", id " + std::to_string(rd16(c + 4)) + ", seq " + std::to_string(rd16(c + 6));
    else if ((c[0] == 135 || c[0] == 136) && cap_ >= off + 24)
      what += (c[0] == 135 ? ", who has " : ", tgt is ") + ip6s(c + 8);
    out += l3.who() + l3.ext + "ICMP6, " + what + ", length " + std::to_string(l4_len);
  }

  const uint8_t* p_;
  uint32_t cap_, orig_;
  DecodedPacket& d_;
  bool inner_ = false;
};

}  // namespace

DecodedPacket decode_packet(const uint8_t* p, uint32_t caplen, uint32_t origlen) {
  DecodedPacket d;
  if (origlen < caplen) origlen = caplen;
  Decoder(p, caplen, origlen, d).frame(0, d.summary);
  return d;
}

std::string describe_packet(const uint8_t* p, uint32_t caplen, uint32_t origlen) {
  return decode_packet(p, caplen, origlen).summary;
}

std::vector<std::string> hex_dump(const uint8_t* p, uint32_t len) {
  std::vector<std::string> lines;
  for (uint32_t off = 0; off < len; off += 16) {
    char line[96];
    int n = std::snprintf(line, sizeof line, "%04x ", off);
    std::string ascii;
    for (uint32_t i = 0; i < 16; i++) {
      if (off + i < len) {
        uint8_t b = p[off + i];
        n += std::snprintf(line + n, sizeof line - n, " %02x", b);
        ascii += (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.';
      } else {
        n += std::snprintf(line + n, sizeof line - n, "   ");
      }
    }
    lines.push_back(std::string(line) + "   " + ascii);
  }
  return lines;
}

}  // namespace rs
