// Conditions of `expect` and `wait until`, as a TABLE: one entry per subject
// (port, queue, fwd, pool, output, capture, event, kni, ...). A feature adds
// its subject by adding one entry to SUBJECTS; a subject whose feature is not
// in this build says so when the scenario is checked, before anything runs.
//
//   condition  := expr OP expr | SUBJECT ARGS... PREDICATE...
//   expr       := term (('+' | '-') term)*
//   term       := NUMBER | SUBJECT ARGS... COUNTER
//   OP         := == != < <= > >=
import fs from 'node:fs';
import { addon } from '../native/addon.js';
import type { NativeEngine, PortCounters, Snapshot } from '../native/addon.js';
import { collectFwdStats } from './collect.js';
import { nearest } from './parse.js';
import { describeIds } from './params.js';
import { ScenarioSyntaxError } from './words.js';
import { formatEvent } from '../session/events.js';
import type { NetEvent } from '../native/netevents.js';
import type { LatencyReport } from '../native/gen.js';

// What a condition reads when it is evaluated. One snapshot per evaluation.
export interface EvalContext {
  engine: NativeEngine;
  missedBaseline: Map<number, number>;
  snapshot(): Snapshot;
  // The output of the last `shell` step or command line (stdout + stderr).
  lastOutput?: { text: string; status: number | null; what: string };
}

// A value could not be read (port gone, file missing): the condition is false
// and `why` is shown as the actual value.
export class Unreadable extends Error {}
// Unreadable for as long as a wait lasts: no step runs during a wait, so a
// port or queue that does not exist will not appear. Waiting for it fails at once.
export class Absent extends Unreadable {}

export interface CounterSpec { help: string; read(ctx: EvalContext, args: string[]): number }

export interface PredicateOutcome { ok: boolean; expected: string; actual: string; detail?: string }
export interface PredicateSpec {
  syntax: string;
  help: string;
  // words after the subject's arguments; returns an evaluator or throws ScenarioSyntaxError.
  parse(words: string[], args: string[]): (ctx: EvalContext) => PredicateOutcome;
}

// 'keyword': the word must be the argument's name (flow 0 rule 1 hits).
export type ArgKind = 'uint' | 'word' | 'keyword';

export interface SubjectSpec {
  name: string;
  help: string;
  args: { name: string; kind: ArgKind }[];
  counters: Record<string, CounterSpec>;
  predicates?: Record<string, PredicateSpec>;
  // null when usable; else why not (checked when the scenario is parsed).
  unavailable?(): string | null;
}

// ------------------------------------------------------------ readers

function portOf(ctx: EvalContext, id: string): PortCounters {
  const snap = ctx.snapshot();
  const p = snap.ports.find((x) => x.id === Number(id));
  if (!p) throw new Absent(`port ${id} does not exist (ports: ${describeIds(snap.ports.map((x) => x.id))})`);
  return p;
}

function portInfo(ctx: EvalContext, id: string) {
  try { return ctx.engine.portInfo(Number(id)); } catch { throw new Absent(`port ${id} does not exist`); }
}

function fwdStats(ctx: EvalContext) {
  const snap = ctx.snapshot();
  return collectFwdStats(snap.streams, snap.ports, ctx.missedBaseline);
}

function fwdSum(ctx: EvalContext, key: 'rxPackets' | 'txPackets' | 'txDropped' | 'rxDropped'): number {
  return fwdStats(ctx).ports.reduce((a, p) => a + p[key], 0);
}

function fwdPort(ctx: EvalContext, id: string, key: 'rxPackets' | 'txPackets' | 'txDropped' | 'rxDropped'): number {
  portOf(ctx, id);
  return fwdStats(ctx).ports.find((p) => p.id === Number(id))?.[key] ?? 0;
}

function queueOf(ctx: EvalContext, args: string[], dir: 'rxq' | 'txq') {
  const p = portOf(ctx, args[0]);
  const q = p[dir][Number(args[1])];
  if (!q) throw new Absent(`port ${args[0]} has no ${dir === 'rxq' ? 'rx' : 'tx'} queue ${args[1]} (it has ${p[dir].length})`);
  return q;
}

