#!/usr/bin/env node
// Shell start-up time to the first prompt: the built binary in a pseudo-terminal
// (util-linux `script`), timed from spawn until the screen shows `ringside> `;
// Ctrl-D then quits it. Repeated (RUNS, default 10); prints median, min, max.
// Times the bundle the `ringside` command runs; RINGSIDE_MAIN=dist/shell/main.js
// times the unbundled TypeScript build instead.
//   node bench/startup.mjs [-- ringside args...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, fmt } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.resolve(root, process.env.RINGSIDE_MAIN ?? 'dist/bundle/ringside.js');
const RUNS = Number(process.env.RUNS ?? 10);
const sep = process.argv.indexOf('--');
const args = sep < 0 ? [] : process.argv.slice(sep + 1);

// CPU time (user + system) ringside has used so far: the processes under
// script(1), read from /proc. On a busy machine the wall time grows with the
// load; this does not, and on an idle one the two are close.
const TICK_MS = 1000 / 100; // USER_HZ
function cpuMsOfChildren(pid) {
  let total = 0;
  let kids = [];
  try { kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean); } catch { return NaN; }
  for (const k of kids) {
    try {
      const f = readFileSync(`/proc/${k}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(f[11]) + Number(f[12])) * TICK_MS; // utime, stime
    } catch { /* gone */ }
    total += cpuMsOfChildren(Number(k)) || 0;
  }
  return total;
}

function once() {
  return new Promise((resolve, reject) => {
    const home = mkdtempSync(path.join(tmpdir(), 'ringside-bench-'));
    const cmd = [process.execPath, MAIN, ...args].map((a) => `'${a}'`).join(' ');
    const t0 = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      env: { ...process.env, HOME: home, NO_COLOR: '1', TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' },
    });
    let out = '';
    let ms;
    let cpuMs;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no prompt within 30 s:\n${out}`)); }, 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (ms === undefined && out.includes('ringside> ')) {
        ms = Number(process.hrtime.bigint() - t0) / 1e6;
        cpuMs = cpuMsOfChildren(child.pid);
        setTimeout(() => child.stdin.write('\x04'), 200);
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      if (ms === undefined) reject(new Error(`exited before the prompt:\n${out}`));
      else resolve({ ms, cpuMs });
    });
  });
}

const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await once());
const wall = summarize(runs.map((r) => r.ms));
const cpu = summarize(runs.map((r) => r.cpuMs));
console.log(`== start-up to the first prompt (${args.length ? args.join(' ') : 'default ports'}; load average ${loadavg()[0].toFixed(1)})`);
console.log(`  wall ms: ${fmt(wall, 0)}`);
console.log(`  CPU ms:  ${fmt(cpu, 0)}`);
console.log('JSON ' + JSON.stringify({ startupMs: wall, startupCpuMs: cpu }));
