// `set verbose` in the shell: the engine's taps keep matching packets in
// bounded rings; this drains them every DRAIN_MS on the JS thread and prints
// them through session.log (above the prompt in the Ink shell, on stdout in
// line mode, one JSON object each with --json). At most LINES_PER_DRAIN a
// tick: when the display cannot keep up the rings fill and the engine counts
// what it could not keep, reported as "N verbose lines suppressed".
import type { Session } from './session.js';
import type { VerboseSetInfo } from '../native/verbose.js';
import { renderVerbose, suppressedLine } from '../commands/render-verbose.js';
import '../native/verbose.js';
import { perSession } from './per-session.js';

const DRAIN_MS = 100;
const LINES_PER_DRAIN = 1000;

export class VerboseHub {
  private timer: NodeJS.Timeout | undefined;
  private level = 0;
  private pool = '';

  constructor(private readonly session: Session) {
    session.onShutdown(() => this.drain());
  }

  // Prints what the old level kept, then applies the new one.
  set(level: number, port?: number, filter?: string): VerboseSetInfo {
    this.drain();
    const info = this.session.engine.verboseSet(level, port ?? -1, filter ?? '');
    this.level = level;
    if (level > 0 && !this.timer) {
      this.timer = setInterval(() => this.drain(), DRAIN_MS);
      this.timer.unref();
    } else if (level === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return info;
  }

  drain(): void {
    if (this.session.isShutdown || this.level === 0) return;
    let d;
    try { d = this.session.engine.verboseDrain(LINES_PER_DRAIN); } catch { return; }
    if (!this.pool) {
      try { this.pool = this.session.engine.snapshot().pool.name; } catch { this.pool = 'mb_pool_0'; }
    }
    const lines = renderVerbose(d.records, this.level, this.pool);
    if (d.suppressed > 0) lines.push(suppressedLine(d.suppressed));
    if (lines.length) this.session.log(lines);
  }
}

export const verboseOf = perSession((s) => new VerboseHub(s));
