// Port base class, through a test-only loopback driver: state checks,
// per-queue counting, stats baselines, MTU/MAC/link rules, close draining;
// then DevArgs parsing and MAC address text.
#include <cstring>
#include <deque>
#include <memory>
#include <vector>
#include "error.h"
#include "harness.h"
#include "mempool.h"
#include "port.h"

using rs::DevArgs;
using rs::MacAddr;
using rs::Mbuf;
using rs::Mempool;
using rs::Port;

namespace {

// tx on any queue appends to one wire; rx on any queue takes from it. The
// wire accepts at most tx_room packets per burst, to exercise partial sends.
class LoopPort : public Port {
 public:
  LoopPort(uint16_t id, Mempool* pool, uint16_t max_q = kMaxQueues, bool bytes = true)
      : Port(id, DevArgs::parse("net_loop" + std::to_string(id)), pool), max_q_(max_q), bytes_(bytes) {}
  ~LoopPort() override { close(); }

  uint16_t max_rx_queues() const override { return max_q_; }
  uint16_t max_tx_queues() const override { return max_q_; }
  bool counts_bytes() const override { return bytes_; }

  uint16_t tx_room = 0xffff;
  std::deque<Mbuf*> wire;
  int configures = 0, starts = 0, stops = 0, closes = 0;

 protected:
  void do_configure(uint16_t, uint16_t) override { configures++; }
  void do_start() override { starts++; }
  void do_stop() override { stops++; }
  void do_close() override { closes++; }
  uint32_t do_drain() override {
    uint32_t n = static_cast<uint32_t>(wire.size());
    for (Mbuf* m : wire) rs::mbuf_free(m);
    wire.clear();
    return n;
  }
  uint16_t do_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    uint16_t got = 0;
    uint64_t bytes = 0;
    while (got < n && !wire.empty()) {
      pkts[got] = wire.front();
      wire.pop_front();
      pkts[got]->queue = q;
      bytes += pkts[got++]->data_len;
    }
    count_rx_bytes(q, bytes);
    return got;
  }
  uint16_t do_tx_burst(uint16_t, Mbuf** pkts, uint16_t n) override {
    uint16_t sent = n < tx_room ? n : tx_room;
    for (uint16_t i = 0; i < sent; i++) wire.push_back(pkts[i]);
    return sent;
  }

 private:
  uint16_t max_q_;
  bool bytes_;
};

// n mbufs with the given data lengths.
std::vector<Mbuf*> make_pkts(Mempool& p, std::initializer_list<uint16_t> lens) {
  std::vector<Mbuf*> v;
  for (uint16_t len : lens) {
    Mbuf* m = p.alloc();
    if (!m) break;
    m->data_len = len;
    v.push_back(m);
  }
  return v;
}

}  // namespace

