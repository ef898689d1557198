#include "decode.h"
#include <arpa/inet.h>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include "../linktype.h"
#include "../packet.h"
#include "../queue_info.h"

namespace rs {
namespace {

constexpr uint8_t kIpProtoDccp = 33;
constexpr uint16_t kEtherTypeRarp = 0x8035;
constexpr uint16_t kMaxLengthField = 1500;  // an Ethernet type field this small is an 802.3 length
constexpr uint8_t kSapSnap = 0xaa, kSapStp = 0x42, kLlcUi = 0x03;
constexpr uint8_t kIpv6HopByHop = 0, kIpv6Routing = 43, kIpv6Fragment = 44, kIpv6DestOpts = 60;
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

// tcpdump's letters, in the order of its table (print-tcp.c): FIN SYN RST
// PSH ACK URG ECE CWR, so SYN+ACK+CWR is "S.W".
std::string tcp_flags(uint8_t f) {
  static const char kLetters[] = {'F', 'S', 'R', 'P', '.', 'U', 'E', 'W'};  // bit 0 .. bit 7
  std::string s;
  for (int bit = 0; bit < 8; bit++)
    if (f & (1u << bit)) s += kLetters[bit];
  return s.empty() ? "none" : s;
}

// The names tcpdump gives (print-llc.c, oui.c, ethertype.h), for the few
// that LLC/SNAP frames on a LAN carry.
const char* sap_name(uint8_t sap) {
  switch (sap) {
    case 0x00: return "Null";
    case 0x06: return "IP";
    case kSapStp: return "STP";
    case kSapSnap: return "SNAP";
    case 0xe0: return "IPX";
    case 0xf0: return "NetBeui";
    case 0xfe: return "OSI";
    case 0xff: return "Global";
    default: return "Unknown";
  }
}
const char* oui_name(uint32_t oui) {
  switch (oui) {
    case 0x000000: return "Ethernet";
    case 0x00000c: return "Cisco";
    case 0x000081: return "Nortel Networks SONMP";
    case 0x0000f8: return "Cisco bridged";
    case 0x0080c2: return "Ethernet bridged";
    case 0x080007: return "Appletalk";
    default: return "Unknown";
  }
}
const char* ethertype_name(uint16_t type) {
  switch (type) {
    case kEtherTypeIpv4: return "IPv4";
    case kEtherTypeArp: return "ARP";
    case kEtherTypeRarp: return "Reverse ARP";
    case kEtherTypeIpv6: return "IPv6";
    case kEtherTypeVlan: return "802.1Q";
    case kEtherTypeQinq: return "802.1Q-QinQ";
    case 0x809b: return "Appletalk";
    case 0x80f3: return "AARP";
    case 0x8137: return "IPX";
    case 0x8847: return "MPLS unicast";
    case 0x8848: return "MPLS multicast";
    case 0x88cc: return "LLDP";
    default: return "Unknown";
  }
}
const char* cisco_pid_name(uint16_t pid) {
  switch (pid) {
    case 0x2000: return "CDP";
    case 0x2003: return "VTP";
    case 0x2004: return "DTP";
    case 0x010b: return "PVST";
    case 0x0111: return "UDLD";
    default: return "Unknown";
  }
}
const char* sctp_chunk_name(uint8_t type) {
  static const char* const kNames[] = {"DATA", "INIT", "INIT ACK", "SACK", "HB REQ", "HB ACK", "ABORT", "SHUTDOWN",
                                       "SHUTDOWN ACK", "OP ERR", "COOKIE ECHO", "COOKIE ACK", "ECN ECHO", "ECN CWR",
                                       "SHUTDOWN COMPLETE"};
  return type < sizeof kNames / sizeof kNames[0] ? kNames[type] : nullptr;
}
const char* dccp_type_name(uint8_t type) {
  static const char* const kNames[] = {"Request", "Response", "Data", "Ack", "DataAck", "CloseReq", "Close", "Reset",
                                       "Sync", "SyncAck"};
  return type < sizeof kNames / sizeof kNames[0] ? kNames[type] : "Invalid";
}

// A link-layer address of any length: tcpdump's colon-separated hex.
std::string hw_addr(const uint8_t* a, uint32_t n) { return hex_bytes(a, n, ':'); }

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

