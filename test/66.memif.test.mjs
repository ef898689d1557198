// net_memif against a real DPDK peer (dpdk-testpmd 22.11 with --vdev
// net_memif0) and against another ringside: traffic in both directions and
// in io loops, in both roles, with the packets compared byte for byte between
// a capture on each side (ringside's `capture start`, testpmd's net_pcap
// port); then the faults: peer SIGKILLed mid-run (link down, counters kept,
// back up when it returns), wrong secret, a socket directory that is missing.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { shellSession } from './lib/cli.mjs';
import { sleep, tempDir } from './lib/engine.mjs';
import { readPcap, writePcap } from './lib/pcap.mjs';
import { decode, udp4 } from './lib/packets.mjs';
import { startTestpmd } from './lib/testpmd.mjs';
import { ensureTestpmd } from '../bench/testpmd.mjs';
import { skipOrFail } from './lib/tools.mjs';

const SKIP = skipOrFail('memif against dpdk-testpmd', ensureTestpmd() ? '' : 'dpdk-testpmd is missing and apt-get install dpdk-dev failed');
const LONG = { timeoutMs: 90_000 };
let sockSeq = 0;
const sockName = () => `rsmemif-${process.pid}-${sockSeq++}`;
const other = (role) => (role === 'server' ? 'client' : 'server');

// 100 distinct UDP frames of 60..753 bytes.
function knownFrames(n = 100) {
  return Array.from({ length: n }, (_, i) => udp4({ sport: 1000 + i, dport: 2000 + i, payload: Buffer.alloc(18 + i * 7, i) }));
}

const hex = (b) => Buffer.from(b).toString('hex');