TEST(port_configure_ranges_and_state) {
  Mempool pool("p", 64, 256);
  LoopPort port(3, &pool);
  CHECK_EQ(port.id(), 3);
  CHECK_EQ(port.name(), std::string("net_loop3"));
  CHECK_EQ(port.driver(), std::string("net_loop"));
  CHECK_EQ(port.nb_rx_queues(), 1);
  CHECK_EQ(port.nb_tx_queues(), 1);
  CHECK_THROWS_CODE(port.configure(0, 1), "EQUEUE_RANGE");
  CHECK_THROWS_CODE(port.configure(1, 0), "EQUEUE_RANGE");
  CHECK_THROWS_CODE(port.configure(Port::kMaxQueues + 1, 1), "EQUEUE_RANGE");
  CHECK_THROWS_CODE(port.configure(1, Port::kMaxQueues + 1), "EQUEUE_RANGE");
  CHECK_EQ(port.configures, 0);  // the driver never saw a bad request
  port.configure(Port::kMaxQueues, 2);
  CHECK_EQ(port.nb_rx_queues(), Port::kMaxQueues);
  CHECK_EQ(port.nb_tx_queues(), 2);
  CHECK_EQ(port.configures, 1);

  port.start();
  CHECK(port.started());
  CHECK_EQ(port.starts, 1);
  port.start();  // idempotent
  CHECK_EQ(port.starts, 1);
  CHECK_THROWS_CODE(port.configure(1, 1), "EBUSY_STARTED");
  CHECK_EQ(port.nb_rx_queues(), Port::kMaxQueues);  // unchanged
  port.stop();
  port.stop();
  CHECK_EQ(port.stops, 1);
  CHECK(!port.started());
  port.configure(1, 1);

  // A driver's own limits are the range.
  LoopPort small(4, &pool, 2);
  CHECK_THROWS_CODE(small.configure(3, 1), "EQUEUE_RANGE");
  CHECK_THROWS_CODE(small.configure(1, 3), "EQUEUE_RANGE");
  small.configure(2, 2);

  // start without configure configures with the defaults.
  LoopPort fresh(5, &pool);
  fresh.start();
  CHECK_EQ(fresh.configures, 1);
  CHECK_EQ(fresh.nb_rx_queues(), 1);

  port.close();
  CHECK(port.closed());
  CHECK_EQ(port.closes, 1);
  port.close();  // idempotent
  CHECK_EQ(port.closes, 1);
  CHECK_THROWS_CODE(port.configure(1, 1), "EPORT_CLOSED");
  CHECK_THROWS_CODE(port.start(), "EPORT_CLOSED");
}

TEST(port_counts_per_queue_and_bytes) {
  Mempool pool("p", 64, 256);
  {
    LoopPort port(0, &pool);
    port.configure(2, 2);
    port.start();
    auto a = make_pkts(pool, {60, 70, 80});
    CHECK_EQ(port.tx_burst(0, a.data(), 3), 3);
    auto b = make_pkts(pool, {100, 200});
    port.tx_room = 1;  // only the first fits: the second stays with us
    CHECK_EQ(port.tx_burst(1, b.data(), 2), 1);
    rs::mbuf_free(b[1]);
    port.tx_room = 0;
    auto c = make_pkts(pool, {99});
    CHECK_EQ(port.tx_burst(1, c.data(), 1), 0);  // nothing sent, nothing counted
    rs::mbuf_free(c[0]);

    Mbuf* rx[8];
    CHECK_EQ(port.rx_burst(1, rx, 2), 2);  // 60, 70
    CHECK_EQ(port.rx_burst(0, rx + 2, 8), 2);  // 80, 100
    CHECK_EQ(port.rx_burst(0, rx + 4, 8), 0);
    rs::mbuf_free_bulk(rx, 4);

    rs::PortStats s = port.stats();
    CHECK_EQ(s.tx_packets, 4u);
    CHECK_EQ(s.tx_bytes, 310u);  // 60+70+80 + 100, not the unsent 200
    CHECK_EQ(s.txq_packets.size(), 2u);
    CHECK_EQ(s.txq_packets[0], 3u);
    CHECK_EQ(s.txq_packets[1], 1u);
    CHECK_EQ(s.txq_bytes[0], 210u);
    CHECK_EQ(s.txq_bytes[1], 100u);
    CHECK_EQ(s.rx_packets, 4u);
    CHECK_EQ(s.rx_bytes, 310u);
    CHECK_EQ(s.rxq_packets[0], 2u);
    CHECK_EQ(s.rxq_packets[1], 2u);
    CHECK_EQ(s.rxq_bytes[0], 180u);
    CHECK_EQ(s.rxq_bytes[1], 130u);
    port.count_rx_error(1, 2);
    port.count_tx_error(0);
    port.count_rx_nombuf(5);
    s = port.stats();
    CHECK_EQ(s.rx_errors, 2u);
    CHECK_EQ(s.rxq_errors[1], 2u);
    CHECK_EQ(s.tx_errors, 1u);
    CHECK_EQ(s.rx_nombuf, 5u);
  }
  {
    // A driver that does not count bytes: packets only.
    LoopPort port(1, &pool, Port::kMaxQueues, false);
    port.start();
    auto a = make_pkts(pool, {60, 70});
    CHECK_EQ(port.tx_burst(0, a.data(), 2), 2);
    CHECK_EQ(port.stats().tx_packets, 2u);
    CHECK_EQ(port.stats().tx_bytes, 0u);
  }  // close drains the two still on the wire
  CHECK_EQ(pool.in_use(), 0u);
}

