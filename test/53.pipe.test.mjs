// Output through a pipe: a slow reader gets every line (text and --json), a
// reader that leaves after the first line (`| head -1`) ends ringside at once,
// and the exit status survives the pipe.
import { spawn } from 'node:child_process';
import { test, assert } from './lib/harness.mjs';
import { MAIN } from './lib/cli.mjs';
import { tempDir } from './lib/engine.mjs';
import { writePcap } from './lib/pcap.mjs';
import { udp4 } from './lib/packets.mjs';

const PACKETS = 20_000;   // ~1.4 MB of text: many times a pipe's 64 KiB buffer
const dir = tempDir();
const big = dir.file('big.pcap');
writePcap(big, Array.from({ length: PACKETS }, (_, i) => ({ data: udp4({ sport: 1000 + (i % 5000) }) })));

// Runs ringside with stdout on a pipe that is not read for `holdMs` (so the
// pipe fills and ringside's writes queue), then read to the end, like
// `ringside ... | (sleep 1; wc -l)`. Resolves { code, stdout }.
function slowReader(args, holdMs = 700) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    child.stdout.pause();
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    setTimeout(() => child.stdout.resume(), holdMs);
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('ringside did not exit within 30 s')); }, 30_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout: Buffer.concat(chunks).toString() }); });
  });
}

// `ringside ... | head -1`: read until the first newline, then close the pipe.
// Resolves { code, first, ms } where ms runs from the close to the exit.
function firstLineThenClose(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let buf = '';
    let closedAt = 0;
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      if (closedAt) return;
      buf += d;
      if (buf.includes('\n')) { closedAt = Date.now(); child.stdout.destroy(); }
    });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('ringside went on after its reader left')); }, 10_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, first: buf.split('\n')[0], ms: Date.now() - closedAt, stderr }); });
  });
}

const lines = (s) => s.split('\n').filter((l) => l !== '');

test('a slow reader gets every line of a large pcap show, exit status 0', async () => {
  const r = await slowReader(['-c', `pcap show ${big}`]);
  assert.is(r.code, 0);
  const got = lines(r.stdout);
  assert.is(got.length, PACKETS, 'one line per packet');
  assert.match(got[PACKETS - 1], /IP 10\.0\.0\.1\.\d+ > 10\.0\.0\.2\.2000: UDP, length 18/);
});

test('--json through a slow pipe: the whole object arrives and parses', async () => {
  const r = await slowReader(['--json', '-c', `pcap show ${big}`]);
  assert.is(r.code, 0);
  const objs = lines(r.stdout).map((l) => JSON.parse(l));
  assert.is(objs.length, 1, 'one object for the one command');
  assert.is(objs[0].kind, 'pcapShow');
  assert.is(objs[0].show.packets.length, PACKETS);
});

test('line mode (commands on stdin) through a slow pipe loses nothing', async () => {
  const child = spawn(process.execPath, [MAIN], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  child.stdout.pause();
  const chunks = [];
  child.stdout.on('data', (d) => chunks.push(d));
  child.stdin.end(`pcap show ${big}\nquit\n`);
  setTimeout(() => child.stdout.resume(), 700);
  const code = await new Promise((r) => child.on('close', r));
  assert.is(code, 0);
  const out = Buffer.concat(chunks).toString();
  assert.is(lines(out).filter((l) => / UDP, length 18$/.test(l)).length, PACKETS);
  assert.match(out, /Bye\.\.\.\n$/, 'the shutdown lines come last, whole');
});

test('a failed command exits non-zero through a pipe, after the output before it', async () => {
  const r = await slowReader(['-c', `pcap show ${big}; pcap show ${dir.file('absent.pcap')}`]);
  assert.is(r.code, 1);
  const got = lines(r.stdout);
  assert.is(got.length, PACKETS + 1);
  assert.match(got[PACKETS], /cannot open pcap file/);
});

test('| head -1: ringside stops at once and quietly, status 141 like a writer stopped by SIGPIPE', async () => {
  for (const args of [['-c', `pcap show ${big}; pcap show ${big}`], ['--json', '-c', `pcap show ${big}; pcap show ${big}`]]) {
    const r = await firstLineThenClose(args);
    assert.ok(r.first.length > 0);
    assert.is(r.code, 141, `exit status for ${args.join(' ')}`);
    assert.is(r.stderr, '', 'no error about the closed pipe');
    assert.ok(r.ms < 3000, `ended ${r.ms} ms after the reader left`);
  }
});

test.after(() => dir.remove());
test.run();
