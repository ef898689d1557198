// `ringside run FILE... [--keep-going] [--json] [--junit PATH] [--var NAME=VALUE]`
// (the shell's `run FILE` starts it: in-shell.ts). Every file is checked before any
// runs; each runs in its own session; clean-up happens on every exit path,
// including SIGINT, SIGTERM and SIGHUP.
import fs from 'node:fs';
import path from 'node:path';
import type { StyledLine } from '../commands/types.js';
import { DEFAULT_OPTIONS } from '../session/options.js';
import { sessionView } from '../commands/session-view.js';
import { parseScenario, type Scenario, type SyntaxIssue } from './parse.js';
import { runScenario, type FileReport, type RunHooks } from './runner.js';
import { issueJson, issueLines, jsonHooks, junit, textHooks } from './report.js';
import { EXIT_PASS, PARENT_PIPE_ENV } from './in-shell.js';
import { NS_PREFIX, makeWorkdir, removeLeftovers } from './leftovers.js';

export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;
const EXIT_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export const RUN_USAGE = `Usage: ringside run FILE... [--keep-going] [--json] [--junit PATH] [--var NAME=VALUE]... [--verbose]

Runs scenario files (.rsc) without a terminal: each step is printed with its
result and duration; the exit status is 0 when every expectation held, 1 when
one failed, 2 for usage or syntax errors (reported before anything runs),
130, 143 or 129 when stopped by SIGINT, SIGTERM or SIGHUP. What a scenario
creates (ports, namespaces, links, programs, its work directory) is removed on
every exit path; what a run killed with SIGKILL left, the next run removes.

  --keep-going      run every step and every file even after a failure
  --json            print JSON lines (one object per step and per scenario)
  --verbose         show the whole output of every command and program
  --junit PATH      write a JUnit XML report to PATH
  --var NAME=VALUE  define \${NAME} (wins over 'set var' in the file)

See scenarios/README.md for the language.
`;

interface CliOptions { files: string[]; keepGoing: boolean; json: boolean; verbose: boolean; junit?: string; vars: Map<string, string> }

function parseCli(argv: string[]): CliOptions | string {
  const o: CliOptions = { files: [], keepGoing: false, json: false, verbose: false, vars: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name: string): string | undefined => {
      if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
      return argv[++i];
    };
    if (a === '--keep-going' || a === '-k') o.keepGoing = true;
    else if (a === '--json') o.json = true;
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--junit' || a.startsWith('--junit=')) {
      const v = value('--junit');
      if (!v) return '--junit needs a PATH';
      o.junit = path.resolve(v);
    } else if (a === '--var' || a.startsWith('--var=')) {
      const v = value('--var');
      const m = v ? /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s.exec(v) : null;
      if (!m) return `--var needs NAME=VALUE, got '${v ?? ''}'`;
      o.vars.set(m[1], m[2]);
    } else if (a === '--') {
      o.files.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith('-') && a !== '-') return `unknown option '${a}'`;
    else o.files.push(a);
  }
  if (o.files.length === 0) return 'no scenario file given';
  return o;
}

// Each file gets its work dir, made here (${WORKDIR} is known when parsing)
// and pushed to `workdirs` at once, so the caller removes it on every path.
function parseAll(files: string[], vars: Map<string, string>, workdirs: string[]): { scenarios: Scenario[]; issues: SyntaxIssue[] } {
  const scenarios: Scenario[] = [];
  const issues: SyntaxIssue[] = [];
  files.forEach((file, k) => {
    const workdir = makeWorkdir(k);
    workdirs.push(workdir);
    const r = parseScenario(file, { vars, workdir, nsPrefix: `${NS_PREFIX}${process.pid}-${k}-` });
    scenarios.push(r.scenario);
    issues.push(...r.issues);
  });
  return { scenarios, issues };
}

const plain = (lines: StyledLine[], color: boolean, toAnsi: (l: StyledLine, c: boolean) => string): string =>
  lines.map((l) => toAnsi(l, color) + '\n').join('');

export async function runCli(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(RUN_USAGE);
    return EXIT_PASS;
  }
  const { colorEnabled, toAnsi } = await import('../shell/style.js');
  const color = colorEnabled(process.stdout);
  const out = (lines: StyledLine[]): void => { if (lines.length) process.stdout.write(plain(lines, color, toAnsi)); };
  const err = (lines: StyledLine[]): void => { if (lines.length) process.stderr.write(plain(lines, colorEnabled(process.stderr), toAnsi)); };

  // Before anything is made: a signal from here on is a clean stop.
  const controller = new AbortController();
  let caught: string | undefined;
  let json = argv.includes('--json');
  const stop = (why: string): void => {
    if (caught) return;
    caught = why;
    if (!json) err([{ text: `ringside run: ${why}: stopping and cleaning up...`, style: 'warning' }]);
    controller.abort(why);
  };
  const onSignal = (sig: NodeJS.Signals): void => stop(sig);
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of sigs) process.on(s, onSignal);
  // Started by the shell's `run`: its end of our stdin closes when it dies,
  // even by SIGKILL, and the scenario must not outlive it.
  const parentGone = (): void => stop(PARENT_GONE);
  if (process.env[PARENT_PIPE_ENV] === '1') {
    // Not passed on: a `ringside run` in a `shell` step has a stdin of its own.
    delete process.env[PARENT_PIPE_ENV];
    process.stdin.on('end', parentGone).on('error', parentGone).resume();
  }
  try {
    return await runFiles(argv, { controller, caught: () => caught, setJson: (j) => { json = j; }, out, err });
  } finally {
    for (const s of sigs) process.off(s, onSignal);
    process.stdin.off('end', parentGone).off('error', parentGone).pause();
  }
}

