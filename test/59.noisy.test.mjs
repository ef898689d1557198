// set fwd noisy with testpmd's --noisy-* options on two net_ring ports (tx_first's
// 32 packets per port are counted as sent): the
// FIFO holds packets until it overflows or the flush time passes, lookups
// need their memory, and what the FIFO holds at stop goes back to the pool.
import { test, assert } from './lib/harness.mjs';
import { ringside, shellSession, fwdStats } from './lib/cli.mjs';
import { sleep } from './lib/engine.mjs';

const RINGS = ['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--', '-i', '--forward-mode=noisy'];

// start tx_first, forward for 1.5 s, stop: the output and exit code.
async function run(args) {
  const s = shellSession(args);
  s.write('start tx_first\n');
  await s.until(/Logical Core/, 10_000);
  await sleep(1500);  // long enough on a loaded machine for the poll thread to get a CPU
  const code = await s.end('stop\nshow mempool\nquit\n');
  return { code, stdout: s.output, stderr: s.output };
}

test('a FIFO larger than the burst and no flush time holds the packets; stop returns them to the pool', async () => {
  const r = await run([...RINGS, '--noisy-tx-sw-buffer-size=64']);
  assert.is(r.code, 0, r.stderr);
  const f = fwdStats(r.stdout);
  assert.equal(f.map((x) => [x.rx, x.tx, x.txDropped]), [[32, 32, 0], [32, 32, 0]], r.stdout);
  assert.match(r.stdout, /In use: 0 {2}Free: 16384/, r.stdout.match(/.*In use.*\n.*/)?.[0]);
}, { timeoutMs: 30_000 });

test('with a flush time the FIFO drains and the packets loop, none dropped', async () => {
  const r = await run([...RINGS, '--noisy-tx-sw-buffer-size=64', '--noisy-tx-sw-buffer-flushtime=2',
    '--noisy-lkup-memory=1', '--noisy-lkup-num-reads=4', '--noisy-lkup-num-writes=4', '--noisy-lkup-num-reads-writes=2']);
  assert.is(r.code, 0, r.stderr);
  const f = fwdStats(r.stdout);
  assert.is(f.length, 2);
  assert.ok(f.every((x) => x.rx > 32 * 10 && x.txDropped === 0), r.stdout);
  assert.match(r.stdout, /In use: 0 {2}Free: 16384/, r.stdout.match(/.*In use.*\n.*/)?.[0]);
}, { timeoutMs: 30_000 });

test('a FIFO smaller than the burst sends the overflow at once: forwarding goes on without a flush time', async () => {
  const r = await run([...RINGS, '--noisy-tx-sw-buffer-size=8']);
  const f = fwdStats(r.stdout);
  assert.is(f.length, 2);
  assert.ok(f.every((x) => x.rx > 32 * 10 && x.txDropped === 0), r.stdout);
  assert.match(r.stdout, /In use: 0 {2}Free: 16384/, r.stdout.match(/.*In use.*\n.*/)?.[0]);
}, { timeoutMs: 30_000 });

test('lookups without lookup memory are refused at start-up with what to give', async () => {
  const r = await ringside([...RINGS, '--noisy-lkup-num-reads=4'], 'quit\n');
  assert.match(r.stdout + r.stderr, /--noisy-lkup-memory must be > 0/);
  assert.is.not(r.code, 0);
}, { timeoutMs: 30_000 });

test.run();
