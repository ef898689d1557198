// Tx retry for every engine (testpmd's retry_enabled): wait tx_retry_delay_us,
// busy, as rte_delay_us does, so the poll thread keeps its CPU, then offer
// the rest of the burst again.
#include "../poll_clock.h"
#include "fwd_engine.h"

namespace rs {

void fwd_tx_retry(FwdStream& fs, Mbuf** pkts, uint16_t n, uint16_t* sent) {
  for (uint32_t r = 0; r < fs.tx_retries && *sent < n; r++) {
    uint64_t until = monotonic_ns() + uint64_t{fs.tx_retry_delay_us} * 1000;
    while (monotonic_ns() < until) {
    }
    *sent = static_cast<uint16_t>(*sent + fs.tx->tx_burst(fs.tx_queue, pkts + *sent, static_cast<uint16_t>(n - *sent)));
  }
}

}  // namespace rs
