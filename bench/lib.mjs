// Shared by the benchmarks: repeat a measurement, report median/min/max.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// A process's group and the CPU seconds (user + system, all its threads) it
// has used so far, from /proc/PID/stat; null once it is gone.
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
export function procCpu(pid) {
  let stat;
  try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return null; }
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // fields from 3 (state) on
  return { pgrp: Number(f[2]), seconds: (Number(f[11]) + Number(f[12])) / CLK_TCK };
}
export function summarize(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], runs: v.length };
}

export function fmt(s, digits = 2) {
  return `median ${s.median.toFixed(digits)} (min ${s.min.toFixed(digits)}, max ${s.max.toFixed(digits)}, ${s.runs} runs)`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Verbose off and on in alternating windows of one process
// (bench/ringside-fwd.mjs with BENCH_ALTERNATE): each side's Mpps, and the
// change each pair of windows shows, so drift between runs cancels out.
export const ALTERNATE_ENV = {
  BENCH_VERBOSE: '4 udp port 4789',
  BENCH_ALTERNATE: process.env.BENCH_ALTERNATE ?? '6',
  BENCH_WINDOW_MS: process.env.BENCH_WINDOW_MS ?? '500',
};

export function reportAlternate(pairs) {
  const [level, ...filter] = ALTERNATE_ENV.BENCH_VERBOSE.split(' ');
  const labelOn = `verbose ${level} filter ${filter.join(' ')}`;
  const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const change = summarize(pairs.map((p) => p.on / p.off - 1));
  const side = (on) => fmt(summarize(pairs.map((p) => (on ? p.on : p.off))), 3).replace(/runs\)$/, 'windows)');
  console.log(`  ${'verbose 0'.padEnd(labelOn.length)}: ${side(false)} Mpps`);
  console.log(`  ${labelOn}: ${side(true)} Mpps`);
  console.log(`  change with verbose, per pair of windows: median ${pct(change.median)} (min ${pct(change.min)}, max ${pct(change.max)}, ${change.runs} pairs; goal: within 5%)`);
}
