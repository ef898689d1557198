// The command layer the shell uses: execute, render, complete, describeNext.
import type { Session } from '../session/session.js';
import type { CommandLayer, CommandResult, Completion, StyledLine } from './types.js';
import type { GrammarContext } from './spec.js';
import { TABLE } from './grammar.js';
import { parseLine } from './parse.js';
import { complete as completeLine, describeNext as describeLine } from './complete.js';
import { MAX_LINE_CHARS, lineTooLong } from './script-file.js';
import { render } from './render.js';
import { errorResult } from './results.js';
import { sessionView } from './session-view.js';
import { errorCodeOf } from '../native/errors.js';

export { TABLE, SECTIONS } from './grammar.js';
export { render } from './render.js';
export { parseLine, tokenize } from './parse.js';
export { editDistance } from './distance.js';
export type { CommandSpec, GrammarContext, Section } from './spec.js';

// Commands that still make sense after quit.
const AFTER_SHUTDOWN = new Set(['help', 'quit']);

function toError(e: unknown): CommandResult {
  const err = e as { code?: unknown; message?: unknown };
  if (err && typeof err.code === 'string' && typeof err.message === 'string') return errorResult(errorCodeOf(err.code), err.message);
  return errorResult('EINTERNAL', `internal error: ${err && typeof err.message === 'string' ? err.message : String(e)}`);
}

async function run(session: Session, line: string, depth: number): Promise<CommandResult> {
  try {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return { kind: 'none' };
    if (text.length > MAX_LINE_CHARS) return lineTooLong(text.length);
    if (session.isShutdown && !AFTER_SHUTDOWN.has(text.split(/\s+/)[0])) {
      return errorResult('ESHUTDOWN', 'the session has been shut down (quit): no port is left to act on');
    }
    const parsed = parseLine(TABLE, session as GrammarContext, text);
    if (!parsed.ok) return parsed.error;
    return await parsed.spec.handler(session, parsed.args, {
      depth,
      execute: (l) => run(session, l, depth + 1),
    });
  } catch (e) {
    return toError(e);
  }
}

export async function execute(session: Session, line: string): Promise<CommandResult> {
  return run(session, line, 0);
}

export const commandLayer: CommandLayer = {
  view: sessionView,
  execute,
  render: (result: CommandResult, opts?: { color?: boolean }): StyledLine[] => {
    try { return render(result, opts); } catch (e) { return render(toError(e)); }
  },
  complete: (session: Session, line: string, cursor: number): Completion => {
    try { return completeLine(TABLE, session as GrammarContext, line, cursor); } catch { return { start: cursor, insert: '', choices: [] }; }
  },
  describeNext: (session: Session, line: string, cursor: number): StyledLine[] => {
    try { return describeLine(TABLE, session as GrammarContext, line, cursor); } catch (e) { return render(toError(e)); }
  },
};
