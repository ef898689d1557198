// Kernel-facing ports (net_tap, net_af_packet) and the netdev helpers.
//
// Everything that touches interfaces runs in a fork()ed child that first
// unshares a fresh network namespace (netns_fork.h): the TAPs and veth pairs
// made here are invisible to the host and vanish with the child, even if it
// crashes. Needs root; without it these tests print why they skip, except
// under CI=true, where a missing capability fails the test instead.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>
#include "drivers/drivers.h"
#include "engine.h"
#include "error.h"
#include "harness.h"
#include "mempool.h"
#include "netdev.h"
#include "netns_fork.h"
#include "port.h"

namespace {

constexpr uint16_t kMarkerType = 0x88B5;  // IEEE local experimental EtherType: our test frames

using rsnet::in_netns;
using rsnet::sh;

std::unique_ptr<rs::Port> make(uint16_t id, const std::string& devargs, rs::Mempool* pool) {
  rs::DevArgs a = rs::DevArgs::parse(devargs);
  const rs::DriverInfo* d = rs::find_driver(a.driver);
  if (!d) throw rs::Error("EDRIVER", "no driver for " + devargs);
  return d->create(id, a, pool);
}

using Frame = std::vector<uint8_t>;

// An Ethernet frame of EtherType kMarkerType carrying `seq`, padded to len.
Frame marker_frame(uint32_t seq, size_t len = 60) {
  Frame f(len, 0);
  std::memset(f.data(), 0xff, 6);  // broadcast: every receiver takes it
  const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0xaa};
  std::memcpy(f.data() + 6, src, 6);
  f[12] = kMarkerType >> 8;
  f[13] = kMarkerType & 0xff;
  uint32_t s = htonl(seq);
  std::memcpy(f.data() + 14, &s, 4);
  return f;
}

bool is_marker(const uint8_t* p, size_t len, uint32_t* seq) {
  if (len < 18 || p[12] != (kMarkerType >> 8) || p[13] != (kMarkerType & 0xff)) return false;
  uint32_t s;
  std::memcpy(&s, p + 14, 4);
  *seq = ntohl(s);
  return true;
}

uint16_t ip_checksum(const uint8_t* p, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// IPv4/UDP 10.1.0.1:sport -> 10.1.0.2:9, payload carries seq.
Frame udp_frame(uint16_t sport, uint32_t seq) {
  Frame f(14 + 20 + 8 + 18, 0);
  std::memset(f.data(), 0xff, 6);
  const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0xbb};
  std::memcpy(f.data() + 6, src, 6);
  f[12] = 0x08;
  uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  uint16_t tot = htons(static_cast<uint16_t>(f.size() - 14));
  std::memcpy(ip + 2, &tot, 2);
  ip[8] = 64;
  ip[9] = 17;
  const uint8_t sa[4] = {10, 1, 0, 1}, da[4] = {10, 1, 0, 2};
  std::memcpy(ip + 12, sa, 4);
  std::memcpy(ip + 16, da, 4);
  uint16_t c = htons(ip_checksum(ip, 20));
  std::memcpy(ip + 10, &c, 2);
  uint8_t* udp = ip + 20;
  uint16_t sp = htons(sport), dp = htons(9), ul = htons(static_cast<uint16_t>(8 + 18));
  std::memcpy(udp, &sp, 2);
  std::memcpy(udp + 2, &dp, 2);
  std::memcpy(udp + 4, &ul, 2);
  uint32_t s = htonl(seq);
  std::memcpy(udp + 8, &s, 4);
  return f;
}

// A plain AF_PACKET socket on one interface: the kernel side of a test.
struct Raw {
  int fd = -1;
  int ifindex = 0;
  explicit Raw(const std::string& ifname) {
    fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    ifindex = static_cast<int>(::if_nametoindex(ifname.c_str()));
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) {
      std::fprintf(stderr, "    raw socket on %s: %s\n", ifname.c_str(), std::strerror(errno));
      rstest::failures()++;
    }
    timeval tv{0, 50 * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Raw() { if (fd >= 0) ::close(fd); }
  bool send(const Frame& f) { return ::send(fd, f.data(), f.size(), 0) == static_cast<ssize_t>(f.size()); }
  // Incoming marker frames (not our own outgoing ones) until `want` or timeout.
  std::vector<uint32_t> recv_markers(size_t want, int timeout_ms) {
    std::vector<uint32_t> seqs;
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    uint8_t buf[4096];
    while (seqs.size() < want && std::chrono::steady_clock::now() < end) {
      sockaddr_ll from{};
      socklen_t fl = sizeof from;
      ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING || from.sll_ifindex != ifindex) continue;
      uint32_t seq;
      if (is_marker(buf, static_cast<size_t>(n), &seq)) seqs.push_back(seq);
    }
    return seqs;
  }
};

