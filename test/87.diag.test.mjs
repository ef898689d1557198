// Rings and pools through the command line, as a user reads them: a net_ring
// queue filled to a known depth (txonly with a packet count into a non-forwarding
// port's ring), its descriptors, the mempool's holders and a leak made by
// the test-only fault hook, poll-thread load, and --json for each view.
import { test, assert } from './lib/harness.mjs';
import { ringside } from './lib/cli.mjs';
import { engineWith, waitFor } from './lib/engine.mjs';
import { snapMessage } from '../dist/shell/monitor/feed.js';

const RING_PAIR = ['--vdev', 'net_ring0,peer=net_ring1', '--vdev', 'net_ring1'];
const NULL_PAIR = ['--vdev', 'net_null0', '--vdev', 'net_null1'];

// txonly on port 0 sends 100 packets into net_ring1's rx ring; port 1 is
// not a forwarding port (testpmd's portlist), so nothing polls that ring and
// it holds exactly those 100.
const FILL = ['set portlist 0', 'set fwd txonly', 'set txcount 0 100', 'start', 'wait until port 0 tx-packets >= 100'];

function field(text, re) {
  const m = text.match(re);
  assert.ok(m, `expected ${re} in:\n${text}`);
  return m;
}

test('a queue filled to a known depth shows that occupancy and those mbufs', async () => {
  const cmds = [...FILL, 'show port 1 rxq 0 info', 'show port 1 rxq 0 ring count 4', 'show txq info 0 0', 'stop', 'show mempool',
    'port close 1', 'show mempool'];
  const r = await ringside(RING_PAIR, cmds.join('\n') + '\n');
  const out = r.stdout;
  assert.match(out, /\*{21} Infos for port 1 , RX queue 0  \*{21}/);
  assert.match(out, /Queue kind: in-memory ring, single producer\/consumer/);
  assert.match(out, /Number of RXDs: 1024/);
  const ring = field(out, /Ring ring +size 1024 +producer (\d+) +consumer (\d+) +occupancy (\d+) +high-water (\d+)/);
  assert.is(Number(ring[1]) - Number(ring[2]), 100);
  assert.is(Number(ring[3]), 100);
  assert.is(Number(ring[4]), 100);
  // ring count 4: the four oldest slots, 64-byte txonly packets (IPv4, ethertype 08 00).
  const slots = [...out.matchAll(/^ring +\[ *(\d+)\] mbuf=(\d+) data_len=(\d+) rx=port \d+ rxq \d+ data=((?:[0-9a-f]{2} ?)+)$/gm)];
  assert.is(slots.length, 4, out);
  slots.forEach((s, i) => {
    assert.is(Number(s[1]), Number(ring[2]) + i);
    assert.is(Number(s[3]), 64);
    assert.is(s[4].split(' ').slice(12, 14).join(' '), '08 00');
  });
  assert.is(new Set(slots.map((s) => s[2])).size, 4, 'four different mbufs');
  // The sender's tx queue is the same ring, in testpmd's syntax.
  assert.match(out, /Infos for port 0 , TX queue 0 /);
  assert.match(out, /rx queue 0 of net_ring1/);
  // After stop the forwarding port is drained, but net_ring1 still holds the 100: named as the holder.
  const pools = [...out.matchAll(/In use: (\d+) +Free: (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(pools, [100, 0], out);
  assert.match(out, /Held by port 1 rxq 0 ring \(net_ring1\): 100 mbufs/);
  assert.not.match(out, /Leaked/);
});

test('show mempool: in use back to idle after stop; the test-only leak is named by its stream', async () => {
  const cmds = ['show mempool', 'start', 'wait until port 0 rx-packets >= 10000', 'show lcores', 'stop', 'show mempool'];
  const clean = await ringside(NULL_PAIR, cmds.join('\n') + '\n');
  const inUse = (text) => [...text.matchAll(/In use: (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(inUse(clean.stdout), [0, 0], clean.stdout);
  assert.match(clean.stdout, /Per-lcore caches: all empty/);
  // net_null always has packets: the poll thread is busy nearly all the time.
  const lc = field(clean.stdout, /^ +1 +\d+ +0,1 +([\d.]+) +(\d+) +(\d+)$/m);
  assert.ok(Number(lc[1]) > 90, `busy ${lc[1]}%`);
  assert.ok(Number(lc[2]) > 1000, `bursts/s ${lc[2]}`);

  const leaky = await ringside(NULL_PAIR, cmds.join('\n') + '\n', { env: { RINGSIDE_TEST_LEAK_MBUFS: '3' } });
  assert.equal(inUse(leaky.stdout), [0, 3], leaky.stdout);
  assert.match(leaky.stdout, /Leaked: 3 mbufs in no ring or cache, last received on port 0 rxq 0, taken by stream 0 \(port 0 rxq 0 -> port 1 txq 0\)/);
});

test('--json: every diagnostics view parses and carries its figures', async () => {
  const cmds = [...FILL, 'show port 1 rxq 0 info', 'show port 1 rxq 0 ring count 4', 'show rxq info 1 0', 'show lcores', 'show mempool',
    'stop', 'show mempool'];
  const r = await ringside([...RING_PAIR, '--json', '-c', cmds.join('; ')]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const objs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const by = (cmd) => objs.find((o) => o.command === cmd);
  const info = by('show port 1 rxq 0 info');
  assert.is(info.kind, 'queueInfo');
  assert.is(info.info.rings[0].occupancy, 100);
  assert.is(info.info.rings[0].size, 1024);
  const ring = by('show port 1 rxq 0 ring count 4');
  assert.is(ring.descriptors.length, 4);
  assert.is(ring.descriptors[0].fields.data_len, '64');
  assert.is(by('show rxq info 1 0').info.rings[0].occupancy, 100);
  const lcores = by('show lcores');
  assert.is(lcores.lcores.length, 1);
  assert.equal(lcores.lcores[0].streams, [0]);
  assert.is(by('show mempool').pool.holdersKnown, false);  // forwarding: holders need quiet rings
  const after = objs.filter((o) => o.command === 'show mempool')[1].pool;
  assert.is(after.inUse, 100);
  assert.equal(after.holders, [{ name: 'port 1 rxq 0 ring (net_ring1)', mbufs: 100, inRing: true }]);
});

test('bad queue: a clear error naming the valid queues', async () => {
  const r = await ringside(RING_PAIR, 'show port 0 rxq 3 info\nshow port 0 txq 0 ring count 0\n');
  assert.match(r.stdout, /Error EQUEUE_RANGE: port 0 has rx queues 0..0, not 3/);
  assert.match(r.stdout, /count 0 is out of range: valid values are 1..4096/);
});

test('the monitor feed shows ring occupancy from the same view', async () => {
  const e = engineWith(['net_ring0,peer=net_ring1', 'net_ring1']);
  try {
    e.portStop(1);
    e.setFwdMode('txonly');
    e.start(0);
    await waitFor(() => e.portQueueInfo(1, 'rx', 0).rings[0].occupancy > 0, 5000, 'packets in net_ring1');
    e.stop();
    const held = e.portQueueInfo(1, 'rx', 0).rings[0].occupancy;
    const occ = snapMessage(e).occupancy;
    assert.equal(occ.find((o) => o.name === 'p1 rxq0 ring'), { name: 'p1 rxq0 ring', used: held, size: 1024 });
    assert.ok(held > 0);
    assert.equal(occ.find((o) => o.name === 'p0 txq0 ring'), { name: 'p0 txq0 ring', used: held, size: 1024 }, 'the same ring, from the sender');
  } finally {
    e.shutdown();
  }
});

test.run();
