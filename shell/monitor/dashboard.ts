#!/usr/bin/env node
// The `monitor` dashboard: a separate process drawn with blessed-contrib on the
// terminal's alternate screen. It writes to the inherited terminal and reads
// snapshot/event/key messages (protocol.ts) from stdin, never the terminal:
// the shell keeps the keyboard, so closing hands nothing back but the screen.
// Runs in its own process so drawing never competes with the shell's event
// loop; the poll threads are native and only ever see snapshot() reads.
import { createRequire } from 'node:module';
import readline from 'node:readline';
import { PassThrough } from 'node:stream';
import type { MonitorMessage, MonitorPort, SnapMessage } from './protocol.js';
import { formatPps } from '../status.js';
import { fullestRing, percent } from './gauges.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const require = createRequire(import.meta.url);
const blessed = require('blessed') as any;
// The widgets one by one: blessed-contrib's index also loads maps and images.
const contrib = {
  grid: require('blessed-contrib/lib/layout/grid') as any,
  line: require('blessed-contrib/lib/widget/charts/line') as any,
  table: require('blessed-contrib/lib/widget/table') as any,
  gauge: require('blessed-contrib/lib/widget/gauge') as any,
  log: require('blessed-contrib/lib/widget/log') as any,
};

const WINDOW_S = 60;                       // charts show the last minute
const PAGE = 4;                            // ports per chart page
const COLORS = ['green', 'cyan', 'yellow', 'magenta', 'blue', 'red', 'white', 'grey'];
const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
const intervalMs = Number(process.env.RINGSIDE_MONITOR_INTERVAL_MS ?? 500);
const points = Math.max(2, Math.round((WINDOW_S * 1000) / intervalMs));

interface Series { rxPps: number[]; txPps: number[]; rxMbps: number[]; txMbps: number[] }
const series = new Map<number, Series>();
let last: SnapMessage | undefined;
let page = 0;
const rates = new Map<number, { rxPps: number; txPps: number; rxMbps: number; txMbps: number }>();

const input = new PassThrough();           // keys forwarded by the shell
const screen = blessed.screen({
  input, output: process.stdout, smartCSR: true, fullUnicode: false, warnings: false,
  title: 'ringside monitor', autoPadding: true, dockBorders: false,
  terminal: process.env.TERM && process.env.TERM !== 'dumb' ? process.env.TERM : 'xterm',
});
const grid = new contrib.grid({ rows: 12, cols: 12, screen });
const fg = (c: string): string => (noColor ? 'white' : c);

const ppsChart = grid.set(0, 0, 5, 6, contrib.line, {
  label: ' packets/s ', showLegend: true, legend: { width: 9 }, wholeNumbersOnly: false,
  style: { line: fg('green'), text: fg('white'), baseline: fg('white') }, xLabelPadding: 2, xPadding: 3,
});
const bpsChart = grid.set(0, 6, 5, 6, contrib.line, {
  label: ' Mbit/s ', showLegend: true, legend: { width: 9 }, wholeNumbersOnly: false,
  style: { line: fg('cyan'), text: fg('white'), baseline: fg('white') }, xLabelPadding: 2, xPadding: 3,
});
// Column widths fit the terminal's width at start (the table scrolls with the keys).
const COLS = [5, 10, 8, 12, 12, 13, 13, 7, 7, 12, 12];
const room = Math.max(60, (screen.width as number) - 4 - COLS.length);
const scale = Math.min(1, room / COLS.reduce((a, b) => a + b, 0));
const counters = grid.set(5, 0, 4, 12, contrib.table, {
  label: ' ports ', keys: true, interactive: true, vi: true, fg: fg('white'),
  selectedFg: 'black', selectedBg: noColor ? 'white' : 'cyan',
  columnSpacing: 1, columnWidth: COLS.map((w, i) => (i < 3 || i > 8 ? w : Math.max(7, Math.floor(w * scale)))),
});
const log = grid.set(9, 0, 3, 5, contrib.log, { label: ' events ', fg: fg('white'), selectedFg: fg('white'), bufferLength: 200 });
const queues = grid.set(9, 5, 3, 3, contrib.table, {
  label: ' occupancy ', keys: false, interactive: false, fg: fg('white'), columnSpacing: 1, columnWidth: [14, 14],
});
const ringGauge = grid.set(9, 8, 3, 2, contrib.gauge, { label: ' fullest ring ', stroke: fg('yellow'), fill: 'white' });
const poolGauge = grid.set(9, 10, 3, 2, contrib.gauge, { label: ' mbuf pool in use ', stroke: fg('green'), fill: 'white' });

const xLabels = Array.from({ length: points }, (_, i) => {
  const s = Math.round(((points - 1 - i) * intervalMs) / 1000);
  return i === points - 1 ? 'now' : `-${s}s`;
});

function push(arr: number[], v: number): void {
  arr.push(v);
  if (arr.length > points) arr.splice(0, arr.length - points);
}

function padded(arr: number[]): number[] {
  return arr.length >= points ? arr : [...Array<number>(points - arr.length).fill(0), ...arr];
}

function pages(): number {
  return Math.max(1, Math.ceil((last?.ports.length ?? 0) / PAGE));
}

const n = (x: number): string => String(x);
const stateOf = (p: MonitorPort): string => p.state;

