// Packet buffer: a fixed-size header followed by headroom and a data room,
// allocated from a Mempool. Single segment only.
#pragma once
#include <cstdint>
#include <cstring>

namespace rs {

class Mempool;

constexpr uint16_t kMbufFlagRssHash = 1 << 0;  // hash holds the RSS hash
constexpr uint16_t kMbufFlagMark = 1 << 1;     // mark holds a flow rule's MARK id
constexpr uint16_t kMbufFlagFlag = 1 << 2;     // a flow rule's FLAG action matched (no id)

struct alignas(64) Mbuf {
  Mempool* pool;       // owner; free returns here
  uint16_t data_off;   // offset of packet start from buf()
  uint16_t data_len;   // bytes of packet data
  uint16_t port;       // rx port, set by drivers
  uint16_t queue;      // rx queue, set by drivers
  uint32_t hash;       // RSS hash when computed
  uint32_t buf_len;    // headroom + data room
  uint64_t timestamp;  // rx time in ns (CLOCK_REALTIME) when the driver knows it
  uint64_t seqn;       // free for engines (sequence numbers)
  uint32_t mark;       // flow rule MARK id, valid when flags has kMbufFlagMark
  uint16_t flags;      // kMbufFlag*; reset by the pool at alloc

  uint8_t* buf() { return reinterpret_cast<uint8_t*>(this + 1); }
  const uint8_t* buf() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  uint8_t* data() { return buf() + data_off; }
  const uint8_t* data() const { return buf() + data_off; }
  template <typename T> T* at(uint32_t off) { return reinterpret_cast<T*>(data() + off); }
  uint32_t tailroom() const { return buf_len - data_off - data_len; }
};

}  // namespace rs
