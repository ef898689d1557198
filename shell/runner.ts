// Runs one command line through the command layer and returns what to print.
// Shared by line mode, --cmdline-file and the Ink shell.
import type { CommandLayer, StyledLine } from '../commands/types.js';
import type { Session } from '../session/session.js';

export interface RunOutcome {
  lines: StyledLine[];
  quit: boolean;     // a 'quit' result: print lines, then shut down
  failed: boolean;   // an 'error' result (or the command threw)
  message?: string;  // the error's message, when failed
}

export async function runLine(layer: CommandLayer, session: Session, line: string, color: boolean): Promise<RunOutcome> {
  try {
    const result = await layer.execute(session, line);
    const lines = layer.render(result, { color });
    if (result.kind === 'error') {
      const message = typeof result.message === 'string' ? result.message : 'command failed';
      return { lines, quit: false, failed: true, message };
    }
    return { lines, quit: result.kind === 'quit', failed: false };
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    const message = typeof err?.message === 'string' ? err.message : String(e);
    const code = typeof err?.code === 'string' ? `${err.code}: ` : '';
    return { lines: [{ text: `${code}${message}`, style: 'error' }], quit: false, failed: true, message };
  }
}
