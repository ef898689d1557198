// net_memif and the memif protocol core: message codec, two ringside ports
// connected over a real Unix socket (both directions, several queues, packets
// chained over small buffers, several interfaces on one socket by id), the
// refusals (wrong id, wrong secret, absurd sizes), a rogue client whose
// descriptors point outside its region, a server that goes away and comes
// back. The fuzz test of the control messages is test_memif_fuzz.cpp.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <chrono>
#include <functional>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include "error.h"
#include "harness.h"
#include "memif/channel.h"
#include "memif/service.h"
#include "memif/codec.h"
#include "mempool.h"
#include "netlink/events.h"
#include "port.h"

namespace {

using namespace std::chrono_literals;

std::string unique_socket(const char* tag) {
  static int n = 0;
  return "ringside-test-" + std::to_string(getpid()) + "-" + tag + "-" + std::to_string(n++);
}

std::unique_ptr<rs::Port> make(uint16_t id, const std::string& devargs, rs::Mempool* pool, rs::EventQueue* ev = nullptr) {
  rs::DevArgs a = rs::DevArgs::parse(devargs);
  auto p = rs::find_driver(a.driver)->create(id, a, pool);
  p->set_events(ev);
  return p;
}

bool wait_link(const rs::Port& p, bool up, std::chrono::milliseconds limit = 4000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (p.link().up == up) return true;
    std::this_thread::sleep_for(5ms);
  }
  return p.link().up == up;
}

bool has_event(const rs::EventQueue& q, const std::string& text) {
  for (const rs::Event& e : q.history())
    if (const std::string* m = e.value("message"); m && m->find(text) != std::string::npos) return true;
  return false;
}

