// The shell's pure parts: Ctrl-R reverse search in the prompt reducer, the
// prompt's horizontal window, the status line, the monitor's closing keys,
// TAB completion from the grammar, the JSON renderer and -c/--json parsing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promptReducer, initialPrompt } from '../dist/shell/prompt/reducer.js';
import { decodeKeys } from '../dist/shell/prompt/keys.js';
import { promptView } from '../dist/shell/prompt/Prompt.js';
import { formatStatus, formatPps, StatusSampler } from '../dist/shell/status.js';
import { closingKeyEnd } from '../dist/shell/monitor/handover.js';
import { dashboardCommand, DASHBOARD } from '../dist/shell/monitor/host.js';
import { fullestRing } from '../dist/shell/monitor/gauges.js';
import { parseArgs, usage } from '../dist/shell/args.js';
import { renderJson, toJson, logJson } from '../dist/commands/render-json.js';
import { shellActionOf } from '../dist/commands/shellcmds.js';
import { TABLE } from '../dist/commands/index.js';
import { complete } from '../dist/commands/complete.js';

const run = (state, ...actions) => actions.reduce((s, a) => promptReducer(s, typeof a === 'string' ? { type: a } : a), state);
const type = (text) => ({ type: 'insert', text });
const H = ['show port stats all', 'set fwd mac', 'start', 'show port info 0', 'stop'];

// ------------------------------------------------------------ Ctrl-R

test('Ctrl-R finds the newest entry containing the query, as it is typed', () => {
  let s = run(initialPrompt(H), 'searchStart');
  assert.ok(s.search);
  assert.is(s.text, '');
  s = run(s, type('sh'));
  assert.is(s.text, 'show port info 0');
  s = run(s, type('ow port s'));
  assert.is(s.text, 'show port stats all', 'a longer query moves to an older match');
  assert.is(s.search.failed, false);
});

test('Ctrl-R again finds the next older match; failing keeps the last match', () => {
  let s = run(initialPrompt(H), 'searchStart', type('show'));
  assert.is(s.text, 'show port info 0');
  s = run(s, 'searchStart');
  assert.is(s.text, 'show port stats all');
  s = run(s, 'searchStart');
  assert.is(s.text, 'show port stats all');
  assert.is(s.search.failed, true);
  s = run(s, type('zzz'));
  assert.is(s.search.failed, true);
  assert.is(s.text, 'show port stats all');
});

test('Ctrl-G (or Ctrl-C) puts the line back as it was', () => {
  const start = { ...initialPrompt(H), text: 'set nbcore', cursor: 3 };
  let s = run(start, 'searchStart', type('st'));
  assert.is(s.text, 'stop');
  s = run(s, 'searchCancel');
  assert.equal([s.text, s.cursor, s.search], ['set nbcore', 3, null]);
  s = run(start, 'searchStart', type('st'), 'clear');
  assert.equal([s.text, s.search], ['set nbcore', null]);
});

test('an edit key accepts the match (cursor at its end) and then applies', () => {
  let s = run(initialPrompt(H), 'searchStart', type('fwd'));
  assert.is(s.text, 'set fwd mac');
  s = run(s, 'backspace');
  assert.equal([s.search?.query, s.text], ['fw', 'set fwd mac'], 'backspace edits the query');
  s = run(s, 'end', 'backspace', 'backspace', 'backspace', type('io'));
  assert.equal([s.text, s.cursor, s.search], ['set fwd io', 10, null]);
  s = run(s, 'submit');
  assert.equal(s.history.slice(-1), ['set fwd io']);
});

test('accept keeps the match; Up/Down browse on from it', () => {
  let s = run(initialPrompt(H), 'searchStart', type('set'), 'searchAccept');
  assert.equal([s.text, s.cursor, s.search], ['set fwd mac', 11, null]);
  s = run(s, 'historyPrev');
  assert.is(s.text, 'show port stats all');
  s = run(s, 'historyNext', 'historyNext');
  assert.is(s.text, 'start');
});

test('Ctrl-R and Ctrl-G decode', () => {
  assert.equal(decodeKeys('\x12'), [{ type: 'key', name: 'ctrlR' }]);
  assert.equal(decodeKeys('\x07'), [{ type: 'key', name: 'ctrlG' }]);
});

// ------------------------------------------------------------ the live area

