// flowgen: like txonly, but every packet belongs to the next flow of the
// ranges set by `set flowgen` (source/destination address and port), so RSS
// and flow rules see many flows (testpmd's flowgen.c). Like testpmd's, it
// also receives and frees what arrives, and measures the stamps of what it
// receives (`show port latency N`), so two flowgen ports measure each other.
#include "engines.h"

namespace rs {

static void flowgen_init(FwdStream& fs, const FwdSettings& s) {
  fwd_txgen_init(fs, s, true);
  fwd_measure_init(fs);
}

static bool flowgen_fwd(FwdStream& fs, const FwdSettings& s) {
  Mbuf* pkts[kMaxBurst];
  uint16_t n = fwd_rx(fs, pkts, s.burst);
  if (n) {
    fwd_measure(fs, pkts, n);
    mbuf_free_bulk(pkts, n);
  }
  bool sent = fwd_txgen_burst(fs, s);
  return n != 0 || sent;
}

const FwdEngine fwd_flowgen = {"flowgen",
                               "generate packets over many flows (set flowgen ...) and send them; receive, measure "
                               "and free",
                               flowgen_init, flowgen_fwd};

}  // namespace rs
