// Reads a scenario (.rsc) file into steps, checking everything that can be
// checked before anything runs: the directives, every condition, every
// ringside command against the grammar, variables, includes and the topology
// block. Every problem names the file and line and shows the line.
import path from 'node:path';
import { addon } from '../native/addon.js';
import { TABLE } from '../commands/grammar.js';
import { parseLine } from '../commands/parse.js';
import { readScriptLines } from '../commands/script-file.js';
import type { GrammarContext } from '../commands/spec.js';
import { parseArgs } from '../shell/args.js';
import type { SessionOptions } from '../session/options.js';
import { parseCondition, type Condition } from '../commands/conditions.js';
import { ScenarioSyntaxError, parseDuration, splitWords, substitute } from '../commands/words.js';

export interface Loc { file: string; line: number; text: string }

export type Step =
  | { kind: 'command'; loc: Loc; command: string }
  | { kind: 'sleep'; loc: Loc; ms: number }
  | { kind: 'expect'; loc: Loc; cond: Condition; withinMs?: number }
  | { kind: 'wait'; loc: Loc; cond: Condition; withinMs: number }
  | { kind: 'shell'; loc: Loc; argv: string[]; allowFail: boolean; netns?: string; timeoutMs: number }
  | { kind: 'echo'; loc: Loc; text: string };

export interface NetnsDecl { name: string; real: string; loc: Loc }
export interface Topology {
  netns: NetnsDecl[];
  // queues: rx and tx queues of each end (veth's default is 1).
  veths: { a: { ns: string; ifname: string }; b: { ns: string; ifname: string }; queues?: number; loc: Loc }[];
  addrs: { ns: string; ifname: string; cidr: string; loc: Loc }[];
  routes: { ns: string; args: string[]; loc: Loc }[];
}

export interface Startup { loc: Loc; options: SessionOptions; start?: 'start' | 'start tx_first' }

export interface Scenario {
  file: string;            // as given
  dir: string;             // absolute directory of the file: relative paths start here
  steps: Step[];
  topology: Topology;
  startup?: Startup;
  vars: Map<string, string>;
}

export interface SyntaxIssue { loc: Loc; message: string; hint?: string }

export interface ParseOptions {
  vars?: Map<string, string>;     // --var NAME=VALUE: win over `set var` in the file
  nsPrefix?: string;              // real namespace names: prefix + name
  workdir?: string;               // ${WORKDIR}
}

export const DEFAULT_WAIT_MS = 10_000;
export const DEFAULT_SHELL_TIMEOUT_MS = 120_000;
const MAX_INCLUDE_DEPTH = 8;
const HOST = 'host';

// Lines of a file with `\` continuations joined; line numbers are the first line's.
export function logicalLines(text: string): { line: number; text: string; raw: string }[] {
  const src = text.split(/\r?\n/);
  const out: { line: number; text: string; raw: string }[] = [];
  for (let i = 0; i < src.length; i++) {
    const first = i;
    let joined = src[i];
    let raw = src[i];
    while (/\\\s*$/.test(joined) && !/^\s*#/.test(src[first]) && i + 1 < src.length) {
      joined = joined.replace(/\\\s*$/, ' ') + src[++i].trim();
      raw += '\n' + src[i];
    }
    joined = joined.replace(/\\\s*$/, '');
    out.push({ line: first + 1, text: joined.trim(), raw: raw.trim() });
  }
  return out;
}

// Grammar context for checking command lines before any port exists: any
// port id up to 63 is accepted here (the engine checks the real ones).
const STATIC_CTX: GrammarContext = {
  engine: { portIds: () => Array.from({ length: 64 }, (_, i) => i) },
  fwdModes: () => addon.fwdModes(),
  drivers: () => addon.drivers(),
};

const NOT_IN_SCENARIOS: Record<string, string> = {
  quit: 'a scenario ends at its last line; the runner stops and closes the ports',
  run: "scenarios do not run scenarios: use 'include FILE'",
};

