// Packet templates and the generator (gen/template.h, gen/txgen.h): every
// header stack x payload pattern x size is decoded here with plain byte reads
// and checksums recomputed by a reference sum, independent of packet.h.
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <vector>
#include "error.h"
#include "gen/template.h"
#include "gen/txgen.h"
#include "harness.h"
#include "mempool.h"

using namespace rs;
using namespace rs::gen;

namespace {

uint16_t g16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }
uint32_t g32(const uint8_t* p) { return (uint32_t(g16(p)) << 16) | g16(p + 2); }

// RFC 1071 over big-endian words, byte by byte.
uint32_t ref_sum(const uint8_t* p, std::size_t n, uint32_t sum = 0) {
  for (std::size_t i = 0; i < n; i += 2) sum += (uint32_t(p[i]) << 8) | (i + 1 < n ? p[i + 1] : 0);
  return sum;
}
uint16_t ref_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(sum);
}

struct Decoded {
  bool ok = false;
  std::vector<uint16_t> tags;  // TCIs, outer first
  std::vector<uint16_t> tpids;
  int ipver = 0;
  uint8_t proto = 0;
  bool ip_csum_ok = false, l4_csum_ok = false;
  uint32_t src_lo = 0, dst_lo = 0;  // IPv4 address or low 32 bits of IPv6
  uint16_t sport = 0, dport = 0;
  uint8_t tcp_flags = 0, icmp_type = 0;
  std::size_t payload_off = 0;
};

Decoded decode(const std::vector<uint8_t>& f) {
  Decoded d;
  std::size_t off = 12;
  uint16_t type = g16(&f[off]);
  while (type == 0x8100 || type == 0x88a8) {
    d.tpids.push_back(type);
    d.tags.push_back(g16(&f[off + 2]));
    type = g16(&f[off + 4]);
    off += 4;
  }
  off += 2;
  const uint8_t* ip = &f[off];
  std::size_t l4off, l4len;
  uint32_t pseudo = 0;
  if (type == 0x0800) {
    d.ipver = 4;
    std::size_t hl = (ip[0] & 0xf) * 4, total = g16(ip + 2);
    if (off + total != f.size()) return d;
    d.ip_csum_ok = ref_fold(ref_sum(ip, hl)) == 0xffff;
    d.proto = ip[9];
    d.src_lo = g32(ip + 12);
    d.dst_lo = g32(ip + 16);
    l4off = off + hl;
    l4len = total - hl;
    pseudo = ref_sum(ip + 12, 8) + d.proto + uint32_t(l4len);
  } else if (type == 0x86dd) {
    d.ipver = 6;
    d.ip_csum_ok = true;
    if ((ip[0] >> 4) != 6) return d;
    l4len = g16(ip + 4);
    if (off + 40 + l4len != f.size()) return d;
    d.proto = ip[6];
    d.src_lo = g32(ip + 8 + 12);
    d.dst_lo = g32(ip + 24 + 12);
    l4off = off + 40;
    pseudo = ref_sum(ip + 8, 32) + uint32_t(l4len >> 16) + uint32_t(l4len & 0xffff) + d.proto;
  } else {
    return d;
  }
  const uint8_t* l4 = &f[l4off];
  if (d.proto == 17) {
    if (g16(l4 + 4) != l4len) return d;
    d.sport = g16(l4);
    d.dport = g16(l4 + 2);
    d.l4_csum_ok = g16(l4 + 6) != 0 && ref_fold(ref_sum(l4, l4len, pseudo)) == 0xffff;
    d.payload_off = l4off + 8;
  } else if (d.proto == 6) {
    d.sport = g16(l4);
    d.dport = g16(l4 + 2);
    d.tcp_flags = l4[13];
    d.l4_csum_ok = ref_fold(ref_sum(l4, l4len, pseudo)) == 0xffff;
    d.payload_off = l4off + (l4[12] >> 4) * 4;
  } else if (d.proto == 1) {
    d.icmp_type = l4[0];
    d.l4_csum_ok = ref_fold(ref_sum(l4, l4len)) == 0xffff;  // no pseudo-header
    d.payload_off = l4off + 8;
  } else if (d.proto == 58) {
    d.icmp_type = l4[0];
    d.l4_csum_ok = ref_fold(ref_sum(l4, l4len, pseudo)) == 0xffff;
    d.payload_off = l4off + 8;
  }
  d.ok = true;
  return d;
}

