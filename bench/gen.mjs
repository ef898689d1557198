#!/usr/bin/env node
// Generation benchmarks (run by hand: node bench/gen.mjs [pps|rate|all]).
//   pps:  txonly packets/s on net_null with several templates and IMIX, one
//         poll thread, unpaced; each run in a fresh process, repeated,
//         median (min, max). trafgen (netsniff-ng) is the peer where it can
//         run on net_null's equivalent; it cannot, so no ratio is claimed.
//   rate: `set txrate` accuracy over 10 s windows at several targets, in pps
//         and Mbit/s, with the worst 100 ms window (evenness).
// Env: BENCH_RUNS (default 5), BENCH_WINDOW_MS (pps window, default 2000),
//      BENCH_RATE_MS (rate window, default 10000).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { summarize, fmt, sleep } from './lib.mjs';

const self = fileURLToPath(import.meta.url);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 2000);
const RATE_MS = Number(process.env.BENCH_RATE_MS ?? 10000);

const TEMPLATES = {
  'udp4-64': { txpkts: [64], gen: {} },
  'udp4-64-nostamp': { txpkts: [64], gen: { stamp: false } },
  'tcp6-qinq-128': { txpkts: [128], gen: { l2: 'qinq', vlan: [1, 2], l3: 'ipv6', l4: 'tcp' } },
  'udp4-1518': { txpkts: [1518], gen: {} },
  'imix': { txpkts: [64], gen: { imix: [{ len: 64, weight: 7 }, { len: 570, weight: 4 }, { len: 1518, weight: 1 }] } },
  'flowgen-imix-1024-flows': { mode: 'flowgen', txpkts: [64], gen: { imix: [{ len: 64, weight: 7 }, { len: 570, weight: 4 }, { len: 1518, weight: 1 }], flows: { srcIp: 256, dstPort: 4 } } },
};

async function child(kind, arg) {
  const { addon } = await import('../dist/native/addon.js');
  await import('../dist/native/gen.js');
  const e = new addon.Engine({ totalNumMbufs: 16384 });
  e.attach('net_null0');
  if (kind === 'pps') {
    const t = TEMPLATES[arg];
    e.setTxpkts(t.txpkts);
    e.setGenSettings(t.gen);
    e.setFwdMode(t.mode ?? 'txonly');
    e.start(0);
    await sleep(500);
    const a = e.snapshot();
    await sleep(WINDOW_MS);
    const b = e.snapshot();
    e.stop();
    const secs = (b.timeNs - a.timeNs) / 1e9;
    const pkts = b.ports[0].txPackets - a.ports[0].txPackets;
    const bytes = b.ports[0].txBytes - a.ports[0].txBytes;
    console.log(JSON.stringify({ mpps: pkts / secs / 1e6, gbps: (bytes * 8) / secs / 1e9 }));
  } else {
    const [value, unit, imix] = arg.split(':');
    e.setFwdMode('txonly');
    if (imix) e.setGenSettings({ imix: TEMPLATES.imix.gen.imix });
    e.setTxRate(0, Number(value), unit);
    e.start(0);
    await sleep(500);
    const field = unit === 'pps' ? 'txPackets' : 'txBytes';
    const scale = unit === 'pps' ? 1 : 8 / 1e6;
    const first = e.snapshot();
    let prev = first;
    let worst = 0;
    const end = Date.now() + RATE_MS;
    while (Date.now() < end) {
      await sleep(100);
      const s = e.snapshot();
      const r = ((s.ports[0][field] - prev.ports[0][field]) * scale) / ((s.timeNs - prev.timeNs) / 1e9);
      worst = Math.max(worst, Math.abs(r / Number(value) - 1));
      prev = s;
    }
    e.stop();
    const rate = ((prev.ports[0][field] - first.ports[0][field]) * scale) / ((prev.timeNs - first.timeNs) / 1e9);
    console.log(JSON.stringify({ rate, errorPct: (100 * (rate - Number(value))) / Number(value), worst100msPct: 100 * worst }));
  }
  e.shutdown();
}

function run(kind, arg) {
  const r = spawnSync(process.execPath, [self, '--child', kind, arg], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
} else {
  const what = process.argv[2] ?? 'all';
  if (what === 'pps' || what === 'all') {
    console.log(`== txonly/flowgen on net_null, 1 poll thread, unpaced: Mpps (Gbit/s of frames), ${RUNS} runs`);
    for (const name of Object.keys(TEMPLATES)) {
      const runs = Array.from({ length: RUNS }, () => run('pps', name));
      const m = summarize(runs.map((x) => x.mpps));
      const g = summarize(runs.map((x) => x.gbps));
      console.log(`  ${name.padEnd(26)} ${fmt(m, 3)} Mpps; median ${g.median.toFixed(2)} Gbit/s`);
    }
  }
  if (what === 'rate' || what === 'all') {
    console.log(`\n== set txrate accuracy on net_null over ${RATE_MS / 1000} s (error of the mean; worst 100 ms window), ${Math.min(RUNS, 3)} runs`);
    for (const target of ['10000:pps', '1000000:pps', '100:mbps', '1000:mbps:imix']) {
      const runs = Array.from({ length: Math.min(RUNS, 3) }, () => run('rate', target));
      const err = summarize(runs.map((x) => x.errorPct));
      const worst = summarize(runs.map((x) => x.worst100msPct));
      console.log(`  ${target.padEnd(18)} error % ${fmt(err, 3)}; worst 100 ms window % median ${worst.median.toFixed(2)}`);
    }
  }
}
