// Forwarding engines called directly on one stream between net_ring ports,
// checking packet contents byte by byte; checksums are verified with a
// reference implementation written here, independent of packet.h.
#include <arpa/inet.h>
#include <chrono>
#include <thread>
#include <cstring>
#include <memory>
#include <string>
#include <vector>
#include "error.h"
#include "fwd/engines.h"
#include "harness.h"
#include "mbuf_frame.h"
#include "packet.h"

using namespace rs;

namespace {

// ---- reference checksum (RFC 1071, big-endian words, byte at a time) ----
uint16_t ref_cksum(const std::vector<uint8_t>& b) {
  uint32_t sum = 0;
  for (std::size_t i = 0; i < b.size(); i += 2)
    sum += (uint32_t(b[i]) << 8) | (i + 1 < b.size() ? b[i + 1] : 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}
std::vector<uint8_t> bytes(const uint8_t* p, std::size_t n) { return std::vector<uint8_t>(p, p + n); }
// Valid when the sum over the region, checksum included, complements to 0.
bool ipv4_hdr_ok(const uint8_t* ip) { return ref_cksum(bytes(ip, (ip[0] & 0xf) * 4)) == 0; }
bool ipv4_l4_ok(const uint8_t* ip) {
  std::size_t hl = (ip[0] & 0xf) * 4, total = (ip[2] << 8) | ip[3], l4 = total - hl;
  std::vector<uint8_t> v(ip + 12, ip + 20);  // src, dst
  v.push_back(0);
  v.push_back(ip[9]);
  v.push_back(static_cast<uint8_t>(l4 >> 8));
  v.push_back(static_cast<uint8_t>(l4));
  v.insert(v.end(), ip + hl, ip + total);
  return ref_cksum(v) == 0;
}
bool ipv6_l4_ok(const uint8_t* ip) {
  std::size_t l4 = (ip[4] << 8) | ip[5];
  std::vector<uint8_t> v(ip + 8, ip + 40);  // src, dst
  v.insert(v.end(), {0, 0, static_cast<uint8_t>(l4 >> 8), static_cast<uint8_t>(l4), 0, 0, 0, ip[6]});
  v.insert(v.end(), ip + 40, ip + 40 + l4);
  return ref_cksum(v) == 0;
}
void put16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v >> 8); p[1] = uint8_t(v); }
uint16_t get16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }

