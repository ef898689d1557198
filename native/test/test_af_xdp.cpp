// net_af_xdp against the real kernel. Each kernel test runs in a fork()ed
// child that unshares a new network namespace and creates a veth pair xa/xb
// there, so the namespace, the interfaces and anything attached to them
// vanish with the child; the parent only relays the child's verdict. Traffic
// only ever flows inside that namespace.
//
// Needs root (CAP_SYS_ADMIN for the namespace, CAP_NET_ADMIN/CAP_BPF for
// AF_XDP). Without it the kernel tests print why they skip, except under
// CI=true, where skipping is a failure.
#include <arpa/inet.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include "error.h"
#include "harness.h"
#include "mbuf_frame.h"
#include "mempool.h"
#include "netdev.h"
#include "netns_fork.h"
#include "port.h"
#include "xdp/bpf_prog.h"

namespace {

constexpr uint16_t kEtherType = 0x88B5;  // IEEE local experimental: no stack answers it

std::unique_ptr<rs::Port> make(const std::string& devargs, rs::Mempool* pool) {
  rs::DevArgs a = rs::DevArgs::parse(devargs);
  const rs::DriverInfo* d = rs::find_driver(a.driver);
  if (!d) throw rs::Error("EDRIVER", "no driver for " + devargs);
  return d->create(0, a, pool);
}

std::string info_value(const rs::Port& p, const std::string& key) {
  for (const auto& [k, v] : p.info())
    if (k == key) return v;
  return "";
}

void print_info(const rs::Port& p) {
  for (const auto& [k, v] : p.info()) std::fprintf(stderr, "      %s: %s\n", k.c_str(), v.c_str());
}

using rsnet::sh;

std::string sh_out(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  ::pclose(f);
  return out;
}

void write_file(const char* path, const char* text) {
  if (FILE* f = std::fopen(path, "w")) {
    std::fputs(text, f);
    std::fclose(f);
  }
}

// Runs body in a child inside a fresh network namespace (netns_fork.h)
// holding the veth pair xa <-> xb with `queues` rx and tx queues on each
// side, both up.
void in_veth_ns(const char* test, int queues, const std::function<void()>& body) {
  rsnet::in_netns(test, [&] {
    // No IPv6 autoconfiguration chatter on the new links.
    write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
    write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    std::string q = " numrxqueues " + std::to_string(queues) + " numtxqueues " + std::to_string(queues);
    if (!sh("ip link add xa" + q + " type veth peer name xb" + q) || !sh("ip link set xa up") || !sh("ip link set xb up"))
      return;
    try {
      body();
    } catch (const rs::Error& e) {
      std::fprintf(stderr, "    uncaught rs::Error %s: %s\n", e.code().c_str(), e.what());
      rstest::failures()++;
    }
  });
}

// ------------------------------------------------------------ packet sockets

struct PacketSock {
  int fd = -1;
  explicit PacketSock(const char* ifname, bool qdisc_bypass = false) {
    fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd < 0) return;
    if (qdisc_bypass) {
      // Straight to the driver: the tx queue is then the sending CPU modulo
      // the queue count (no XPS on veth), which lets a test choose it.
      int one = 1;
      ::setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    }
    sockaddr_ll sa{};
    sa.sll_family = AF_PACKET;
    sa.sll_protocol = htons(ETH_P_ALL);
    sa.sll_ifindex = static_cast<int>(if_nametoindex(ifname));
    ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  }
  ~PacketSock() { if (fd >= 0) ::close(fd); }
};

// Frame: broadcast dst, src 02:..:0b, ethertype kEtherType, then seq (u32)
// and tag (u8), zero padding to `size`.
std::vector<uint8_t> frame(uint32_t seq, uint8_t tag, size_t size = 60) {
  std::vector<uint8_t> f(size, 0);
  std::memset(f.data(), 0xff, 6);
  const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x0b};
  std::memcpy(f.data() + 6, src, 6);
  f[12] = kEtherType >> 8;
  f[13] = kEtherType & 0xff;
  std::memcpy(f.data() + 14, &seq, 4);
  f[18] = tag;
  for (size_t i = 19; i < size; i++) f[i] = static_cast<uint8_t>(i);
  return f;
}

bool ours(const uint8_t* p, size_t len) {
  return len >= 19 && p[12] == (kEtherType >> 8) && p[13] == (kEtherType & 0xff);
}
uint32_t seq_of(const uint8_t* p) { uint32_t s; std::memcpy(&s, p + 14, 4); return s; }