std::vector<uint8_t> frame_of(Mbuf* m) { return std::vector<uint8_t>(m->data(), m->data() + m->data_len); }

const MacAddr kSrc{0x02, 0, 0, 0, 0, 0x0a}, kDst{0x02, 0, 0, 0, 0, 0x0b};

}  // namespace

TEST(template_every_stack_has_valid_checksums_and_stamps) {
  Mempool pool("tmpl", 64);
  Mbuf* m = pool.alloc();
  int combos = 0;
  for (L2Kind l2 : {L2Kind::None, L2Kind::Vlan, L2Kind::Qinq})
    for (L3Kind l3 : {L3Kind::Ipv4, L3Kind::Ipv6})
      for (L4Kind l4 : {L4Kind::Udp, L4Kind::Tcp, L4Kind::Icmp})
        for (PayloadKind pk : {PayloadKind::Zero, PayloadKind::Inc, PayloadKind::Fixed, PayloadKind::Random}) {
          TemplateSpec spec;
          spec.l2 = l2;
          spec.l3 = l3;
          spec.l4 = l4;
          spec.payload = pk;
          spec.payload_byte = 0xa5;
          spec.tcp_flags = 0x12;  // SYN+ACK
          spec.vlan_tci[0] = 0x2064;
          spec.vlan_tci[1] = 0x00c8;
          Template t;
          t.build(spec, kSrc, kDst, {60, 64, 65, 571, 1518}, 2048);
          for (uint32_t k = 0; k < t.nb_sizes(); k++) {
            for (uint32_t flow = 0; flow < 3; flow++) {
              FlowFields f = t.base_flow();
              f.src_ip += flow * 7919;
              f.dst_ip -= flow;
              f.src_port = uint16_t(f.src_port + flow * 1000);
              f.dst_port = uint16_t(0xffff - flow);
              uint32_t seq = 0xfffffff0u + flow * 9;  // crosses the 32-bit wrap
              uint64_t ts = 0x0123456789abcdefull + flow;
              std::memset(m->data(), 0x5a, 2048);  // stale bytes must not leak into the frame
              t.write(m, k, f, 0x0102, seq, ts);
              auto fr = frame_of(m);
              Decoded d = decode(fr);
              combos++;
              CHECK(d.ok);
              if (!d.ok) continue;
              CHECK_EQ(fr.size(), std::size_t(std::max<uint32_t>(t.size(k), t.header_len())));
              CHECK(d.ip_csum_ok);
              CHECK(d.l4_csum_ok);
              if (!d.ip_csum_ok || !d.l4_csum_ok)
                std::fprintf(stderr, "    l2=%d l3=%d l4=%d payload=%d len=%zu flow=%u\n", int(l2), int(l3), int(l4),
                             int(pk), fr.size(), flow);
              CHECK_EQ(d.ipver, l3 == L3Kind::Ipv4 ? 4 : 6);
              CHECK_EQ(d.tags.size(), std::size_t(l2 == L2Kind::None ? 0 : l2 == L2Kind::Vlan ? 1 : 2));
              if (l2 == L2Kind::Qinq && d.tags.size() == 2) {
                CHECK_EQ(d.tpids[0], 0x88a8);
                CHECK_EQ(d.tpids[1], 0x8100);
                CHECK_EQ(d.tags[1], 0x00c8);
              }
              if (!d.tags.empty()) CHECK_EQ(d.tags[0], 0x2064);
              CHECK_EQ(d.src_lo, f.src_ip);
              CHECK_EQ(d.dst_lo, f.dst_ip);
              if (l4 == L4Kind::Udp) CHECK_EQ(int(d.proto), 17);
              if (l4 == L4Kind::Tcp) {
                CHECK_EQ(int(d.proto), 6);
                CHECK_EQ(int(d.tcp_flags), 0x12);
              }
              if (l4 != L4Kind::Icmp) {
                CHECK_EQ(d.sport, f.src_port);
                CHECK_EQ(d.dport, f.dst_port);
              } else {
                CHECK_EQ(int(d.proto), l3 == L3Kind::Ipv4 ? 1 : 58);
                CHECK_EQ(int(d.icmp_type), l3 == L3Kind::Ipv4 ? 8 : 128);
              }
              std::size_t pay = fr.size() - d.payload_off;
              Stamp st;
              bool found = find_stamp(fr.data(), uint32_t(fr.size()), &st);
              CHECK_EQ(found, pay >= 16);
              CHECK_EQ(t.stamps(k), pay >= 16);
              std::size_t skip = 0;
              if (found) {
                CHECK_EQ(st.src, 0x0102);
                CHECK_EQ(st.seq, seq);
                CHECK_EQ(st.ts_ns, ts);
                skip = 16;
              }
              for (std::size_t i = skip; i < pay; i++) {
                uint8_t want = pk == PayloadKind::Zero ? 0 : pk == PayloadKind::Inc ? uint8_t(i) : 0xa5;
                if (pk == PayloadKind::Random) break;
                if (fr[d.payload_off + i] != want) {
                  CHECK_EQ(int(fr[d.payload_off + i]), int(want));
                  break;
                }
              }
            }
          }
        }
  CHECK_EQ(combos, 3 * 2 * 3 * 4 * 5 * 3);
  mbuf_free_bulk(&m, 1);
}

