// A TPACKET_V3 tx ring on a send-only packet socket (tpacket_tx.h).
#include "drivers/tpacket_tx.h"
#include <linux/if_ether.h>
#include <endian.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rs {
namespace {

// The tx frame's struct virtio_net_hdr (linux/virtio_net.h, whose other
// declarations do not compile as C++), before the Ethernet header. Little
// endian as the kernel reads it for packet sockets (vio_le()).
struct VnetHdr {
  uint8_t flags = 0, gso_type = 0;  // no checksum offload, no GSO
  uint16_t hdr_len = 0;             // bytes to copy into the skb's linear area
  uint16_t gso_size = 0, csum_start = 0, csum_offset = 0;
};
static_assert(sizeof(VnetHdr) == 10);

// Frames up to this long are copied whole into the skb (tpacket_tx.h);
// longer ones are sent from the ring page.
constexpr uint32_t kLinearTxMax = 1024;

}  // namespace

void TpacketTx::open(int ifindex, const Geometry& g, const Fail& fail) {
  close();
  g_ = g;
  const uint32_t per_block = g.block_size / g.frame_size;
  tpacket_req3 req{};  // tx ignores (and requires zero) the V3 rx-only fields
  req.tp_block_size = g.block_size;
  req.tp_block_nr = (g.frames + per_block - 1) / per_block;  // whole blocks
  req.tp_frame_size = g.frame_size;
  req.tp_frame_nr = req.tp_block_nr * per_block;
  g_.frames = req.tp_frame_nr;
  try {
    // Protocol 0: a tx socket receives nothing.
    fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) fail("open a packet socket", errno);
    auto setopt = [&](int opt, int val, const char* what) {
      if (::setsockopt(fd_, SOL_PACKET, opt, &val, sizeof val) < 0) fail(what, errno);
    };
    setopt(PACKET_VERSION, TPACKET_V3, "select TPACKET_V3");
    setopt(PACKET_VNET_HDR, 1, "enable PACKET_VNET_HDR");  // before the ring: refused after
    setopt(PACKET_QDISC_BYPASS, 1, "bypass the qdisc");
    setopt(PACKET_LOSS, 1, "set PACKET_LOSS");
    if (::setsockopt(fd_, SOL_PACKET, PACKET_TX_RING, &req, sizeof req) < 0) fail("set up the tx ring", errno);
    size_t bytes = size_t{g.block_size} * req.tp_block_nr;
    void* m = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, 0);
    if (m == MAP_FAILED) fail("map the tx ring", errno);
    ring_ = static_cast<uint8_t*>(m);
    len_ = bytes;
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = 0;
    sll.sll_ifindex = ifindex;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) fail("bind a packet socket", errno);
  } catch (...) {
    close();
    throw;
  }
}

void TpacketTx::close() {
  if (ring_) ::munmap(ring_, len_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ring_ = nullptr;
  len_ = 0;
  head_ = 0;
}

TpacketTx::Result TpacketTx::burst(Mbuf* const* pkts, uint16_t n, uint32_t max_len) {
  Result r;
  uint32_t head = head_;
  bool unsent = false;  // the ring is full of frames the kernel has not taken yet
  for (; r.taken < n; r.taken++) {
    auto* h = reinterpret_cast<tpacket3_hdr*>(frame(head));
    // Acquire: pairs with the kernel's store of TP_STATUS_AVAILABLE after it
    // finished reading the frame, so our writes below cannot overtake it.
    uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
    if (st & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) {  // ring full: the rest stay with the caller
      unsent = st & TP_STATUS_SEND_REQUEST;
      break;
    }
    const Mbuf* m = pkts[r.taken];
    if (m->data_len > max_len) {
      r.oversize++;  // the kernel would refuse the frame: dropped here, counted by the caller
      continue;
    }
    uint8_t* data = reinterpret_cast<uint8_t*>(h) + kTpacketDataOff;
    VnetHdr vh;
    vh.hdr_len = htole16(m->data_len <= kLinearTxMax ? m->data_len : 0);
    std::memcpy(data, &vh, kVnetHdrLen);
    std::memcpy(data + kVnetHdrLen, m->data(), m->data_len);
    h->tp_len = kVnetHdrLen + m->data_len;
    h->tp_snaplen = h->tp_len;
    h->tp_next_offset = 0;  // V3 tx frames are fixed-size: the kernel requires 0
    // Release: the frame's contents and length must be visible before the
    // kernel can see the request (it reads the status, then the frame).
    __atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
    head = head + 1 == g_.frames ? 0 : head + 1;
    r.queued++;
  }
  // Relaxed: the control thread's diagnostics read it (ring_state()).
  __atomic_store_n(&head_, head, __ATOMIC_RELAXED);
  if (r.queued || unsent) {
    // One kick for the whole burst. ENOBUFS/EAGAIN: the driver queue is
    // full; the frames stay requested and go out with the next kick, which
    // a full ring must make too (nothing new queued): the kernel sends
    // requested frames only when kicked, so the ring would stay full.
    if (::sendto(fd_, nullptr, 0, MSG_DONTWAIT, nullptr, 0) < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
      r.kick_failed = true;
  }
  return r;
}

uint32_t TpacketTx::status(uint32_t i) const {
  const auto* h = reinterpret_cast<const tpacket3_hdr*>(frame(i));
  return __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
}

uint32_t TpacketTx::frames_to_send() const {
  uint32_t nr = g_.frames, n = 0;
  while (n < nr && status((head_ + nr - 1 - n) % nr) & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) n++;
  return n;
}

RingState TpacketTx::ring_state(uint32_t high_water) const {
  RingState s;
  s.name = "frames";
  s.size = g_.frames;
  s.producer = __atomic_load_n(&head_, __ATOMIC_RELAXED);
  for (uint32_t i = 0; i < s.size; i++) s.occupancy += status(i) & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING) ? 1 : 0;
  s.consumer = (s.producer + s.size - s.occupancy) % s.size;  // the oldest frame still to send
  s.tracks_high_water = true;
  s.high_water_sampled = true;
  s.high_water = std::max(s.occupancy, high_water);
  return s;
}

void TpacketTx::descriptors(uint32_t max, std::vector<Descriptor>* out) const {
  RingState s = ring_state(0);
  for (uint32_t k = 0; k < std::min(max, s.size); k++) {
    uint32_t i = (s.consumer + k) % s.size;
    uint32_t st = status(i);
    const auto* h = reinterpret_cast<const tpacket3_hdr*>(frame(i));
    const char* name = st & TP_STATUS_SENDING ? "sending" : st & TP_STATUS_SEND_REQUEST ? "send-request"
                       : st & TP_STATUS_WRONG_FORMAT ? "wrong-format" : "available";
    out->push_back({"frames", i, {{"status", name}, {"tp_len", std::to_string(h->tp_len)}}});
  }
}

}  // namespace rs
