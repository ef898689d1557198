// What a command hands back: typed values, never drawn text. The Ink view, line
// mode (and later --json and scenarios) all render the same results.
import type { Session } from '../session/session.js';
import type { ErrorCode } from '../native/errors.js';

export type LineStyle = 'normal' | 'error' | 'warning' | 'ok' | 'dim' | 'heading';
// json: what --json prints for a line that is data (a verbose packet) rather
// than a log message.
export interface StyledLine { text: string; style?: LineStyle; json?: Record<string, unknown> }

// A result kind carries its data; render.ts turns each kind into lines with
// testpmd's shapes. 'message' covers the one-liners ("Set io packet forwarding mode").
export type CommandResult =
  | { kind: 'message'; lines: StyledLine[] }
  | { kind: 'error'; code: ErrorCode; message: string; hint?: string }
  | { kind: 'quit'; lines: StyledLine[] }
  | { kind: 'none' }
  | { kind: string; [key: string]: unknown };

export interface Completion {
  // The text that replaces the word under the cursor when there is one choice
  // (or the longest common prefix of several).
  start: number;          // index in the line where the word being completed starts
  insert: string;         // replacement for line.slice(start, cursor)
  choices: { word: string; help: string }[]; // shown on a second TAB or after '?'
}

// The command layer's whole surface, used by shell/ (Ink and line mode).
export interface CommandLayer {
  execute(session: Session, line: string): Promise<CommandResult>;
  render(result: CommandResult, opts?: { color?: boolean }): StyledLine[];
  complete(session: Session, line: string, cursor: number): Completion;
  // What may follow the words before the cursor, for '?' (testpmd's behaviour).
  describeNext(session: Session, line: string, cursor: number): StyledLine[];
}