void send_frames(PacketSock& s, uint32_t first, uint32_t n, uint8_t tag, size_t size = 60) {
  for (uint32_t i = 0; i < n; i++) {
    auto f = frame(first + i, tag, size);
    if (::send(s.fd, f.data(), f.size(), 0) != static_cast<ssize_t>(f.size())) {
      std::fprintf(stderr, "    packet send: %s\n", std::strerror(errno));
      rstest::failures()++;
      return;
    }
  }
}

// Our frames the socket receives (not its own outgoing ones) until `want`
// arrived or `ms` passed.
std::vector<std::vector<uint8_t>> recv_frames(PacketSock& s, size_t want, int ms) {
  std::vector<std::vector<uint8_t>> got;
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (got.size() < want) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count());
    if (left <= 0) break;
    pollfd p{s.fd, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) continue;
    uint8_t buf[4096];
    sockaddr_ll from{};
    socklen_t fl = sizeof from;
    ssize_t n = ::recvfrom(s.fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING || !ours(buf, static_cast<size_t>(n))) continue;
    got.emplace_back(buf, buf + n);
  }
  return got;
}

// Our frames the port receives on queue q until `want` arrived or `ms` passed.
std::vector<std::vector<uint8_t>> port_rx(rs::Port& p, uint16_t q, size_t want, int ms,
                                          uint64_t* stamped = nullptr) {
  std::vector<std::vector<uint8_t>> got;
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  rs::Mbuf* b[32];
  while (got.size() < want && std::chrono::steady_clock::now() < end) {
    uint16_t n = p.rx_burst(q, b, 32);
    for (uint16_t i = 0; i < n; i++) {
      if (ours(b[i]->data(), b[i]->data_len)) got.emplace_back(b[i]->data(), b[i]->data() + b[i]->data_len);
      if (stamped && b[i]->timestamp) (*stamped)++;
    }
    rs::mbuf_free_bulk(b, n);
    if (!n) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return got;
}

bool xdp_attached(const char* ifname) {
  return rs::xdp::query_xdp(static_cast<int>(if_nametoindex(ifname)), ifname).attached != XDP_ATTACHED_NONE;
}

// `ip link show` is what a user would look at.
bool ip_shows_xdp(const char* ifname) {
  std::string out = sh_out(std::string("ip link show ") + ifname);
  return out.find("xdp") != std::string::npos && out.find("prog/xdp") != std::string::npos;
}

}  // namespace

// ------------------------------------------------------------ no privileges needed

TEST(af_xdp_program_instructions) {
  auto v = rs::xdp::redirect_insns(7, 1, 2);
  CHECK_EQ(v.size(), 10u);
  if (v.size() != 10) return;
  CHECK_EQ(int(v[0].code), int(BPF_LDX | BPF_MEM | BPF_W));
  CHECK_EQ(int(v[0].off), int(offsetof(xdp_md, rx_queue_index)));
  CHECK_EQ(v[1].imm, 1);  // below start_queue: pass
  CHECK_EQ(v[2].imm, 3);  // at or past start_queue+queue_count: pass
  // Both jumps land on the "pass" block (insn 8).
  CHECK_EQ(1 + 1 + v[1].off, 8);
  CHECK_EQ(2 + 1 + v[2].off, 8);
  CHECK_EQ(int(v[3].src_reg), int(BPF_PSEUDO_MAP_FD));
  CHECK_EQ(v[3].imm, 7);
  CHECK_EQ(v[5].imm, int(XDP_PASS));  // redirect_map's fallback action
  CHECK_EQ(v[6].imm, int(BPF_FUNC_redirect_map));
  CHECK_EQ(v[9].code, uint8_t(BPF_JMP | BPF_EXIT));
}

TEST(af_xdp_devargs_errors) {
  rs::Mempool pool("x", 64);
  CHECK_THROWS_CODE(make("net_af_xdp0", &pool), "EDEVARGS");
  CHECK_THROWS_CODE(make("net_af_xdp0,iface=lo,queue_count=0", &pool), "EDEVARGS");
  CHECK_THROWS_CODE(make("net_af_xdp0,iface=lo,queues=2", &pool), "EDEVARGS");
  CHECK_THROWS_CODE(make("net_af_xdp0,iface=rsnosuch0", &pool), "ENODEV_IFACE");
  CHECK(rs::find_driver("net_af_xdp") != nullptr);
}

