// Engine: ports, configuration errors, stream tables per topology, and real
// forwarding on poll threads with packet conservation checked afterwards.
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include "engine.h"
#include "harness.h"

using namespace rs;

namespace {

EngineOptions small_pool() {
  EngineOptions o;
  o.total_num_mbufs = 8192;
  return o;
}

std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

struct Totals {
  uint64_t port_rx = 0, port_tx = 0, port_missed = 0, port_flushed = 0;
  uint64_t s_rx = 0, s_tx = 0, s_drop = 0;
};
Totals totals(Engine& e, const std::vector<StreamStats>& ss) {
  Totals t;
  for (uint16_t id : e.port_ids()) {
    PortStats p = e.port(id).stats();
    t.port_rx += p.rx_packets;
    t.port_tx += p.tx_packets;
    t.port_missed += p.rx_missed;
    t.port_flushed += p.rx_flushed;
  }
  for (const auto& s : ss) {
    t.s_rx += s.rx_packets;
    t.s_tx += s.tx_packets;
    t.s_drop += s.fwd_dropped;
  }
  return t;
}

// Every packet that entered a ring left it: received, dropped, or flushed at stop.
void check_conserved(Engine& e, const std::vector<StreamStats>& ss) {
  Totals t = totals(e, ss);
  CHECK_EQ(t.port_tx, t.port_rx + t.port_missed + t.port_flushed);
  CHECK_EQ(t.s_rx, t.port_rx);
  CHECK_EQ(t.s_tx, t.port_tx);
  CHECK_EQ(e.pool_stats().in_use, 0u);
}

void forward_for(Engine& e, unsigned tx_first, int ms) {
  e.start(tx_first);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

TEST(engine_attach_configures_and_starts) {
  Engine e(small_pool());
  CHECK_EQ(e.attach("net_ring0"), 0);
  CHECK_EQ(e.attach("net_null0,size=128"), 1);
  CHECK(e.port(0).started());
  CHECK(e.port(1).started());
  CHECK_EQ(e.port(0).nb_rx_queues(), 1);
  CHECK_EQ(e.port(0).nb_tx_queues(), 1);
  CHECK_EQ(e.port_ids().size(), 2u);
  PoolStats ps = e.pool_stats();
  CHECK_EQ(ps.name, std::string("mb_pool_0"));
  CHECK_EQ(ps.size, 8192u);
  CHECK_EQ(ps.in_use, 0u);
  CHECK_EQ(mac_to_string(e.eth_peer(1)), std::string("02:00:00:00:00:01"));
  CHECK_EQ(std::string(e.fwd_mode().name), std::string("io"));
}

TEST(engine_port_errors) {
  Engine e(small_pool());
  e.attach("net_ring0");
  e.attach("net_ring1");
  CHECK_THROWS_CODE(e.port(9), "EPORT_RANGE");
  CHECK_EQ(error_message([&] { e.port(9); }), std::string("port 9 does not exist: valid ports are 0..1"));
  CHECK_THROWS_CODE(e.attach("net_warp0"), "EDRIVER");
  std::string m = error_message([&] { e.attach("net_warp0"); });
  CHECK(m.find("net_null") != std::string::npos && m.find("net_ring") != std::string::npos);
  CHECK_THROWS_CODE(e.attach(",x=1"), "EDEVARGS");
  CHECK_THROWS_CODE(e.attach("net_ring0"), "EEXIST");  // the driver refuses a second net_ring0
  CHECK_EQ(e.port_ids().size(), 2u);

  // Queues change only on a stopped port.
  CHECK_THROWS_CODE(e.port_set_queues(0, 2, -1), "EBUSY_STARTED");
  CHECK(error_message([&] { e.port_set_queues(0, 2, -1); }).find("port stop 0") != std::string::npos);
  e.port_stop(0);
  CHECK_THROWS_CODE(e.port_set_queues(0, 0, -1), "EQUEUE_RANGE");
  CHECK_THROWS_CODE(e.port_set_queues(0, 17, -1), "EQUEUE_RANGE");
  e.port_set_queues(0, 2, -1);
  CHECK_EQ(e.port(0).nb_rx_queues(), 2);
  CHECK_EQ(e.port(0).nb_tx_queues(), 1);

  // Addresses.
  e.port_add_ip(0, "192.168.1.1/24");
  e.port_add_ip(0, "10.0.0.1");
  e.port_add_ip(0, "192.168.1.1/16");  // same address: prefix updated, not duplicated
  auto ips = e.port_ips(0);
  CHECK_EQ(ips.size(), 2u);
  if (ips.size() == 2) {
    CHECK_EQ(ips[0], std::string("192.168.1.1/16"));
    CHECK_EQ(ips[1], std::string("10.0.0.1/32"));
  }
  for (const char* bad : {"300.1.1.1/24", "1.2.3.4/33", "1.2.3.4/", "hello", "1.2.3.4/2x", "::1/64"})
    CHECK_THROWS_CODE(e.port_add_ip(0, bad), "EINVAL_IP");
  CHECK_THROWS_CODE(e.port_add_ip(7, "1.2.3.4/8"), "EPORT_RANGE");

  // Detach: the id is gone until the next attach takes it (the lowest free id, as in DPDK).
  e.detach(1);
  CHECK_THROWS_CODE(e.port(1), "EPORT_RANGE");
  CHECK_EQ(error_message([&] { e.port(1); }), std::string("port 1 does not exist: valid ports are 0"));
  CHECK_THROWS_CODE(e.detach(1), "EPORT_RANGE");
  CHECK_EQ(e.attach("net_ring5"), 1);
  CHECK_EQ(e.port(1).name(), std::string("net_ring5"));
  CHECK_EQ(e.attach("net_ring6"), 2);
}

TEST(engine_forwarding_config_errors) {
  Engine e(small_pool());
  CHECK_THROWS_CODE(e.set_fwd_mode("warpdrive"), "EFWD_MODE");
  std::string m = error_message([&] { e.set_fwd_mode("warpdrive"); });
  CHECK(m.find("io") != std::string::npos && m.find("5tswap") != std::string::npos);
  e.set_fwd_mode("macswap");
  CHECK_EQ(std::string(e.fwd_mode().name), std::string("macswap"));
  CHECK_THROWS_CODE(e.set_nb_cores(0), "ECORE_RANGE");
  CHECK_THROWS_CODE(e.set_nb_cores(kMaxLcores), "ECORE_RANGE");
  e.set_nb_cores(kMaxLcores - 1);
  CHECK_THROWS_CODE(e.set_burst(0), "EBURST_RANGE");
  CHECK_THROWS_CODE(e.set_burst(kMaxBurst + 1), "EBURST_RANGE");
  e.set_burst(kMaxBurst);
  CHECK_EQ(e.burst(), kMaxBurst);
  CHECK_THROWS_CODE(e.set_txpkts({41}), "ETXPKTS");
  CHECK_THROWS_CODE(e.set_txpkts({}), "ETXPKTS");
  CHECK_THROWS_CODE(e.set_txpkts({2000, 49}), "ETXPKTS");
  e.set_txpkts({40, 2});
  CHECK_EQ(e.txpkts().size(), 2u);
  CHECK_THROWS_CODE(e.set_eth_peer(0, MacAddr{2, 0, 0, 0, 0, 9}), "EPORT_RANGE");
  CHECK_THROWS_CODE(e.start(), "ENO_PORTS");
  CHECK_THROWS_CODE(e.stop(), "ENOT_FORWARDING");
  e.attach("net_ring0");
  e.port_stop(0);
  CHECK_THROWS_CODE(e.start(), "ENO_PORTS");  // attached but not started
  CHECK(error_message([&] { e.start(); }).find("port start") != std::string::npos);
}

TEST(engine_refuses_changes_while_forwarding) {
  Engine e(small_pool());
  e.attach("net_ring0");
  e.attach("net_ring1");
  e.start();
  CHECK(e.forwarding());
  CHECK_THROWS_CODE(e.start(), "EBUSY_FORWARDING");
  CHECK_THROWS_CODE(e.set_fwd_mode("mac"), "EBUSY_FORWARDING");
  CHECK_THROWS_CODE(e.set_nb_cores(2), "EBUSY_FORWARDING");
  CHECK_THROWS_CODE(e.set_burst(16), "EBUSY_FORWARDING");
  CHECK_THROWS_CODE(e.set_topology(Topology::Loop), "EBUSY_FORWARDING");
  CHECK_THROWS_CODE(e.set_txpkts({128}), "EBUSY_FORWARDING");
  CHECK_THROWS_CODE(e.set_eth_peer(0, MacAddr{2, 0, 0, 0, 0, 9}), "EBUSY_FORWARDING");
  CHECK_THROWS_CODE(e.port_add_ip(0, "10.0.0.1/8"), "EBUSY_FORWARDING");
  CHECK_THROWS_CODE(e.port_stop(0), "EBUSY_FORWARDING");
  CHECK_THROWS_CODE(e.port_close(1), "EBUSY_FORWARDING");
  CHECK_THROWS_CODE(e.detach(1), "EBUSY_FORWARDING");
  CHECK(error_message([&] { e.set_burst(16); }).find("stop forwarding first") != std::string::npos);
  // Attaching a new port is harmless: it joins at the next start.
  CHECK_EQ(e.attach("net_ring2"), 2);
  CHECK_EQ(e.streams().size(), 2u);
  auto ss = e.stop();
  CHECK(!e.forwarding());
  CHECK_EQ(ss.size(), 2u);
  CHECK_EQ(e.streams().size(), 3u);  // the preview now includes port 2
}

TEST(engine_topologies_build_expected_streams) {
  Engine e(small_pool());
  for (int i = 0; i < 4; i++) e.attach("net_ring" + std::to_string(i));
  auto pairs = [&] {
    std::vector<std::pair<int, int>> v;
    for (const auto& s : e.streams()) v.push_back({s.rx_port, s.tx_port});
    return v;
  };
  using V = std::vector<std::pair<int, int>>;
  CHECK(pairs() == (V{{0, 1}, {1, 0}, {2, 3}, {3, 2}}));
  e.set_topology(Topology::Chained);
  CHECK(pairs() == (V{{0, 1}, {1, 2}, {2, 3}, {3, 0}}));
  e.set_topology(Topology::Loop);
  CHECK(pairs() == (V{{0, 0}, {1, 1}, {2, 2}, {3, 3}}));
  // Only started ports forward; an odd last port pairs with itself.
  e.port_stop(3);
  e.set_topology(Topology::Paired);
  CHECK(pairs() == (V{{0, 1}, {1, 0}, {2, 2}}));
  e.set_topology(Topology::Chained);
  CHECK(pairs() == (V{{0, 1}, {1, 2}, {2, 0}}));
  // Ids, not positions: with port 1 stopped, port 2 pairs with port 0.
  e.port_start(3);
  e.port_stop(1);
  e.set_topology(Topology::Paired);
  CHECK(pairs() == (V{{0, 2}, {2, 0}, {3, 3}}));

  // One lcore by default; never more lcores than streams; contiguous blocks
  // with the extra streams on the last lcores, as testpmd.
  auto lc = e.lcores();
  CHECK_EQ(lc.size(), 1u);
  if (!lc.empty()) { CHECK_EQ(lc[0].lcore, 1u); CHECK_EQ(lc[0].streams.size(), 3u); }
  e.set_nb_cores(8);
  CHECK_EQ(e.lcores().size(), 3u);
  e.port_start(1);
  e.set_nb_cores(3);
  lc = e.lcores();
  CHECK_EQ(lc.size(), 3u);
  if (lc.size() == 3) {
    CHECK(lc[0].streams == std::vector<uint16_t>({0}));
    CHECK(lc[1].streams == std::vector<uint16_t>({1}));
    CHECK(lc[2].streams == std::vector<uint16_t>({2, 3}));
    std::set<unsigned> ids{lc[0].lcore, lc[1].lcore, lc[2].lcore};
    CHECK(ids == std::set<unsigned>({1, 2, 3}));
    CHECK(lc[0].cpu >= 0);
  }
}

TEST(engine_queue_streams_and_sharing) {
  Engine e(small_pool());
  e.attach("net_ring0");
  e.attach("net_ring1");
  e.port_stop(0);
  e.port_stop(1);
  e.port_set_queues(0, 2, -1);
  e.port_set_queues(1, 2, -1);
  e.port_start(0);
  e.port_start(1);
  // max(rxq, peer's txq) = 2 streams per port, port-major.
  auto ss = e.streams();
  CHECK_EQ(ss.size(), 4u);
  if (ss.size() == 4) {
    CHECK(ss[0].rx_port == 0 && ss[0].rx_queue == 0 && ss[0].tx_port == 1 && ss[0].tx_queue == 0);
    CHECK(ss[1].rx_port == 0 && ss[1].rx_queue == 1 && ss[1].tx_port == 1 && ss[1].tx_queue == 0);
    CHECK(ss[2].rx_port == 1 && ss[2].rx_queue == 0 && ss[2].tx_port == 0 && ss[2].tx_queue == 0);
    CHECK(ss[3].rx_port == 1 && ss[3].rx_queue == 1 && ss[3].tx_port == 0 && ss[3].tx_queue == 0);
  }
  // Loop over one port with 2 rx / 1 tx queue on 2 cores: both streams
  // would send on tx queue 0 from different lcores.
  e.set_nb_cores(2);
  e.set_topology(Topology::Loop);
  e.port_stop(1);
  CHECK_THROWS_CODE(e.start(), "ETXQ_SHARED");
  CHECK(!e.forwarding());
  e.set_nb_cores(1);
  e.start();
  auto run = e.stop();
  CHECK_EQ(run.size(), 2u);
}

TEST(engine_io_forwarding_conserves_packets) {
  Engine e(small_pool());
  e.attach("net_ring0");
  e.attach("net_ring1");
  forward_for(e, 1, 100);
  auto mid = e.streams();
  CHECK_EQ(mid.size(), 2u);
  auto ss = e.stop();
  CHECK_EQ(ss.size(), 2u);
  Totals t = totals(e, ss);
  CHECK(t.s_rx > 1000);  // packets went round many times
  // Per stream, io sends what it receives; tx_first added one burst each.
  CHECK_EQ(t.s_tx + t.s_drop, t.s_rx + 2 * 32);
  check_conserved(e, ss);
  // clear_fwd_stats zeroes the run's counters (baseline, not a reset).
  e.clear_fwd_stats();
  for (const auto& s : e.streams()) CHECK_EQ(s.rx_packets + s.tx_packets + s.fwd_dropped, 0u);
}

TEST(engine_peer_wiring_resolves_when_peer_attaches) {
  Engine e(small_pool());
  // net_ring0 names a peer that does not exist yet: it stays stopped until
  // net_ring1 arrives, then both start, wired back to back.
  CHECK_EQ(e.attach("net_ring0,peer=net_ring1"), 0);
  CHECK(!e.port(0).started());
  CHECK_EQ(e.attach("net_ring1"), 1);
  CHECK(e.port(0).started());
  CHECK(e.port(1).started());
  e.set_fwd_mode("macswap");
  forward_for(e, 2, 50);
  auto ss = e.stop();
  Totals t = totals(e, ss);
  CHECK(t.s_rx > 0);
  CHECK_EQ(t.s_tx + t.s_drop, t.s_rx + 2 * 2 * 32);
  check_conserved(e, ss);
}

TEST(engine_multicore_with_two_rx_queues) {
  Engine e(small_pool());
  e.attach("net_ring0");
  e.attach("net_ring1");
  for (uint16_t p : {0, 1}) {
    e.port_stop(p);
    e.port_set_queues(p, 2, 2);
  }
  for (uint16_t p : {0, 1}) e.port_start(p);
  e.set_nb_cores(2);
  auto lc = e.lcores();
  CHECK_EQ(lc.size(), 2u);
  forward_for(e, 1, 100);
  auto ss = e.stop();
  CHECK_EQ(ss.size(), 4u);
  for (const auto& s : ss) CHECK(s.rx_packets > 0);  // every queue carried traffic
  Totals t = totals(e, ss);
  CHECK_EQ(t.s_tx + t.s_drop, t.s_rx + 4 * 32);
  check_conserved(e, ss);

  // 2 rx but 1 tx queue still splits over 2 cores: port-major blocks keep
  // each tx queue on one lcore.
  for (uint16_t p : {0, 1}) {
    e.port_stop(p);
    e.port_set_queues(p, 2, 1);
    e.port_start(p);
    e.port(p).clear_stats();  // port counters span runs; streams' are per run
  }
  forward_for(e, 1, 50);
  ss = e.stop();
  CHECK_EQ(ss.size(), 4u);
  check_conserved(e, ss);
}

TEST(engine_txonly_and_rxonly_runs_leave_pool_whole) {
  Engine e(small_pool());
  e.attach("net_ring0");
  e.attach("net_ring1");
  e.set_fwd_mode("txonly");
  e.set_txpkts({100});
  forward_for(e, 0, 50);
  auto ss = e.stop();
  Totals t = totals(e, ss);
  CHECK_EQ(t.s_rx, 0u);
  CHECK(t.s_tx > 0);
  CHECK(t.s_drop > 0);  // nobody reads the rings: they fill up, as in testpmd
  check_conserved(e, ss);
  CHECK(e.port(0).stats().rx_flushed > 0);  // in flight at stop: flushed
  CHECK_EQ(e.port(0).stats().rx_missed, 0u);  // not counted as dropped (testpmd reports 0)

  e.set_fwd_mode("rxonly");
  forward_for(e, 4, 50);  // tx_first gives rxonly something to eat
  ss = e.stop();
  t = totals(e, ss);
  CHECK_EQ(t.s_tx, 2u * 4 * 32);
  CHECK_EQ(e.pool_stats().in_use, 0u);
}

TEST(engine_null_ports_forward_at_speed) {
  Engine e(small_pool());
  e.attach("net_null0");
  e.attach("net_null1");
  forward_for(e, 0, 50);
  auto ss = e.stop();
  Totals t = totals(e, ss);
  CHECK(t.s_rx > 0);
  CHECK_EQ(t.s_tx + t.s_drop, t.s_rx);
  CHECK_EQ(e.pool_stats().in_use, 0u);
}

TEST(engine_shutdown_is_idempotent) {
  Engine e(small_pool());
  e.attach("net_ring0");
  e.attach("net_ring1");
  e.start(1);
  e.shutdown();
  CHECK(!e.forwarding());
  e.shutdown();
  CHECK_THROWS_CODE(e.attach("net_ring0"), "ESHUTDOWN");
  CHECK_THROWS_CODE(e.port(0), "EPORT_RANGE");
  CHECK_EQ(e.pool_stats().size, 0u);
  // Names are free again for a new engine.
  Engine f(small_pool());
  CHECK_EQ(f.attach("net_ring0"), 0);
  f.start();
  // Destructor stops forwarding and closes.
}

// `start tx_first N` sends its N bursts per stream before forwarding; a stop
// (or quit, or SIGTERM) during them used to wait for all N, 98 s for 2^20
// bursts on a TAP port. Stop now ends the priming at the next burst.
TEST(engine_stop_during_tx_first_is_prompt) {
  Engine e(small_pool());
  e.attach("net_null0");
  e.attach("net_null1");
  constexpr unsigned kBursts = 1u << 20;
  e.start(kBursts);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto t0 = std::chrono::steady_clock::now();
  auto ss = e.stop();
  double stop_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  Totals t = totals(e, ss);
  std::fprintf(stderr, "    stop took %.0f ms, %llu of %llu tx_first packets sent\n", stop_ms,
               (unsigned long long)t.s_tx, (unsigned long long)kBursts * 32 * 2);
  CHECK(t.s_tx < uint64_t(kBursts) * 32 * 2);  // the priming was cut short
  CHECK(stop_ms < 1000);
  CHECK_EQ(e.pool_stats().in_use, 0u);
}
