// `show port N rxq|txq Q info|ring`, `show mempool`, `show lcores`. The queue
// info block follows testpmd's rx_queue_infos_display shape (its border line
// and "Number of RXDs"), then adds the ring indices testpmd cannot see.
import type { DescriptorInfo, QueueInfo, RingStateInfo } from '../native/diag.js';
import type { LcoresResult, MempoolResult, QueueInfoResult, QueueRingResult } from './results.js';
import type { StyledLine } from './types.js';
import { L } from './util.js';

const BORDER = '*********************';

function banner(q: QueueInfo, what = 'Infos'): StyledLine {
  const port = String(q.port).padEnd(2);
  const queue = String(q.queue).padEnd(2);
  return L(`${BORDER} ${what} for port ${port}, ${q.dir.toUpperCase()} queue ${queue} ${BORDER}`, 'heading');
}

function ringLine(r: RingStateInfo): string {
  const hw = !r.tracksHighWater ? 'n/a' : r.highWaterSampled ? `${r.highWater} (sampled)` : String(r.highWater);
  return `${r.name.padEnd(10)} size ${r.size}  producer ${r.producer}  consumer ${r.consumer}  `
    + `occupancy ${r.occupancy}  high-water ${hw}`;
}

export function renderQueueInfo(r: QueueInfoResult): StyledLine[] {
  const q = r.info;
  const desc = q.dir === 'rx' ? 'RXDs' : 'TXDs';
  const dir = q.dir.toUpperCase();
  const out = [banner(q), L(`Mempool: ${r.pool}`), L(`Queue kind: ${q.kind}`),
    L(`${dir} deferred start: ${q.deferredStart ? 'on' : 'off'}`), L(`${dir} queue state: ${q.started ? 'started' : 'stopped'}`),
    L(`Number of ${desc}: ${q.rings[0]?.size ?? q.nbDesc}`)];
  for (const ring of q.rings) out.push(L(`Ring ${ringLine(ring)}`));
  const last = q.dir === 'rx' ? `Empty polls: ${q.emptyPolls}` : `Full (refused): ${q.full}`;
  out.push(L(`Packets: ${q.packets}  Bytes: ${q.bytes}  Errors: ${q.errors}  ${last}`));
  return out;
}

function descriptorLine(d: DescriptorInfo): string {
  return `${d.ring.padEnd(10)} [${String(d.index).padStart(6)}] ${Object.entries(d.fields).map(([k, v]) => `${k}=${v}`).join(' ')}`;
}

export function renderQueueRing(r: QueueRingResult): StyledLine[] {
  const out = [banner(r.info, 'Ring'), L(`Queue kind: ${r.info.kind}`)];
  for (const ring of r.info.rings) out.push(L(`Ring ${ringLine(ring)}`));
  if (r.info.rings.length === 0) out.push(L('This queue has no ring of ours to show', 'dim'));
  else if (r.descriptors.length === 0) out.push(L('No descriptors between consumer and producer', 'dim'));
  for (const d of r.descriptors) out.push(L(descriptorLine(d)));
  return out;
}

export function renderMempool(r: MempoolResult): StyledLine[] {
  const m = r.pool;
  const out = [
    L(`${BORDER} Mempool ${m.name} ${BORDER}`, 'heading'),
    L(`Size: ${m.size}  In use: ${m.inUse}  Free: ${m.available}  Allocation failures: ${m.allocFailures}`),
    L(`Per-lcore caches: ${m.caches.length ? m.caches.map((c) => `lcore ${c.lcore}: ${c.mbufs}`).join(', ') : 'all empty'}`),
  ];
  if (!m.holdersKnown) {
    out.push(L('Holders: listed when forwarding and replays are stopped (rings and caches are in use now)', 'dim'));
    return out;
  }
  for (const h of m.holders) {
    out.push(h.inRing
      ? L(`Held by ${h.name}: ${h.mbufs} mbufs`)
      : L(`Leaked: ${h.mbufs} mbufs in no ring or cache, last received on ${h.name}`, 'warning'));
  }
  return out;
}

export function renderLcores(r: LcoresResult): StyledLine[] {
  if (r.lcores.length === 0) return [L('No forwarding lcores (no started port)', 'dim')];
  const out = [L('  lcore  cpu  streams      busy %   busy bursts/s   idle polls/s', 'heading')];
  for (const l of r.lcores) {
    const total = l.busyCycles + l.idleCycles;
    const busy = total > 0 ? ((100 * l.busyCycles) / total).toFixed(1) : '-';
    const rate = (n: number): string => (l.seconds > 0 ? Math.round(n / l.seconds).toString() : '-');
    out.push(L(`  ${String(l.lcore).padStart(5)}  ${String(l.cpu).padStart(3)}  ${(l.streams.join(',') || '-').padEnd(10)}  `
      + `${busy.padStart(7)}   ${rate(l.busyPolls).padStart(13)}   ${rate(l.idlePolls).padStart(12)}`));
  }
  return out;
}

// The result kinds this file renders, or null for others.