const uint8_t kMacA[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
const uint8_t kMacB[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};

// ---- packet builders (plain byte writes, not packet.h structs) ----
// Ethernet [+ one VLAN tag] + IPv4 + UDP/TCP/ICMP with valid checksums.
std::vector<uint8_t> ipv4_packet(uint8_t proto, const char* src, const char* dst, uint16_t sport, uint16_t dport,
                                 std::size_t payload, bool vlan = false, uint16_t frag = 0) {
  std::vector<uint8_t> f(14 + (vlan ? 4 : 0));
  std::memcpy(&f[0], kMacB, 6);
  std::memcpy(&f[6], kMacA, 6);
  if (vlan) { put16(&f[12], 0x8100); put16(&f[14], 100); put16(&f[16], 0x0800); }
  else put16(&f[12], 0x0800);
  std::size_t l3 = f.size();
  std::size_t l4len = (proto == 6 ? 20 : 8) + payload;
  f.resize(l3 + 20 + l4len);
  uint8_t* ip = &f[l3];
  ip[0] = 0x45; put16(ip + 2, uint16_t(20 + l4len)); put16(ip + 4, 0x1234); put16(ip + 6, frag);
  ip[8] = 64; ip[9] = proto;
  inet_pton(AF_INET, src, ip + 12);
  inet_pton(AF_INET, dst, ip + 16);
  put16(ip + 10, ref_cksum(bytes(ip, 20)));
  uint8_t* l4 = ip + 20;
  for (std::size_t i = 0; i < payload; i++) l4[l4len - payload + i] = uint8_t(i * 7 + 1);
  if (proto == 1) {
    l4[0] = 8; l4[1] = 0; put16(l4 + 4, 0x4242); put16(l4 + 6, 7);
    put16(l4 + 2, ref_cksum(bytes(l4, l4len)));
    return f;
  }
  put16(l4, sport); put16(l4 + 2, dport);
  if (proto == 17) put16(l4 + 4, uint16_t(l4len));
  else { l4[12] = 0x50; l4[13] = 0x18; put16(l4 + 14, 512); }
  std::vector<uint8_t> ph(ip + 12, ip + 20);
  ph.insert(ph.end(), {0, proto, uint8_t(l4len >> 8), uint8_t(l4len)});
  ph.insert(ph.end(), l4, l4 + l4len);
  uint16_t c = ref_cksum(ph);
  put16(l4 + (proto == 17 ? 6 : 16), proto == 17 && c == 0 ? 0xffff : c);
  return f;
}

std::vector<uint8_t> ipv6_tcp_packet(std::size_t payload) {
  std::vector<uint8_t> f(14 + 40 + 20 + payload);
  std::memcpy(&f[0], kMacB, 6);
  std::memcpy(&f[6], kMacA, 6);
  put16(&f[12], 0x86dd);
  uint8_t* ip = &f[14];
  ip[0] = 0x60; put16(ip + 4, uint16_t(20 + payload)); ip[6] = 6; ip[7] = 64;
  inet_pton(AF_INET6, "2001:db8::1", ip + 8);
  inet_pton(AF_INET6, "2001:db8::2:3", ip + 24);
  uint8_t* l4 = ip + 40;
  put16(l4, 40000); put16(l4 + 2, 443); l4[12] = 0x50; l4[13] = 0x10;
  for (std::size_t i = 0; i < payload; i++) l4[20 + i] = uint8_t(i + 3);
  std::vector<uint8_t> ph(ip + 8, ip + 40);
  std::size_t l4len = 20 + payload;
  ph.insert(ph.end(), {0, 0, uint8_t(l4len >> 8), uint8_t(l4len), 0, 0, 0, 6});
  ph.insert(ph.end(), l4, l4 + l4len);
  put16(l4 + 16, ref_cksum(ph));
  return f;
}

std::vector<uint8_t> arp_request(const char* sender_ip, const char* target_ip) {
  std::vector<uint8_t> f(42);
  std::memset(&f[0], 0xff, 6);
  std::memcpy(&f[6], kMacA, 6);
  put16(&f[12], 0x0806);
  uint8_t* a = &f[14];
  put16(a, 1); put16(a + 2, 0x0800); a[4] = 6; a[5] = 4; put16(a + 6, 1);
  std::memcpy(a + 8, kMacA, 6);
  inet_pton(AF_INET, sender_ip, a + 14);
  inet_pton(AF_INET, target_ip, a + 24);
  return f;
}

// Two net_ring ports, each looping back to itself: what is sent to port A
// can be received from A. The stream receives on A and transmits on B, so
// engine output is read from B.
struct Rig {
  static inline int next = 0;
  std::unique_ptr<Mempool> pool = std::make_unique<Mempool>("test_fwd", 4096);
  std::unique_ptr<Port> a, b;
  FwdSettings s;
  FwdStream fs;

  Rig() {
    const DriverInfo* d = find_driver("net_ring");
    int n = next;
    next += 2;
    a = d->create(0, DevArgs::parse("net_ring" + std::to_string(900 + n)), pool.get());
    b = d->create(1, DevArgs::parse("net_ring" + std::to_string(901 + n)), pool.get());
    a->start();
    b->start();
    s.pool = pool.get();
    s.eth_peer = {MacAddr{2, 0, 0, 0, 0, 0}, MacAddr{2, 0, 0, 0, 0, 1}};
    s.port_ips.resize(2);
    fs.rx_port = 0; fs.rx = a.get();
    fs.tx_port = 1; fs.tx = b.get();
  }
  ~Rig() {
    a->close();
    b->close();
  }
  void inject(const std::vector<uint8_t>& frame) {
    Mbuf* m = pool->alloc();
    cls_test::put_frame(m, frame);
    CHECK_EQ(a->tx_burst(0, &m, 1), 1);
  }
  void run(const FwdEngine& e) {
    if (e.stream_init) e.stream_init(fs, s);
    e.packet_fwd(fs, s);
  }
  // Everything the engine sent, as byte vectors; mbufs go back to the pool.
  std::vector<std::vector<uint8_t>> output() {
    std::vector<std::vector<uint8_t>> out;
    Mbuf* m[64];
    while (uint16_t n = b->rx_burst(0, m, 64)) {
      for (uint16_t i = 0; i < n; i++) out.push_back(bytes(m[i]->data(), m[i]->data_len));
      mbuf_free_bulk(m, n);
    }
    return out;
  }
};

}  // namespace