// ------------------------------------------------------------ kernel tests

TEST(af_xdp_program_loads) {
  in_veth_ns("af_xdp_program_loads", 2, [] {
    rs::xdp::Fd map = rs::xdp::create_xskmap(2);
    try {
      rs::xdp::Fd prog = rs::xdp::load_redirect_prog(map.get(), 1, 1);
      CHECK(prog.get() >= 0);
      CHECK(rs::xdp::prog_id(prog.get()) > 0);
      CHECK_EQ(rs::xdp::prog_name_by_id(rs::xdp::prog_id(prog.get())), std::string(rs::xdp::kProgName));
    } catch (const rs::Error& e) {
      // The message carries the verifier log.
      std::fprintf(stderr, "    program load failed: %s: %s\n", e.code().c_str(), e.what());
      rstest::failures()++;
    }
  });
}

TEST(af_xdp_rx_copy_mode) {
  in_veth_ns("af_xdp_rx_copy_mode", 1, [] {
    rs::Mempool pool("x", 2048);
    auto p = make("net_af_xdp0,iface=xa", &pool);
    p->start();
    std::string mode = info_value(*p, "bind mode");
    CHECK_EQ(mode, std::string("copy (zero-copy not supported by veth)"));
    CHECK_EQ(info_value(*p, "queues bound").substr(0, 1), std::string("0"));
    CHECK(xdp_attached("xa"));
    CHECK(ip_shows_xdp("xa"));
    PacketSock xb("xb");
    send_frames(xb, 0, 64, 0, 60);
    send_frames(xb, 64, 8, 0, 1514);
    uint64_t stamped = 0;
    auto got = port_rx(*p, 0, 72, 3000, &stamped);
    CHECK_EQ(got.size(), 72u);
    CHECK(stamped >= 72);
    size_t bad = 0;
    for (size_t i = 0; i < got.size(); i++) {
      auto want = frame(static_cast<uint32_t>(i), 0, i < 64 ? 60 : 1514);
      if (got[i] != want) bad++;
    }
    CHECK_EQ(bad, 0u);
    rs::PortStats s = p->stats();
    CHECK(s.rx_packets >= 72);
    CHECK(s.rx_bytes >= 64u * 60 + 8u * 1514);
    if (got.size() != 72) print_info(*p);
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
    CHECK(!xdp_attached("xa"));
    CHECK(!ip_shows_xdp("xa"));
  });
}

