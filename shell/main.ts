#!/usr/bin/env node
// ringside's entry point: parse the command line, create the session, run the
// start-up work (--cmdline-file, --auto-start/--tx-first, --stats-period), then
// either mount the Ink shell (a terminal) or read commands line by line (a pipe).
import type { CommandLayer, StyledLine } from '../commands/types.js';
import type { Session } from '../session/session.js';
import type { SessionOptions } from '../session/options.js';
import { ArgsError, EXIT_USAGE, parseArgs, usage, type ParsedArgs } from './args.js';
import { colorEnabled, toAnsi } from './style.js';
import { OutputBus } from './output.js';
import { Runner } from './runner.js';
import { logJson } from '../commands/render-json.js';
import type { OutputMode } from '../commands/shellcmds.js';
import { MAX_LINE_CHARS, lineTooLong, readScriptLines } from '../commands/script-file.js';
import { boundedLines } from './lines.js';
import { EXIT_BROKEN_PIPE, leave, stdoutClosed, whenStdoutCloses, writeTo } from './stdio.js';

const EXIT_STARTUP = 1;
const EXIT_SIGNAL = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type ExitSignal = keyof typeof EXIT_SIGNAL;

// Signals are caught from the first moment, before the engine exists: one
// that comes before the shell can quit waits for it (a shell is being made,
// and must be taken down cleanly), or, if start-up ends first, exits.
let onSignal: ((code: number) => void) | undefined;
let pendingSignal: number | undefined;
function trapSignals(): void {
  // SIGINT: Ctrl-C in line mode; in the Ink shell the terminal is raw, so
  // Ctrl-C arrives as a key and only `kill -INT` gets here.
  for (const sig of Object.keys(EXIT_SIGNAL) as ExitSignal[]) {
    process.on(sig, () => {
      if (onSignal) onSignal(EXIT_SIGNAL[sig]);
      else pendingSignal ??= EXIT_SIGNAL[sig];
    });
  }
}
const outColor = colorEnabled(process.stdout);
const errColor = colorEnabled(process.stderr);

function write(stream: NodeJS.WriteStream, lines: StyledLine[], color: boolean): void {
  if (lines.length === 0) return;
  writeTo(stream, lines.map((l) => toAnsi(l, color) + '\n').join(''));
}
const out = (lines: StyledLine[]): void => write(process.stdout, lines, outColor);
const err = (lines: StyledLine[]): void => write(process.stderr, lines, errColor);

// Thrown to leave from anywhere in start-up; main's caller exits with `code`
// once the output has drained.
class ExitRequest extends Error {
  constructor(readonly code: number) { super(`exit ${code}`); }
}

