// The monitor dashboard drawn off-screen (blessed on a stream the size of a
// terminal) at 80x24, 120x40 and 160x45, and resized, with live-looking rates: every panel's
// title whole, table columns apart, rates and axes in units, long events
// wrapped, and box lines written as UTF-8 in a UTF-8 locale.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import { createDashboard, utf8LineDrawing } from '../dist/shell/monitor/view.js';

const SIZES = [[80, 24], [120, 40], [160, 45]];
const UNITS = /^(pps|Kpps|Mpps|bit\/s|kbit\/s|Mbit\/s|Gbit\/s)$/;
const EVENT = 'port 0: link up; an event line longer than the events panel is wide, which wraps onto the next line: END';

function port(id, name, n) {
  return {
    id, name, state: 'up', countsBytes: true,
    counters: {
      id, rxPackets: n, rxBytes: n * 64, rxErrors: 0, rxMissed: 0, rxNombuf: 0, txPackets: n, txBytes: n * 64, txErrors: 0,
      rxq: [{ packets: n, bytes: n * 64, errors: 0 }], txq: [{ packets: n, bytes: n * 64, errors: 0 }],
    },
  };
}

// Four snapshots half a second apart: port 0 at 16.31 Mpps, port 1 at twice that.
async function render(cols, rows, resizeTo) {
  const out = Object.assign(new PassThrough(), { columns: cols, rows, isTTY: true });
  let bytes = '';
  out.on('data', (d) => { bytes += d; });
  const saved = process.env.LANG;
  process.env.LANG = 'C.UTF-8';
  const screen = blessed.screen({ input: new PassThrough(), output: out, terminal: 'xterm-256color', fullUnicode: true, warnings: false, smartCSR: true, autoPadding: true });
  process.env.LANG = saved;
  utf8LineDrawing(screen);
  const d = createDashboard(screen, { intervalMs: 500, color: false });
  const occupancy = [
    { name: 'p0 rxq0 fill', used: 2048, size: 2048 }, { name: 'p0 txq0 completion', used: 1, size: 1024 },
    { name: 'p1 rxq0 ring', used: 37, size: 1024 },
  ];
  for (let i = 0; i < 4; i++) {
    const n = i * 8_157_215;
    d.snap({
      t: 'snap', timeNs: i * 5e8, forwarding: true, mode: 'io', occupancy,
      ports: [port(0, 'net_af_xdp0', n), port(1, 'net_af_packet1', n * 2)], pool: { name: 'mb_pool_0', size: 16384, inUse: 1234 },
    });
  }
  d.event(EVENT);
  screen.render();
  if (resizeTo) {
    [out.columns, out.rows] = resizeTo;
    out.emit('resize');
    await new Promise((r) => setTimeout(r, 600)); // blessed waits for the size to settle
  }
  await new Promise((r) => setTimeout(r, 20)); // blessed writes on the next tick
  const lines = screen.lines.map((l) => l.map((c) => c[1]).join(''));
  screen.destroy();
  return { lines, text: lines.join('\n'), bytes };
}

// Each size as drawn first, and 160x45 shrunk to 80x24 while running.
const CASES = [...SIZES.map((size) => ({ size })), { from: [160, 45], size: [80, 24] }];
for (const { from, size: [cols, rows] } of CASES) {
  const name = from ? `${from.join('x')} resized to ${cols}x${rows}` : `${cols}x${rows}`;
  test(`monitor at ${name}: panels whole, columns apart, numbers in units`, async () => {
    const { lines, text, bytes } = from ? await render(...from, [cols, rows]) : await render(cols, rows);
    assert.is(lines.length, rows);
    for (const [y, l] of lines.entries()) {
      assert.is(l.length, cols, `line ${y} is ${cols} wide`);
      assert.ok(/^[┌│└]/.test(l) && /[┐│┘]$/.test(l), `line ${y} starts and ends on a panel border: '${l}'`);
    }
    for (const title of ['packet rate', 'bit rate', 'ports', 'events', 'occupancy', 'ring', 'mbuf']) {
      assert.ok(new RegExp(`┌─ [^─]*${title}[^─]* ─`).test(text), `the '${title}' panel's title is whole`);
    }
    // The ports table: each name apart from the state after it, both rates whole.
    assert.match(text, /│ port +name +state /);
    assert.match(text, /│ 0 +net_af_xdp0 +up +.*16\.31 Mpps +16\.31 Mpps/);
    assert.match(text, /│ 1 +net_af_packet1 +up +.*32\.63 Mpps +32\.63 Mpps/);
    // Occupancy: a name apart from what follows it.
    assert.match(text, /p0 txq0 completion +(1\/1024|0%)/);
    // Chart y axes: every number on the left of a chart carries its unit.
    const labels = [...text.matchAll(/│ (\d+(?:\.\d+)?) (\S+) *⡇/g)];
    assert.ok(labels.length >= 4, `y axis labels: ${labels.map((m) => m[0]).join(', ')}`);
    for (const m of labels) assert.match(m[2], UNITS, `'${m[1]} ${m[2]}' has a unit`);
    assert.match(text, /Mpps/);
    assert.match(text, /Gbit\/s/);
    assert.not.match(text, /\b\d{6,}\b/, 'no raw counter or rate without a unit');
    // The event wraps instead of being cut.
    const top = lines.findIndex((l) => l.startsWith('┌─ events'));
    const panel = lines.slice(top + 1).map((l) => l.slice(1, l.indexOf('│', 1))).join(' ');
    assert.match(panel.replace(/\s+/g, ' '), /wraps onto the next line: END/);
    // Box lines as UTF-8, not through the terminal's DEC graphics set.
    assert.ok(bytes.includes('─') && bytes.includes('│'), 'UTF-8 box characters written');
    assert.not.ok(bytes.includes('\x1b(0'), 'no DEC line-drawing charset in a UTF-8 locale');
  });
}

test('monitor in a terminal smaller than its panels says so and draws nothing else', async () => {
  const { lines } = await render(40, 12);
  assert.is(lines.join(' ').replace(/\s+/g, ' ').trim(), 'monitor needs 60x18; the terminal is 40x12 (q: back)');
});

test.run();
