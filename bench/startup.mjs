#!/usr/bin/env node
// Shell start-up time to the first prompt: the built binary in a pseudo-terminal
// (util-linux `script`), timed from spawn until the screen shows `ringside> `;
// Ctrl-D then quits it. Repeated (RUNS, default 10); prints median, min, max.
// Times the bundle the `ringside` command runs; RINGSIDE_MAIN=dist/shell/main.js
// times the unbundled TypeScript build instead.
//   node bench/startup.mjs [-- ringside args...]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, fmt } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.resolve(root, process.env.RINGSIDE_MAIN ?? 'dist/bundle/ringside.js');
const RUNS = Number(process.env.RUNS ?? 10);
const sep = process.argv.indexOf('--');
const args = sep < 0 ? [] : process.argv.slice(sep + 1);

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
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no prompt within 30 s:\n${out}`)); }, 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (ms === undefined && out.includes('ringside> ')) {
        ms = Number(process.hrtime.bigint() - t0) / 1e6;
        setTimeout(() => child.stdin.write('\x04'), 200);
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      if (ms === undefined) reject(new Error(`exited before the prompt:\n${out}`));
      else resolve(ms);
    });
  });
}

const times = [];
for (let i = 0; i < RUNS; i++) times.push(await once());
console.log(`== start-up to the first prompt (${args.length ? args.join(' ') : 'default ports'}), ms`);
console.log(`  ${fmt(summarize(times), 0)}`);
console.log('JSON ' + JSON.stringify({ startupMs: summarize(times) }));
