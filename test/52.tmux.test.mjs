// End to end in a real terminal: the built binary in a tmux pane, driven by
// keys as a person types them, asserting on what the screen shows. tmux comes
// from Debian's packages (installed here if missing; the file skips with the
// reason when it cannot be).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { MAIN } from './lib/cli.mjs';
import { sleep } from './lib/engine.mjs';
import { missingTools, skipOrFail } from './lib/tools.mjs';

const TMUX_MISSING = missingTools([['tmux', 'tmux']]);
let nth = 0;

// One ringside in its own tmux server; the pane keeps the exit status on screen.
function term(args = [], { home, cols = 120, rows = 40 } = {}) {
  const sock = `ringside-test-${process.pid}-${nth++}`;
  const ownHome = !home;
  home ??= mkdtempSync(path.join(tmpdir(), 'ringside-home-'));
  const tm = (...a) => execFileSync('tmux', ['-L', sock, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  const cmd = [process.execPath, MAIN, ...args].map((a) => `'${a}'`).join(' ');
  tm('new-session', '-d', '-s', 'main', '-x', String(cols), '-y', String(rows),
    `env HOME='${home}' NO_COLOR=1 TERM=xterm-256color ${cmd}; echo "EXIT=$?"; sleep 600`);
  const screen = (history = false) => tm('capture-pane', '-p', '-J', '-t', 'main', ...(history ? ['-S', '-'] : []));
  return {
    home,
    screen,
    keys: async (...k) => { tm('send-keys', '-t', 'main', ...k); await sleep(150); },
    text: async (s) => { tm('send-keys', '-t', 'main', '-l', s); await sleep(150); },
    resize: async (x, y) => { tm('resize-window', '-t', 'main', '-x', String(x), '-y', String(y)); await sleep(400); },
    waitFor: async (re, { ms = 15_000, history = false } = {}) => {
      const end = Date.now() + ms;
      let s = '';
      while (Date.now() < end) {
        s = screen(history);
        if (re.test(s)) return s;
        await sleep(100);
      }
      throw new Error(`screen never showed ${re}; it shows:\n${s}`);
    },
    close: () => {
      try { tm('kill-server'); } catch { /* gone */ }
      if (ownHome) rmSync(home, { recursive: true, force: true });
    },
  };
}

const PROMPT_AT_END = /ringside> \s*\n\s*ports \d+\/\d+ up/;
const t = TMUX_MISSING ? (name) => test(name, () => { skipOrFail(name, TMUX_MISSING); }) : test;

t('a partial command and TAB completes it; a second TAB lists the choices with help', async () => {
  const s = term();
  try {
    await s.waitFor(PROMPT_AT_END);
    await s.text('sh');
    await s.keys('Tab');
    await s.text('port su');
    await s.keys('Tab');
    await s.waitFor(/ringside> show port summary {1,2}\n/);
    await s.text('a');  // all, or a port id (testpmd's show port summary P)
    await s.keys('Tab');
    await s.waitFor(/ringside> show port summary all {1,2}\n/);
    await s.keys('Enter');
    await s.waitFor(/net_null1/);
    await s.text('show port ');
    await s.keys('Tab');
    await s.keys('Tab');
    await s.waitFor(/info\s+port facts: MAC, driver, link, MTU, queues/);
    await s.keys('C-u');
    await s.text('set fwd ?');
    await s.waitFor(/macswap\s+\S/);
  } finally { s.close(); }
}, { timeoutMs: 60_000 });

t('history comes back after a restart (Up, and Ctrl-R)', async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'ringside-home-'));
  try {
    const a = term([], { home });
    try {
      await a.waitFor(PROMPT_AT_END);
      await a.text('show config cores');
      await a.keys('Enter');
      await a.waitFor(/List of forwarding lcores/);
      await a.text('set fwd mac');
      await a.keys('Enter');
      await a.waitFor(/Set mac packet forwarding mode/);
      await a.keys('C-d');
      await a.waitFor(/EXIT=0/);
    } finally { a.close(); }
    const b = term([], { home });
    try {
      await b.waitFor(PROMPT_AT_END);
      await b.keys('Up');
      await b.waitFor(/ringside> set fwd mac\s*\n/);
      await b.keys('Up');
      await b.waitFor(/ringside> show config cores\s*\n/);
      await b.keys('C-u');
      await b.keys('C-r');
      await b.text('cor');
      await b.waitFor(/\(reverse-i-search\)'cor': show config cores/);
      await b.keys('Enter');
      await b.waitFor(/ringside> show config cores\n\s*List of forwarding lcores/);
    } finally { b.close(); }
  } finally { rmSync(home, { recursive: true, force: true }); }
}, { timeoutMs: 60_000 });

