// Capture filters: the expression language, its errors, and a deterministic
// mutation (fuzz) test of the pcap/pcapng reader and of the filter compiler:
// bounded in time, zero crashes allowed (the suite runs it under ASan).
#include <chrono>
#include <cstring>
#include <string>
#include "capture/filter.h"
#include "capture/pcap_tools.h"
#include "diag/decode.h"
#include "capture_util.h"
#include "classify_frames.h"
#include "error.h"
#include "mempool.h"
#include "harness.h"
#include "mbuf_frame.h"
#include "pcap_file.h"

using namespace captest;
using cls_test::FrameSpec;

namespace {

bool m(const char* expr, const std::vector<uint8_t>& f) {
  return rs::Filter::compile(expr).match(f.data(), static_cast<uint32_t>(f.size()));
}

std::string filter_error(const char* expr) {
  try {
    rs::Filter::compile(expr);
  } catch (const rs::Error& e) {
    return e.code() + ": " + e.what();
  }
  return "";
}

std::vector<uint8_t> arp_frame(const char* sip, const char* tip) {
  std::vector<uint8_t> f(14 + 28, 0);
  f[12] = 0x08; f[13] = 0x06;
  uint8_t* a = f.data() + 14;
  a[1] = 1; a[2] = 0x08; a[3] = 0; a[4] = 6; a[5] = 4; a[7] = 1;
  inet_pton(AF_INET, sip, a + 14);
  inet_pton(AF_INET, tip, a + 24);
  return f;
}

struct Lcg {
  uint64_t s;
  uint32_t next() { s = s * 6364136223846793005ull + 1442695040888963407ull; return uint32_t(s >> 33); }
  uint32_t below(uint32_t n) { return n ? next() % n : 0; }
};

}  // namespace

TEST(filter_protocols_hosts_nets_ports) {
  auto udp = cls_test::frame({});                                        // 10.0.0.1:1000 -> 10.0.0.2:2000
  auto tcp = cls_test::frame({.proto = rs::kIpProtoTcp, .sport = 80, .dport = 5555});
  auto icmp = cls_test::frame({.proto = rs::kIpProtoIcmp});
  auto v6 = cls_test::frame({.v6 = true, .dport = 53});
  auto vl = cls_test::frame({.vlan = 10});
  auto arp = arp_frame("10.0.0.9", "10.0.0.1");

  CHECK(m("", udp));
  CHECK(m("udp", udp) && !m("udp", tcp) && m("tcp", tcp) && !m("tcp", icmp));
  CHECK(m("icmp", icmp) && !m("icmp", udp));
  CHECK(m("arp", arp) && !m("arp", udp));
  CHECK(m("ip", udp) && !m("ip", v6) && m("ip6", v6) && !m("ip6", udp));
  CHECK(m("udp", v6) && m("port 53", v6) && m("dst port 53", v6) && !m("src port 53", v6));
  CHECK(m("host 10.0.0.1", udp) && m("src host 10.0.0.1", udp) && !m("dst host 10.0.0.1", udp));
  CHECK(m("dst 10.0.0.2", udp) && m("10.0.0.2", udp) && !m("host 10.0.0.3", udp));
  CHECK(m("net 10.0.0.0/24", udp) && !m("net 10.0.1.0/24", udp) && m("net 0.0.0.0/0", udp));
  CHECK(m("src net 10.0.0.0/31", udp) && !m("dst net 10.0.0.0/31", udp));
  CHECK(m("host fd00::2", v6) && m("net fd00::/16", v6) && !m("host fd00::2", udp));
  CHECK(m("host 10.0.0.9", arp) && m("dst host 10.0.0.1", arp));
  CHECK(m("port 1000", udp) && m("src port 1000", udp) && !m("dst port 1000", udp));
  CHECK(m("udp port 2000", udp) && !m("tcp port 2000", udp) && m("tcp src port 80", tcp));
  CHECK(m("vlan", vl) && m("vlan 10", vl) && !m("vlan 11", vl) && !m("vlan", udp));
  CHECK(m("vlan 10 and udp and dst port 2000", vl));
  CHECK(m("not tcp", udp) && !m("not udp", udp) && m("! tcp", udp));
  CHECK(m("tcp or udp", udp) && m("tcp || icmp", icmp) && !m("tcp && udp", udp));
  CHECK(m("(tcp or udp) and not port 80", udp) && !m("(tcp or udp) and not port 80", tcp));
  CHECK(m("not (arp or icmp)", udp) && !m("not (arp or icmp)", arp));
  CHECK(m("udp and (host 10.0.0.5 or host 10.0.0.2)", udp));
  CHECK(!m("udp or tcp and icmp", udp));  // and, or: equal precedence, left to right (pcap-filter)
  CHECK(m("udp or (tcp and icmp)", udp));
  // Short frames never match protocol tests and never crash.
  std::vector<uint8_t> runt(udp.begin(), udp.begin() + 20);
  CHECK(!m("udp", runt) && m("ip", runt) && !m("port 1000", runt) && !m("host 10.0.0.1", runt));
}