bool wait_event(const rs::EventQueue& q, const std::string& text, std::chrono::milliseconds limit = 4000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (has_event(q, text)) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

std::string info_of(const rs::Port& p, const std::string& key) {
  for (const auto& [k, v] : p.info())
    if (k == key) return v;
  return "";
}

// Frame i of a stream: length and bytes both depend on i.
std::vector<uint8_t> frame(uint32_t i, uint32_t len) {
  std::vector<uint8_t> f(len);
  for (uint32_t b = 0; b < len; b++) f[b] = static_cast<uint8_t>(i * 31 + b * 7 + (b >> 8));
  return f;
}

// Sends count frames from tx (queue q) and checks that rx (queue q) gets
// each one, in order, byte for byte. Returns the number received intact.
uint32_t pass_frames(rs::Port& tx, rs::Port& rx, rs::Mempool& pool, uint16_t q, uint32_t count, uint32_t len_base) {
  uint32_t sent = 0, got = 0, intact = 0;
  auto end = std::chrono::steady_clock::now() + 5s;
  while (got < count && std::chrono::steady_clock::now() < end) {
    while (sent < count) {
      rs::Mbuf* m = pool.alloc();
      if (!m) break;
      auto f = frame(sent, len_base + sent % 300);
      std::memcpy(m->data(), f.data(), f.size());
      m->data_len = static_cast<uint16_t>(f.size());
      if (tx.tx_burst(q, &m, 1) != 1) {
        rs::mbuf_free_bulk(&m, 1);
        break;
      }
      sent++;
    }
    rs::Mbuf* in[32];
    uint16_t n = rx.rx_burst(q, in, 32);
    for (uint16_t k = 0; k < n; k++, got++) {
      auto f = frame(got, len_base + got % 300);
      if (in[k]->data_len == f.size() && std::memcmp(in[k]->data(), f.data(), f.size()) == 0) intact++;
    }
    rs::mbuf_free_bulk(in, n);
  }
  return intact;
}

TEST(memif_codec_round_trip_and_refusals) {
  using namespace rs::memif;
  Message m;
  m.type = MsgType::AddRing;
  m.flags = kAddRingC2S;
  m.index = 3;
  m.region = 1;
  m.offset = 4096;
  m.log2_ring_size = 10;
  WireMsg w = encode(m);
  Message d;
  CHECK_EQ(decode(&w, sizeof w, &d), std::string(""));
  CHECK(d.type == MsgType::AddRing && d.index == 3 && d.region == 1 && d.offset == 4096 && d.log2_ring_size == 10);
  CHECK(!decode(&w, 127, &d).empty());  // short
  w.type = 42;
  CHECK(decode(&w, sizeof w, &d).find("unknown control message type 42") != std::string::npos);
  m.log2_ring_size = 20;
  w = encode(m);
  CHECK(decode(&w, sizeof w, &d).find("2^20") != std::string::npos);
  Message r;
  r.type = MsgType::AddRegion;
  r.size = uint64_t(1) << 40;
  w = encode(r);
  CHECK(decode(&w, sizeof w, &d).find("bytes (allowed") != std::string::npos);
  Message h;
  h.type = MsgType::Hello;
  h.name = "DPDK 22.11.11";
  h.min_version = h.max_version = kVersion;
  w = encode(h);
  CHECK_EQ(decode(&w, sizeof w, &d), std::string(""));
  CHECK_EQ(d.name, std::string("DPDK 22.11.11"));
}

TEST(memif_devargs_defaults_and_refusals) {
  rs::Mempool pool("t", 256);
  auto code = [&](const std::string& a, std::string* msg = nullptr) {
    try {
      make(0, a, &pool);
    } catch (const rs::Error& e) {
      if (msg) *msg = e.what();
      return std::string(e.code());
    }
    return std::string();
  };
  std::string msg;
  CHECK_EQ(code("net_memif0,zero-copy=yes", &msg), std::string("EDEVARGS"));
  CHECK(msg.find("zero-copy=yes is not supported") != std::string::npos);
  CHECK_EQ(code("net_memif0,role=boss"), std::string("EDEVARGS"));
  CHECK_EQ(code("net_memif0,rsize=15"), std::string("EDEVARGS"));
  CHECK_EQ(code("net_memif0,bsize=0"), std::string("EDEVARGS"));
  CHECK_EQ(code("net_memif0,socket=/nonexistent-dir/m.sock,socket-abstract=no", &msg), std::string("EDEVARGS"));
  CHECK(msg.find("socket directory /nonexistent-dir does not exist") != std::string::npos);
  // procfs refuses new files even to root: a directory that is not writable.
  CHECK_EQ(code("net_memif0,socket=/proc/self/m.sock,socket-abstract=no", &msg), std::string("EDEVARGS"));
  CHECK(msg.find("socket directory /proc/self is not writable") != std::string::npos);
  CHECK_EQ(code("net_memif0,secret=0123456789012345678901234"), std::string("EDEVARGS"));
  auto p = make(0, "net_memif0", &pool);  // DPDK's defaults: client, /run/memif.sock, abstract
  CHECK_EQ(info_of(*p, "memif role"), std::string("client"));
  CHECK_EQ(info_of(*p, "memif socket"), std::string("@/run/memif.sock (abstract)"));
}

TEST(memif_ringside_to_ringside_both_ways_chained) {
  rs::Mempool pool("t", 4096);
  rs::EventQueue ev;
  std::string sock = unique_socket("pair");
  auto srv = make(0, "net_memif0,role=server,id=5,bsize=512,rsize=8,socket=" + sock, &pool, &ev);
  auto cli = make(1, "net_memif1,role=client,id=5,bsize=512,rsize=8,socket=" + sock, &pool, &ev);
  srv->configure(2, 2);
  cli->configure(2, 2);
  srv->start();
  cli->start();
  CHECK(wait_link(*srv, true));
  CHECK(wait_link(*cli, true));
  // 600..899-byte frames over 512-byte buffers: every one chained.
  CHECK_EQ(pass_frames(*cli, *srv, pool, 0, 2000, 600), 2000u);
  CHECK_EQ(pass_frames(*srv, *cli, pool, 1, 2000, 600), 2000u);
  CHECK_EQ(pass_frames(*srv, *cli, pool, 0, 500, 60), 500u);
  CHECK(info_of(*srv, "memif peer").find("'ringside' interface 'net_memif1', memif 2.0, role client") != std::string::npos);
  CHECK(info_of(*srv, "memif rings").find("2 c2s x 2^8 descriptors, 2 s2c x 2^8 descriptors") != std::string::npos);
  rs::QueueInfo qi = srv->queue_info(rs::Dir::Rx, 0);
  CHECK(qi.kind.find("C2S") != std::string::npos);
  CHECK(qi.rings.size() == 1 && qi.rings[0].size == 256);
  // S2C descriptors the client handed over: listed with region and offset.
  auto descs = cli->queue_ring(rs::Dir::Rx, 0, 4);
  CHECK_EQ(descs.size(), size_t(4));
  if (!descs.empty()) CHECK_EQ(descs[0].fields[0].first, std::string("region"));
  CHECK(has_event(ev, "connected to 'ringside' interface 'net_memif1'"));
  cli->stop();
  srv->stop();
}

TEST(memif_several_interfaces_on_one_socket_by_id) {
  rs::Mempool pool("t", 2048);
  std::string sock = unique_socket("ids");
  auto s1 = make(0, "net_memif0,role=server,id=1,socket=" + sock, &pool);
  auto s2 = make(1, "net_memif1,role=server,id=2,socket=" + sock, &pool);
  auto c2 = make(2, "net_memif2,role=client,id=2,socket=" + sock, &pool);
  auto c1 = make(3, "net_memif3,role=client,id=1,socket=" + sock, &pool);
  for (auto* p : {s1.get(), s2.get(), c2.get(), c1.get()}) p->start();
  CHECK(wait_link(*c1, true) && wait_link(*c2, true));
  CHECK_EQ(pass_frames(*c1, *s1, pool, 0, 300, 100), 300u);
  CHECK_EQ(pass_frames(*c2, *s2, pool, 0, 300, 100), 300u);
  CHECK_EQ(s1->stats().rx_packets, uint64_t(300));
  CHECK_EQ(s2->stats().rx_packets, uint64_t(300));
  // A second server with the same id on the same socket is refused.
  auto dup = make(4, "net_memif4,role=server,id=1,socket=" + sock, &pool);
  CHECK_THROWS_CODE(dup->start(), "EMEMIF");
  for (auto* p : {c1.get(), c2.get(), s1.get(), s2.get()}) p->stop();
}

TEST(memif_wrong_id_and_secret_refused_with_reason) {
  rs::Mempool pool("t", 1024);
  rs::EventQueue ev;
  std::string sock = unique_socket("secret");
  auto srv = make(0, "net_memif0,role=server,id=1,secret=sesame,socket=" + sock, &pool, &ev);
  auto bad_id = make(1, "net_memif1,role=client,id=9,secret=sesame,socket=" + sock, &pool, &ev);
  auto bad_secret = make(2, "net_memif2,role=client,id=1,secret=wrong,socket=" + sock, &pool, &ev);
  srv->start();
  bad_id->start();
  bad_secret->start();
  CHECK(wait_event(ev, "ID not found"));
  CHECK(wait_event(ev, "Incorrect secret"));
  CHECK(!srv->link().up && !bad_id->link().up && !bad_secret->link().up);
  bad_secret->stop();
  auto good = make(3, "net_memif3,role=client,id=1,secret=sesame,socket=" + sock, &pool, &ev);
  good->start();
  CHECK(wait_link(*good, true));
  good->stop();
  bad_id->stop();
  srv->stop();
}

TEST(memif_server_gone_and_back_client_reconnects_counters_kept) {
  rs::Mempool pool("t", 2048);
  rs::EventQueue ev;
  std::string sock = unique_socket("back");
  auto srv = make(0, "net_memif0,role=server,socket=" + sock, &pool, &ev);
  auto cli = make(1, "net_memif1,role=client,socket=" + sock, &pool, &ev);
  srv->start();
  cli->start();
  CHECK(wait_link(*cli, true));
  CHECK_EQ(pass_frames(*cli, *srv, pool, 0, 100, 64), 100u);
  srv->stop();
  CHECK(wait_link(*cli, false));
  CHECK(wait_event(ev, "disconnected: peer disconnected: Device stopped"));
  CHECK_EQ(cli->stats().tx_packets, uint64_t(100));  // kept across the disconnect
  rs::Mbuf* m = pool.alloc();
  m->data_len = 60;
  CHECK_EQ(cli->tx_burst(0, &m, 1), uint16_t(0));  // link down: nothing sent, nothing touched
  rs::mbuf_free_bulk(&m, 1);
  srv->start();
  CHECK(wait_link(*cli, true, 5000ms));
  CHECK_EQ(pass_frames(*cli, *srv, pool, 0, 100, 64), 100u);
  CHECK_EQ(cli->stats().tx_packets, uint64_t(200));
  cli->stop();
  srv->stop();
}

// A client written with the protocol core directly, so the test can break
// what a real one would not.
struct RogueClient {
  int fd = -1;
  std::unique_ptr<rs::memif::Session> session;
  std::string error;
  ~RogueClient() {
    if (fd >= 0) close(fd);
  }
  bool send(const rs::memif::Outgoing& o) { return rs::memif::send_message(fd, o); }
  bool open(const std::string& sock) {
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path + 1, sock.data(), sock.size());
    if (connect(fd, reinterpret_cast<sockaddr*>(&sun), static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + sock.size())) < 0)
      return false;
    timeval tv{3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return true;
  }
  // Claims interface id 0 with an init, then says nothing more.
  bool init_and_stall(const std::string& sock) {
    rs::memif::WireMsg hello;
    if (!open(sock) || recv(fd, &hello, sizeof hello, 0) != sizeof hello) return false;
    rs::memif::Message init;
    init.type = rs::memif::MsgType::Init;
    init.version = rs::memif::kVersion;
    return send(rs::memif::Outgoing{rs::memif::encode(init), -1});
  }
  // Runs the handshake; tamper may rewrite each outgoing message.
  bool connect_to(const std::string& sock, std::function<void(rs::memif::WireMsg&)> tamper = nullptr) {
    if (!open(sock)) return false;
    rs::memif::IfConfig cfg;
    cfg.app_name = "rogue";
    cfg.if_name = "rogue0";
    auto ch = rs::memif::Channel::client(cfg);
    for (;;) {
      rs::memif::WireMsg w;
      ssize_t n = recv(fd, &w, sizeof w, 0);
      if (n <= 0) return false;
      rs::memif::Message m;
      if (!rs::memif::decode(&w, static_cast<size_t>(n), &m).empty()) return false;
      auto step = ch.on_message(m, -1);
      for (auto& o : step.send) {
        if (tamper) tamper(o.msg);
        if (!send(o)) return false;
      }
      if (step.closed) {
        error = step.error;
        return false;
      }
      if (step.connected) {
        session = ch.take_session();
        return true;
      }
    }
  }
};

