// Port drivers through the Port interface: the driver table, net_null,
// net_ring (self loop, peers, drain, full rings) and net_pcap.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>
#include "error.h"
#include "harness.h"
#include "mempool.h"
#include "pcap_file.h"
#include "port.h"

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/ringside-drv-XXXXXX";
    path = ::mkdtemp(tmpl) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return path + "/" + name; }
};

std::unique_ptr<rs::Port> make(uint16_t id, const std::string& devargs, rs::Mempool* pool) {
  rs::DevArgs a = rs::DevArgs::parse(devargs);
  const rs::DriverInfo* d = rs::find_driver(a.driver);
  if (!d) throw rs::Error("EDRIVER", "no driver for " + devargs);
  return d->create(id, a, pool);
}

std::string create_code(const std::string& devargs, rs::Mempool* pool, std::string* msg = nullptr) {
  try {
    make(0, devargs, pool);
  } catch (const rs::Error& e) {
    if (msg) *msg = e.what();
    return e.code();
  }
  return "";
}

// Allocates n mbufs tagged with seqn = base + i.
std::vector<rs::Mbuf*> tagged(rs::Mempool& pool, uint32_t n, uint64_t base) {
  std::vector<rs::Mbuf*> v(n);
  if (pool.alloc_bulk(v.data(), n) != n) return {};
  for (uint32_t i = 0; i < n; i++) {
    v[i]->seqn = base + i;
    v[i]->data_len = 60;
  }
  return v;
}

uint64_t now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

}  // namespace

// ------------------------------------------------------------ driver table

TEST(drv_table_lists_drivers) {
  for (const char* n : {"net_null", "net_ring", "net_pcap"}) {
    const rs::DriverInfo* d = rs::find_driver(n);
    CHECK(d != nullptr);
    if (!d) continue;
    CHECK_EQ(std::string(d->name), std::string(n));
    CHECK(d->help && std::strlen(d->help) > 10);
    CHECK(d->keys != nullptr);
    CHECK(d->create != nullptr);
  }
  CHECK(rs::find_driver("net_bogus") == nullptr);
  CHECK(rs::driver_table().size() >= 3);
}

TEST(drv_unknown_devargs_key) {
  rs::Mempool pool("t", 64);
  std::string msg;
  CHECK_EQ(create_code("net_null0,sise=64", &pool, &msg), std::string("EDEVARGS"));
  CHECK(msg.find("sise") != std::string::npos && msg.find("size=") != std::string::npos);
  CHECK_EQ(create_code("net_ring0,pear=net_ring1", &pool, &msg), std::string("EDEVARGS"));
  CHECK(msg.find("peer=") != std::string::npos);
  CHECK_EQ(create_code("net_pcap0,rx=foo", &pool, &msg), std::string("EDEVARGS"));
  CHECK(msg.find("rx_pcap=") != std::string::npos && msg.find("tx_pcap=") != std::string::npos);
  // A driver asked to create another driver's device refuses.
  CHECK_THROWS_CODE(rs::find_driver("net_null")->create(0, rs::DevArgs::parse("net_ring0"), &pool), "EDEVARGS");
}

// ------------------------------------------------------------ net_null

TEST(drv_null_rx_sizes) {
  rs::Mempool pool("t", 256);
  for (uint16_t size : {uint16_t(64), uint16_t(14), uint16_t(1514), uint16_t(2048)}) {
    std::string args = "net_null0";
    if (size != 64) args += ",size=" + std::to_string(size);
    auto p = make(0, args, &pool);
    p->start();
    rs::Mbuf* b[32];
    CHECK_EQ(p->rx_burst(0, b, 32), 32);
    for (auto* m : b) {
      CHECK_EQ(m->data_len, size);
      CHECK_EQ(m->port, 0);
    }
    CHECK_EQ(p->tx_burst(0, b, 32), 32);  // tx frees
    rs::PortStats s = p->stats();
    CHECK_EQ(s.rx_packets, 32u);
    CHECK_EQ(s.rx_bytes, 32ull * size);
    CHECK_EQ(s.tx_packets, 32u);
    CHECK_EQ(s.tx_bytes, 32ull * size);
    CHECK_EQ(pool.in_use(), 0u);
    p->close();
  }
}