// tcpdump's VLAN rule: an untagged primitive tests untagged frames; each
// vlan keyword moves what follows one tag in, in the order written.
TEST(filter_vlan_keywords_move_the_offsets) {
  auto plain = cls_test::frame({.dport = 53});
  auto tagged = cls_test::frame({.dport = 53, .vlan = 10});
  auto qinq = tagged;  // an outer 802.1ad tag (id 20) around the 802.1Q one
  qinq.insert(qinq.begin() + 12, {0x88, 0xa8, 0x00, 20});
  CHECK(m("udp", plain) && !m("udp", tagged) && !m("port 53", tagged) && !m("host 10.0.0.1", tagged));
  CHECK(m("vlan and udp", tagged) && m("vlan 10 and udp port 53", tagged) && !m("vlan 11 and udp", tagged));
  CHECK(!m("vlan and udp", plain) && !m("vlan and udp", qinq));
  CHECK(m("vlan 20 and vlan 10 and udp", qinq) && !m("vlan 10", qinq) && m("vlan and vlan and host 10.0.0.2", qinq));
  CHECK(m("vlan and ip", tagged) && !m("ip", tagged) && m("ether proto 0x8100", tagged) && m("ether proto 0x88a8", qinq));
  CHECK(m("vlan 20 or vlan 10", qinq) && !m("vlan 10 or vlan 20", qinq));  // the second vlan tests the inner tag
}

TEST(filter_lists_carry_the_qualifiers) {
  auto web = cls_test::frame({.proto = rs::kIpProtoTcp, .sport = 40000, .dport = 443});
  auto dns = cls_test::frame({.dst = "10.0.0.7", .dport = 53});
  CHECK(m("tcp port 80 or 443", web) && !m("tcp port 80 or 443", dns) && !m("udp port 80 or 443", web));
  CHECK(m("dst host 10.0.0.9 or 10.0.0.7", dns) && !m("dst host 10.0.0.9 or 10.0.0.1", dns));  // dst carries over
  CHECK(m("port 80 or 443 or 53", dns) && m("host 10.0.0.9 or 10.0.0.1", dns) && !m("port 53 and not 443", web));
  CHECK(m("host (10.0.0.9 or 10.0.0.7)", dns) && m("src or dst host 10.0.0.7", dns) && !m("src and dst host 10.0.0.7", dns));
  CHECK(m("port domain", dns) && m("tcp port https", web) && m("portrange 400-500", web) && !m("tcp portrange 1-442", web));
}

TEST(filter_bytes_lengths_and_link_layer) {
  auto syn = cls_test::frame({.proto = rs::kIpProtoTcp, .dport = 80});
  syn[14 + 20 + 13] = 0x02;
  auto udp = cls_test::frame({});
  auto echo = cls_test::frame({.proto = rs::kIpProtoIcmp});
  echo[14 + 20] = 8;
  CHECK(m("tcp[tcpflags] & tcp-syn != 0", syn) && !m("tcp[tcpflags] & tcp-ack != 0", syn) && !m("tcp[13] & 2 != 0", udp));
  CHECK(m("tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn", syn) && m("icmp[icmptype] == icmp-echo", echo));
  CHECK(m("ip[8] = 64", udp) && !m("ip[8] < 64", udp) && m("ip[9] == 17", udp) && m("ip[2:2] - ((ip[0] & 0xf) << 2) == 26", udp));
  CHECK(m("ether[12:2] = 0x0800", udp) && m("len = 60", udp) && m("len - 4 * 15 == 0", udp) && m("greater 60", udp) &&
        m("less 60", udp) && !m("greater 61", udp) && !m("len > 60", udp));
  CHECK(m("ip proto 17", udp) && m("ip proto \\udp", udp) && m("proto 17", udp) && !m("ip6 proto 17", udp) && m("ip6 proto 17", cls_test::frame({.v6 = true})));
  CHECK(m("ether host 02:00:00:00:00:01", udp) && m("ether src 02:00:00:00:00:02", udp) && !m("ether dst 02:00:00:00:00:02", udp));
  CHECK(m("ether proto 0x0800", udp) && m("ether proto \\ip", udp) && !m("ether broadcast", udp) && !m("ether multicast", udp));
  CHECK(m("ip host 10.0.0.1", udp) && m("net 10", udp) && m("net 10.0.0.0 mask 255.255.255.0", udp) && !m("ip multicast", udp));
  CHECK(m("sctp port 2000", [] { auto f = cls_test::frame({}); f[23] = 132; return f; }()) && m("igmp", [] { auto f = cls_test::frame({}); f[23] = 2; return f; }()));
  CHECK(m("udp", cls_test::frame({.v6 = true})));
  CHECK(m("len >= 0 and (len % 7) = 4", udp) && filter_error("len / 0 > 1").find("division by zero") != std::string::npos);
}