// Records in a pcap or pcapng file (complete records only: a file being
// written may end in a partial one).
export function countPcap(file: string): { packets: number; bytes: number } {
  let b: Buffer;
  try { b = fs.readFileSync(file); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Unreadable(code === 'ENOENT' ? `no file '${file}'` : `cannot read '${file}': ${(e as Error).message}`);
  }
  if (b.length < 24) throw new Unreadable(`'${file}' has ${b.length} bytes: no pcap header yet`);
  const m = b.readUInt32LE(0);
  let packets = 0;
  let bytes = 0;
  if (m === 0x0a0d0d0a) { // pcapng: count EPB (6) and SPB (3) blocks
    const le = b.readUInt32LE(8) === 0x1a2b3c4d;
    const r32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    let off = 0;
    while (off + 12 <= b.length) {
      const type = r32(off);
      const len = r32(off + 4);
      if (len < 12 || off + len > b.length) break;
      if (type === 6) { packets++; bytes += r32(off + 20); }
      if (type === 3) { packets++; bytes += r32(off + 8); }
      off += len;
    }
    return { packets, bytes };
  }
  const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
  const be = b.readUInt32BE(0) === 0xa1b2c3d4 || b.readUInt32BE(0) === 0xa1b23c4d;
  if (!le && !be) throw new Unreadable(`'${file}' is not a pcap or pcapng file`);
  const r32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  let off = 24;
  while (off + 16 <= b.length) {
    const incl = r32(off + 8);
    if (off + 16 + incl > b.length) break;
    packets++;
    bytes += r32(off + 12);
    off += 16 + incl;
  }
  return { packets, bytes };
}

// An engine feature is present when the addon's Engine has its method.
function needsEngine(method: string, feature: string): () => string | null {
  return () => {
    const proto = (addon.Engine as unknown as { prototype: Record<string, unknown> }).prototype;
    return typeof proto?.[method] === 'function' ? null : `${feature} is not available in this build`;
  };
}

const c = (help: string, read: CounterSpec['read']): CounterSpec => ({ help, read });

// Events the `event` subject knows (session/events.ts prints them).
const EVENT_NAMES = [
  'mac_change', 'mtu_change', 'link_change', 'addr_add', 'addr_del', 'addr6_add', 'addr6_del',
  'route_add', 'route_del', 'route6_add', 'route6_del', 'neigh_add', 'neigh_del', 'cfg_finished',
  'overflow', 'kni_request', 'kni_response',
];

// ------------------------------------------------------------ the table