struct Got {
  std::vector<Frame> frames;
  std::vector<uint16_t> queues;
};

// Polls rx queue q of the port, keeping frames accepted by `keep`, until
// `want` are kept or the timeout passes. Frees every mbuf.
Got poll_rx(rs::Port& p, uint16_t q, size_t want, int timeout_ms,
            const std::function<bool(const uint8_t*, size_t)>& keep) {
  Got g;
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  rs::Mbuf* b[32];
  while (g.frames.size() < want && std::chrono::steady_clock::now() < end) {
    uint16_t n = p.rx_burst(q, b, 32);
    for (uint16_t i = 0; i < n; i++) {
      if (keep(b[i]->data(), b[i]->data_len)) {
        g.frames.emplace_back(b[i]->data(), b[i]->data() + b[i]->data_len);
        g.queues.push_back(b[i]->queue);
        CHECK(b[i]->timestamp != 0);
        CHECK_EQ(b[i]->port, p.id());
      }
    }
    rs::mbuf_free_bulk(b, n);
    if (n == 0) ::usleep(200);
  }
  return g;
}

bool any_marker(const uint8_t* p, size_t len) {
  uint32_t s;
  return is_marker(p, len, &s);
}

// Sends `frames` through port tx queue q as mbufs; returns how many it took.
uint16_t port_send(rs::Port& p, rs::Mempool& pool, uint16_t q, const std::vector<Frame>& frames) {
  std::vector<rs::Mbuf*> v(frames.size());
  if (pool.alloc_bulk(v.data(), static_cast<uint32_t>(v.size())) != v.size()) return 0;
  for (size_t i = 0; i < frames.size(); i++) {
    std::memcpy(v[i]->data(), frames[i].data(), frames[i].size());
    v[i]->data_len = static_cast<uint16_t>(frames[i].size());
  }
  uint16_t sent = p.tx_burst(q, v.data(), static_cast<uint16_t>(v.size()));
  if (sent < v.size()) rs::mbuf_free_bulk(v.data() + sent, static_cast<uint32_t>(v.size() - sent));
  return sent;
}

}  // namespace

// ---------------------------------------------------------------- no root needed

TEST(kernel_ports_registered_and_bad_devargs) {
  CHECK(rs::find_driver("net_tap") != nullptr);
  CHECK(rs::find_driver("net_af_packet") != nullptr);
  rs::Mempool pool("kp-args", 256);
  auto code = [&](const std::string& devargs) {
    try {
      make(0, devargs, &pool);
    } catch (const rs::Error& e) {
      return e.code();
    }
    return std::string("(created)");
  };
  // A name no namespace has: refused before anything is opened, so no root needed.
  CHECK_EQ(code("net_af_packet0,iface=rs-nonexist9"), std::string("ENODEV_IFACE"));
  CHECK_EQ(code("net_af_packet0"), std::string("EDEVARGS"));  // iface= is required
  CHECK_EQ(code("net_af_packet0,iface=a/b"), std::string("EDEVARGS"));
  CHECK_EQ(code("net_af_packet0,iface=lo,qpairs=0"), std::string("EDEVARGS"));
  CHECK_EQ(code("net_af_packet0,iface=lo,qpairs=17"), std::string("EDEVARGS"));
  CHECK_EQ(code("net_af_packet0,iface=lo,blocksz=5000"), std::string("EDEVARGS"));
  CHECK_EQ(code("net_af_packet0,iface=lo,framesz=1000"), std::string("EDEVARGS"));  // not a multiple of 16
  CHECK_EQ(code("net_af_packet0,iface=lo,framecnt=3"), std::string("EDEVARGS"));    // not whole blocks
  CHECK_EQ(code("net_af_packet0,iface=lo,bogus=1"), std::string("EDEVARGS"));
  CHECK_EQ(code("net_tap0,iface=0123456789abcdef"), std::string("EDEVARGS"));  // 16 chars: too long
  CHECK_EQ(code("net_tap0,mac=01:00:00:00:00:01"), std::string("EDEVARGS"));   // multicast
  CHECK_EQ(code("net_tap0,mac=zz"), std::string("EDEVARGS"));
  CHECK_THROWS_CODE(rs::netdev::if_index("rs-nonexist9"), "ENODEV_IFACE");
  CHECK_THROWS_CODE(rs::netdev::facts("rs-nonexist9"), "ENODEV_IFACE");
  CHECK(!rs::netdev::exists("rs-nonexist9"));
  std::string msg;
  try {
    rs::netdev::mtu("rs-nonexist9");
  } catch (const rs::Error& e) {
    msg = e.what();
  }
  CHECK(msg.find("ip link") != std::string::npos);  // says how to list interfaces
}

