#!/usr/bin/env node
// What `set verbose 4 filter udp port 4789` costs forwarding (both directions:
// every packet filtered on the poll thread, the matches kept and drained),
// against no verbose, in alternating windows of each run (BENCH_ALTERNATE
// pairs, BENCH_WINDOW_MS each); medians with min and max.
//  1. io forwarding between two kernel ports over veth (net_af_packet, then
//     net_af_xdp), 1000 packets circulating of which one is UDP 4789
//     (bench/kports.mjs, root): forwarding real interfaces, the goal's case;
//  2. flowgen over a net_ring pair (every packet one port sends, the other
//     receives), the destination port walking 1000 values: 1 packet in 1000
//     is UDP 4789;
//  3. io forwarding over a net_ring pair after tx_first: nothing matches, so
//     this is the bare cost of filtering each packet.
// 2 and 3 move packets by pointer and never read them otherwise, at 1-80 ns
// a packet: there a filter that reads each packet's headers costs a large
// share whatever it does; they are shown as the worst case.
// Run alone (node bench/verbose.mjs) or from run.mjs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALTERNATE_ENV, reportAlternate } from './lib.mjs';
import { kportsBench } from './kports.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GEN = JSON.stringify({ dstPort: 3790, flows: { srcIp: 1, dstIp: 1, srcPort: 1, dstPort: 1000 } });

// One process switching verbose off and on in alternating windows.
function run(mode) {
  const env = { ...process.env, BENCH_GEN: GEN, ...ALTERNATE_ENV };
  const txFirst = mode === 'io' ? '1' : '0';
  const r = spawnSync(process.execPath, [path.join(root, 'bench/ringside-fwd.mjs'), mode, txFirst, 'net_ring0', 'net_ring1'], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`ringside run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function compare(label, mode) {
  console.log(`\n== set verbose: ${label}, net_ring0 + net_ring1, 1 poll thread; Mpps received by port 0 (${RUNS} runs of ${ALTERNATE_ENV.BENCH_ALTERNATE} pairs of ${ALTERNATE_ENV.BENCH_WINDOW_MS} ms windows)`);
  const pairs = [];
  let records = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = run(mode);
    pairs.push(...r.alternate);
    records += r.verboseRecords;
  }
  console.log(`  (${records} verbose lines drained)`);
  reportAlternate(pairs);
}

export async function verboseBench() {
  await kportsBench('verbose');
  compare('flowgen, 1 packet in 1000 is UDP 4789', 'flowgen');
  compare('io after tx_first, no packet matches', 'io');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await verboseBench();
