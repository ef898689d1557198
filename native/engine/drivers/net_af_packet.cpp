// net_af_packet, after DPDK's af_packet PMD but with TPACKET_V3 rx rings:
//
//   net_af_packetN,iface=NAME[,qpairs=N][,blocksz=B][,framesz=F][,framecnt=C]
//
// Each queue is two AF_PACKET sockets bound to the interface, one with an rx
// ring, one with a tx ring, each mapped: no system call per packet on rx
// (none at all while packets are waiting), one sendto() kick per tx burst.
//
//  - rx (TPACKET_V3): the kernel fills blocks of B bytes with variable-size
//    packets and hands a block over (TP_STATUS_USER) when it is full or its
//    retire timer (1 ms) fires. We walk the block's packets (tp_next_offset),
//    copy each into an mbuf, and give the block back (TP_STATUS_KERNEL) when
//    every packet in it is consumed.
//  - tx: fixed frames of F bytes, 256 of them unless framecnt= says, on a
//    send-only socket of its own (tpacket_tx.h); one sendto() per burst.
//  - qpairs=N is the most queues the port can be configured with; N rx
//    sockets join one PACKET_FANOUT group (hash, with defragmentation) so the
//    kernel spreads flows over the rx queues. Tx sockets are bound with
//    protocol 0: they send, never receive. One more tx socket than the
//    configured tx queues is the spare tx queue (port.h), which a replay
//    uses while forwarding sends on all the others.
//
// Sockets are made at start and closed at stop, so queue changes (done while
// stopped) need no special path. MTU, MAC and link follow the interface.
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include "drivers.h"
#include "drivers/tpacket_tx.h"
#include "ring_marks.h"
#include "caps_hint.h"
#include "error.h"
#include "netdev.h"

namespace rs {
namespace {

constexpr uint32_t kDefaultBlockSize = 1u << 18;  // 256 KiB: 16 blocks in the default 4 MiB ring
constexpr uint32_t kDefaultFrameSize = 2048;      // a 1500-byte MTU frame plus the tpacket header
constexpr uint32_t kDefaultFrameCount = 2048;     // rx: 4 MiB per queue
constexpr uint32_t kDefaultTxFrameCount = 256;    // tx: 512 KiB per queue (see above)
constexpr uint32_t kRetireTimeoutMs = 1;          // a partly filled block waits at most this long
constexpr uint16_t kDefaultQpairs = 1;
constexpr uint64_t kMaxRingBytes = 256ull << 20;  // most one rxd/txd ring may map

constexpr uint32_t kHdrRoom = 18;  // Ethernet header + one VLAN tag beyond the MTU

struct Geometry {
  uint32_t block_size, frame_size, frame_count, tx_frame_count;
  // Whole blocks holding `frames` frames.
  uint32_t blocks_for(uint32_t frames) const {
    return static_cast<uint32_t>((uint64_t{frame_size} * frames + block_size - 1) / block_size);
  }
  uint32_t block_nr() const { return blocks_for(frame_count); }  // rx
};

// One queue: its sockets, their rings and where we are in them. Padded so two poll threads
// on neighbouring queues never share a cache line.
struct alignas(kCacheLine) Queue {
  int rx_fd = -1;
  size_t rx_len = 0;  // mapped bytes
  bool has_rx = false;
  // rx ring
  uint8_t* rx = nullptr;
  uint32_t block_nr = 0;     // blocks in the rx ring
  uint32_t block = 0;        // current block index
  uint32_t pkts_left = 0;    // packets not yet taken from the current block
  uint8_t* next = nullptr;   // next packet's tpacket3_hdr in the current block
  TpacketTx tx;
  uint32_t rx_polls = 0, tx_polls = 0;  // bursts, for sample_due

