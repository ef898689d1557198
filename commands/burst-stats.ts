// testpmd's burst statistics (`set record-burst-stats on`): the command, and
// the "RX-bursts : N [x% of 32 pkts + y% of 0 pkts + z% of other]" line that
// stop and show fwd stats print under a port, or under a stream when there are
// more streams than ports (testpmd's pkt_burst_stats_display).
import type { CommandSpec } from './spec.js';
import { choice, w } from './spec.js';
import { message } from './util.js';

type Spread = [size: number, bursts: number][];

// Empty bursts always come first, then the two most frequent sizes, then the rest.
export function burstLine(dir: 'RX' | 'TX', spread: Spread | undefined): string | undefined {
  if (!spread) return undefined;
  const total = spread.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return undefined;
  const empty = spread.find(([size]) => size === 0)?.[1] ?? 0;
  const top = spread.filter(([size]) => size > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 2);
  const shown: [number, number][] = [[0, empty], ...top];
  const parts: string[] = [];
  let sum = 0;
  let pct = 0;
  for (const [size, count] of shown) {
    sum += count;
    if (sum === total) return `  ${dir}-bursts : ${total} [${[...parts, `${100 - pct}% of ${size} pkts`].join(' + ')}]`;
    const p = Math.trunc((count / total) * 100);
    parts.push(`${p}% of ${size} pkts`);
    pct += p;
  }
  return `  ${dir}-bursts : ${total} [${[...parts, `${100 - pct}% of other`].join(' + ')}]`;
}

export const burstStats: CommandSpec[] = [
  {
    tokens: [w('set'), w('record-burst-stats'), choice('state', [{ word: 'on', help: 'record' }, { word: 'off', help: 'do not record' }])],
    help: 'Record the sizes of rx and tx bursts from the next start: stop and show fwd stats all show them.',
    section: 'config',
    handler: (s, a) => {
      s.fwd.setRecordBurstStats(a.state === 'on');
      return message(`Burst statistics ${a.state === 'on' ? 'recorded from the next start' : 'not recorded'}`);
    },
  },
];