test('promptView keeps the prompt line within the width, cursor visible', () => {
  const text = 'show port info all ' + 'x'.repeat(200);
  for (const columns of [20, 40, 80, 200]) {
    for (const cursor of [0, 5, 100, text.length]) {
      const v = promptView({ ...initialPrompt(), text, cursor }, columns);
      assert.ok(v.width <= columns - 1, `width ${v.width} fits ${columns}`);
      const shown = v.before + v.at + v.after;
      const at = cursor < text.length ? text[cursor] : ' ';
      assert.is(v.at, at, `cursor ${cursor} at ${columns} columns`);
      assert.ok(text.includes(shown.trimEnd()) || shown.trim() === '', 'a window of the text');
    }
  }
  const short = promptView({ ...initialPrompt(), text: 'start', cursor: 5 }, 80);
  assert.equal([short.prefix, short.before, short.at, short.after], ['ringside> ', 'start', ' ', '']);
  const search = promptView(run(initialPrompt(H), 'searchStart', type('sto')), 80);
  assert.is(search.prefix, "(reverse-i-search)'sto': ");
  assert.is(search.before, 'stop');
});

test('status line: ports up, mode, running/stopped, pps', () => {
  assert.is(formatStatus({ ports: 2, portsUp: 2, mode: 'io', forwarding: true, rxPps: 14_250_000, txPps: 14_250_000 }),
    'ports 2/2 up | fwd io | running | rx 14.25 Mpps  tx 14.25 Mpps');
  assert.is(formatStatus({ ports: 3, portsUp: 1, mode: 'txonly', forwarding: false, rxPps: 0, txPps: 1500 }),
    'ports 1/3 up | fwd txonly | stopped | rx 0 pps  tx 1.5 Kpps');
  assert.is(formatPps(999), '999 pps');
});

test('StatusSampler: rates from two snapshots', () => {
  let t = 0;
  let n = 0;
  const engine = {
    snapshot: () => ({ timeNs: t, forwarding: true, ports: [{ id: 0, rxPackets: n, txPackets: 2 * n }], streams: [], pool: {} }),
    portIds: () => [0, 1],
    portInfo: (id) => ({ closed: false, started: true, link: { up: id === 0 } }),
    fwdMode: () => 'mac',
  };
  const s = new StatusSampler(engine);
  const first = s.sample();
  assert.equal([first.ports, first.portsUp, first.mode, first.rxPps], [2, 1, 'mac', 0]);
  t = 1e9; n = 1000;
  const second = s.sample();
  assert.equal([second.rxPps, second.txPps], [1000, 2000]);
});

test('monitor closing keys: q, Q, Esc, Ctrl-C, Ctrl-D; the rest stays for the prompt', () => {
  assert.is(closingKeyEnd('q'), 1);
  assert.is(closingKeyEnd('\x1b'), 1);
  assert.is(closingKeyEnd('\x1b[C'), -1, 'arrows page the dashboard');
  assert.is(closingKeyEnd('nqshow'), 2);
  assert.is(closingKeyEnd('\x03'), 1);
  assert.is(closingKeyEnd('n'), -1);
});

test('the dashboard runs on the CPUs no poll thread uses, unpinned when none is free', () => {
  const lcores = (...cpus) => ({ lcores: () => cpus.map((cpu) => ({ cpu })) });
  const pinned = dashboardCommand(lcores(1), [0, 1]);
  assert.match(pinned.cmd, /taskset$/);
  assert.equal(pinned.args, ['-c', '0', process.execPath, DASHBOARD]);
  assert.equal(dashboardCommand(lcores(1, 2), [0, 1, 2, 3]).args.slice(0, 2), ['-c', '0,3']);
  assert.equal(dashboardCommand(lcores(0, 1), [0, 1]), { cmd: process.execPath, args: [DASHBOARD] });
  assert.equal(dashboardCommand(lcores(), [0, 1]), { cmd: process.execPath, args: [DASHBOARD] }, 'no poll thread: nothing to avoid');
});

test('the ring gauge shows the fullest ring by share of its size, never a fill ring', () => {
  const rings = [
    { name: 'p0 rxq0 ring', used: 300, size: 1024 },
    { name: 'p1 rxq0 rx', used: 100, size: 256 },
    { name: 'p1 rxq0 fill', used: 2048, size: 2048 },
    { name: 'p2 txq0 frames', used: 0, size: 0 },
  ];
  assert.is(fullestRing(rings).name, 'p1 rxq0 rx', '100/256 is fuller than 300/1024; the full fill ring is healthy');
  assert.is(fullestRing([{ name: 'p1 rxq0 fill', used: 5, size: 8 }]), undefined);
});

// ------------------------------------------------------------ completion

const ctx = {
  engine: { portIds: () => [0, 1, 3], portInfo: (id) => ({ name: `net_ring${id}`, driver: 'net_ring', started: true, closed: false }) },
  fwdModes: () => [{ name: 'io', help: 'forward as is' }, { name: 'mac', help: 'change MACs' }, { name: 'macswap', help: 'swap MACs' }],
  drivers: () => [{ name: 'net_ring', help: 'ring port', keys: ['peer'] }, { name: 'net_pcap', help: 'pcap file port', keys: ['rx_pcap', 'tx_pcap'] }],
};
const at = (line) => complete(TABLE, ctx, line, line.length);
const words = (line) => at(line).choices.map((c) => c.word);