TEST(kernel_ports_bad_iface_leaves_no_port) {
  rs::EngineOptions o;
  o.total_num_mbufs = 1024;
  rs::Engine e(o);
  CHECK_THROWS_CODE(e.attach("net_af_packet0,iface=rs-nonexist9"), "ENODEV_IFACE");
  CHECK(e.port_ids().empty());
}

TEST(netdev_facts_of_loopback) {
  // Read-only facts of this namespace's lo: no root, nothing changed.
  rs::netdev::LinkFacts f = rs::netdev::facts("lo");
  CHECK(f.index > 0);
  CHECK_EQ(f.name, std::string("lo"));
  CHECK(f.mtu >= 1500);
  CHECK(f.max_mtu >= f.mtu);
  CHECK(f.rx_queues >= 1 && f.tx_queues >= 1);
  CHECK_EQ(rs::netdev::mtu("lo"), f.mtu);
  CHECK_EQ(rs::netdev::if_index("lo"), f.index);
}

// ---------------------------------------------------------------- in a namespace

TEST(tap_create_mtu_mac_and_removal) {
  in_netns("tap_create_mtu_mac_and_removal", [] {
    rs::Mempool pool("kp-tap", 1024);
    CHECK_EQ(::if_nametoindex("rstap0"), 0u);
    auto p = make(3, "net_tap3,iface=rstap0,mac=02:11:22:33:44:55", &pool);
    unsigned idx = ::if_nametoindex("rstap0");
    CHECK(idx > 0);  // created, visible to the kernel
    CHECK_EQ(p->if_index(), static_cast<int>(idx));
    CHECK_EQ(p->if_name(), std::string("rstap0"));
    CHECK_EQ(rs::mac_to_string(p->mac()), std::string("02:11:22:33:44:55"));
    CHECK_EQ(rs::netdev::facts("rstap0").kind, std::string("tun"));
    p->configure(1, 1);
    p->start();
    CHECK(rs::netdev::is_up("rstap0"));
    CHECK(p->link().up);  // carrier: our fd is attached

    // Port -> kernel.
    p->set_mtu(1400);
    CHECK_EQ(rs::netdev::mtu("rstap0"), 1400u);
    sh("ip link show rstap0 | grep -q 'mtu 1400'");
    CHECK_THROWS_CODE(p->set_mtu(60000), "EMTU_RANGE");  // beyond the mbuf room
    // Kernel -> port: read back at the next start.
    sh("ip link set rstap0 mtu 1300 && ip link set rstap0 address 02:aa:bb:cc:dd:ee");
    p->stop();
    p->start();
    CHECK_EQ(p->mtu(), 1300u);
    CHECK_EQ(rs::mac_to_string(p->mac()), std::string("02:AA:BB:CC:DD:EE"));
    bool saw_kernel_mtu = false;
    for (auto& [k, v] : p->info()) saw_kernel_mtu = saw_kernel_mtu || (k == "kernel MTU" && v.find("1300") == 0);
    CHECK(saw_kernel_mtu);

    // link down/up through the port is the interface's IFF_UP.
    p->set_link(false);
    CHECK(!rs::netdev::is_up("rstap0"));
    p->set_link(true);
    CHECK(rs::netdev::is_up("rstap0"));

    // More queues: one fd per queue on the multi-queue device.
    p->stop();
    p->configure(4, 4);
    p->start();
    p->stop();
    p->configure(1, 1);

    p->close();
    CHECK_EQ(::if_nametoindex("rstap0"), 0u);  // we created it: gone at close
    CHECK_EQ(pool.in_use(), 0u);

    // A TAP that existed before is used and left in place.
    sh("ip tuntap add dev rstap1 mode tap");
    auto q = make(1, "net_tap1,iface=rstap1", &pool);
    q->start();
    q->close();
    CHECK(::if_nametoindex("rstap1") > 0);
    // A name that is not a TAP is refused.
    sh("ip link add rsdummy0 type veth peer name rsdummy1");
    CHECK_THROWS_CODE(make(2, "net_tap2,iface=rsdummy0", &pool), "EDEVARGS");
    // Default name rs_tap<port id>.
    auto d = make(7, "net_tap7", &pool);
    CHECK(::if_nametoindex("rs_tap7") > 0);
    d->close();
    CHECK_EQ(::if_nametoindex("rs_tap7"), 0u);
  });
}