TEST(af_xdp_tx_burst) {
  in_veth_ns("af_xdp_tx_burst", 1, [] {
    rs::Mempool pool("x", 2048);
    auto p = make("net_af_xdp0,iface=xa", &pool);
    p->start();
    PacketSock xb("xb");
    // 3 bursts of 64: more than one copy-mode batch per kick.
    uint32_t sent = 0;
    for (int b = 0; b < 3; b++) {
      rs::Mbuf* m[64];
      CHECK_EQ(pool.alloc_bulk(m, 64), 64u);
      for (uint32_t i = 0; i < 64; i++) {
        auto f = frame(sent + i, 1, 60 + i);
        cls_test::put_frame(m[i], f);
      }
      uint16_t n = p->tx_burst(0, m, 64);
      rs::mbuf_free_bulk(m + n, 64 - n);
      sent += n;
    }
    CHECK_EQ(sent, 192u);
    auto got = recv_frames(xb, sent, 3000);
    CHECK_EQ(got.size(), size_t(sent));
    size_t bad = 0;
    for (size_t i = 0; i < got.size(); i++)
      if (got[i] != frame(seq_of(got[i].data()), 1, 60 + seq_of(got[i].data()) % 64)) bad++;
    CHECK_EQ(bad, 0u);
    rs::PortStats s = p->stats();
    CHECK_EQ(s.tx_packets, 192u);
    // Completed frames come back: many more bursts than the 1024 tx frames.
    uint32_t more = 0;
    for (int b = 0; b < 100; b++) {
      rs::Mbuf* m[32];
      if (pool.alloc_bulk(m, 32) != 32) break;
      for (auto* x : m) {
        auto f = frame(100000 + more, 2);
        std::memcpy(x->data(), f.data(), f.size());
        x->data_len = 60;
      }
      uint16_t n = p->tx_burst(0, m, 32);
      rs::mbuf_free_bulk(m + n, 32 - n);
      more += n;
      if (n < 32) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(more > 1024);
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
    CHECK(!xdp_attached("xa"));
  });
}

TEST(af_xdp_queue_split) {
  in_veth_ns("af_xdp_queue_split", 2, [] {
    rs::Mempool pool("x", 2048);
    auto p = make("net_af_xdp0,iface=xa,start_queue=1,queue_count=1", &pool);
    p->start();
    CHECK_EQ(info_value(*p, "queues kept by the kernel"), std::string("0"));
    CHECK_EQ(info_value(*p, "queues redirected"), std::string("1"));
    int ifindex = static_cast<int>(if_nametoindex("xa"));
    rs::xdp::XdpState st = rs::xdp::query_xdp(ifindex, "xa");
    CHECK(st.prog_id > 0);
    CHECK_EQ(rs::xdp::prog_name_by_id(st.prog_id), std::string(rs::xdp::kProgName));
    CHECK(info_value(*p, "xdp program").find("id " + std::to_string(st.prog_id)) == 0);

    if (std::thread::hardware_concurrency() < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
      std::fprintf(stderr, "    (one CPU: cannot choose the veth queue, traffic part skipped)\n");
      p->close();
      return;
    }
    // xb's tx queue = sending CPU % 2 becomes xa's rx queue: tag frames with
    // the CPU. The kernel (a packet socket on xa) must see queue 0's, the
    // port queue 1's.
    PacketSock on_xa("xa");
    PacketSock xb("xb", true);
    for (int cpu = 0; cpu < 2; cpu++) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      CHECK_EQ(::sched_setaffinity(0, sizeof set, &set), 0);
      send_frames(xb, static_cast<uint32_t>(cpu) * 1000, 20, static_cast<uint8_t>(cpu));
    }
    auto port_got = port_rx(*p, 0, 20, 2000);
    auto kernel_got = recv_frames(on_xa, 20, 2000);
    size_t port_q1 = 0, kernel_q0 = 0;
    for (auto& f : port_got) port_q1 += f[18] == 1;
    for (auto& f : kernel_got) kernel_q0 += f[18] == 0;
    CHECK_EQ(port_got.size(), 20u);
    CHECK_EQ(port_q1, 20u);
    CHECK_EQ(kernel_got.size(), 20u);
    CHECK_EQ(kernel_q0, 20u);
    // Stopped: the socket leaves the map and queue 1 goes back to the kernel
    // too (the program stays, sockets stay bound).
    p->stop();
    CHECK_EQ(info_value(*p, "queues kept by the kernel"), std::string("0-1"));
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(1, &set);
    ::sched_setaffinity(0, sizeof set, &set);
    send_frames(xb, 5000, 10, 1);
    CHECK_EQ(recv_frames(on_xa, 10, 2000).size(), 10u);
    p->close();
    CHECK(!xdp_attached("xa"));
    CHECK(!ip_shows_xdp("xa"));
  });
}

TEST(af_xdp_queue_range) {
  in_veth_ns("af_xdp_queue_range", 2, [] {
    rs::Mempool pool("x", 64);
    std::string msg;
    try {
      make("net_af_xdp0,iface=xa,start_queue=1,queue_count=2", &pool);
    } catch (const rs::Error& e) {
      CHECK_EQ(e.code(), std::string("EQUEUE_RANGE"));
      msg = e.what();
    }
    CHECK(msg.find("xa has 2 queues: start_queue+queue_count must be <= 2") != std::string::npos);
    CHECK_THROWS_CODE(make("net_af_xdp0,iface=xa,start_queue=2", &pool), "EQUEUE_RANGE");
    CHECK_THROWS_CODE(make("net_af_xdp0,iface=nosuch", &pool), "ENODEV_IFACE");
    // Two queues: both bound, both redirected once the port has 2 rx queues.
    auto p = make("net_af_xdp0,iface=xa,queue_count=2", &pool);
    p->configure(2, 2);
    p->start();
    CHECK_EQ(info_value(*p, "queues kept by the kernel"), std::string("none"));
    p->close();
    CHECK(!xdp_attached("xa"));
  });
}

