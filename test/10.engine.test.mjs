// The engine through the addon: ports, forwarding, conservation, errors.
import { test, assert } from './lib/harness.mjs';
import { spawnSync } from 'node:child_process';
import { addon, engineWith, sleep, tempDir, throwsCode, waitFor } from './lib/engine.mjs';

test('the addon lists forwarding modes and drivers from the engine tables', () => {
  const modes = addon.fwdModes().map((m) => m.name);
  for (const m of ['io', 'mac', 'macswap', '5tswap', 'rxonly', 'txonly', 'icmpecho']) assert.ok(modes.includes(m), `mode ${m}`);
  for (const m of addon.fwdModes()) assert.ok(m.help.length > 5, `help for ${m.name}`);
  const drivers = addon.drivers().map((d) => d.name);
  for (const d of ['net_null', 'net_ring', 'net_pcap']) assert.ok(drivers.includes(d), `driver ${d}`);
});

test('attach gives ids in order with testpmd facts; unknown drivers are refused', () => {
  const e = engineWith(['net_ring0', 'net_ring1']);
  try {
    assert.equal(e.portIds(), [0, 1]);
    const info = e.portInfo(1);
    assert.is(info.name, 'net_ring1');
    assert.is(info.driver, 'net_ring');
    assert.is(info.mtu, 1500);
    assert.ok(info.link.up, 'a started virtual port has link up');
    assert.ok(info.started);
    assert.match(info.mac, /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/);
    throwsCode(assert, () => e.attach('net_bogus0'), 'EDRIVER');
    throwsCode(assert, () => e.attach('net_null2,size'), 'EDEVARGS');
    throwsCode(assert, () => e.portInfo(9), 'EPORT_RANGE');
  } finally {
    e.shutdown();
  }
});

test('io on two net_ring ports: start tx_first forwards, stop returns every mbuf', async () => {
  const e = engineWith(['net_ring0', 'net_ring1']);
  try {
    e.setFwdMode('io');
    e.start(1);
    await sleep(200);
    const running = e.snapshot();
    assert.ok(running.forwarding);
    assert.ok(running.ports[0].rxPackets > 10_000, `port 0 received ${running.ports[0].rxPackets}`);
    const streams = e.stop();
    const s = e.snapshot();
    assert.is(s.pool.inUse, 0, 'every mbuf is back in its pool after stop');
    // Conservation: everything sent into a ring was received or flushed at stop,
    // and what was in flight is not a drop.
    const tx = s.ports.reduce((a, p) => a + p.txPackets, 0);
    const rxOrFlushed = s.ports.reduce((a, p) => a + p.rxPackets + p.rxFlushed, 0);
    assert.is(tx, rxOrFlushed);
    assert.is(s.ports.reduce((a, p) => a + p.rxMissed, 0), 0, 'in-flight packets are not rx_missed');
    // Every packet a stream received was sent or dropped and counted.
    const sentOrDropped = streams.reduce((a, x) => a + x.txPackets + x.fwdDropped, 0);
    const received = streams.reduce((a, x) => a + x.rxPackets, 0);
    assert.is(sentOrDropped, received + 2 * 32, 'tx_first adds one burst of 32 per stream');
  } finally {
    e.shutdown();
  }
});

test('io on net_null: packets flow both ways and nothing is lost', async () => {
  const e = engineWith(['net_null0', 'net_null1']);
  try {
    e.start(0);
    await sleep(150);
    const streams = e.stop();
    assert.is(streams.length, 2);
    for (const st of streams) {
      assert.ok(st.rxPackets > 1000);
      assert.is(st.txPackets + st.fwdDropped, st.rxPackets);
    }
    assert.is(e.snapshot().pool.inUse, 0);
  } finally {
    e.shutdown();
  }
});

test('topologies build testpmd stream tables', () => {
  const e = engineWith(['net_ring0', 'net_ring1', 'net_ring2']);
  try {
    const pairs = () => e.streams().map((s) => `${s.rxPort}>${s.txPort}`).join(' ');
    assert.is(pairs(), '0>1 1>0 2>2');
    e.setTopology('chained');
    assert.is(pairs(), '0>1 1>2 2>0');
    e.setTopology('loop');
    assert.is(pairs(), '0>0 1>1 2>2');
    assert.is(e.topology(), 'loop');
  } finally {
    e.shutdown();
  }
});

