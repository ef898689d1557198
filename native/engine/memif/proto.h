// The memif wire format as DPDK 22.11, VPP and libmemif speak it (version 2.0):
// 128-byte control messages on a SOCK_SEQPACKET Unix socket, and the ring
// layout inside the shared regions. Field sizes and offsets are the protocol's;
// the static_asserts pin them.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rs::memif {

constexpr uint32_t kCookie = 0x3E31F20;
constexpr uint16_t kVersion = (2 << 8) | 0;
constexpr size_t kNameSize = 32;
constexpr size_t kSecretSize = 24;
constexpr size_t kReasonSize = 96;
constexpr size_t kMsgSize = 128;

// What this implementation accepts from a peer (DPDK's limits where it has one).
constexpr uint16_t kMaxRegions = 16;
constexpr uint16_t kMaxQueuePairs = 255;
constexpr uint8_t kMaxLog2Ring = 14;
constexpr uint64_t kMaxRegionBytes = uint64_t(4) << 30;

enum class MsgType : uint16_t { None = 0, Ack, Hello, Init, AddRegion, AddRing, Connect, Connected, Disconnect };
const char* msg_type_name(MsgType t);

enum class Role : uint8_t { Server, Client };
inline const char* role_name(Role r) { return r == Role::Server ? "server" : "client"; }

constexpr uint8_t kModeEthernet = 0;
constexpr uint16_t kAddRingC2S = 1;  // add_ring flags: ring carries client -> server

#pragma pack(push, 1)
struct Hello {
  uint8_t name[kNameSize];
  uint16_t min_version, max_version;
  uint16_t max_region;  // highest region index
  uint16_t max_s2c_ring, max_c2s_ring;  // highest ring index
  uint8_t max_log2_ring_size;
};
struct Init {
  uint16_t version;
  uint32_t id;
  uint8_t mode;
  uint8_t secret[kSecretSize];
  uint8_t name[kNameSize];
};
struct AddRegion {
  uint16_t index;
  uint64_t size;
};
struct AddRing {
  uint16_t flags;
  uint16_t index;
  uint16_t region;
  uint32_t offset;
  uint8_t log2_ring_size;
  uint16_t private_hdr_size;
};
struct IfName {  // connect and connected
  uint8_t if_name[kNameSize];
};
struct Disconnect {
  uint32_t code;
  uint8_t reason[kReasonSize];
};
struct WireMsg {
  uint16_t type;
  union {
    Hello hello;
    Init init;
    AddRegion add_region;
    AddRing add_ring;
    IfName if_name;
    Disconnect disconnect;
    uint8_t raw[kMsgSize - 2];
  };
};

// A buffer descriptor: 16 bytes in the ring.
struct Desc {
  uint16_t flags;
  uint16_t region;
  uint32_t length;
  uint32_t offset;
  uint32_t metadata;
};
#pragma pack(pop)
constexpr uint16_t kDescNext = 1;  // the packet continues in the next descriptor

static_assert(sizeof(WireMsg) == kMsgSize);
static_assert(sizeof(Hello) == 43 && sizeof(Init) == 63 && sizeof(AddRegion) == 10 && sizeof(AddRing) == 13);
static_assert(sizeof(Disconnect) == 100 && sizeof(Desc) == 16);

// Ring header: cookie and flags, head on its own cache line, tail on the
// next, descriptors from byte 128. head and tail are free-running 16-bit
// indexes; the client always writes head, the server always writes tail.
constexpr uint16_t kRingMaskInterrupt = 1;  // the receiver polls: no eventfd kick wanted
struct RingHeader {
  uint32_t cookie;
  uint16_t flags;
  uint16_t head;
  uint8_t pad0[56];
  uint16_t tail;
  uint8_t pad1[62];
};
static_assert(sizeof(RingHeader) == 128 && offsetof(RingHeader, head) == 6 && offsetof(RingHeader, tail) == 64);

inline uint64_t ring_bytes(uint8_t log2) { return sizeof(RingHeader) + sizeof(Desc) * (uint64_t(1) << log2); }

}  // namespace rs::memif
