// The packet decoder (diag/decode.h) on a held set of frames, whole and cut
// at every layer, and the verbose tap (diag/verbose.h) on a real port: what
// it keeps, its filter, and what a full ring suppresses.
#include <cstring>
#include <string>
#include <vector>
#include "diag/decode.h"
#include "diag/verbose.h"
#include "engine.h"
#include "error.h"
#include "harness.h"
#include "linktype.h"
#include "mbuf_frame.h"

using namespace rs;

namespace {

std::vector<uint8_t> unhex(const char* h) {
  std::vector<uint8_t> v;
  for (size_t i = 0; h[i] && h[i + 1]; i += 2) v.push_back(static_cast<uint8_t>(std::stoi(std::string(h + i, 2), nullptr, 16)));
  return v;
}

struct Held {
  const char* name;
  const char* hex;      // built by test/lib/packets.mjs
  const char* summary;  // tcpdump -nn -t's line where tcpdump has one; ours otherwise
  const char* ptype;
  uint32_t l2, l3, l4;
};

const Held kHeld[] = {
    {"udp", "02000000000102000000000208004500002e00000000401166bd0a0000010a00000203e807d0001adfff000000000000000000000000000000000000",
     "IP 10.0.0.1.1000 > 10.0.0.2.2000: UDP, length 18", "L2_ETHER L3_IPV4 L4_UDP", 14, 20, 8},
    {"tcp syn-ack", "02000000000102000000000208004500002800000000400666ce0a0000010a0000029c400050000003e8000000055012faf000620000",
     "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S.], seq 1000, ack 5, win 64240, length 0", "L2_ETHER L3_IPV4 L4_TCP", 14, 20, 20},
    {"arp", "ffffffffffff020000000002080600010800060400010200000000020a0000020000000000000a000001000000000000000000000000000000000000",
     "ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 46", "L2_ETHER_ARP", 14, 0, 0},
    {"icmp", "02000000000102000000000208004500003c00000000400166bf0a0000020a00000108003d3d00070001abababababababababababababababababababababababababababababababab",
     "IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id 7, seq 1, length 40", "L2_ETHER L3_IPV4 L4_ICMP", 14, 20, 0},
    {"vlan", "0200000000010200000000028100000a08004500002e00000000401166bd0a0000010a000002045707d0001adf90000000000000000000000000000000000000",
     "vlan 10, p 0, IP 10.0.0.1.1111 > 10.0.0.2.2000: UDP, length 18", "L2_ETHER_VLAN L3_IPV4 L4_UDP", 18, 20, 8},
    {"qinq", "02000000000102000000000288a8001e8100001408004500002e00000000401166bd0a0000010a00000208ae07d0001adb39000000000000000000000000000000000000",
     "vlan 30, p 0, vlan 20, p 0, IP 10.0.0.1.2222 > 10.0.0.2.2000: UDP, length 18", "L2_ETHER_QINQ L3_IPV4 L4_UDP", 22, 20, 8},
    {"ipv6 ext", "02000000000102000000000286dd600000000042004020010db800000000000000000000000120010db80000000000000000000000022b000104000000002c0200010000000020010db80000000000000000000000993c0000000000004d1100010400000000a028a4100012601c00000000000000000000",
     "IP6 2001:db8::1.41000 > 2001:db8::2.42000: [hop-by-hop, routing type 0 segleft 1, fragment offset 0 id 0x0000004d, dest-opts] UDP, length 10",
     "L2_ETHER L3_IPV6_EXT L4_UDP", 14, 88, 8},
    {"icmp6", "02000000000102000000000286dd6000000000183a4020010db800000000000000000000000120010db800000000000000000000000280005161000100035a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
     "IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 1, seq 3, length 24", "L2_ETHER L3_IPV6 L4_ICMP", 14, 40, 0},
    {"vxlan", "02000000000102000000000208004500005a000000004011f93fc0a80001c0a80002c00012b500468b93080000000000640002000000000102000000000208004500002800000000400622adac100001ac1000029c400050000003e8000000005018faf0bc3f0000",
     "IP 192.168.0.1.49152 > 192.168.0.2.4789: VXLAN, flags [I] (0x08), vni 100: IP 172.16.0.1.40000 > 172.16.0.2.80: Flags [P.], ack 0, win 64240, length 0",
     "L2_ETHER L3_IPV4 L4_UDP TUNNEL_VXLAN INNER_L2_ETHER INNER_L3_IPV4 INNER_L4_TCP", 14, 20, 8},
};

// Each cut says which header stopped the decoder, and at which byte.
struct Cut { const char* name; uint32_t keep; const char* ends_with; };
const Cut kCuts[] = {
    {"udp", 10, "[truncated Ethernet header at byte 0]"},
    {"udp", 20, "IP [truncated IPv4 header at byte 14]"},
    {"udp", 37, "IP 10.0.0.1 > 10.0.0.2: UDP [truncated UDP header at byte 34]"},
    {"udp", 38, "IP 10.0.0.1.1000 > 10.0.0.2.2000: UDP [truncated UDP header at byte 34]"},
    {"tcp syn-ack", 40, "IP 10.0.0.1.40000 > 10.0.0.2.80: TCP [truncated TCP header at byte 34]"},
    {"arp", 20, "ARP, [truncated ARP header at byte 14]"},
    {"arp", 30, "ARP, [truncated ARP addresses at byte 22]"},
    {"icmp", 36, "IP 10.0.0.2 > 10.0.0.1: ICMP [truncated ICMP header at byte 34]"},
    {"vlan", 16, "vlan [truncated VLAN tag at byte 14]"},
    {"qinq", 20, "vlan 30, p 0, vlan [truncated VLAN tag at byte 18]"},
    {"ipv6 ext", 40, "IP6 [truncated IPv6 header at byte 14]"},
    {"ipv6 ext", 60, "IP6 2001:db8::1 > 2001:db8::2: [truncated IPv6 hop-by-hop header at byte 54]"},
    {"ipv6 ext", 75, "[hop-by-hop, routing type 0 segleft 1] [truncated IPv6 routing header at byte 62]"},
    {"ipv6 ext", 90, "[hop-by-hop, routing type 0 segleft 1] [truncated IPv6 fragment header at byte 86]"},
    {"icmp6", 56, "IP6 2001:db8::1 > 2001:db8::2: ICMP6 [truncated ICMPv6 header at byte 54]"},
    {"vxlan", 46, "IP 192.168.0.1.49152 > 192.168.0.2.4789: VXLAN [truncated VXLAN header at byte 42]"},
    {"vxlan", 60, "vni 100: [truncated Ethernet header at byte 50]"},
    {"vxlan", 80, "vni 100: IP [truncated IPv4 header at byte 64]"},
};

const Held& held(const char* name) {
  for (const Held& h : kHeld)
    if (std::string(h.name) == name) return h;
  throw std::runtime_error(name);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<uint8_t> cat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
std::string describe(uint32_t linktype, const std::vector<uint8_t>& f) {
  return describe_record(linktype, f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size()));
}
// The held UDP frame's IPv4 packet, and the IPv6 one's, without Ethernet.
std::vector<uint8_t> ip4_packet() { auto f = unhex(held("udp").hex); return {f.begin() + 14, f.end()}; }
std::vector<uint8_t> ip6_packet() { auto f = unhex(held("icmp6").hex); return {f.begin() + 14, f.end()}; }
const std::string kUdpLine = "IP 10.0.0.1.1000 > 10.0.0.2.2000: UDP, length 18";
const std::string kIcmp6Line = "IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 1, seq 3, length 24";

}  // namespace

