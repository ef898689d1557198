// Runs a parsed scenario against a session: topology up, start-up line,
// every step with its result and duration, then clean-up on every exit path
// (forwarding stopped, ports closed, namespaces removed, work dir deleted).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Session } from '../session/session.js';
import type { SessionOptions } from '../session/options.js';
import type { StyledLine } from '../commands/types.js';
import { execute, render } from '../commands/index.js';
import type { ScriptResult } from '../commands/results.js';
import type { Loc, Scenario, Step } from './parse.js';
import type { FileReport, RunHooks, StepKind, StepReport } from './reports.js';
import { evaluate, type Condition, type EvalContext, type Evaluation } from '../commands/conditions.js';
import { TopologyError, isEmpty, up, type TopologyHandle } from './topology.js';
import { OWNER_ENV } from './leftovers.js';
import { followRun } from './in-shell.js';
import { formatDuration } from '../commands/words.js';

export type { FileReport, FileStatus, RunHooks, StepKind, StepReport, StepStatus } from './reports.js';

export interface RunOptions {
  keepGoing: boolean;
  signal: AbortSignal;
  hooks: RunHooks;
  workdir?: string;
  // The session is made from the scenario's `ringside` line (or the default
  // options) and shut down at the end; `log` receives the lines it reports
  // by itself, as the shell prints them above its prompt.
  createSession: (opts: SessionOptions, log: (lines: StyledLine[]) => void) => Session;
  makeOptions: () => SessionOptions;
}

const POLL_MS = 20;
const MAX_OUTPUT_LINES = 500;

export const oneLine = (loc: Loc): string => loc.text.replace(/\s*\\?\s*\n\s*/g, ' ');

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}

function trimOutput(text: string): string[] {
  const lines = text.replace(/\n+$/, '').split('\n');
  if (text.trim() === '') return [];
  if (lines.length <= MAX_OUTPUT_LINES) return lines;
  return [...lines.slice(0, MAX_OUTPUT_LINES), `... (${lines.length - MAX_OUTPUT_LINES} more lines)`];
}

interface ShellOutcome { status: number | null; signal: string | null; text: string; error?: string; timedOut: boolean }

// setpriv (util-linux) sets the parent-death signal, which survives the exec
// of `ip netns exec` and of the program: a run killed with SIGKILL takes its
// program along. Its program's own children, the next run finds by OWNER_ENV.
let setprivChecked: boolean | undefined;
function hasSetpriv(): boolean {
  setprivChecked ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return setprivChecked;
}

// Why `program` cannot be run ('' when it can), checked before the exec,
// since setpriv would report it only as exit status 126 or 127.
function unrunnable(program: string, cwd: string): string {
  const dirs = program.includes('/') ? [''] : (process.env.PATH ?? '').split(':').filter(Boolean);
  let denied = false;
  for (const dir of dirs) {
    const file = path.resolve(cwd, dir, program);
    try {
      if (!fs.statSync(file).isFile()) continue;
      fs.accessSync(file, fs.constants.X_OK);
      return '';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES') denied = true;
    }
  }
  return denied ? `program '${program}' not found or not executable (permission denied)` : `program '${program}' not found`;
}

function runProgram(argv: string[], netns: string | undefined, cwd: string, timeoutMs: number, signal: AbortSignal): Promise<ShellOutcome> {
  const why = unrunnable(argv[0], cwd);
  if (why) return Promise.resolve({ status: null, signal: null, error: why, text: '', timedOut: false });
  const inNs = netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
  const full = hasSetpriv() ? ['setpriv', '--pdeathsig', 'KILL', '--', ...inNs] : inNs;
  return new Promise((resolve) => {
    let text = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(full[0], full.slice(1), {
      cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, [OWNER_ENV]: String(process.pid) },
    });
    const killGroup = (sig: NodeJS.Signals): void => {
      try { if (child.pid) process.kill(-child.pid, sig); } catch { /* gone */ }
    };
    const onAbort = (): void => { killGroup('SIGTERM'); setTimeout(() => killGroup('SIGKILL'), 1000).unref(); };
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => { timedOut = true; onAbort(); }, timeoutMs);
    child.stdout.on('data', (d) => { text += d; });
    child.stderr.on('data', (d) => { text += d; });
    const finish = (o: Omit<ShellOutcome, 'text' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve({ ...o, text, timedOut });
    };
    child.on('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      finish({ status: null, signal: null, error: code === 'ENOENT' ? `program '${full[0]}' not found` : code === 'EACCES' ? `program '${full[0]}' not found or not executable (permission denied)` : e.message });
    });
    child.on('close', (status, sig) => finish({ status, signal: sig }));
  });
}

