#include "pcap_tools.h"
#include <arpa/inet.h>
#include <cstdio>
#include "../packet.h"
#include "../pcap_file.h"

namespace rs {

const char* linktype_name(uint32_t lt) {
  switch (lt) {
    case 0: return "BSD loopback";
    case 1: return "Ethernet";
    case 101: return "Raw IP";
    case 105: return "IEEE 802.11";
    case 113: return "Linux cooked (SLL)";
    case 127: return "IEEE 802.11 radiotap";
    case 228: return "Raw IPv4";
    case 229: return "Raw IPv6";
    case 276: return "Linux cooked v2 (SLL2)";
    default: return "unknown";
  }
}

PcapInfo pcap_info(const std::string& path) {
  PcapReader r;
  r.set_reject_empty(true);
  r.open(path);
  PcapInfo i;
  i.path = path;
  i.format = r.format() == PcapFormat::Pcap ? "pcap" : "pcapng";
  bool host_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
  i.byte_order = (r.swapped() != host_big) ? "big-endian" : "little-endian";
  i.version = std::to_string(r.version_major()) + "." + std::to_string(r.version_minor());
  i.file_bytes = r.file_size();
  PcapRecord rec;
  bool first = true;
  while (r.next(rec)) {
    if (first) { i.first_ns = rec.ts_ns; i.min_caplen = rec.caplen; first = false; }
    if (rec.ts_ns < i.first_ns) i.first_ns = rec.ts_ns;
    if (rec.ts_ns > i.last_ns) i.last_ns = rec.ts_ns;
    i.packets++;
    i.data_bytes += rec.caplen;
    i.orig_bytes += rec.origlen;
    if (rec.caplen < i.min_caplen) i.min_caplen = rec.caplen;
    if (rec.caplen > i.max_caplen) i.max_caplen = rec.caplen;
    if (rec.caplen < rec.origlen) i.cut_packets++;
  }
  r.throw_if_error();
  if (i.packets == 0) i.first_ns = i.last_ns = 0;
  i.linktype = r.linktype();
  i.linktype_name = linktype_name(i.linktype);
  i.snaplen = r.snaplen();
  i.interfaces = static_cast<uint32_t>(r.interfaces().size());
  i.sections = r.sections();
  for (const auto& f : r.interfaces()) i.interface_names.push_back(f.name);
  if (r.format() == PcapFormat::Pcap) {
    i.ts_resolution = r.nanosecond() ? "nanoseconds" : "microseconds";
  } else if (!r.interfaces().empty()) {
    uint8_t t = r.interfaces()[0].tsresol;
    if (t == 6) i.ts_resolution = "microseconds";
    else if (t == 9) i.ts_resolution = "nanoseconds";
    else if (t == 3) i.ts_resolution = "milliseconds";
    else if (t & 0x80) i.ts_resolution = "2^-" + std::to_string(t & 0x7f) + " seconds";
    else i.ts_resolution = "10^-" + std::to_string(t) + " seconds";
  }
  return i;
}

PcapShow pcap_show(const std::string& path, uint64_t count) {
  PcapReader r;
  r.set_reject_empty(true);
  r.open(path);
  PcapShow out;
  out.nanosecond = r.nanosecond();
  PcapRecord rec;
  while ((count == 0 || out.lines.size() < count) && r.next(rec)) {
    PcapShowLine l;
    l.ts_ns = rec.ts_ns;
    l.caplen = rec.caplen;
    l.origlen = rec.origlen;
    l.iface = rec.iface;
    l.direction = rec.direction;
    uint32_t lt = rec.iface < r.interfaces().size() ? r.interfaces()[rec.iface].linktype : r.linktype();
    l.summary = lt == kLinktypeEthernet ? describe_packet(rec.data, rec.caplen, rec.origlen)
                                        : std::string(linktype_name(lt)) + " frame, length " + std::to_string(rec.origlen);
    out.lines.push_back(std::move(l));
  }
  if (count == 0 || out.lines.size() < count) r.throw_if_error();
  return out;
}

namespace {

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

// Transport part after "IP a > b: " or with ports "IP a.p > b.q: ".
std::string l4(uint8_t proto, const std::string& src, const std::string& dst, const uint8_t* p, uint32_t len,
               uint32_t l4_len, bool v6) {
  std::string ip = v6 ? "IP6 " : "IP ";
  if (proto == kIpProtoUdp) {
    if (len < sizeof(UdpHdr)) return ip + src + " > " + dst + ": UDP, truncated";
    const UdpHdr* u = reinterpret_cast<const UdpHdr*>(p);
    uint32_t ulen = be16(u->len);
    return ip + src + "." + std::to_string(be16(u->src_port)) + " > " + dst + "." + std::to_string(be16(u->dst_port)) +
           ": UDP, length " + std::to_string(ulen >= 8 ? ulen - 8 : 0);
  }
  if (proto == kIpProtoTcp) {
    if (len < sizeof(TcpHdr)) return ip + src + " > " + dst + ": TCP, truncated";
    const TcpHdr* t = reinterpret_cast<const TcpHdr*>(p);
    uint32_t hl = (t->data_off >> 4) * 4u;
    uint32_t payload = l4_len > hl ? l4_len - hl : 0;
    std::string s = ip + src + "." + std::to_string(be16(t->src_port)) + " > " + dst + "." +
                    std::to_string(be16(t->dst_port)) + ": Flags [" + tcp_flags(t->flags) + "], seq " +
                    std::to_string(be32(t->seq));
    if (t->flags & 0x10) s += ", ack " + std::to_string(be32(t->ack));
    s += ", win " + std::to_string(be16(t->window)) + ", length " + std::to_string(payload);
    return s;
  }
  if (proto == kIpProtoIcmp && !v6) {
    if (len < 4) return ip + src + " > " + dst + ": ICMP, truncated";
    const IcmpHdr* c = reinterpret_cast<const IcmpHdr*>(p);
    std::string what;
    if ((c->type == kIcmpEchoRequest || c->type == kIcmpEchoReply) && len >= sizeof(IcmpHdr))
      what = std::string(c->type == kIcmpEchoRequest ? "echo request" : "echo reply") + ", id " +
             std::to_string(be16(c->ident)) + ", seq " + std::to_string(be16(c->seq));
    else if (c->type == 3) what = "destination unreachable, code " + std::to_string(c->code);
    else if (c->type == 11) what = "time exceeded, code " + std::to_string(c->code);
    else what = "type " + std::to_string(c->type) + ", code " + std::to_string(c->code);
    return ip + src + " > " + dst + ": ICMP " + what + ", length " + std::to_string(l4_len);
  }
  if (proto == 58 && v6) {
    if (len < 4) return ip + src + " > " + dst + ": ICMP6, truncated";
    uint8_t type = p[0];
    std::string what = type == 128 ? "echo request" : type == 129 ? "echo reply" : type == 135 ? "neighbor solicitation"
                     : type == 136 ? "neighbor advertisement" : type == 133 ? "router solicitation"
                     : type == 134 ? "router advertisement" : "type " + std::to_string(type);
    return ip + src + " > " + dst + ": ICMP6, " + what + ", length " + std::to_string(l4_len);
  }
  return ip + src + " > " + dst + ": ip-proto-" + std::to_string(proto) + " " + std::to_string(l4_len);
}

}  // namespace

std::string describe_packet(const uint8_t* p, uint32_t len, uint32_t origlen) {
  if (len < sizeof(EtherHdr)) return "[|ether] length " + std::to_string(origlen);
  std::string pre;
  uint32_t off = sizeof(EtherHdr);
  uint16_t type = be16(reinterpret_cast<const EtherHdr*>(p)->type);
  for (int tags = 0; tags < 2 && (type == kEtherTypeVlan || type == kEtherTypeQinq); tags++) {
    if (len < off + sizeof(VlanHdr)) return pre + "vlan [|truncated] length " + std::to_string(origlen);
    const VlanHdr* v = reinterpret_cast<const VlanHdr*>(p + off);
    uint16_t tci = be16(v->tci);
    pre += "vlan " + std::to_string(tci & 0xfff) + ", p " + std::to_string(tci >> 13) + ", ";
    type = be16(v->type);
    off += sizeof(VlanHdr);
  }
  const uint8_t* l3 = p + off;
  uint32_t left = len - off;
  if (type == kEtherTypeIpv4) {
    if (left < sizeof(Ipv4Hdr)) return pre + "IP truncated-ip, length " + std::to_string(origlen);
    const Ipv4Hdr* ip = reinterpret_cast<const Ipv4Hdr*>(l3);
    uint32_t hl = ip->header_len();
    uint32_t total = be16(ip->total_len);
    if (hl < 20 || left < hl) return pre + "IP bad-hlen " + std::to_string(hl);
    std::string src = ip4s(&ip->src), dst = ip4s(&ip->dst);
    uint32_t l4len = total > hl ? total - hl : 0;
    if (ip->fragment_offset() != 0)
      return pre + "IP " + src + " > " + dst + ": ip-proto-" + std::to_string(ip->proto) + " (fragment offset " +
             std::to_string(ip->fragment_offset() * 8) + ")";
    return pre + l4(ip->proto, src, dst, l3 + hl, left - hl, l4len, false);
  }
  if (type == kEtherTypeIpv6) {
    if (left < sizeof(Ipv6Hdr)) return pre + "IP6 truncated, length " + std::to_string(origlen);
    const Ipv6Hdr* ip = reinterpret_cast<const Ipv6Hdr*>(l3);
    return pre + l4(ip->next_header, ip6s(ip->src), ip6s(ip->dst), l3 + sizeof(Ipv6Hdr), left - sizeof(Ipv6Hdr),
                    be16(ip->payload_len), true);
  }
  if (type == kEtherTypeArp) {
    if (left < sizeof(ArpHdr)) return pre + "ARP, truncated, length " + std::to_string(origlen);
    const ArpHdr* a = reinterpret_cast<const ArpHdr*>(l3);
    uint16_t op = be16(a->op);
    origlen = origlen > off ? origlen - off : 0;  // tcpdump: the ARP part, padding included
    if (op == kArpOpRequest)
      return pre + "ARP, Request who-has " + ip4s(&a->tip) + " tell " + ip4s(&a->sip) + ", length " + std::to_string(origlen);
    if (op == kArpOpReply)
      return pre + "ARP, Reply " + ip4s(&a->sip) + " is-at " + macs(a->sha) + ", length " + std::to_string(origlen);
    return pre + "ARP, op " + std::to_string(op) + ", length " + std::to_string(origlen);
  }
  char t[8];
  std::snprintf(t, sizeof t, "0x%04x", type);
  return pre + macs(p + 6) + " > " + macs(p) + ", ethertype " + t + ", length " + std::to_string(origlen);
}

}  // namespace rs
