// --display-xstats NAME,...: show port stats adds the named xstats with their
// rate since the last show, in dpdk-testpmd's layout.
import { test, assert } from './lib/harness.mjs';
import { ringside } from './lib/cli.mjs';
import { startTestpmd } from './lib/testpmd.mjs';

const HEADER = /^ {31}Value {12}Rate \(since last show\)$/m;
const row = (name) => new RegExp(`^  ${name} +\\d+ +\\d+$`, 'm');

test('show port stats adds the named xstats under the throughput, as dpdk-testpmd does', async () => {
  const tp = await startTestpmd(['net_ring0', 'net_ring1'], { extra: ['--display-xstats=rx_good_packets,tx_good_packets'] });
  let tpOut;
  try { tpOut = await tp.cmd('show port stats 0'); } finally { await tp.quit(); }
  assert.match(tpOut, HEADER, tpOut);
  const r = await ringside(['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--', '-i', '--display-xstats=rx_good_packets,no_such_xstat,tx_good_packets'],
    'show port stats 0\nquit\n');
  assert.is(r.code, 0, r.stderr);
  for (const out of [tpOut, r.stdout]) {
    assert.match(out, HEADER);
    assert.match(out, row('rx_good_packets'));
    assert.match(out, row('tx_good_packets'));
  }
  assert.not.match(r.stdout, /no_such_xstat/, 'a name the port does not have is left out');
  assert.match(r.stdout, /Tx-bps: +\d+\n\n {31}Value/, 'after the throughput');
}, { timeoutMs: 60_000 });

test.run();