TEST(fwd_table_lists_every_engine) {
  const char* names[] = {"io", "mac", "macswap", "flowgen", "rxonly", "txonly", "csum", "icmpecho", "noisy", "5tswap"};
  for (const char* n : names) {
    const FwdEngine* e = find_fwd_engine(n);
    CHECK(e != nullptr);
    if (e) { CHECK_EQ(std::string(e->name), std::string(n)); CHECK(e->help && *e->help); CHECK(e->packet_fwd); }
  }
  CHECK(find_fwd_engine("warpdrive") == nullptr);
  CHECK_EQ(fwd_engine_table().size(), sizeof names / sizeof names[0]);
}

// testpmd's packet_fwd_t: true when the burst received or generated a
// packet. The poll loop's idle back-off and `show lcores` busy share rely on it.
TEST(fwd_engines_report_whether_they_moved_packets) {
  for (const FwdEngine* e : fwd_engine_table()) {
    Rig r;
    if (e->stream_init) e->stream_init(r.fs, r.s);
    bool generates = e == &fwd_txonly || e == &fwd_flowgen;
    CHECK_EQ(e->packet_fwd(r.fs, r.s), generates);  // nothing to receive
    r.inject(ipv4_packet(17, "10.1.2.3", "10.1.2.4", 1234, 53, 20));
    CHECK(e->packet_fwd(r.fs, r.s));
    r.output();
  }
}

TEST(packet_checksums_match_reference) {
  auto f = ipv4_packet(17, "10.1.2.3", "192.168.200.9", 1234, 53, 33);
  auto* ip = reinterpret_cast<Ipv4Hdr*>(&f[14]);
  CHECK_EQ(get16(&f[14 + 10]), be16(ip->csum));
  uint16_t want = ip->csum;
  ip->csum = 0xdead;  // ipv4_hdr_cksum must ignore the stored value
  CHECK_EQ(ipv4_hdr_cksum(ip), want);
  ip->csum = want;
  auto* udp = reinterpret_cast<UdpHdr*>(&f[34]);
  uint16_t udp_want = udp->csum;
  udp->csum = 0;
  CHECK_EQ(ipv4_l4_cksum(ip, kIpProtoUdp, udp, 8 + 33), udp_want);
  auto g = ipv6_tcp_packet(11);
  auto* tcp = reinterpret_cast<TcpHdr*>(&g[54]);
  uint16_t tcp_want = tcp->csum;
  tcp->csum = 0;
  CHECK_EQ(ipv6_l4_cksum(reinterpret_cast<Ipv6Hdr*>(&g[14]), kIpProtoTcp, tcp, 31), tcp_want);
  // Incremental update equals recomputation.
  ip->ttl = 63;
  uint16_t old_word = be16(uint16_t(64 << 8 | 17)), new_word = be16(uint16_t(63 << 8 | 17));
  CHECK_EQ(cksum_update16(want, old_word, new_word), ipv4_hdr_cksum(ip));
  uint32_t old_src = ip->src;
  ip->src = be32(0x0a0a0a0a);
  CHECK_EQ(cksum_update32(cksum_update16(want, old_word, new_word), old_src, ip->src), ipv4_hdr_cksum(ip));
  CHECK_EQ(be16(0x1234), uint16_t(htons(0x1234)));
  CHECK_EQ(be32(0x12345678u), uint32_t(htonl(0x12345678u)));
}

