// The shared memory of one memif connection: regions (memfd mappings) and
// the rings in them, with the bounds every descriptor is checked against.
// The client creates region 0 (rings, then buffers) as DPDK lays it out; the
// server maps what the client sent and checks it before use.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "barrier.h"
#include "memif/proto.h"

namespace rs::memif {

struct Region {
  uint8_t* addr = nullptr;
  uint64_t size = 0;
  int fd = -1;
  Region() = default;
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
  Region(Region&& o) noexcept { *this = std::move(o); }
  Region& operator=(Region&& o) noexcept;
  ~Region();
};

// One ring as a queue sees it. `last` is the queue's private index (the
// receiver's next slot to read; the client's S2C refill point is the ring's
// own head), written only by the poll thread that owns the queue.
struct alignas(kCacheLine) RingRef {
  RingHeader* hdr = nullptr;
  Desc* desc = nullptr;
  uint16_t size = 0, mask = 0;
  uint8_t log2 = 0;
  uint16_t region = 0;
  uint32_t offset = 0;
  int eventfd = -1;  // interrupt: kicked after tx when the receiver did not mask it
  uint16_t last = 0;
  // Sending queue: the peer's index (tail on C2S, head on S2C) as last read;
  // the slots it had freed then are still free.
  uint16_t peer_seen = 0;
  // Highest occupancy a receive saw (for `show port N rxq Q info`).
  std::atomic<uint32_t> high_water{0};
};

struct Session {
  std::vector<Region> regions;
  // Region bases and sizes in one small array for the per-descriptor check.
  std::vector<std::pair<uint8_t*, uint64_t>> bounds;
  std::vector<std::unique_ptr<RingRef>> c2s, s2c;
  uint32_t buffer_size = 0;  // client: bytes per buffer (bsize)
  ~Session();

  // The buffer a descriptor names, or null when [offset, offset+len) is not
  // inside its region.
  inline uint8_t* buffer(uint16_t region, uint32_t offset, uint32_t len) const {
    if (region >= bounds.size()) return nullptr;
    const auto& b = bounds[region];
    if (uint64_t(offset) + len > b.second) return nullptr;
    return b.first + offset;
  }
  void index_bounds();
};

// Client side: region 0 with c2s + s2c rings of 2^log2 descriptors and a
// buffer of bsize bytes per descriptor; rings initialised (cookie, head and
// tail 0, each descriptor on its buffer) and one eventfd per ring. Throws
// rs::Error(EMEMIF) with the system call that failed.
std::unique_ptr<Session> create_client_session(uint16_t c2s, uint16_t s2c, uint8_t log2, uint32_t bsize);

// Server side: maps a region the client sent; "" or why it cannot be used
// (the fd is smaller than announced, mmap failed).
std::string map_region(int fd, uint64_t size, Region* out);
// Server side: checks a ring the client announced against the mapped regions
// (inside its region, aligned, cookie) and fills ref. "" or the reason.
std::string attach_ring(const Session& s, uint16_t region, uint32_t offset, uint8_t log2, int eventfd, RingRef* ref);

// At connect, as DPDK does on both sides: head and tail back to 0, and the
// receiving side's rings masked (we poll; the peer need not kick the eventfd).
// The client also hands its S2C buffers to the server (head = ring size).
void reset_rings(Session& s, Role role);

}  // namespace rs::memif