// libpcap: IPv6 protocol tests look past a fragment header, port tests do
// not; a read past the captured bytes rejects the packet, even under not/or.
TEST(filter_ipv6_fragments_and_runts_as_libpcap) {
  auto frag = cls_test::frame({.v6 = true, .dport = 53});
  frag[14 + 6] = 44;                                                         // next header: fragment
  frag.insert(frag.begin() + 54, {rs::kIpProtoUdp, 0, 0, 1, 0, 0, 0, 1});  // fragment header, then UDP
  CHECK(m("udp", frag) && m("ip6 proto 17", frag) && !m("udp port 53", frag) && !m("port 53", frag));
  auto rarp = arp_frame("10.0.0.9", "10.0.0.1");
  rarp[13] = 0x35;
  rarp[12] = 0x80;
  CHECK(m("rarp", rarp) && !m("arp", rarp) && m("host 10.0.0.9", rarp) && !m("arp host 10.0.0.9", rarp));
  auto udp = cls_test::frame({});
  std::vector<uint8_t> runt(udp.begin(), udp.begin() + 20);
  CHECK(m("ip", runt) && !m("udp", runt) && !m("not udp", runt) && !m("udp or ip", runt) && m("ip or udp", runt));
  std::vector<uint8_t> ten(udp.begin(), udp.begin() + 10);
  CHECK(m("len > 0", ten) && !m("ip", ten) && !m("not ip", ten) && !m("ether src 02:00:00:00:00:02 or len > 0", ten));
}

namespace {

// An Ethernet frame's network layer behind another link type's header
// (BSD loopback as a little-endian writer stores it, OpenBSD's in network order).
std::vector<uint8_t> relink(const std::vector<uint8_t>& eth, uint32_t linktype) {
  uint8_t hi = eth[12], lo = eth[13];
  bool v4 = hi == 0x08 && lo == 0x00;
  std::vector<uint8_t> f;
  switch (linktype) {
    case rs::kLinktypeSll: f.assign(16, 0); f[14] = hi; f[15] = lo; break;
    case rs::kLinktypeSll2: f.assign(20, 0); f[0] = hi; f[1] = lo; break;
    case rs::kLinktypeNull: f = {uint8_t(v4 ? 2 : 30), 0, 0, 0}; break;
    case rs::kLinktypeLoop: f = {0, 0, 0, uint8_t(v4 ? 2 : 24)}; break;
    default: break;  // raw IP
  }
  f.insert(f.end(), eth.begin() + 14, eth.end());
  return f;
}

bool ml(const char* expr, uint32_t linktype, const std::vector<uint8_t>& f) {
  return rs::Filter::compile(expr, linktype).match(f.data(), static_cast<uint32_t>(f.size()));
}

std::string link_error(const char* expr, uint32_t linktype) {
  try {
    rs::Filter::compile(expr, linktype);
  } catch (const rs::Error& e) {
    return e.code() + ": " + e.what();
  }
  return "";
}

// The error says this (printed when it does not).
bool says(const std::string& error, const std::string& part) {
  if (error.find(part) != std::string::npos) return true;
  std::fprintf(stderr, "    error '%s' does not say '%s'\n", error.c_str(), part.c_str());
  return false;
}

}  // namespace

TEST(filter_other_link_types_read_the_network_layer_after_their_header) {
  const std::vector<uint8_t> frames[] = {
      cls_test::frame({}), cls_test::frame({.proto = rs::kIpProtoTcp, .sport = 80, .dport = 5555}),
      cls_test::frame({.v6 = true, .dport = 53}), cls_test::frame({.proto = rs::kIpProtoIcmp})};
  const char* exprs[] = {"ip", "ip6", "udp", "tcp", "icmp", "arp", "not arp", "host 10.0.0.1", "src net 10.0.0.0/8",
                         "port 2000", "tcp port 80", "portrange 50-60", "udp[2:2] = 2000", "ip[9] = 17", "ip6 proto 17",
                         "len > 40", "ether proto 0x0800", "ip multicast", "tcp[tcpflags] & tcp-syn != 0", "ip and not udp"};
  const uint32_t links[] = {rs::kLinktypeSll, rs::kLinktypeSll2, rs::kLinktypeNull, rs::kLinktypeLoop, rs::kLinktypeRawDlt,
                            rs::kLinktypeRawDltBsd, rs::kLinktypeRaw};
  for (uint32_t lt : links)
    for (const auto& eth : frames)
      for (const char* e : exprs) {
        // len counts the link header: compare what the frame's own length says.
        auto f = relink(eth, lt);
        bool want = std::string(e) == "len > 40" ? f.size() > 40 : m(e, eth);
        if (ml(e, lt, f) != want) std::fprintf(stderr, "    '%s' on link type %u: %d\n", e, lt, !want);
        CHECK(ml(e, lt, f) == want);
      }
  // link[] and ether[] count from the link header.
  CHECK(ml("link[14:2] = 0x0800", rs::kLinktypeSll, relink(cls_test::frame({}), rs::kLinktypeSll)));
  CHECK(ml("ether[0] = 2", rs::kLinktypeNull, relink(cls_test::frame({}), rs::kLinktypeNull)));
}

