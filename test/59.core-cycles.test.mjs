// set record-core-cycles on|off: the "CPU cycles/packet=... (total cycles=...
// / total MODE packets=...) at N MHz Clock" line that stop and show fwd stats
// all print after the accumulated statistics, as dpdk-testpmd prints it:
// cycles of the bursts that moved packets over the packets received (sent,
// in txonly), at the clock's rate.
import { test, assert } from './lib/harness.mjs';
import { shellScript } from './lib/cli.mjs';
import { testpmdStopAfter } from './lib/testpmd.mjs';

const LINE = /^ {2}CPU cycles\/packet=(\d+\.\d{2}) \(total cycles=(\d+) \/ total (\w+) packets=(\d+)\) at (\d+) MHz Clock$/gm;
const linesOf = (out) => [...out.matchAll(LINE)].map((m) => ({ perPacket: m[1], cycles: +m[2], mode: m[3], packets: +m[4], mhz: +m[5] }));
// The accumulated TX-packets of each forward statistics block in `out`.
const accumulatedTx = (out) => [...out.matchAll(/Accumulated forward statistics[^\n]*\n[^\n]*\n {2}TX-packets: (\d+)/g)].map((m) => +m[1]);

test('stop prints testpmd\'s CPU cycles/packet line: its shape, cycles over packets, the clock testpmd reports; off removes it', async () => {
  const tpOut = await testpmdStopAfter(['net_ring0', 'net_ring1'], 'set record-core-cycles on');
  const [want] = linesOf(tpOut);
  assert.ok(want, `testpmd printed no cycles line:\n${tpOut}`);
  const out = await shellScript(['set record-core-cycles on', 'start tx_first', 300, 'show fwd stats all', 200, 'stop',
    'set record-core-cycles off', 'start tx_first', 200, 'stop']);
  const got = linesOf(out);
  assert.is(got.length, 2, `one line in show fwd stats all and one at stop, none after off:\n${out}`);
  for (const g of got) {
    assert.is(g.mode, 'io');
    assert.ok(g.packets > 1000 && g.cycles > 0, JSON.stringify(g));
    assert.is(g.perPacket, (g.cycles / g.packets).toFixed(2));
    // the same TSC on the same machine: the rate agrees with testpmd's to 1%
    assert.ok(Math.abs(g.mhz - want.mhz) <= want.mhz / 100, `ringside ${g.mhz} MHz, testpmd ${want.mhz} MHz`);
  }
  assert.ok(got[1].packets > got[0].packets && got[1].cycles > got[0].cycles, 'stop counts the whole run');
}, { timeoutMs: 90_000 });

test('txonly divides by the packets sent; clear fwd stats all starts the count again', async () => {
  const out = await shellScript(['set record-core-cycles on', 'set fwd txonly', 'start', 300, 'stop',
    'start', 300, 'clear fwd stats all', 'show fwd stats all', 'stop'], ['net_null0', 'net_null1']);
  const [txonly, cleared, last] = linesOf(out);
  const sent = accumulatedTx(out);
  assert.is(txonly.mode, 'txonly');
  assert.is(txonly.packets, sent[0], 'the packets are the accumulated TX-packets');
  assert.ok(cleared.packets < last.packets && cleared.cycles <= last.cycles, 'counted from the clear');
  assert.is(last.packets, sent[2]);
}, { timeoutMs: 60_000 });

test.run();