TEST(fwd_io_forwards_unchanged) {
  Rig r;
  auto f1 = ipv4_packet(17, "1.1.1.1", "2.2.2.2", 1, 2, 10);
  auto f2 = arp_request("1.1.1.1", "1.1.1.2");
  r.inject(f1);
  r.inject(f2);
  r.run(*find_fwd_engine("io"));
  auto out = r.output();
  CHECK_EQ(out.size(), 2u);
  if (out.size() == 2) { CHECK(out[0] == f1); CHECK(out[1] == f2); }
  CHECK_EQ(r.fs.rx_packets.get(), 2u);
  CHECK_EQ(r.fs.tx_packets.get(), 2u);
  CHECK_EQ(r.fs.fwd_dropped.get(), 0u);
  CHECK_EQ(r.pool->in_use(), 0u);
}

// csum: wrong IPv4 header and L4 checksums are counted and rewritten; right
// ones, IPv6 and non-IP frames pass unchanged.
TEST(fwd_csum_counts_and_fixes_bad_checksums) {
  Rig r;
  auto good = ipv4_packet(17, "1.1.1.1", "2.2.2.2", 1, 2, 10);
  auto bad_ip = ipv4_packet(17, "1.1.1.1", "2.2.2.2", 1, 2, 10);
  bad_ip[14 + 10] ^= 0x5a;
  auto bad_tcp = ipv4_packet(6, "1.1.1.1", "2.2.2.2", 1000, 80, 20);
  bad_tcp[14 + 20 + 16] ^= 0x01;
  auto v6 = ipv6_tcp_packet(12);
  auto v6_bad = ipv6_tcp_packet(12);
  v6_bad[14 + 40 + 17] ^= 0x80;
  auto arp = arp_request("1.1.1.1", "1.1.1.2");
  for (const auto& f : {good, bad_ip, bad_tcp, v6, v6_bad, arp}) r.inject(f);
  r.run(*find_fwd_engine("csum"));
  auto out = r.output();
  CHECK_EQ(out.size(), 6u);
  if (out.size() != 6) return;
  CHECK_EQ(r.fs.bad_ip_csum.get(), 1u);
  CHECK_EQ(r.fs.bad_l4_csum.get(), 2u);
  CHECK(out[0] == good);
  for (int i : {0, 1, 2}) { CHECK(ipv4_hdr_ok(&out[i][14])); CHECK(ipv4_l4_ok(&out[i][14])); }
  CHECK(out[3] == v6);
  CHECK(ipv6_l4_ok(&out[4][14]));
  CHECK(out[5] == arp);
  CHECK_EQ(r.pool->in_use(), 0u);
}

TEST(fwd_macswap_swaps_macs) {
  Rig r;
  auto f = ipv4_packet(6, "1.1.1.1", "2.2.2.2", 1000, 80, 20);
  r.inject(f);
  r.run(*find_fwd_engine("macswap"));
  auto out = r.output();
  CHECK_EQ(out.size(), 1u);
  if (out.size() != 1) return;
  CHECK(std::memcmp(&out[0][0], kMacA, 6) == 0);
  CHECK(std::memcmp(&out[0][6], kMacB, 6) == 0);
  CHECK(std::equal(out[0].begin() + 12, out[0].end(), f.begin() + 12));
}

