// Control messages between the wire (128 bytes) and a checked native form.
// decode() refuses anything malformed with a reason fit for the disconnect
// message and the user's line; protocol order is the channel's business.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include "memif/proto.h"

namespace rs::memif {

struct Message {
  MsgType type = MsgType::None;
  std::string name;  // hello/init: application name; connect/connected: interface name; disconnect: reason
  // hello
  uint16_t min_version = 0, max_version = 0, max_region = 0, max_c2s_ring = 0, max_s2c_ring = 0;
  uint8_t max_log2_ring_size = 0;
  // init
  uint16_t version = 0;
  uint32_t id = 0;
  uint8_t mode = 0;
  std::string secret;
  // add_region (index, size) and add_ring (flags, index, region, offset, log2)
  uint16_t index = 0;
  uint64_t size = 0;
  uint16_t flags = 0, region = 0;
  uint32_t offset = 0;
  uint8_t log2_ring_size = 0;
  uint16_t private_hdr_size = 0;
  // disconnect
  uint32_t code = 0;
};

// Returns "" and fills out, or says what is wrong with the bytes.
std::string decode(const void* buf, size_t len, Message* out);
// The wire form; strings are cut to their fields (always NUL-terminated).
WireMsg encode(const Message& m);

}  // namespace rs::memif
