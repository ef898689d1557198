// mac: rewrite source MAC to the tx port's and destination MAC to the tx
// port's eth-peer, then forward (testpmd's macfwd.c).
#include <cstring>
#include "../packet.h"
#include "engines.h"

namespace rs {

namespace {
struct MacScratch {
  uint8_t dst_src[12];  // dst then src, in header order: one copy per packet
};
static_assert(sizeof(MacScratch) <= sizeof(FwdStream::scratch));
}  // namespace

// Addresses are taken once at start: poll threads never read Port's MAC or the
// settings vector per packet, and `mac_addr set` during forwarding cannot tear.
static void mac_init(FwdStream& fs, const FwdSettings& s) {
  auto* sc = reinterpret_cast<MacScratch*>(fs.scratch);
  MacAddr dst = fs.tx_port < s.eth_peer.size() ? s.eth_peer[fs.tx_port] : MacAddr{};
  MacAddr src = fs.tx->mac();
  std::memcpy(sc->dst_src, dst.data(), 6);
  std::memcpy(sc->dst_src + 6, src.data(), 6);
}

static bool mac_fwd(FwdStream& fs, const FwdSettings& s) {
  const auto* sc = reinterpret_cast<const MacScratch*>(fs.scratch);
  Mbuf* pkts[kMaxBurst];
  uint16_t n = fwd_rx(fs, pkts, s.burst);
  for (uint16_t i = 0; i < n; i++) {
    if (pkts[i]->data_len < sizeof(EtherHdr)) continue;  // runt: leave as is
    std::memcpy(pkts[i]->data(), sc->dst_src, 12);
  }
  fwd_tx_and_free_rest(fs, pkts, n);
  return n != 0;
}

const FwdEngine fwd_mac = {"mac", "set source MAC to the tx port's and destination MAC to its eth-peer, then forward",
                           mac_init, mac_fwd};

}  // namespace rs
