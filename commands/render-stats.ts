// Statistics in testpmd's exact shapes (nic_stats_display, fwd_stats_display,
// nic_xstats_display). Spacing follows testpmd's printf formats.
import type { StyledLine } from './types.js';
import type { FwdStats, PortStatsResult, PortXstatsResult, PortsClearedResult } from './results.js';
import { L } from './util.js';
import type { StreamCounters } from '../native/addon.js';
import { burstLine } from './burst-stats.js';

const left = (n: number | string, width: number): string => String(n).padEnd(width);   // %-Nd
const right = (n: number | string, width: number): string => String(n).padStart(width); // %Nd

const NIC_BORDER = '#'.repeat(24);
const FWD_BORDER = '-'.repeat(22);
const ACC_BORDER = '+'.repeat(15);
const STREAM_BORDER = '-'.repeat(7);

export function renderPortStats(r: PortStatsResult): StyledLine[] {
  const out: StyledLine[] = [];
  for (const { counters: c, throughput: t, xstats } of r.ports) {
    out.push(L(''));
    out.push(L(`  ${NIC_BORDER} NIC statistics for port ${left(c.id, 2)} ${NIC_BORDER}`, 'heading'));
    out.push(L(`  RX-packets: ${left(c.rxPackets, 10)} RX-missed: ${left(c.rxMissed, 10)} RX-bytes:  ${c.rxBytes}`));
    out.push(L(`  RX-errors: ${c.rxErrors}`));
    out.push(L(`  RX-nombuf:  ${left(c.rxNombuf, 10)}`));
    out.push(L(`  TX-packets: ${left(c.txPackets, 10)} TX-errors: ${left(c.txErrors, 10)} TX-bytes:  ${c.txBytes}`));
    out.push(L(''));
    out.push(L('  Throughput (since last show)'));
    out.push(L(`  Rx-pps: ${right(t.rxPps, 12)}          Rx-bps: ${right(t.rxBps, 12)}`));
    out.push(L(`  Tx-pps: ${right(t.txPps, 12)}          Tx-bps: ${right(t.txBps, 12)}`));
    if (xstats) {  // --display-xstats
      out.push(L(''), L(`${' '.repeat(31)}${'Value'.padEnd(17)}Rate (since last show)`));
      for (const x of xstats) out.push(L(`  ${x.name.padEnd(25)}${right(x.value, 12)} ${right(x.rate, 15)}`));
    }
    out.push(L(`  ${NIC_BORDER}${'#'.repeat(28)}${NIC_BORDER}`, 'heading'));
  }
  return out;
}

export function renderPortStatsCleared(r: PortsClearedResult): StyledLine[] {
  return r.ports.flatMap((id) => [L(''), L(`  NIC statistics for port ${id} cleared`)]);
}

export function renderXstats(r: PortXstatsResult): StyledLine[] {
  const out: StyledLine[] = [];
  for (const p of r.ports) {
    out.push(L(`###### NIC extended statistics for port ${left(p.id, 2)}`, 'heading'));
    for (const [name, value] of p.stats) out.push(L(`${name}: ${value}`));
  }
  return out;
}

function burstLines(rx: StreamCounters | undefined, tx: StreamCounters | undefined): StyledLine[] {
  return [burstLine('RX', rx?.rxBursts), burstLine('TX', tx?.txBursts)].filter((l) => l !== undefined).map((l) => L(l));
}

export function renderFwdStats(s: FwdStats): StyledLine[] {
  const out: StyledLine[] = [];
  if (s.showStreams) {
    for (const st of s.streams) {
      if (st.rxPackets === 0 && st.txPackets === 0 && st.fwdDropped === 0) continue;
      out.push(L(''));
      out.push(L(`  ${STREAM_BORDER} Forward Stats for RX Port=${right(st.rxPort, 2)}/Queue=${right(st.rxQueue, 2)}`
        + ` -> TX Port=${right(st.txPort, 2)}/Queue=${right(st.txQueue, 2)} ${STREAM_BORDER}`, 'heading'));
      out.push(L(`  RX-packets: ${left(st.rxPackets, 14)} TX-packets: ${left(st.txPackets, 14)} TX-dropped: ${left(st.fwdDropped, 14)}`.trimEnd()));
      out.push(...burstLines(st, st));
    }
  }
  const acc = { rx: 0, rxd: 0, tx: 0, txd: 0 };
  for (const p of s.ports) {
    acc.rx += p.rxPackets; acc.rxd += p.rxDropped; acc.tx += p.txPackets; acc.txd += p.txDropped;
    out.push(L(''));
    out.push(L(`  ${FWD_BORDER} Forward statistics for port ${left(p.id, 2)} ${FWD_BORDER}`, 'heading'));
    out.push(L(`  RX-packets: ${left(p.rxPackets, 14)} RX-dropped: ${left(p.rxDropped, 14)}RX-total: ${p.rxPackets + p.rxDropped}`));
    if (s.csum) {
      out.push(L(`  Bad-ipcsum: ${left(p.badIpCsum, 14)} Bad-l4csum: ${left(p.badL4Csum, 14)}Bad-outer-l4csum: ${left(0, 14)}`));
      out.push(L(`  Bad-outer-ipcsum: ${left(0, 14)}`));
    }
    out.push(L(`  TX-packets: ${left(p.txPackets, 14)} TX-dropped: ${left(p.txDropped, 14)}TX-total: ${p.txPackets + p.txDropped}`));
    // one stream per port: its bursts are the port's (testpmd's ports_stats[].rx_stream, tx_stream)
    if (!s.showStreams) out.push(...burstLines(s.streams.find((st) => st.rxPort === p.id), s.streams.find((st) => st.txPort === p.id)));
    out.push(L(`  ${'-'.repeat(76)}`, 'heading'));
  }
  out.push(L(''));
  out.push(L(`  ${ACC_BORDER} Accumulated forward statistics for all ports${ACC_BORDER}`, 'heading'));
  out.push(L(`  RX-packets: ${left(acc.rx, 14)} RX-dropped: ${left(acc.rxd, 14)}RX-total: ${acc.rx + acc.rxd}`));
  out.push(L(`  TX-packets: ${left(acc.tx, 14)} TX-dropped: ${left(acc.txd, 14)}TX-total: ${acc.tx + acc.txd}`));
  out.push(L(`  ${'+'.repeat(76)}`, 'heading'));
  if (s.cycles) {  // testpmd's record-core-cycles line
    const c = s.cycles;
    out.push(L(''), L(`  CPU cycles/packet=${(c.cycles / c.packets).toFixed(2)} (total cycles=${c.cycles} / total ${c.mode} packets=${c.packets}) at ${c.mhz} MHz Clock`));
  }
  return out;
}

export function renderFwdStop(s: FwdStats): StyledLine[] {
  return [
    L('Telling cores to stop...'),
    L('Waiting for lcores to finish...'),
    ...renderFwdStats(s),
    L(''),
    L('Done.', 'ok'),
  ];
}
