// Engine events in the shell: IF-proxy trace lines, KNI requests and their
// results, netlink overflow reports, the end of a replay or of a capture with
// a count, memif links going up and down. One EventHub per session, made by
// the first kni/ifproxy/replay/capture command or memif port; it subscribes to the engine (a thread-safe
// function: the listener thread pokes, this drains on the JS thread) and
// prints through session.log, which the shell shows above the prompt.
import { spawnSync } from 'node:child_process';
import type { Session } from './session.js';
import type { StyledLine } from '../commands/types.js';
import type { NetEvent } from '../native/netevents.js';
import '../native/netevents.js';
import { perSession } from './per-session.js';
import { TRACED_BY_DEFAULT as TRACED_BY_DEFAULT_NAMES } from '../native/names.generated.js';

// The engine's event names (native/engine/netlink/events.def).
export { IFPROXY_EVENTS } from '../native/names.generated.js';

// Devargs of a memif port, whose link lines come as events.
export const isMemif = (devargs: string): boolean => /^net_memif\d/.test(devargs.trim());

const TRACED_BY_DEFAULT = new Set<string>(TRACED_BY_DEFAULT_NAMES);

const L = (text: string, style?: StyledLine['style']): StyledLine => (style ? { text, style } : { text });

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

function kniLine(e: NetEvent): StyledLine {
  const v = e.values;
  const port = e.ports[0];
  const what = v.request === 'link' ? `link ${v.from} -> ${v.to}` : `${v.request} ${v.from} -> ${v.to}`;
  if (e.name === 'kni_request') {
    return L(`KNI ${e.proxy} (port ${port}): request ${what} [handler: ${v.policy}]`);
  }
  if (v.result === 'applied') {
    const delayed = v.delayed_ms !== undefined ? ` after ${v.delayed_ms} ms` : '';
    const paused = v.while === 'forwarding' ? ` (its streams paused meanwhile, forwarding went on)` : '';
    return L(`KNI ${e.proxy} (port ${port}): ${what} applied to port ${port}${delayed}${paused}`, 'ok');
  }
  return L(`KNI ${e.proxy} (port ${port}): ${what} ${v.result}: ${v.reason}; ${e.proxy} put back to ${v.now}`, 'warning');
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

  constructor(private readonly session: Session) {
    session.engine.onEvents(() => this.drain());
    // What the engine queued just before a quit is printed, not lost.
    session.onShutdown(() => this.drain());
  }

  // Everything the engine queued, in order.
  drain(): void {
    if (this.session.isShutdown) return;
    let events: NetEvent[];
    try { events = this.session.engine.drainEvents(); } catch { return; }
    const lines: StyledLine[] = [];
    let kni = false;
    for (const e of events) {
      for (const l of this.listeners) l(e);
      lines.push(...this.linesFor(e));
      if (e.name === 'kni_request') kni = true;
    }
    if (lines.length) this.session.log(lines);
    if (kni) this.processKni(0);
  }

  onEvent(fn: (e: NetEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private linesFor(e: NetEvent): StyledLine[] {
    const traced = this.traced(e) ? [L(formatEvent(e))] : [];
    switch (e.name) {
      case 'kni_request':
        return [kniLine(e)];
      case 'kni_response': {
        const line = kniLine(e);
        this.noteRevert(e, line.text);
        return [line];
      }
      case 'kni_gone':
        return [L(`KNI ${e.proxy} (port ${e.ports[0]}) was deleted outside ringside: 'kni destroy ${e.ports[0]}' to clean up`, 'warning')];
      case 'overflow':
        return [...traced, L(`ifproxy: netlink overflow (ENOBUFS, receive buffer ${e.values.rcvbuf} bytes): the kernel dropped ${e.values.missed} notification(s), so up to that many events may have been missed; re-dumping the configuration`, 'warning')];
      case 'error':
        return [L(`ifproxy: ${e.values.message}`, 'error')];
      case 'replay_done':
        return [e.values.error
          ? L(`replay of ${e.values.file} into port ${e.ports[0]} failed after ${e.values.sent} packets: ${e.values.error}`, 'error')
          : L(`replay of ${e.values.file} into port ${e.ports[0]} done: ${e.values.sent} packets at ${e.values.pps} pps ('show replay' for the timing)`, 'ok')];
      case 'capture_done': {
        const dropped = e.values.dropped !== '0' ? `, ${e.values.dropped} dropped` : '';
        return [e.values.error
          ? L(`capture on port ${e.ports[0]} ended with an error: ${e.values.error}`, 'error')
          : L(`capture on port ${e.ports[0]} done: count reached, ${e.values.captured} packets in ${e.values.file}${dropped}`, dropped ? 'warning' : 'ok')];
      }
      case 'memif':  // net_memif's control plane: connected, disconnected (with why), refused, waiting
        return [...traced, L(e.values.message, e.values.level === 'error' ? 'warning' : e.values.state === 'up' ? 'ok' : undefined)];
      case 'cfg_finished':
        if (e.values.after === 'overflow') {
          return [...traced, L(`ifproxy: resynchronised after the overflow: ${e.values.recovered} change(s) recovered from the fresh dump`, 'warning')];
        }
        return traced;
      default:
        return traced;
    }
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
      if (this.session.isShutdown) return;
      let next = -1;
      try { next = this.session.engine.kniProcessRequests(); } catch { return; }
      if (next >= 0) this.processKni(next);
    }, delayMs);
    this.timer.unref();
  }
}

// The session's hub, subscribing on first use.
export const eventsOf = perSession((s) => new EventHub(s));