const PARENT_GONE = 'the shell that started this run has gone';

interface RunContext {
  controller: AbortController;
  caught(): string | undefined;
  setJson(json: boolean): void;
  out(lines: StyledLine[]): void;
  err(lines: StyledLine[]): void;
}

async function runFiles(argv: string[], ctx: RunContext): Promise<number> {
  const { controller, out, err } = ctx;
  const o = parseCli(argv);
  if (typeof o === 'string') {
    err([{ text: `ringside run: ${o}`, style: 'error' }]);
    process.stderr.write('\n' + RUN_USAGE);
    return EXIT_USAGE;
  }
  const writeJson = (obj: object): void => { process.stdout.write(JSON.stringify(obj) + '\n'); };

  ctx.setJson(o.json);
  const removed = removeLeftovers();
  if (removed.length > 0) {
    if (o.json) writeJson({ type: 'leftovers', removed });
    else err([{ text: `ringside run: removed what a killed run left: ${removed.join(', ')}`, style: 'warning' }]);
  }

  const workdirs: string[] = [];
  try {
    let parsed;
    try {
      parsed = parseAll(o.files, o.vars, workdirs);
    } catch (e) {
      err([{ text: `ringside run: cannot load the engine: ${(e as Error).message}`, style: 'error' }]);
      return EXIT_USAGE;
    }
    return await runParsed(o, parsed, workdirs, ctx, writeJson);
  } finally {
    // Each scenario removes its own; these are the ones that never ran.
    for (const d of workdirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

async function runParsed(o: CliOptions, parsed: ReturnType<typeof parseAll>, workdirs: string[], ctx: RunContext, writeJson: (obj: object) => void): Promise<number> {
  const { controller, out, err } = ctx;
  if (parsed.issues.length > 0) {
    for (const i of parsed.issues) {
      if (o.json) writeJson(issueJson(i));
      else err(issueLines(i));
    }
    const n = parsed.issues.length;
    if (!o.json) err([{ text: `ringside run: ${n} syntax error${n === 1 ? '' : 's'}; nothing was run`, style: 'error' }]);
    if (o.junit) fs.writeFileSync(o.junit, junit([], parsed.issues));
    return EXIT_USAGE;
  }

  const { Session } = await import('../session/session.js');
  const hooks: RunHooks = o.json ? jsonHooks(writeJson) : textHooks(out, o.verbose);
  const reports: FileReport[] = [];
  for (let k = 0; k < parsed.scenarios.length; k++) {
    if (controller.signal.aborted) break;
    const r = await runScenario(parsed.scenarios[k], {
      keepGoing: o.keepGoing,
      signal: controller.signal,
      hooks,
      workdir: workdirs[k],
      createSession: (opts, log) => Session.create({ ...opts, interactive: false }, sessionView, log),
      makeOptions: () => ({ ...DEFAULT_OPTIONS, vdevs: [], ethPeers: [], interactive: false }),
    });
    reports.push(r);
    if (r.status !== 'pass' && !o.keepGoing) break;
  }
  const caught = ctx.caught();
  const passed = reports.filter((r) => r.status === 'pass').length;
  const failed = reports.filter((r) => r.status === 'fail').length;
  const notRun = o.files.length - reports.length;
  const status = caught ? 'interrupted' : failed > 0 ? 'fail' : 'pass';
  if (o.json) writeJson({ type: 'summary', status, scenarios: o.files.length, passed, failed, notRun });
  else if (o.files.length > 1 || caught) {
    const parts = [`${passed} passed`, `${failed} failed`];
    if (notRun) parts.push(`${notRun} not run`);
    out([{ text: `${o.files.length} scenario${o.files.length === 1 ? '' : 's'}: ${parts.join(', ')}${caught ? ` (interrupted by ${caught})` : ''}`, style: status === 'pass' ? 'ok' : 'error' }]);
  }
  if (o.junit) {
    try { fs.writeFileSync(o.junit, junit(reports)); } catch (e) {
      err([{ text: `ringside run: cannot write --junit ${o.junit}: ${(e as Error).message}`, style: 'error' }]);
      return EXIT_FAIL;
    }
  }
  if (caught) return EXIT_SIGNAL[caught] ?? 130;
  return status === 'pass' ? EXIT_PASS : EXIT_FAIL;
}
