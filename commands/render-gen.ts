// Generation results as lines: `show config txpkts` and `show port latency`
// (in the ##### block shape of testpmd's port statistics).
import type { StyledLine } from './types.js';
import type { GenConfigResult, PortLatencyResult } from './results.js';
import { describeTemplate, flowCount } from './gen.js';
import { L } from './util.js';


// 1234 ns -> "1.23 us"
export function fmtNs(ns: number): string {
  if (ns < 1000) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

export function renderGenConfig(r: GenConfigResult): StyledLine[] {
  const g = r.settings;
  const sizes = g.imix.length
    ? `IMIX ${g.imix.map((x) => `${x.len}:${x.weight}`).join(',')}`
    : `${r.txpkts.reduce((a, b) => a + b, 0)} bytes (txpkts ${r.txpkts.join(',')})`;
  const payload = g.payload === 'fixed' ? `fixed 0x${g.payloadByte.toString(16).padStart(2, '0')}` : g.payload;
  const f = g.flows;
  const flows = flowCount(f);
  const out = [
    L(`Tx packets (${r.mode} mode; used by txonly, flowgen and start tx_first):`, 'heading'),
    L(`  template: ${describeTemplate(g)}${g.l4 === 'tcp' ? ` flags 0x${g.tcpFlags.toString(16).padStart(2, '0')}` : ''} ttl ${g.ttl}`),
    L(`  sizes:    ${sizes}`),
    L(`  payload:  ${payload}, stamp ${g.stamp ? 'on (sequence + timestamp when the payload has 16 bytes)' : 'off'}`),
    L(`  flowgen:  ${flows} flow${flows === 1n ? '' : 's'} (src-ip ${f.srcIp} x dst-ip ${f.dstIp} x src-port ${f.srcPort} x dst-port ${f.dstPort})`),
  ];
  for (const p of r.ports) {
    const rate = p.rate.value === 0 ? 'unpaced' : `${p.rate.value} ${p.rate.unit === 'pps' ? 'pps' : 'Mbit/s'}`;
    out.push(L(`  port ${p.id}:   rate ${rate}, count ${p.count === 0 ? 'unlimited' : p.count}`));
  }
  return out;
}

export function renderPortLatency(r: PortLatencyResult): StyledLine[] {
  const out: StyledLine[] = [];
  for (const p of r.ports) {
    const title = `  Latency for port ${p.port}  `;
    out.push(L(''), L(`${'#'.repeat(10)}${title}${'#'.repeat(Math.max(4, 60 - title.length))}`, 'heading'));
    if (p.stamped === 0) {
      out.push(L('  No stamped packets received: run rxonly (or flowgen) here while a ringside generator sends to this port', 'dim'));
    } else {
      const pct = (n: number): string => (p.expected ? ` (${((100 * n) / p.expected).toFixed(3)}%)` : '');
      out.push(L(`  Received: ${String(p.stamped).padEnd(12)} Expected: ${String(p.expected).padEnd(12)} Sources: ${p.sources}`));
      out.push(L(`  Lost:     ${(String(p.lost) + pct(p.lost)).padEnd(24)} Duplicates: ${String(p.duplicates).padEnd(10)} Reordered: ${p.reordered}`,
        p.lost || p.duplicates || p.reordered ? 'warning' : 'normal'));
      if (p.untracked || p.badTime) out.push(L(`  Untracked sources: ${p.untracked}  Bad timestamps: ${p.badTime}`, 'warning'));
      if (p.latCount) {
        out.push(L(`  Latency:  min ${fmtNs(p.minNs)}  avg ${fmtNs(p.avgNs)}  p50 ${fmtNs(p.p50Ns)}  p99 ${fmtNs(p.p99Ns)}  max ${fmtNs(p.maxNs)}`));
        const most = Math.max(...p.histogram.map((b) => b.count));
        for (const b of p.histogram) {
          const bar = '*'.repeat(Math.max(1, Math.round((40 * b.count) / most)));
          out.push(L(`    ${`${fmtNs(b.loNs)} ..`.padStart(13)} ${fmtNs(b.hiNs).padEnd(10)} ${String(b.count).padStart(12)} ${bar}`));
        }
      }
    }
    out.push(L(`  ${'#'.repeat(68)}`, 'heading'));
  }
  return out;
}

// The dispatcher render.ts falls back to: lines for the kinds above, else undefined.