// Each link type's header is stepped over and the network layer decoded, as
// tcpdump -nn prints it (network_layer() is what capture filters use too).
TEST(decode_link_types_from_the_network_layer_on) {
  const auto sll = cat(unhex("0000000100060200000000020000" "0800"), ip4_packet());
  const auto sll2 = cat(unhex("86dd0000" "00000003" "0001" "04" "06" "0200000000020000"), ip6_packet());
  const auto null_le = cat(unhex("02000000"), ip4_packet());
  const auto null_be = cat(unhex("0000001e"), ip6_packet());  // Darwin's AF_INET6, written big-endian
  const auto loop = cat(unhex("00000018"), ip6_packet());
  struct Case { uint32_t lt; std::vector<uint8_t> bytes; std::string summary; uint32_t offset; uint16_t type; };
  const Case cases[] = {
      {kLinktypeSll, sll, kUdpLine, 16, 0x0800},
      {kLinktypeSll2, sll2, "ifindex 3 " + kIcmp6Line, 20, 0x86dd},
      {kLinktypeRaw, ip4_packet(), kUdpLine, 0, 0x0800},
      {kLinktypeRaw, ip6_packet(), kIcmp6Line, 0, 0x86dd},
      {kLinktypeRawDlt, ip4_packet(), kUdpLine, 0, 0x0800},
      {kLinktypeRawDltBsd, ip6_packet(), kIcmp6Line, 0, 0x86dd},
      {kLinktypeIpv4, ip4_packet(), kUdpLine, 0, 0x0800},
      {kLinktypeIpv6, ip6_packet(), kIcmp6Line, 0, 0x86dd},
      {kLinktypeNull, null_le, kUdpLine, 4, 0x0800},
      {kLinktypeNull, null_be, kIcmp6Line, 4, 0x86dd},
      {kLinktypeLoop, loop, kIcmp6Line, 4, 0x86dd},
  };
  for (const Case& c : cases) {
    CHECK_EQ(describe(c.lt, c.bytes), c.summary);
    NetworkLayer nl;
    CHECK(network_layer(c.lt, c.bytes.data(), static_cast<uint32_t>(c.bytes.size()), &nl));
    CHECK_EQ(nl.offset, c.offset);
    CHECK_EQ(nl.ethertype, c.type);
    // Cut anywhere: decoded as far as it goes, never read past the end (ASan).
    for (uint32_t k = 0; k < c.bytes.size(); k++) CHECK(!describe_record(c.lt, c.bytes.data(), k, static_cast<uint32_t>(c.bytes.size())).empty());
  }
  auto eth = unhex(held("udp").hex);
  NetworkLayer nl;
  CHECK(network_layer(kLinktypeEthernet, eth.data(), static_cast<uint32_t>(eth.size()), &nl));
  CHECK_EQ(nl.offset, 14u);
  CHECK_EQ(describe(kLinktypeEthernet, eth), kUdpLine);
  CHECK_EQ(describe(kLinktypeSll, unhex("00000001000602")), std::string("[truncated Linux cooked v1 header at byte 0]"));
  CHECK_EQ(describe(kLinktypeNull, cat(unhex("07000000"), ip4_packet())), std::string("[unknown address family at byte 0]"));
  CHECK_EQ(describe(kLinktypeRaw, unhex("5000")), std::string("[IP version 5 at byte 0, neither 4 nor 6]"));
  CHECK(!network_layer(105, eth.data(), static_cast<uint32_t>(eth.size()), &nl));
  CHECK_EQ(describe(105, eth), std::string("IEEE 802.11 frame, length 60"));
}

