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
//  - tx: fixed frames of F bytes, 256 of them unless framecnt= says (the
//    kernel sends the frames of a kick before sendto returns, or soon after
//    on a NIC, so a short ring stays in the cache; 2048 frames of 2 KiB
//    would not, and every frame's header and data would miss). A free frame
//    (TP_STATUS_AVAILABLE) is filled and marked TP_STATUS_SEND_REQUEST; one sendto(NULL, 0) per burst
//    makes the kernel send every requested frame and mark it available again.
//    Each frame starts with a virtio_net_hdr (PACKET_VNET_HDR) whose hdr_len
//    is the whole frame: the kernel then copies the frame into the skb's
//    linear area instead of attaching the ring's page as a zero-copy
//    fragment, which a veth (or any device that hands the skb to another
//    stack) must copy again into a freshly allocated page, per packet
//    (skb_copy_ubufs); a short copy is far cheaper than that. Frames above
//    kLinearTxMax keep the page fragment (hdr_len 0): NICs send those
//    without a copy.
//  - qpairs=N is the most queues the port can be configured with; N rx
//    sockets join one PACKET_FANOUT group (hash, with defragmentation) so the
//    kernel spreads flows over the rx queues. Tx sockets are bound with
//    protocol 0: they send, never receive. One more tx socket than the
//    configured tx queues is the spare tx queue (port.h), which a replay
//    uses while forwarding sends on all the others.
//
// Sockets are made at start and closed at stop, so queue changes (done while
// stopped) need no special path. PACKET_QDISC_BYPASS sends straight to the
// driver, like a NIC queue. MTU, MAC and link follow the interface.
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <endian.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include "drivers.h"
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

// Where the kernel puts (rx) and reads (tx, without PACKET_TX_HAS_OFF) the
// frame: right after the aligned V3 header; the sockaddr_ll sits there on rx.
constexpr uint32_t kTxDataOff = TPACKET_ALIGN(sizeof(tpacket3_hdr));
// The tx frame's struct virtio_net_hdr (linux/virtio_net.h, whose other
// declarations do not compile as C++), before the Ethernet header. Little
// endian as the kernel reads it for packet sockets (vio_le()).
struct VnetHdr {
  uint8_t flags = 0, gso_type = 0;  // no checksum offload, no GSO
  uint16_t hdr_len = 0;             // bytes to copy into the skb's linear area
  uint16_t gso_size = 0, csum_start = 0, csum_offset = 0;
};
static_assert(sizeof(VnetHdr) == 10);
constexpr uint32_t kVnetHdr = sizeof(VnetHdr);
// Frames up to this long are copied whole into the skb (see above); longer
// ones are sent from the ring page.
constexpr uint32_t kLinearTxMax = 1024;
constexpr uint32_t kHdrRoom = 18;  // Ethernet header + one VLAN tag beyond the MTU

struct Geometry {
  uint32_t block_size, frame_size, frame_count, tx_frame_count;
  uint32_t blocks_for(uint32_t frames) const { return static_cast<uint32_t>(uint64_t{frame_size} * frames / block_size); }
  uint32_t block_nr() const { return blocks_for(frame_count); }  // rx
};