t('monitor opens the dashboard with live traffic; q returns with scrollback and no doubled keys', async () => {
  const s = term(['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--', '-i', '--tx-first']);
  try {
    await s.waitFor(PROMPT_AT_END);
    await s.waitFor(/\| running \| rx [\d.]+ [KM]pps/);
    await s.text('monitor');
    await s.keys('Enter');
    const dash = await s.waitFor(/net_ring1\s+up\s+[1-9]\d*/, { ms: 20_000 });
    assert.match(dash, /packet rate/);
    assert.match(dash, /mbuf pool/);
    assert.not.match(dash, /ringside> /, 'the dashboard has the whole screen');
    await s.resize(100, 30);
    await s.waitFor(/packet rate/);
    await s.keys('q');
    await s.text('show config cores');
    await s.keys('Enter');
    const back = await s.waitFor(/List of forwarding lcores/);
    assert.match(back, /^ringside> show config cores$/m, 'keys typed after q reach the prompt once');
    assert.not.match(back, /sshow|shhow/);
    const all = s.screen(true);
    assert.match(all, /Configuring Port 0/, 'the scrollback from before is intact');
    assert.match(all, /ringside> monitor/);
    // Esc closes it too.
    await s.text('monitor');
    await s.keys('Enter');
    await s.waitFor(/packet rate/, { ms: 20_000 });
    await s.keys('Escape');
    await s.waitFor(PROMPT_AT_END);
    await s.text('stop');
    await s.keys('Enter');
    await s.waitFor(/Accumulated forward statistics/);
  } finally { s.close(); }
}, { timeoutMs: 90_000 });

t('resizing keeps one prompt and one status line, and the shell keeps working', async () => {
  const s = term();
  try {
    await s.waitFor(PROMPT_AT_END);
    await s.text('show port info all plus a long tail of words typed by a person that does not fit');
    for (const [x, y] of [[60, 30], [35, 20], [120, 40], [80, 24]]) {
      await s.resize(x, y);
      const scr = s.screen();
      assert.is((scr.match(/ports 2\/2 up/g) ?? []).length, 1, `one status line at ${x}x${y}:\n${scr}`);
      assert.is((scr.match(/ringside> /g) ?? []).length, 1, `one prompt at ${x}x${y}:\n${scr}`);
    }
    await s.keys('C-u');
    await s.text('show config cores');
    await s.keys('Enter');
    await s.waitFor(/List of forwarding lcores/);
  } finally { s.close(); }
}, { timeoutMs: 60_000 });

t('Ctrl-C during forwarding stops it; Ctrl-D quits with status 0', async () => {
  const s = term();
  try {
    await s.waitFor(PROMPT_AT_END);
    await s.text('start');
    await s.keys('Enter');
    await s.waitFor(/\| running \|/);
    await s.keys('C-c');
    await s.waitFor(/Telling cores to stop/);
    await s.waitFor(/\| stopped \|/);
    await s.keys('C-d');
    await s.waitFor(/Bye\.\.\.[\s\S]*EXIT=0/);
  } finally { s.close(); }
}, { timeoutMs: 60_000 });

test.run();
