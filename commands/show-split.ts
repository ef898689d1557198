// testpmd's `show config rxoffs|rxpkts|rxhdrs|txtimes`: rx buffer split and tx
// send times, which need a NIC ('set rxpkts' and friends are refused), so
// ringside's configuration is always none: what testpmd prints when unset.
import type { CommandSpec } from './spec.js';
import { w } from './spec.js';
import { message } from './util.js';

const ROWS: [item: string, help: string, lines: string[]][] = [
  ['rxoffs', 'rx buffer split segment offsets', ['Number of offsets: 0']],
  ['rxpkts', 'rx buffer split segment sizes', ['Number of segments: 0']],
  ['rxhdrs', 'rx buffer split protocol headers', ['Number of segments: 0']],
  ['txtimes', 'tx send times of txonly bursts', ['Interburst gap: 0', 'Intraburst gap: 0']],
];

export const showSplit: CommandSpec[] = ROWS.map(([item, help, lines]) => ({
  tokens: [w('show'), w('config'), w(item)],
  help: `Show the ${help} (none: ringside receives and sends each packet in one mbuf).`,
  section: 'display',
  handler: () => message(...lines),
}));
