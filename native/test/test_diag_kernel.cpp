// Descriptor dumps of kernel-shared rings, inside a fresh network namespace
// (netns_fork.h) with a veth pair da <-> db: frames sent into da arrive at a
// port on db and wait, unpolled, in its rings, where `show port N rxq 0
// info|ring` must show them. Root only (skips with the reason otherwise,
// fails under CI=true).
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstring>
#include <memory>
#include <string>
#include <vector>
#include <thread>
#include <chrono>
#include "harness.h"
#include "mempool.h"
#include "netns_fork.h"
#include "port.h"

namespace {

constexpr uint32_t kFrames = 5;
constexpr uint32_t kFrameLen = 60;

std::unique_ptr<rs::Port> make_port(const std::string& devargs, rs::Mempool* pool) {
  rs::DevArgs a = rs::DevArgs::parse(devargs);
  return rs::find_driver(a.driver)->create(0, a, pool);
}

void veth_pair() {
  // No IPv6 chatter on the new links: only our frames reach the rings.
  rsnet::sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
  rsnet::sh("ip link add da type veth peer name db && ip link set da up && ip link set db up");
}

// `count` broadcast frames of an experimental ethertype (no stack answers)
// sent into da with a raw packet socket.
void send_frames(uint32_t count = kFrames) {
  int fd = ::socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  sockaddr_ll sa{};
  sa.sll_family = AF_PACKET;
  sa.sll_ifindex = static_cast<int>(::if_nametoindex("da"));
  sa.sll_halen = 6;
  std::memset(sa.sll_addr, 0xff, 6);
  for (uint32_t i = 0; i < count; i++) {
    uint8_t f[kFrameLen] = {};
    std::memset(f, 0xff, 6);
    f[6] = 0x02;
    f[12] = 0x88;
    f[13] = 0xb5;
    f[14] = static_cast<uint8_t>(i);
    CHECK(::sendto(fd, f, sizeof f, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == static_cast<ssize_t>(sizeof f));
  }
  ::close(fd);
}

std::string field(const rs::Descriptor& d, const std::string& key) {
  for (const auto& [k, v] : d.fields)
    if (k == key) return v;
  return "(none)";
}

uint16_t drain_rx(rs::Port& p) {
  rs::Mbuf* m[32];
  uint16_t total = 0;
  rsnet::wait_for([&] {
    uint16_t n = p.rx_burst(0, m, 32);
    rs::mbuf_free_bulk(m, n);
    total = static_cast<uint16_t>(total + n);
    return total >= kFrames;
  });
  return total;
}

}  // namespace

TEST(diag_tpacket_blocks_show_waiting_packets) {
  rsnet::in_netns("diag_tpacket_blocks_show_waiting_packets", [] {
    veth_pair();
    rs::Mempool pool("diag-afp", 1024);
    auto p = make_port("net_af_packet0,iface=db", &pool);
    p->start();
    send_frames();
    // The kernel hands a block over when its 1 ms retire timer fires.
    auto waiting = [&] {
      uint32_t pkts = 0;
      for (const rs::Descriptor& d : p->queue_ring(rs::Dir::Rx, 0, 64))
        if (field(d, "status") == "user") pkts += static_cast<uint32_t>(std::stoul(field(d, "num_pkts")));
      return pkts;
    };
    CHECK(rsnet::wait_for([&] { return waiting() >= kFrames; }));
    CHECK_EQ(waiting(), kFrames);
    rs::QueueInfo qi = p->queue_info(rs::Dir::Rx, 0);
    CHECK_EQ(qi.rings.size(), 1u);
    CHECK_EQ(qi.rings[0].name, std::string("blocks"));
    CHECK_EQ(qi.rings[0].size, 16u);  // 4 MiB of 256 KiB blocks
    CHECK(qi.rings[0].occupancy >= 1);
    std::vector<rs::Descriptor> ds = p->queue_ring(rs::Dir::Rx, 0, 1);
    CHECK_EQ(ds.size(), 1u);
    if (!ds.empty()) {
      CHECK_EQ(ds[0].index, qi.rings[0].consumer);
      CHECK_EQ(field(ds[0], "status"), std::string("user"));
      CHECK(field(ds[0], "offset_to_first_pkt") != "0");
    }
    CHECK_EQ(drain_rx(*p), kFrames);
    CHECK_EQ(p->queue_info(rs::Dir::Rx, 0).rings[0].occupancy, 0u);
    rs::QueueInfo tx = p->queue_info(rs::Dir::Tx, 0);
    CHECK_EQ(tx.rings.size(), 1u);
    if (!tx.rings.empty()) CHECK_EQ(tx.rings[0].name, std::string("frames"));
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
  });
}

TEST(diag_tpacket_high_water_counts_blocks_held) {
  rsnet::in_netns("diag_tpacket_high_water_counts_blocks_held", [] {
    veth_pair();
    rs::Mempool pool("diag-afp-hw", 1024);
    auto p = make_port("net_af_packet0,iface=db", &pool);
    p->start();
    // Three batches far enough apart (the block retire timer is 1 ms) to
    // fill at least three blocks that wait for us (a batch may straddle two).
    auto user_blocks = [&] { return p->queue_info(rs::Dir::Rx, 0).rings[0].occupancy; };
    for (uint32_t b = 1; b <= 3; b++) {
      send_frames(20);
      CHECK(rsnet::wait_for([&] { return user_blocks() >= b; }));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the last block retired too
    uint32_t held = user_blocks();
    CHECK(held >= 3);
    // Sixteen polls that take nothing: the last one samples the ring.
    rs::Mbuf* rest[64];
    for (int i = 0; i < 16; i++) CHECK_EQ(p->rx_burst(0, rest, 0), 0);
    uint16_t n = 0;
    CHECK(rsnet::wait_for([&] {
      uint16_t got = p->rx_burst(0, rest, 64);
      rs::mbuf_free_bulk(rest, got);
      n = static_cast<uint16_t>(n + got);
      return n >= 60;
    }));
    CHECK_EQ(n, 60);
    rs::RingState s = p->queue_info(rs::Dir::Rx, 0).rings[0];
    CHECK_EQ(s.occupancy, 0u);
    CHECK(s.tracks_high_water && s.high_water_sampled);
    CHECK_EQ(s.high_water, held);
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
  });
}

TEST(diag_af_xdp_rx_and_fill_descriptors) {
  rsnet::in_netns("diag_af_xdp_rx_and_fill_descriptors", [] {
    veth_pair();
    rs::Mempool pool("diag-xdp", 2048);
    auto p = make_port("net_af_xdp0,iface=db", &pool);
    p->start();
    rs::QueueInfo before = p->queue_info(rs::Dir::Rx, 0);
    CHECK_EQ(before.rings.size(), 2u);
    if (before.rings.size() != 2) return;
    CHECK_EQ(before.rings[0].name, std::string("rx"));
    CHECK_EQ(before.rings[1].name, std::string("fill"));
    CHECK_EQ(before.rings[0].occupancy, 0u);
    send_frames();
    CHECK(rsnet::wait_for([&] { return p->queue_info(rs::Dir::Rx, 0).rings[0].occupancy >= kFrames; }));
    rs::QueueInfo qi = p->queue_info(rs::Dir::Rx, 0);
    CHECK_EQ(qi.rings[0].occupancy, kFrames);
    CHECK_EQ(qi.rings[0].producer - qi.rings[0].consumer, kFrames);
    std::vector<rs::Descriptor> ds = p->queue_ring(rs::Dir::Rx, 0, 8);
    uint32_t rx = 0, fill = 0;
    for (const rs::Descriptor& d : ds) {
      if (d.ring == "rx") {
        CHECK_EQ(d.index, qi.rings[0].consumer + rx);
        CHECK_EQ(field(d, "len"), std::to_string(kFrameLen));
        CHECK_EQ(field(d, "options"), std::string("0x0"));
        rx++;
      } else if (d.ring == "fill") {
        CHECK_EQ(std::stoull(field(d, "addr"), nullptr, 16) % 2048, 0u);  // frame starts
        fill++;
      }
    }
    CHECK_EQ(rx, kFrames);
    CHECK_EQ(fill, std::min<uint32_t>(8, qi.rings[1].occupancy));
    CHECK_EQ(drain_rx(*p), kFrames);
    rs::QueueInfo after = p->queue_info(rs::Dir::Rx, 0);
    CHECK_EQ(after.rings[0].occupancy, 0u);
    CHECK(after.rings[0].high_water >= kFrames);
    rs::QueueInfo tx = p->queue_info(rs::Dir::Tx, 0);
    CHECK_EQ(tx.rings.size(), 2u);
    if (tx.rings.size() == 2) CHECK_EQ(tx.rings[1].name, std::string("completion"));
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
  });
}
