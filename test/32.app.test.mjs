// The Ink shell as a component (ink-testing-library): typing, TAB, '?',
// Ctrl-R, the status line, `set output json`, events above the prompt, and the
// monitor hand-over (with a stand-in dashboard), against a real session.
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { test, assert } from './lib/harness.mjs';
import { sleep } from './lib/engine.mjs';
import { App } from '../dist/shell/App.js';
import { OutputBus } from '../dist/shell/output.js';
import { Session } from '../dist/session/session.js';
import { DEFAULT_OPTIONS } from '../dist/session/options.js';
import { commandLayer } from '../dist/commands/index.js';

const strip = (s) => (s ?? '').replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');

// Polls until the screen (every frame so far) matches, or fails with what it shows.
async function waitFor(app, re, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (re.test(strip(app.frames.join('\n')))) return;
    await sleep(20);
  }
  throw new Error(`never showed ${re}; last frame:\n${strip(app.lastFrame())}`);
}

function mount(extra = {}, vdevs = ['net_ring0', 'net_ring1']) {
  const session = Session.create({ ...DEFAULT_OPTIONS, vdevs, ethPeers: [] }, commandLayer.view);
  const output = new OutputBus(() => {});
  const quits = [];
  const app = render(createElement(App, {
    session, layer: commandLayer, color: false, history: ['show port info 0', 'set fwd mac'],
    output, isForwarding: () => session.engine.forwarding(), onQuit: (l) => quits.push(l),
    statusMs: 100, ...extra,
  }));
  const typeKeys = async (s) => { app.stdin.write(s); await sleep(30); };
  return {
    app, session, output, quits, type: typeKeys,
    close: () => { app.unmount(); try { session.shutdown(); } catch { /* already */ } },
  };
}

test('typing, TAB completion and a second TAB listing the choices with help', async () => {
  const t = mount();
  try {
    await waitFor(t.app, /ringside>/);
    await t.type('sh');
    await t.type('\t');
    await waitFor(t.app, /ringside> show/);
    await t.type('port ');
    await t.type('\t');
    await t.type('\t');
    await waitFor(t.app, /info\s+port facts/);
    await t.type('summary all\r');
    await waitFor(t.app, /net_ring0/);
  } finally { t.close(); }
});

test("'?' shows what may follow", async () => {
  const t = mount();
  try {
    await waitFor(t.app, /ringside>/);
    await t.type('set fwd ?');
    await waitFor(t.app, /macswap/);
    await waitFor(t.app, /ringside> set fwd /);
  } finally { t.close(); }
});

test('the status line shows ports up, mode, running/stopped and rates', async () => {
  const t = mount();
  try {
    await waitFor(t.app, /ports 2\/2 up \| fwd io \| stopped \| rx 0 pps/);
    await t.type('start tx_first\r');
    await waitFor(t.app, /fwd io \| running \| rx [\d.]+ [KM]pps/);
    await t.type('\x03');
    await waitFor(t.app, /Accumulated forward statistics/);
    await waitFor(t.app, /\| stopped \|/);
  } finally { t.close(); }
});

test('Ctrl-R finds an older command; Enter runs it', async () => {
  const t = mount();
  try {
    await waitFor(t.app, /ringside>/);
    await t.type('\x12');
    await t.type('info');
    await waitFor(t.app, /\(reverse-i-search\)'info': show port info 0/);
    await t.type('\r');
    await waitFor(t.app, /Infos for port 0/);
  } finally { t.close(); }
});

test('set output json: results as JSON lines that parse', async () => {
  const t = mount();
  try {
    await waitFor(t.app, /ringside>/);
    await t.type('set output json\r');
    await t.type('show port stats all\r');
    await waitFor(t.app, /"kind":"portStats"/);
    const line = strip(t.app.frames.join('\n')).split('\n').find((l) => l.startsWith('{"command":"show port stats all"'));
    const obj = JSON.parse(line);
    assert.is(obj.ports.length, 2);
    assert.ok('rxPps' in obj.ports[0].throughput);
  } finally { t.close(); }
});

test('engine messages print above the prompt without breaking the line being typed', async () => {
  const t = mount();
  try {
    await waitFor(t.app, /ringside>/);
    await t.type('show por');
    t.output.emit([{ text: 'EVENT link down on port 1', style: 'warning' }]);
    await waitFor(t.app, /EVENT link down on port 1[\s\S]*ringside> show por/);
    await t.type('t info 1\r');
    await waitFor(t.app, /Infos for port 1/);
  } finally { t.close(); }
});

test('monitor: keys go to the dashboard until q; output waits; the prompt comes back with typed keys', async () => {
  const got = [];
  let closeIt;
  const handle = {
    keys: (raw) => { got.push(raw); if (/q/.test(raw)) closeIt(); },
    event: (lines) => got.push(`event:${lines[0].text}`),
    close: () => closeIt(),
    closed: new Promise((r) => { closeIt = () => r(undefined); }),
  };
  let opened = 0;
  const t = mount({ openMonitor: (ms) => { opened = ms; return handle; } });
  try {
    await waitFor(t.app, /ringside>/);
    await t.type('monitor 250\r');
    await sleep(200);
    assert.is(opened, 250);
    const before = strip(t.app.lastFrame());
    assert.not.match(before, /ringside> $/m, 'no prompt while the dashboard is up');
    t.output.emit([{ text: 'held event' }]);
    await t.type('n');
    await t.type('qshow config cores\r');
    await waitFor(t.app, /List of forwarding lcores/);
    assert.equal(got, ['event:held event', 'n', 'q']);
    await waitFor(t.app, /held event/);
  } finally { t.close(); }
});

test('monitor without a terminal says so', async () => {
  const t = mount();
  try {
    await waitFor(t.app, /ringside>/);
    await t.type('monitor\r');
    await waitFor(t.app, /needs an interactive terminal/);
  } finally { t.close(); }
});

test('Ctrl-D on an empty line quits', async () => {
  const t = mount();
  try {
    await waitFor(t.app, /ringside>/);
    await t.type('\x04');
    const end = Date.now() + 5000;
    while (t.quits.length === 0 && Date.now() < end) await sleep(20);
    assert.is(t.quits.length, 1);
    assert.match(t.quits[0].map((l) => l.text).join('\n'), /Bye/);
  } finally { t.close(); }
});

test.run();
