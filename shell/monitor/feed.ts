// Builds the dashboard's snapshot messages from the engine. One snapshot()
// (a counter read that never blocks the poll threads) plus portInfo per port,
// every refresh period.
import type { NativeEngine, Snapshot } from '../../native/addon.js';
import '../../native/diag.js';
import type { MonitorPort, Occupancy, SnapMessage } from './protocol.js';

type FeedEngine = Pick<NativeEngine, 'snapshot' | 'portInfo' | 'fwdMode' | 'ringOccupancy'>;

// Ring/queue occupancy from the diagnostics view (native/binding/diag.cpp):
// every ring of every configured queue, as `show port N rxq|txq Q info`
// reports it. Falls back to the mbuf pool's use if the call fails (the
// engine going away), which is where a stalled ring shows up too.
export function occupancy(engine: FeedEngine, snap: Snapshot): Occupancy[] {
  try { return engine.ringOccupancy(); } catch { /* fall back to the pool */ }
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
