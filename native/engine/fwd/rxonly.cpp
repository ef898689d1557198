// rxonly: receive and free (testpmd's rxonly.c); a sink for measuring rx.
#include "engines.h"

namespace rs {

static void rxonly_fwd(FwdStream& fs, const FwdSettings& s) {
  Mbuf* pkts[kMaxBurst];
  uint16_t n = fwd_rx(fs, pkts, s.burst);
  if (n) mbuf_free_bulk(pkts, n);
}

const FwdEngine fwd_rxonly = {"rxonly", "receive packets and free them", nullptr, rxonly_fwd};

}  // namespace rs
