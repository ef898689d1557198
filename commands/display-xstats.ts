// testpmd's --display-xstats NAME[,NAME...]: `show port stats` (and the
// --stats-period display) adds those xstats with their rate since the last show
// (testpmd's nic_xstats_display_periodic). Names a port does not have are left out.
import type { Session } from '../session/session.js';
import type { PortCounters } from '../native/addon.js';
import { perSession } from './per-session.js';
import { xstatsOf } from './collect.js';

export interface XstatRate { name: string; value: number; rate: number }

const lastShown = perSession(() => new Map<number, { ns: number; values: Map<string, number> }>());

export function displayedXstats(s: Session, c: PortCounters, timeNs: number): XstatRate[] | undefined {
  const names = s.options.displayXstats;
  if (!names || names.length === 0) return undefined;
  const all = new Map(xstatsOf(c));
  const prev = lastShown(s).get(c.id);
  const ns = prev ? timeNs - prev.ns : 0;
  const out = names.filter((n) => all.has(n)).map((name) => {
    const value = all.get(name)!;
    const before = prev?.values.get(name) ?? value;
    return { name, value, rate: ns > 0 && value > before ? Math.floor(((value - before) / ns) * 1e9) : 0 };
  });
  lastShown(s).set(c.id, { ns: timeNs, values: all });
  return out;
}
