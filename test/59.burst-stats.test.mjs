// set record-burst-stats on|off: the RX-bursts/TX-bursts lines under each
// port (or stream) in stop and show fwd stats all, as dpdk-testpmd prints them.
import { test, assert } from './lib/harness.mjs';
import { root, shellScript } from './lib/cli.mjs';
import { testpmdStopAfter } from './lib/testpmd.mjs';

const { burstLine } = await import(`${root}/dist/commands/burst-stats.js`);
const LINE = /^ {2}(RX|TX)-bursts : (\d+) \[(\d+% of \d+ pkts)( \+ \d+% of \d+ pkts)*( \+ \d+% of other)?\]$/gm;
const linesOf = (out) => [...out.matchAll(LINE)].map((m) => ({ dir: m[1], total: +m[2] }));

test('the summary keeps empty bursts, the two most frequent sizes and the rest, as testpmd computes it', () => {
  assert.is(burstLine('RX', [[0, 10], [5, 10], [16, 20], [32, 60]]), '  RX-bursts : 100 [10% of 0 pkts + 60% of 32 pkts + 20% of 16 pkts + 10% of other]');
  assert.is(burstLine('TX', [[32, 3]]), '  TX-bursts : 3 [0% of 0 pkts + 100% of 32 pkts]');
  assert.is(burstLine('RX', [[0, 1], [7, 2]]), '  RX-bursts : 3 [33% of 0 pkts + 67% of 7 pkts]');
  assert.is(burstLine('RX', []), undefined);
  assert.is(burstLine('RX', undefined), undefined);
});

test('stop shows RX-bursts and TX-bursts per port with testpmd\'s shape; off and clear fwd stats remove them', async () => {
  const tpOut = await testpmdStopAfter(['net_ring0', 'net_ring1'], 'set record-burst-stats on');
  const out = await shellScript(['set record-burst-stats on', 'start tx_first', 500, 'stop', 'clear fwd stats all', 'show fwd stats all',
    'set record-burst-stats off', 'start tx_first', 200, 'stop']);
  const [first, cleared, off] = out.split(/Accumulated forward statistics/).slice(0, 3);
  const want = linesOf(tpOut).map((l) => l.dir);
  assert.equal(want, ['RX', 'TX', 'RX', 'TX'], tpOut);
  const got = linesOf(first);
  assert.equal(got.map((l) => l.dir), want, first);
  // tx_first's burst is one more tx burst than rx bursts, on both tools
  assert.is(got[1].total, got[0].total + 1);
  assert.is(linesOf(tpOut)[1].total, linesOf(tpOut)[0].total + 1);
  assert.equal(linesOf(cleared), [], 'clear fwd stats all empties them');
  assert.equal(linesOf(off), [], 'not recorded after off');
}, { timeoutMs: 90_000 });

test.run();