export const SUBJECTS: SubjectSpec[] = [
  {
    name: 'port',
    help: 'port N COUNTER: the NIC counters of `show port stats`, plus forward drops and port facts',
    args: [{ name: 'port', kind: 'uint' }],
    counters: {
      'rx-packets': c('packets received', (x, a) => portOf(x, a[0]).rxPackets),
      'rx-bytes': c('bytes received', (x, a) => portOf(x, a[0]).rxBytes),
      'rx-missed': c('packets the port dropped on receive (RX-missed)', (x, a) => portOf(x, a[0]).rxMissed),
      'rx-errors': c('receive errors', (x, a) => portOf(x, a[0]).rxErrors),
      'rx-nombuf': c('receive mbuf allocation failures', (x, a) => portOf(x, a[0]).rxNombuf),
      'tx-packets': c('packets sent', (x, a) => portOf(x, a[0]).txPackets),
      'tx-bytes': c('bytes sent', (x, a) => portOf(x, a[0]).txBytes),
      'tx-errors': c('transmit errors', (x, a) => portOf(x, a[0]).txErrors),
      'tx-dropped': c('forward drops of streams whose tx port is N (TX-dropped)', (x, a) => fwdPort(x, a[0], 'txDropped')),
      'rx-dropped': c('RX-dropped of the forward statistics (rx-missed since start)', (x, a) => fwdPort(x, a[0], 'rxDropped')),
      'fwd-rx-packets': c('packets forwarding received on port N', (x, a) => fwdPort(x, a[0], 'rxPackets')),
      'fwd-tx-packets': c('packets forwarding sent on port N', (x, a) => fwdPort(x, a[0], 'txPackets')),
      mtu: c('the MTU', (x, a) => portInfo(x, a[0]).mtu),
      'link-up': c('1 when the link is up, else 0', (x, a) => (portInfo(x, a[0]).link.up ? 1 : 0)),
      started: c('1 when the port is started, else 0', (x, a) => (portInfo(x, a[0]).started ? 1 : 0)),
      promiscuous: c('1 when promiscuous, else 0', (x, a) => (portInfo(x, a[0]).promiscuous ? 1 : 0)),
      'rx-queues': c('number of rx queues', (x, a) => portInfo(x, a[0]).nbRxQueues),
      'tx-queues': c('number of tx queues', (x, a) => portInfo(x, a[0]).nbTxQueues),
    },
  },
  {
    name: 'queue',
    help: 'queue PORT QUEUE COUNTER: per-queue counters of `show port xstats`',
    args: [{ name: 'port', kind: 'uint' }, { name: 'queue', kind: 'uint' }],
    counters: {
      'rx-packets': c('packets received on the queue', (x, a) => queueOf(x, a, 'rxq').packets),
      'rx-bytes': c('bytes received on the queue', (x, a) => queueOf(x, a, 'rxq').bytes),
      'rx-errors': c('receive errors on the queue', (x, a) => queueOf(x, a, 'rxq').errors),
      'tx-packets': c('packets sent on the queue', (x, a) => queueOf(x, a, 'txq').packets),
      'tx-bytes': c('bytes sent on the queue', (x, a) => queueOf(x, a, 'txq').bytes),
      'tx-errors': c('transmit errors on the queue', (x, a) => queueOf(x, a, 'txq').errors),
    },
  },
  {
    name: 'fwd',
    help: 'fwd COUNTER: the accumulated forward statistics of `show fwd stats all` (all ports)',
    args: [],
    counters: {
      'rx-packets': c('packets the forwarding streams received', (x) => fwdSum(x, 'rxPackets')),
      'tx-packets': c('packets the forwarding streams sent', (x) => fwdSum(x, 'txPackets')),
      'tx-dropped': c('packets the forwarding streams could not send', (x) => fwdSum(x, 'txDropped')),
      'rx-dropped': c('rx-missed of all ports since forwarding started', (x) => fwdSum(x, 'rxDropped')),
      streams: c('number of forwarding streams', (x) => x.snapshot().streams.length),
      forwarding: c('1 while forwarding, else 0', (x) => (x.snapshot().forwarding ? 1 : 0)),
    },
  },
  {
    name: 'flow',
    help: 'flow PORT rule ID hits|bytes: the count action of a flow rule (`flow query PORT ID count`)',
    args: [{ name: 'port', kind: 'uint' }, { name: 'rule', kind: 'keyword' }, { name: 'id', kind: 'uint' }],
    counters: {
      hits: c('packets that matched the rule', (x, a) => flowCount(x, a).hits),
      bytes: c('bytes of the packets that matched the rule', (x, a) => flowCount(x, a).bytes),
    },
  },
  {
    name: 'rss',
    help: 'rss PORT COUNTER: the software classifier of a port (`show port PORT rss`)',
    args: [{ name: 'port', kind: 'uint' }],
    counters: {
      'dropped-by-rules': c('packets dropped by flow rules', (x, a) => rssOf(x, a[0]).droppedByRules),
      'to-kernel': c('packets a rule sent to the kernel (KNI)', (x, a) => rssOf(x, a[0]).toKernel),
      hashed: c('packets spread by the RSS hash', (x, a) => rssOf(x, a[0]).rssHashed),
      rules: c('number of flow rules', (x, a) => rssOf(x, a[0]).rules),
    },
  },
  {
    name: 'latency',
    help: 'latency PORT COUNTER: generated packets received on a port by rxonly/flowgen (`show port latency PORT`)',
    args: [{ name: 'port', kind: 'uint' }],
    counters: {
      stamped: c('stamped packets received', (x, a) => latencyOf(x, a[0]).stamped),
      expected: c('packets the senders sent, by their sequence numbers', (x, a) => latencyOf(x, a[0]).expected),
      lost: c('packets sent but not received', (x, a) => latencyOf(x, a[0]).lost),
      duplicates: c('packets received twice', (x, a) => latencyOf(x, a[0]).duplicates),
      reordered: c('packets received out of order', (x, a) => latencyOf(x, a[0]).reordered),
      'min-us': c('lowest latency, microseconds', (x, a) => latencyOf(x, a[0]).minNs / 1000),
      'avg-us': c('mean latency, microseconds', (x, a) => latencyOf(x, a[0]).avgNs / 1000),
      'p50-us': c('median latency, microseconds', (x, a) => latencyOf(x, a[0]).p50Ns / 1000),
      'p99-us': c('99th percentile latency, microseconds', (x, a) => latencyOf(x, a[0]).p99Ns / 1000),
      'max-us': c('highest latency, microseconds', (x, a) => latencyOf(x, a[0]).maxNs / 1000),
    },
  },
  {
    name: 'pool',
    help: 'pool COUNTER: the mbuf pool',
    args: [],
    counters: {
      'in-use': c('mbufs in use', (x) => x.snapshot().pool.inUse),
      available: c('mbufs free', (x) => x.snapshot().pool.available),
      size: c('mbufs in the pool', (x) => x.snapshot().pool.size),
      'alloc-failures': c('failed allocations', (x) => x.snapshot().pool.allocFailures),
    },
  },
  {
    name: 'output',
    help: 'output contains TEXT | output not-contains TEXT | output matches REGEX | output exit-status|lines: the output of the last shell step or command',
    args: [],
    counters: {
      'exit-status': c('exit status of the last shell step', (x) => {
        const o = lastOutput(x);
        if (o.status === null) throw new Absent(`${o.what} has no exit status`);
        return o.status;
      }),
      lines: c('number of output lines', (x) => lastOutput(x).text.split('\n').filter((l) => l !== '').length),
    },
    predicates: {
      contains: textPredicate('contains', false),
      'not-contains': textPredicate('not-contains', true),
      matches: {
        syntax: 'output matches REGEX',
        help: 'the output matches a JavaScript regular expression',
        parse(words) {
          const src = words.join(' ');
          if (src === '') throw new ScenarioSyntaxError('output matches: missing regular expression');
          let re: RegExp;
          try { re = new RegExp(src, 'm'); } catch (e) { throw new ScenarioSyntaxError(`output matches: bad regular expression: ${(e as Error).message}`); }
          return (x) => {
            const o = lastOutput(x);
            const m = re.exec(o.text);
            return { ok: !!m, expected: `output of ${o.what} matches /${src}/`, actual: excerpt(o.text), detail: m ? `matched '${lineAt(o.text, m.index)}'` : undefined };
          };
        },
      },
    },
  },
  {
    name: 'capture',
    help: 'capture FILE packets|bytes: records in a pcap/pcapng file (a tx_pcap, a capture)',
    args: [{ name: 'file', kind: 'word' }],
    counters: {
      packets: c('packets in the file', (_x, a) => countPcap(a[0]).packets),
      bytes: c('bytes of the packets in the file (original lengths)', (_x, a) => countPcap(a[0]).bytes),
    },
  },
  {
    name: 'event',
    help: 'event NAME [port N] [proxy IFNAME] [KEY VALUE]...: an event (mtu_change, link_change, addr_add, ...) was seen; or event NAME count',
    args: [],
    counters: Object.fromEntries(EVENT_NAMES.map((n) => [`${n}-count`, c(`number of ${n} events so far`, (x) => eventCount(x, n))])),
    predicates: Object.fromEntries(EVENT_NAMES.map((n) => [n, eventPredicate(n)])),
    unavailable: needsEngine('events', 'event tracing (ifproxy)'),
  },
  {
    name: 'kni',
    help: 'kni PORT COUNTER: the exception path counters of a port',
    args: [{ name: 'port', kind: 'uint' }],
    counters: {
      'rx-packets': c('packets to the kernel', (x, a) => kniOf(x, a[0]).rxPackets),
      'tx-packets': c('packets from the kernel', (x, a) => kniOf(x, a[0]).txPackets),
      'rx-bytes': c('bytes to the kernel', (x, a) => kniOf(x, a[0]).rxBytes),
      'tx-bytes': c('bytes from the kernel', (x, a) => kniOf(x, a[0]).txBytes),
      dropped: c('packets dropped on the exception path', (x, a) => kniOf(x, a[0]).rxDropped + kniOf(x, a[0]).txDropped),
      'requests-handled': c('link/MTU requests handled', (x, a) => kniOf(x, a[0]).requestsHandled),
      'requests-rejected': c('link/MTU requests rejected', (x, a) => kniOf(x, a[0]).requestsRejected),
    },
    unavailable: needsEngine('kniStats', 'KNI'),
  },
];