function samePackets(actual, expected, what) {
  assert.ok(actual.length >= expected.length, `${what}: ${actual.length} packets, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (!Buffer.from(actual[i]).equals(Buffer.from(expected[i]))) {
      assert.unreachable(`${what}: packet ${i} differs:\n  got      ${hex(actual[i]).slice(0, 120)}\n  expected ${hex(expected[i]).slice(0, 120)}`);
    }
  }
}

async function waitFile(f, ms = 10_000) {
  for (const end = Date.now() + ms; !existsSync(f);) {
    if (Date.now() > end) throw new Error(`${f} was not written`);
    await sleep(50);
  }
}

function ringsideWith(devargs) {
  return shellSession(['--vdev', devargs, '--', '-i']);
}

const rxPackets = (text) => [...text.matchAll(/RX-packets:\s+(\d+)/g)].map((m) => Number(m[1]));
const txPackets = (text) => [...text.matchAll(/TX-packets:\s+(\d+)/g)].map((m) => Number(m[1]));

for (const role of ['server', 'client']) {
  test(`memif ${role}: testpmd txonly into ringside rxonly, packets as testpmd builds them`, async () => {
    if (SKIP) return;
    const { dir } = tempDir();
    const sock = sockName();
    const cap = path.join(dir, 'rx.pcap');
    let tp;
    const rs = ringsideWith(`net_memif0,role=${role},socket=${sock},id=3`);
    try {
      if (role === 'server') await rs.until(/Checking link statuses/, 15_000);
      tp = await startTestpmd([`net_memif0,role=${other(role)},socket=${sock},id=3`]);
      await rs.until(/connected to 'DPDK 22\.11[^']*' interface 'net_memif0': link up/, 15_000);
      rs.write(`set fwd rxonly\ncapture start 0 rx file ${cap} count 500\nstart\n`);
      await tp.cmd('set fwd txonly');
      await tp.cmd('start');
      await rs.until(/capture on port 0 done: count reached, 500 packets/, 20_000);
      await tp.cmd('stop');
      const stats = await tp.cmd('show port stats 0');
      const txBytes = Number(/TX-bytes:\s+(\d+)/.exec(stats)[1]);
      const txPkts = Number(/TX-packets:\s+(\d+)/.exec(stats)[1]);
      const pkts = readPcap(cap).packets.map((p) => p.data);
      assert.is(pkts.length, 500);
      // testpmd's txonly frames are all alike: the same bytes, the size its counters say.
      assert.is(pkts[0].length, txBytes / txPkts);
      for (const p of pkts) assert.ok(Buffer.from(p).equals(Buffer.from(pkts[0])), 'every txonly frame identical');
      const d = decode(Buffer.from(pkts[0]));
      assert.is(d.ip?.src, '198.18.0.1');
      assert.is(d.udp?.dport, 9);
    } finally {
      await tp?.quit();
      await rs.end('stop\nquit\n');
    }
  }, LONG);

  test(`memif ${role}: ringside txonly into testpmd io (its pcap port matches ringside's capture) and rxonly`, async () => {
    if (SKIP) return;
    const { dir } = tempDir();
    const sock = sockName();
    const ours = path.join(dir, 'tx.pcap');
    const theirs = path.join(dir, 'testpmd-rx.pcap');
    let tp;
    const rs = ringsideWith(`net_memif0,role=${role},socket=${sock}`);
    try {
      await rs.until(/Checking link statuses/, 15_000);
      // testpmd io: memif port 0 -> net_pcap port 1, which writes a file.
      tp = await startTestpmd([`net_memif0,role=${other(role)},socket=${sock}`, `net_pcap0,tx_pcap=${theirs}`]);
      await rs.until(/link up/, 15_000);
      await tp.cmd('set fwd io');
      await tp.cmd('start');
      rs.write(`set fwd txonly\nset txpkts 128\ncapture start 0 tx file ${ours} count 300\nstart\n`);
      await rs.until(/capture on port 0 done: count reached, 300 packets/, 20_000);
      // testpmd forwards at its own pace: let it take the first 300 into its pcap port.
      for (const end = Date.now() + 15_000; txPackets(await tp.cmd('show port stats 1'))[0] < 300 && Date.now() < end;) await sleep(100);
      await tp.cmd('stop');
      // Then testpmd's rxonly on the same stream: it keeps receiving.
      await tp.cmd('set fwd rxonly');
      await tp.cmd('start');
      await sleep(1000);
      const rxonly = await tp.cmd('stop');
      const fwdRx = Number(/Forward statistics for port 0\s+-+\s+RX-packets: (\d+)/.exec(rxonly)?.[1] ?? 0);
      assert.ok(fwdRx > 0, `testpmd rxonly received ${fwdRx}`);
      rs.write('stop\n');
      const stats = await tp.cmd('show port stats 0');
      assert.ok(rxPackets(stats)[0] >= 300 + fwdRx, `testpmd received ${rxPackets(stats)[0]}`);
      await tp.quit();  // closes the pcap file
      tp = undefined;
      await waitFile(theirs);
      const sent = readPcap(ours).packets.map((p) => p.data);
      samePackets(readPcap(theirs).packets.map((p) => p.data), sent, 'testpmd received');
      assert.is(sent[0].length, 128);
    } finally {
      await tp?.quit();
      await rs.end('stop\nquit\n');
    }
  }, LONG);

  test(`memif ${role}: io loop testpmd -> ringside -> testpmd, known frames byte for byte on both sides`, async () => {
    if (SKIP) return;
    const { dir } = tempDir();
    const sock = sockName();
    const input = path.join(dir, 'in.pcap');
    const back = path.join(dir, 'back.pcap');
    const ours = path.join(dir, 'ringside-rx.pcap');
    const frames = knownFrames();
    writePcap(input, frames.map((data, i) => ({ tsNs: BigInt(i) * 1000n, data })));
    let tp;
    const rs = ringsideWith(`net_memif0,role=${role},socket=${sock},bsize=256`);
    try {
      await rs.until(/Checking link statuses/, 15_000);
      rs.write(`set fwd io\ncapture start 0 rx file ${ours} count ${frames.length}\nstart\n`);
      // bsize=256 on ringside's side: frames above it span several descriptors.
      // --no-flush-rx: else testpmd's start drains the pcap port's frames before forwarding.
      tp = await startTestpmd([`net_pcap0,rx_pcap=${input},tx_pcap=${back}`, `net_memif0,role=${other(role)},socket=${sock}`], { extra: ['--no-flush-rx'] });
      await rs.until(/link up/, 15_000);
      await tp.cmd('set fwd io');
      await tp.cmd('start');
      await rs.until(/capture on port 0 done: count reached, 100 packets/, 20_000);
      await sleep(500);
      await tp.cmd('stop');
      await tp.quit();
      tp = undefined;
      samePackets(readPcap(ours).packets.map((p) => p.data), frames, 'ringside received');
      samePackets(readPcap(back).packets.map((p) => p.data), frames, 'testpmd got back');
    } finally {
      await tp?.quit();
      await rs.end('stop\nquit\n');
    }
  }, LONG);
}