TEST(drv_null_bad_size) {
  rs::Mempool pool("t", 16);
  std::string msg;
  for (const char* bad : {"net_null0,size=13", "net_null0,size=2049", "net_null0,size=abc", "net_null0,size=",
                          "net_null0,size=-5", "net_null0,size=99999999999"}) {
    CHECK_EQ(create_code(bad, &pool, &msg), std::string("EDEVARGS"));
  }
  CHECK(msg.find("14") != std::string::npos && msg.find("2048") != std::string::npos);
}

TEST(drv_null_nombuf_when_pool_exhausted) {
  rs::Mempool pool("t", 40);
  auto p = make(0, "net_null0", &pool);
  p->start();
  rs::Mbuf* a[32];
  rs::Mbuf* b[32];
  CHECK_EQ(p->rx_burst(0, a, 32), 32);
  CHECK_EQ(p->rx_burst(0, b, 32), 0);  // only 8 left: all or nothing
  CHECK_EQ(p->stats().rx_nombuf, 32u);
  CHECK_EQ(p->stats().rx_packets, 32u);
  CHECK_EQ(p->tx_burst(0, a, 32), 32);
  CHECK_EQ(pool.in_use(), 0u);
  CHECK_EQ(p->rx_burst(0, b, 32), 32);  // recovers once mbufs come back
  rs::mbuf_free_bulk(b, 32);
  p->close();
}

// ------------------------------------------------------------ net_ring

TEST(drv_ring_self_loop_preserves_identity) {
  rs::Mempool pool("t", 256);
  auto p = make(0, "net_ring0", &pool);
  CHECK(p->counts_bytes());
  p->start();
  auto pkts = tagged(pool, 8, 100);
  CHECK_EQ(p->tx_burst(0, pkts.data(), 8), 8);
  rs::Mbuf* got[16];
  CHECK_EQ(p->rx_burst(0, got, 16), 8);
  for (int i = 0; i < 8; i++) {
    CHECK(got[i] == pkts[i]);  // the same mbuf, in order
    CHECK_EQ(got[i]->seqn, 100u + i);
  }
  CHECK_EQ(p->rx_burst(0, got, 16), 0);
  rs::PortStats s = p->stats();
  CHECK_EQ(s.tx_packets, 8u);
  CHECK_EQ(s.rx_packets, 8u);
  CHECK_EQ(s.tx_bytes, 8u * 60);  // `show port stats` shows bytes, not 0
  CHECK_EQ(s.rx_bytes, 8u * 60);
  rs::mbuf_free_bulk(got, 8);
  p->close();
  CHECK_EQ(pool.in_use(), 0u);
}

TEST(drv_ring_multi_queue_self_loop) {
  rs::Mempool pool("t", 256);
  auto p = make(0, "net_ring0", &pool);
  p->configure(4, 4);
  p->start();
  auto pkts = tagged(pool, 4, 0);
  for (uint16_t q = 0; q < 4; q++) CHECK_EQ(p->tx_burst(q, &pkts[q], 1), 1);
  for (uint16_t q = 0; q < 4; q++) {
    rs::Mbuf* m[4];
    CHECK_EQ(p->rx_burst(q, m, 4), 1);  // tx queue q feeds rx queue q only
    CHECK(m[0] == pkts[q]);
    rs::mbuf_free(m[0]);
  }
  p->stop();
  p->configure(2, 2);  // shrinking frees rings
  p->start();
  p->close();
  CHECK_EQ(pool.in_use(), 0u);
}

// As DPDK's net_ring (and testpmd --txq=2 --rxq=1): the port starts; tx queue
// 1 has no ring behind it and refuses what it is given.
TEST(drv_ring_more_tx_than_rx_queues_starts) {
  rs::Mempool pool("t", 64);
  auto p = make(0, "net_ring0", &pool);
  p->configure(1, 2);
  p->start();
  CHECK(p->started());
  rs::Mbuf* m[2] = {pool.alloc(), pool.alloc()};
  CHECK_EQ(p->tx_burst(1, m, 1), 0);
  CHECK_EQ(p->tx_burst(0, m, 2), 2);
  rs::Mbuf* got[4];
  CHECK_EQ(p->rx_burst(0, got, 4), 2);
  rs::mbuf_free_bulk(got, 2);
  p->close();
  CHECK_EQ(pool.in_use(), 0u);
}