  // An Ethernet frame at off.
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
    link(be16(e->type), off + sizeof(EtherHdr), off, e, out);
  }

  // A record of another link type: its header, then what it carries.
  void record(uint32_t linktype, std::string& out) {
    NetworkLayer nl;
    if (!network_layer(linktype, p_, cap_, &nl)) {
      uint32_t hdr = link_header_len(linktype);
      if (cap_ < std::max(hdr, 1u)) out += cut(std::string(linktype_name(linktype)) + " header", 0);
      else if (hdr) out += "[unknown address family at byte 0]";  // loopback; the cooked headers always parse
      else out += "[IP version " + std::to_string(p_[0] >> 4) + " at byte 0, neither 4 nor 6]";
      return;
    }
    // tcpdump names the interface of a cooked v2 record even without -e.
    if (linktype == kLinktypeSll2) out += "ifindex " + std::to_string(rd32(p_ + 4)) + " ";
    // Cooked captures carry 802.2 LLC as protocol 4 (LINUX_SLL_P_802_2).
    bool sll = linktype == kLinktypeSll || linktype == kLinktypeSll2;
    if (sll && nl.ethertype == 0x0004) return llc(nl.offset, orig_ - nl.offset, nullptr, out);
    link(nl.ethertype, nl.offset, 0, nullptr, out);
  }

 private:
  // What follows a link-layer type field at off: VLAN tags, then the network
  // layer. e: the Ethernet header (for the MACs), null for other link types.
  void link(uint16_t type, uint32_t off, uint32_t start, const EtherHdr* e, std::string& out) {
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
    if (e) ptype(type == kEtherTypeArp ? "L2_ETHER_ARP" : tags == 0 ? "L2_ETHER" : tags == 1 ? "L2_ETHER_VLAN" : "L2_ETHER_QINQ");
    if (type == kEtherTypeIpv4) return ipv4(off, out);
    if (type == kEtherTypeIpv6) return ipv6(off, out);
    if (type == kEtherTypeArp || type == kEtherTypeRarp) return arp(off, out);
    if (type <= kMaxLengthField && e) return llc(off, type, e, out);
    if (e) out += macs(e->src) + " > " + macs(e->dst) + ", ";
    out += "ethertype " + hex(type, 4) + ", length " + std::to_string(orig_ - start);
  }

  // 802.2 LLC after an 802.3 length field (len: the field's value), named as
  // tcpdump -e names it; SNAP with the Ethernet OUI goes on to the network
  // layer, STP says which BPDU.
  void llc(uint32_t off, uint32_t len, const EtherHdr* e, std::string& out) {
    if (e) out += macs(e->src) + " > " + macs(e->dst) + ", ";
    out += "802.3, length " + std::to_string(len) + ": ";
    if (cap_ >= off + 2 && p_[off] == 0xff && p_[off + 1] == 0xff) {  // Novell's raw 802.3: IPX with no LLC
      out += "IPX";
      return;
    }
    if (cap_ < off + 3) {
      out += cut("LLC header", off);
      return;
    }
    uint8_t dsap = p_[off], ssap = p_[off + 1], ctrl = p_[off + 2];
    uint32_t hdr = (ctrl & 3) == 3 ? 3 : 4;  // U frames: 1 control byte; I and S frames: 2
    if (cap_ < off + hdr) {
      out += cut("LLC header", off);
      return;
    }
    char sap[64];
    std::snprintf(sap, sizeof sap, "dsap %s (0x%02x) %s, ", sap_name(dsap & 0xfe), dsap & 0xfe, (dsap & 1) ? "Group" : "Individual");
    out += std::string("LLC, ") + sap;
    std::snprintf(sap, sizeof sap, "ssap %s (0x%02x) %s, ", sap_name(ssap & 0xfe), ssap & 0xfe, (ssap & 1) ? "Response" : "Command");
    out += sap;
    out += "ctrl " + (hdr == 3 ? hex(ctrl, 2) : hex(static_cast<uint32_t>(p_[off + 3]) << 8 | ctrl, 4));
    uint32_t rest = len > hdr ? len - hdr : 0;
    if (dsap == kSapSnap && ssap == kSapSnap && ctrl == kLlcUi) return snap(off + hdr, rest, out);
    if (dsap == kSapStp && ssap == kSapStp) return stp(off + hdr, rest, out);
  }