TEST(decode_tcp_flags_in_tcpdump_order) {
  auto f = unhex(held("tcp syn-ack").hex);
  const std::pair<uint8_t, const char*> cases[] = {
      {0x92, "[S.W]"}, {0xc2, "[SEW]"}, {0x19, "[FP.]"}, {0x14, "[R.]"}, {0x30, "[.U]"}, {0xff, "[FSRP.UEW]"}, {0x00, "[none]"}};
  for (auto [flags, text] : cases) {
    f[47] = flags;
    std::string s = describe(kLinktypeEthernet, f);
    if (s.find(std::string("Flags ") + text) == std::string::npos) std::fprintf(stderr, "    0x%02x: %s\n", flags, s.c_str());
    CHECK(s.find(std::string("Flags ") + text) != std::string::npos);
  }
}

// ARP reads its addresses where the header's lengths put them.
TEST(decode_arp_honours_address_lengths) {
  const std::string hdr = "ffffffffffff0200000000020806";
  // Request with a target hardware address set: tcpdump prints it.
  CHECK_EQ(describe(kLinktypeEthernet, unhex((hdr + "0001080006040001" "020000000002" "0a000002" "020000000009" "0a000001").c_str())),
           std::string("ARP, Request who-has 10.0.0.1 (02:00:00:00:00:09) tell 10.0.0.2, length 28"));
  // 8-byte hardware addresses: the IPv4 addresses follow them.
  CHECK_EQ(describe(kLinktypeEthernet, unhex((hdr + "0001080008040002" "0102030405060708" "0a000002" "1112131415161718" "0a000001").c_str())),
           std::string("ARP, Reply 10.0.0.2 is-at 01:02:03:04:05:06:07:08, length 32"));
  // Lengths that promise more than the capture holds: no address is printed.
  CHECK_EQ(describe(kLinktypeEthernet, unhex((hdr + "0001080006100001" "020000000002" "0a000002").c_str())),
           std::string("ARP, [truncated ARP addresses at byte 22]"));
  // Not IPv4 over Ethernet: the types and lengths, as tcpdump says them.
  CHECK_EQ(describe(kLinktypeEthernet, unhex((hdr + "0001123406020001" "020000000002" "0a00" "000000000000" "0a01").c_str())),
           std::string("ARP, Ethernet (len 6), Unknown Protocol (0x1234) (len 2), length 24"));
}