  void reset_rx() {
    rx_fd = -1;
    rx_len = 0;
    has_rx = false;
    rx = nullptr;
    block_nr = block = pkts_left = 0;
    next = nullptr;
    rx_polls = tx_polls = 0;
  }
};

// Since the port started: most blocks handed to us at once, most frames
// waiting to be sent (ring_marks.h; counting reads a header per block or
// frame held, so they are sampled).
struct QueueMarks {
  std::atomic<uint32_t> rx{0}, tx{0};
};

inline tpacket_block_desc* block_at(const Queue& r, const Geometry& g, uint32_t i) {
  return reinterpret_cast<tpacket_block_desc*>(r.rx + size_t{i} * g.block_size);
}

int fanout_arg(uint16_t id, uint16_t flags) {
  return static_cast<int>(id | (static_cast<uint32_t>(PACKET_FANOUT_HASH | flags) << 16));
}

class AfPacketPort final : public Port {
 public:
  AfPacketPort(uint16_t id, const DevArgs& args, Mempool* pool, std::string iface, uint16_t qpairs, Geometry g)
      : Port(id, args, pool), iface_(std::move(iface)), borrowed_(iface_), qpairs_(qpairs), geo_(g) {}

  ~AfPacketPort() override { close_sockets(); }

  void sync_from_device() {
    mac_ = netdev::mac(iface_);
    uint32_t kmtu = netdev::mtu(iface_);
    if (kmtu != mtu() && kmtu >= min_mtu() && kmtu <= max_mtu()) set_mtu(kmtu);  // do_set_mtu sees it equal
  }

  std::string if_name() const override { return iface_; }
  int if_index() const override {
    try {
      return netdev::if_index(iface_);
    } catch (const Error&) {
      return 0;
    }
  }
  uint16_t max_rx_queues() const override { return qpairs_; }
  uint16_t max_tx_queues() const override { return qpairs_; }
  uint32_t max_mtu() const override {
    return netdev::max_mtu_within(iface_, std::min(Port::max_mtu(), TpacketTx::max_len_for(geo_.frame_size) - kHdrRoom));
  }

  std::vector<std::pair<std::string, std::string>> info() const override {
    std::vector<std::pair<std::string, std::string>> v;
    try {
      netdev::LinkFacts f = netdev::facts(iface_);
      v.push_back({"interface", iface_ + " (if_index " + std::to_string(f.index) +
                                    (f.kind.empty() ? "" : ", " + f.kind) + ")"});
      v.push_back({"kernel state", std::string((f.flags & IFF_UP) ? "UP" : "DOWN") + ", operstate " +
                                       netdev::operstate_name(f.operstate) + ", carrier " +
                                       (f.carrier ? "on" : "off")});
      v.push_back({"kernel MTU", std::to_string(f.mtu) + " (range " + std::to_string(f.min_mtu) + ".." +
                                     std::to_string(f.max_mtu) + ")"});
      v.push_back({"device queues", std::to_string(f.rx_queues) + " rx, " + std::to_string(f.tx_queues) + " tx"});
    } catch (const Error& e) {
      v.push_back({"interface", iface_ + ": " + e.what()});
    }
    v.push_back({"rings", "TPACKET_V3; rx " + std::to_string(geo_.block_nr()) + " blocks of " +
                              std::to_string(geo_.block_size) + " B (retire " + std::to_string(kRetireTimeoutMs) +
                              " ms); tx " + std::to_string(geo_.tx_frame_count) + " frames of " +
                              std::to_string(geo_.frame_size) + " B; per queue, unless rxd/txd set them"});
    v.push_back({"qpairs", std::to_string(qpairs_) + " (max queues)"});
    if (fanout_id_ >= 0)
      v.push_back({"fanout", "group " + std::to_string(fanout_id_) + " (hash, defrag) over " +
                                 std::to_string(hw_rx_queues()) + " rx sockets"});
    return v;
  }

