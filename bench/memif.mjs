// memif io forwarding rates (issue 21), each configuration repeated and
// interleaved: a loop of packets circling between two processes over one
// memif interface, both forwarding io, rate taken on one side's rx (every
// packet passes both sides, so the slower side sets it):
//   ringside <-> testpmd   (ringside memif server, dpdk-testpmd client)
//   testpmd  <-> testpmd   (the reference: DPDK on both sides)
//   ringside <-> ringside
// Prints medians with min and max, and the ratio to testpmd<->testpmd.
//   node bench/memif.mjs            (BENCH_RUNS=N, default 5)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, sleep, summarize } from './lib.mjs';
import { ensureTestpmd, testpmdRun } from './testpmd.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BURSTS = 16;  // tx_first bursts of 32: 512 packets in flight, enough to keep both sides busy
let seq = 0;

// A ringside io forwarder on memif in its own process (bench/ringside-fwd.mjs);
// resolves its JSON line when it ends.
// cpu: the CPU it runs on (taskset), so its poll thread does not share one
// with the peer's (testpmd forwards on CPU 1).
function ringsideFwd(devargs, { txFirst = 0, warmupMs = 1000, windowMs = 2000, cpu = 0 } = {}) {
  const child = spawn('taskset', ['-c', String(cpu), process.execPath, path.join(root, 'bench/ringside-fwd.mjs'), 'io', String(txFirst), devargs], {
    env: { ...process.env, BENCH_WAIT_LINK: '1', BENCH_WARMUP_MS: String(warmupMs), BENCH_WINDOW_MS: String(windowMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const done = new Promise((resolve, reject) => child.on('close', (code) => {
    if (code !== 0) reject(new Error(`ringside-fwd failed:\n${out}`));
    else resolve(JSON.parse(out.trim().split('\n').pop()));
  }));
  return { child, done, listening: async () => { while (!out.includes('started') && child.exitCode === null) await sleep(20); } };
}

// A testpmd io forwarder that stays up (memif server) until stopped; it
// forwards on CPU 0 (main lcore 1), the measuring testpmd on CPU 1.
function testpmdServer(bin, devargs) {
  const args = ['--no-huge', '-m', '256', '--no-pci', '-l', '0,1', '--main-lcore', '1', `--file-prefix=rsmemifb${process.pid}x${seq++}`,
    `--vdev=${devargs}`, '--', '-i', '--forward-mode=io', '--auto-start', '--total-num-mbufs=16384'];
  const child = spawn(bin, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  const closed = new Promise((r) => child.on('close', r));
  return { stop: async () => { child.stdin.end('stop\nquit\n'); setTimeout(() => child.kill('SIGKILL'), 5000).unref(); await closed; } };
}

const rxOf = (perPort) => perPort[0].rxMpps;

async function ringsideWithTestpmd(bin) {
  const sock = `rsmemif-bench-${process.pid}-${seq++}`;
  // ringside serves and forwards; testpmd connects, injects 512 packets and measures.
  const ours = ringsideFwd(`net_memif0,role=server,socket=${sock}`, { warmupMs: 30_000 });
  await ours.listening();
  const r = await testpmdRun(bin, [`net_memif0,role=client,socket=${sock}`], { fwd: 'io', txFirst: BURSTS });
  ours.child.kill('SIGTERM');
  await ours.done.catch(() => {});
  return rxOf(r.perPort);
}

async function testpmdWithTestpmd(bin) {
  const sock = `rsmemif-bench-${process.pid}-${seq++}`;
  const server = testpmdServer(bin, `net_memif0,role=server,socket=${sock}`);
  await sleep(3000);  // its EAL start-up, before the client connects at port start
  try {
    const r = await testpmdRun(bin, [`net_memif0,role=client,socket=${sock}`], { fwd: 'io', txFirst: BURSTS });
    return rxOf(r.perPort);
  } finally {
    await server.stop();
  }
}

async function ringsideWithRingside() {
  const sock = `rsmemif-bench-${process.pid}-${seq++}`;
  const server = ringsideFwd(`net_memif0,role=server,socket=${sock}`, { warmupMs: 30_000 });
  await server.listening();
  const client = ringsideFwd(`net_memif0,role=client,socket=${sock}`, { txFirst: BURSTS, cpu: 1 });
  const r = await client.done;
  server.child.kill('SIGTERM');
  await server.done.catch(() => {});
  return rxOf(r.perPort);
}

export async function memifBench() {
  console.log(`\n== memif: io forwarding loop over one memif interface (${BURSTS * 32} packets in flight, 64 bytes), Mpps on one side's rx`);
  const bin = ensureTestpmd();
  const rows = { 'ringside <-> testpmd': [], 'testpmd  <-> testpmd': [], 'ringside <-> ringside': [] };
  for (let i = 0; i < RUNS; i++) {
    // Interleaved so drift in machine load hits every configuration alike.
    if (bin) rows['ringside <-> testpmd'].push(await ringsideWithTestpmd(bin));
    if (bin) rows['testpmd  <-> testpmd'].push(await testpmdWithTestpmd(bin));
    rows['ringside <-> ringside'].push(await ringsideWithRingside());
  }
  const s = {};
  for (const [label, v] of Object.entries(rows)) {
    if (!v.length) continue;
    s[label] = summarize(v);
    console.log(`  ${label}: ${fmt(s[label], 3)}`);
  }
  const ref = s['testpmd  <-> testpmd'];
  if (ref) {
    for (const label of ['ringside <-> testpmd', 'ringside <-> ringside'])
      console.log(`  ratio ${label} / testpmd <-> testpmd (medians): ${(s[label].median / ref.median).toFixed(2)}x`);
  } else {
    console.log('  testpmd: not available (apt-get install dpdk-dev failed); no ratio');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await memifBench();
