#!/usr/bin/env node
// ringside's entry point: parse the command line, create the session, run the
// start-up work (--cmdline-file, --auto-start/--tx-first, --stats-period), then
// either mount the Ink shell (a terminal) or read commands line by line (a pipe).
import fs from 'node:fs';
import readline from 'node:readline';
import type { CommandLayer, StyledLine } from '../commands/types.js';
import type { Session } from '../session/session.js';
import type { SessionOptions } from '../session/options.js';
import { ArgsError, EXIT_USAGE, parseArgs, usage, type ParsedArgs } from './args.js';
import { colorEnabled, toAnsi } from './style.js';
import { OutputBus } from './output.js';
import { Runner } from './runner.js';
import { logJson } from '../commands/render-json.js';
import type { OutputMode } from '../commands/shellcmds.js';

const EXIT_STARTUP = 1;
const outColor = colorEnabled(process.stdout);
const errColor = colorEnabled(process.stderr);

function write(stream: NodeJS.WriteStream, lines: StyledLine[], color: boolean): void {
  if (lines.length === 0) return;
  stream.write(lines.map((l) => toAnsi(l, color) + '\n').join(''));
}
const out = (lines: StyledLine[]): void => write(process.stdout, lines, outColor);
const err = (lines: StyledLine[]): void => write(process.stderr, lines, errColor);

function exit(code: number): never {
  // stdout/stderr writes to pipes, files and terminals are synchronous on Linux,
  // so nothing is lost by leaving at once.
  process.exit(code);
}

function fail(code: number, message: string, withUsage = false): never {
  err([{ text: `ringside: ${message}`, style: 'error' }]);
  if (withUsage) process.stderr.write('\n' + usage());
  return exit(code);
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
    return fs.readFileSync(file, 'utf8').split(/\r?\n/);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : errorMessage(e);
    return fail(EXIT_STARTUP, `cannot read --cmdline-file ${file}: ${why}`);
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
    return await Promise.all([import('ink'), import('react'), import('./App.js')]);
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
    return exit(code);
  }

  // -c "cmd; cmd": run each, print its result, carry on after a failure;
  // exit 1 if any failed (0 otherwise). `quit` ends the list early.
  async runCommands(cmds: string[]): Promise<never> {
    let failed = false;
    for (const cmd of cmds) {
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
    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
    await new Promise<void>((resolve) => { rl.once('line', () => resolve()); rl.once('close', () => resolve()); });
    rl.close();
    const res = await this.run('quit');
    return this.quit(res.quit ? res.lines : []);
  }

  async lineMode(): Promise<never> {
    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
    for await (const line of rl) {
      if (this.shutDown) break;
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
    const host = await import('./monitor/host.js');
    this.closeMonitor = () => host.closeActiveMonitor();
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
      openMonitor: (intervalMs: number) => host.openMonitor(this.session.engine, intervalMs),
    }), { exitOnCtrlC: false });
    this.unmountInk = async () => {
      instance.unmount();
      await instance.waitUntilExit().catch(() => undefined);
    };
  }
}

// ------------------------------------------------------------- main

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // `ringside run FILE...`: scenarios, without a terminal (scenarios/cli.ts).
  if (argv[0] === 'run') return exit(await (await import('../scenarios/cli.js')).runCli(argv.slice(1)));
  let parsed = parseCommandLine(argv);
  if (parsed.help) {
    process.stdout.write(usage());
    return exit(0);
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
    session = await loaded.Session.create(parsed.options, (lines: StyledLine[]) => {
      if (quietStartup && session === undefined) return;
      output.emit(logLines(lines));
    });
  } catch (e) {
    return fail(EXIT_STARTUP, errorMessage(e));
  }
  const shell = new Shell(session, loaded.layer, output, outColor, parsed.json ? 'json' : 'text');
  shellRef = shell;
  process.on('SIGTERM', () => { void shell.quit(); });
  // SIGINT: Ctrl-C in line mode; in the Ink shell the terminal is raw, so
  // Ctrl-C arrives as a key and only `kill -INT` gets here.
  process.on('SIGINT', () => { void shell.quit(); });
  process.on('SIGHUP', () => { void shell.quit(); });

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
  fail(EXIT_STARTUP, `internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
});
