// One AF_PACKET socket with a TPACKET_V3 tx ring, bound to an interface to
// send only: net_af_packet's tx queues, and net_af_xdp's spare tx queue (a
// replay beside forwarding).
//
// Fixed frames of F bytes: a free frame (TP_STATUS_AVAILABLE) is filled and
// marked TP_STATUS_SEND_REQUEST; one sendto(NULL, 0) per burst makes the
// kernel send every requested frame and mark it available again. Each frame
// starts with a virtio_net_hdr (PACKET_VNET_HDR) whose hdr_len is the whole
// frame: the kernel then copies the frame into the skb's linear area instead
// of attaching the ring's page as a zero-copy fragment, which a veth (or any
// device that hands the skb to another stack) must copy again into a freshly
// allocated page, per packet (skb_copy_ubufs); a short copy is far cheaper
// than that. Frames above kLinearTxMax keep the page fragment (hdr_len 0):
// NICs send those without a copy. A short ring stays in the cache: the
// kernel sends a kick's frames before sendto returns (or soon after on a
// NIC), and 2048 frames of 2 KiB would not fit, so every frame's header and
// data would miss. PACKET_QDISC_BYPASS sends straight to the driver, like a
// NIC queue; PACKET_LOSS skips a malformed frame rather than halting the ring.
#pragma once
#include <linux/if_packet.h>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include "mbuf.h"
#include "queue_info.h"

namespace rs {

// Where the kernel reads a tx frame (without PACKET_TX_HAS_OFF): right after
// the aligned V3 header; on rx the sockaddr_ll sits there.
constexpr uint32_t kTpacketDataOff = TPACKET_ALIGN(sizeof(tpacket3_hdr));

class TpacketTx {
 public:
  struct Geometry {
    uint32_t block_size = 1u << 18, frame_size = 2048, frames = 256;
  };
  // Called with what failed and errno; must throw.
  using Fail = std::function<void(const std::string& action, int err)>;

  TpacketTx() = default;
  TpacketTx(const TpacketTx&) = delete;
  TpacketTx& operator=(const TpacketTx&) = delete;
  ~TpacketTx() { close(); }

  // Opens, maps and binds the socket to ifindex. On failure, `fail` throws
  // and close() undoes what was done.
  void open(int ifindex, const Geometry& g, const Fail& fail);
  void close();
  bool is_open() const { return fd_ >= 0; }
  // The longest frame a ring frame holds.
  uint32_t max_len() const { return max_len_for(g_.frame_size); }
  static constexpr uint32_t max_len_for(uint32_t frame_size) { return frame_size - kTpacketDataOff - kVnetHdrLen; }

  struct Result {
    uint16_t taken = 0;      // packets the ring took (queued, or dropped as oversize)
    uint32_t oversize = 0;   // of those, longer than max_len: dropped
    uint16_t queued = 0;     // requested for sending
    bool kick_failed = false;  // sendto failed other than "driver queue full"
  };
  // Copies up to n packets into free frames (stopping when the ring is
  // full), frames longer than max_len dropped, and kicks the kernel once.
  // Poll thread. The caller frees pkts[0..taken).
  Result burst(Mbuf* const* pkts, uint16_t n, uint32_t max_len);

  // Frames requested and not yet sent: the run before the head (the kernel
  // sends them in order). Reads a header per frame held: sample it.
  uint32_t frames_to_send() const;

  // Diagnostics from the control thread while a poll thread may run: frame
  // statuses are acquire loads (pairing with the kernel's and the poll
  // thread's release-stores); the head is a relaxed read of a word only the
  // poll thread writes.
  RingState ring_state(uint32_t high_water) const;
  void descriptors(uint32_t max, std::vector<Descriptor>* out) const;
  uint32_t frames() const { return g_.frames; }

 private:
  static constexpr uint32_t kVnetHdrLen = 10;  // struct virtio_net_hdr
  uint32_t status(uint32_t i) const;
  uint8_t* frame(uint32_t i) const { return ring_ + size_t{i} * g_.frame_size; }

  int fd_ = -1;
  uint8_t* ring_ = nullptr;
  size_t len_ = 0;      // mapped bytes
  uint32_t head_ = 0;   // next frame to fill
  Geometry g_;
};

}  // namespace rs