TEST(drv_ring_peer_back_to_back) {
  rs::Mempool pool("t", 256);
  // The peer is attached after the port naming it: resolved at start.
  auto a = make(0, "net_ring0,peer=net_ring1", &pool);
  auto b = make(1, "net_ring1", &pool);
  a->start();
  b->start();
  auto x = tagged(pool, 5, 10);
  CHECK_EQ(a->tx_burst(0, x.data(), 5), 5);
  rs::Mbuf* got[8];
  CHECK_EQ(a->rx_burst(0, got, 8), 0);  // not looped back
  CHECK_EQ(b->rx_burst(0, got, 8), 5);
  for (int i = 0; i < 5; i++) CHECK(got[i] == x[i] && got[i]->seqn == 10u + i);
  // net_ring1 names no peer but sends back to net_ring0.
  CHECK_EQ(b->tx_burst(0, got, 5), 5);
  CHECK_EQ(b->rx_burst(0, got, 8), 0);
  CHECK_EQ(a->rx_burst(0, got, 8), 5);
  for (int i = 0; i < 5; i++) CHECK(got[i] == x[i]);
  rs::mbuf_free_bulk(got, 5);
  bool found = false;
  for (auto& [k, v] : a->info()) found = found || (k == "tx into" && v == "net_ring1");
  CHECK(found);
  a->close();
  b->close();
  CHECK_EQ(pool.in_use(), 0u);
}

TEST(drv_ring_mutual_peers) {
  rs::Mempool pool("t", 64);
  auto a = make(0, "net_ring0,peer=net_ring1", &pool);
  auto b = make(1, "net_ring1,peer=net_ring0", &pool);
  b->start();
  a->start();
  auto x = tagged(pool, 2, 0);
  CHECK_EQ(b->tx_burst(0, x.data(), 2), 2);
  rs::Mbuf* got[4];
  CHECK_EQ(a->rx_burst(0, got, 4), 2);
  rs::mbuf_free_bulk(got, 2);
}

TEST(drv_ring_peer_missing_at_start) {
  rs::Mempool pool("t", 64);
  auto a = make(0, "net_ring5,peer=net_ring6", &pool);
  std::string msg;
  try { a->start(); } catch (const rs::Error& e) { msg = e.code() + ": " + e.what(); }
  CHECK(msg.rfind("EPEER", 0) == 0);
  CHECK(msg.find("attach net_ring6") != std::string::npos);
  CHECK(!a->started());
  auto b = make(1, "net_ring6", &pool);
  a->start();  // attached now
  CHECK(a->started());
  b->close();  // closing the target detaches it from a: a drops instead of writing freed rings
  auto x = tagged(pool, 3, 0);
  CHECK_EQ(a->tx_burst(0, x.data(), 3), 0);
  rs::mbuf_free_bulk(x.data(), 3);
  a->stop();
  CHECK_THROWS_CODE(a->start(), "EPEER");  // net_ring6 is gone again
}

TEST(drv_ring_second_sender_refused) {
  rs::Mempool pool("t", 64);
  auto b = make(1, "net_ring1", &pool);
  b->start();  // alone: loops back into its own rings
  auto a = make(0, "net_ring0,peer=net_ring1", &pool);
  CHECK_THROWS_CODE(a->start(), "EPEER");  // would be a second producer on net_ring1's rings
  b->stop();
  a->start();
  b->start();  // now resolves back to net_ring0
  auto x = tagged(pool, 1, 7);
  CHECK_EQ(b->tx_burst(0, x.data(), 1), 1);
  rs::Mbuf* m[2];
  CHECK_EQ(a->rx_burst(0, m, 2), 1);
  CHECK(m[0] == x[0]);
  rs::mbuf_free(m[0]);
}

