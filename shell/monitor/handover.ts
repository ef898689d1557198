// `monitor` from the Ink shell: the dashboard process takes the screen while
// the shell keeps the keyboard and forwards keys to it; output that arrives
// meanwhile waits and goes to the scrollback, in order, when it closes.
import { useRef, useState } from 'react';
import type { StyledLine } from '../../commands/types.js';
import type { MonitorHandle } from './host.js';

// The end of the first key in `raw` that closes the dashboard, or -1.
export function closingKeyEnd(raw: string): number {
  if (raw === '\x1b') return 1;
  if (raw.startsWith('\x1b')) return -1;            // arrows and other sequences
  const i = raw.search(/[qQ\x03\x04]/);
  return i < 0 ? -1 : i + 1;
}

// Give the last Static write and the live area's erase time to reach the
// terminal before the dashboard switches to the alternate screen.
const MONITOR_HANDOVER_MS = 80;

interface Handover { handle?: MonitorHandle; pendingKeys: string[]; held: StyledLine[][]; closing: boolean; after: string[] }

export interface HandoverHooks {
  openMonitor?: (intervalMs: number) => MonitorHandle;
  show(lines: StyledLine[]): void;   // into the scrollback
  resume(): void;                    // the prompt takes over again
  typed(raw: string): void;          // keys typed after the closing key
}

export interface MonitorHandover {
  open: boolean;                     // the dashboard has the screen
  start(intervalMs: number): void;
  hold(lines: StyledLine[]): boolean; // true: kept for later (and shown on the dashboard)
  onRaw(raw: string): boolean;       // true: the key went to the dashboard
}

export function useMonitorHandover({ openMonitor, show, resume, typed }: HandoverHooks): MonitorHandover {
  const [open, setOpen] = useState(false);
  // While the dashboard is up: keys go to it, output waits here.
  const monitor = useRef<Handover | null>(null);

  const start = (intervalMs: number): void => {
    monitor.current = { pendingKeys: [], held: [], closing: false, after: [] };
    setOpen(true);
    setTimeout(() => {
      const m = monitor.current;
      if (!m || !openMonitor) return;
      let h: MonitorHandle;
      try {
        h = openMonitor(intervalMs);
      } catch (e) {
        monitor.current = null;
        setOpen(false);
        show([{ text: `monitor: ${e instanceof Error ? e.message : String(e)}`, style: 'error' }]);
        resume();
        return;
      }
      m.handle = h;
      for (const k of m.pendingKeys) h.keys(k);
      m.pendingKeys = [];
      void h.closed.then((why) => {
        monitor.current = null;
        setOpen(false);
        // Output that arrived meanwhile goes to the scrollback now, in order.
        for (const lines of m.held) show(lines);
        if (why) show([{ text: why, style: 'error' }]);
        resume();
        // Keys typed after the closing key belong to the prompt.
        for (const raw of m.after) typed(raw);
      });
    }, MONITOR_HANDOVER_MS);
  };

  const hold = (lines: StyledLine[]): boolean => {
    const m = monitor.current;
    if (!m) return false;
    m.held.push(lines);
    m.handle?.event(lines);
    return true;
  };

  // While the dashboard is up every key goes to it, up to and including a
  // closing key (q, Esc, Ctrl-C, Ctrl-D); what follows is kept for the prompt,
  // so nothing typed while the dashboard leaves is lost or doubled.
  const onRaw = (raw: string): boolean => {
    const m = monitor.current;
    if (!m) return false;
    if (m.closing) { m.after.push(raw); return true; }
    const cut = closingKeyEnd(raw);
    const mine = cut < 0 ? raw : raw.slice(0, cut);
    if (m.handle) m.handle.keys(mine);
    else m.pendingKeys.push(mine);
    if (cut >= 0) {
      m.closing = true;
      if (cut < raw.length) m.after.push(raw.slice(cut));
    }
    return true;
  };

  return { open, start, hold, onRaw };
}