TEST(fwd_mac_sets_tx_port_mac_and_peer) {
  Rig r;
  r.b->set_mac(MacAddr{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01});
  r.s.eth_peer[1] = MacAddr{0x02, 0x10, 0x20, 0x30, 0x40, 0x50};
  auto f = ipv4_packet(17, "1.1.1.1", "2.2.2.2", 1, 2, 30);
  r.inject(f);
  r.inject(f);
  r.run(*find_fwd_engine("mac"));
  auto out = r.output();
  CHECK_EQ(out.size(), 2u);
  const uint8_t dst[6] = {0x02, 0x10, 0x20, 0x30, 0x40, 0x50}, src[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01};
  for (auto& o : out) {
    CHECK(std::memcmp(&o[0], dst, 6) == 0);
    CHECK(std::memcmp(&o[6], src, 6) == 0);
    CHECK(std::equal(o.begin() + 12, o.end(), f.begin() + 12));
  }
}

TEST(fwd_5tswap_swaps_l2_l3_l4) {
  Rig r;
  auto v4 = ipv4_packet(17, "10.0.0.1", "10.0.0.2", 1111, 2222, 25);
  auto v4tcp_vlan = ipv4_packet(6, "172.16.0.1", "172.16.9.9", 5555, 80, 9, true);
  auto v6 = ipv6_tcp_packet(17);
  auto frag = ipv4_packet(17, "10.0.0.1", "10.0.0.2", 1111, 2222, 25, false, 0x0003);  // offset 24 bytes
  r.inject(v4); r.inject(v4tcp_vlan); r.inject(v6); r.inject(frag);
  r.run(*find_fwd_engine("5tswap"));
  auto out = r.output();
  CHECK_EQ(out.size(), 4u);
  if (out.size() != 4) return;
  for (auto& o : out) {
    CHECK(std::memcmp(&o[0], kMacA, 6) == 0);
    CHECK(std::memcmp(&o[6], kMacB, 6) == 0);
  }
  // IPv4/UDP: addresses and ports swapped, checksums still valid.
  const uint8_t* ip = &out[0][14];
  CHECK(std::memcmp(ip + 12, &v4[14 + 16], 4) == 0);
  CHECK(std::memcmp(ip + 16, &v4[14 + 12], 4) == 0);
  CHECK_EQ(get16(ip + 20), 2222);
  CHECK_EQ(get16(ip + 22), 1111);
  CHECK(ipv4_hdr_ok(ip));
  CHECK(ipv4_l4_ok(ip));
  // VLAN + IPv4/TCP.
  ip = &out[1][18];
  CHECK_EQ(get16(&out[1][12]), 0x8100);
  CHECK(std::memcmp(ip + 12, &v4tcp_vlan[18 + 16], 4) == 0);
  CHECK_EQ(get16(ip + 20), 80);
  CHECK_EQ(get16(ip + 22), 5555);
  CHECK(ipv4_hdr_ok(ip));
  CHECK(ipv4_l4_ok(ip));
  // IPv6/TCP.
  ip = &out[2][14];
  CHECK(std::memcmp(ip + 8, &v6[14 + 24], 16) == 0);
  CHECK(std::memcmp(ip + 24, &v6[14 + 8], 16) == 0);
  CHECK_EQ(get16(ip + 40), 443);
  CHECK_EQ(get16(ip + 42), 40000);
  CHECK(ipv6_l4_ok(ip));
  // Non-first fragment: addresses swapped, the "ports" (payload) untouched.
  ip = &out[3][14];
  CHECK(std::memcmp(ip + 12, &frag[14 + 16], 4) == 0);
  CHECK_EQ(get16(ip + 20), 1111);
  CHECK(ipv4_hdr_ok(ip));
}