// A ringside that crashed while on the netlink fallback leaves its program
// attached: the next start removes it and says so.
TEST(af_xdp_stale_program_removed) {
  in_veth_ns("af_xdp_stale_program_removed", 1, [] {
    int ifindex = static_cast<int>(if_nametoindex("xa"));
    {
      rs::xdp::Fd map = rs::xdp::create_xskmap(1);
      rs::xdp::Fd prog = rs::xdp::load_redirect_prog(map.get(), 0, 1);
      std::string msg;
      CHECK_EQ(rs::xdp::netlink_set_xdp(ifindex, prog.get(), XDP_FLAGS_DRV_MODE, &msg), 0);
    }  // fds closed, as by a crash: the program stays attached
    CHECK(xdp_attached("xa"));
    rs::Mempool pool("x", 2048);
    auto p = make("net_af_xdp0,iface=xa", &pool);
    p->start();
    std::string note = info_value(*p, "stale xdp");
    CHECK(note.find("removed stale XDP program") == 0);
    CHECK(info_value(*p, "xdp program").find("bpf_link") != std::string::npos);
    PacketSock xb("xb");
    send_frames(xb, 0, 8, 0);
    CHECK_EQ(port_rx(*p, 0, 8, 2000).size(), 8u);
    p->close();
    CHECK(!xdp_attached("xa"));
  });
}

// Reopening a queue right after closing it meets EBUSY for a while: the
// driver retries instead of failing.
TEST(af_xdp_rebind_after_close) {
  in_veth_ns("af_xdp_rebind_after_close", 1, [] {
    rs::Mempool pool("x", 2048);
    for (int round = 0; round < 3; round++) {
      auto t0 = std::chrono::steady_clock::now();
      auto p = make("net_af_xdp0,iface=xa", &pool);
      p->start();
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
      std::string retries = info_value(*p, "bind retries");
      std::fprintf(stderr, "      round %d: bound in %lld ms, EBUSY retries: %s\n", round, static_cast<long long>(ms),
                   retries.empty() ? "0" : retries.c_str());
      CHECK(p->started());
      p->close();
    }
    CHECK(!xdp_attached("xa"));
  });
}

// A queue held by someone else: EBUSY_QUEUE after the retries, and nothing
// left attached.
TEST(af_xdp_busy_queue_cleans_up) {
  in_veth_ns("af_xdp_busy_queue_cleans_up", 1, [] {
    // A bare AF_XDP socket bound to xa queue 0 in copy mode.
    int fd = ::socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    CHECK(fd >= 0);
    size_t len = 64 * 4096;
    void* mem = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    xdp_umem_reg reg{};
    reg.addr = reinterpret_cast<uintptr_t>(mem);
    reg.len = len;
    reg.chunk_size = 4096;
    CHECK_EQ(::setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof reg), 0);
    uint32_t sz = 64;
    ::setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &sz, sizeof sz);
    ::setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &sz, sizeof sz);
    ::setsockopt(fd, SOL_XDP, XDP_RX_RING, &sz, sizeof sz);
    sockaddr_xdp sa{};
    sa.sxdp_family = AF_XDP;
    sa.sxdp_flags = XDP_COPY;
    sa.sxdp_ifindex = if_nametoindex("xa");
    sa.sxdp_queue_id = 0;
    CHECK_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);

    rs::Mempool pool("x", 256);
    auto p = make("net_af_xdp0,iface=xa", &pool);
    auto t0 = std::chrono::steady_clock::now();
    std::string msg;
    CHECK_THROWS_CODE(p->start(), "EBUSY_QUEUE");
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    CHECK(ms >= 1500 && ms < 5000);
    CHECK(!p->started());
    CHECK(!xdp_attached("xa"));
    CHECK(info_value(*p, "bind mode") == "not bound");
    p->close();
    ::close(fd);
    ::munmap(mem, len);
  });
}

// Without the capabilities: EPERM_NETADMIN up front.
TEST(af_xdp_no_capabilities) {
  in_veth_ns("af_xdp_no_capabilities", 1, [] {
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2]{};
    CHECK_EQ(::syscall(SYS_capset, &h, d), 0);  // drop every effective, permitted, inheritable capability
    rs::Mempool pool("x", 64);
    std::string msg;
    try {
      make("net_af_xdp0,iface=xa", &pool);
    } catch (const rs::Error& e) {
      CHECK_EQ(e.code(), std::string("EPERM_NETADMIN"));
      msg = e.what();
    }
    CHECK(msg.find("CAP_NET_ADMIN") != std::string::npos);
  });
}