test('TAB: command words, with one-line help for the list', () => {
  assert.is(at('sh').insert, 'show ');
  assert.is(at('mon').insert, 'monitor ');
  const first = at('');
  assert.ok(first.choices.length > 8);
  for (const c of first.choices) assert.ok(c.help.length > 0, `${c.word} has help`);
  assert.ok(words('set o').includes('output'));
  assert.equal(words('set output '), ['text', 'json']);
});

test('TAB: port ids that exist, forwarding modes from the engine table', () => {
  assert.equal(words('show port stats '), ['all', '0', '1', '3']);
  assert.equal(words('set fwd mac'), ['mac', 'macswap']);
  assert.is(at('set fwd i').insert, 'io ');
});

test('TAB: file paths for load, devargs keys for port attach', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-complete-'));
  fs.writeFileSync(path.join(dir, 'setup.rsc'), 'start\n');
  fs.mkdirSync(path.join(dir, 'sub'));
  try {
    assert.equal(words(`load ${dir}/`), [`${dir}/setup.rsc`, `${dir}/sub/`]);
    assert.is(at(`load ${dir}/se`).insert, `${dir}/setup.rsc `);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const attach = words('port attach net_pcap0,');
  assert.equal(attach, ['net_pcap0,rx_pcap=', 'net_pcap0,tx_pcap=']);
  assert.ok(words('port attach net_r').some((w) => w.startsWith('net_ring')));
});

// ------------------------------------------------------------ JSON

test('renderJson: one line, parses back, command first, styled lines as strings', () => {
  const r = { kind: 'portStats', ports: [{ counters: { id: 0, rxPackets: 5, rxq: [{ packets: 5 }] }, throughput: { rxPps: 1, rxBps: 8, txPps: 0, txBps: 0 } }] };
  const line = renderJson(r, 'show port stats 0');
  assert.not.match(line, /\n/);
  const back = JSON.parse(line);
  assert.is(Object.keys(back)[0], 'command');
  assert.equal(back.ports, r.ports);
  const m = JSON.parse(renderJson({ kind: 'message', lines: [{ text: 'ok' }, { text: 'careful', style: 'warning' }] }));
  assert.equal(m, { kind: 'message', lines: ['ok', 'careful'], warnings: ['careful'] });
  const e = toJson({ kind: 'error', code: 'EPORT', message: 'no port' });
  assert.equal(e, { kind: 'error', code: 'EPORT', message: 'no port' });
  const big = JSON.parse(renderJson({ kind: 'x', n: 10n, huge: 2n ** 70n }));
  assert.equal([big.n, big.huge], [10, '1180591620717411303424']);
  const script = toJson({ kind: 'script', file: 'f', steps: [{ lineNo: 1, line: 'x', result: { kind: 'message', lines: [{ text: 'hi' }] } }] });
  assert.equal(script.steps[0].result.lines, ['hi']);
  assert.equal(JSON.parse(logJson({ text: 'Port 0 up', style: 'ok' })), { kind: 'log', text: 'Port 0 up', style: 'ok' });
});

test('shell actions ride on message results', () => {
  const spec = TABLE.find((s) => s.tokens[0].word === 'set' && s.tokens[1]?.word === 'output');
  const r = spec.handler({}, { mode: 'json' }, {});
  assert.is(r.kind, 'message');
  assert.equal(shellActionOf(r), { type: 'output', mode: 'json' });
  const mon = TABLE.find((s) => s.tokens[0].word === 'monitor').handler({}, {}, {});
  assert.equal(shellActionOf(mon), { type: 'monitor', intervalMs: 500 });
  assert.is(shellActionOf({ kind: 'message', lines: [] }), undefined);
});

// ------------------------------------------------------------ command line

test('--json and -c, before or after --; -c HEX stays the EAL coremask', () => {
  assert.is(parseArgs(['--json']).json, true);
  assert.is(parseArgs(['--', '--json']).json, true);
  assert.is(parseArgs([]).json, false);
  assert.equal(parseArgs(['-c', 'show port info all; start ;; stop']).commands, ['show port info all', 'start', 'stop']);
  assert.equal(parseArgs(['--vdev', 'net_ring0', '--', '-c', 'start']).commands, ['start']);
  assert.equal(parseArgs(['--command=stop']).commands, ['stop']);
  const eal = parseArgs(['-c', '0x3']);
  assert.is(eal.commands, undefined);
  assert.equal(eal.options.lcores.map((l) => l.lcore), [0, 1], 'the EAL coremask: lcores 0 (main) and 1');
  assert.throws(() => parseArgs(['-c']), /needs a value/);
  assert.throws(() => parseArgs(['-c', ' ; ']), /at least one command/);
  assert.match(usage(), /--json/);
  assert.match(usage(), /-c/);
});

test.run();
