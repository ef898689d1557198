// Helpers for tests that drive the real engine through the addon.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addon } from '../../dist/native/addon.js';

export { addon };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// An engine with the given vdevs attached; always shut down by the caller's finally.
export function engineWith(vdevs, opts = {}) {
  const e = new addon.Engine({ totalNumMbufs: 4096, ...opts });
  for (const v of vdevs) e.attach(v);
  return e;
}

export async function waitFor(cond, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await sleep(10);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

export function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'ringside-test-'));
  return { dir, file: (n) => path.join(dir, n), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// Expect fn to throw a RingsideError with this code; returns the error.
export function throwsCode(assert, fn, code) {
  try {
    fn();
  } catch (e) {
    assert.is(e.name, 'RingsideError', `expected RingsideError, got ${e}`);
    assert.is(e.code, code, `expected code ${code}, got ${e.code}: ${e.message}`);
    assert.ok(e.message.length > 10, 'the message says what to do');
    return e;
  }
  assert.unreachable(`expected error ${code}`);
}

// Runs a one-port pcap-to-pcap pass of `mode` over the given packets and
// returns the packets written, after every input packet was processed.
export async function pcapPass({ mode, packets, setup = () => {}, writePcap, readPcap }) {
  const t = tempDir();
  const e = engineWith([`net_pcap0,rx_pcap=${t.file('in.pcap')},tx_pcap=${t.file('out.pcap')}`].map((v) => {
    writePcap(t.file('in.pcap'), packets.map((data) => ({ data })));
    return v;
  }));
  try {
    setup(e);
    e.setFwdMode(mode);
    e.start(0);
    await waitFor(() => e.snapshot().ports[0].rxPackets === packets.length, 5000, `${packets.length} packets received`);
    await sleep(50);
    const streams = e.stop();
    e.portClose(0);
    return { out: readPcap(t.file('out.pcap')).packets, streams, snapshot: e.snapshot() };
  } finally {
    e.shutdown();
    t.remove();
  }
}