TEST(port_clear_stats_keeps_a_baseline) {
  Mempool pool("p", 64, 256);
  LoopPort port(0, &pool);
  port.configure(4, 4);
  port.start();
  auto send = [&](uint16_t q, std::initializer_list<uint16_t> lens) {
    auto v = make_pkts(pool, lens);
    uint16_t n = static_cast<uint16_t>(v.size());
    CHECK_EQ(port.tx_burst(q, v.data(), n), n);
    Mbuf* rx[16];
    uint16_t got = port.rx_burst(q, rx, 16);
    CHECK_EQ(got, n);
    rs::mbuf_free_bulk(rx, got);
  };
  send(0, {64, 64});
  send(3, {100});
  port.count_rx_missed(7);
  port.clear_stats();
  rs::PortStats s = port.stats();
  CHECK_EQ(s.rx_packets, 0u);
  CHECK_EQ(s.tx_packets, 0u);
  CHECK_EQ(s.rx_bytes, 0u);
  CHECK_EQ(s.tx_bytes, 0u);
  CHECK_EQ(s.rx_missed, 0u);
  CHECK_EQ(s.rxq_packets.size(), 4u);
  for (uint64_t v : s.rxq_packets) CHECK_EQ(v, 0u);
  for (uint64_t v : s.txq_bytes) CHECK_EQ(v, 0u);

  send(1, {50});
  port.count_rx_missed(1);
  s = port.stats();
  CHECK_EQ(s.rx_packets, 1u);
  CHECK_EQ(s.tx_bytes, 50u);
  CHECK_EQ(s.rxq_packets[1], 1u);
  CHECK_EQ(s.rxq_packets[0], 0u);
  CHECK_EQ(s.rx_missed, 1u);

  // Clearing with fewer queues configured, then growing again, must not bring
  // back counts from before the clear.
  port.stop();
  port.configure(2, 2);
  port.clear_stats();
  port.configure(4, 4);
  s = port.stats();
  CHECK_EQ(s.rxq_packets.size(), 4u);
  CHECK_EQ(s.rxq_packets[3], 0u);
  CHECK_EQ(s.txq_bytes[3], 0u);
  CHECK_EQ(s.rx_packets, 0u);
  CHECK_EQ(s.tx_bytes, 0u);
  port.start();
  send(3, {10});
  s = port.stats();
  CHECK_EQ(s.rxq_packets[3], 1u);
  CHECK_EQ(s.tx_bytes, 10u);
}