TEST(drv_ring_bad_peer_and_duplicate_name) {
  rs::Mempool pool("t", 16);
  CHECK_EQ(create_code("net_ring0,peer=net_ring0", &pool), std::string("EDEVARGS"));
  CHECK_EQ(create_code("net_ring0,peer=net_null1", &pool), std::string("EDEVARGS"));
  auto a = make(0, "net_ring3", &pool);
  CHECK_EQ(create_code("net_ring3", &pool), std::string("EEXIST"));
  a->close();
  auto again = make(1, "net_ring3", &pool);  // the name is free once closed
  CHECK(again != nullptr);
}

TEST(drv_ring_drain_returns_mbufs) {
  rs::Mempool pool("t", 128);
  auto p = make(0, "net_ring0", &pool);
  p->configure(2, 2);
  p->start();
  auto x = tagged(pool, 30, 0);
  CHECK_EQ(p->tx_burst(0, x.data(), 10), 10);
  CHECK_EQ(p->tx_burst(1, x.data() + 10, 20), 20);
  CHECK_EQ(pool.in_use(), 30u);
  p->stop();
  p->drain();
  CHECK_EQ(pool.in_use(), 0u);
  CHECK_EQ(p->stats().rx_missed, 30u);
  // close drains too
  p->start();
  auto y = tagged(pool, 4, 0);
  CHECK_EQ(p->tx_burst(0, y.data(), 4), 4);
  p->close();
  CHECK_EQ(pool.in_use(), 0u);
}

TEST(drv_ring_full_ring_partial_tx) {
  rs::Mempool pool("t", 2048);
  auto p = make(0, "net_ring0", &pool);
  p->start();
  uint32_t sent = 0;
  for (int i = 0; i < 31; i++) {  // 31 * 32 = 992
    auto x = tagged(pool, 32, sent);
    sent += p->tx_burst(0, x.data(), 32);
  }
  CHECK_EQ(sent, 992u);
  auto x = tagged(pool, 64, 992);
  uint16_t n = p->tx_burst(0, x.data(), 64);
  CHECK_EQ(n, 32);  // 1024 slots: only 32 fit
  CHECK(x[n - 1]->seqn == 1023u);
  CHECK_EQ(p->tx_burst(0, x.data() + n, 64 - n), 0);
  rs::mbuf_free_bulk(x.data() + n, 64 - n);  // the caller frees what was not sent
  CHECK_EQ(p->stats().tx_packets, 1024u);
  rs::Mbuf* m[64];
  uint64_t want = 0;
  while (uint16_t k = p->rx_burst(0, m, 64)) {
    for (uint16_t i = 0; i < k; i++) CHECK_EQ(m[i]->seqn, want++);
    rs::mbuf_free_bulk(m, k);
  }
  CHECK_EQ(want, 1024u);
  CHECK_EQ(pool.in_use(), 0u);
}

TEST(drv_ring_stopped_port_moves_nothing) {
  rs::Mempool pool("t", 16);
  auto p = make(0, "net_ring0", &pool);
  auto x = tagged(pool, 2, 0);
  CHECK_EQ(p->tx_burst(0, x.data(), 2), 0);
  rs::mbuf_free_bulk(x.data(), 2);
}

// ------------------------------------------------------------ net_pcap