// ------------------------------------------------------------ engine reports

// An engine call whose refusal (no such port, no such rule) is the actual value.
function engineRead<T>(read: () => T): T {
  try { return read(); } catch (e) { throw new Unreadable((e as Error).message); }
}

const flowCount = (x: EvalContext, a: string[]) => engineRead(() => x.engine.flowQuery(Number(a[0]), Number(a[2])));
const rssOf = (x: EvalContext, port: string) => engineRead(() => x.engine.portRss(Number(port)));
const latencyOf = (x: EvalContext, port: string): LatencyReport => engineRead(() => x.engine.portLatency(Number(port)));

// ------------------------------------------------------------ events and KNI

function eventCount(x: EvalContext, name: string): number {
  return x.engine.eventCounters()[name] ?? 0;
}

const kniOf = (x: EvalContext, port: string) => engineRead(() => x.engine.kniStats(Number(port)).stats);

// event NAME [port N] [proxy IFNAME] [KEY VALUE]...: some event seen so far
// (the engine keeps the last 50,000) matches every filter. An address given
// without /LEN matches any prefix length.
function eventPredicate(name: string): PredicateSpec {
  return {
    syntax: `event ${name} [port N] [proxy IFNAME] [KEY VALUE]...`,
    help: `a ${name} event was seen (with these values)`,
    parse(words) {
      if (words.length % 2 !== 0) {
        throw new ScenarioSyntaxError(`event ${name}: filters come in pairs (port 0, mtu 1600, addr 10.0.0.1/24), got '${words.join(' ')}'`);
      }
      const filters: [string, string][] = [];
      for (let i = 0; i < words.length; i += 2) {
        if (words[i] === 'port' && !/^\d+$/.test(words[i + 1])) throw new ScenarioSyntaxError(`event ${name}: invalid port '${words[i + 1]}'`);
        filters.push([words[i], words[i + 1]]);
      }
      const want = [name, ...words].join(' ');
      const matches = (e: NetEvent): boolean => e.name === name && filters.every(([k, v]) => {
        if (k === 'port') return e.ports.includes(Number(v));
        if (k === 'proxy') return e.proxy === v;
        const have = e.values[k];
        if (have === undefined) return false;
        return have === v || (!v.includes('/') && have.split('/')[0] === v);
      });
      return (x) => {
        const events = x.engine.events();
        const hit = events.find(matches);
        if (hit) return { ok: true, expected: `event ${want}`, actual: formatEvent(hit) };
        const same = events.filter((e) => e.name === name);
        const actual = same.length === 0
          ? `no ${name} event (events seen: ${events.length})`
          : `${same.length} ${name} event(s), none matching; last: ${formatEvent(same[same.length - 1])}`;
        return { ok: false, expected: `event ${want}`, actual };
      };
    },
  };
}

