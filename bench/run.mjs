#!/usr/bin/env node
// npm run bench: ring micro-benchmarks, then forwarding rates of ringside and
// dpdk-testpmd measured side by side in the same run, each repeated; prints
// medians with min and max and the ratio ringside/testpmd; then kernel ports
// on veth against trafgen and testpmd (bench/kports.mjs); memif io loops
// ringside<->testpmd, testpmd<->testpmd, ringside<->ringside (bench/memif.mjs).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, fmt } from './lib.mjs';
import { ensureTestpmd, testpmdRun } from './testpmd.mjs';
import { kportsBench } from './kports.mjs';
import { verboseBench } from './verbose.mjs';
import { memifBench } from './memif.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function ringBench() {
  console.log('== ring: bulk enqueue+dequeue of 32 pointers');
  const b = spawnSync('make', ['-s', '-C', 'native', 'bench-ring'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) throw new Error('building the ring benchmark failed');
  const r = spawnSync(path.join(root, 'native/test/build/ring-bench'), { encoding: 'utf8' });
  process.stdout.write(r.stdout.split('\n').filter((l) => !l.startsWith('JSON ')).join('\n'));
}

function ringsideRun(mode, txFirst, vdevs) {
  const r = spawnSync(process.execPath, [path.join(root, 'bench/ringside-fwd.mjs'), mode, String(txFirst), ...vdevs], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ringside run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const perPortRx = (run) => run.perPort[0].rxMpps;  // both ports carry the same rate

async function compare(label, vdevs, { mode = 'io', txFirst = 1, peer = true } = {}) {
  console.log(`\n== ${label}: ${mode} forwarding, 1 poll thread, ${vdevs.join(' + ')}, Mpps per port (rx of port 0)`);
  const ours = [];
  const theirs = [];
  const testpmd = peer ? ensureTestpmd() : null;
  for (let i = 0; i < RUNS; i++) {
    // Interleave the two tools so drift in machine load hits both alike.
    ours.push(perPortRx(ringsideRun(mode, txFirst, vdevs)));
    if (testpmd) theirs.push(perPortRx(await testpmdRun(testpmd, vdevs, { fwd: mode, txFirst: txFirst > 0 })));
  }
  const o = summarize(ours);
  console.log(`  ringside: ${fmt(o)}`);
  if (theirs.length) {
    const t = summarize(theirs);
    console.log(`  testpmd:  ${fmt(t)}`);
    console.log(`  ratio ringside/testpmd (medians): ${(o.median / t.median).toFixed(2)}x`);
  } else if (peer) {
    console.log('  testpmd: not available (apt-get install dpdk failed); no ratio');
  }
}

ringBench();
await compare('net_ring', ['net_ring0', 'net_ring1']);
await compare('net_null', ['net_null0', 'net_null1'], { txFirst: 0 });
await compare('net_null txonly', ['net_null0', 'net_null1'], { mode: 'txonly', txFirst: 0 });
await compare('net_null macswap', ['net_null0', 'net_null1'], { mode: 'macswap', txFirst: 0 });
await kportsBench();
await memifBench();

// Replay and capture: from file into net_null against testpmd's net_pcap,
// then on a veth pair against tcpreplay and tcpdump (each in its own process).
for (const b of ['capture-replay.mjs', 'replay-veth.mjs']) {
  const r = spawnSync(process.execPath, [path.join(root, 'bench', b)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`bench/${b} failed`);
}

await verboseBench();
