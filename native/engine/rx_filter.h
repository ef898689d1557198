// A port's receive address filter in software, as a NIC's with promiscuous
// mode off: broadcast, frames to one of the port's unicast addresses, and
// multicast the port joined (or any multicast with allmulti) pass; the rest is
// freed. Immutable once published: the control thread builds a new one and
// swaps the pointer (Port::publish_rx_filter), so the poll thread reads it
// without locks.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>
#include "mempool.h"

namespace rs {

struct RxFilter {
  std::vector<std::array<uint8_t, 6>> unicast;    // the port's own address first
  std::vector<std::array<uint8_t, 6>> multicast;  // joined groups
  bool allmulti = false;

  bool accepts(const uint8_t* dst) const {
    if (dst[0] & 1) {
      if (allmulti) return true;
      static constexpr uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
      if (std::memcmp(dst, kBroadcast, 6) == 0) return true;
      return listed(multicast, dst);
    }
    return listed(unicast, dst);
  }

  // Keeps the accepted packets at the front of pkts, in order, and frees the
  // others in one bulk call; returns how many are kept, *dropped_bytes the
  // bytes of the others.
  uint16_t keep(Mbuf** pkts, uint16_t n, uint64_t* dropped_bytes) const {
    Mbuf* drop[256];
    uint16_t kept = 0, nd = 0;
    uint64_t bytes = 0;
    for (uint16_t i = 0; i < n; i++) {
      Mbuf* m = pkts[i];
      if (m->data_len < 6 || accepts(m->data())) {
        pkts[kept++] = m;
      } else {
        bytes += m->data_len;
        drop[nd++] = m;
        if (nd == sizeof drop / sizeof drop[0]) { mbuf_free_bulk(drop, nd); nd = 0; }
      }
    }
    if (nd) mbuf_free_bulk(drop, nd);
    *dropped_bytes = bytes;
    return kept;
  }

 private:
  static bool listed(const std::vector<std::array<uint8_t, 6>>& l, const uint8_t* dst) {
    for (const auto& a : l)
      if (std::memcmp(a.data(), dst, 6) == 0) return true;
    return false;
  }
};

}  // namespace rs
