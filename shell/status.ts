// The one-line status under the prompt: ports up, forwarding mode, running or
// stopped, total rx/tx packets per second. Rates come from two engine
// snapshots (a cheap counter read), independent of `show port stats`.
import type { NativeEngine, Snapshot } from '../native/addon.js';

export interface StatusInfo {
  ports: number;
  portsUp: number;
  mode: string;
  forwarding: boolean;
  rxPps: number;
  txPps: number;
}

type StatusEngine = Pick<NativeEngine, 'snapshot' | 'portIds' | 'portInfo' | 'fwdMode'>;

export class StatusSampler {
  private prev: { timeNs: number; rx: number; tx: number } | undefined;
  constructor(private readonly engine: StatusEngine) {}

  sample(): StatusInfo | undefined {
    let snap: Snapshot;
    try { snap = this.engine.snapshot(); } catch { return undefined; }
    let portsUp = 0;
    let ports = 0;
    let mode = '?';
    try {
      for (const id of this.engine.portIds()) {
        const info = this.engine.portInfo(id);
        if (info.closed) continue;
        ports++;
        if (info.started && info.link.up) portsUp++;
      }
      mode = this.engine.fwdMode();
    } catch { /* engine going away: keep what we have */ }
    const rx = snap.ports.reduce((a, p) => a + p.rxPackets, 0);
    const tx = snap.ports.reduce((a, p) => a + p.txPackets, 0);
    const prev = this.prev;
    this.prev = { timeNs: snap.timeNs, rx, tx };
    const dt = prev ? (snap.timeNs - prev.timeNs) / 1e9 : 0;
    const rate = (now: number, before: number | undefined): number =>
      dt > 0 && before !== undefined && now >= before ? (now - before) / dt : 0;
    return { ports, portsUp, mode, forwarding: snap.forwarding, rxPps: rate(rx, prev?.rx), txPps: rate(tx, prev?.tx) };
  }
}

export function formatPps(pps: number): string {
  if (pps >= 1e6) return `${(pps / 1e6).toFixed(2)} Mpps`;
  if (pps >= 1e3) return `${(pps / 1e3).toFixed(1)} Kpps`;
  return `${Math.round(pps)} pps`;
}

export function formatStatus(s: StatusInfo): string {
  return [
    `ports ${s.portsUp}/${s.ports} up`,
    `fwd ${s.mode}`,
    s.forwarding ? 'running' : 'stopped',
    `rx ${formatPps(s.rxPps)}  tx ${formatPps(s.txPps)}`,
  ].join(' | ');
}