function lastOutput(x: EvalContext) {
  if (!x.lastOutput) throw new Absent('no shell step or command has produced output yet');
  return x.lastOutput;
}

function lineAt(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end < 0 ? undefined : end).trim();
}

function excerpt(text: string, max = 12): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  if (text.trim() === '') return '(no output)';
  const shown = lines.slice(0, max).map((l) => `| ${l}`);
  if (lines.length > max) shown.push(`| ... (${lines.length - max} more lines)`);
  return `\n${shown.join('\n')}`;
}

// Words are split on blanks, so unquoted TEXT has single spaces: say so when
// the output holds it with other spacing.
function notFound(output: string, text: string): string {
  const squeeze = (t: string): string => t.replace(/[ \t]+/g, ' ');
  const lines = output.split('\n').filter((l) => l);
  const spaced = lines.find((l) => squeeze(l).includes(squeeze(text)));
  if (spaced !== undefined) return `found with other spacing in '${spaced.trim()}': quote TEXT ('...') to keep its blanks`;
  return `not in the ${lines.length} lines of output`;
}

function textPredicate(name: string, negate: boolean): PredicateSpec {
  return {
    syntax: `output ${name} TEXT`,
    help: negate ? 'the output does not contain TEXT' : 'the output contains TEXT',
    parse(words) {
      const text = words.join(' ');
      if (text === '') throw new ScenarioSyntaxError(`output ${name}: missing TEXT`);
      return (x) => {
        const o = lastOutput(x);
        const at = o.text.indexOf(text);
        const has = at >= 0;
        return {
          ok: negate ? !has : has,
          expected: `output of ${o.what} ${negate ? 'does not contain' : 'contains'} '${text}'`,
          actual: excerpt(o.text),
          detail: has ? `found in '${lineAt(o.text, at)}'` : notFound(o.text, text),
        };
      };
    },
  };
}