  void snap(uint32_t off, uint32_t len, std::string& out) {
    if (cap_ < off + 5) {
      out += ": " + cut("SNAP header", off);
      return;
    }
    uint32_t oui = static_cast<uint32_t>(p_[off]) << 16 | rd16(p_ + off + 1);
    uint16_t pid = rd16(p_ + off + 3);
    char b[128];
    bool ethertype = oui == 0x000000 || oui == 0x0000f8;  // RFC 1042 / 802.1H: the pid is an Ethernet type
    std::snprintf(b, sizeof b, ": oui %s (0x%06x), %s %s (0x%04x), length %u", oui_name(oui), oui,
                  ethertype ? "ethertype" : "pid", ethertype ? ethertype_name(pid) : oui == 0x00000c ? cisco_pid_name(pid) : "Unknown",
                  pid, len > 5 ? len - 5 : 0);
    out += b;
    if (ethertype && (pid == kEtherTypeIpv4 || pid == kEtherTypeIpv6 || pid == kEtherTypeArp)) {
      out += ": ";
      link(pid, off + 5, off + 5, nullptr, out);
    }
  }

  void stp(uint32_t off, uint32_t len, std::string& out) {
    if (cap_ < off + 4) {
      out += ": " + cut("STP BPDU", off);
      return;
    }
    uint8_t version = p_[off + 2], type = p_[off + 3];
    const char* v = version == 0 ? "STP 802.1d" : version == 2 ? "RSTP 802.1w" : version == 3 ? "MSTP 802.1s" : nullptr;
    const char* t = type == 0x00 ? "Config" : type == 0x80 ? "Topology Change" : type == 0x02 ? "Rapid STP" : nullptr;
    out += ": " + (v ? std::string(v) : "STP version " + std::to_string(version)) + ", " +
           (t ? std::string(t) : "BPDU type " + hex(type, 2)) + ", length " + std::to_string(len);
  }

  void ptype(const std::string& word) {
    if (!d_.ptype.empty()) d_.ptype += ' ';
    d_.ptype += (inner_ ? "INNER_" : "") + word;
  }
  void lengths(uint32_t l3, uint32_t l4) {
    if (inner_) return;
    d_.l3_len = l3;
    d_.l4_len = l4;
  }

