// `set verbose` in the shell: the engine's taps keep matching packets in
// bounded rings; this drains them every DRAIN_MS on the JS thread and logs
// them as the session's view draws them (above the prompt in the Ink shell, on
// stdout in line mode, one JSON object each with --json). At most
// LINES_PER_DRAIN a tick: when the display cannot keep up the rings fill and
// the engine counts what it could not keep, reported as "N verbose lines
// suppressed". The level lives here only.
import type { StyledLine } from './lines.js';
import type { SessionView } from './view.js';
import type { NativeEngine } from '../native/addon.js';
import type { VerboseSetInfo } from '../native/verbose.js';
import '../native/verbose.js';

const DRAIN_MS = 100;
const LINES_PER_DRAIN = 1000;

export class VerboseHub {
  private timer: NodeJS.Timeout | undefined;
  private current = 0;
  private pool = '';

  // The session's engine, view and log; closed() is true once it shut down.
  constructor(private readonly engine: NativeEngine, private readonly view: SessionView,
              private readonly log: (lines: StyledLine[]) => void, private readonly closed: () => boolean) {}

  get level(): number { return this.current; }

  // Prints what the old level kept, then applies the new one: to `port`, or
  // to every open port and those attached later. Returns the level before
  // and what the engine set.
  set(level: number, port: number | undefined, filter: string): { before: number; info: VerboseSetInfo } {
    this.drain();
    const ports = port !== undefined ? [port] : this.engine.portIds().filter((id) => !this.engine.portInfo(id).closed);
    const info = this.engine.verboseSet(level, ports, port === undefined, filter);
    const before = this.current;
    this.current = level;
    if (level > 0 && !this.timer) {
      this.timer = setInterval(() => this.drain(), DRAIN_MS);
      this.timer.unref();
    } else if (level === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return { before, info };
  }

  drain(): void {
    if (this.closed() || this.current === 0) return;
    let d;
    try { d = this.engine.verboseDrain(LINES_PER_DRAIN); } catch { return; }
    if (!this.pool) {
      try { this.pool = this.engine.snapshot().pool.name; } catch { this.pool = 'mb_pool_0'; }
    }
    const lines = this.view.verbose(d.records, this.current, this.pool, d.suppressed);
    if (lines.length) this.log(lines);
  }
}
