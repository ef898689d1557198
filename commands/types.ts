// What a command hands back: typed values, never drawn text. The Ink view, line
// mode, --json and the scenario runner all render the same results.
import type { Session } from '../session/session.js';
import type { StyledLine } from '../session/lines.js';
import type { CommandResult } from './results.js';
import type { SessionView } from '../session/view.js';

export type { LineStyle, StyledLine } from '../session/lines.js';
// A result kind carries its data (results.ts); render.ts turns each kind into
// lines with testpmd's shapes.
export type { CommandResult } from './results.js';

export interface Completion {
  // The text that replaces the word under the cursor when there is one choice
  // (or the longest common prefix of several).
  start: number;          // index in the line where the word being completed starts
  insert: string;         // replacement for line.slice(start, cursor)
  choices: { word: string; help: string }[]; // shown on a second TAB or after '?'
}

// The command layer's whole surface, used by shell/ (Ink and line mode).
export interface CommandLayer {
  // How a session made for this layer draws its own lines (Session.create).
  view: SessionView;
  execute(session: Session, line: string): Promise<CommandResult>;
  render(result: CommandResult, opts?: { color?: boolean }): StyledLine[];
  complete(session: Session, line: string, cursor: number): Completion;
  // What may follow the words before the cursor, for '?' (testpmd's behaviour).
  describeNext(session: Session, line: string, cursor: number): StyledLine[];
}