TEST(filter_other_link_types_test_their_type_as_libpcap) {
  auto v4 = relink(cls_test::frame({}), rs::kLinktypeRaw), v6 = relink(cls_test::frame({.v6 = true}), rs::kLinktypeRaw);
  // LINKTYPE_IPV4/IPV6: the link type says the version, whatever the nibble.
  CHECK(ml("ip", rs::kLinktypeIpv4, v6) && !ml("ip6", rs::kLinktypeIpv4, v6) && ml("ip", rs::kLinktypeIpv4, v4));
  CHECK(ml("ip6", rs::kLinktypeIpv6, v6) && !ml("ip", rs::kLinktypeIpv6, v4) && ml("ip6 and udp", rs::kLinktypeIpv6, v6));
  // BSD loopback's IPv6 is family 24, 28 or 30 in either byte order; Linux's 10 is not.
  auto null6 = relink(cls_test::frame({.v6 = true}), rs::kLinktypeNull);
  CHECK(ml("ip6", rs::kLinktypeNull, null6));
  null6[0] = 0; null6[3] = 28;  // a big-endian writer
  CHECK(ml("ip6", rs::kLinktypeNull, null6));
  null6[3] = 10;
  CHECK(!ml("ip6", rs::kLinktypeNull, null6) && !ml("udp", rs::kLinktypeNull, null6));
  // A raw packet of another version is neither; a cut link header rejects the packet (not even `not ip`).
  auto v5 = v4;
  v5[0] = 0x55;
  CHECK(!ml("ip", rs::kLinktypeRaw, v5) && !ml("ip6", rs::kLinktypeRaw, v5) && ml("not ip", rs::kLinktypeRaw, v5));
  auto sll = relink(cls_test::frame({}), rs::kLinktypeSll);
  CHECK(!ml("ip", rs::kLinktypeSll, {sll.begin(), sll.begin() + 15}) && !ml("not ip", rs::kLinktypeSll, {sll.begin(), sll.begin() + 15}));
  CHECK(ml("len > 0", rs::kLinktypeSll, {sll.begin(), sll.begin() + 15}));
}

TEST(filter_refuses_ethernet_primitives_on_other_link_types_as_tcpdump) {
  CHECK(says(link_error("udp and vlan", rs::kLinktypeSll), "EFILTER: filter 'udp and vlan' at column 9: 'vlan' needs an Ethernet header, which Linux cooked v1 packets (link type 113) do not have (tcpdump: no VLAN support for Linux cooked v1)"));
  CHECK(says(link_error("mpls", rs::kLinktypeRaw), "(tcpdump: no MPLS support for Raw IP)"));
  CHECK(says(link_error("ether host 00:11:22:33:44:55", rs::kLinktypeNull), "(tcpdump: ethernet addresses supported only on ethernet/"));
  CHECK(says(link_error("ether src 00:11:22:33:44:55", rs::kLinktypeSll2), "an Ethernet address needs an Ethernet header, which Linux cooked v2"));
  CHECK(says(link_error("ether broadcast", rs::kLinktypeSll), "(tcpdump: not a broadcast link)"));
  CHECK(says(link_error("multicast", rs::kLinktypeIpv4), "'ether multicast' needs an Ethernet header"));
  CHECK(says(link_error("udp", 105), "link type 105 (IEEE 802.11) is not one filters read"));
  // What tcpdump allows there compiles: ether proto, link bytes, ip multicast.
  CHECK(link_error("ether proto \\ip or link[0] = 1 or ip multicast", rs::kLinktypeSll).empty());
  CHECK(link_error("vlan and ether host 00:11:22:33:44:55", rs::kLinktypeEthernet).empty());
  CHECK(rs::Filter::compile("", 105).empty());
}