TEST(template_udp_checksum_zero_is_sent_as_ffff) {
  // Search a flow whose UDP checksum computes to 0: it must go out as 0xffff.
  Mempool pool("tmpl0", 8);
  Mbuf* m = pool.alloc();
  TemplateSpec spec;
  spec.stamp = false;
  Template t;
  t.build(spec, kSrc, kDst, {64}, 2048);
  bool seen = false;
  for (uint32_t p = 0; p < 65536 && !seen; p++) {
    FlowFields f = t.base_flow();
    f.src_port = uint16_t(p);
    t.write(m, 0, f, 0, 0, 0);
    auto fr = frame_of(m);
    if (g16(&fr[40]) == 0xffff) {
      seen = true;
      CHECK(decode(fr).l4_csum_ok);
    }
    CHECK(g16(&fr[40]) != 0);
  }
  CHECK(seen);
  mbuf_free_bulk(&m, 1);
}

TEST(find_stamp_rejects_foreign_and_short_frames) {
  std::vector<uint8_t> f(80, 0);
  Stamp st;
  CHECK(!find_stamp(f.data(), 10, &st));
  f[12] = 0x08;  // IPv4, UDP, payload without magic
  f[14] = 0x45;
  f[16] = 0;
  f[17] = 66;
  f[23] = 17;
  CHECK(!find_stamp(f.data(), uint32_t(f.size()), &st));
  f[42] = 0x52;
  f[43] = 0x53;
  CHECK(find_stamp(f.data(), uint32_t(f.size()), &st));
  f[17] = 40;  // total length says the payload is too short for a stamp
  CHECK(!find_stamp(f.data(), uint32_t(f.size()), &st));
}

namespace {
struct GenRig {
  Mempool pool{"gen", 4096};
  GenSettings g;
  TxGen gen;
  TxGenParams params() {
    TxGenParams p{};
    p.gen = &g;
    p.txpkts_len = 64;
    p.data_room = pool.data_room();
    p.src_mac = kSrc;
    p.dst_mac = kDst;
    p.src_id = 7;
    p.burst = 32;
    return p;
  }
  // Generates n packets (unpaced) and hands each decoded frame to f.
  template <typename F>
  void take(uint32_t n, F f) {
    Mbuf* pkts[32];
    uint32_t left = n;
    while (left) {
      uint16_t got = gen.fill(&pool, pkts, uint16_t(std::min<uint32_t>(left, 32)), 0);
      if (!got) break;
      for (uint16_t i = 0; i < got; i++) f(frame_of(pkts[i]));
      mbuf_free_bulk(pkts, got);
      left -= got;
    }
  }
};
}  // namespace

