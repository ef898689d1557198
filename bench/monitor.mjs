#!/usr/bin/env node
// Forwarding rate with and without the `monitor` dashboard open.
// net_ring0 + net_ring1, io forwarding, tx_first, one poll thread. The
// dashboard is the real one (dist/shell/monitor/dashboard.js) drawing in a
// real terminal (a tmux pane), fed the same snapshot messages the shell sends
// (feed.ts: one engine.snapshot() per refresh, default 500 ms) through a FIFO.
// Windows with and without it alternate, RUNS times (default 5); the rate is
// port 0's rx Mpps over each window from two snapshots; medians, min, max.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addon } from '../dist/native/addon.js';
import { snapMessage } from '../dist/shell/monitor/feed.js';
import { dashboardCommand } from '../dist/shell/monitor/host.js';
import { summarize, fmt, sleep } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 3000);
const INTERVAL_MS = Number(process.env.MONITOR_INTERVAL_MS ?? 500);

if (spawnSync('tmux', ['-V']).status !== 0) {
  console.log('== monitor: tmux is not installed (apt-get install tmux); skipped');
  process.exit(0);
}

const sock = `ringside-bench-${process.pid}`;
const tm = (...a) => execFileSync('tmux', ['-L', sock, '-f', '/dev/null', ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const dir = fs.mkdtempSync(path.join(tmpdir(), 'ringside-monitor-bench-'));

const engine = new addon.Engine({ totalNumMbufs: 16384 });
engine.attach('net_ring0');
engine.attach('net_ring1');
engine.setFwdMode('io');
engine.start(1);

// The dashboard as the shell starts it (on the CPUs no poll thread uses).
const { cmd, args } = dashboardCommand(engine);
const dashboard = [cmd, ...args].map((a) => `'${a}'`).join(' ');
console.log(`== monitor: dashboard command: ${[cmd, ...args].join(' ')}`);

async function rate() {
  const a = engine.snapshot();
  await sleep(WINDOW_MS);
  const b = engine.snapshot();
  return (b.ports[0].rxPackets - a.ports[0].rxPackets) / ((b.timeNs - a.timeNs) / 1e9) / 1e6;
}

async function withDashboard(n) {
  const fifo = path.join(dir, `feed${n}`);
  execFileSync('mkfifo', [fifo]);
  tm('new-session', '-d', '-s', `d${n}`, '-x', '160', '-y', '48',
    `env TERM=xterm-256color RINGSIDE_MONITOR_INTERVAL_MS=${INTERVAL_MS} ${dashboard} < '${fifo}'`);
  const fd = await fs.promises.open(fifo, 'w');   // waits for the dashboard to open it
  const send = (m) => fd.write(JSON.stringify(m) + '\n').catch(() => {});
  send(snapMessage(engine));
  const timer = setInterval(() => send(snapMessage(engine)), INTERVAL_MS);
  // Wait until it draws (its first frame shows the port table).
  const end = Date.now() + 20_000;
  while (Date.now() < end && !/net_ring1/.test(tm('capture-pane', '-p', '-t', `d${n}`))) await sleep(100);
  await sleep(WARMUP_MS);
  const r = await rate();
  clearInterval(timer);
  await send({ t: 'quit' });
  await fd.close();
  await sleep(300);
  try { tm('kill-session', '-t', `d${n}`); } catch { /* left already */ }
  return r;
}

const without = [];
const withDash = [];
try {
  await sleep(WARMUP_MS);
  for (let i = 0; i < RUNS; i++) {
    without.push(await rate());
    withDash.push(await withDashboard(i));
  }
} finally {
  engine.stop();
  engine.shutdown();
  try { tm('kill-server'); } catch { /* none */ }
  fs.rmSync(dir, { recursive: true, force: true });
}
const a = summarize(without);
const b = summarize(withDash);
console.log(`== monitor: io forwarding net_ring0 + net_ring1, 1 poll thread, Mpps (rx of port 0), ${WINDOW_MS} ms windows`);
console.log(`  without dashboard: ${fmt(a)}`);
console.log(`  with dashboard:    ${fmt(b)}  (refresh ${INTERVAL_MS} ms, drawn in a tmux pane)`);
console.log(`  ratio with/without (medians): ${(b.median / a.median * 100).toFixed(1)}%`);
console.log('JSON ' + JSON.stringify({ without: a, with: b, ratio: b.median / a.median }));