  // ARP as the header describes it: the hardware and protocol address
  // lengths say where each address is, and an address the capture does not
  // hold is never printed (tcpdump: "[|arp]").
  void arp(uint32_t off, std::string& out) {
    if (cap_ < off + 8) {
      out += "ARP, " + cut("ARP header", off);
      return;
    }
    const uint8_t* a = p_ + off;
    uint16_t hrd = rd16(a), pro = rd16(a + 2), op = rd16(a + 6);
    uint32_t hln = a[4], pln = a[5];
    if (cap_ < off + 8 + 2 * (hln + pln)) {
      out += "ARP, " + cut("ARP addresses", off + 8);
      return;
    }
    std::string len = ", length " + std::to_string(orig_ - off);  // tcpdump: the ARP part, padding included
    if ((pro != kEtherTypeIpv4 && pro != 0x1000) || pln != 4 || hln == 0) {  // 0x1000: trailer encapsulation
      char b[128];
      std::snprintf(b, sizeof b, "ARP, %s (len %u), %s (len %u)", hrd == kArpHrdEther ? "Ethernet" : ("Unknown Hardware (" + std::to_string(hrd) + ")").c_str(),
                    hln, pro == kEtherTypeIpv4 ? "IPv4" : ("Unknown Protocol (" + hex(pro, 4) + ")").c_str(), pln);
      out += b + len;
      return;
    }
    const uint8_t *sha = a + 8, *spa = sha + hln, *tha = spa + pln, *tpa = tha + hln;
    bool tha_set = false;
    for (uint32_t i = 0; i < hln; i++) tha_set = tha_set || tha[i] != 0;
    switch (op) {
      case kArpOpRequest:
        out += "ARP, Request who-has " + ip4s(tpa) + (tha_set ? " (" + hw_addr(tha, hln) + ")" : "") + " tell " + ip4s(spa);
        break;
      case kArpOpReply: out += "ARP, Reply " + ip4s(spa) + " is-at " + hw_addr(sha, hln); break;
      case 3: out += "ARP, Reverse Request who-is " + hw_addr(tha, hln) + " tell " + hw_addr(sha, hln); break;
      case 4: out += "ARP, Reverse Reply " + hw_addr(tha, hln) + " at " + ip4s(tpa); break;
      case 8: out += "ARP, Inverse Request who-is " + hw_addr(tha, hln) + " tell " + hw_addr(sha, hln); break;
      case 9: out += "ARP, Inverse Reply " + hw_addr(sha, hln) + " at " + ip4s(spa); break;
      default: out += "ARP, Unknown (" + std::to_string(op) + ")"; break;
    }
    out += len;
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
    if (proto == kIpProtoSctp) return sctp(l3, off, l4_len, out);
    if (proto == kIpProtoDccp) return dccp(l3, off, out);
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
    if (dport == kUdpPortVxlan && !inner_) return vxlan(off + sizeof(UdpHdr), out);
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
    uint32_t data = l4_len > hl ? l4_len - hl : 0;
    out += l3.ports(be16(t->src_port), be16(t->dst_port)) + "Flags [" + tcp_flags(t->flags) + "]";
    // As tcpdump -S: the sequence numbers a segment covers, when it carries
    // data or SYN/FIN/RST; a bare ACK has none to show.
    uint32_t seq = be32(t->seq);
    if (data) out += ", seq " + std::to_string(seq) + ":" + std::to_string(static_cast<uint32_t>(seq + data));
    else if (t->flags & 0x07) out += ", seq " + std::to_string(seq);
    if (t->flags & 0x10) out += ", ack " + std::to_string(be32(t->ack));
    out += ", win " + std::to_string(be16(t->window)) + ", length " + std::to_string(data);
  }

  // tcpdump's "sctp" line: the ports, then each chunk's number and type.
  void sctp(const L3& l3, uint32_t off, uint32_t l4_len, std::string& out) {
    ptype("L4_SCTP");
    constexpr uint32_t kCommonHdr = 12, kChunkHdr = 4;
    if (cap_ < off + kCommonHdr) return cut_l4(l3, off, "SCTP", out);
    out += l3.ports(rd16(p_ + off), rd16(p_ + off + 2)) + "sctp";
    uint32_t pos = off + kCommonHdr, end = off + std::min(l4_len, cap_ - off);
    for (int n = 1; pos + kChunkHdr <= end; n++) {
      const char* name = sctp_chunk_name(p_[pos]);
      out += " (" + std::to_string(n) + ") [" + (name ? name : "chunk type " + std::to_string(p_[pos])) + "]";
      uint32_t clen = rd16(p_ + pos + 2);
      if (clen < kChunkHdr) break;  // a zero length would never end
      pos += (clen + 3u) & ~3u;
    }
  }

  void dccp(const L3& l3, uint32_t off, std::string& out) {
    constexpr uint32_t kGenericHdr = 12;
    if (cap_ < off + kGenericHdr) return cut_l4(l3, off, "DCCP", out);
    out += l3.ports(rd16(p_ + off), rd16(p_ + off + 2)) + "DCCP-" + dccp_type_name((p_[off + 8] >> 1) & 0x0f);
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

std::string describe_record(uint32_t linktype, const uint8_t* p, uint32_t caplen, uint32_t origlen) {
  if (linktype == kLinktypeEthernet) return describe_packet(p, caplen, origlen);
  if (!network_layer_known(linktype)) return std::string(linktype_name(linktype)) + " frame, length " + std::to_string(origlen);
  DecodedPacket d;
  if (origlen < caplen) origlen = caplen;
  Decoder(p, caplen, origlen, d).record(linktype, d.summary);
  return d.summary;
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