 protected:
  void do_start() override {
    if (admin_up_ && !netdev::is_up(iface_)) {
      netdev::set_up(iface_, true);
      brought_up_ = true;
    }
    sync_from_device();
    store_relaxed(tx_mtu_, netdev::mtu(iface_));  // the kernel's, even if outside the port's range
    ifindex_ = netdev::if_index(iface_);
    const uint16_t tx_sockets = tx_queue_slots();  // the configured tx queues and the spare
    nb_q_ = std::max(hw_rx_queues(), tx_sockets);
    try {
      for (uint16_t q = 0; q < nb_q_; q++) open_queue(q, q < hw_rx_queues(), q < tx_sockets);
      if (hw_rx_queues() > 1) join_fanout();
    } catch (...) {
      close_sockets();
      throw;
    }
  }

  void do_stop() override {
    close_sockets();
    if (brought_up_) {
      brought_up_ = false;
      try {
        netdev::set_up(iface_, false);
      } catch (const Error&) {
      }
    }
  }

  void do_close() override {
    close_sockets();
    borrowed_.restore();
  }
  bool spare_tx_queue_supported() const override { return true; }

  // rxd/txd: frames of framesz in the queue's ring, rounded up to whole
  // blocks; used from the next start (sockets are opened there).
  void do_set_nb_desc(Dir d, uint16_t q) override {
    uint64_t frames = nb_desc(d, q);
    if (uint64_t{geo_.frame_size} * frames > kMaxRingBytes)
      throw Error("EINVAL_ARG", name() + ": an " + std::string(dir_name(d)) + " ring of " + std::to_string(frames) + " frames of " +
                                    std::to_string(geo_.frame_size) + " B would map more than " +
                                    std::to_string(kMaxRingBytes >> 20) + " MiB: give " + (d == Dir::Rx ? "rxd" : "txd") +
                                    " 1.." + std::to_string(kMaxRingBytes / geo_.frame_size));
  }

  void do_set_mtu(uint32_t mtu) override {
    if (netdev::mtu(iface_) != mtu) netdev::set_mtu(iface_, mtu);
    store_relaxed(tx_mtu_, mtu);
  }
  void do_set_mac(const MacAddr& m) override {
    if (netdev::mac(iface_) != m) netdev::set_mac(iface_, m);
  }
  void do_set_link(bool up) override {
    netdev::set_up(iface_, up);
    admin_up_ = up;
    brought_up_ = false;
  }
  void do_set_promiscuous(bool on) override {
    for (uint16_t q = 0; q < nb_q_; q++)
      if (queues_[q].has_rx) set_promisc(queues_[q].rx_fd, on);
  }
  void do_set_allmulti(bool on) override {
    for (uint16_t q = 0; q < nb_q_; q++)
      if (queues_[q].has_rx) membership(queues_[q].rx_fd, PACKET_MR_ALLMULTI, nullptr, on);
  }
  void do_rx_addr(const MacAddr& m, bool add) override {
    for (uint16_t q = 0; q < nb_q_; q++)
      if (queues_[q].has_rx) membership(queues_[q].rx_fd, m[0] & 1 ? PACKET_MR_MULTICAST : PACKET_MR_UNICAST, &m, add);
  }
  LinkInfo do_link() const override {
    bool running = false;
    try {
      running = netdev::carrier(iface_);
    } catch (const Error&) {
    }
    return LinkInfo{running, running ? 10000u : 0u, true};
  }