TEST(drv_pcap_tx_writes_file) {
  TempDir d;
  rs::Mempool pool("t", 64);
  std::string out = d.file("out.pcap");
  auto p = make(0, "net_pcap0,tx_pcap=" + out, &pool);
  CHECK_EQ(p->max_rx_queues(), 1);
  CHECK_EQ(p->max_tx_queues(), 1);
  CHECK_THROWS_CODE(p->configure(2, 1), "EQUEUE_RANGE");
  p->start();
  uint64_t before = now_ns();
  auto x = tagged(pool, 5, 0);
  for (uint32_t i = 0; i < 5; i++) {
    x[i]->data_len = uint16_t(60 + i * 100);
    for (uint32_t j = 0; j < x[i]->data_len; j++) x[i]->data()[j] = uint8_t(i * 31 + j);
  }
  CHECK_EQ(p->tx_burst(0, x.data(), 5), 5);
  CHECK_EQ(pool.in_use(), 0u);  // tx frees
  rs::Mbuf* none[4];
  CHECK_EQ(p->rx_burst(0, none, 4), 0);  // no rx_pcap
  p->stop();  // flushes
  uint64_t after = now_ns();
  CHECK_EQ(p->stats().tx_bytes, 60u + 160 + 260 + 360 + 460);
  {
    rs::PcapReader r;
    r.open(out);
    CHECK(r.nanosecond());
    rs::PcapRecord rec;
    for (uint32_t i = 0; i < 5; i++) {
      CHECK(r.next(rec));
      CHECK_EQ(rec.caplen, 60u + i * 100);
      bool same = true;
      for (uint32_t j = 0; j < rec.caplen; j++) same = same && rec.data[j] == uint8_t(i * 31 + j);
      CHECK(same);
      CHECK(rec.ts_ns >= before && rec.ts_ns <= after);
    }
    CHECK(!r.next(rec));
  }
  p->start();  // the writer stays open across stop/start: appends
  auto y = tagged(pool, 1, 0);
  CHECK_EQ(p->tx_burst(0, y.data(), 1), 1);
  p->close();
  rs::PcapReader r;
  r.open(out);
  rs::PcapRecord rec;
  int n = 0;
  while (r.next(rec)) n++;
  CHECK_EQ(n, 6);
}

TEST(drv_pcap_rx_reads_file) {
  TempDir d;
  rs::Mempool pool("t", 64);
  std::string in = d.file("in.pcap");
  {
    rs::PcapWriter w;
    w.open(in, 65535);
    std::vector<uint8_t> a(64, 0xaa), c(1514, 0xcc);
    w.write(1000000000123ull, a.data(), uint32_t(a.size()));
    w.write(1000000000789ull, c.data(), uint32_t(c.size()));
    w.close();
  }
  auto p = make(0, "net_pcap0,rx_pcap=" + in, &pool);
  p->start();
  rs::Mbuf* m[8];
  CHECK_EQ(p->rx_burst(0, m, 8), 2);
  CHECK_EQ(m[0]->data_len, 64);
  CHECK_EQ(m[0]->timestamp, 1000000000123ull);
  CHECK(m[0]->data()[0] == 0xaa && m[0]->data()[63] == 0xaa);
  CHECK_EQ(m[1]->data_len, 1514);
  CHECK_EQ(m[1]->timestamp, 1000000000789ull);
  CHECK(m[1]->data()[1513] == 0xcc);
  CHECK_EQ(pool.in_use(), 2u);  // unused mbufs of the burst went back
  rs::PortStats s = p->stats();
  CHECK_EQ(s.rx_packets, 2u);
  CHECK_EQ(s.rx_bytes, 64u + 1514);
  CHECK_EQ(s.rx_errors, 0u);
  CHECK_EQ(p->rx_burst(0, m + 2, 6), 0);  // end of file: 0 forever
  CHECK_EQ(p->rx_burst(0, m + 2, 6), 0);
  // Without tx_pcap, tx drops (frees) everything.
  CHECK_EQ(p->tx_burst(0, m, 2), 2);
  CHECK_EQ(pool.in_use(), 0u);
  // A restart replays the file from its beginning.
  p->stop();
  p->start();
  CHECK_EQ(p->rx_burst(0, m, 1), 1);
  CHECK_EQ(m[0]->timestamp, 1000000000123ull);
  rs::mbuf_free(m[0]);
  p->close();
  CHECK_EQ(pool.in_use(), 0u);
}

