// One forwarding measurement in a fresh process (so every run starts from the
// same state): attach the vdevs, start, wait for warm-up, then take the rate
// from two snapshots by wall clock. Prints one JSON line, after the lines
// "started", "window start" and "window end", which let a parent act on the
// ports (send them packets) or measure something
// else (a kernel interface's counters) over the same window.
//   node bench/ringside-fwd.mjs MODE TX_FIRST VDEV [VDEV...]
// Optional: BENCH_GEN (JSON for setGenSettings, e.g. flowgen ranges) and
// BENCH_VERBOSE ("LEVEL FILTER": `set verbose`, drained every 100 ms as the
// shell does).
import { addon } from '../dist/native/addon.js';
import '../dist/native/verbose.js';
import { sleep } from './lib.mjs';

const [mode, txFirst, ...vdevs] = process.argv.slice(2);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 2000);

const engine = new addon.Engine({ totalNumMbufs: 16384 });
for (const v of vdevs) engine.attach(v);
engine.setFwdMode(mode);
if (process.env.BENCH_GEN) engine.setGenSettings(JSON.parse(process.env.BENCH_GEN));
let drained = 0;
let drainTimer;
if (process.env.BENCH_VERBOSE) {
  const [level, ...filter] = process.env.BENCH_VERBOSE.split(' ');
  engine.verboseSet(Number(level), -1, filter.join(' '));
  drainTimer = setInterval(() => { drained += engine.verboseDrain(1000).records.length; }, 100);
}
engine.start(Number(txFirst));
console.log('started');
await sleep(WARMUP_MS);
const a = engine.snapshot();
console.log('window start');
await sleep(WINDOW_MS);
const b = engine.snapshot();
console.log('window end');
clearInterval(drainTimer);
engine.stop();
const seconds = (b.timeNs - a.timeNs) / 1e9;
const perPort = b.ports.map((p, i) => ({
  rxMpps: (p.rxPackets - a.ports[i].rxPackets) / seconds / 1e6,
  txMpps: (p.txPackets - a.ports[i].txPackets) / seconds / 1e6,
}));
engine.shutdown();
console.log(JSON.stringify({ seconds, perPort, verboseRecords: drained }));
