#!/usr/bin/env node
// What `set verbose 4 filter udp port 4789` costs forwarding (both directions:
// every packet filtered on the poll thread, the matches kept and drained),
// against no verbose, in interleaved runs; medians with min and max.
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
import { fmt, summarize } from './lib.mjs';
import { kportsBench } from './kports.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GEN = JSON.stringify({ dstPort: 3790, flows: { srcIp: 1, dstIp: 1, srcPort: 1, dstPort: 1000 } });

function run(mode, verbose) {
  const env = { ...process.env, BENCH_GEN: GEN, ...(verbose ? { BENCH_VERBOSE: verbose } : {}) };
  const txFirst = mode === 'io' ? '1' : '0';
  const r = spawnSync(process.execPath, [path.join(root, 'bench/ringside-fwd.mjs'), mode, txFirst, 'net_ring0', 'net_ring1'], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`ringside run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function compare(label, mode) {
  console.log(`\n== set verbose: ${label}, net_ring0 + net_ring1, 1 poll thread; Mpps per port (rx of port 0)`);
  const off = [];
  const on = [];
  let records = 0;
  for (let i = 0; i < RUNS; i++) {
    off.push(run(mode, '').perPort[0].rxMpps);
    const r = run(mode, '4 udp port 4789');
    on.push(r.perPort[0].rxMpps);
    records += r.verboseRecords;
  }
  const a = summarize(off);
  const b = summarize(on);
  console.log(`  verbose 0:                            ${fmt(a)}`);
  console.log(`  verbose 4 filter udp port 4789:       ${fmt(b)}  (${records} lines drained over ${RUNS} runs)`);
  console.log(`  with/without (medians): ${((b.median / a.median - 1) * 100).toFixed(1)}% (goal: within 5%)`);
}

export async function verboseBench() {
  await kportsBench('verbose');
  compare('flowgen, 1 packet in 1000 is UDP 4789', 'flowgen');
  compare('io after tx_first, no packet matches', 'io');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await verboseBench();