// The netlink fallback (used on kernels without XDP links) attaches in
// driver mode on veth and is removed when the Attachment goes away.
TEST(af_xdp_netlink_fallback_detaches) {
  in_veth_ns("af_xdp_netlink_fallback_detaches", 1, [] {
    int ifindex = static_cast<int>(if_nametoindex("xa"));
    rs::xdp::Fd map = rs::xdp::create_xskmap(1);
    rs::xdp::Fd prog = rs::xdp::load_redirect_prog(map.get(), 0, 1);
    {
      auto at = rs::xdp::Attachment::attach_netlink(prog.get(), ifindex, "xa", "test");
      CHECK(at.how() == rs::xdp::AttachHow::NetlinkDrv);
      rs::xdp::XdpState st = rs::xdp::query_xdp(ifindex, "xa");
      CHECK_EQ(int(st.attached), int(XDP_ATTACHED_DRV));
      CHECK_EQ(st.prog_id, rs::xdp::prog_id(prog.get()));
      // A second attach meets the first: a clear EXDP_BUSY, not a replace.
      CHECK_THROWS_CODE(rs::xdp::Attachment::attach(prog.get(), ifindex, "xa"), "EXDP_BUSY");
    }
    CHECK(!xdp_attached("xa"));
  });
}

// One XDP program per interface: a second port on the same interface is
// refused with the reason, and the first keeps working.
TEST(af_xdp_second_port_same_iface) {
  in_veth_ns("af_xdp_second_port_same_iface", 2, [] {
    rs::Mempool pool("x", 2048);
    auto a = make("net_af_xdp0,iface=xa,start_queue=0", &pool);
    a->start();
    auto b = make("net_af_xdp1,iface=xa,start_queue=1", &pool);
    std::string msg;
    try {
      b->start();
    } catch (const rs::Error& e) {
      CHECK_EQ(e.code(), std::string("EXDP_BUSY"));
      msg = e.what();
    }
    CHECK(msg.find("another net_af_xdp port") != std::string::npos);
    CHECK(xdp_attached("xa"));
    b->close();
    CHECK(xdp_attached("xa"));  // b's failure did not take a's program away
    a->close();
    CHECK(!xdp_attached("xa"));
  });
}

// The port's MTU is the device's, within what a UMEM frame holds; frames too
// small for a new MTU are rebuilt at the next start.
TEST(af_xdp_mtu_follows_device) {
  in_veth_ns("af_xdp_mtu_follows_device", 1, [] {
    rs::Mempool pool("x", 2048, 9216);
    auto p = make("net_af_xdp0,iface=xa", &pool);
    CHECK_EQ(p->max_mtu(), 4096u - 256 - 18);  // a page less the kernel's headroom and L2 header
    p->start();
    CHECK(info_value(*p, "umem").find("frames of 2048 bytes") != std::string::npos);
    CHECK_THROWS_CODE(p->set_mtu(3000), "EBUSY_STARTED");
    CHECK_EQ(rs::netdev::mtu("xa"), 1500u);
    p->stop();
    p->set_mtu(3000);
    CHECK_EQ(rs::netdev::mtu("xa"), 3000u);
    CHECK(!xdp_attached("xa"));  // torn down: the next start maps larger frames
    p->start();
    CHECK(info_value(*p, "umem").find("frames of 4096 bytes") != std::string::npos);
    sh("ip link set xb mtu 3000");
    PacketSock xb("xb");
    send_frames(xb, 0, 4, 0, 3000);
    CHECK_EQ(port_rx(*p, 0, 4, 3000).size(), 4u);
    // Changed from the kernel's side: the port takes it at the next start.
    p->stop();
    sh("ip link set xa mtu 1400");
    p->start();
    CHECK_EQ(p->mtu(), 1400u);
    p->close();
    CHECK(!xdp_attached("xa"));
    CHECK_EQ(pool.in_use(), 0u);
  });
}

