// txonly: generate packets from the template (gen/template.h; by default
// UDP/IPv4 192.168.0.1:9 -> 192.168.0.2:9 as testpmd's) and send them,
// receiving nothing (testpmd's txonly.c). Also the engine behind
// `start tx_first`. Sizes from `set txpkts` (or an IMIX list), rate from
// `set txrate`, a packet count from `set txcount`; every packet carries a
// sequence number and timestamp when its payload has room (gen/latency.h).
#include <algorithm>
#include "../poll_clock.h"
#include "engines.h"

namespace rs {

// How the port's rate and count are shared: the streams sending on tx port
// P are exactly the streams of one rx port (every topology maps rx ports to
// tx ports one to one), max(nb rx queues, nb tx queues) of them, and stream
// q of them uses rx queue q % nb_rx and tx queue q % nb_tx (engine_streams.cpp's
// make_plan), so q is whichever queue index is the larger count's.
static void share_of(const FwdStream& fs, uint32_t* share, uint32_t* index) {
  uint32_t nrx = fs.rx->nb_rx_queues(), ntx = fs.tx->nb_tx_queues();
  *share = std::max<uint32_t>(1, std::max(nrx, ntx));
  *index = nrx >= ntx ? fs.rx_queue : fs.tx_queue;
}

void fwd_txgen_init(FwdStream& fs, const FwdSettings& s, bool vary_flows) {
  if (!fs.txgen) fs.txgen = std::make_unique<gen::TxGen>();
  uint32_t share, index;
  share_of(fs, &share, &index);
  const gen::GenSettings& g = s.gen;
  gen::TxRate rate = fs.tx_port < g.rate.size() ? g.rate[fs.tx_port] : gen::TxRate{};
  uint64_t count = fs.tx_port < g.count.size() ? g.count[fs.tx_port] : 0;
  uint32_t len = 0;
  for (uint16_t seg : s.txpkts) len += seg;
  gen::TxGenParams p{};
  p.gen = &g;
  p.txpkts_len = len;
  p.data_room = s.pool ? s.pool->data_room() : Mempool::kDefaultDataRoom;
  p.src_mac = fs.tx->mac();
  p.dst_mac = fs.tx_port < s.eth_peer.size() ? s.eth_peer[fs.tx_port] : MacAddr{};
  p.src_id = static_cast<uint16_t>((fs.tx_port << 8) | (fs.tx_queue & 0xff));
  p.vary_flows = vary_flows;
  p.burst = s.burst;
  p.rate_bytes = rate.mbps;
  p.rate_per_s = rate.tokens_per_s() / share + (index < rate.tokens_per_s() % share ? 1 : 0);
  p.limited = count != 0;
  p.count = count / share + (index < count % share ? 1 : 0);
  fs.txgen->init(p, monotonic_ns());
}

bool fwd_txgen_burst(FwdStream& fs, const FwdSettings& s) {
  Mbuf* pkts[kMaxBurst];
  uint16_t n = fs.txgen->fill(s.pool, pkts, s.burst, monotonic_ns());
  for (uint16_t i = 0; i < n; i++) pkts[i]->port = fs.tx_port;
  fwd_tx_and_free_rest(fs, pkts, n);
  return n != 0;
}

static void txonly_init(FwdStream& fs, const FwdSettings& s) { fwd_txgen_init(fs, s, false); }

static bool txonly_fwd(FwdStream& fs, const FwdSettings& s) { return fwd_txgen_burst(fs, s); }

const FwdEngine fwd_txonly = {"txonly",
                              "generate packets from the template (set txpkts/txl2/txl3/txl4, default UDP/IPv4) and "
                              "send them; receive nothing",
                              txonly_init, txonly_fwd};

}  // namespace rs
