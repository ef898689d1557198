#!/usr/bin/env node
// Runs the whole suite: the native engine tests under ASan+UBSan and the
// threaded ones under ThreadSanitizer, then every
// test/*.test.mjs file (uvu) in its own process. uvu prints no "failed" line
// and never exits while a native thread or handle is open, so each file gets a
// time limit, a process that printed its summary but hangs is ended, and the
// run closes with one line "N passed, N failed, N skipped" and the matching
// exit status. A test that skips (tools.mjs skipOrFail prints "# skip NAME:
// WHY") passes as far as uvu knows: it is counted here as skipped, not passed,
// and under CI=true, where every need of the suite is met, a skip fails the run.
// `node test/run.mjs FILTER` runs the files whose name contains FILTER, or the
// one file FILTER names.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const FILE_TIMEOUT_MS = Number(process.env.RINGSIDE_TEST_FILE_TIMEOUT_MS ?? 300_000);
const EXIT_GRACE_MS = 5_000;
const filter = process.argv[2];

// Runs a command, echoing its output; resolves with the output and how it ended.
function run(cmd, args, { timeoutMs, summary }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let ended = null;
    const kill = (why) => {
      if (ended) return;
      ended = why;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    };
    const timer = setTimeout(() => kill('timeout'), timeoutMs);
    let grace = null;
    const onData = (stream) => (chunk) => {
      const s = chunk.toString();
      out += s;
      stream.write(s);
      if (!grace && summary.test(out)) grace = setTimeout(() => kill('hung-after-summary'), EXIT_GRACE_MS);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (grace) clearTimeout(grace);
      resolve({ out, code, signal, ended });
    });
  });
}

const UVU_SUMMARY = /Total:\s+(\d+)\s+Passed:\s+(\d+)\s+Skipped:\s+(\d+)/;
const SKIP_LINE = /(?:^|\s)# skip (.*)$/gm; // uvu may have printed its dots before it
const underCi = process.env.CI === 'true';
const NATIVE_SUMMARY = /native: (\d+) passed, (\d+) failed/;

let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

// The whole native suite under ASan+UBSan, then the threaded tests (ring,
// mempool, engine) under ThreadSanitizer: a separate build, as TSan cannot be
// combined with ASan.
const NATIVE_RUNS = [
  { target: 'sanitize', label: 'native engine tests (ASan+UBSan)' },
  { target: 'tsan', label: 'native threaded tests (ThreadSanitizer)' },
];

async function nativeSuite() {
  for (const { target, label } of NATIVE_RUNS) {
    const r = await run('make', ['-s', '-C', 'native', target], { timeoutMs: 900_000, summary: NATIVE_SUMMARY });
    const m = NATIVE_SUMMARY.exec(r.out);
    if (m) { passed += Number(m[1]); failed += Number(m[2]); }
    if (!m || r.ended === 'timeout' || (r.code !== 0 && (!m || Number(m[2]) === 0))) {
      failed += 1;
      problems.push(`${label}: ${r.ended ?? `exit ${r.code ?? r.signal}`}`);
    }
  }
}

async function jsFile(file) {
  console.log(`\n# ${file}`);
  const r = await run(process.execPath, [path.resolve(here, file)], { timeoutMs: FILE_TIMEOUT_MS, summary: UVU_SUMMARY });
  const m = UVU_SUMMARY.exec(r.out);
  if (!m) {
    failed += 1;
    problems.push(`${file}: ${r.ended === 'timeout' ? `no result within ${FILE_TIMEOUT_MS / 1000} s` : `ended without a summary (exit ${r.code ?? r.signal})`}`);
    return;
  }
  const [total, ok, skip] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Tests that returned early after printing why: uvu counted them passed.
  const early = [...r.out.matchAll(SKIP_LINE)].map((x) => x[1]);
  const earlyCount = Math.min(early.length, ok);
  passed += ok - earlyCount;
  if (underCi && skip + earlyCount > 0) {
    failed += skip + earlyCount;
    for (const why of early) problems.push(`${file}: skipped under CI=true: ${why}`);
    if (skip > 0) problems.push(`${file}: ${skip} test(s) skipped under CI=true`);
  } else {
    skipped += skip + earlyCount;
  }
  failed += total - ok - skip;
  if (r.code !== 0 && r.ended !== 'hung-after-summary' && total - ok - skip === 0) {
    failed += 1;
    problems.push(`${file}: exit ${r.code ?? r.signal} although every test passed`);
  }
  if (r.ended === 'hung-after-summary') console.log(`# ${file}: did not exit after its summary; ended it`);
}

if (!filter || filter === 'native') await nativeSuite();
const files = filter?.endsWith('.test.mjs') && existsSync(filter) ? [path.resolve(filter)]
  : readdirSync(here).filter((f) => f.endsWith('.test.mjs') && (!filter || f.includes(filter))).sort();
for (const f of files) await jsFile(f);

for (const p of problems) console.log(`# problem: ${p}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