function fail(code: number, message: string, withUsage = false): never {
  err([{ text: `ringside: ${message}`, style: 'error' }]);
  if (withUsage) writeTo(process.stderr, '\n' + usage());
  throw new ExitRequest(code);
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

// ------------------------------------------------------------- start-up

function parseCommandLine(argv: string[], fwdModes?: string[]): ParsedArgs {
  try {
    return parseArgs(argv, { fwdModes });
  } catch (e) {
    if (e instanceof ArgsError) fail(EXIT_USAGE, e.message, true);
    throw e;
  }
}

function readCmdlineFile(file: string): string[] {
  try {
    return readScriptLines(file);
  } catch (e) {
    return fail(EXIT_STARTUP, `cannot read --cmdline-file ${file}: ${errorMessage(e)}`);
  }
}

interface Loaded { Session: typeof import('../session/session.js').Session; layer: CommandLayer; fwdModes: string[] }

async function load(): Promise<Loaded> {
  // Loaded late so --help and argument errors work without the native addon.
  const [{ addon }, { Session }, { commandLayer }] = await Promise.all([
    import('../native/addon.js'), import('../session/session.js'), import('../commands/index.js'),
  ]);
  return { Session, layer: commandLayer, fwdModes: addon.fwdModes().map((m) => m.name) };
}

// ------------------------------------------------------------- the shell

type UiModules = [typeof import('ink'), typeof import('react'), typeof import('./App.js')];
// Ink draws only its last frame when CI/CONTINUOUS_INTEGRATION is set (it
// evaluates that once, at import). The interactive shell runs only on a
// terminal, where a person is typing, so hide them while Ink loads.
const CI_VARS = ['CI', 'CONTINUOUS_INTEGRATION'];
async function loadUi(): Promise<UiModules> {
  const saved = CI_VARS.map((k) => process.env[k]);
  for (const k of CI_VARS) delete process.env[k];
  try {
    // React is CommonJS: only its default export is certain (bundled or not).
    return await Promise.all([import('ink'), import('react').then((m) => m.default), import('./App.js')]);
  } finally {
    CI_VARS.forEach((k, i) => { if (saved[i] !== undefined) process.env[k] = saved[i]; });
  }
}

class Shell {
  private shutDown = false;
  private statsTimer: NodeJS.Timeout | undefined;
  private unmountInk: (() => Promise<void>) | undefined;
  private closeMonitor: (() => Promise<void>) | undefined;
  readonly runner: Runner;

  constructor(readonly session: Session, readonly layer: CommandLayer, readonly output: OutputBus,
              readonly color: boolean, mode: OutputMode) {
    this.runner = new Runner(layer, session, color, mode);
  }

  run(line: string) { return this.runner.run(line); }

  // Ends the session: prints `lines` (the quit command's), the session's own
  // shutdown lines, and exits `code`. Safe to call more than once. `quiet`
  // (-c) prints only the shutdown lines that report an error.
  async quit(lines: StyledLine[] = [], code = 0, quiet = false): Promise<never> {
    if (this.shutDown) return new Promise<never>(() => { /* already leaving */ });
    this.shutDown = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.closeMonitor) await this.closeMonitor();
    if (this.unmountInk) await this.unmountInk();
    out(lines);
    try {
      const bye = this.session.shutdown() ?? [];
      out(this.runner.log(quiet ? bye.filter((l) => l.style === 'error') : bye));
    } catch (e) {
      err([{ text: `ringside: shutdown: ${errorMessage(e)}`, style: 'error' }]);
    }
    return leave(code);
  }

  // -c "cmd; cmd": run each, print its result, carry on after a failure;
  // exit 1 if any failed (0 otherwise). `quit` ends the list early.
  async runCommands(cmds: string[]): Promise<never> {
    let failed = false;
    for (const cmd of cmds) {
      if (this.shutDown) break;
      const res = await this.run(cmd);
      if (res.quit) return this.quit(this.runner.mode === 'json' ? res.lines : [], failed ? 1 : 0, true);
      out(res.lines);
      if (res.failed) failed = true;
    }
    return this.quit([], failed ? 1 : 0, true);
  }

  // testpmd's --cmdline-file: run each line, print its output (not the line) as it comes,
  // stop at the first failure (the session goes on). Same output as the `load`
  // command, but any path works (load's argument cannot hold spaces).
  async runFile(file: string, lines: string[]): Promise<void> {
    for (let i = 0; i < lines.length; i++) {
      const cmd = lines[i].trim();
      if (cmd === '' || cmd.startsWith('#')) continue;
      const res = await this.run(cmd);
      out(res.lines);
      if (res.quit) await this.quit();
      if (res.failed) {
        out(this.runner.log([{ text: `--cmdline-file: stopped at line ${i + 1} of ${file} ('${cmd}'): the command failed; the rest of the file was not run`, style: 'error' }]));
        return;
      }
    }
    out(this.runner.log([{ text: `Read CLI commands from ${file}`, style: 'ok' }]));
  }

  async startForwarding(opts: SessionOptions): Promise<void> {
    const cmd = opts.txFirst ? 'start tx_first' : 'start';
    const res = await this.run(cmd);
    this.output.emit(res.lines);
  }

  // --stats-period. `fullScreen`: testpmd's non-interactive print_stats,
  // which clears the screen and draws "Port statistics" at the top each time.
  startStats(seconds: number, fullScreen = false): void {
    let pending = false;
    this.statsTimer = setInterval(() => {
      if (pending || this.shutDown) return;
      pending = true;
      void this.run('show port stats all').then((res) => {
        pending = false;
        if (this.shutDown) return;
        if (fullScreen) process.stdout.write('\x1b[2J\x1b[1;1H\nPort statistics ====================================');
        this.output.emit(res.lines);
      });
    }, seconds * 1000);
  }

  // testpmd without -i: forwarding starts at once and runs until Enter (or a
  // signal), then everything stops and closes as with quit.
  async nonInteractive(opts: SessionOptions): Promise<never> {
    out([{ text: 'No commandline core given, start packet forwarding' }]);
    await this.startForwarding(opts);
    if (opts.statsPeriod > 0) this.startStats(opts.statsPeriod, true);
    out([{ text: 'Press enter to exit' }]);
    // Enter (any line) or the end of input.
    await boundedLines(process.stdin, MAX_LINE_CHARS)[Symbol.asyncIterator]().next();
    const res = await this.run('quit');
    return this.quit(res.quit ? res.lines : []);
  }

  async lineMode(): Promise<never> {
    for await (const next of boundedLines(process.stdin, MAX_LINE_CHARS)) {
      if (this.shutDown) break;
      // Said here, as the command layer would, since the line was never kept.
      if ('tooLong' in next) {
        out(this.runner.render(lineTooLong(next.tooLong)));
        continue;
      }
      const { line } = next;
      if (line.trim() === '') continue;
      const res = await this.run(line);
      if (res.quit) return this.quit(res.lines);
      out(res.lines);
    }
    // EOF behaves as `quit`.
    const res = await this.run('quit');
    return this.quit(res.quit ? res.lines : []);
  }

  async inkMode(history: import('./history.js').HistoryFile, ui: Promise<UiModules>): Promise<void> {
    const [{ render }, { createElement }, { App }] = await ui;
    // The monitor's host is not needed for the first prompt: it loads once
    // the prompt is drawn, long before anyone has typed `monitor`.
    let host: typeof import('./monitor/host.js') | undefined;
    let hostError = '';
    this.closeMonitor = async () => host?.closeActiveMonitor();
    // A pseudo-terminal nobody sized (script(1) fed from a pipe) reports 0x0;
    // Ink would then redraw the whole screen on every frame.
    const tty = process.stdout as NodeJS.WriteStream & { rows: number; columns: number };
    if (!tty.rows) tty.rows = Number(process.env.LINES) || 24;
    if (!tty.columns) tty.columns = Number(process.env.COLUMNS) || 80;
    const instance = render(createElement(App, {
      session: this.session,
      layer: this.layer,
      color: this.color,
      history: [...history.entries],
      onCommand: (line: string) => history.append(line),
      output: this.output,
      isForwarding: () => this.session.engine.forwarding(),
      onQuit: (lines: StyledLine[]) => { void this.quit(lines); },
      runner: this.runner,
      openMonitor: (intervalMs: number) => {
        if (!host) throw new Error(hostError ? `cannot load the dashboard: ${hostError}` : 'still loading; try again in a moment');
        return host.openMonitor(this.session.engine, intervalMs);
      },
    }), { exitOnCtrlC: false });
    setImmediate(() => {
      import('./monitor/host.js').then((m) => { host = m; }, (e: unknown) => { hostError = errorMessage(e); });
    });
    this.unmountInk = async () => {
      instance.unmount();
      await instance.waitUntilExit().catch(() => undefined);
    };
  }
}

