// Token-bucket pacer (gen/pacer.h) and paced generation (gen/txgen.h) on a
// simulated clock: exact rates, even spacing, bounded catch-up.
#include <algorithm>
#include "gen/pacer.h"
#include "gen/txgen.h"
#include "harness.h"
#include "mempool.h"

using namespace rs;
using namespace rs::gen;

TEST(pacer_unpaced_is_unlimited) {
  Pacer p;
  p.init(0, 32, 0);
  CHECK(!p.paced());
  CHECK(p.available(123) > 1000000000ull);
}

TEST(pacer_exact_rate_and_even_spacing) {
  // 1 Mpps polled every 250 ns for one simulated second: a token every
  // 4th poll, never two at once, 1e6 in all.
  Pacer p;
  p.init(1000000, 32, 0);
  uint64_t sent = 0, most = 0;
  for (uint64_t t = 250; t <= 1000000000ull; t += 250) {
    uint64_t a = p.available(t);
    most = std::max(most, a);
    p.consume(a);
    sent += a;
  }
  CHECK_EQ(sent, 1000000u);
  CHECK_EQ(most, 1u);
}

TEST(pacer_fractional_rates_do_not_drift) {
  Pacer p;
  p.init(3, 32, 0);  // 3 pps, polled every ms for 10 s
  uint64_t sent = 0;
  for (uint64_t t = 1000000; t <= 10000000000ull; t += 1000000) {
    uint64_t a = p.available(t);
    p.consume(a);
    sent += a;
  }
  CHECK_EQ(sent, 30u);
}

TEST(pacer_catch_up_is_capped) {
  Pacer p;
  p.init(1000000, 64, 0);
  CHECK_EQ(p.available(0), 0u);  // starts empty: no burst at the start
  CHECK_EQ(p.available(10000000000ull), 64u);  // 10 s asleep: at most the cap
  p.consume(64);
  CHECK_EQ(p.available(10000000000ull + 5000), 5u);
}

TEST(txgen_paced_by_bytes_with_imix) {
  Mempool pool("pace", 2048);
  GenSettings g;
  g.imix = default_imix();
  TxGen gen;
  TxGenParams p{};
  p.gen = &g;
  p.txpkts_len = 64;
  p.data_room = pool.data_room();
  p.burst = 32;
  p.rate_bytes = true;
  p.rate_per_s = TxRate{100, true}.tokens_per_s();  // 100 Mbit/s = 12.5 MB/s
  gen.init(p, 0);
  uint64_t bytes = 0, pkts_total = 0;
  Mbuf* pkts[32];
  for (uint64_t t = 1000; t <= 1000000000ull; t += 1000) {  // poll every us for 1 s
    uint16_t n = gen.fill(&pool, pkts, 32, t);
    for (uint16_t i = 0; i < n; i++) bytes += pkts[i]->data_len;
    pkts_total += n;
    mbuf_free_bulk(pkts, n);
  }
  // Within one largest frame of 12.5 MB.
  CHECK(bytes <= 12500000u);
  CHECK(bytes + 1518 >= 12500000u);
  CHECK(pkts_total > 0);
  CHECK_EQ(pool.in_use(), 0u);
}

TEST(txgen_paced_by_packets) {
  Mempool pool("pace2", 2048);
  GenSettings g;
  TxGen gen;
  TxGenParams p{};
  p.gen = &g;
  p.txpkts_len = 64;
  p.data_room = pool.data_room();
  p.burst = 32;
  p.rate_per_s = 50000;
  gen.init(p, 0);
  uint64_t total = 0;
  Mbuf* pkts[32];
  for (uint64_t t = 10000; t <= 2000000000ull; t += 10000) {
    uint16_t n = gen.fill(&pool, pkts, 32, t);
    CHECK(n <= 1);  // 50 kpps polled every 10 us: one at a time, evenly
    total += n;
    mbuf_free_bulk(pkts, n);
  }
  CHECK_EQ(total, 100000u);
}