test('memif client: the testpmd server SIGKILLed and restarted, ringside reconnects by itself', async () => {
  if (SKIP) return;
  const sock = sockName();
  let tp = await startTestpmd([`net_memif0,role=server,socket=${sock}`]);
  const rs = ringsideWith(`net_memif0,role=client,socket=${sock}`);
  try {
    await rs.until(/link up/, 15_000);
    rs.write('set fwd rxonly\nstart\n');
    await tp.cmd('set fwd txonly');
    await tp.cmd('start');
    await sleep(1000);
    await tp.kill();
    tp = undefined;
    await rs.until(/disconnected: peer closed the control channel[^\n]*link down, counters kept/, 10_000);
    const from = rs.output.length;
    tp = await startTestpmd([`net_memif0,role=server,socket=${sock}`]);
    await rs.until(/connected to 'DPDK[^']*' interface 'net_memif0': link up/, 15_000);
    await tp.cmd('set fwd txonly');
    await tp.cmd('start');
    await sleep(1000);
    rs.write('show port info 0\n');
    await rs.until(/memif connects: 2, disconnects 1/, 5000);
    assert.match(rs.output.slice(from), /Link status: up/);
  } finally {
    await tp?.quit();
    await rs.end('stop\nquit\n');
  }
}, LONG);

test('memif queue pairs: testpmd txonly on 2 queues into ringside rxonly on 2 queues, each ring carries packets', async () => {
  if (SKIP) return;
  const sock = sockName();
  const rs = shellSession(['--vdev', `net_memif0,role=client,socket=${sock}`, '--', '-i', '--rxq=2', '--txq=2']);
  let tp;
  try {
    tp = await startTestpmd([`net_memif0,role=server,socket=${sock}`], { extra: ['--rxq=2', '--txq=2'] });
    await rs.until(/link up \(2 c2s x 2\^10 descriptors, 2 s2c x 2\^10 descriptors\)/, 15_000);
    rs.write('set fwd rxonly\nstart\n');
    await tp.cmd('set fwd txonly');
    await tp.cmd('start');
    await sleep(1500);
    await tp.cmd('stop');
    const from = rs.output.length;
    rs.write('stop\nshow port 0 rxq 0 info\nshow port 0 rxq 1 info\n');
    await rs.until(/(Packets: \d+[\s\S]*){2}/, 5000);
    const perQueue = [...rs.output.slice(from).matchAll(/Packets: (\d+)/g)].map((m) => Number(m[1]));
    assert.ok(perQueue[0] > 0 && perQueue[1] > 0, `packets per rx queue: ${perQueue.join(', ')}`);
  } finally {
    await tp?.quit();
    await rs.end('quit\n');
  }
}, LONG);

