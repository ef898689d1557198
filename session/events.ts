// Engine events in the shell: IF-proxy trace lines, KNI requests and their
// results, netlink overflow reports, the end of a replay or of a capture with
// a count, memif links going up and down. Each session has one EventHub from
// its start; it subscribes to the engine (a thread-safe function: the listener
// thread pokes, this drains on the JS thread), applies KNI requests, and logs
// each event as the session's view draws it, which the shell shows above the prompt.
import { spawnSync } from 'node:child_process';
import type { StyledLine } from './lines.js';
import type { SessionView } from './view.js';
import type { NativeEngine } from '../native/addon.js';
import type { NetEvent } from '../native/netevents.js';
import '../native/netevents.js';
import { TRACED_BY_DEFAULT as TRACED_BY_DEFAULT_NAMES } from '../native/names.generated.js';

// The engine's event names (native/engine/netlink/events.def).
export { IFPROXY_EVENTS } from '../native/names.generated.js';

const TRACED_BY_DEFAULT = new Set<string>(TRACED_BY_DEFAULT_NAMES);


// 12:34:56.123456
export function formatTimeUs(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(Math.floor(us % 1_000_000), 6)}`;
}

// "12:34:56.123456 mtu_change   proxy rs_tap1 port 0  mtu=1600"
export function formatEvent(e: NetEvent): string {
  const parts = [formatTimeUs(e.timeUs), e.name.padEnd(12)];
  if (e.proxy) parts.push(`proxy ${e.proxy}`);
  if (e.ports.length) parts.push(`port${e.ports.length > 1 ? 's' : ''} ${e.ports.join(',')}`);
  const vals = Object.entries(e.values).map(([k, v]) => `${k}=${v}`).join(' ');
  if (vals) parts.push(vals);
  return parts.join(' ');
}

// `ip` exits 0 for a request the handler then rejects: the change is undone
// a moment later. Besides the line in the shell, the revert is written where
// the user of `ip` looks next, the interface's alias (`ip link show IFNAME`),
// and cleared by the next request applied.
const KNI_NOTE_PREFIX = 'ringside: ';
function noteOnInterface(ifname: string, note: string): void {
  // ifalias holds at most 255 bytes. Control path only: once per request.
  spawnSync('ip', ['link', 'set', 'dev', ifname, 'alias', `${KNI_NOTE_PREFIX}${note}`.slice(0, 255)], { stdio: 'ignore', timeout: 5_000 });
}
function clearNote(ifname: string): void {
  spawnSync('ip', ['link', 'set', 'dev', ifname, 'alias', ''], { stdio: 'ignore', timeout: 5_000 });
}

export class EventHub {
  trace = false;
  filter: Set<string> | null = null;  // null: every event
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private readonly listeners = new Set<(e: NetEvent) => void>();
  private readonly noted = new Set<string>();  // KNI interfaces whose alias holds a revert

  // The session's engine, view and log; closed() is true once it shut down.
  constructor(private readonly engine: NativeEngine, private readonly view: SessionView,
              private readonly log: (lines: StyledLine[]) => void, private readonly closed: () => boolean) {
    engine.onEvents(() => this.drain());
  }

  // Everything the engine queued, in order. Also run at shutdown, so what the
  // engine queued just before a quit is printed, not lost.
  drain(): void {
    if (this.closed()) return;
    let events: NetEvent[];
    try { events = this.engine.drainEvents(); } catch { return; }
    const lines: StyledLine[] = [];
    let kni = false;
    for (const e of events) {
      for (const l of this.listeners) l(e);
      const drawn = this.view.event(e, this.traced(e));
      if (e.name === 'kni_response' && drawn.length > 0) this.noteRevert(e, drawn[drawn.length - 1].text);
      lines.push(...drawn);
      if (e.name === 'kni_request') kni = true;
    }
    if (lines.length) this.log(lines);
    if (kni) this.processKni(0);
  }

  onEvent(fn: (e: NetEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private noteRevert(e: NetEvent, text: string): void {
    if (!e.proxy) return;
    if (e.values.result !== 'applied') {
      noteOnInterface(e.proxy, text.replace(/^KNI \S+ /, ''));
      this.noted.add(e.proxy);
    } else if (this.noted.delete(e.proxy)) {
      clearNote(e.proxy);
    }
  }

  // Without a list, the IF-proxy events (and the listener's overflow) are
  // traced; KNI, capture and replay events only when named.
  private traced(e: NetEvent): boolean {
    return this.trace && (this.filter === null ? TRACED_BY_DEFAULT.has(e.name) : this.filter.has(e.name));
  }

  // KNI requests are applied on this (the control) thread; a delayed one
  // comes back when it is due.
  private processKni(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed()) return;
      let next = -1;
      try { next = this.engine.kniProcessRequests(); } catch { return; }
      if (next >= 0) this.processKni(next);
    }, delayMs);
    this.timer.unref();
  }
}
