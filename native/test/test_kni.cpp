// KNI over TAP: requests (accept, reject with the interface put back, delay),
// both directions of the data path with counters matching the kernel's, and
// removal at shutdown. Each test runs in its own network namespace.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>
#include "engine.h"
#include "harness.h"
#include "kni/kni.h"
#include "netdev.h"
#include "netns_fork.h"

namespace {

using rsnet::sh;
using rsnet::wait_for;

constexpr uint16_t kMarker = 0x88B5;

bool has_event(rs::Engine& e, const std::string& name, const std::string& key, const std::string& val) {
  for (const auto& ev : e.events().history())
    if (ev.name == name && ev.value(key) && *ev.value(key) == val) return true;
  return false;
}

uint64_t sysfs(const std::string& ifname, const std::string& stat) {
  // /sys/class/net shows the namespace sysfs was mounted in: ask ip instead.
  std::string cmd = "ip -s -j link show " + ifname + " > /tmp/rs-kni-stats.json";
  if (std::system(cmd.c_str()) != 0) return ~0ull;
  std::ifstream f("/tmp/rs-kni-stats.json");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // "rx":{"bytes":N,"packets":N,...},"tx":{...}
  size_t at = s.find("\"" + stat.substr(0, 2) + "\":{");
  if (at == std::string::npos) return ~0ull;
  size_t k = s.find("\"" + stat.substr(3) + "\":", at);
  if (k == std::string::npos) return ~0ull;
  return std::stoull(s.substr(k + stat.substr(3).size() + 3));
}

int packet_socket(const std::string& ifname) {
  int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(kMarker));
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(kMarker);
  sll.sll_ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
  ::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll);
  return fd;
}

void send_frames(int fd, const std::string& ifname, int n) {
  uint8_t f[64] = {};
  std::memset(f, 0xff, 6);  // broadcast
  f[6] = 0x02;
  f[12] = kMarker >> 8;
  f[13] = kMarker & 0xff;
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
  to.sll_halen = 6;
  std::memset(to.sll_addr, 0xff, 6);
  for (int i = 0; i < n; i++) {
    f[20] = static_cast<uint8_t>(i);
    ::sendto(fd, f, sizeof f, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
}

int count_frames(int fd) {
  int n = 0;
  uint8_t buf[2048];
  sockaddr_ll from{};
  socklen_t fl = sizeof from;
  while (::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl) > 0) {
    if (from.sll_pkttype != PACKET_OUTGOING) n++;
    fl = sizeof from;
  }
  return n;
}

}  // namespace

TEST(kni_requests_accept_reject_delay) {
  rsnet::in_netns("kni_requests_accept_reject_delay", [] {
    rs::Engine e;
    uint16_t p = e.attach("net_tap0,iface=rsk0");
    rs::Kni& kni = e.kni();
    kni.create(p);  // vEth0_0
    CHECK(rs::netdev::exists("vEth0_0"));
    CHECK(rs::netdev::mac("vEth0_0") == e.port(p).mac());  // the port's MAC, like DPDK's KNI
    // accept: stop, set, start
    sh("ip link set vEth0_0 up");
    sh("ip link set vEth0_0 mtu 1400");
    CHECK(wait_for([&] { return kni.info(p).pending >= 2; }));
    CHECK(has_event(e, "kni_request", "request", "mtu"));
    CHECK_EQ(kni.process_requests(), -1);
    CHECK_EQ(e.port(p).mtu(), 1400u);
    CHECK(e.port(p).started());
    CHECK(has_event(e, "kni_response", "result", "applied"));
    CHECK_EQ(kni.info(p).stats.requests_handled, 2u);
    // reject: the interface is put back
    kni.set_policy(p, rs::KniPolicy::Reject);
    sh("ip link set vEth0_0 mtu 1300");
    CHECK(wait_for([&] { return kni.info(p).pending == 1; }));
    kni.process_requests();
    CHECK_EQ(rs::netdev::mtu("vEth0_0"), 1400u);
    CHECK_EQ(e.port(p).mtu(), 1400u);
    CHECK(has_event(e, "kni_response", "result", "rejected"));
    CHECK_EQ(kni.info(p).stats.requests_rejected, 1u);
    // the echo of the revert is no new request
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_EQ(kni.info(p).pending, 0u);
    // delay
    kni.set_policy(p, rs::KniPolicy::Delay, 150);
    sh("ip link set vEth0_0 mtu 1450");
    CHECK(wait_for([&] { return kni.info(p).pending == 1; }));
    int ms = kni.process_requests();
    CHECK(ms > 0 && ms <= 150);
    CHECK_EQ(e.port(p).mtu(), 1400u);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms + 5));
    CHECK_EQ(kni.process_requests(), -1);
    CHECK_EQ(e.port(p).mtu(), 1450u);
    // link down: the port stops
    kni.set_policy(p, rs::KniPolicy::Accept);
    sh("ip link set vEth0_0 down");
    CHECK(wait_for([&] { return kni.info(p).pending == 1; }));
    kni.process_requests();
    CHECK(!e.port(p).started());
    e.shutdown();
    CHECK(!rs::netdev::exists("vEth0_0"));  // removed at shutdown
  });
}