export async function runScenario(sc: Scenario, opts: RunOptions): Promise<FileReport> {
  const t0 = performance.now();
  const steps: StepReport[] = [];
  const expectations = { passed: 0, failed: 0 };
  let failed = false;
  let notRun = 0;
  // Lines the session reported by itself: shown under the step they came in.
  let events: StyledLine[] = [];
  const report = (r: StepReport): void => {
    if (events.length > 0) { r.events = events; events = []; }
    steps.push(r);
    if (r.expectation) { if (r.status === 'ok') expectations.passed++; else expectations.failed++; }
    if (r.status === 'fail') failed = true;
    opts.hooks.step?.(r);
  };
  const base = (loc: Loc, kind: StepKind): Pick<StepReport, 'file' | 'line' | 'source' | 'kind'> =>
    ({ file: loc.file, line: loc.line, source: oneLine(loc), kind });

  opts.hooks.fileStart?.(sc);
  const oldCwd = process.cwd();
  let topo: TopologyHandle | undefined;
  let session: Session | undefined;
  let lastOutput: EvalContext['lastOutput'];

  try {
    process.chdir(sc.dir);

    // The topology: made before anything else.
    if (!isEmpty(sc.topology)) {
      const loc = sc.topology.netns[0]?.loc ?? sc.topology.veths[0]?.loc ?? { file: sc.file, line: 0, text: 'topology' };
      const start = performance.now();
      try {
        topo = up(sc.topology);
        report({ ...base({ ...loc, text: 'topology' }, 'topology'), status: 'ok', durationMs: performance.now() - start, expectation: false, output: topo.description });
      } catch (e) {
        const at = e instanceof TopologyError ? e.loc : loc;
        report({ ...base(at, 'topology'), status: 'fail', durationMs: performance.now() - start, expectation: false, message: (e as Error).message });
        throw new StopRun();
      }
    }
    if (opts.signal.aborted) throw new StopRun();

    // The session: from the `ringside` line, or the shell's.
    {
      const start = performance.now();
      const loc = sc.startup?.loc ?? { file: sc.file, line: 0, text: 'ringside' };
      try {
        session = opts.createSession(sc.startup?.options ?? opts.makeOptions(), (lines) => { events.push(...lines); });
        events = [];  // the start-up lines: the start-up step says it in one line
        const ids = session.engine.portIds();
        report({ ...base(loc, 'startup'), source: sc.startup ? oneLine(loc) : 'ringside (embedded default ports)', status: 'ok', durationMs: performance.now() - start, expectation: false,
          detail: `ports ${ids.map((id) => `${id}=${session!.engine.portInfo(id).name}`).join(' ')}` });
        if (sc.startup?.start) {
          const r = await execute(session!, sc.startup.start);
          if (r.kind === 'error') throw new Error(`${sc.startup.start}: ${(r as { message: string }).message}`);
        }
      } catch (e) {
        const err = e as { code?: string; message?: string };
        report({ ...base(loc, 'startup'), status: 'fail', durationMs: performance.now() - start, expectation: false, message: `start-up failed: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}` });
        throw new StopRun();
      }
    }
    const s = session!;

    for (let i = 0; i < sc.steps.length; i++) {
      if (opts.signal.aborted || (failed && !opts.keepGoing)) { notRun = sc.steps.length - i; break; }
      const step = sc.steps[i];
      const start = performance.now();
      const b = base(step.loc, step.kind);
      const dur = (): number => performance.now() - start;
      switch (step.kind) {
        case 'command': {
          const result = await followRun(await execute(s, step.command), (lines) => s.log(lines));
          const lines = render(result).map((l) => l.text);
          lastOutput = { text: lines.join('\n'), status: null, what: `'${step.command}'` };
          const bad = result.kind === 'error' || (result.kind === 'script' && (result as unknown as ScriptResult).failed);
          if (bad) {
            const msg = result.kind === 'error' ? `Error ${String(result.code)}: ${String(result.message)}` : 'the loaded file failed';
            report({ ...b, status: 'fail', durationMs: dur(), expectation: false, message: `command failed: ${msg}`, output: result.kind === 'error' ? [] : trimOutput(lastOutput.text) });
          } else {
            report({ ...b, status: 'ok', durationMs: dur(), expectation: false, output: trimOutput(lastOutput.text) });
          }
          break;
        }
        case 'sleep':
          await sleep(step.ms, opts.signal);
          report({ ...b, status: 'ok', durationMs: dur(), expectation: false });
          break;
        case 'echo':
          report({ ...b, status: 'ok', durationMs: dur(), expectation: false });
          break;
        case 'expect':
        case 'wait': {
          const ctx = { engine: s.engine, missedBaseline: s.missedBaseline, lastOutput };
          const within = step.kind === 'wait' ? step.withinMs : step.withinMs;
          const ev = await check(step.cond, ctx, within, opts.signal);
          const interrupted = !ev.ok && opts.signal.aborted;
          if (ev.ok) {
            report({ ...b, status: 'ok', durationMs: dur(), expectation: true, detail: ev.detail ?? ev.actual, expected: ev.expected, actual: ev.actual });
          } else {
            const what = interrupted ? 'interrupted while waiting' : ev.final && within !== undefined
              ? `${step.kind === 'wait' ? 'wait until' : 'expectation failed'}: cannot become true (${ev.actual}): not waited for`
              : step.kind === 'wait'
              ? `wait until: not true within ${formatDuration(within!)}`
              : within !== undefined ? `expectation failed: not true within ${formatDuration(within)}` : 'expectation failed';
            report({ ...b, status: 'fail', durationMs: dur(), expectation: true, message: what, expected: ev.expected, actual: ev.actual, detail: ev.detail });
          }
          break;
        }
        case 'shell': {
          const r = await runProgram(step.argv, step.netns, sc.dir, step.timeoutMs, opts.signal);
          lastOutput = { text: r.text, status: r.status, what: `'${step.argv.join(' ')}'` };
          const output = trimOutput(r.text);
          const where = step.netns ? ` (in netns ${step.netns})` : '';
          let problem: string | undefined;
          if (r.error) problem = `cannot run${where}: ${r.error}`;
          else if (opts.signal.aborted) problem = 'interrupted';
          else if (r.timedOut) problem = `no exit within ${formatDuration(step.timeoutMs)}: ended it`;
          else if (r.signal) problem = `ended by ${r.signal}${where}`;
          else if (r.status !== 0 && !step.allowFail) problem = `exit status ${r.status}${where} (write 'shell!' to allow failure)`;
          if (problem) report({ ...b, status: 'fail', durationMs: dur(), expectation: false, message: `'${step.argv.join(' ')}': ${problem}`, output });
          else report({ ...b, status: 'ok', durationMs: dur(), expectation: false, detail: `exit status ${r.status}`, output });
          break;
        }
      }
    }
  } catch (e) {
    if (!(e instanceof StopRun)) {
      report({ file: sc.file, line: 0, source: '', kind: 'cleanup', status: 'fail', durationMs: 0, expectation: false, message: `internal error: ${(e as Error).stack ?? String(e)}` });
    }
  } finally {
    // Clean-up, on every path.
    const start = performance.now();
    const problems: string[] = [];
    const done: string[] = [];
    if (session) {
      try {
        if (!session.isShutdown) {
          const n = session.engine.portIds().length;
          const bye = session.shutdown();
          for (const l of bye) if (l.style === 'error') problems.push(l.text);
          // A capture still running ends here: its summary line, as `capture stop` prints it.
          done.push(...bye.filter((l) => /^Capture on port /.test(l.text)).map((l) => l.text));
          done.push(`${n} port${n === 1 ? '' : 's'} closed`);
        }
      } catch (e) { problems.push(`session: ${(e as Error).message}`); }
    }
    if (topo) {
      problems.push(...topo.down());
      done.push(`namespaces ${sc.topology.netns.map((n) => n.real).join(', ') || '(none)'} removed`);
    }
    if (opts.workdir) {
      try { fs.rmSync(opts.workdir, { recursive: true, force: true }); } catch (e) { problems.push(`work dir: ${(e as Error).message}`); }
    }
    try { process.chdir(oldCwd); } catch { /* the old directory is gone */ }
    const loc = { file: sc.file, line: 0, text: 'cleanup' };
    if (problems.length > 0) report({ ...base(loc, 'cleanup'), status: 'fail', durationMs: performance.now() - start, expectation: false, message: `clean-up problems: ${problems.join('; ')}` });
    else if (done.length > 0) report({ ...base(loc, 'cleanup'), status: 'ok', durationMs: performance.now() - start, expectation: false, detail: done.join(', ') });
  }
  const fr: FileReport = {
    file: sc.file,
    status: opts.signal.aborted ? 'interrupted' : failed ? 'fail' : 'pass',
    steps, notRun, durationMs: performance.now() - t0, expectations,
  };
  opts.hooks.fileEnd?.(fr);
  return fr;
}

class StopRun extends Error {}

async function check(cond: Condition, ctx: Omit<EvalContext, 'snapshot'>, withinMs: number | undefined, signal: AbortSignal): Promise<Evaluation> {
  let ev = evaluate(cond, ctx);
  if (ev.ok || ev.final || withinMs === undefined) return ev;
  const end = performance.now() + withinMs;
  while (!ev.ok && !ev.final && performance.now() < end && !signal.aborted) {
    await sleep(Math.min(POLL_MS, Math.max(1, end - performance.now())), signal);
    ev = evaluate(cond, ctx);
  }
  return ev;
}
