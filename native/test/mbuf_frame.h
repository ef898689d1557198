// Test helper: a frame's bytes into an mbuf, as a driver's rx would leave them.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>
#include "mbuf.h"

namespace cls_test {

inline void put_frame(rs::Mbuf* m, const std::vector<uint8_t>& f) {
  std::memcpy(m->data(), f.data(), f.size());
  m->data_len = static_cast<uint16_t>(f.size());
}

}  // namespace cls_test
