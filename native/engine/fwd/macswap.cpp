// macswap: swap source and destination MAC, then forward (testpmd's macswap.c).
#include "../packet.h"
#include "engines.h"

namespace rs {

static bool macswap_fwd(FwdStream& fs, const FwdSettings& s) {
  Mbuf* pkts[kMaxBurst];
  uint16_t n = fwd_rx(fs, pkts, s.burst);
  for (uint16_t i = 0; i < n; i++) {
    // Frames too short for an Ethernet header go out untouched rather than
    // being read past their end.
    if (pkts[i]->data_len < sizeof(EtherHdr)) continue;
    auto* eth = pkts[i]->at<EtherHdr>(0);
    swap_bytes<6>(eth->dst, eth->src);
  }
  fwd_tx_and_free_rest(fs, pkts, n);
  return n != 0;
}

const FwdEngine fwd_macswap = {"macswap", "swap source and destination MAC addresses, then forward", nullptr,
                               macswap_fwd};

}  // namespace rs