TEST(fwd_5tswap_and_macswap_leave_runts_alone) {
  Rig r;
  std::vector<uint8_t> runt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  r.inject(runt);
  r.run(*find_fwd_engine("5tswap"));
  r.inject(runt);
  r.run(*find_fwd_engine("macswap"));
  auto out = r.output();
  CHECK_EQ(out.size(), 2u);
  for (auto& o : out) CHECK(o == runt);
}

TEST(fwd_rxonly_frees_everything) {
  Rig r;
  for (int i = 0; i < 40; i++) r.inject(ipv4_packet(17, "1.1.1.1", "2.2.2.2", 1, 2, 10));
  r.s.burst = 32;
  r.run(*find_fwd_engine("rxonly"));
  CHECK_EQ(r.fs.rx_packets.get(), 32u);
  r.run(*find_fwd_engine("rxonly"));
  CHECK_EQ(r.fs.rx_packets.get(), 40u);
  CHECK_EQ(r.fs.tx_packets.get(), 0u);
  CHECK_EQ(r.output().size(), 0u);
  CHECK_EQ(r.pool->in_use(), 0u);
}

TEST(fwd_txonly_builds_valid_udp_ipv4) {
  Rig r;
  // Dirty every mbuf so a missing payload clear shows up.
  std::vector<Mbuf*> all(r.pool->size());
  CHECK_EQ(r.pool->alloc_bulk(all.data(), uint32_t(all.size())), uint32_t(all.size()));
  for (Mbuf* m : all) std::memset(m->data(), 0xa5, r.pool->data_room());
  mbuf_free_bulk(all.data(), uint32_t(all.size()));

  for (uint16_t len : {uint16_t(64), uint16_t(65), uint16_t(1514)}) {
    r.s.txpkts = {uint16_t(len - 20), uint16_t(20)};
    r.s.burst = 8;
    r.b->set_mac(MacAddr{0x02, 0, 0, 0, 0xbe, 0xef});
    r.run(*find_fwd_engine("txonly"));
    auto out = r.output();
    CHECK_EQ(out.size(), 8u);
    CHECK_EQ(r.fs.rx_packets.get(), 0u);
    for (auto& o : out) {
      CHECK_EQ(o.size(), std::size_t(len));
      const uint8_t peer[6] = {2, 0, 0, 0, 0, 1}, mac[6] = {0x02, 0, 0, 0, 0xbe, 0xef};
      CHECK(std::memcmp(&o[0], peer, 6) == 0);
      CHECK(std::memcmp(&o[6], mac, 6) == 0);
      CHECK_EQ(get16(&o[12]), 0x0800);
      const uint8_t* ip = &o[14];
      CHECK_EQ(ip[0], 0x45);
      CHECK_EQ(get16(ip + 2), len - 14);
      CHECK_EQ(ip[9], 17);
      CHECK_EQ(get16(ip + 12), 0xc0a8);  // 192.168.0.1
      CHECK_EQ(get16(ip + 14), 0x0001);
      CHECK_EQ(get16(ip + 18), 0x0002);  // 192.168.0.2
      CHECK_EQ(get16(ip + 20), 9);
      CHECK_EQ(get16(ip + 22), 9);
      CHECK_EQ(get16(ip + 24), len - 34);
      CHECK(get16(ip + 26) != 0);  // a real UDP checksum, not "none"
      CHECK(ipv4_hdr_ok(ip));
      CHECK(ipv4_l4_ok(ip));
      // The payload starts with the 16-byte generator stamp ("RS", source,
      // sequence, timestamp: gen/template.h); the rest is cleared.
      CHECK_EQ(get16(&o[42]), 0x5253);
      bool zero = true;
      for (std::size_t i = 42 + 16; i < o.size(); i++) zero = zero && o[i] == 0;
      CHECK(zero);
    }
  }
  CHECK_EQ(r.fs.tx_packets.get(), 24u);
  CHECK_EQ(r.pool->in_use(), 0u);
}