TEST(port_mtu_mac_promisc) {
  Mempool pool("p", 8, 256);
  LoopPort port(0x0102, &pool);
  CHECK_EQ(port.mtu(), 1500u);
  CHECK_EQ(port.max_mtu(), 256u - 18);
  CHECK_THROWS_CODE(port.set_mtu(67), "EMTU_RANGE");
  CHECK_THROWS_CODE(port.set_mtu(239), "EMTU_RANGE");
  CHECK_EQ(port.mtu(), 1500u);  // a rejected MTU changes nothing
  port.set_mtu(68);
  CHECK_EQ(port.mtu(), 68u);
  port.set_mtu(238);
  CHECK_EQ(port.mtu(), 238u);

  CHECK_EQ(rs::mac_to_string(port.mac()), std::string("02:52:53:00:01:02"));
  MacAddr mc{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
  CHECK_THROWS_CODE(port.set_mac(mc), "EINVAL_MAC");
  MacAddr bc{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  CHECK_THROWS_CODE(port.set_mac(bc), "EINVAL_MAC");
  CHECK_EQ(rs::mac_to_string(port.mac()), std::string("02:52:53:00:01:02"));
  MacAddr uc{0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  port.set_mac(uc);
  CHECK(port.mac() == uc);

  CHECK(port.promiscuous());
  port.set_promiscuous(false);
  CHECK(!port.promiscuous());
}

// Frames to dst (data_len 60), sent on the loop and received with promiscuous mode as given.
static uint16_t loop_received(LoopPort& port, Mempool& pool, std::initializer_list<MacAddr> dsts) {
  std::vector<Mbuf*> tx;
  for (const MacAddr& d : dsts) {
    Mbuf* m = pool.alloc();
    m->data_len = 60;
    std::memcpy(m->data(), d.data(), 6);
    tx.push_back(m);
  }
  CHECK_EQ(port.tx_burst(0, tx.data(), static_cast<uint16_t>(tx.size())), tx.size());
  Mbuf* rx[16];
  uint16_t got = port.rx_burst(0, rx, 16);
  rs::mbuf_free_bulk(rx, got);
  return got;
}

TEST(port_rx_filter_with_promisc_off) {
  Mempool pool("p", 16, 256);
  LoopPort port(0, &pool);
  port.start();
  const MacAddr own = port.mac(), other{0x02, 0, 0, 0, 0, 0x99}, group{0x01, 0, 0x5e, 1, 2, 3},
                bcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  CHECK_EQ(loop_received(port, pool, {own, other, group, bcast}), 4);  // promiscuous: everything
  port.set_promiscuous(false);
  CHECK_EQ(loop_received(port, pool, {own, other, group, bcast}), 3);  // allmulti is on by default
  port.set_allmulti(false);
  port.clear_stats();
  CHECK_EQ(loop_received(port, pool, {own, other, group, bcast}), 2);
  CHECK_EQ(port.stats().rx_bytes, 120u);  // the dropped frames' bytes are not counted
  port.add_mac(other);
  port.add_mcast(group);
  CHECK_EQ(loop_received(port, pool, {own, other, group, bcast}), 4);
  CHECK_THROWS_CODE(port.add_mcast(group), "EMAC_EXISTS");
  CHECK_THROWS_CODE(port.add_mac(group), "EINVAL_MAC");
  CHECK_THROWS_CODE(port.remove_mac(own), "EINVAL_MAC");
  port.remove_mac(other);
  port.remove_mcast(group);
  CHECK_THROWS_CODE(port.remove_mcast(group), "EMAC_ABSENT");
  CHECK_EQ(loop_received(port, pool, {own, other, group, bcast}), 2);
  // A new own address is taken at once.
  port.set_mac(other);
  CHECK_EQ(loop_received(port, pool, {own, other}), 1);
  port.stop();
  CHECK_EQ(pool.available(), 16u);  // every dropped frame went back to the pool
}

TEST(port_link_down_stops_traffic) {
  Mempool pool("p", 16, 256);
  LoopPort port(0, &pool);
  auto a = make_pkts(pool, {60});
  Mbuf* rx[4];
  CHECK(!port.link().up);
  CHECK_EQ(port.tx_burst(0, a.data(), 1), 0);  // not started
  port.start();
  CHECK(port.link().up);
  CHECK_EQ(port.link().speed_mbps, 10000u);
  port.set_link(false);
  CHECK(!port.link().up);
  CHECK_EQ(port.link().speed_mbps, 0u);
  CHECK_EQ(port.tx_burst(0, a.data(), 1), 0);
  CHECK_EQ(port.stats().tx_packets, 0u);
  port.set_link(true);
  CHECK(port.link().up);
  CHECK_EQ(port.tx_burst(0, a.data(), 1), 1);
  port.set_link(false);
  CHECK_EQ(port.rx_burst(0, rx, 4), 0);  // the packet waits on the wire
  CHECK_EQ(port.wire.size(), 1u);
  // Link state survives stop/start: still down after a restart.
  port.stop();
  port.start();
  CHECK(!port.link().up);
  CHECK_EQ(port.rx_burst(0, rx, 4), 0);
  port.set_link(true);
  CHECK_EQ(port.rx_burst(0, rx, 4), 1);
  rs::mbuf_free(rx[0]);
  CHECK_EQ(port.stats().rx_packets, 1u);
}

TEST(port_close_drains_into_rx_missed) {
  Mempool pool("p", 16, 256);
  LoopPort port(0, &pool);
  port.start();
  auto a = make_pkts(pool, {60, 61, 62, 63, 64});
  CHECK_EQ(port.tx_burst(0, a.data(), 5), 5);
  CHECK_EQ(pool.in_use(), 5u);
  port.close();
  CHECK(port.closed());
  CHECK(!port.started());
  CHECK_EQ(port.stops, 1);
  CHECK(port.wire.empty());
  CHECK_EQ(pool.in_use(), 0u);
  CHECK_EQ(port.stats().rx_missed, 5u);
  Mbuf* rx[4];
  CHECK_EQ(port.rx_burst(0, rx, 4), 0);
}

TEST(devargs_parse) {
  DevArgs a = DevArgs::parse("net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap");
  CHECK_EQ(a.name, std::string("net_pcap0"));
  CHECK_EQ(a.driver, std::string("net_pcap"));
  CHECK_EQ(a.raw, std::string("net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap"));
  CHECK_EQ(a.kv.size(), 2u);
  CHECK_EQ(a.kv["rx_pcap"], std::string("in.pcap"));
  CHECK_EQ(a.kv["tx_pcap"], std::string("out.pcap"));

  DevArgs b = DevArgs::parse("net_null");  // no instance digits
  CHECK_EQ(b.name, std::string("net_null"));
  CHECK_EQ(b.driver, std::string("net_null"));
  CHECK(b.kv.empty());

  DevArgs c = DevArgs::parse("net_ring12,size=64,empty=,path=a=b");
  CHECK_EQ(c.driver, std::string("net_ring"));
  CHECK_EQ(c.name, std::string("net_ring12"));
  CHECK_EQ(c.kv["size"], std::string("64"));
  CHECK(c.kv.count("empty") == 1 && c.kv["empty"].empty());  // empty value allowed
  CHECK_EQ(c.kv["path"], std::string("a=b"));  // split at the first '='

  DevArgs d = DevArgs::parse("net_af_xdp0,iface=veth1");  // digits inside the driver name stay
  CHECK_EQ(d.driver, std::string("net_af_xdp"));

  for (const char* bad : {"", ",size=64", "net_null0,", "net_null0,,size=1", "net_null0,size",
                          "net_null0,=64", "net_null0,size=64,"}) {
    CHECK_THROWS_CODE(DevArgs::parse(bad), "EDEVARGS");
  }
  try {
    DevArgs::parse("net_null0,oops");
  } catch (const rs::Error& e) {
    CHECK(std::string(e.what()).find("'oops'") != std::string::npos);  // names the bad part
  }
}

TEST(mac_text_round_trip) {
  MacAddr m{};
  CHECK(rs::parse_mac("00:1b:21:AB:cd:ef", &m));
  CHECK_EQ(rs::mac_to_string(m), std::string("00:1B:21:AB:CD:EF"));
  MacAddr z{};
  CHECK_EQ(rs::mac_to_string(z), std::string("00:00:00:00:00:00"));
  MacAddr f{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  CHECK_EQ(rs::mac_to_string(f), std::string("FF:FF:FF:FF:FF:FF"));
  MacAddr back{};
  CHECK(rs::parse_mac(rs::mac_to_string(f), &back));
  CHECK(back == f);

  MacAddr keep{1, 2, 3, 4, 5, 6};
  for (const char* bad : {"", "00:11:22:33:44", "00:11:22:33:44:55:66", "00:11:22:33:44:5g",
                          "00-11-22-33-44-55", "0:11:22:33:44:55", "00:11:22:33:44:55 ",
                          " 0:11:22:33:44:55", "-1:11:22:33:44:55", "+1:11:22:33:44:55",
                          "001:1:22:33:44:55", "00:11:22:33:44:5"}) {
    MacAddr out = keep;
    bool ok = rs::parse_mac(bad, &out);
    if (ok) std::fprintf(stderr, "    parse_mac accepted '%s'\n", bad);
    CHECK(!ok);
    CHECK(out == keep);  // untouched on failure
  }
}