function onSnap(m: SnapMessage): void {
  const prev = last;
  last = m;
  const dt = prev ? (m.timeNs - prev.timeNs) / 1e9 : 0;
  for (const p of m.ports) {
    const before = prev?.ports.find((q) => q.id === p.id)?.counters;
    const d = (a: number, b: number | undefined): number => (dt > 0 && b !== undefined && a >= b ? (a - b) / dt : 0);
    const c = p.counters;
    const r = {
      rxPps: d(c.rxPackets, before?.rxPackets), txPps: d(c.txPackets, before?.txPackets),
      rxMbps: (d(c.rxBytes, before?.rxBytes) * 8) / 1e6, txMbps: (d(c.txBytes, before?.txBytes) * 8) / 1e6,
    };
    rates.set(p.id, r);
    let s = series.get(p.id);
    if (!s) { s = { rxPps: [], txPps: [], rxMbps: [], txMbps: [] }; series.set(p.id, s); }
    push(s.rxPps, r.rxPps); push(s.txPps, r.txPps); push(s.rxMbps, r.rxMbps); push(s.txMbps, r.txMbps);
  }
  for (const id of [...series.keys()]) if (!m.ports.some((p) => p.id === id)) series.delete(id);
  if (page >= pages()) page = pages() - 1;
  draw();
}

function draw(): void {
  const m = last;
  if (!m) return;
  const shown = m.ports.slice(page * PAGE, page * PAGE + PAGE);
  const lines = (key: keyof Series, scale: (v: number) => number) => shown.flatMap((p, i) => {
    const s = series.get(p.id);
    const color = fg(COLORS[i % COLORS.length]);
    const dir = key.startsWith('rx') ? 'rx' : 'tx';
    return [{ title: `${p.id} ${dir}`, x: xLabels, y: padded((s?.[key] ?? []).map(scale)), style: { line: color } }];
  });
  const pg = pages() > 1 ? ` page ${page + 1}/${pages()} (←/→)` : '';
  ppsChart.setLabel(` packets/s, last ${WINDOW_S} s${pg} `);
  bpsChart.setLabel(` Mbit/s, last ${WINDOW_S} s${pg} `);
  ppsChart.setData([...lines('rxPps', (v) => v), ...lines('txPps', (v) => v)]);
  bpsChart.setData([...lines('rxMbps', (v) => +v.toFixed(1)), ...lines('txMbps', (v) => +v.toFixed(1))]);

  counters.setLabel(` ports: fwd ${m.mode}, ${m.forwarding ? 'running' : 'stopped'} | q/Esc: back to the shell `);
  counters.setData({
    headers: ['port', 'name', 'state', 'rx-packets', 'tx-packets', 'rx-bytes', 'tx-bytes', 'errors', 'drops', 'rx-rate', 'tx-rate'],
    data: m.ports.map((p) => {
      const c = p.counters;
      const r = rates.get(p.id);
      return [n(p.id), p.name, stateOf(p), n(c.rxPackets), n(c.txPackets),
        p.countsBytes ? n(c.rxBytes) : '-', p.countsBytes ? n(c.txBytes) : '-',
        n(c.rxErrors + c.txErrors), n(c.rxMissed + c.rxNombuf),
        formatPps(r?.rxPps ?? 0), formatPps(r?.txPps ?? 0)];
    }),
  });
  const ring = fullestRing(m.occupancy);
  ringGauge.setPercent(ring ? percent(ring.used, ring.size) : 0);
  ringGauge.setLabel(ring ? ` fullest: ${ring.name} ` : ' fullest ring: none ');
  poolGauge.setPercent(percent(m.pool.inUse, m.pool.size));
  poolGauge.setLabel(` mbuf pool: ${m.pool.inUse}/${m.pool.size} `);
  queues.setData({
    headers: ['ring/queue', 'used'],
    data: [
      ...m.occupancy.map((o) => [o.name.slice(0, 14), `${o.used}/${o.size}${o.size ? ` ${percent(o.used, o.size)}%` : ''}`]),
      ...m.ports.flatMap((p) => p.counters.rxq.map((q, i) => [`p${p.id} rxq${i}`, `${q.packets} pkts`])),
    ],
  });
  screen.render();
}

function onEvent(lines: { text: string }[]): void {
  for (const l of lines) log.log(l.text);
  screen.render();
}

let closing = false;
function close(code = 0): void {
  if (closing) return;
  closing = true;
  try { screen.destroy(); } catch { /* terminal gone */ }
  process.exitCode = code;
  // Let the leave-alternate-screen sequence reach the terminal before exiting.
  process.stdout.write('', () => process.exit(code));
}

screen.key(['q', 'Q', 'escape', 'C-c', 'C-d'], () => close(0));
screen.key(['right', 'pagedown', 'n'], () => { if (page + 1 < pages()) { page++; draw(); } });
screen.key(['left', 'pageup', 'p'], () => { if (page > 0) { page--; draw(); } });
counters.focus();
screen.on('resize', () => { try { draw(); } catch { /* next snapshot redraws */ } });

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  let m: MonitorMessage;
  try { m = JSON.parse(line) as MonitorMessage; } catch { return; }
  if (m.t === 'snap') onSnap(m);
  else if (m.t === 'event') onEvent(m.lines);
  else if (m.t === 'keys') input.write(m.data);
  else if (m.t === 'quit') close(0);
});
rl.on('close', () => close(0));     // the shell went away
process.on('SIGTERM', () => close(0));
process.on('SIGHUP', () => close(0));

log.log('ringside monitor: refresh every ' + intervalMs + ' ms; q or Esc returns to the shell');
screen.render();
