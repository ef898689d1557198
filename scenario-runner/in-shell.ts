// The shell's `run FILE`, the client of `ringside run` (cli.ts): the command
// asks its front end (shell/runner.ts, or the runner for a step of a scenario)
// to run the file, and this does.
import { spawn } from 'node:child_process';
import type { CommandResult, StyledLine } from '../commands/types.js';
import { shellActionOf } from '../commands/shellcmds.js';
import type { StepReport } from './reports.js';
import { issueLines, stepLines } from './report.js';

export const EXIT_PASS = 0;

// A `run FILE` result is answered by running the scenario: its result stands in
// for the command's. Any other result is returned as it is.
export async function followRun(result: CommandResult, emit: (lines: StyledLine[]) => void): Promise<CommandResult> {
  const action = shellActionOf(result);
  return action?.type === 'run' ? runInSession(action.file, emit) : result;
}
// Set for the child: its stdin is a pipe from the shell, closed when the shell dies.
export const PARENT_PIPE_ENV = 'RINGSIDE_RUN_PARENT_PIPE';

// The interactive shell's `run FILE`: the scenario runs as `ringside run FILE`
// would (its own engine and ports, numbered from 0; the shell's session is
// untouched), in a child process whose JSON lines are drawn here as they
// arrive. The result is nothing when it passed, an error when it did not.
// The child is this process's own entry point (the bundle or the TypeScript
// build), so it runs the same code.
export async function runInSession(file: string, emit: (lines: StyledLine[]) => void): Promise<CommandResult> {
  // stdin is a pipe nobody writes to: when this process dies, however, the
  // child reads its end and stops (PARENT_PIPE_ENV).
  const child = spawn(process.execPath, [process.argv[1], 'run', '--json', '--', file], {
    stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, [PARENT_PIPE_ENV]: '1' },
  });
  // Leaving the shell mid-run interrupts the scenario, which then cleans up.
  const onExit = (): void => { try { child.kill('SIGINT'); } catch { /* gone */ } };
  process.on('exit', onExit);
  let current: string | undefined;
  let firstFailure: string | undefined;
  let syntaxErrors = 0;
  let stderr = '';
  const handle = (line: string): void => {
    let o: Record<string, unknown>;
    try { o = JSON.parse(line) as Record<string, unknown>; } catch { if (line.trim()) emit([{ text: line }]); return; }
    switch (o.type) {
      case 'scenario': current = o.file as string; emit([{ text: `scenario ${current}`, style: 'heading' }]); break;
      case 'step': {
        const r = o as unknown as StepReport;
        if (r.status === 'fail' && !firstFailure) firstFailure = `${r.file}:${r.line} (${r.source})`;
        emit(stepLines(r, false, current));
        break;
      }
      case 'result': emit([{ text: String(o.summary), style: o.status === 'pass' ? 'ok' : 'error' }]); break;
      case 'syntax-error': {
        syntaxErrors++;
        const loc = { file: String(o.file), line: Number(o.line), text: String(o.source ?? '') };
        emit(issueLines({ loc, message: String(o.message), hint: o.hint as string | undefined }));
        break;
      }
      default: break;
    }
  };
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) { handle(buf.slice(0, nl)); buf = buf.slice(nl + 1); }
  });
  child.stderr.on('data', (d) => { stderr += d; });
  const code: number | null = await new Promise((resolve) => {
    child.on('error', () => resolve(null));
    child.on('close', (c) => resolve(c));
  });
  process.off('exit', onExit);
  if (buf.trim()) handle(buf);
  if (stderr.trim()) emit(stderr.trim().split('\n').map((text) => ({ text, style: 'error' as const })));
  if (code === EXIT_PASS) return { kind: 'none' };
  if (syntaxErrors > 0) {
    return { kind: 'error', code: 'ESCENARIO_SYNTAX', message: `${file}: ${syntaxErrors} syntax error${syntaxErrors === 1 ? '' : 's'}; nothing was run` };
  }
  return { kind: 'error', code: 'ESCENARIO_FAILED', message: `scenario ${file} failed${firstFailure ? ` at ${firstFailure}` : code === null ? ': ringside run could not be started' : ` (exit status ${code})`}` };
}
