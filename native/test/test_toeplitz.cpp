// Toeplitz hash against Microsoft's RSS verification suite ("Verifying the
// RSS Hash Calculation"): default key, IPv4 and IPv6, 2-tuple and 4-tuple;
// the bit-by-bit reference and the table form must both give the listed hashes.
#include <arpa/inet.h>
#include <cstring>
#include "classify/rss.h"
#include "classify/toeplitz.h"
#include "harness.h"

namespace {

struct V4Case { const char *dst, *src; uint16_t dport, sport; uint32_t h2, h4; };
struct V6Case { const char *dst, *src; uint16_t dport, sport; uint32_t h2, h4; };

const V4Case kV4[] = {
    {"161.142.100.80", "66.9.149.187", 1766, 2794, 0x323e8fc2, 0x51ccc178},
    {"65.69.140.83", "199.92.111.2", 4739, 14230, 0xd718262a, 0xc626b0ea},
    {"12.22.207.184", "24.19.198.95", 38024, 12898, 0xd2d0a5de, 0x5c2b394a},
    {"209.142.163.6", "38.27.205.30", 2217, 48228, 0x82989176, 0xafc7327f},
    {"202.188.127.2", "153.39.163.191", 1303, 44251, 0x5d1809c5, 0x10e828a2},
};
const V6Case kV6[] = {
    {"3ffe:2501:200:3::1", "3ffe:2501:200:1fff::7", 1766, 2794, 0x2cc18cd5, 0x40207d3d},
    {"ff02::1", "3ffe:501:8::260:97ff:fe40:efab", 4739, 14230, 0x0f0c461c, 0xdde51bbf},
    {"fe80::200:f8ff:fe21:67cf", "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 38024, 44251, 0x4b61e985, 0x02d1feef},
};

// Input = source address, destination address, source port, destination port.
template <int AF, int ALEN>
std::size_t input(const char* src, const char* dst, uint16_t sport, uint16_t dport, bool ports, uint8_t* in) {
  inet_pton(AF, src, in);
  inet_pton(AF, dst, in + ALEN);
  if (!ports) return 2 * ALEN;
  in[2 * ALEN] = static_cast<uint8_t>(sport >> 8);
  in[2 * ALEN + 1] = static_cast<uint8_t>(sport);
  in[2 * ALEN + 2] = static_cast<uint8_t>(dport >> 8);
  in[2 * ALEN + 3] = static_cast<uint8_t>(dport);
  return 2 * ALEN + 4;
}

}  // namespace

TEST(toeplitz_ipv4_verification_suite) {
  rs::ToeplitzTable t;
  for (const V4Case& c : kV4) {
    uint8_t in[rs::kRssMaxInput];
    std::size_t n = input<AF_INET, 4>(c.src, c.dst, c.sport, c.dport, false, in);
    CHECK_EQ(rs::toeplitz_hash(rs::kDefaultRssKey, rs::kRssKeyLen, in, n), c.h2);
    CHECK_EQ(t.hash(in, n), c.h2);
    n = input<AF_INET, 4>(c.src, c.dst, c.sport, c.dport, true, in);
    CHECK_EQ(rs::toeplitz_hash(rs::kDefaultRssKey, rs::kRssKeyLen, in, n), c.h4);
    CHECK_EQ(t.hash(in, n), c.h4);
  }
}

TEST(toeplitz_ipv6_verification_suite) {
  rs::ToeplitzTable t;
  for (const V6Case& c : kV6) {
    uint8_t in[rs::kRssMaxInput];
    std::size_t n = input<AF_INET6, 16>(c.src, c.dst, c.sport, c.dport, false, in);
    CHECK_EQ(rs::toeplitz_hash(rs::kDefaultRssKey, rs::kRssKeyLen, in, n), c.h2);
    CHECK_EQ(t.hash(in, n), c.h2);
    n = input<AF_INET6, 16>(c.src, c.dst, c.sport, c.dport, true, in);
    CHECK_EQ(rs::toeplitz_hash(rs::kDefaultRssKey, rs::kRssKeyLen, in, n), c.h4);
    CHECK_EQ(t.hash(in, n), c.h4);
  }
}

TEST(toeplitz_other_key_table_matches_reference) {
  uint8_t key[rs::kRssKeyLen];
  for (std::size_t i = 0; i < rs::kRssKeyLen; i++) key[i] = static_cast<uint8_t>(i * 37 + 11);
  rs::ToeplitzTable t(key);
  uint8_t in[rs::kRssMaxInput];
  for (std::size_t i = 0; i < rs::kRssMaxInput; i++) in[i] = static_cast<uint8_t>(i * 91 + 3);
  for (std::size_t n : {0u, 1u, 8u, 12u, 36u}) CHECK_EQ(t.hash(in, n), rs::toeplitz_hash(key, rs::kRssKeyLen, in, n));
}

TEST(rss_types_by_name) {
  uint32_t t = 99;
  CHECK(rs::rss_types_from_name("all", &t) && t == rs::kRssAll);
  CHECK(rs::rss_types_from_name("ip", &t) && t == rs::kRssIp);
  CHECK(rs::rss_types_from_name("udp", &t) && t == rs::kRssUdp);
  CHECK(rs::rss_types_from_name("none", &t) && t == 0);
  CHECK(!rs::rss_types_from_name("sctp", &t));
  CHECK_EQ(rs::rss_types_to_string(rs::kRssAll), std::string("ipv4 ipv6 udp tcp"));
  CHECK_EQ(rs::rss_types_to_string(0), std::string("none"));
}