// One queue: its sockets, their rings and where we are in them. Padded so two poll threads
// on neighbouring queues never share a cache line.
struct alignas(kCacheLine) Queue {
  int rx_fd = -1, tx_fd = -1;
  size_t rx_len = 0, tx_len = 0;  // mapped bytes
  bool has_rx = false, has_tx = false;
  // rx ring
  uint8_t* rx = nullptr;
  uint32_t block = 0;        // current block index
  uint32_t pkts_left = 0;    // packets not yet taken from the current block
  uint8_t* next = nullptr;   // next packet's tpacket3_hdr in the current block
  // tx ring
  uint8_t* tx = nullptr;
  uint32_t tx_head = 0;      // next frame to fill
  uint32_t rx_polls = 0, tx_polls = 0;  // bursts, for sample_due
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
    return netdev::max_mtu_within(iface_, std::min(Port::max_mtu(), geo_.frame_size - kTxDataOff - kVnetHdr - kHdrRoom));
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
                              std::to_string(geo_.frame_size) + " B; per queue"});
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
  // and frame statuses are acquire loads (pairing with the kernel's and the
  // poll thread's release-stores); our position (block, tx_head) is a
  // relaxed read of a word only the poll thread writes. A block's header is
  // read after its status, so a block seen as the user's shows the packet
  // count the kernel published; one seen as the kernel's may be mid-fill.
  void do_queue_info(Dir d, uint16_t q, QueueInfo* out) const override {
    if (q >= nb_q_) {
      out->kind = "TPACKET_V3 (port stopped: no socket)";
      return;
    }
    const Queue& r = queues_[q];
    if (!(d == Dir::Rx ? r.rx : r.tx)) {
      out->kind = std::string("TPACKET_V3 socket without an ") + dir_name(d) + " ring";
      return;
    }
    RingState s;
    if (d == Dir::Rx) {
      out->kind = "TPACKET_V3 block ring: the kernel fills blocks, we hand them back";
      s.name = "blocks";
      s.size = geo_.block_nr();
      s.consumer = __atomic_load_n(&r.block, __ATOMIC_RELAXED);
      s.occupancy = user_blocks(r, s.consumer);
      s.producer = (s.consumer + s.occupancy) % s.size;  // the block the kernel fills next
      s.high_water = std::max(s.occupancy, load_relaxed(marks_[q].rx));
    } else {
      out->kind = "TPACKET_V3 frame ring: we fill frames, the kernel sends them";
      s.name = "frames";
      s.size = geo_.tx_frame_count;
      s.producer = __atomic_load_n(&r.tx_head, __ATOMIC_RELAXED);
      for (uint32_t i = 0; i < s.size; i++) s.occupancy += frame_status(r, i) & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING) ? 1 : 0;
      s.consumer = (s.producer + s.size - s.occupancy) % s.size;  // the oldest frame still to send
      s.high_water = std::max(s.occupancy, load_relaxed(marks_[q].tx));
    }
    s.tracks_high_water = true;
    s.high_water_sampled = true;
    out->rings.push_back(s);
  }

  void do_queue_ring(Dir d, uint16_t q, uint32_t max, std::vector<Descriptor>* out) const override {
    if (q >= nb_q_) return;
    QueueInfo qi;
    do_queue_info(d, q, &qi);
    if (qi.rings.empty()) return;
    const RingState& s = qi.rings[0];
    const Queue& r = queues_[q];
    for (uint32_t k = 0; k < std::min(max, s.size); k++) {
      uint32_t i = (s.consumer + k) % s.size;
      if (d == Dir::Rx) {
        const tpacket_block_desc* b = block_at(r, geo_, i);
        bool user = user_block(r, i);
        out->push_back({"blocks", i,
                        {{"status", user ? "user" : "kernel"},
                         {"num_pkts", std::to_string(b->hdr.bh1.num_pkts)},
                         {"offset_to_first_pkt", std::to_string(b->hdr.bh1.offset_to_first_pkt)},
                         {"blk_len", std::to_string(b->hdr.bh1.blk_len)},
                         {"seq_num", std::to_string(b->hdr.bh1.seq_num)}}});
      } else {
        uint32_t st = frame_status(r, i);
        const auto* h = reinterpret_cast<const tpacket3_hdr*>(r.tx + size_t{i} * geo_.frame_size);
        const char* name = st & TP_STATUS_SENDING ? "sending" : st & TP_STATUS_SEND_REQUEST ? "send-request"
                           : st & TP_STATUS_WRONG_FORMAT ? "wrong-format" : "available";
        out->push_back({"frames", i, {{"status", name}, {"tp_len", std::to_string(h->tp_len)}}});
      }
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
            reinterpret_cast<const sockaddr_ll*>(reinterpret_cast<uint8_t*>(h) + kTxDataOff)->sll_pkttype ==
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
    const uint32_t max_len = geo_.frame_size - kTxDataOff - kVnetHdr;
    uint16_t i = 0, queued = 0;
    uint32_t oversize = 0;
    for (; i < n; i++) {
      auto* h = reinterpret_cast<tpacket3_hdr*>(t.tx + size_t{t.tx_head} * geo_.frame_size);
      // Acquire: pairs with the kernel's store of TP_STATUS_AVAILABLE after it
      // finished reading the frame, so our writes below cannot overtake it.
      uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
      if (st & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) break;  // ring full: the rest stay with the caller
      const Mbuf* m = pkts[i];
      if (m->data_len > max_len || m->data_len > load_relaxed(tx_mtu_) + kHdrRoom) {
        oversize++;  // the kernel would refuse the frame: drop it here, counted
        continue;
      }
      uint8_t* data = reinterpret_cast<uint8_t*>(h) + kTxDataOff;
      VnetHdr vh;
      vh.hdr_len = htole16(m->data_len <= kLinearTxMax ? m->data_len : 0);
      std::memcpy(data, &vh, kVnetHdr);
      std::memcpy(data + kVnetHdr, m->data(), m->data_len);
      h->tp_len = kVnetHdr + m->data_len;
      h->tp_snaplen = h->tp_len;
      h->tp_next_offset = 0;  // V3 tx frames are fixed-size: the kernel requires 0
      // Release: the frame's contents and length must be visible before the
      // kernel can see the request (it reads the status, then the frame).
      __atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
      t.tx_head = t.tx_head + 1 == geo_.tx_frame_count ? 0 : t.tx_head + 1;
      queued++;
    }
    if (queued) {
      // One kick for the whole burst. ENOBUFS/EAGAIN: the driver queue is
      // full; the frames stay requested and go out with the next kick.
      if (::sendto(t.tx_fd, nullptr, 0, MSG_DONTWAIT, nullptr, 0) < 0 && errno != EAGAIN && errno != ENOBUFS &&
          errno != EINTR)
        count_tx_error(q);
    }
    if (oversize) count_tx_error(q, oversize);
    if (queued && sample_due(t.tx_polls)) raise_mark(marks_[q].tx, frames_to_send(t));
    mbuf_free_bulk(pkts, i);
    return i;
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
    uint32_t nr = geo_.block_nr(), n = 0;
    while (n < nr && user_block(r, (from + n) % nr)) n++;
    return n;
  }
  // Frames requested and not yet sent: the run before tx_head (the kernel
  // sends them in order).
  uint32_t frames_to_send(const Queue& t) const {
    uint32_t nr = geo_.tx_frame_count, n = 0;
    while (n < nr && frame_status(t, (t.tx_head + nr - 1 - n) % nr) & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) n++;
    return n;
  }

  bool user_block(const Queue& r, uint32_t i) const {
    return __atomic_load_n(&block_at(r, geo_, i)->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER;
  }
  uint32_t frame_status(const Queue& r, uint32_t i) const {
    const auto* h = reinterpret_cast<const tpacket3_hdr*>(r.tx + size_t{i} * geo_.frame_size);
    return __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
  }

  void release_block(Queue& r) {
    tpacket_block_desc* b = block_at(r, geo_, r.block);
    // Release: our reads of the block's packets happen before the kernel may
    // reuse it; once it sees TP_STATUS_KERNEL it overwrites the block.
    __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    r.block = r.block + 1 == geo_.block_nr() ? 0 : r.block + 1;
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
    r = Queue{};
    store_relaxed(marks_[q].rx, 0u);
    store_relaxed(marks_[q].tx, 0u);
    r.has_rx = rx;
    r.has_tx = tx;
    if (rx) open_ring(Dir::Rx, &r.rx_fd, &r.rx, &r.rx_len);
    if (tx) open_ring(Dir::Tx, &r.tx_fd, &r.tx, &r.tx_len);
    if (!rx) return;
    if (promiscuous()) set_promisc(r.rx_fd, true);
    if (allmulti()) membership(r.rx_fd, PACKET_MR_ALLMULTI, nullptr, true);
    for (const auto* list : {&added_macs(), &mcast_macs()})
      for (const MacAddr& m : *list) membership(r.rx_fd, m[0] & 1 ? PACKET_MR_MULTICAST : PACKET_MR_UNICAST, &m, true);
  }

  // One socket with one ring, mapped and bound to the interface. Each result
  // is stored as soon as it exists, so close_sockets() undoes a failure.
  void open_ring(Dir d, int* fd, uint8_t** ring, size_t* len) {
    const bool rx = d == Dir::Rx;
    // Protocol 0: receive nothing until bind names the interface.
    *fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (*fd < 0) fail("open a packet socket", errno);
    setopt(*fd, PACKET_VERSION, TPACKET_V3, "select TPACKET_V3");
    if (rx) {
      int one = 1;
      check_outgoing_ = check_outgoing_ ||
                        ::setsockopt(*fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0;  // < 4.20
    } else {
      setopt(*fd, PACKET_VNET_HDR, 1, "enable PACKET_VNET_HDR");  // before the ring: refused after
      setopt(*fd, PACKET_QDISC_BYPASS, 1, "bypass the qdisc");
      // Malformed frames are skipped rather than halting the tx ring.
      setopt(*fd, PACKET_LOSS, 1, "set PACKET_LOSS");
    }
    tpacket_req3 req{};  // tx ignores (and requires zero) the V3 rx-only fields
    req.tp_block_size = geo_.block_size;
    req.tp_block_nr = geo_.blocks_for(rx ? geo_.frame_count : geo_.tx_frame_count);
    req.tp_frame_size = geo_.frame_size;
    req.tp_frame_nr = req.tp_block_nr * (geo_.block_size / geo_.frame_size);
    if (rx) req.tp_retire_blk_tov = kRetireTimeoutMs;
    if (::setsockopt(*fd, SOL_PACKET, rx ? PACKET_RX_RING : PACKET_TX_RING, &req, sizeof req) < 0)
      fail(rx ? "set up the rx ring" : "set up the tx ring", errno);
    size_t bytes = size_t{geo_.block_size} * req.tp_block_nr;
    void* m = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, *fd, 0);
    if (m == MAP_FAILED) fail(rx ? "map the rx ring" : "map the tx ring", errno);
    *ring = static_cast<uint8_t*>(m);
    *len = bytes;

    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = rx ? htons(ETH_P_ALL) : 0;  // a tx socket receives nothing
    sll.sll_ifindex = ifindex_;
    if (::bind(*fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) fail("bind a packet socket", errno);
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
        for (uint32_t i = 0; i < geo_.block_nr(); i++) {
          tpacket_block_desc* b = block_at(r, geo_, (r.block + i) % geo_.block_nr());
          if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) break;
          missed += b->hdr.bh1.num_pkts;
        }
      }
      if (r.rx) ::munmap(r.rx, r.rx_len);
      if (r.tx) ::munmap(r.tx, r.tx_len);
      if (r.rx_fd >= 0) ::close(r.rx_fd);
      if (r.tx_fd >= 0) ::close(r.tx_fd);
      r = Queue{};
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