  // Diagnostics from the control thread while a poll thread may run: block
  // statuses are acquire loads (pairing with the kernel's and the poll
  // thread's release-stores); our position (block) is a relaxed read of a
  // word only the poll thread writes (the tx ring's: tpacket_tx.h). A block's header is
  // read after its status, so a block seen as the user's shows the packet
  // count the kernel published; one seen as the kernel's may be mid-fill.
  void do_queue_info(Dir d, uint16_t q, QueueInfo* out) const override {
    if (q >= nb_q_) {
      out->kind = "TPACKET_V3 (port stopped: no socket)";
      return;
    }
    const Queue& r = queues_[q];
    if (!(d == Dir::Rx ? r.rx != nullptr : r.tx.is_open())) {
      out->kind = std::string("TPACKET_V3 socket without an ") + dir_name(d) + " ring";
      return;
    }
    RingState s;
    if (d == Dir::Rx) {
      out->kind = "TPACKET_V3 block ring (" + std::to_string(uint64_t{r.block_nr} * (geo_.block_size / geo_.frame_size)) +
                  " frames of " + std::to_string(geo_.frame_size) + " B in " + std::to_string(r.block_nr) + " blocks of " +
                  std::to_string(geo_.block_size) + " B): the kernel fills blocks, we hand them back";
      s.name = "blocks";
      s.size = r.block_nr;
      s.consumer = __atomic_load_n(&r.block, __ATOMIC_RELAXED);
      s.occupancy = user_blocks(r, s.consumer);
      s.producer = (s.consumer + s.occupancy) % s.size;  // the block the kernel fills next
      s.high_water = std::max(s.occupancy, load_relaxed(marks_[q].rx));
    } else {
      out->kind = "TPACKET_V3 frame ring: we fill frames, the kernel sends them";
      out->rings.push_back(r.tx.ring_state(load_relaxed(marks_[q].tx)));
      return;
    }
    s.tracks_high_water = true;
    s.high_water_sampled = true;
    out->rings.push_back(s);
  }

  void do_queue_ring(Dir d, uint16_t q, uint32_t max, std::vector<Descriptor>* out) const override {
    if (q >= nb_q_) return;
    if (d == Dir::Tx) {
      if (queues_[q].tx.is_open()) queues_[q].tx.descriptors(max, out);
      return;
    }
    QueueInfo qi;
    do_queue_info(d, q, &qi);
    if (qi.rings.empty()) return;
    const RingState& s = qi.rings[0];
    const Queue& r = queues_[q];
    for (uint32_t k = 0; k < std::min(max, s.size); k++) {
      uint32_t i = (s.consumer + k) % s.size;
      const tpacket_block_desc* b = block_at(r, geo_, i);
      bool user = user_block(r, i);
      out->push_back({"blocks", i,
                      {{"status", user ? "user" : "kernel"},
                       {"num_pkts", std::to_string(b->hdr.bh1.num_pkts)},
                       {"offset_to_first_pkt", std::to_string(b->hdr.bh1.offset_to_first_pkt)},
                       {"blk_len", std::to_string(b->hdr.bh1.blk_len)},
                       {"seq_num", std::to_string(b->hdr.bh1.seq_num)}}});
    }
  }

  uint16_t do_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    Queue& r = queues_[q];
    if (sample_due(r.rx_polls)) raise_mark(marks_[q].rx, user_blocks(r, r.block));
    uint16_t got = 0;
    uint64_t bytes = 0;
    while (got < n) {
      if (r.pkts_left == 0 && !open_block(r)) break;
      uint16_t want = static_cast<uint16_t>(std::min<uint32_t>(n - got, r.pkts_left));
      if (pool()->alloc_bulk(pkts + got, want) == 0) {
        count_rx_nombuf(want);  // the packets stay in the ring for the next call
        break;
      }
      uint16_t kept = 0;  // mbufs filled in this chunk
      for (uint16_t i = 0; i < want; i++) {
        auto* h = reinterpret_cast<tpacket3_hdr*>(r.next);
        r.next = h->tp_next_offset ? r.next + h->tp_next_offset : nullptr;
        r.pkts_left--;
        if (check_outgoing_ &&
            reinterpret_cast<const sockaddr_ll*>(reinterpret_cast<uint8_t*>(h) + kTpacketDataOff)->sll_pkttype ==
                PACKET_OUTGOING)
          continue;  // the kernel's own transmissions on the interface are not port rx
        Mbuf* m = pkts[got + kept];
        if (!copy_packet(h, m)) {
          count_rx_error(q);
          continue;
        }
        m->port = id();
        m->queue = q;
        bytes += m->data_len;
        kept++;
      }
      if (kept < want) mbuf_free_bulk(pkts + got + kept, want - kept);
      got += kept;
      if (r.pkts_left == 0) release_block(r);
    }
    if (bytes) count_rx_bytes(q, bytes);
    return got;
  }

