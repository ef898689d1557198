// A seeded xorshift64 generator for the deterministic mutation tests: the
// same seed gives the same cases on every run and machine.
#pragma once
#include <cstdint>

struct Xorshift {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  uint32_t below(uint64_t n) { return n ? static_cast<uint32_t>(next() % n) : 0; }
};