class Parser {
  readonly steps: Step[] = [];
  readonly issues: SyntaxIssue[] = [];
  readonly topology: Topology = { netns: [], veths: [], addrs: [], routes: [] };
  readonly vars = new Map<string, string>();
  startup?: Startup;
  private currentNetns: string | undefined;
  private fixed: Set<string>;

  constructor(readonly opts: ParseOptions) {
    for (const [k, v] of opts.vars ?? []) this.vars.set(k, v);
    this.fixed = new Set(opts.vars?.keys() ?? []);
  }

  issue(loc: Loc, e: unknown): void {
    if (e instanceof ScenarioSyntaxError) this.issues.push({ loc, message: e.message, hint: e.hint });
    else this.issues.push({ loc, message: e instanceof Error ? e.message : String(e) });
  }

  file(file: string, depth: number, from?: Loc): void {
    let text: string;
    try {
      text = readScriptLines(file).join('\n');
    } catch (e) {
      const why = (e as Error).message;
      if (from) this.issues.push({ loc: from, message: `include: cannot read '${file}': ${why}` });
      else this.issues.push({ loc: { file, line: 0, text: '' }, message: `cannot read '${file}': ${why}` });
      return;
    }
    const dir = path.dirname(path.resolve(file));
    const lines = logicalLines(text);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.text === '' || l.text.startsWith('#')) continue;
      const loc: Loc = { file, line: l.line, text: l.raw };
      const first = l.text.split(/\s+/)[0];
      if (first === 'topology') {
        i = this.topologyBlock(lines, i, file);
        continue;
      }
      try {
        this.line(l.text, loc, dir, depth);
      } catch (e) {
        this.issue(loc, e);
      }
    }
  }

  private topologyBlock(lines: { line: number; text: string; raw: string }[], start: number, file: string): number {
    const head: Loc = { file, line: lines[start].line, text: lines[start].raw };
    if (lines[start].text !== 'topology') this.issue(head, new ScenarioSyntaxError(`'topology' takes nothing on its line: put one item a line below it, then 'end'`));
    if (this.steps.length > 0) this.issue(head, new ScenarioSyntaxError('the topology block must come before the first step: it is set up before the scenario runs'));
    for (let i = start + 1; i < lines.length; i++) {
      const l = lines[i];
      if (l.text === '' || l.text.startsWith('#')) continue;
      const loc: Loc = { file, line: l.line, text: l.raw };
      if (l.text === 'end') return i;
      try {
        this.topologyLine(splitWords(substitute(l.text, this.vars), true), loc);
      } catch (e) {
        this.issue(loc, e);
      }
    }
    this.issue(head, new ScenarioSyntaxError("topology block without 'end'"));
    return lines.length;
  }

  private nsRef(word: string | undefined, what: string): string {
    if (word === undefined) throw new ScenarioSyntaxError(`missing ${what}`);
    if (word === HOST) return HOST;
    if (!this.topology.netns.some((n) => n.name === word)) {
      throw new ScenarioSyntaxError(`unknown namespace '${word}' in ${what}: declare it first with 'netns ${word}'`,
        `namespaces declared: ${this.topology.netns.map((n) => n.name).join(', ') || 'none'}`);
    }
    return word;
  }

  private end(word: string | undefined, what: string): { ns: string; ifname: string } {
    const m = word ? /^([^:]+):(.+)$/.exec(word) : null;
    if (!m) throw new ScenarioSyntaxError(`invalid ${what} '${word ?? ''}': expected NAMESPACE:INTERFACE, e.g. a:veth0`);
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(m[2])) throw new ScenarioSyntaxError(`invalid interface name '${m[2]}': 1 to 15 letters, digits, '_', '-' or '.'`);
    return { ns: this.nsRef(m[1], what), ifname: m[2] };
  }

  private topologyLine(w: string[], loc: Loc): void {
    const [kind, ...rest] = w;
    switch (kind) {
      case 'netns': {
        const name = rest[0];
        if (!name || rest.length !== 1) throw new ScenarioSyntaxError('usage: netns NAME');
        if (!/^[a-z0-9][a-z0-9_-]{0,19}$/i.test(name) || name === HOST) throw new ScenarioSyntaxError(`invalid namespace name '${name}': up to 20 letters, digits, '_' or '-' (not 'host')`);
        if (this.topology.netns.some((n) => n.name === name)) throw new ScenarioSyntaxError(`namespace '${name}' is declared twice`);
        const real = `${this.opts.nsPrefix ?? `rs-sc-${process.pid}-`}${name}`;
        this.topology.netns.push({ name, real, loc });
        this.vars.set(`NS_${name}`, real);
        return;
      }
      case 'veth': {
        const usage = 'usage: veth NS:IFNAME NS:IFNAME [queues N] (a veth pair, one end in each namespace; N rx and tx queues each)';
        if (rest.length !== 2 && !(rest.length === 4 && rest[2] === 'queues')) throw new ScenarioSyntaxError(usage);
        const queues = rest.length === 4 ? Number(rest[3]) : undefined;
        if (queues !== undefined && !(Number.isInteger(queues) && queues >= 1 && queues <= 64)) {
          throw new ScenarioSyntaxError(`invalid queue count '${rest[3]}': expected 1 to 64`);
        }
        this.topology.veths.push({ a: this.end(rest[0], 'veth end'), b: this.end(rest[1], 'veth end'), queues, loc });
        return;
      }
      case 'addr': {
        if (rest.length !== 2) throw new ScenarioSyntaxError('usage: addr NS:IFNAME ADDRESS/LEN');
        const e = this.end(rest[0], 'addr interface');
        if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(rest[1])) throw new ScenarioSyntaxError(`invalid address '${rest[1]}': expected ADDRESS/LEN, e.g. 10.9.0.1/24`);
        this.topology.addrs.push({ ...e, cidr: rest[1], loc });
        return;
      }
      case 'route': {
        if (rest.length < 2) throw new ScenarioSyntaxError("usage: route NS ROUTE... (as 'ip route add ROUTE...', e.g. route a default via 10.9.0.2)");
        this.topology.routes.push({ ns: this.nsRef(rest[0], 'route'), args: rest.slice(1), loc });
        return;
      }
      default:
        throw new ScenarioSyntaxError(`unknown topology item '${kind}': expected netns, veth, addr, route or end`);
    }
  }

  private line(text0: string, loc: Loc, dir: string, depth: number): void {
    const text = substitute(text0, this.vars);
    const words = splitWords(text, true);
    const [first, second] = words;
    const push = (s: Step): void => { this.steps.push(s); };
    switch (first) {
      case 'set':
        if (second === 'var') {
          const name = words[2];
          if (!name || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new ScenarioSyntaxError('usage: set var NAME VALUE (NAME: letters, digits, _ . -)');
          if (!this.fixed.has(name)) this.vars.set(name, words.slice(3).join(' '));
          return;
        }
        break;
      case 'include': {
        if (words.length !== 2) throw new ScenarioSyntaxError('usage: include FILE');
        if (depth >= MAX_INCLUDE_DEPTH) throw new ScenarioSyntaxError(`includes nest more than ${MAX_INCLUDE_DEPTH} deep (does a file include itself?)`);
        const target = path.isAbsolute(words[1]) ? words[1] : path.join(dir, words[1]);
        this.file(path.relative(process.cwd(), target) || target, depth + 1, loc);
        return;
      }
      case 'netns': {
        if (words.length !== 2) throw new ScenarioSyntaxError("usage: netns NAME (a namespace from the topology block) or 'netns host'");
        this.currentNetns = this.nsRef(second, 'netns') === HOST ? undefined : second;
        return;
      }
      case 'sleep':
        if (words.length !== 2) throw new ScenarioSyntaxError('usage: sleep DURATION (e.g. 500ms, 2s)');
        push({ kind: 'sleep', loc, ms: parseDuration(second) });
        return;
      case 'wait': {
        if (second !== 'until') throw new ScenarioSyntaxError('usage: wait until CONDITION [within DURATION]');
        const { cond, withinMs } = this.condition(words.slice(2));
        push({ kind: 'wait', loc, cond, withinMs: withinMs ?? DEFAULT_WAIT_MS });
        return;
      }
      case 'expect': {
        const { cond, withinMs } = this.condition(words.slice(1));
        push({ kind: 'expect', loc, cond, withinMs });
        return;
      }
      case 'shell':
      case 'shell!': {
        if (words.length < 2) throw new ScenarioSyntaxError("usage: shell PROGRAM ARGS... (no shell interpretation; write 'shell sh -c \"...\"' for pipes)");
        push({ kind: 'shell', loc, argv: words.slice(1), allowFail: first === 'shell!', netns: this.realNs(this.currentNetns), timeoutMs: DEFAULT_SHELL_TIMEOUT_MS });
        return;
      }
      case 'echo':
        push({ kind: 'echo', loc, text: words.slice(1).join(' ') });
        return;
      case 'ringside':
        this.startupLine(words.slice(1), loc);
        return;
      case 'end':
        throw new ScenarioSyntaxError("'end' without 'topology'");
      default:
        break;
    }
    if (NOT_IN_SCENARIOS[first]) throw new ScenarioSyntaxError(`'${first}' cannot be used in a scenario: ${NOT_IN_SCENARIOS[first]}`);
    // A ringside command: checked against the grammar now, run later.
    const command = text.replace(/\s+#.*$/, '');
    const parsed = parseLine(TABLE, STATIC_CTX, command);
    if (!parsed.ok) {
      const hint = parsed.error.hint;
      const directives = 'scenario lines: set var, include, topology, netns, sleep, wait until, expect, shell, shell!, echo, ringside, or a ringside command';
      throw new ScenarioSyntaxError(parsed.error.message, parsed.error.code === 'ECMD_UNKNOWN' && hint === "type 'help' for commands" ? directives : hint);
    }
    push({ kind: 'command', loc, command });
  }

  private realNs(name: string | undefined): string | undefined {
    return name === undefined ? undefined : this.topology.netns.find((n) => n.name === name)?.real;
  }

  private condition(words: string[]): { cond: Condition; withinMs?: number } {
    let withinMs: number | undefined;
    if (words.length >= 2 && words[words.length - 2] === 'within') {
      withinMs = parseDuration(words[words.length - 1], 'within duration');
      words = words.slice(0, -2);
    }
    return { cond: parseCondition(words), withinMs };
  }

  private startupLine(args: string[], loc: Loc): void {
    if (this.startup) throw new ScenarioSyntaxError(`a second 'ringside' line (the first is at line ${this.startup.loc.line})`);
    if (this.steps.length > 0) throw new ScenarioSyntaxError("the 'ringside' start-up line must come before the first step");
    let parsed;
    try {
      parsed = parseArgs(args, { fwdModes: addon.fwdModes().map((m) => m.name) });
    } catch (e) {
      throw new ScenarioSyntaxError(`ringside start-up line: ${(e as Error).message}`);
    }
    const o = parsed.options;
    if (parsed.help) throw new ScenarioSyntaxError('ringside start-up line: --help has no place in a scenario');
    if (o.cmdlineFile) throw new ScenarioSyntaxError("ringside start-up line: --cmdline-file: use 'include FILE' in a scenario");
    if (o.statsPeriod) throw new ScenarioSyntaxError("ringside start-up line: --stats-period: write 'show port stats all' steps instead");
    this.startup = { loc, options: o, start: o.txFirst ? 'start tx_first' : o.autoStart ? 'start' : undefined };
  }
}

// Parses a scenario and everything it includes. Returns every problem found.
export function parseScenario(file: string, opts: ParseOptions = {}): { scenario: Scenario; issues: SyntaxIssue[] } {
  const p = new Parser(opts);
  if (opts.workdir) p.vars.set('WORKDIR', opts.workdir);
  const dir = path.dirname(path.resolve(file));
  p.vars.set('SCENARIO_DIR', dir);
  p.file(file, 0);
  return {
    scenario: { file, dir, steps: p.steps, topology: p.topology, startup: p.startup, vars: p.vars },
    issues: p.issues,
  };
}

// "scenarios/x.rsc:12: message\n    12 | the line\n    hint"