// libpcap's inbound/outbound on a file: the packet type a Linux cooked
// header records (v1: 2 bytes at 0, v2: 1 byte at 10; 4 is outgoing);
// a cut header rejects the packet; no other link type records one.
TEST(filter_inbound_outbound_read_the_cooked_packet_type) {
  auto sll = relink(cls_test::frame({}), rs::kLinktypeSll);
  auto sll2 = relink(cls_test::frame({}), rs::kLinktypeSll2);
  CHECK(ml("inbound", rs::kLinktypeSll, sll) && !ml("outbound", rs::kLinktypeSll, sll));
  CHECK(ml("inbound and udp", rs::kLinktypeSll2, sll2) && !ml("outbound or tcp", rs::kLinktypeSll2, sll2));
  sll[1] = 4;    // PACKET_OUTGOING
  sll2[10] = 4;
  CHECK(ml("outbound", rs::kLinktypeSll, sll) && !ml("inbound", rs::kLinktypeSll, sll) && ml("not inbound", rs::kLinktypeSll, sll));
  CHECK(ml("outbound and udp port 2000", rs::kLinktypeSll2, sll2) && !ml("inbound", rs::kLinktypeSll2, sll2));
  sll[0] = 1;    // 0x0104: a 2-byte field, not the byte after it
  CHECK(ml("inbound", rs::kLinktypeSll, sll));
  std::vector<uint8_t> one = {0};
  CHECK(!ml("inbound", rs::kLinktypeSll, one) && !ml("not inbound", rs::kLinktypeSll, one));
  CHECK(says(link_error("inbound", rs::kLinktypeEthernet), "EFILTER: filter 'inbound' at column 1: 'inbound' needs the packet direction a Linux cooked (SLL) header records, which Ethernet packets do not have (tcpdump: inbound/outbound not supported on Ethernet when reading savefiles)"));
  CHECK(says(link_error("udp and outbound", rs::kLinktypeRaw), "at column 9: 'outbound' needs"));
}

// select() tests frames of known shapes (untagged IPv4 without options,
// untagged IPv6) at fixed offsets and every other the general way: both must
// keep exactly what match() keeps.
TEST(filter_select_agrees_with_match_on_every_frame) {
  std::vector<std::vector<uint8_t>> frames = {
      cls_test::frame({}), cls_test::frame({.dport = 4789}), cls_test::frame({.sport = 4789, .dport = 9}),
      cls_test::frame({.proto = rs::kIpProtoTcp, .dport = 4789}), cls_test::frame({.proto = rs::kIpProtoIcmp}),
      cls_test::frame({.v6 = true, .dport = 4789}), cls_test::frame({.dport = 4789, .vlan = 7}),
      cls_test::frame({.dst = "10.9.0.1"}), arp_frame("10.0.0.9", "10.9.0.1")};
  auto opts = cls_test::frame({.dport = 4789});  // IPv4 with a 4-byte option: ports 4 bytes later
  opts[14] = 0x46;
  opts.insert(opts.begin() + 34, {1, 1, 1, 1});
  frames.push_back(opts);
  auto later = cls_test::frame({.dport = 4789});  // a later fragment has no ports
  later[20] = 0x00;
  later[21] = 0x10;
  frames.push_back(later);
  auto first = cls_test::frame({.dport = 4789});  // the first fragment (MF) has them
  first[20] = 0x20;
  frames.push_back(first);
  frames.emplace_back(frames[1].begin(), frames[1].begin() + 37);  // one byte short of the ports

  rs::Mempool pool("filter-select", 64);
  std::vector<rs::Mbuf*> burst;
  for (const auto& f : frames) {
    rs::Mbuf* mb = pool.alloc();
    cls_test::put_frame(mb, f);
    burst.push_back(mb);
  }
  for (const char* expr : {"udp port 4789", "port 4789", "src port 4789", "tcp dst port 4789", "udp", "ip",
                           "ip6", "icmp", "arp", "vlan", "host 10.9.0.1", "dst net 10.9.0.0/16",
                           "udp port 4789 or host 10.9.0.1", "not udp", "src and dst port 4789", "portrange 4000-5000",
                           "vlan and udp port 4789", "ip host 10.9.0.1 and not port 9", "arp host 10.9.0.1",
                           "ip proto 17", "udp[2:2] = 4789", "len > 60 and udp"}) {
    rs::Filter f = rs::Filter::compile(expr);
    uint16_t kept[32];
    uint16_t k = f.select(burst.data(), static_cast<uint16_t>(burst.size()), kept);
    std::string got = expr, want = expr;
    for (uint16_t j = 0; j < k; j++) got += " " + std::to_string(kept[j]);
    for (uint16_t i = 0; i < burst.size(); i++)
      if (m(expr, frames[i])) want += " " + std::to_string(i);
    CHECK_EQ(got, want);
  }
  CHECK(m("udp port 4789", opts) && m("udp port 4789", first) && !m("udp port 4789", later));
  rs::mbuf_free_bulk(burst.data(), static_cast<uint16_t>(burst.size()));
}

