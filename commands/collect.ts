// testpmd's extended statistics of a port, from its counters.
import type { PortCounters } from '../native/addon.js';

// The session computes the forward statistics; scenarios/conditions.ts still
// imports them from here (until it imports session/fwd.js itself).
export { collectFwdStats } from '../session/fwd.js';

// testpmd's extended stats names for what a port counts.
export function xstatsOf(c: PortCounters): [string, number][] {
  const out: [string, number][] = [
    ['rx_good_packets', c.rxPackets],
    ['tx_good_packets', c.txPackets],
    ['rx_good_bytes', c.rxBytes],
    ['tx_good_bytes', c.txBytes],
    ['rx_missed_errors', c.rxMissed],
    ['rx_errors', c.rxErrors],
    ['tx_errors', c.txErrors],
    ['rx_mbuf_allocation_errors', c.rxNombuf],
  ];
  c.rxq.forEach((q, i) => {
    out.push([`rx_q${i}_packets`, q.packets], [`rx_q${i}_bytes`, q.bytes], [`rx_q${i}_errors`, q.errors]);
  });
  c.txq.forEach((q, i) => {
    out.push([`tx_q${i}_packets`, q.packets], [`tx_q${i}_bytes`, q.bytes]);
  });
  return out;
}
