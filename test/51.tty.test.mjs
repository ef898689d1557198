// The interactive Ink shell in a real pseudo-terminal (util-linux `script`):
// typing, TAB completion, Ctrl-C and Ctrl-D as a person would.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { MAIN } from './lib/cli.mjs';
import { sleep } from './lib/engine.mjs';

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b[()][A-Z0-9]/g, '').replace(/\r/g, '');

function pty(args = []) {
  const home = mkdtempSync(path.join(tmpdir(), 'ringside-home-'));
  const cmd = [process.execPath, MAIN, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    env: { ...process.env, HOME: home, NO_COLOR: '1', TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' },
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => child.on('close', (code) => r(code)));
  return {
    home,
    text: () => stripAnsi(out),
    type: async (s, pauseMs = 150) => { child.stdin.write(s); await sleep(pauseMs); },
    waitFor: async (re, ms = 10_000) => {
      const end = Date.now() + ms;
      while (Date.now() < end) { if (re.test(stripAnsi(out))) return; await sleep(50); }
      throw new Error(`screen never showed ${re}; it shows:\n${stripAnsi(out).slice(-1500)}`);
    },
    exited,
    close: () => { child.kill('SIGKILL'); rmSync(home, { recursive: true, force: true }); },
  };
}

test('a person starts, checks stats, stops and quits in the interactive shell', async () => {
  const t = pty();
  try {
    await t.waitFor(/ringside> /);
    await t.type('start\r', 400);
    await t.waitFor(/io packet forwarding - ports=2/);
    await t.type('show port stats all\r');
    await t.waitFor(/NIC statistics for port 1/);
    await t.type('stop\r');
    await t.waitFor(/Accumulated forward statistics for all ports/);
    await t.type('quit\r');
    assert.is(await t.exited, 0);
    assert.match(t.text(), /Bye\.\.\./);
    const history = readFileSync(path.join(t.home, '.ringside_history'), 'utf8');
    assert.match(history, /show port stats all/, 'history is kept in the home directory');
  } finally {
    t.close();
  }
}, { timeoutMs: 40_000 });

test('TAB completes a command word; Ctrl-C stops forwarding; Ctrl-D quits', async () => {
  const t = pty();
  try {
    await t.waitFor(/ringside> /);
    await t.type('sh\t');
    await t.type('config fw\t');
    await t.type('\r');
    await t.waitFor(/io packet forwarding - ports=2 - cores=1 - streams=2/);
    await t.type('start\r', 400);
    await t.waitFor(/Logical Core/);
    await t.type('\x03', 600);
    await t.waitFor(/Telling cores to stop/);
    await t.type('\x04', 300);
    assert.is(await t.exited, 0);
  } finally {
    t.close();
  }
}, { timeoutMs: 40_000 });

test.run();