// An 802.3 length field: LLC named as tcpdump -e names it, SNAP's OUI and
// protocol, RFC 1042 SNAP decoded on, STP's BPDU.
TEST(decode_llc_snap_and_stp) {
  const std::string macs = "0180c2000000" "001906eab885";
  const auto stp = unhex((macs + "0026" "424203" "0000" "00" "00" "00" "8001001906eab880" "00000000" "8001001906eab880" "8005" "0000" "1400" "0200" "0f00" "00000000000000").c_str());
  CHECK_EQ(describe(kLinktypeEthernet, stp),
           std::string("00:19:06:ea:b8:85 > 01:80:c2:00:00:00, 802.3, length 38: LLC, dsap STP (0x42) Individual, "
                       "ssap STP (0x42) Command, ctrl 0x03: STP 802.1d, Config, length 35"));
  const auto cdp = unhex((macs + "0182" "aaaa03" "00000c2000" "02b4971d").c_str());
  CHECK_EQ(describe(kLinktypeEthernet, cdp),
           std::string("00:19:06:ea:b8:85 > 01:80:c2:00:00:00, 802.3, length 386: LLC, dsap SNAP (0xaa) Individual, "
                       "ssap SNAP (0xaa) Command, ctrl 0x03: oui Cisco (0x00000c), pid CDP (0x2000), length 378"));
  const auto snap_ip = cat(unhex((macs + "0036" "aaaa03" "0000000800").c_str()), ip4_packet());
  CHECK_EQ(describe(kLinktypeEthernet, snap_ip),
           "00:19:06:ea:b8:85 > 01:80:c2:00:00:00, 802.3, length 54: LLC, dsap SNAP (0xaa) Individual, ssap SNAP (0xaa) "
           "Command, ctrl 0x03: oui Ethernet (0x000000), ethertype IPv4 (0x0800), length 46: " + kUdpLine);
  CHECK_EQ(describe(kLinktypeEthernet, unhex((macs + "0026" "42").c_str())),
           std::string("00:19:06:ea:b8:85 > 01:80:c2:00:00:00, 802.3, length 38: [truncated LLC header at byte 14]"));
}