TEST(tap_packets_both_ways) {
  in_netns("tap_packets_both_ways", [] {
    rs::Mempool pool("kp-tap-io", 1024);
    auto p = make(0, "net_tap0,iface=rstap0", &pool);
    p->configure(1, 1);
    p->start();
    Raw k("rstap0");  // the kernel's side of the TAP

    // Kernel -> port: a frame sent on the TAP interface is read from the TAP fd.
    for (uint32_t i = 0; i < 20; i++) CHECK(k.send(marker_frame(i, 60 + i)));
    Got g = poll_rx(*p, 0, 20, 2000, any_marker);
    CHECK_EQ(g.frames.size(), 20u);
    for (size_t i = 0; i < g.frames.size(); i++) CHECK(g.frames[i] == marker_frame(static_cast<uint32_t>(i), 60 + i));
    rs::PortStats s = p->stats();
    CHECK(s.rx_packets >= 20);
    CHECK(s.rx_bytes >= 20 * 60);

    // Port -> kernel: tx writes arrive on the interface.
    std::vector<Frame> out;
    for (uint32_t i = 0; i < 32; i++) out.push_back(marker_frame(100 + i));
    CHECK_EQ(port_send(*p, pool, 0, out), 32);
    std::vector<uint32_t> seqs = k.recv_markers(32, 2000);
    CHECK_EQ(seqs.size(), 32u);
    for (size_t i = 0; i < seqs.size(); i++) CHECK_EQ(seqs[i], 100 + i);
    s = p->stats();
    CHECK_EQ(s.tx_packets, 32u);
    CHECK_EQ(s.tx_bytes, 32u * 60);
    CHECK_EQ(s.tx_errors, 0u);

    // The kernel's own traffic: an IPv4 address on the TAP and a UDP datagram
    // to a neighbour makes the kernel ARP for it, out through the port's rx.
    sh("ip addr add 10.7.0.1/24 dev rstap0");
    int u = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    ::inet_pton(AF_INET, "10.7.0.2", &to.sin_addr);
    ::sendto(u, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    ::close(u);
    Got arp = poll_rx(*p, 0, 1, 3000, [](const uint8_t* d, size_t n) { return n >= 42 && d[12] == 0x08 && d[13] == 0x06; });
    CHECK_EQ(arp.frames.size(), 1u);
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
  });
}

TEST(af_packet_veth_rx_tx_vlan) {
  in_netns("af_packet_veth_rx_tx_vlan", [] {
    sh("ip link add va type veth peer name vb && ip link set va up && ip link set vb up");
    rs::Mempool pool("kp-afp", 2048);
    auto p = make(0, "net_af_packet0,iface=vb", &pool);
    CHECK_EQ(p->if_index(), static_cast<int>(::if_nametoindex("vb")));
    CHECK(p->mac() == rs::netdev::mac("vb"));
    p->configure(1, 1);
    p->start();
    CHECK(p->link().up);
    Raw peer("va");

    // Peer -> port rx.
    for (uint32_t i = 0; i < 200; i++) CHECK(peer.send(marker_frame(i, 60 + (i % 64))));
    Got g = poll_rx(*p, 0, 200, 2000, any_marker);
    CHECK_EQ(g.frames.size(), 200u);
    bool in_order = true;
    for (size_t i = 0; i < g.frames.size(); i++)
      in_order = in_order && g.frames[i] == marker_frame(static_cast<uint32_t>(i), 60 + (i % 64));
    CHECK(in_order);

    // A VLAN-tagged frame: the kernel strips the tag into metadata; the port
    // puts it back, so the frame arrives as sent.
    Frame tagged = marker_frame(7, 64);
    const uint8_t tag[4] = {0x81, 0x00, 0x20, 0x2a};  // PCP 1, VID 42
    tagged.insert(tagged.begin() + 12, tag, tag + 4);
    CHECK(peer.send(tagged));
    Got t = poll_rx(*p, 0, 1, 2000, [](const uint8_t* d, size_t n) { return n > 16 && d[12] == 0x81 && d[13] == 0x00; });
    CHECK_EQ(t.frames.size(), 1u);
    if (!t.frames.empty()) CHECK(t.frames[0] == tagged);

    // Port tx: one burst of 64 frames, one kick, all at the peer.
    std::vector<Frame> out;
    for (uint32_t i = 0; i < 64; i++) out.push_back(marker_frame(1000 + i));
    CHECK_EQ(port_send(*p, pool, 0, out), 64);
    std::vector<uint32_t> seqs = peer.recv_markers(64, 2000);
    CHECK_EQ(seqs.size(), 64u);
    for (size_t i = 0; i < seqs.size(); i++) CHECK_EQ(seqs[i], 1000 + i);
    // An oversize frame is dropped and counted, not sent.
    CHECK_EQ(port_send(*p, pool, 0, {marker_frame(5000, 1800)}), 1);
    rs::PortStats s = p->stats();
    CHECK_EQ(s.tx_packets, 65u);
    CHECK_EQ(s.tx_errors, 1u);
    CHECK(s.rx_bytes >= 200u * 60);

    // MTU follows the interface, both ways.
    p->set_mtu(1280);
    CHECK_EQ(rs::netdev::mtu("vb"), 1280u);
    sh("ip link set vb mtu 1400");
    p->stop();
    p->start();
    CHECK_EQ(p->mtu(), 1400u);
    // Promiscuous: a membership per socket, dropped when the port stops.
    CHECK_EQ(rs::netdev::facts("vb").promiscuity, 1u);
    p->set_promiscuous(false);
    CHECK_EQ(rs::netdev::facts("vb").promiscuity, 0u);
    p->set_promiscuous(true);
    p->stop();
    CHECK_EQ(rs::netdev::facts("vb").promiscuity, 0u);
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
    CHECK(::if_nametoindex("vb") > 0);  // an interface we did not create stays
  });
}

TEST(af_packet_fanout_spreads_flows) {
  in_netns("af_packet_fanout_spreads_flows", [] {
    sh("ip link add va type veth peer name vb && ip link set va up && ip link set vb up");
    rs::Mempool pool("kp-fanout", 2048);
    auto p = make(0, "net_af_packet0,iface=vb,qpairs=2,blocksz=65536,framecnt=256", &pool);
    CHECK_EQ(p->max_rx_queues(), 2);
    CHECK_THROWS_CODE(p->configure(3, 3), "EQUEUE_RANGE");
    p->configure(2, 2);
    p->start();
    bool fanout_info = false;
    for (auto& [k, v] : p->info()) fanout_info = fanout_info || k == "fanout";
    CHECK(fanout_info);
    Raw peer("va");
    constexpr uint16_t kFlows = 64;
    for (uint32_t round = 0; round < 2; round++)
      for (uint16_t f = 0; f < kFlows; f++) CHECK(peer.send(udp_frame(static_cast<uint16_t>(1000 + f), round)));
    auto is_ours = [](const uint8_t* d, size_t n) { return n >= 42 && d[12] == 0x08 && d[23] == 17 && d[33] == 2; };
    std::map<uint16_t, std::set<uint16_t>> flow_queues;  // source port -> queues seen
    size_t per_q[2] = {0, 0};
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (per_q[0] + per_q[1] < 2u * kFlows && std::chrono::steady_clock::now() < end) {
      for (uint16_t q = 0; q < 2; q++) {
        Got g = poll_rx(*p, q, 2u * kFlows, 5, is_ours);
        for (size_t i = 0; i < g.frames.size(); i++) {
          CHECK_EQ(g.queues[i], q);
          flow_queues[static_cast<uint16_t>(g.frames[i][34] << 8 | g.frames[i][35])].insert(q);
          per_q[q]++;
        }
      }
    }
    CHECK_EQ(per_q[0] + per_q[1], 2u * kFlows);
    CHECK(per_q[0] > 0);
    CHECK(per_q[1] > 0);  // 64 flows on one queue of two: 2^-63 if hashing works
    bool sticky = flow_queues.size() == kFlows;
    for (auto& [f, qs] : flow_queues) sticky = sticky && qs.size() == 1;
    CHECK(sticky);  // each flow stays on one queue
    std::printf("     fanout: %zu / %zu packets on rx queues 0 / 1\n", per_q[0], per_q[1]);

    // Tx on the second queue pair's socket.
    std::vector<Frame> out;
    for (uint32_t i = 0; i < 16; i++) out.push_back(marker_frame(i));
    CHECK_EQ(port_send(*p, pool, 1, out), 16);
    CHECK_EQ(peer.recv_markers(16, 2000).size(), 16u);
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
  });
}

TEST(af_packet_tx_ring_full_and_rx_missed) {
  in_netns("af_packet_tx_ring_full_and_rx_missed", [] {
    sh("ip link add va type veth peer name vb && ip link set va up && ip link set vb up");
    rs::Mempool pool("kp-small", 2048);
    // The smallest rings: 2 blocks of one page each for rx, 4 frames for tx.
    auto p = make(0, "net_af_packet0,iface=vb,blocksz=4096,framesz=2048,framecnt=4", &pool);
    p->start();
    // Tx: only free frames are used; the rest stay with the caller.
    std::vector<Frame> out;
    for (uint32_t i = 0; i < 32; i++) out.push_back(marker_frame(i));
    uint16_t sent = port_send(*p, pool, 0, out);
    CHECK(sent >= 4 && sent <= 32);
    // Rx: flood more than the ring holds without polling; the kernel drops,
    // and stop counts the drops and what was left in the ring as missed.
    Raw peer("va");
    for (uint32_t i = 0; i < 500; i++) peer.send(marker_frame(i, 1000));
    ::usleep(20 * 1000);
    p->stop();
    rs::PortStats s = p->stats();
    CHECK(s.rx_missed > 0);
    CHECK(s.rx_missed <= 500 + 64);  // + whatever else the kernel sent on vb
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
  });
}

// A veth ringside did not create keeps what it had: the MTU and MAC the port
// changed (`port config mtu`, a KNI request, `mac_addr set`) are put back
// when the port closes; one it left alone stays as the user set it since.
TEST(af_packet_puts_back_mtu_and_mac_of_borrowed_interface) {
  in_netns("af_packet_puts_back_mtu_and_mac_of_borrowed_interface", [] {
    sh("ip link add va type veth peer name vb && ip link set va up && ip link set vb up");
    rs::MacAddr mac0 = rs::netdev::mac("vb");
    rs::Mempool pool("kp-borrow", 2048);
    auto p = make(0, "net_af_packet0,iface=vb", &pool);
    p->configure(1, 1);
    p->start();
    p->set_mtu(1450);
    rs::MacAddr other{0x02, 0x00, 0x00, 0x00, 0x00, 0x42};
    p->set_mac(other);
    CHECK_EQ(rs::netdev::mtu("vb"), 1450u);
    CHECK(rs::netdev::mac("vb") == other);
    p->close();
    CHECK_EQ(rs::netdev::mtu("vb"), 1500u);
    CHECK(rs::netdev::mac("vb") == mac0);
  });
}

// rxd/txd per queue on TPACKET rings: frames of framesz, rounded up to whole
// blocks; a ring above 256 MiB is refused with EINVAL_ARG; the resized tx
// ring sends until it is full, then takes no more.
TEST(af_packet_ring_sizes_per_queue) {
  in_netns("af_packet_ring_sizes_per_queue", [] {
    sh("ip link add va type veth peer name vb && ip link set va up && ip link set vb up");
    rs::Mempool pool("kp-desc", 2048);
    auto p = make(0, "net_af_packet0,iface=vb,blocksz=4096,framesz=2048", &pool);  // 2 frames a block
    p->stop();
    CHECK_THROWS_CODE(p->set_nb_desc(rs::Dir::Rx, 0, 200000), "EINVAL_ARG");  // 390 MiB
    p->set_nb_desc(rs::Dir::Rx, 0, 7);  // 4 blocks
    p->set_nb_desc(rs::Dir::Tx, 0, 5);  // 6 frames
    p->start();
    CHECK_EQ(p->queue_info(rs::Dir::Rx, 0).rings.at(0).size, 4u);
    CHECK(p->queue_info(rs::Dir::Rx, 0).kind.find("8 frames of 2048 B in 4 blocks") != std::string::npos);
    CHECK_EQ(p->queue_info(rs::Dir::Tx, 0).rings.at(0).size, 6u);
    std::vector<Frame> out;
    for (uint32_t i = 0; i < 10; i++) out.push_back(marker_frame(i));
    CHECK_EQ(port_send(*p, pool, 0, out), 6);  // one burst fills the 6 frames; the kick comes after it
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
  });
}