// DPDK's KNI applies an MTU request with traffic running; so does ringside:
// the port's streams pause, the MTU is set, they resume. Refused before
// (EBUSY_FORWARDING: cannot stop port 0 while it forwards).
TEST(kni_mtu_request_applied_while_forwarding) {
  rsnet::in_netns("kni_mtu_request_applied_while_forwarding", [] {
    rs::Engine e;
    uint16_t p = e.attach("net_tap0,iface=rsk2");
    e.attach("net_null0");  // paired with the TAP: io forwards null rx -> TAP tx and back
    sh("ip link set rsk2 up");
    rs::Kni& kni = e.kni();
    kni.create(p);
    sh("ip link set vEth0_0 up");
    CHECK(wait_for([&] { return kni.info(p).pending == 1; }));
    kni.process_requests();
    e.start();
    CHECK(wait_for([&] { return e.port(p).stats().tx_packets > 1000; }));
    sh("ip link set vEth0_0 mtu 1400");
    CHECK(wait_for([&] { return kni.info(p).pending == 1; }));
    kni.process_requests();
    CHECK(has_event(e, "kni_response", "while", "forwarding"));
    CHECK_EQ(e.port(p).mtu(), 1400u);
    CHECK_EQ(rs::netdev::mtu("rsk2"), 1400u);
    CHECK_EQ(rs::netdev::mtu("vEth0_0"), 1400u);  // not put back
    CHECK_EQ(kni.info(p).stats.requests_rejected, 0u);
    CHECK(e.forwarding());
    uint64_t before = e.port(p).stats().tx_packets;
    CHECK(wait_for([&] { return e.port(p).stats().tx_packets > before + 1000; }));  // the streams resumed
    auto ss = e.stop();
    uint64_t rx = 0, out = 0;
    for (const auto& s : ss) { rx += s.rx_packets; out += s.tx_packets + s.fwd_dropped; }
    CHECK_EQ(rx, out);  // every packet received was sent or counted as dropped
    rs::MempoolReport r = e.mempool_report();  // only the KNI's TAP read buffer is held
    CHECK_EQ(r.pool.in_use, 1u);
    CHECK(r.holders.size() == 1 && r.holders[0].name == "KNI vEth0_0 TAP read buffer");
    e.shutdown();
  });
}

TEST(kni_ingress_egress_counters_match_kernel) {
  rsnet::in_netns("kni_ingress_egress_counters_match_kernel", [] {
    // No IPv6 chatter (router solicitations, MLD): only our frames move.
    sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
    rs::Engine e;
    uint16_t p = e.attach("net_tap0,iface=rsk1");
    sh("ip link set rsk1 up");
    rs::Kni& kni = e.kni();
    kni.create(p, "rskni1", true);
    sh("ip link set rskni1 up");
    CHECK(wait_for([&] { return kni.info(p).pending == 1; }));
    kni.process_requests();
    int on_kni = packet_socket("rskni1"), on_port = packet_socket("rsk1");
    // Ingress: the kernel sends out of rsk1 -> port 0 rx -> KNI (all) -> rskni1.
    send_frames(on_port, "rsk1", 100);
    CHECK(wait_for([&] { return kni.info(p).stats.rx_packets >= 100; }));
    int got = 0;
    CHECK(wait_for([&] { got += count_frames(on_kni); return got >= 100; }));
    // Egress: the kernel sends out of rskni1 -> KNI -> port 0 tx -> rsk1.
    send_frames(on_kni, "rskni1", 50);
    CHECK(wait_for([&] { return kni.info(p).stats.tx_packets >= 50; }));
    CHECK(wait_for([&] { return e.port(p).stats().tx_packets >= 50; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    rs::KniStats s = kni.info(p).stats;
    CHECK_EQ(s.rx_packets, 100u);
    CHECK_EQ(s.tx_packets, 50u);
    CHECK_EQ(s.rx_dropped + s.tx_dropped, 0u);
    CHECK_EQ(sysfs("rskni1", "rx_packets"), s.rx_packets);
    CHECK_EQ(sysfs("rskni1", "tx_packets"), s.tx_packets);
    // `show mempool` names every mbuf in use: the KNI keeps one to read the
    // TAP into, and anything else sits in a named ring, nothing is loose.
    rs::MempoolReport r = e.mempool_report();
    CHECK(r.holders_known);
    uint32_t named = 0;
    bool read_buffer = false;
    for (const rs::MempoolHolder& h : r.holders) {
      CHECK(h.in_ring);
      named += h.mbufs;
      read_buffer = read_buffer || (h.name == "KNI rskni1 TAP read buffer" && h.mbufs == 1);
    }
    CHECK(read_buffer);
    CHECK_EQ(named, r.pool.in_use);
    ::close(on_kni);
    ::close(on_port);
    std::remove("/tmp/rs-kni-stats.json");
  });
}