TEST(decode_sctp_and_dccp_ports) {
  auto ip = ip4_packet();
  ip.resize(20);
  auto with = [&](uint8_t proto, const char* l4) {  // the IPv4 header with its protocol and total length set
    auto pkt = cat(ip, unhex(l4));
    pkt[9] = proto;
    pkt[2] = static_cast<uint8_t>(pkt.size() >> 8);
    pkt[3] = static_cast<uint8_t>(pkt.size());
    return pkt;
  };
  // SCTP: common header, an INIT chunk of 20 bytes, a COOKIE ECHO of 4.
  auto sctp = with(132, "138813890000000000000000" "01000014" "00000000000000000000000000000000" "0a000004");
  CHECK_EQ(describe(kLinktypeIpv4, sctp), std::string("IP 10.0.0.1.5000 > 10.0.0.2.5001: sctp (1) [INIT] (2) [COOKIE ECHO]"));
  auto dccp = with(33, "d431005003000000" "0100" "0000" "00000001");  // a Request (type 0)
  CHECK_EQ(describe(kLinktypeIpv4, dccp), std::string("IP 10.0.0.1.54321 > 10.0.0.2.80: DCCP-Request"));
  CHECK_EQ(describe(kLinktypeIpv4, with(33, "d4310050")), std::string("IP 10.0.0.1.54321 > 10.0.0.2.80: DCCP [truncated DCCP header at byte 20]"));
}

namespace {

}  // namespace

TEST(decode_held_packet_types) {
  for (const Held& h : kHeld) {
    std::vector<uint8_t> f = unhex(h.hex);
    DecodedPacket d = decode_packet(f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size()));
    CHECK_EQ(d.summary, std::string(h.summary));
    CHECK_EQ(d.ptype, std::string(h.ptype));
    CHECK_EQ(d.l2_len, h.l2);
    CHECK_EQ(d.l3_len, h.l3);
    CHECK_EQ(d.l4_len, h.l4);
    CHECK_EQ(d.src_mac, std::string("02:00:00:00:00:02"));
    CHECK_EQ(describe_packet(f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size())), d.summary);
  }
}

TEST(decode_malformed_says_where_it_stops) {
  for (const Cut& c : kCuts) {
    std::vector<uint8_t> f = unhex(held(c.name).hex);
    uint32_t orig = static_cast<uint32_t>(f.size());
    std::string s = describe_packet(f.data(), c.keep, orig);
    if (!ends_with(s, c.ends_with)) std::fprintf(stderr, "    %s cut at %u: '%s'\n", c.name, c.keep, s.c_str());
    CHECK(ends_with(s, c.ends_with));
  }
  // Every cut of every held frame decodes without reading past the end (ASan).
  for (const Held& h : kHeld) {
    std::vector<uint8_t> f = unhex(h.hex);
    for (uint32_t k = 0; k <= f.size(); k++) {
      std::vector<uint8_t> cut(f.begin(), f.begin() + k);
      CHECK(!describe_packet(cut.data(), k, static_cast<uint32_t>(f.size())).empty());
    }
  }
  // A bad IPv4 version/header length is named, not decoded.
  std::vector<uint8_t> f = unhex(held("udp").hex);
  f[14] = 0x43;
  CHECK_EQ(describe_packet(f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size())),
           std::string("IP [bad IPv4 version/header length 0x43 at byte 14]"));
}

TEST(decode_hex_dump) {
  std::vector<uint8_t> f = unhex(held("udp").hex);
  std::vector<std::string> lines = hex_dump(f.data(), static_cast<uint32_t>(f.size()));
  CHECK_EQ(lines.size(), 4u);
  CHECK_EQ(lines[0], std::string("0000  02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00   ..............E."));
  CHECK_EQ(lines[3], std::string("0030  00 00 00 00 00 00 00 00 00 00 00 00               ............"));
}