export function subjectNamed(name: string): SubjectSpec | undefined {
  return SUBJECTS.find((s) => s.name === name);
}

// ------------------------------------------------------------ parsing

export type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';
const OPS: Op[] = ['==', '!=', '<', '<=', '>', '>='];

interface Term { sign: 1 | -1; number?: number; subject?: SubjectSpec; args?: string[]; counter?: string; text: string }
interface Expr { terms: Term[]; text: string }

export type Condition =
  | { kind: 'compare'; text: string; left: Expr; op: Op; right: Expr }
  | { kind: 'predicate'; text: string; test: (ctx: EvalContext) => PredicateOutcome };

// final: false now and for as long as a wait lasts (something is Absent).
export interface Evaluation { ok: boolean; expected: string; actual: string; detail?: string; final?: boolean }

const NUM = /^-?\d+(\.\d+)?$/;

function subjectOrError(word: string): SubjectSpec {
  const s = subjectNamed(word);
  if (s) {
    const why = s.unavailable?.();
    if (why) throw new ScenarioSyntaxError(`condition subject '${word}': ${why}`);
    return s;
  }
  const names = SUBJECTS.map((x) => x.name);
  const near = nearest(word, names);
  throw new ScenarioSyntaxError(`unknown condition subject '${word}': expected a number or one of ${names.join(', ')}`,
    near.length ? `did you mean '${near[0]}'?` : undefined);
}

function parseArgsOf(s: SubjectSpec, words: string[], i: number): string[] {
  const args: string[] = [];
  for (const a of s.args) {
    const w = words[i + args.length];
    if (w === undefined || OPS.includes(w as Op)) throw new ScenarioSyntaxError(`'${s.name}' needs a ${a.name}: ${s.help}`);
    if (a.kind === 'keyword' && w !== a.name) throw new ScenarioSyntaxError(`expected '${a.name}' after '${[s.name, ...args].join(' ')}', got '${w}' (${s.help})`);
    if (a.kind === 'uint' && !/^\d+$/.test(w)) throw new ScenarioSyntaxError(`invalid ${a.name} '${w}' after '${s.name}': expected a number (${s.help})`);
    args.push(w);
  }
  return args;
}

function counterOrError(s: SubjectSpec, word: string | undefined, before: string): string {
  const names = Object.keys(s.counters);
  const preds = Object.keys(s.predicates ?? {});
  if (word !== undefined && s.counters[word]) return word;
  const all = [...names, ...preds];
  if (word === undefined || OPS.includes(word as Op)) {
    throw new ScenarioSyntaxError(`missing counter after '${before}': expected one of ${all.join(', ')}`);
  }
  // A close spelling, or the start of a longer name (p99 -> p99-us).
  const near = [...nearest(word, all), ...all.filter((n) => n.startsWith(word))];
  throw new ScenarioSyntaxError(`unknown ${s.name} counter '${word}': valid counters are ${names.join(', ')}${preds.length ? `; or ${preds.join(', ')}` : ''}`,
    near.length ? `did you mean '${before} ${near[0]}'?` : undefined);
}

function parseExpr(words: string[]): Expr {
  const terms: Term[] = [];
  let i = 0;
  let sign: 1 | -1 = 1;
  while (i < words.length) {
    const w = words[i];
    if (NUM.test(w)) {
      terms.push({ sign, number: Number(w), text: w });
      i++;
    } else {
      const s = subjectOrError(w);
      const args = parseArgsOf(s, words, i + 1);
      const before = [w, ...args].join(' ');
      const counter = counterOrError(s, words[i + 1 + args.length], before);
      terms.push({ sign, subject: s, args, counter, text: `${before} ${counter}` });
      i += 2 + args.length;
    }
    if (i >= words.length) break;
    if (/^[=!<>]+$/.test(words[i])) throw new ScenarioSyntaxError(`unknown operator '${words[i]}': operators are ${OPS.join(' ')}`);
    if (words[i] !== '+' && words[i] !== '-') {
      throw new ScenarioSyntaxError(`unexpected '${words[i]}' after '${terms[terms.length - 1].text}': expected + or - (or an operator ${OPS.join(' ')})`);
    }
    sign = words[i] === '+' ? 1 : -1;
    i++;
    if (i >= words.length) throw new ScenarioSyntaxError(`missing term after '${words[i - 1]}'`);
  }
  if (terms.length === 0) throw new ScenarioSyntaxError('missing value: expected a number or a counter such as port 0 rx-packets');
  return { terms, text: words.join(' ') };
}

