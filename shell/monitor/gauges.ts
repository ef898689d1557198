// What the dashboard's gauges show, kept apart from the drawing so it can be
// tested: the ring closest to full (where packets start to drop or wait) and
// the mbuf pool.
import type { Occupancy } from './protocol.js';

// A fill ring is full when healthy (it holds the frames the kernel may
// receive into), so it never counts as the fullest.
const fullWhenHealthy = (o: Occupancy): boolean => / fill$/.test(o.name);

export function fullestRing(rings: Occupancy[]): Occupancy | undefined {
  let best: Occupancy | undefined;
  for (const o of rings) {
    if (o.size === 0 || fullWhenHealthy(o)) continue;
    if (!best || o.used / o.size > best.used / best.size) best = o;
  }
  return best;
}

export const percent = (used: number, size: number): number => (size > 0 ? Math.round((100 * used) / size) : 0);