test('memif ringside <-> ringside: txonly into rxonly, both captures equal, a flow rule counts, queues and descriptors shown', async () => {
  const { dir } = tempDir();
  const sock = sockName();
  const sent = path.join(dir, 'a-tx.pcap');
  const got = path.join(dir, 'b-rx.pcap');
  const a = ringsideWith(`net_memif0,role=server,socket=${sock},id=7,secret=s3cr3t`);
  const b = ringsideWith(`net_memif0,role=client,socket=${sock},id=7,secret=s3cr3t`);
  try {
    await a.until(/link up/, 15_000);
    await b.until(/link up/, 15_000);
    // A flow rule counts on the memif port like on any other.
    b.write(`flow create 0 ingress pattern eth / ipv4 / udp / end actions count / end\nset fwd rxonly\ncapture start 0 rx file ${got} count 400\nstart\n`);
    a.write(`set fwd txonly\nset txpkts 300\ncapture start 0 tx file ${sent} count 400\nstart\n`);
    await b.until(/capture on port 0 done: count reached, 400 packets/, 20_000);
    b.write('flow query 0 0 count\n');
    await b.until(/ hits: \d+/);
    assert.ok(Number(/ hits: (\d+)/.exec(b.output)[1]) >= 400, 'the flow rule counted the memif packets');
    a.write('stop\nshow port info 0\nshow port 0 txq 0 ring\n');
    await a.until(/memif peer: 'ringside' interface 'net_memif0', memif 2\.0, role client/);
    await a.until(/s2c\s+\[\s*\d+\] region=0 offset=0x[0-9a-f]+ length=\d+/, 15_000);
    samePackets(readPcap(got).packets.map((p) => p.data), readPcap(sent).packets.map((p) => p.data).slice(0, 400), 'peer received');
  } finally {
    await b.end('stop\nquit\n');
    await a.end('stop\nquit\n');
  }
}, LONG);

test('memif faults: testpmd SIGKILLed mid-run (link down, counters kept, back up), wrong secret, missing socket dir', async () => {
  if (SKIP) return;
  const sock = sockName();
  const rs = ringsideWith(`net_memif0,role=server,socket=${sock},id=1`);
  let tp;
  try {
    await rs.until(/Checking link statuses/, 15_000);
    rs.write('set fwd rxonly\nstart\n');
    tp = await startTestpmd([`net_memif0,role=client,socket=${sock},id=1`]);
    await rs.until(/link up/, 15_000);
    await tp.cmd('set fwd txonly');
    await tp.cmd('start');
    await sleep(1000);
    await tp.kill();
    tp = undefined;
    await rs.until(/disconnected: peer closed the control channel \(it exited or was killed\); link down, counters kept/, 10_000);
    let from = rs.output.length;
    rs.write('show port stats 0\nshow port info 0\n');
    await rs.until(/memif state: /, 5000);
    const after = rs.output.slice(from);
    const kept = rxPackets(after)[0];
    assert.ok(kept > 0, `counters kept after the peer died: RX-packets ${kept}`);
    assert.match(after, /Link status: down/);
    // The peer comes back: link up again, counters continue.
    tp = await startTestpmd([`net_memif0,role=client,socket=${sock},id=1`]);
    from = rs.output.length;
    await rs.until(/connected to 'DPDK[^']*' interface 'net_memif0': link up/, 15_000);
    await tp.cmd('set fwd txonly');
    await tp.cmd('start');
    await sleep(1000);
    rs.write('show port stats 0\n');
    await rs.until(/RX-packets/, 5000);
    await sleep(200);
    assert.ok(rxPackets(rs.output.slice(from)).at(-1) > kept, 'counting again after the reconnect');
    await tp.quit();
    tp = undefined;

    // Wrong secret against a testpmd server: one line with testpmd's reason.
    const sock2 = sockName();
    tp = await startTestpmd([`net_memif0,role=server,socket=${sock2},secret=right`]);
    rs.write(`port attach net_memif1,role=client,socket=${sock2},secret=wrong\n`);
    await rs.until(/memif port 1 \(net_memif1\) could not connect: peer disconnected: Incorrect secret/, 10_000);
    // A socket directory that does not exist: refused at attach, one line.
    rs.write('port attach net_memif2,socket=/nonexistent-ringside-dir/m.sock,socket-abstract=no\n');
    await rs.until(/socket directory \/nonexistent-ringside-dir does not exist: create it, or use socket-abstract=yes/, 5000);
  } finally {
    await tp?.quit();
    await rs.end('stop\nquit\n');
  }
}, LONG);

test.run();
