// rxonly: receive and free (testpmd's rxonly.c); a sink for measuring rx.
// Packets stamped by a ringside generator are measured on the way: loss,
// duplicates, reordering and latency (`show port latency N`, gen/latency.h).
#include "engines.h"

namespace rs {

void fwd_measure_init(FwdStream& fs) {
  if (!fs.lat) fs.lat = std::make_unique<gen::LatencyTracker>();
}

static void rxonly_init(FwdStream& fs, const FwdSettings& s) { fwd_measure_init(fs); }

static bool rxonly_fwd(FwdStream& fs, const FwdSettings& s) {
  Mbuf* pkts[kMaxBurst];
  uint16_t n = fwd_rx(fs, pkts, s.burst);
  if (n) {
    fwd_measure(fs, pkts, n);
    mbuf_free_bulk(pkts, n);
  }
  return n != 0;
}

const FwdEngine fwd_rxonly = {"rxonly", "receive packets and free them, measuring generated ones (show port latency)",
                              rxonly_init, rxonly_fwd};

}  // namespace rs
