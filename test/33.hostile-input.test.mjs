// Input a careless user or an attacker gives the shell: a huge unknown word,
// files that never end (/dev/zero) or hold one endless line. Each gets one
// clear line at once; nothing freezes the shell or eats its memory.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { test, assert } from './lib/harness.mjs';
import { MAIN, ringside } from './lib/cli.mjs';
import { tempDir } from './lib/engine.mjs';

const HUGE = 'x'.repeat(1 << 20);

test('a 1 MB line: refused at once; the longest line allowed, one unknown word, gets its error at once, the word cut', async () => {
  const longest = 'x'.repeat(4096);
  const r = await ringside([], `${HUGE}\nset fwd ${HUGE}\n${longest}\nshow portt\nquit\n`, { timeoutMs: 15_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.match(/Error ELINE_LONG: the line is 10485\d\d characters long: a command takes at most 4096/g)?.length, 2, r.stdout.slice(0, 2000));
  assert.match(r.stdout, /unknown command 'x{64}\.\.\. \(4096 characters\)'/);
  assert.ok(r.stdout.length < 10_000, 'no word is printed back whole');
  assert.match(r.stdout, /did you mean 'show port'\?/, 'short typos still get a suggestion');
});

test('SIGTERM while the shell reads a 1 MB unknown word ends it promptly', async () => {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((r) => child.on('close', (code) => r(code)));
  await new Promise((r) => { const t = setInterval(() => { if (/Done/.test(out)) { clearInterval(t); r(); } }, 20); });
  child.stdin.write(`${HUGE} ${HUGE}\n`);
  setTimeout(() => child.kill('SIGTERM'), 100);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  assert.is(code, 143, `ended by SIGTERM within 10 s, exit 143:\n${out.slice(-2000)}`);
}, { timeoutMs: 20_000 });

test('a 100 kB unknown option: an error at once, the name cut', async () => {
  const r = await ringside(['--', `--${'y'.repeat(100_000)}`], '', { timeoutMs: 15_000 });
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown option '--y{62}\.\.\. \(100002 characters\)'/);
  assert.ok(r.stderr.length < 10_000);
});


// /dev/zero never ends: 1 MiB is read, then one line says why it stopped.
test('load /dev/zero, a line of 5000 characters: one clear error, the shell goes on', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('long.txt'), `show port summary all\n${'show '.repeat(1000)}\n`);
    const r = await ringside([], `load /dev/zero\nload ${t.file('long.txt')}\nshow port summary all\nquit\n`, { timeoutMs: 15_000 });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /Error ELOAD_FILE: cannot load '\/dev\/zero': it is larger than 1 MiB: not a command file/);
    assert.match(r.stdout, /cannot load '\S*long\.txt': line 2 is longer than 4096 characters: not a command file/);
    assert.match(r.stdout, /Number of available ports: 2/, 'the shell goes on');
  } finally {
    t.remove();
  }
});

test('--cmdline-file=/dev/zero: refused at start-up with the reason', async () => {
  const r = await ringside(['--', '--cmdline-file=/dev/zero'], 'quit\n', { timeoutMs: 15_000 });
  assert.is(r.code, 1);
  assert.match(r.stderr, /cannot read --cmdline-file \/dev\/zero: it is larger than 1 MiB: not a command file/);
});

test('ringside run /dev/zero and the shell\'s run /dev/zero: a syntax error, nothing runs', async () => {
  const direct = await ringside(['run', '/dev/zero'], '', { timeoutMs: 15_000 });
  assert.is(direct.code, 2);
  assert.match(direct.stderr, /cannot read '\/dev\/zero': it is larger than 1 MiB: not a command file/);
  const shell = await ringside([], 'run /dev/zero\nquit\n', { timeoutMs: 30_000 });
  assert.match(shell.stdout, /cannot read '\/dev\/zero': it is larger than 1 MiB/);
  assert.match(shell.stdout, /ESCENARIO_SYNTAX/);
});

test('ringside < /dev/zero: memory stays bounded (one endless line is never kept), SIGTERM ends it', async () => {
  const zero = openSync('/dev/zero', 'r');
  const child = spawn(process.execPath, [MAIN], { stdio: [zero, 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  closeSync(zero);
  child.stdout.resume();
  child.stderr.resume();
  const exited = new Promise((r) => child.on('close', (code) => r(code)));
  const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  let peak = 0;
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 100));
    peak = Math.max(peak, rssMiB());
  }
  child.kill('SIGTERM');
  assert.is(await exited, 143);
  assert.ok(peak < 400, `peak RSS ${peak.toFixed(0)} MiB after 3 s of /dev/zero`);
}, { timeoutMs: 20_000 });

test.run();