export function parseCondition(words: string[]): Condition {
  if (words.length === 0) {
    throw new ScenarioSyntaxError(`missing condition: e.g. 'port 0 rx-packets >= 1000' (subjects: ${SUBJECTS.map((s) => s.name).join(', ')})`);
  }
  const text = words.join(' ');
  // A subject-specific predicate: SUBJECT ARGS PRED ... (output contains TEXT).
  const s = subjectOrError(words[0]);
  if (s.counters && Object.keys(s.counters).length === 0 && !s.predicates) {
    throw new ScenarioSyntaxError(`condition subject '${s.name}' has nothing to check in this build`);
  }
  const args = parseArgsOf(s, words, 1);
  const pred = s.predicates?.[words[1 + args.length]];
  if (pred) return { kind: 'predicate', text, test: pred.parse(words.slice(2 + args.length), args) };

  const opAt = words.findIndex((w) => OPS.includes(w as Op));
  if (opAt < 0) {
    // Name the problem: a bad counter, or a missing operator.
    parseExpr(words);
    const stray = words.find((w) => /^[=!<>]+$/.test(w));
    throw new ScenarioSyntaxError(stray ? `unknown operator '${stray}': operators are ${OPS.join(' ')}` : `missing operator in '${text}': expected one of ${OPS.join(' ')} and a value, e.g. '${text} > 0'`);
  }
  if (words.slice(opAt + 1).some((w) => OPS.includes(w as Op))) throw new ScenarioSyntaxError(`more than one operator in '${text}'`);
  const left = parseExpr(words.slice(0, opAt));
  if (opAt + 1 >= words.length) throw new ScenarioSyntaxError(`missing value after '${words[opAt]}' in '${text}'`);
  const right = parseExpr(words.slice(opAt + 1));
  return { kind: 'compare', text, left, op: words[opAt] as Op, right };
}

// ------------------------------------------------------------ evaluation

function evalExpr(e: Expr, ctx: EvalContext): { value: number; shown: string; problem?: string; final?: boolean } {
  let value = 0;
  const parts: string[] = [];
  for (const t of e.terms) {
    let v: number;
    if (t.number !== undefined) v = t.number;
    else {
      try {
        v = t.subject!.counters[t.counter!].read(ctx, t.args!);
      } catch (err) {
        if (err instanceof Unreadable) return { value: NaN, shown: `${t.text}: ${err.message}`, problem: err.message, final: err instanceof Absent };
        throw err;
      }
      parts.push(`${t.text} = ${v}`);
    }
    value += t.sign * v;
  }
  const shown = parts.length === 0 ? String(value)
    : e.terms.length === 1 ? parts[0] : `${e.text} = ${value} (${parts.join(', ')})`;
  return { value, shown };
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

export function evaluate(cond: Condition, base: Omit<EvalContext, 'snapshot'> & { engine: NativeEngine }): Evaluation {
  let snap: Snapshot | undefined;
  const ctx: EvalContext = { ...base, snapshot: () => (snap ??= base.engine.snapshot()) };
  if (cond.kind === 'predicate') {
    try { return cond.test(ctx); } catch (err) {
      if (err instanceof Unreadable) return { ok: false, expected: cond.text, actual: err.message, final: err instanceof Absent };
      throw err;
    }
  }
  const l = evalExpr(cond.left, ctx);
  const r = evalExpr(cond.right, ctx);
  const ok = l.problem === undefined && r.problem === undefined && compare(l.value, cond.op, r.value);
  const actual = cond.right.terms.every((t) => t.number !== undefined) ? l.shown : `${l.shown}; ${r.shown}`;
  return { ok, expected: cond.text, actual, final: l.final || r.final };
}
