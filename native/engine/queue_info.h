// What `show port N rxq|txq Q info` and `... ring` report about one queue:
// the rings behind it in the seeds' words (producer/consumer, fill/completion,
// blocks), filled by each driver, and the descriptors those rings hold.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rs {

enum class Dir : uint8_t { Rx, Tx };
inline const char* dir_name(Dir d) { return d == Dir::Rx ? "rx" : "tx"; }

// One ring of a queue (AF_XDP has two per queue: rx + fill, tx + completion).
// Indices are as the ring keeps them: free-running counters for index rings,
// the current block/frame number for TPACKET. Read from the control thread
// while a poll thread may run, so a view is a moment's approximation.
struct RingState {
  std::string name;          // "ring", "rx", "fill", "tx", "completion", "blocks", "frames"
  uint32_t size = 0;         // slots (descriptors, blocks or frames)
  uint32_t producer = 0, consumer = 0;
  uint32_t occupancy = 0;    // entries produced and not yet consumed
  bool tracks_high_water = false;
  bool high_water_sampled = false;  // taken on some polls only (TPACKET: reading the ring costs)
  uint32_t high_water = 0;   // most entries seen at once since the port was created (or started)
};

struct QueueInfo {
  uint16_t port = 0, queue = 0;
  Dir dir = Dir::Rx;
  std::string kind;          // "in-memory ring", "TPACKET_V3 block ring", ...
  std::vector<RingState> rings;
  // Counters of the queue: packets/bytes/errors as `show port stats`,
  // empty_polls (rx bursts that returned nothing), full (tx packets the
  // driver refused: ring full, caller drops them).
  uint64_t packets = 0, bytes = 0, errors = 0, empty_polls = 0, full = 0;
};

// One descriptor (or block, or ring slot) as "key: value" fields.
struct Descriptor {
  std::string ring;          // which RingState it belongs to
  uint32_t index = 0;        // ring index (free-running) or block/frame number
  std::vector<std::pair<std::string, std::string>> fields;
};

struct Mbuf;
class Ring;
// The mbufs an in-memory ring holds now, each named `who` (`show mempool`
// attributes the pool's in-use mbufs to their holders). port_diag.cpp.
void ring_holders(const Ring& r, const std::string& who, std::vector<std::pair<std::string, const Mbuf*>>* out);
// An in-memory ring slot: the mbuf it holds (pool index, data_len, port/queue
// it was received on, first bytes). port_diag.cpp.
Descriptor mbuf_descriptor(const std::string& ring, uint32_t index, const Mbuf* m);
// "0x1f" / "de ad be ef": shared formatting for descriptor fields; with
// sep ':' also a link-layer address of any length, as tcpdump prints it.
std::string hex_u64(uint64_t v);
std::string hex_bytes(const uint8_t* p, uint32_t n, char sep = ' ');

}  // namespace rs