TEST(fwd_icmpecho_answers_only_configured_address) {
  Rig r;
  in_addr ours{};
  inet_pton(AF_INET, "10.0.0.1", &ours);
  r.s.port_ips[0] = {PortIp{ours.s_addr, 24}};
  r.b->set_mac(MacAddr{0x02, 0xee, 0, 0, 0, 0x01});
  const uint8_t txmac[6] = {0x02, 0xee, 0, 0, 0, 0x01};
  auto arp_ok = arp_request("10.0.0.7", "10.0.0.1");
  auto echo_ok = ipv4_packet(1, "10.0.0.7", "10.0.0.1", 0, 0, 24);
  r.inject(arp_request("10.0.0.7", "10.0.0.2"));             // not ours
  r.inject(arp_ok);
  r.inject(ipv4_packet(1, "10.0.0.7", "10.0.0.9", 0, 0, 24));  // not ours
  r.inject(echo_ok);
  r.inject(ipv4_packet(17, "10.0.0.7", "10.0.0.1", 5, 6, 8));  // UDP: not answered
  auto arp_reply_req = arp_request("10.0.0.7", "10.0.0.1");
  arp_reply_req[21] = 2;  // an ARP reply is not answered
  r.inject(arp_reply_req);
  r.run(*find_fwd_engine("icmpecho"));
  auto out = r.output();
  CHECK_EQ(r.fs.rx_packets.get(), 6u);
  CHECK_EQ(r.fs.tx_packets.get(), 2u);
  CHECK_EQ(r.fs.fwd_dropped.get(), 4u);
  CHECK_EQ(r.pool->in_use(), 0u);
  CHECK_EQ(out.size(), 2u);
  if (out.size() != 2) return;
  // ARP reply: to the asker, from the tx port, sender = our address.
  const auto& a = out[0];
  CHECK(std::memcmp(&a[0], kMacA, 6) == 0);
  CHECK(std::memcmp(&a[6], txmac, 6) == 0);
  CHECK_EQ(get16(&a[12]), 0x0806);
  CHECK_EQ(get16(&a[20]), 2);
  CHECK(std::memcmp(&a[22], txmac, 6) == 0);          // sha
  CHECK(std::memcmp(&a[28], &arp_ok[38], 4) == 0);    // spa = requested address
  CHECK(std::memcmp(&a[32], kMacA, 6) == 0);          // tha = asker
  CHECK(std::memcmp(&a[38], &arp_ok[28], 4) == 0);    // tpa = asker's address
  // Echo reply: addresses swapped, type 0, both checksums valid.
  const auto& e = out[1];
  CHECK(std::memcmp(&e[0], kMacA, 6) == 0);
  CHECK(std::memcmp(&e[6], txmac, 6) == 0);
  const uint8_t* ip = &e[14];
  CHECK(std::memcmp(ip + 12, &echo_ok[14 + 16], 4) == 0);
  CHECK(std::memcmp(ip + 16, &echo_ok[14 + 12], 4) == 0);
  CHECK_EQ(ip[20], 0);
  CHECK_EQ(ip[21], 0);
  CHECK(ipv4_hdr_ok(ip));
  CHECK_EQ(ref_cksum(std::vector<uint8_t>(e.begin() + 34, e.end())), 0);
  CHECK(std::equal(e.begin() + 38, e.end(), echo_ok.begin() + 38));  // id, seq, data kept
}

TEST(fwd_icmpecho_without_addresses_answers_any_unicast) {
  Rig r;
  r.inject(ipv4_packet(1, "10.0.0.7", "10.9.9.9", 0, 0, 8));
  r.inject(ipv4_packet(1, "10.0.0.7", "224.0.0.1", 0, 0, 8));  // multicast: not answered
  r.inject(arp_request("10.0.0.7", "10.9.9.9"));
  r.run(*find_fwd_engine("icmpecho"));
  CHECK_EQ(r.output().size(), 2u);
  CHECK_EQ(r.fs.fwd_dropped.get(), 1u);
}

