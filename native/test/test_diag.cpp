// Diagnostics: queue info and ring dumps of an in-memory ring filled to a
// known depth, the mempool report (per-lcore caches, holders, the test-only
// leak named by its stream), and poll-thread load.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include "engine.h"
#include "harness.h"
#include "mempool.h"
#include "port.h"

namespace {

std::unique_ptr<rs::Port> make_port(uint16_t id, const std::string& devargs, rs::Mempool* pool) {
  rs::DevArgs a = rs::DevArgs::parse(devargs);
  return rs::find_driver(a.driver)->create(id, a, pool);
}

std::string field(const rs::Descriptor& d, const std::string& key) {
  for (const auto& [k, v] : d.fields)
    if (k == key) return v;
  return "(none)";
}

// Offers n mbufs (mbuf i: 60 + i % 64 bytes starting with 4 bytes of i) to
// tx queue 0 in bursts of up to 100; *sent gets how many the port took.
std::vector<rs::Mbuf*> offer(rs::Port& p, rs::Mempool& pool, uint32_t n, uint32_t* sent) {
  std::vector<rs::Mbuf*> m(n);
  CHECK_EQ(pool.alloc_bulk(m.data(), n), n);
  for (uint32_t i = 0; i < n; i++) {
    m[i]->data_len = static_cast<uint16_t>(60 + i % 64);
    std::memset(m[i]->data(), static_cast<uint8_t>(i), 4);
  }
  *sent = 0;
  for (uint32_t off = 0; off < n; off += 100)
    *sent += p.tx_burst(0, m.data() + off, static_cast<uint16_t>(std::min<uint32_t>(100, n - off)));
  return m;
}

}  // namespace

TEST(diag_ring_queue_filled_to_known_depth) {
  rs::Mempool pool("diag", 2048);
  auto p = make_port(0, "net_ring0", &pool);  // a lone ring port loops back: tx 0 feeds rx 0
  p->start();
  uint32_t sent = 0;
  std::vector<rs::Mbuf*> m = offer(*p, pool, 10, &sent);
  CHECK_EQ(sent, 10u);

  rs::QueueInfo qi = p->queue_info(rs::Dir::Rx, 0);
  CHECK_EQ(qi.rings.size(), 1u);
  CHECK_EQ(qi.rings[0].size, 1024u);
  CHECK_EQ(qi.rings[0].occupancy, 10u);
  CHECK_EQ(qi.rings[0].producer - qi.rings[0].consumer, 10u);
  CHECK_EQ(qi.rings[0].high_water, 10u);
  // The tx side sees the same ring.
  CHECK_EQ(p->queue_info(rs::Dir::Tx, 0).rings[0].occupancy, 10u);

  std::vector<rs::Descriptor> ds = p->queue_ring(rs::Dir::Rx, 0, 4);
  CHECK_EQ(ds.size(), 4u);
  for (uint32_t i = 0; i < ds.size(); i++) {
    CHECK_EQ(ds[i].index, qi.rings[0].consumer + i);
    CHECK_EQ(field(ds[i], "mbuf"), std::to_string(pool.index_of(m[i])));
    CHECK_EQ(field(ds[i], "data_len"), std::to_string(60 + i));
    CHECK_EQ(field(ds[i], "data").substr(0, 11), rs::hex_bytes(m[i]->data(), 4));
  }

  // Consume 3: occupancy drops, the high-water mark stays, empty polls count.
  rs::Mbuf* got[16];
  CHECK_EQ(p->rx_burst(0, got, 3), 3);
  qi = p->queue_info(rs::Dir::Rx, 0);
  CHECK_EQ(qi.rings[0].occupancy, 7u);
  CHECK_EQ(qi.rings[0].high_water, 10u);
  CHECK_EQ(qi.packets, 3u);
  CHECK_EQ(p->queue_ring(rs::Dir::Rx, 0, 100).size(), 7u);
  rs::mbuf_free_bulk(got, 3);
  CHECK_EQ(p->rx_burst(0, got, 16), 7);
  rs::mbuf_free_bulk(got, 7);
  CHECK_EQ(p->rx_burst(0, got, 16), 0);
  CHECK_EQ(p->queue_info(rs::Dir::Rx, 0).empty_polls, 1u);
  CHECK_THROWS_CODE(p->queue_info(rs::Dir::Rx, 1), "EQUEUE_RANGE");

  // Offer more than the ring holds: the rest is refused (counted as full)
  // and the high-water mark reaches the ring's size.
  m = offer(*p, pool, 1100, &sent);
  CHECK_EQ(sent, 1024u);
  CHECK_EQ(p->queue_info(rs::Dir::Tx, 0).full, 76u);
  CHECK_EQ(p->queue_info(rs::Dir::Rx, 0).rings[0].high_water, 1024u);
  // Unsent ones are still ours (the second half of the burst that filled it).
  rs::mbuf_free_bulk(m.data() + 1000 + 24, 76);
  p->close();
  CHECK_EQ(pool.in_use(), 0u);
}