// A frame longer than an mbuf is refused at attach with its size and the
// option that makes room; with that room it is received whole.
TEST(drv_pcap_rx_frames_longer_than_an_mbuf) {
  TempDir d;
  std::string in = d.file("jumbo.pcap");
  {
    rs::PcapWriter w;
    w.open(in, 65535);
    std::vector<uint8_t> a(64, 0xaa), big(9000, 0xbb);
    w.write(1, a.data(), uint32_t(a.size()));
    w.write(2, big.data(), uint32_t(big.size()));
    w.close();
  }
  rs::Mempool small("t", 16);  // the default 2048-byte data room
  try {
    make(0, "net_pcap0,rx_pcap=" + in, &small);
    CHECK(false);
  } catch (const rs::Error& e) {
    CHECK_EQ(e.code(), std::string("EMBUF_SIZE"));
    std::string w = e.what();
    CHECK(w.find("1 frame longer than an mbuf's 2048-byte data room (the longest: 9000 bytes, record 2)") != std::string::npos);
    CHECK(w.find("--mbuf-size=9000") != std::string::npos);
  }
  rs::Mempool jumbo("j", 16, 9000);
  auto p = make(0, "net_pcap0,rx_pcap=" + in, &jumbo);
  p->start();
  rs::Mbuf* m[4];
  CHECK_EQ(p->rx_burst(0, m, 4), 2);
  CHECK_EQ(m[1]->data_len, 9000);
  CHECK(m[1]->data()[8999] == 0xbb);
  rs::mbuf_free_bulk(m, 2);
  p->close();
}

TEST(drv_pcap_rx_truncated_file) {
  TempDir d;
  rs::Mempool pool("t", 64);
  std::string in = d.file("cut.pcap");
  {
    rs::PcapWriter w;
    w.open(in, 65535);
    std::vector<uint8_t> a(100, 1);
    for (int i = 0; i < 3; i++) w.write(uint64_t(i), a.data(), 100);
    w.close();
  }
  std::filesystem::resize_file(in, 24 + 2 * 116 + 50);
  auto p = make(0, "net_pcap0,rx_pcap=" + in, &pool);
  p->start();
  rs::Mbuf* m[8];
  CHECK_EQ(p->rx_burst(0, m, 8), 2);  // the complete records
  rs::mbuf_free_bulk(m, 2);
  CHECK_EQ(p->rx_burst(0, m, 8), 0);
  CHECK_EQ(p->stats().rx_errors, 1u);
  bool reported = false;
  for (auto& [k, v] : p->info()) reported = reported || (k == "rx_pcap error" && v.find("truncated") != std::string::npos);
  CHECK(reported);
  p->close();
}

TEST(drv_pcap_devargs_errors) {
  TempDir d;
  rs::Mempool pool("t", 16);
  std::string msg;
  CHECK_EQ(create_code("net_pcap0", &pool, &msg), std::string("EDEVARGS"));
  CHECK(msg.find("rx_pcap=") != std::string::npos);
  CHECK_EQ(create_code("net_pcap0,rx_pcap=" + d.file("missing.pcap"), &pool, &msg), std::string("EPCAP_OPEN"));
  CHECK(msg.find("missing.pcap") != std::string::npos);
  CHECK_EQ(create_code("net_pcap0,tx_pcap=" + d.file("no/dir/out.pcap"), &pool), std::string("EPCAP_OPEN"));
  CHECK_EQ(create_code("net_pcap0,rx_pcap=" + d.file("x.pcap") + ",tx_pcap=" + d.file("x.pcap"), &pool),
           std::string("EDEVARGS"));
  std::FILE* f = std::fopen(d.file("junk.pcap").c_str(), "wb");
  std::fputs("this is not a capture file at all", f);
  std::fclose(f);
  CHECK_EQ(create_code("net_pcap0,rx_pcap=" + d.file("junk.pcap"), &pool), std::string("EPCAP_FORMAT"));
  {
    rs::PcapWriter w;
    w.open(d.file("sll.pcap"), 65535, 113);  // Linux cooked capture, not Ethernet
  }
  CHECK_EQ(create_code("net_pcap0,rx_pcap=" + d.file("sll.pcap"), &pool), std::string("EPCAP_FORMAT"));
  // tx_pcap is not created at attach, only at start.
  auto p = make(0, "net_pcap0,tx_pcap=" + d.file("later.pcap"), &pool);
  CHECK(!std::filesystem::exists(d.file("later.pcap")));
  p->start();
  CHECK(std::filesystem::exists(d.file("later.pcap")));
  p->close();
}