// select() against match() on frames of every shape, cut at every length
// and with bytes changed where shapes and primitives read them, for filters
// whose parts fold away on a shape (vlan, ip6 on IPv4), stay (ports, hosts,
// fragments) or are read the general way (byte offsets, len, ether).
TEST(filter_select_agrees_with_match_on_mutated_frames) {
  auto opts = cls_test::frame({.dport = 4789});
  opts[14] = 0x46;
  opts.insert(opts.begin() + 34, {1, 1, 1, 1});
  auto frag6 = cls_test::frame({.v6 = true, .dport = 4789});
  frag6[20] = 44;
  frag6.insert(frag6.begin() + 54, {rs::kIpProtoUdp, 0, 0, 1, 0, 0, 0, 1});
  auto mpls = cls_test::frame({.dport = 4789});
  mpls[12] = 0x88; mpls[13] = 0x47;
  mpls.insert(mpls.begin() + 14, {0, 0, 0x11, 0x40});
  auto qinq = cls_test::frame({.v6 = true, .dport = 4789, .vlan = 10});
  qinq.insert(qinq.begin() + 12, {0x88, 0xa8, 0, 20});
  const std::vector<std::vector<uint8_t>> seeds = {
      cls_test::frame({.dport = 4789}), cls_test::frame({.proto = rs::kIpProtoTcp, .dst = "10.9.0.1", .sport = 80}),
      cls_test::frame({.proto = rs::kIpProtoIcmp}), cls_test::frame({.v6 = true, .dport = 4789}),
      cls_test::frame({.v6 = true, .proto = rs::kIpProtoTcp, .dst = "fd00::9", .sport = 80}),
      cls_test::frame({.dport = 4789, .vlan = 10}), cls_test::frame({.v6 = true, .vlan = 10}), opts, frag6, mpls, qinq,
      arp_frame("10.0.0.9", "10.9.0.1")};
  // Where the shapes and their primitives read: type fields, IP version,
  // protocol, fragment, addresses, ports, IPv6 fragment header.
  const uint8_t hot[] = {0, 5, 6, 12, 13, 14, 15, 16, 17, 18, 20, 21, 23, 26, 29, 30, 33, 34, 35, 36, 37, 38, 41, 54, 55, 56, 57};
  const char* exprs[] = {
      "udp port 4789", "tcp port 80", "port 4789", "src port 80", "dst port 4789", "src and dst port 4789",
      "portrange 4000-5000", "sctp port 4789", "host 10.9.0.1", "src host 10.0.0.1", "dst net 10.9.0.0/16",
      "src and dst net 10.0.0.0/8", "host fd00::9", "src net fd00::/16", "ip", "ip6", "arp", "udp", "tcp", "icmp",
      "icmp6", "ip6 proto 44", "ip proto 17", "vlan", "vlan 10 and udp", "vlan and udp port 4789", "vlan and vlan and ip6",
      "mpls and udp", "not vlan and udp", "vlan or udp", "ip6 or host 10.9.0.1", "not (ip and not udp)",
      "udp port 4789 or host 10.9.0.1", "udp port 4789 and len > 60", "tcp[13] & 2 != 0 or ip6", "ip6 and udp[2:2] = 4789",
      "not ip6 and not arp", "ether host 02:00:00:00:00:01 or ip6", "ether broadcast or udp port 4789", "ip multicast",
      "vlan and not udp", "(ip6 or vlan) and port 4789", "ip and not tcp and not udp", "not tcp port 80 or ip6",
      // comparisons at a shape's offsets behind their protocol's guard, or
      // known false there (another protocol, ARP, a network layer at the tag)
      "tcp[tcpflags] & tcp-syn != 0", "udp[0:2] = 1000 or udp[2:2] = 4789", "not udp[40:4] = 0", "ip[9] = 17",
      "ip6[6] = 17 and len > 60", "icmp6[0] = 128 or icmp[0] = 8", "tcp[0] = udp[0]", "arp[7] = 1 or ip6",
      "ip[0] & 0xf = 5 and vlan", "vlan and ip[0] & 0xf = 5", "vlan and ip6[6] = 17", "ether[14] & 0xf = 0",
      // a VLAN id at the tag
      "vlan 10", "vlan 11 or ip6", "vlan 10 and tcp port 80", "not vlan 10 and vlan"};
  Lcg rng{7};
  rs::Mempool pool("filter-mutate", 64);
  std::vector<std::vector<uint8_t>> frames;
  for (const auto& seed : seeds) {
    for (std::size_t len = 1; len <= seed.size(); len++) frames.emplace_back(seed.begin(), seed.begin() + len);
    for (int k = 0; k < 200; k++) {
      auto f = seed;
      for (uint32_t changes = 1 + rng.below(3); changes; changes--) {
        std::size_t at = rng.below(4) ? hot[rng.below(sizeof hot)] : rng.below(static_cast<uint32_t>(f.size()));
        if (at < f.size()) f[at] = static_cast<uint8_t>(rng.below(4) ? seed[rng.below(static_cast<uint32_t>(seed.size()))] : rng.next());
      }
      frames.push_back(f);
    }
  }
  unsigned disagree = 0;
  for (const char* expr : exprs) {
    rs::Filter flt = rs::Filter::compile(expr);
    for (std::size_t first = 0; first < frames.size(); first += 32) {
      uint16_t n = static_cast<uint16_t>(std::min<std::size_t>(32, frames.size() - first));
      rs::Mbuf* burst[32];
      for (uint16_t i = 0; i < n; i++) {
        burst[i] = pool.alloc();
        cls_test::put_frame(burst[i], frames[first + i]);
      }
      uint16_t kept[32];
      uint16_t k = flt.select(burst, n, kept), j = 0;
      for (uint16_t i = 0; i < n; i++) {
        const auto& f = frames[first + i];
        bool selected = j < k && kept[j] == i;
        j += selected;
        if (selected != flt.match(f.data(), static_cast<uint32_t>(f.size())) && disagree++ < 5)
          std::fprintf(stderr, "    '%s' on frame %zu (%zu bytes): select %d, match %d\n", expr, first + i, f.size(), selected, !selected);
      }
      rs::mbuf_free_bulk(burst, n);
    }
  }
  CHECK_EQ(disagree, 0u);
}

