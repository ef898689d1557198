// Signals and the shell: 130 on SIGINT, 143 on SIGTERM, 129 on SIGHUP, after
// a clean shutdown, from the first moment the engine exists (a signal while
// the ports are being made still takes them down); a capture running at quit
// or at a signal gets the summary `capture stop` prints. The start-up test
// makes TAP ports, so it needs root (skips with the reason, fails under CI).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { test, assert } from './lib/harness.mjs';
import { MAIN, shellSession } from './lib/cli.mjs';
import { tempDir } from './lib/engine.mjs';
import { skipUnlessNetns, withNetns } from './lib/netns.mjs';

for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  test(`${sig}: the shell shuts down cleanly and exits ${code}`, async () => {
    const sh = shellSession([]);
    await sh.until(/Checking link statuses\.\.\.\nDone/, 15_000);
    const exited = new Promise((r) => sh.child.on('close', (c, s) => r({ code: c, signal: s })));
    sh.child.kill(sig);
    const end = await exited;
    assert.equal(end, { code, signal: null }, sh.output);
    assert.match(sh.output, /Port 1 is closed[\s\S]*Bye\.\.\./);
  });
}

for (const how of ['quit', 'SIGTERM']) {
  test(`${how} with a capture running prints its summary`, async () => {
    const t = tempDir();
    try {
      const sh = shellSession(['--vdev', 'net_ring0', '--vdev', 'net_ring1']);
      sh.write(`capture start 0 rx file ${t.file('c.pcap')}\nstart tx_first\n`);
      await sh.until(/Capturing/, 15_000);
      const exited = new Promise((r) => sh.child.on('close', (c) => r(c)));
      if (how === 'quit') sh.write('quit\n');
      else sh.child.kill(how);
      assert.is(await exited, how === 'quit' ? 0 : 143, sh.output);
      assert.match(sh.output, /Capture on port 0 stopped: [1-9]\d* packets written to \S*c\.pcap/);
      assert.match(sh.output, /seen \d+, filtered out 0, dropped \d+/);
    } finally {
      t.remove();
    }
  });
}

test('ringside run stopped by SIGTERM with a capture running: exit 143, the capture summary in its clean-up step', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('cap.rsc'), [
      'ringside --vdev net_ring0 --vdev net_ring1',
      'capture start 0 rx file ${WORKDIR}/c.pcap snaplen 64',
      'start tx_first',
      'echo waiting',
      'shell sleep 30',
    ].join('\n') + '\n');
    const c = spawn(process.execPath, [MAIN, 'run', t.file('cap.rsc')], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    c.stdout.on('data', (d) => { out += d; if (/echo waiting/.test(out) && !c.sent) { c.sent = true; setTimeout(() => c.kill('SIGTERM'), 300); } });
    const code = await new Promise((r) => c.on('close', r));
    assert.is(code, 143, out);
    assert.match(out, /cleanup +\[Capture on port 0 stopped: [1-9]\d* packets written to \S+c\.pcap/);
  } finally {
    t.remove();
  }
});

test('SIGTERM while the ports are being made: the shell takes them down and exits 143', async () => {
  if (skipUnlessNetns('a signal during start-up')) return;
  await withNetns(1, async (ns) => {
    // Eight TAPs take long enough that the signal lands while they are made.
    const vdevs = Array.from({ length: 8 }, (_, i) => ['--vdev', `net_tap${i},iface=rsearly${i}`]).flat();
    for (let k = 0; k < 3; k++) {
      const end = await new Promise((resolve) => {
        const c = spawn('ip', ['netns', 'exec', ns.name, process.execPath, MAIN, ...vdevs], { env: { ...process.env, NO_COLOR: '1' } });
        let out = '';
        c.stdout.on('data', (d) => {
          out += d;
          // The first start-up line: the engine exists, its ports are coming.
          if (/Interactive-mode selected|create a new mbuf pool/.test(out) && c.signalCode === null && !c.sent) { c.sent = true; c.kill('SIGTERM'); }
        });
        c.on('close', (code, signal) => resolve({ code, signal, out }));
      });
      assert.equal({ code: end.code, signal: end.signal }, { code: 143, signal: null }, end.out);
      assert.match(end.out, /Bye\.\.\./, 'shut down, not killed');
      assert.not.match(ns.ip('link', 'show'), /rsearly/, 'no TAP is left');
    }
  });
}, { timeoutMs: 60_000 });

test.run();