test('two poll threads over two queues each forward and stop cleanly', async () => {
  const e = engineWith(['net_ring0', 'net_ring1']);
  try {
    for (const p of [0, 1]) { e.portStop(p); e.portSetQueues(p, 2, 2); e.portStart(p); }
    e.setNbCores(2);
    assert.is(e.streams().length, 4);
    assert.is(e.lcores().length, 2);
    e.start(1);
    await sleep(200);
    const streams = e.stop();
    for (const st of streams) assert.ok(st.rxPackets > 0, `stream ${st.rxPort}/${st.rxQueue} received`);
    const s = e.snapshot();
    assert.is(s.pool.inUse, 0);
    for (const p of s.ports) assert.ok(p.rxq[1].packets > 0, 'queue 1 carries packets');
  } finally {
    e.shutdown();
  }
});

test('bad configuration is refused with codes and actionable messages', async () => {
  const e = engineWith(['net_ring0', 'net_ring1']);
  try {
    throwsCode(assert, () => e.setFwdMode('warpdrive'), 'EFWD_MODE');
    throwsCode(assert, () => e.portSetQueues(0, 2, 2), 'EBUSY_STARTED');
    throwsCode(assert, () => e.portSetMtu(0, 20), 'EMTU_RANGE');
    throwsCode(assert, () => e.setBurst(0), 'EBURST_RANGE');
    throwsCode(assert, () => e.setTxpkts([10]), 'ETXPKTS');
    throwsCode(assert, () => e.portSetMac(0, 'zz'), 'EINVAL_MAC');
    throwsCode(assert, () => e.portAddIp(0, '10.0.0.300/24'), 'EINVAL_IP');
    e.start(0);
    throwsCode(assert, () => e.start(0), 'EBUSY_FORWARDING');
    throwsCode(assert, () => e.setFwdMode('mac'), 'EBUSY_FORWARDING');
    e.stop();
    e.portSetMtu(0, 1600);
    assert.is(e.portInfo(0).mtu, 1600);
  } finally {
    e.shutdown();
  }
});

test('link down stops a port from receiving; clear stats zeroes counters', async () => {
  const e = engineWith(['net_null0', 'net_null1']);
  try {
    e.portSetLink(0, false);
    assert.not.ok(e.portInfo(0).link.up);
    e.start(0);
    await sleep(100);
    e.stop();
    assert.is(e.snapshot().ports[0].rxPackets, 0, 'a link-down port receives nothing');
    assert.ok(e.snapshot().ports[1].rxPackets > 0);
    e.clearPortStats(1);
    assert.is(e.snapshot().ports[1].rxPackets, 0);
    e.portSetLink(0, true);
    assert.ok(e.portInfo(0).link.up);
  } finally {
    e.shutdown();
  }
});

test('detach closes and removes a port; the next attach takes the lowest free id, as in DPDK', () => {
  const e = engineWith(['net_ring0', 'net_ring1', 'net_ring2']);
  try {
    e.detach(1);
    assert.equal(e.portIds(), [0, 2]);
    throwsCode(assert, () => e.portInfo(1), 'EPORT_RANGE');
    assert.is(e.attach('net_ring3'), 1);
    assert.is(e.portInfo(1).name, 'net_ring3');
    assert.is(e.attach('net_ring4'), 3);
  } finally {
    e.shutdown();
  }
});

test('a shut-down engine refuses calls with ESHUTDOWN', () => {
  const e = engineWith(['net_null0']);
  e.shutdown();
  throwsCode(assert, () => e.portIds(), 'ESHUTDOWN');
  e.shutdown();
});

// A system call failing inside the engine (here: no room for a capture's
// writer thread under an address-space limit) used to escape the binding as a
// std::system_error and abort node. Run in a child so an abort fails one test.
test('an engine failure that is not an engine error reaches JS with a code, not an abort', () => {
  const t = tempDir();
  try {
    const script = `
      import { addon } from ${JSON.stringify(new URL('../dist/native/addon.js', import.meta.url).href)};
      import { execFileSync } from 'node:child_process';
      import { readFileSync } from 'node:fs';
      const e = new addon.Engine({ totalNumMbufs: 1024 });
      e.attach('net_null0');
      const vmBytes = Number(/VmSize:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
      execFileSync('prlimit', ['--pid', String(process.pid), '--as=' + (vmBytes + (4 << 20))]);
      try {
        e.captureStart(0, { direction: 'rx', file: ${JSON.stringify(t.file('c.pcap'))}, ringBytes: 65536 });
        console.log(JSON.stringify({ started: true }));
      } catch (err) {
        console.log(JSON.stringify({ name: err.name, code: err.code, message: err.message }));
      }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.is(r.signal, null, `the process died of ${r.signal}: ${r.stderr}`);
    assert.is(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout.trim().split('\n').pop());
    assert.is(got.name, 'RingsideError', r.stdout);
    assert.is(got.code, 'EAGAIN');
    assert.match(got.message, /free resources/);
  } finally {
    t.remove();
  }
});

test.run();