TEST(filter_errors_say_where_and_what) {
  std::string e = filter_error("udp and");
  CHECK(e.find("EFILTER") == 0);
  CHECK(e.find("column 8") != std::string::npos);
  CHECK(e.find("found the end") != std::string::npos);
  CHECK(filter_error("udpp").find("'udpp'") != std::string::npos);
  CHECK(filter_error("(udp").find("')'") != std::string::npos);
  CHECK(filter_error("port 70000").find("port number") != std::string::npos);
  CHECK(filter_error("net 10.0.0.0/33").find("prefix length") != std::string::npos);
  CHECK(filter_error("host 10.0.0.300").find("address") != std::string::npos);
  CHECK(filter_error("vlan 5000").find("VLAN id") != std::string::npos);
  CHECK(filter_error("udp tcp").find("'and', 'or'") != std::string::npos);
  CHECK(filter_error("src").find("after 'src'") != std::string::npos);
  CHECK(filter_error("tcp port 80 or").find("found the end") != std::string::npos);
  CHECK(filter_error("host example.com").find("not looked up") != std::string::npos);
  CHECK(filter_error("tcp[13 & 2 != 0").find("']'") != std::string::npos);
  CHECK(filter_error("port nosuchservice").find("service name") != std::string::npos);
  CHECK(filter_error("ip broadcast").find("netmask") != std::string::npos);
  CHECK(filter_error("tcp host 10.0.0.1").find("goes with ip") != std::string::npos);
  CHECK(filter_error("udp $").find("column 5") != std::string::npos);
  CHECK_EQ(filter_error("  "), std::string(""));
}