TEST(txgen_imix_proportions_and_interleaving) {
  GenRig r;
  r.g.imix = default_imix();
  r.gen.init(r.params(), 0);
  std::vector<std::size_t> lens;
  r.take(1200, [&](const std::vector<uint8_t>& f) {
    lens.push_back(f.size());
    CHECK(decode(f).l4_csum_ok);
  });
  CHECK_EQ(lens.size(), 1200u);
  std::map<std::size_t, int> c;
  for (auto l : lens) c[l]++;
  CHECK_EQ(c[64], 700);
  CHECK_EQ(c[570], 400);
  CHECK_EQ(c[1518], 100);
  // Interleaved: every window of 12 has the exact 7:4:1 mix.
  for (std::size_t s = 0; s + 12 <= lens.size(); s += 5) {
    std::map<std::size_t, int> w;
    for (std::size_t i = s; i < s + 12; i++) w[lens[i]]++;
    CHECK_EQ(w[64], 7);
    CHECK_EQ(w[570], 4);
    CHECK_EQ(w[1518], 1);
  }
  CHECK_EQ(r.pool.in_use(), 0u);
}

TEST(txgen_flowgen_visits_every_flow_of_the_ranges) {
  GenRig r;
  r.g.flows.src_ip = 4;
  r.g.flows.dst_ip = 2;
  r.g.flows.src_port = 3;
  r.g.flows.dst_port = 1;
  TxGenParams p = r.params();
  p.vary_flows = true;
  r.gen.init(p, 0);
  std::set<std::tuple<uint32_t, uint32_t, uint16_t, uint16_t>> flows;
  r.take(24 * 3, [&](const std::vector<uint8_t>& f) {
    Decoded d = decode(f);
    CHECK(d.ip_csum_ok && d.l4_csum_ok);
    flows.insert({d.src_lo, d.dst_lo, d.sport, d.dport});
  });
  CHECK_EQ(flows.size(), 24u);
  CHECK(flows.count({0xC0A80001 + 3, 0xC0A80002 + 1, uint16_t(9 + 2), uint16_t(9)}) == 1);
  // txonly (no variation) keeps one flow.
  GenRig t;
  t.g.flows = r.g.flows;
  t.gen.init(t.params(), 0);
  std::set<uint32_t> srcs;
  t.take(50, [&](const std::vector<uint8_t>& f) { srcs.insert(decode(f).src_lo); });
  CHECK_EQ(srcs.size(), 1u);
}

TEST(txgen_count_limit_and_sequence) {
  GenRig r;
  TxGenParams p = r.params();
  p.limited = true;
  p.count = 100;
  r.gen.init(p, 0);
  std::vector<uint32_t> seqs;
  r.take(1000, [&](const std::vector<uint8_t>& f) {
    Stamp st;
    CHECK(find_stamp(f.data(), uint32_t(f.size()), &st));
    seqs.push_back(st.seq);
    CHECK_EQ(st.src, 7);
  });
  CHECK_EQ(seqs.size(), 100u);
  for (uint32_t i = 0; i < seqs.size(); i++) CHECK_EQ(seqs[i], i);
  CHECK(r.gen.done());
  // Re-init (as start tx_first then the mode's init do) continues the sequence and the count.
  r.gen.init(p, 0);
  Mbuf* pkts[32];
  CHECK_EQ(r.gen.fill(&r.pool, pkts, 32, 0), 0);
  // A share of 0 packets sends none.
  GenRig z;
  TxGenParams q = z.params();
  q.limited = true;
  q.count = 0;
  z.gen.init(q, 0);
  CHECK_EQ(z.gen.fill(&z.pool, pkts, 32, 0), 0);
}

TEST(txgen_validate_refuses_impossible_settings) {
  GenSettings g;
  g.imix = {{64, 1}};
  validate(g, 2048);
  g.spec.l3 = L3Kind::Ipv6;
  g.spec.l4 = L4Kind::Tcp;
  CHECK_THROWS_CODE(validate(g, 2048), "EGEN_IMIX");  // 74-byte headers do not fit in 64
  g.imix = {{1518, 1}};
  CHECK_THROWS_CODE(validate(g, 1024), "EGEN_IMIX");
  g.imix = {{100, 0}};
  CHECK_THROWS_CODE(validate(g, 2048), "EGEN_IMIX");
  g.imix.clear();
  g.flows.dst_port = 0;
  CHECK_THROWS_CODE(validate(g, 2048), "EGEN_FLOWS");
}
