// Toeplitz hash as NICs compute RSS (Microsoft's "RSS hashing functions"):
// for every input bit set, from the most significant bit of byte 0 onwards,
// XOR in the 32 key bits that start at that bit position.
//
// toeplitz_hash() is the bit-by-bit reference; ToeplitzTable precomputes, for
// one key, the contribution of every byte value at every input position, so
// a 12-byte IPv4 4-tuple costs 12 table loads per packet.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rs {

constexpr std::size_t kRssKeyLen = 40;
// Longest hash input: IPv6 source + destination + ports.
constexpr std::size_t kRssMaxInput = 36;

// The default key of DPDK's drivers and of Microsoft's verification suite.
inline constexpr uint8_t kDefaultRssKey[kRssKeyLen] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

// Reference: len must be <= key_len - 4 (the key must cover 32 bits past the
// last input bit).
inline uint32_t toeplitz_hash(const uint8_t* key, std::size_t key_len, const uint8_t* in, std::size_t len) {
  uint32_t result = 0;
  // window holds key bits [8*i, 8*i + 64) for input byte i.
  uint64_t window = 0;
  for (std::size_t k = 0; k < 8; k++) window = window << 8 | (k < key_len ? key[k] : 0);
  for (std::size_t i = 0; i < len; i++) {
    for (int bit = 0; bit < 8; bit++)
      if (in[i] & (0x80 >> bit)) result ^= static_cast<uint32_t>(window >> (32 - bit));
    std::size_t next = i + 8;
    window = window << 8 | (next < key_len ? key[next] : 0);
  }
  return result;
}

class ToeplitzTable {
 public:
  explicit ToeplitzTable(const uint8_t* key = kDefaultRssKey) { set_key(key); }

  void set_key(const uint8_t* key) {  // kRssKeyLen bytes
    for (std::size_t i = 0; i < kRssMaxInput; i++) {
      for (unsigned v = 0; v < 256; v++) {
        uint8_t in[kRssMaxInput] = {};
        in[i] = static_cast<uint8_t>(v);
        // Only byte i is set: hashing the prefix up to it gives its share.
        table_[i][v] = toeplitz_hash(key, kRssKeyLen, in, i + 1);
      }
    }
  }

  inline uint32_t hash(const uint8_t* in, std::size_t len) const {
    uint32_t h = 0;
    for (std::size_t i = 0; i < len; i++) h ^= table_[i][in[i]];
    return h;
  }

 private:
  uint32_t table_[kRssMaxInput][256];
};

}  // namespace rs