// Deterministic mutations of valid pcap and pcapng files: every mutant is
// opened, read to its end and summarised; errors are fine, crashes are not.
TEST(reader_mutation_fuzz_bounded) {
  TempDir d;
  std::vector<std::vector<uint8_t>> seeds;
  {
    Bytes b{false, {}};
    b.pcap_header(rs::kPcapMagicNsec, 2000);
    for (int i = 0; i < 6; i++) b.pcap_record(100 + i, 5 * i, cls_test::frame({.sport = uint16_t(i)}));
    seeds.push_back(b.b);
  }
  {
    Bytes b{true, {}};
    b.pcap_header(rs::kPcapMagicUsec, 0);
    for (int i = 0; i < 4; i++) b.pcap_record(7, 9 * i, pattern(20 + 13 * i, uint8_t(i)), 1000);
    seeds.push_back(b.b);
  }
  for (bool big : {false, true}) {
    Bytes b{big, {}};
    b.shb();
    b.idb(1, 1500, 9, "x");
    b.idb(1, 0, 0x80 | 20);
    b.epb(0, 123, cls_test::frame({}), 0, 1);
    b.spb(pattern(33, 1));
    b.epb(1, 99999, cls_test::frame({.v6 = true}), 2000, 2);
    b.block(0xabcdef, [](Bytes& x) { x.u32(5); });
    b.shb();
    b.idb(1, 64);
    b.epb(0, 1, pattern(64, 7));
    seeds.push_back(b.b);
  }
  // A valid round: every seed reads to its end.
  for (std::size_t i = 0; i < seeds.size(); i++) {
    std::string p = d.file("seed" + std::to_string(i));
    write_bytes(p, seeds[i]);
    rs::PcapReader r;
    r.open(p);
    rs::PcapRecord rec;
    while (r.next(rec)) {}
    CHECK(r.status() == rs::PcapReader::Status::End);
  }
  Lcg rng{20260101};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  const std::string p = d.file("mutant");
  unsigned rounds = 0, opened = 0, clean = 0;
  while (rounds < 20000 && std::chrono::steady_clock::now() < deadline) {
    std::vector<uint8_t> b = seeds[rng.below(uint32_t(seeds.size()))];
    unsigned edits = 1 + rng.below(4);
    for (unsigned k = 0; k < edits && !b.empty(); k++) {
      uint32_t at = rng.below(uint32_t(b.size()));
      switch (rng.below(7)) {
        case 0: b[at] ^= uint8_t(1u << rng.below(8)); break;
        case 1: b[at] = uint8_t(rng.next()); break;
        case 2: b.resize(at); break;
        case 3: {  // a 32-bit field set to an interesting value
          static const uint32_t v[] = {0, 1, 3, 11, 12, 0x7fffffff, 0xffffffff, 0x40000, 0x40001, 28, 0x1a2b3c4d};
          uint32_t x = v[rng.below(11)];
          if (at + 4 <= b.size()) std::memcpy(&b[at], &x, 4);
          break;
        }
        case 4: b.insert(b.begin() + at, uint8_t(rng.next())); break;
        case 5: b.erase(b.begin() + at); break;
        default: {  // duplicate a slice
          uint32_t len = rng.below(64);
          if (at + len <= b.size()) b.insert(b.begin() + at, b.begin() + at, b.begin() + at + len);
        }
      }
    }
    write_bytes(p, b);
    rs::PcapReader r;
    try {
      r.open(p);
      opened++;
      rs::PcapRecord rec;
      uint64_t sum = 0;
      while (r.next(rec)) {
        CHECK(rec.caplen <= rs::kPcapMaxRecordLen);
        for (uint32_t i = 0; i < rec.caplen; i += 61) sum += rec.data[i];  // touches the bytes (ASan)
        if (rec.caplen) sum += rec.data[rec.caplen - 1];
        rs::describe_packet(rec.data, rec.caplen, rec.origlen);
      }
      (void)sum;
      if (r.status() == rs::PcapReader::Status::End) clean++;
      r.rewind();
      while (r.next(rec)) {}
      try { r.throw_if_error(); } catch (const rs::Error& e) { CHECK(std::string(e.what()).find("mutant") != std::string::npos); }
      try { rs::pcap_info(p); } catch (const rs::Error&) {}
    } catch (const rs::Error& e) {
      CHECK(e.code().rfind("EPCAP_", 0) == 0);
      CHECK(std::string(e.what()).find("mutant") != std::string::npos);
    }
    rounds++;
  }
  CHECK(rounds > 200);
  CHECK(opened > 0 && clean > 0);
  std::printf("    reader fuzz: %u mutants, %u opened, %u read cleanly\n", rounds, opened, clean);
}

TEST(filter_compiler_mutation_fuzz) {
  const char* words[] = {"udp", "tcp", "icmp", "arp", "ip", "ip6", "vlan", "10", "host", "net", "port", "src", "dst",
                         "and", "or", "not", "(", ")", "!", "&&", "||", "10.0.0.1", "fd00::1", "10.0.0.0/8", "65535",
                         "99999", "/", "::", "-", "icmp6", "1.2.3.4/40", "[", "]", ":", "tcp[", "tcpflags", "&", "|",
                         "len", "<", ">=", "!=", "=", "*", "%", ">>", "portrange", "1-5", "ether", "mpls", "proto",
                         "\\udp", "0xffffffff", "4294967295", "-1", "00:11:22:33:44:55", "mask", "255.0.0.0", "greater"};
  const uint32_t nwords = sizeof(words) / sizeof(words[0]);
  Lcg rng{7};
  auto f = cls_test::frame({});
  unsigned ok = 0;
  for (int i = 0; i < 5000; i++) {
    std::string e;
    unsigned n = 1 + rng.below(9);
    for (unsigned k = 0; k < n; k++) e += std::string(words[rng.below(nwords)]) + (rng.below(4) ? " " : "");
    try {
      rs::Filter flt = rs::Filter::compile(e);
      flt.match(f.data(), uint32_t(f.size()));
      flt.match(f.data(), 20);  // a runt: reads past it reject, never overrun
      ok++;
    } catch (const rs::Error& err) {
      CHECK_EQ(err.code(), std::string("EFILTER"));
    }
  }
  CHECK(ok > 50);
  std::string deep(200, '(');
  deep += "udp" + std::string(200, ')');
  try { rs::Filter::compile(deep).match(f.data(), uint32_t(f.size())); } catch (const rs::Error&) {}
}
