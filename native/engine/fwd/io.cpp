// io: forward every received burst unchanged (testpmd's iofwd.c).
#include "engines.h"

namespace rs {

static bool io_fwd(FwdStream& fs, const FwdSettings& s) {
  Mbuf* pkts[kMaxBurst];
  uint16_t n = fwd_rx(fs, pkts, s.burst);
  fwd_tx_and_free_rest(fs, pkts, n);
  return n != 0;
}

const FwdEngine fwd_io = {"io", "forward packets unchanged from the rx port to the tx port", nullptr, io_fwd};

}  // namespace rs