TEST(diag_mempool_cache_occupancy) {
  rs::Mempool pool("cache", 1024);
  rs::set_this_lcore(3);
  rs::Mbuf* m[10];
  CHECK_EQ(pool.alloc_bulk(m, 10), 10u);
  auto c = pool.cache_occupancy();
  CHECK_EQ(c.size(), 1u);
  if (!c.empty()) {
    CHECK_EQ(c[0].first, 3u);
    CHECK_EQ(c[0].second, rs::Mempool::kCacheSize);  // refilled to kCacheSize + 10, then 10 taken
  }
  CHECK_EQ(pool.in_use_mbufs().size(), 10u);
  pool.put_bulk(m, 10);
  CHECK_EQ(pool.cache_occupancy()[0].second, rs::Mempool::kCacheSize + 10);
  CHECK_EQ(pool.in_use_mbufs().size(), 0u);
  pool.flush_cache(3);
  CHECK(pool.cache_occupancy().empty());
  rs::set_this_lcore(rs::kNoLcore);
}

// txonly with a packet count on net_ring0, whose tx feeds the stopped
// net_ring1: that ring fills to exactly the count, and after `stop` (which
// drains only the forwarding ports) the pool names it as the holder.
TEST(diag_mempool_holders_after_stop) {
  rs::Engine e;
  e.attach("net_ring0,peer=net_ring1");
  e.attach("net_ring1");
  e.port_stop(1);
  e.set_fwd_mode("txonly");
  rs::gen::GenSettings g = e.gen_settings();
  g.count[0] = 100;
  e.set_gen_settings(g);
  CHECK_EQ(e.mempool_report().pool.in_use, 0u);
  e.start();
  for (int i = 0; i < 200 && e.port(1).queue_info(rs::Dir::Rx, 0).rings[0].occupancy < 100; i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK_EQ(e.port(1).queue_info(rs::Dir::Rx, 0).rings[0].occupancy, 100u);
  CHECK_EQ(e.port(0).queue_info(rs::Dir::Tx, 0).rings[0].occupancy, 100u);  // the same ring, seen from the sender
  CHECK(!e.mempool_report().holders_known);
  e.stop();
  rs::MempoolReport r = e.mempool_report();
  CHECK(r.holders_known);
  CHECK(r.caches.empty());  // poll threads flushed their caches
  CHECK_EQ(r.pool.in_use, 100u);
  CHECK_EQ(r.holders.size(), 1u);
  if (!r.holders.empty()) {
    CHECK_EQ(r.holders[0].name, std::string("port 1 rxq 0 ring (net_ring1)"));
    CHECK_EQ(r.holders[0].mbufs, 100u);
    CHECK(r.holders[0].in_ring);
  }
  e.port(1).drain();
  CHECK_EQ(e.mempool_report().pool.in_use, 0u);  // back to idle
  CHECK(e.mempool_report().holders.empty());
}

TEST(diag_mempool_leak_named_by_stream) {
  rs::Engine e;
  e.attach("net_null0");
  e.attach("net_null1");
  e.test_only_leak_mbufs(5);
  e.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  e.stop();
  rs::MempoolReport r = e.mempool_report();
  CHECK_EQ(r.pool.in_use, 5u);
  CHECK_EQ(r.holders.size(), 1u);
  if (!r.holders.empty()) {
    CHECK_EQ(r.holders[0].mbufs, 5u);
    CHECK(!r.holders[0].in_ring);
    CHECK_EQ(r.holders[0].name, std::string("port 0 rxq 0, taken by stream 0 (port 0 rxq 0 -> port 1 txq 0)"));
  }
  // The hook fires once: a second run leaks nothing more.
  e.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  e.stop();
  CHECK_EQ(e.mempool_report().pool.in_use, 5u);
}

TEST(diag_lcore_busy_when_forwarding_null) {
  rs::Engine e;
  e.attach("net_null0");
  e.attach("net_null1");
  std::vector<rs::LcoreLoad> before = e.lcore_loads();
  CHECK_EQ(before.size(), 1u);
  CHECK_EQ(before[0].busy_polls + before[0].idle_polls, 0u);
  e.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  e.stop();
  std::vector<rs::LcoreLoad> l = e.lcore_loads();
  CHECK_EQ(l.size(), 1u);
  if (l.empty()) return;
  CHECK_EQ(l[0].streams.size(), 2u);
  CHECK(l[0].busy_polls > 100);
  CHECK(l[0].seconds > 0.05);
  double ratio = static_cast<double>(l[0].busy_cycles) / static_cast<double>(l[0].busy_cycles + l[0].idle_cycles);
  CHECK(ratio > 0.95);  // net_null always has packets: every pass moves some
}

TEST(diag_lcore_idle_when_nothing_arrives) {
  rs::Engine e;
  e.attach("net_ring0,peer=net_ring1");
  e.attach("net_ring1");
  e.start();  // io on empty rings: every pass is an empty poll
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  e.stop();
  std::vector<rs::LcoreLoad> l = e.lcore_loads();
  CHECK_EQ(l.size(), 1u);
  if (l.empty()) return;
  CHECK_EQ(l[0].busy_polls, 0u);
  CHECK(l[0].idle_polls > 100);
  CHECK(e.port(0).queue_info(rs::Dir::Rx, 0).empty_polls > 100);
}