  uint16_t do_tx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    Queue& t = queues_[q];
    TpacketTx::Result r = t.tx.burst(pkts, n, std::min(t.tx.max_len(), load_relaxed(tx_mtu_) + kHdrRoom));
    if (r.kick_failed) count_tx_error(q);
    if (r.oversize) count_tx_error(q, r.oversize);
    if (r.queued && sample_due(t.tx_polls)) raise_mark(marks_[q].tx, t.tx.frames_to_send());
    mbuf_free_bulk(pkts, r.taken);
    return r.taken;
  }

 private:
  // The next block, if the kernel has handed it over. No system call.
  bool open_block(Queue& r) {
    tpacket_block_desc* b = block_at(r, geo_, r.block);
    // Acquire: pairs with the kernel's write of TP_STATUS_USER after it has
    // filled the block; the packet headers and data read next are complete.
    uint32_t st = __atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
    if (!(st & TP_STATUS_USER)) return false;
    r.pkts_left = b->hdr.bh1.num_pkts;
    r.next = reinterpret_cast<uint8_t*>(b) + b->hdr.bh1.offset_to_first_pkt;
    if (r.pkts_left == 0) {  // a retired empty block: give it straight back
      release_block(r);
      return false;
    }
    return true;
  }

  // The run of blocks handed to us from block `from` on (the kernel fills
  // and hands over blocks in order).
  uint32_t user_blocks(const Queue& r, uint32_t from) const {
    uint32_t nr = r.block_nr, n = 0;
    while (n < nr && user_block(r, (from + n) % nr)) n++;
    return n;
  }
  bool user_block(const Queue& r, uint32_t i) const {
    return __atomic_load_n(&block_at(r, geo_, i)->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER;
  }

  void release_block(Queue& r) {
    tpacket_block_desc* b = block_at(r, geo_, r.block);
    // Release: our reads of the block's packets happen before the kernel may
    // reuse it; once it sees TP_STATUS_KERNEL it overwrites the block.
    __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    r.block = r.block + 1 == r.block_nr ? 0 : r.block + 1;
    r.next = nullptr;
  }

  // Copies one ring packet into m, putting back a VLAN tag the kernel took
  // out into metadata (veth and most NICs strip it on rx). False if it does
  // not fit an mbuf.
  bool copy_packet(const tpacket3_hdr* h, Mbuf* m) {
    const uint8_t* src = reinterpret_cast<const uint8_t*>(h) + h->tp_mac;
    uint32_t len = h->tp_snaplen;
    bool vlan = (h->tp_status & TP_STATUS_VLAN_VALID) && len >= 12;
    uint32_t total = len + (vlan ? 4 : 0);
    if (total > m->tailroom() || len < h->tp_len) return false;  // too big or truncated by the ring
    uint8_t* dst = m->data();
    if (vlan) {
      uint16_t tpid = htons((h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : ETH_P_8021Q);
      uint16_t tci = htons(static_cast<uint16_t>(h->hv1.tp_vlan_tci));
      std::memcpy(dst, src, 12);
      std::memcpy(dst + 12, &tpid, 2);
      std::memcpy(dst + 14, &tci, 2);
      std::memcpy(dst + 16, src + 12, len - 12);
    } else {
      std::memcpy(dst, src, len);
    }
    m->data_len = static_cast<uint16_t>(total);
    m->timestamp = uint64_t{h->tp_sec} * 1000000000ull + h->tp_nsec;
    return true;
  }

  [[noreturn]] void fail(const std::string& action, int err) {
    if (err == EPERM || err == EACCES)
      throw Error("EPERM_NETADMIN", name() + ": cannot " + action + " on '" + iface_ +
                                        "': needs CAP_NET_RAW (packet sockets): " + kCapsHint);
    if (err == ENOMEM)
      throw Error("ENOMEM", name() + ": cannot " + action + ": not enough memory for the rings; lower framecnt= or "
                                     "blocksz=");
    netdev::throw_errno(err, iface_, action);
  }

  void setopt(int fd, int opt, int val, const char* what) {
    if (::setsockopt(fd, SOL_PACKET, opt, &val, sizeof val) < 0) fail(what, errno);
  }

  void set_promisc(int fd, bool on) { membership(fd, PACKET_MR_PROMISC, nullptr, on); }

  // Memberships are counted per socket and dropped when it closes, so the
  // interface is promiscuous, all-multicast or holds an address exactly while
  // a started port wants it, and is as before once ringside exits.
  void membership(int fd, int type, const MacAddr* addr, bool on) {
    packet_mreq mr{};
    mr.mr_ifindex = ifindex_;
    mr.mr_type = static_cast<unsigned short>(type);
    if (addr) {
      mr.mr_alen = 6;
      std::memcpy(mr.mr_address, addr->data(), 6);
    }
    if (::setsockopt(fd, SOL_PACKET, on ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP, &mr, sizeof mr) < 0 &&
        !(errno == EADDRNOTAVAIL && !on)) {
      const char* what = type == PACKET_MR_PROMISC ? "promiscuous mode" : type == PACKET_MR_ALLMULTI ? "all-multicast mode"
                                                                                                   : "a receive address";
      fail(std::string(on ? "enable " : "disable ") + what, errno);
    }
  }

  void open_queue(uint16_t q, bool rx, bool tx) {
    Queue& r = queues_[q];
    r.reset_rx();
    r.tx.close();
    store_relaxed(marks_[q].rx, 0u);
    store_relaxed(marks_[q].tx, 0u);
    r.has_rx = rx;
    if (rx) open_rx_ring(q, &r);
    if (tx) {
      TpacketTx::Geometry g{geo_.block_size, geo_.frame_size, nb_desc(Dir::Tx, q) ? nb_desc(Dir::Tx, q) : geo_.tx_frame_count};
      r.tx.open(ifindex_, g, [this](const std::string& action, int err) { fail(action, err); });
    }
    if (!rx) return;
    if (promiscuous()) set_promisc(r.rx_fd, true);
    if (allmulti()) membership(r.rx_fd, PACKET_MR_ALLMULTI, nullptr, true);
    for (const auto* list : {&added_macs(), &mcast_macs()})
      for (const MacAddr& m : *list) membership(r.rx_fd, m[0] & 1 ? PACKET_MR_MULTICAST : PACKET_MR_UNICAST, &m, true);
  }

  // Queue q's rx socket with its ring (rxd frames, in whole blocks), mapped
  // and bound to the interface. Each result is stored as soon as it exists,
  // so close_sockets() undoes a failure.
  void open_rx_ring(uint16_t q, Queue* r) {
    // Protocol 0: receive nothing until bind names the interface.
    r->rx_fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (r->rx_fd < 0) fail("open a packet socket", errno);
    setopt(r->rx_fd, PACKET_VERSION, TPACKET_V3, "select TPACKET_V3");
    int one = 1;
    check_outgoing_ = check_outgoing_ ||
                      ::setsockopt(r->rx_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0;  // < 4.20
    tpacket_req3 req{};
    req.tp_block_size = geo_.block_size;
    req.tp_block_nr = geo_.blocks_for(nb_desc(Dir::Rx, q) ? nb_desc(Dir::Rx, q) : geo_.frame_count);
    req.tp_frame_size = geo_.frame_size;
    req.tp_frame_nr = req.tp_block_nr * (geo_.block_size / geo_.frame_size);
    req.tp_retire_blk_tov = kRetireTimeoutMs;
    if (::setsockopt(r->rx_fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0) fail("set up the rx ring", errno);
    size_t bytes = size_t{geo_.block_size} * req.tp_block_nr;
    void* m = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->rx_fd, 0);
    if (m == MAP_FAILED) fail("map the rx ring", errno);
    r->rx = static_cast<uint8_t*>(m);
    r->rx_len = bytes;
    r->block_nr = req.tp_block_nr;

    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex_;
    if (::bind(r->rx_fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) fail("bind a packet socket", errno);
  }

  // All rx sockets into one fanout group. The kernel picks an id no other
  // group in this namespace has (FLAG_UNIQUEID), so two ports (or two
  // processes) never share a group by accident; the others join by that id.
  void join_fanout() {
    const uint16_t flags = PACKET_FANOUT_FLAG_DEFRAG;
    int fd0 = queues_[0].rx_fd;
    int first = fanout_arg(0, flags | PACKET_FANOUT_FLAG_UNIQUEID);
    if (::setsockopt(fd0, SOL_PACKET, PACKET_FANOUT, &first, sizeof first) < 0) fail("create a fanout group", errno);
    int val = 0;
    socklen_t len = sizeof val;
    if (::getsockopt(fd0, SOL_PACKET, PACKET_FANOUT, &val, &len) < 0) fail("read the fanout group id", errno);
    fanout_id_ = val & 0xffff;
    for (uint16_t q = 1; q < hw_rx_queues(); q++) {
      int arg = fanout_arg(static_cast<uint16_t>(fanout_id_), flags);
      if (::setsockopt(queues_[q].rx_fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0)
        fail("join fanout group " + std::to_string(fanout_id_), errno);
    }
  }

  // Counts what the kernel dropped (ring full) and what is still in the ring,
  // then unmaps and closes. Control thread, no poll thread running.
  void close_sockets() {
    uint64_t missed = 0;
    for (uint16_t q = 0; q < nb_q_; q++) {
      Queue& r = queues_[q];
      if (r.rx_fd >= 0 && r.rx) {
        tpacket_stats_v3 st{};
        socklen_t len = sizeof st;
        if (::getsockopt(r.rx_fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) missed += st.tp_drops;
        missed += r.pkts_left;
        if (r.pkts_left) release_block(r);
        for (uint32_t i = 0; i < r.block_nr; i++) {
          tpacket_block_desc* b = block_at(r, geo_, (r.block + i) % r.block_nr);
          if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) break;
          missed += b->hdr.bh1.num_pkts;
        }
      }
      if (r.rx) ::munmap(r.rx, r.rx_len);
      if (r.rx_fd >= 0) ::close(r.rx_fd);
      r.reset_rx();
      r.tx.close();
    }
    nb_q_ = 0;
    fanout_id_ = -1;
    if (missed) count_rx_missed(missed);
  }

  std::string iface_;
  netdev::BorrowedIface borrowed_;
  uint16_t qpairs_;
  Geometry geo_;
  int ifindex_ = 0;
  uint16_t nb_q_ = 0;  // sockets open (started)
  int fanout_id_ = -1;
  bool check_outgoing_ = false;  // PACKET_IGNORE_OUTGOING unavailable: filter in rx
  bool admin_up_ = true, brought_up_ = false;
  // The MTU for the tx length check, read by poll threads while the control
  // thread may change it: relaxed is enough, a stale value for one burst is harmless.
  std::atomic<uint32_t> tx_mtu_{1500};
  std::array<Queue, kMaxQueues> queues_{};
  std::array<QueueMarks, kMaxQueues> marks_{};
};

bool parse_key(const DevArgs& args, const char* key, uint64_t lo, uint64_t hi, uint64_t* out, const char* hint) {
  auto it = args.kv.find(key);
  if (it == args.kv.end()) return false;
  if (!parse_uint(it->second, hi, out) || *out < lo)
    throw Error("EDEVARGS", args.name + ": " + key + "=" + it->second + " is not valid: " + hint);
  return true;
}

std::unique_ptr<Port> create(uint16_t id, const DevArgs& args, Mempool* pool) {
  check_devargs(args, net_af_packet_driver());
  auto it = args.kv.find("iface");
  if (it == args.kv.end())
    throw Error("EDEVARGS", args.name + ": iface= is required: name the interface to bind, e.g. " + args.name +
                                ",iface=eth1 ('ip link' lists them)");
  std::string iface = it->second;
  netdev::check_name(iface, args.name + ": iface");

  uint64_t v = 0;
  uint16_t qpairs = kDefaultQpairs;
  if (parse_key(args, "qpairs", 1, Port::kMaxQueues, &v, "give 1..16 queue pairs")) qpairs = static_cast<uint16_t>(v);
  Geometry g{kDefaultBlockSize, kDefaultFrameSize, kDefaultFrameCount, 0};
  long page = ::sysconf(_SC_PAGESIZE);
  if (parse_key(args, "blocksz", static_cast<uint64_t>(page), 1u << 30, &v,
                "give a block size in bytes, a power of two of at least one page (4096)"))
    g.block_size = static_cast<uint32_t>(v);
  if (parse_key(args, "framesz", 128, 1u << 20, &v, "give a frame size in bytes from 128, a multiple of 16"))
    g.frame_size = static_cast<uint32_t>(v);
  bool frame_count_given = parse_key(args, "framecnt", 1, 1u << 20, &v, "give a frame count of at least 1");
  if (frame_count_given) g.frame_count = static_cast<uint32_t>(v);
  if ((g.block_size & (g.block_size - 1)) || g.block_size % page)
    throw Error("EDEVARGS", args.name + ": blocksz=" + std::to_string(g.block_size) +
                                " must be a power of two and a multiple of the page size (" + std::to_string(page) + ")");
  if (g.frame_size % TPACKET_ALIGNMENT || g.block_size % g.frame_size)
    throw Error("EDEVARGS", args.name + ": framesz=" + std::to_string(g.frame_size) + " must be a multiple of " +
                                std::to_string(TPACKET_ALIGNMENT) + " that divides blocksz=" +
                                std::to_string(g.block_size));
  if (uint64_t{g.frame_size} * g.frame_count % g.block_size || g.block_nr() == 0)
    throw Error("EDEVARGS", args.name + ": framesz x framecnt (" + std::to_string(uint64_t{g.frame_size} * g.frame_count) +
                                " B) must be a whole number of blocks of blocksz=" + std::to_string(g.block_size));
  // framecnt= sizes both rings; otherwise tx gets its short default, in whole blocks.
  const uint32_t per_block = g.block_size / g.frame_size;
  g.tx_frame_count = frame_count_given ? g.frame_count : (kDefaultTxFrameCount + per_block - 1) / per_block * per_block;

  netdev::if_index(iface);  // ENODEV_IFACE now, not at start
  // A packet socket needs CAP_NET_RAW: say so at attach, not at start.
  int probe = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (probe < 0) {
    int err = errno;
    if (err == EPERM || err == EACCES)
      throw Error("EPERM_NETADMIN", args.name + ": packet sockets need CAP_NET_RAW: " + kCapsHint);
    netdev::throw_errno(err, iface, "open a packet socket");
  }
  ::close(probe);
  auto port = std::make_unique<AfPacketPort>(id, args, pool, iface, qpairs, g);
  port->sync_from_device();
  return port;
}

}  // namespace

const DriverInfo& net_af_packet_driver() {
  static const DriverInfo d{"net_af_packet",
                            "net_af_packetN,iface=NAME[,qpairs=N][,blocksz=B][,framesz=F][,framecnt=C]: AF_PACKET "
                            "TPACKET_V3 mmap rings on a kernel interface; N rx queues by PACKET_FANOUT; needs "
                            "CAP_NET_RAW",
                            "iface,qpairs,blocksz,framesz,framecnt", create};
  return d;
}

}  // namespace rs