// ------------------------------------------------------------- main

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // `ringside run FILE...`: scenarios, without a terminal (scenario-runner/cli.ts).
  if (argv[0] === 'run') return leave(await (await import('../scenario-runner/cli.js')).runCli(argv.slice(1)));
  trapSignals();
  let parsed = parseCommandLine(argv);
  if (parsed.help) {
    writeTo(process.stdout, usage());
    return leave(0);
  }
  for (const w of parsed.warnings) err([{ text: `ringside: ${w}`, style: 'warning' }]);
  const fileLines = parsed.options.cmdlineFile ? readCmdlineFile(parsed.options.cmdlineFile) : undefined;

  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  // Ink takes a while to load: start now, while the engine comes up.
  const ui = interactive ? loadUi() : undefined;
  ui?.catch(() => undefined);

  let loaded: Loaded;
  try {
    loaded = await load();
  } catch (e) {
    return fail(EXIT_STARTUP, `cannot load the engine: ${errorMessage(e)}`);
  }
  if (pendingSignal !== undefined) return leave(pendingSignal);  // nothing made yet
  // Check --forward-mode against the engine's own table of modes.
  parsed = parseCommandLine(argv, loaded.fwdModes);

  const output = new OutputBus(out);
  // Lines that are not results (start-up, events): JSON objects in JSON mode.
  // -c prints only its commands' results (and errors).
  let shellRef: Shell | undefined;
  const mode = (): OutputMode => shellRef?.runner.mode ?? (parsed.json ? 'json' : 'text');
  const logLines = (lines: StyledLine[]): StyledLine[] =>
    mode() === 'json' ? lines.map((l) => ({ text: logJson(l) })) : lines;
  const quietStartup = parsed.commands !== undefined;

  // Start-up lines are printed as the session logs them (so the lines before
  // a failed attach are seen too); session.startupLines holds the same lines.
  let session: Session;
  try {
    session = await loaded.Session.create(parsed.options, loaded.layer.view, (lines: StyledLine[]) => {
      if (quietStartup && session === undefined) return;
      output.emit(logLines(lines));
    });
  } catch (e) {
    return fail(EXIT_STARTUP, errorMessage(e));
  }
  const shell = new Shell(session, loaded.layer, output, outColor, parsed.json ? 'json' : 'text');
  shellRef = shell;
  onSignal = (code) => { void shell.quit([], code); };
  if (pendingSignal !== undefined) return shell.quit([], pendingSignal);
  // The reader of a pipe went away (`| head -1`): end the session quietly.
  whenStdoutCloses(() => { void shell.quit([], EXIT_BROKEN_PIPE); });
  if (stdoutClosed()) return shell.quit([], EXIT_BROKEN_PIPE);

  // testpmd options that are a command here (--rss-ip, --tx-udp, ...): their errors print.
  for (const cmd of parsed.options.startupCommands) {
    const res = await shell.run(cmd);
    if (res.failed) err(res.lines);
  }
  if (fileLines && parsed.options.cmdlineFile) await shell.runFile(parsed.options.cmdlineFile, fileLines);
  // testpmd's non-interactive mode: its command line (options after '--')
  // without -i, typed at a terminal. Piped input stays ringside's line mode.
  if (interactive && parsed.appOptions && !parsed.options.interactive && !parsed.commands) {
    await shell.nonInteractive(parsed.options);
    return;
  }
  if (parsed.options.autoStart || parsed.options.txFirst) await shell.startForwarding(parsed.options);
  if (parsed.options.statsPeriod > 0) shell.startStats(parsed.options.statsPeriod);

  if (parsed.commands) {
    await shell.runCommands(parsed.commands);
    return;
  }
  if (!interactive) {
    await shell.lineMode();
    return;
  }
  const { HistoryFile, historyPath } = await import('./history.js');
  const history = new HistoryFile(historyPath(), (msg) => output.emit([{ text: msg, style: 'warning' }]));
  history.load();
  await shell.inkMode(history, ui!);
}

main().catch((e: unknown) => {
  if (e instanceof ExitRequest) return leave(e.code);
  err([{ text: `ringside: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`, style: 'error' }]);
  return leave(EXIT_STARTUP);
});