TEST(verbose_tap_keeps_filters_and_suppresses) {
  EngineOptions eo;
  eo.total_num_mbufs = 2048;
  Engine e(eo);
  Port& port = e.port(e.attach("net_null0"));
  Mempool pool("verbose-test", 256, 2048);
  // Sends n copies of a held frame through the port (net_null frees them).
  auto send = [&](const char* name, uint16_t n) {
    std::vector<uint8_t> f = unhex(held(name).hex);
    Mbuf* m[64];
    CHECK_EQ(pool.alloc_bulk(m, n), n);
    for (uint16_t i = 0; i < n; i++) {
      cls_test::put_frame(m[i], f);
    }
    CHECK_EQ(port.tx_burst(0, m, n), n);
  };
  VerboseManager& v = e.verbose();
  v.set({&port}, false, VerboseOptions{4, "", 0});
  CHECK(port.diag_tap() != nullptr);
  send("udp", 32);
  VerboseDrain d = v.drain(1000);
  CHECK_EQ(d.records.size(), 32u);
  CHECK_EQ(d.suppressed, 0u);
  for (const VerboseRecord& r : d.records) {
    CHECK(r.tx && r.ts_ns > 0 && r.length == 60 && r.caplen == 60);
    CHECK_EQ(r.decoded.summary, std::string(held("udp").summary));
  }
  // The filter keeps only what matches.
  v.set({&port}, false, VerboseOptions{4, "arp", 0});
  e.release_taps_if_idle();
  send("udp", 16);
  send("arp", 4);
  d = v.drain(1000);
  CHECK_EQ(d.records.size(), 4u);
  for (const VerboseRecord& r : d.records) CHECK_EQ(r.decoded.summary, std::string(held("arp").summary));
  // A bad filter is refused and changes nothing.
  bool threw = false;
  try { v.set({&port}, false, VerboseOptions{4, "udp port", 0}); } catch (const Error& err) { threw = err.code() == "EFILTER"; }
  CHECK(threw);
  CHECK_EQ(v.filter(), std::string("arp"));
  // A 4 KiB ring holds fewer than 64 records of a 60-byte frame: the rest is
  // suppressed, and counted once.
  v.set({&port}, false, VerboseOptions{4, "", 4096});
  e.release_taps_if_idle();
  send("udp", 64);
  d = v.drain(1000);
  CHECK(d.records.size() > 0 && d.suppressed > 0);
  CHECK_EQ(d.records.size() + d.suppressed, 64u);
  CHECK_EQ(v.drain(1000).suppressed, 0u);
  // Level 1 shows only what is received; level 0 removes the tap.
  v.set({&port}, false, VerboseOptions{1, "", 0});
  send("udp", 8);
  CHECK_EQ(v.drain(1000).records.size(), 0u);
  v.set({&port}, false, VerboseOptions{0, "", 0});
  CHECK(port.diag_tap() == nullptr);
  e.release_taps_if_idle();
  CHECK_EQ(pool.available(), 256u);
}

TEST(verbose_covers_ports_and_queues_added_later) {
  EngineOptions eo;
  eo.total_num_mbufs = 2048;
  Engine e(eo);
  Port& first = e.port(e.attach("net_null0"));
  Mempool pool("verbose-later", 64, 2048);
  std::vector<uint8_t> f = unhex(held("udp").hex);
  auto send = [&](Port& port, uint16_t q) {
    Mbuf* m;
    CHECK_EQ(pool.alloc_bulk(&m, 1), 1u);
    cls_test::put_frame(m, f);
    CHECK_EQ(port.tx_burst(q, &m, 1), 1);
  };
  VerboseManager& v = e.verbose();
  v.set({&first}, true, VerboseOptions{4, "udp", 0});  // `set verbose 4 filter udp`: every port
  // A port attached afterwards is shown without setting verbose again.
  Port& later = e.port(e.attach("net_null1"));
  CHECK(later.diag_tap() != nullptr);
  send(later, 0);
  VerboseDrain d = v.drain(100);
  CHECK_EQ(d.records.size(), 1u);
  CHECK(d.records[0].port == later.id() && d.records[0].tx);
  // So is a queue added to a port: its tap is replaced by one over every queue.
  later.stop();
  e.port_set_queues(later.id(), 2, 2);
  later.start();
  send(later, 1);
  d = v.drain(100);
  CHECK_EQ(d.records.size(), 1u);
  CHECK(d.records[0].queue == 1);
  // A verbose limited to one port leaves the others alone.
  v.set({&first}, false, VerboseOptions{4, "", 0});
  e.release_taps_if_idle();
  Port& third = e.port(e.attach("net_null2"));
  CHECK(third.diag_tap() == nullptr);
  v.set({}, false, VerboseOptions{0, "", 0});
  e.release_taps_if_idle();
  CHECK_EQ(pool.available(), 64u);
}
