// Builds the dashboard's snapshot messages from the engine. One snapshot()
// (a counter read that never blocks the poll threads) plus portInfo per port,
// every refresh period.
import type { NativeEngine, Snapshot } from '../../native/addon.js';
import type { MonitorPort, Occupancy, SnapMessage } from './protocol.js';

type FeedEngine = Pick<NativeEngine, 'snapshot' | 'portInfo' | 'fwdMode'>;

// HOOK: ring/queue occupancy. The engine does not expose ring fill levels yet.
// When it does (a diagnostics call named `ringOccupancy` returning
// { name, used, size }[]), the dashboard's occupancy rows and gauge show them;
// until then they show the mbuf pool's use, which is where a stalled ring
// shows up first (mbufs held in rings are in use).
export function occupancy(engine: FeedEngine, snap: Snapshot): Occupancy[] {
  const diag = (engine as { ringOccupancy?: () => Occupancy[] }).ringOccupancy;
  if (typeof diag === 'function') {
    try { return diag.call(engine); } catch { /* fall back to the pool */ }
  }
  return [{ name: `mbuf pool ${snap.pool.name}`, used: snap.pool.inUse, size: snap.pool.size }];
}

export function snapMessage(engine: FeedEngine): SnapMessage {
  const snap = engine.snapshot();
  const ports: MonitorPort[] = snap.ports.map((counters) => {
    let name = `port ${counters.id}`;
    let state: MonitorPort['state'] = 'stopped';
    let countsBytes = true;
    try {
      const info = engine.portInfo(counters.id);
      name = info.name;
      countsBytes = info.countsBytes;
      state = info.closed ? 'closed' : !info.started ? 'stopped' : info.link.up ? 'up' : 'down';
    } catch { /* detached meanwhile */ }
    return { id: counters.id, name, state, countsBytes, counters };
  });
  let mode = '?';
  try { mode = engine.fwdMode(); } catch { /* engine going away */ }
  return { t: 'snap', timeNs: snap.timeNs, forwarding: snap.forwarding, mode, ports, pool: snap.pool, occupancy: occupancy(engine, snap) };
}
