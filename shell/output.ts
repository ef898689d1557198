// Where asynchronous output goes (session events, --stats-period): straight to
// stdout until the Ink shell attaches, then into its scrollback.
import type { StyledLine } from '../commands/types.js';

export type LinesListener = (lines: StyledLine[]) => void;

export class OutputBus {
  private listener: LinesListener | undefined;
  constructor(private readonly fallback: LinesListener) {}

  emit(lines: StyledLine[]): void {
    if (lines.length === 0) return;
    (this.listener ?? this.fallback)(lines);
  }

  attach(listener: LinesListener): () => void {
    this.listener = listener;
    return () => { if (this.listener === listener) this.listener = undefined; };
  }
}
