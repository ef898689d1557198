// One forwarding measurement in a fresh process (so every run starts from the
// same state): attach the vdevs, start, wait for warm-up, then take the rate
// from two snapshots by wall clock. Prints one JSON line, after the lines
// "started", "window start" and "window end", which let a parent act on the
// ports (send them packets) or measure something
// else (a kernel interface's counters) over the same window.
//   node bench/ringside-fwd.mjs MODE TX_FIRST VDEV [VDEV...]
// Optional: BENCH_WAIT_LINK=1 waits (up to 15 s) for every port's link
// before starting (a memif client connects after attach), BENCH_GEN (JSON for
// setGenSettings, e.g. flowgen ranges), BENCH_TXPKTS (`set txpkts`, e.g. "60"),
// BENCH_ETH_PEER (`set eth-peer` of every port, e.g. "02:00:00:00:00:02") and
// BENCH_VERBOSE ("LEVEL FILTER": `set verbose`, drained every 100 ms as the
// shell does). With BENCH_ALTERNATE=N as well, verbose is switched off and on
// in 2N windows of BENCH_WINDOW_MS in this one process (off/on, then on/off,
// ...), so each pair of windows compares the two under the same conditions;
// the JSON then carries `alternate`, each pair's Mpps received by port 0.
// BENCH_CORE_CYCLES=1 records forwarding cycles (testpmd's `set
// record-core-cycles on`): the JSON carries `cycles`, { perPacket (clock
// ticks of the bursts that moved packets, per packet received), mhz }, over
// the window; and SIGTERM then ends the run at once, printing the JSON with
// `cycles` since start (perPort null), so a side stopped from outside (a
// memif server) reports it too.
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
if (process.env.BENCH_TXPKTS) engine.setTxpkts(process.env.BENCH_TXPKTS.split(',').map(Number));
if (process.env.BENCH_ETH_PEER) vdevs.forEach((_, port) => engine.setEthPeer(port, process.env.BENCH_ETH_PEER));
let drained = 0;
let drainTimer;
const verbose = process.env.BENCH_VERBOSE ? process.env.BENCH_VERBOSE.split(' ') : undefined;
const setVerbose = (on) => engine.verboseSet(on ? Number(verbose[0]) : 0, engine.portIds(), true, on ? verbose.slice(1).join(' ') : '');
const PAIRS = Number(process.env.BENCH_ALTERNATE ?? 0);
if (verbose) {
  if (!PAIRS) setVerbose(true);
  drainTimer = setInterval(() => { drained += engine.verboseDrain(1000).records.length; }, 100);
}
if (process.env.BENCH_WAIT_LINK) {
  for (const end = Date.now() + 15_000; engine.portIds().some((id) => !engine.portInfo(id).link.up) && Date.now() < end;) await sleep(20);
}
const CORE_CYCLES = process.env.BENCH_CORE_CYCLES === '1';
if (CORE_CYCLES) engine.setRecordCoreCycles(true);
engine.start(Number(txFirst));
console.log('started');

// Ticks of the bursts that moved packets per packet received, between two snapshots' streams.
function cyclesBetween(a, b) {
  const sum = (streams, key) => streams.reduce((n, s) => n + s[key], 0);
  const packets = sum(b, 'rxPackets') - sum(a, 'rxPackets');
  return packets > 0 ? { perPacket: (sum(b, 'coreCycles') - sum(a, 'coreCycles')) / packets, mhz: engine.coreCyclesMhz() } : null;
}
if (CORE_CYCLES) {
  process.on('SIGTERM', () => {
    const cycles = cyclesBetween([], engine.streams());  // since start
    engine.stop();
    engine.shutdown();
    console.log(JSON.stringify({ perPort: null, alternate: [], verboseRecords: drained, cycles }));
    process.exit(0);
  });
}
await sleep(WARMUP_MS);

// Mpps per port over one window.
let windowCycles = null;
async function measureWindow() {
  const a = engine.snapshot();
  await sleep(WINDOW_MS);
  const b = engine.snapshot();
  const seconds = (b.timeNs - a.timeNs) / 1e9;
  if (CORE_CYCLES) windowCycles = cyclesBetween(a.streams, b.streams);
  return b.ports.map((p, i) => ({
    rxMpps: (p.rxPackets - a.ports[i].rxPackets) / seconds / 1e6,
    txMpps: (p.txPackets - a.ports[i].txPackets) / seconds / 1e6,
  }));
}

const alternate = [];
console.log('window start');
if (PAIRS && verbose) {
  for (let i = 0; i < PAIRS; i++) {
    const pair = {};
    for (const on of i % 2 ? [true, false] : [false, true]) {
      setVerbose(on);
      pair[on ? 'on' : 'off'] = (await measureWindow())[0].rxMpps;
    }
    alternate.push(pair);
  }
}
const perPort = alternate.length ? undefined : await measureWindow();
console.log('window end');
clearInterval(drainTimer);
engine.stop();
engine.shutdown();
console.log(JSON.stringify({ perPort, alternate, verboseRecords: drained, ...(CORE_CYCLES ? { cycles: windowCycles } : {}) }));