// rxd/txd per queue: each socket's rings take its own sizes (powers of two,
// rounded up) and its own share of the UMEM; both queues still receive and
// send; out-of-range sizes are refused with EINVAL_ARG, and a change while
// started with EBUSY_STARTED.
TEST(af_xdp_ring_sizes_per_queue) {
  in_veth_ns("af_xdp_ring_sizes_per_queue", 2, [] {
    rs::Mempool pool("x", 4096);
    auto p = make("net_af_xdp0,iface=xa,queue_count=2", &pool);
    p->configure(2, 2);
    CHECK_THROWS_CODE(p->set_nb_desc(rs::Dir::Rx, 0, 32), "EINVAL_ARG");
    CHECK_THROWS_CODE(p->set_nb_desc(rs::Dir::Tx, rs::Port::kAllQueues, 20000), "EINVAL_ARG");
    p->set_nb_desc(rs::Dir::Rx, 0, 100);  // 128
    p->set_nb_desc(rs::Dir::Tx, 1, 2048);
    p->start();
    auto size = [&](rs::Dir d, uint16_t q, size_t ring) { return p->queue_info(d, q).rings.at(ring).size; };
    CHECK_EQ(size(rs::Dir::Rx, 0, 0), 128u);     // rx
    CHECK_EQ(size(rs::Dir::Rx, 0, 1), 128u);     // fill
    CHECK_EQ(size(rs::Dir::Tx, 0, 0), 1024u);    // the default
    CHECK_EQ(size(rs::Dir::Rx, 1, 0), 1024u);
    CHECK_EQ(size(rs::Dir::Tx, 1, 0), 2048u);    // tx
    CHECK_EQ(size(rs::Dir::Tx, 1, 1), 2048u);    // completion
    // 128 + 1024 frames for queue 0, 1024 + 2048 for queue 1.
    CHECK(info_value(*p, "umem").find("4224 frames of 2048 bytes; rings per queue: queue 0 rx 128, tx 1024; "
                                      "queue 1 rx 1024, tx 2048") == 0);
    CHECK_THROWS_CODE(p->set_nb_desc(rs::Dir::Rx, 0, 256), "EBUSY_STARTED");
    // Each queue sends from its own frames.
    PacketSock xb("xb");
    uint32_t sent = 0;
    for (uint16_t q = 0; q < 2; q++) {
      rs::Mbuf* m[32];
      CHECK_EQ(pool.alloc_bulk(m, 32), 32u);
      for (uint32_t i = 0; i < 32; i++) cls_test::put_frame(m[i], frame(q * 100 + i, 3));
      uint16_t n = p->tx_burst(q, m, 32);
      rs::mbuf_free_bulk(m + n, 32 - n);
      sent += n;
    }
    CHECK_EQ(sent, 64u);
    CHECK_EQ(recv_frames(xb, 64, 3000).size(), 64u);
    // Stopped, a new size rebuilds the sockets at the next start.
    p->stop();
    p->set_nb_desc(rs::Dir::Rx, 0, 256);
    p->start();
    CHECK_EQ(size(rs::Dir::Rx, 0, 0), 256u);
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
    CHECK(!xdp_attached("xa"));
  });
}

// The spare tx queue (a replay beside forwarding): with every socket's tx
// side a configured tx queue, tx queue nb_tx is a packet socket's TPACKET
// ring on the same interface; what it sends arrives and is counted in the
// port's totals, and it closes with stop.
TEST(af_xdp_spare_tx_queue) {
  in_veth_ns("af_xdp_spare_tx_queue", 1, [] {
    rs::Mempool pool("x", 2048);
    auto p = make("net_af_xdp0,iface=xa", &pool);
    p->start();
    CHECK(p->has_spare_tx_queue());
    CHECK_EQ(p->spare_tx_queue(), 1u);
    CHECK(info_value(*p, "spare tx queue").find("TPACKET_V3 ring of 256 frames") != std::string::npos);
    PacketSock xb("xb");
    rs::Mbuf* m[40];
    CHECK_EQ(pool.alloc_bulk(m, 40), 40u);
    for (uint32_t i = 0; i < 40; i++) cls_test::put_frame(m[i], frame(i, 4, 60 + i));
    uint16_t n = p->tx_burst(p->spare_tx_queue(), m, 40);
    rs::mbuf_free_bulk(m + n, 40 - n);
    CHECK_EQ(n, 40u);
    auto got = recv_frames(xb, 40, 3000);
    CHECK_EQ(got.size(), 40u);
    size_t bad = 0;
    for (auto& f : got)
      if (f != frame(seq_of(f.data()), 4, 60 + seq_of(f.data()))) bad++;
    CHECK_EQ(bad, 0u);
    CHECK_EQ(p->stats().tx_packets, 40u);
    p->stop();
    CHECK_EQ(info_value(*p, "spare tx queue"), std::string(""));
    p->close();
    CHECK_EQ(pool.in_use(), 0u);
  });
}
