// Runs one command line through the command layer and returns what to print,
// as text or (after --json / `set output json`) one JSON object per line.
// Shared by line mode, -c, --cmdline-file, --stats-period and the Ink shell.
import type { CommandLayer, CommandResult, StyledLine } from '../commands/types.js';
import type { Session } from '../session/session.js';
import { logJson, renderJson } from '../commands/render-json.js';
import { shellActionOf, type OutputMode, type ShellAction } from '../commands/shellcmds.js';
import { errorCodeOf } from '../native/errors.js';
import { followRun } from '../scenario-runner/in-shell.js';

export interface RunOutcome {
  lines: StyledLine[];
  quit: boolean;     // a 'quit' result: print lines, then shut down
  failed: boolean;   // an 'error' result (or the command threw)
  message?: string;  // the error's message, when failed
  action?: ShellAction; // `set output` (already applied by Runner) or `monitor` (for the shell)
}

function thrown(e: unknown): CommandResult {
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const code = typeof err?.code === 'string' ? errorCodeOf(err.code) : 'EINTERNAL';
  return { kind: 'error', code, message };
}

export class Runner {
  constructor(readonly layer: CommandLayer, readonly session: Session, readonly color: boolean,
              public mode: OutputMode = 'text') {}

  async run(line: string): Promise<RunOutcome> {
    let result: CommandResult;
    try {
      result = await followRun(await this.layer.execute(this.session, line), (lines) => this.session.log(lines));
    } catch (e) {
      result = thrown(e);
    }
    const action = shellActionOf(result);
    if (action?.type === 'output') this.mode = action.mode;
    const lines = this.render(result, line.trim());
    const failed = result.kind === 'error';
    const msg = (result as { message?: unknown }).message;
    return {
      lines, quit: result.kind === 'quit', failed, action,
      ...(failed ? { message: typeof msg === 'string' ? msg : 'command failed' } : {}),
    };
  }

  render(result: CommandResult, command?: string): StyledLine[] {
    if (this.mode === 'json') {
      if (result.kind === 'none' && command === '') return [];
      return [{ text: renderJson(result, command) }];
    }
    return this.layer.render(result, { color: this.color });
  }

  // Lines that did not come from a command (events, start-up, shutdown).
  log(lines: StyledLine[]): StyledLine[] {
    return this.mode === 'json' ? lines.map((l) => ({ text: logJson(l) })) : lines;
  }
}