TEST(memif_rogue_descriptor_outside_region_faults_cleanly) {
  rs::Mempool pool("t", 1024);
  rs::EventQueue ev;
  std::string sock = unique_socket("rogue");
  auto srv = make(0, "net_memif0,role=server,socket=" + sock, &pool, &ev);
  srv->start();
  RogueClient rogue;
  CHECK(rogue.connect_to(sock));
  CHECK(wait_link(*srv, true));
  if (!rogue.session) return;
  auto& ring = *rogue.session->c2s[0];
  // One good packet, then one whose offset points far past the region.
  ring.desc[0].length = 60;
  ring.desc[0].flags = 0;
  ring.desc[1].length = 60;
  ring.desc[1].offset = 0xfffffff0u;
  ring.desc[1].flags = 0;
  __atomic_store_n(&ring.hdr->head, 2, __ATOMIC_RELEASE);
  rs::Mbuf* in[8];
  uint16_t n = srv->rx_burst(0, in, 8);
  rs::mbuf_free_bulk(in, n);
  CHECK_EQ(n, uint16_t(1));
  CHECK(wait_link(*srv, false));
  CHECK(wait_event(ev, "points outside its region (region 0 offset 4294967280 length 60)"));
  CHECK_EQ(srv->stats().rx_packets, uint64_t(1));
  // The rogue is told why.
  rs::memif::WireMsg w;
  ssize_t got = recv(rogue.fd, &w, sizeof w, 0);
  rs::memif::Message m;
  CHECK(got == sizeof w && rs::memif::decode(&w, sizeof w, &m).empty() && m.type == rs::memif::MsgType::Disconnect);
  CHECK(m.name.find("outside its region") != std::string::npos);
  srv->stop();
}