TEST(fwd_tx_failure_is_counted_and_freed) {
  Rig r;
  // Fill B's ring so the engine's tx finds no room.
  std::vector<Mbuf*> fill(1024);
  CHECK_EQ(r.pool->alloc_bulk(fill.data(), 1024), 1024u);
  for (Mbuf* m : fill) m->data_len = 60;
  CHECK_EQ(r.b->tx_burst(0, fill.data(), 512), 512);
  CHECK_EQ(r.b->tx_burst(0, fill.data() + 512, 512), 512);
  for (int i = 0; i < 5; i++) r.inject(ipv4_packet(17, "1.1.1.1", "2.2.2.2", 1, 2, 10));
  r.run(*find_fwd_engine("io"));
  CHECK_EQ(r.fs.rx_packets.get(), 5u);
  CHECK_EQ(r.fs.tx_packets.get(), 0u);
  CHECK_EQ(r.fs.fwd_dropped.get(), 5u);
  CHECK_EQ(r.pool->in_use(), 1024u);
  r.b->drain();
  CHECK_EQ(r.pool->in_use(), 0u);
}

// noisy: packets wait in the FIFO; an overflowing burst pushes the oldest
// out, in order; the flush time sends the rest; destroying the stream's state
// returns what it holds to the pool.
TEST(fwd_noisy_fifo_overflow_flush_and_release) {
  Rig r;
  r.s.noisy.tx_sw_buffer_size = 4;
  std::vector<std::vector<uint8_t>> f;
  for (int i = 0; i < 6; i++) f.push_back(ipv4_packet(17, "1.1.1.1", "2.2.2.2", 1, uint16_t(100 + i), 10));
  for (int i = 0; i < 3; i++) r.inject(f[i]);
  r.run(*find_fwd_engine("noisy"));
  CHECK(r.output().empty());
  for (int i = 3; i < 6; i++) r.inject(f[i]);
  r.run(*find_fwd_engine("noisy"));
  auto out = r.output();
  CHECK_EQ(out.size(), 2u);
  if (out.size() == 2) { CHECK(out[0] == f[0]); CHECK(out[1] == f[1]); }
  CHECK_EQ(r.fs.rx_packets.get(), 6u);
  CHECK_EQ(r.fs.tx_packets.get(), 2u);
  r.fs.state.reset();  // forwarding stopped: the 4 held go back
  CHECK_EQ(r.pool->in_use(), 0u);

  Rig t;
  t.s.noisy.tx_sw_buffer_size = 8;
  t.s.noisy.flush_time_ms = 1;
  t.inject(f[0]);
  t.inject(f[1]);
  t.run(*find_fwd_engine("noisy"));
  CHECK(t.output().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  t.run(*find_fwd_engine("noisy"));
  CHECK_EQ(t.output().size(), 2u);
  CHECK_EQ(t.fs.fwd_dropped.get(), 0u);
  CHECK_EQ(t.pool->in_use(), 0u);
}

// set record-burst-stats: each rx and tx burst counted by its size, empty rx polls as size 0.
TEST(fwd_burst_spread_counts_bursts_by_size) {
  Rig r;
  r.fs.bursts = std::make_unique<BurstSpread>();
  r.inject(ipv4_packet(17, "1.1.1.1", "2.2.2.2", 1, 2, 10));
  r.inject(ipv4_packet(17, "1.1.1.1", "2.2.2.2", 1, 3, 10));
  r.run(*find_fwd_engine("io"));
  r.run(*find_fwd_engine("io"));
  using S = BurstSpread::Sizes;
  CHECK(r.fs.bursts->since_base(false) == (S{{0, 1}, {2, 1}}));
  CHECK(r.fs.bursts->since_base(true) == (S{{2, 1}}));
  r.fs.bursts->rebase();
  CHECK(r.fs.bursts->since_base(false).empty());
  r.output();
}