TEST(memif_stalled_handshake_is_dropped_and_frees_the_interface) {
  rs::Mempool pool("t", 1024);
  rs::EventQueue ev;
  std::string sock = unique_socket("stall");
  auto srv = make(0, "net_memif0,role=server,socket=" + sock, &pool, &ev);
  srv->start();
  RogueClient rogue;
  CHECK(rogue.init_and_stall(sock));
  auto cli = make(1, "net_memif1,role=client,socket=" + sock, &pool, &ev);
  cli->start();
  CHECK(wait_event(ev, "Already connected"));
  CHECK(wait_event(ev, "stalled in the handshake", 20000ms));  // kHandshakeLimit, 15 s
  CHECK(wait_link(*cli, true, 4000ms));
  cli->stop();
  srv->stop();
}

TEST(memif_absurd_region_and_ring_sizes_refused) {
  rs::Mempool pool("t", 1024);
  rs::EventQueue ev;
  std::string sock = unique_socket("absurd");
  auto srv = make(0, "net_memif0,role=server,socket=" + sock, &pool, &ev);
  srv->start();
  {
    RogueClient rogue;  // announces a region 1 GiB larger than its memfd
    CHECK(!rogue.connect_to(sock, [](rs::memif::WireMsg& w) {
      if (w.type == uint16_t(rs::memif::MsgType::AddRegion)) w.add_region.size += uint64_t(1) << 30;
    }));
    CHECK(wait_event(ev, "the peer announced"));
  }
  {
    RogueClient rogue;  // a ring of 2^14 descriptors in a region made for 2^10
    CHECK(!rogue.connect_to(sock, [](rs::memif::WireMsg& w) {
      if (w.type == uint16_t(rs::memif::MsgType::AddRing) && w.add_ring.index == 0 && (w.add_ring.flags & 1))
        w.add_ring.offset = 4220000;
    }));
    CHECK(wait_event(ev, "runs past the end of region 0"));
  }
  {
    RogueClient rogue;  // a ring size beyond the protocol's limit
    CHECK(!rogue.connect_to(sock, [](rs::memif::WireMsg& w) {
      if (w.type == uint16_t(rs::memif::MsgType::AddRing)) w.add_ring.log2_ring_size = 31;
    }));
    CHECK(wait_event(ev, "2^31"));
  }
  CHECK(!srv->link().up);
  srv->stop();
}

}  // namespace
