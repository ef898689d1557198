// memif io forwarding rates (issue 21): a loop of packets circling between
// two processes over one memif interface, both forwarding io. Every packet
// passes both sides, so the slower side sets the rate; it is taken on the
// client's rx. Four pairings, server first:
//   testpmd  / testpmd    (the reference: DPDK on both sides)
//   ringside / testpmd    ringside's server side against DPDK's client
//   testpmd  / ringside   ringside's client side against DPDK's server
//   ringside / ringside
// Fair by construction:
//   - CPUs: each process is confined to one CPU (taskset), the server to
//     SERVER_CPU, the client to CLIENT_CPU; its main lcore (testpmd's main
//     lcore, ringside's node thread and memif service thread) shares that
//     CPU with its one forwarding lcore (testpmd --lcores=0@C,1@C; ringside's
//     poll thread takes the one CPU its affinity allows). Neither main thread
//     polls, so each side forwards with one whole CPU, as on a 2-vCPU machine
//     nothing else can be fair.
//   - Packets: the client injects `start tx_first 16` (16 bursts of 32) and
//     both tools build the same 64-byte UDP frame: the injector's MAC is given
//     (mac=) and ringside's template is set to testpmd's addresses, ports and
//     zero payload. Before the runs, one tx_first frame of each tool is
//     captured by a ringside rxonly server and compared byte for byte; the
//     run fails if they differ anywhere but in the UDP checksum, which
//     ringside fills and testpmd's txonly leaves 0 (io forwarding never reads
//     it).
//   - Each side's cost: both tools record forwarding cycles (testpmd's
//     `set record-core-cycles on`: clock ticks of the bursts that moved
//     packets, per packet received), read while the pair runs (a testpmd
//     server's counts vanish when its client leaves); the side with more
//     cycles a packet is the slower one and sets the pair's rate.
//   - Order: the pairings are interleaved in each run, so drift in machine
//     load hits all alike; medians with min and max, ratios to the reference.
//   node bench/memif.mjs            (BENCH_RUNS=N, default 5)
//   BENCH_NICE=-N node bench/memif.mjs
//     On a shared machine the kernel schedules each session's processes as
//     one group (autogroup), and every group gets an equal share whatever
//     its processes' nice levels: with six other sessions building, each
//     side gets a fraction of its CPU. BENCH_NICE runs the bench in a
//     session of its own whose group has nice -N (root may lower it), so the
//     measured processes get their CPUs as on a quiet machine.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, procCpu, sleep, summarize } from './lib.mjs';
import { ensureTestpmd, fwdCycles, testpmdRun } from './testpmd.mjs';
import { readPcap } from '../test/lib/pcap.mjs';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const NICE = process.env.BENCH_NICE;
const BURSTS = 16;  // tx_first bursts of 32: 512 packets in flight, enough to keep both sides busy
const SERVER_CPU = 0;
const CLIENT_CPU = 1;
// The injecting client's MAC: testpmd's memif MAC is random unless given.
const CLIENT_MAC = '02:00:00:00:00:01';
// ringside's txonly template set to testpmd's frame (as bench/kports.mjs does).
const TESTPMD_FRAME = JSON.stringify({ ipv4Src: '198.18.0.1', ipv4Dst: '198.18.0.2', srcPort: 9, dstPort: 9, payload: 'zero', stamp: false });
const UDP_CSUM_AT = 14 + 20 + 6;  // untagged IPv4 without options
let seq = 0;

const pin = (cpu) => ['taskset', '-c', String(cpu)];
const testpmdLcores = (cpu) => [`--lcores=0@${cpu},1@${cpu}`];

// A ringside io forwarder on memif in its own process (bench/ringside-fwd.mjs)
// on `cpu`; done resolves its JSON line (its own Mpps, and cpus: the CPU
// seconds per second its process used over the window) when it ends.
function ringsideFwd(devargs, { mode = 'io', txFirst = 0, warmupMs = 1000, windowMs = 2000, cpu, onWindowStart }) {
  const cmd = [...pin(cpu), process.execPath, path.join(root, 'bench/ringside-fwd.mjs'), mode, String(txFirst), devargs];
  const child = spawn(cmd[0], cmd.slice(1), {
    env: { ...process.env, BENCH_GEN: TESTPMD_FRAME, BENCH_WAIT_LINK: '1', BENCH_WARMUP_MS: String(warmupMs), BENCH_WINDOW_MS: String(windowMs), BENCH_CORE_CYCLES: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let cpu0 = 0, t0 = 0n, cpus = NaN;
  // Its process's CPU time over the window, read when it prints the window's
  // edges (the wrappers exec into node, so child.pid is node).
  child.stdout.on('data', (d) => {
    out += d;
    if (!t0 && out.includes('window start')) { t0 = process.hrtime.bigint(); cpu0 = procCpu(child.pid)?.seconds ?? NaN; onWindowStart?.(); }
    if (Number.isNaN(cpus) && t0 && out.includes('window end')) cpus = ((procCpu(child.pid)?.seconds ?? NaN) - cpu0) / (Number(process.hrtime.bigint() - t0) / 1e9);
  });
  child.stderr.on('data', (d) => { out += d; });
  const done = new Promise((resolve, reject) => child.on('close', (code) => {
    if (code !== 0) reject(new Error(`ringside-fwd failed:\n${out}`));
    else resolve({ ...JSON.parse(out.trim().split('\n').pop()), cpus });
  }));
  const listening = async () => {
    while (!out.includes('started')) {
      if (child.exitCode !== null) throw new Error(`ringside-fwd exited:\n${out}`);
      await sleep(20);
    }
  };
  // SIGTERM: it stops at once and prints its cycles since start (ringside-fwd.mjs).
  const stop = async () => { child.kill('SIGTERM'); return (await done.catch(() => ({}))).cycles ?? null; };
  return { child, done, listening, stop };
}

// A testpmd io forwarder serving memif on SERVER_CPU until stopped.
async function testpmdServer(bin, devargs) {
  const args = [...pin(SERVER_CPU), 'stdbuf', '-oL', bin, '--no-huge', '-m', '256', '--no-pci', ...testpmdLcores(SERVER_CPU),
    `--file-prefix=rsmemifb${process.pid}x${seq++}`, `--vdev=${devargs}`, '--', '-i', '--forward-mode=io', '--auto-start',
    '--total-num-mbufs=16384', '--record-core-cycles'];
  const child = spawn(args[0], args.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const closed = new Promise((r) => child.on('close', r));
  await sleep(3000);  // its EAL start-up, before the client connects at port start
  let cycles = Promise.resolve(null);
  return {
    // While its client forwards: its cycles since start (they vanish with the client).
    sample: () => { cycles = fwdCycles(child, () => out); },
    stop: async () => { const c = await cycles; child.stdin.end('stop\nquit\n'); setTimeout(() => child.kill('SIGKILL'), 5000).unref(); await closed; return c; },
  };
}

async function ringsideServer(devargs) {
  const s = ringsideFwd(devargs, { warmupMs: 60_000, cpu: SERVER_CPU });
  await s.listening();
  return { ...s, sample: () => {} };  // its counts outlive the client: read at stop
}

// The client side: injects, forwards, measures its own rx. { mpps, cpus,
// cycles }. onWindowStart: its measuring window has opened.
async function testpmdClient(bin, devargs, onWindowStart) {
  const r = await testpmdRun(bin, [devargs], { fwd: 'io', txFirst: BURSTS, wrap: pin(CLIENT_CPU), lcores: testpmdLcores(CLIENT_CPU), recordCycles: true, onWindowStart });
  return { mpps: r.perPort[0].rxMpps, cpus: r.cpus, cycles: r.cycles };
}

async function ringsideClient(devargs, onWindowStart) {
  const r = await ringsideFwd(devargs, { txFirst: BURSTS, cpu: CLIENT_CPU, onWindowStart }).done;
  return { mpps: r.perPort[0].rxMpps, cpus: r.cpus, cycles: r.cycles };
}

const PAIRINGS = {
  'server testpmd,  client testpmd ': { server: 'testpmd', client: 'testpmd' },
  'server ringside, client testpmd ': { server: 'ringside', client: 'testpmd' },
  'server testpmd,  client ringside': { server: 'testpmd', client: 'ringside' },
  'server ringside, client ringside': { server: 'ringside', client: 'ringside' },
};
const REFERENCE = 'server testpmd,  client testpmd ';

async function runPairing(bin, { server, client }) {
  const sock = `rsmemif-bench-${process.pid}-${seq++}`;
  const serverArgs = `net_memif0,role=server,socket=${sock}`;
  const clientArgs = `net_memif0,role=client,socket=${sock},mac=${CLIENT_MAC}`;
  const s = server === 'ringside' ? await ringsideServer(serverArgs) : await testpmdServer(bin, serverArgs);
  let stopped = false;
  try {
    const c = await (client === 'ringside' ? ringsideClient : testpmdClient.bind(null, bin))(clientArgs, () => s.sample());
    stopped = true;
    return { ...c, serverCycles: await s.stop() };
  } finally {
    if (!stopped) await s.stop();
  }
}

// The first frame `inject` sends into a ringside rxonly memif server that
// captures it (this file run as `probe SOCKET FILE`), as a Buffer.
async function firstFrame(dir, inject) {
  const sock = `rsmemif-probe-${process.pid}-${seq++}`;
  const file = path.join(dir, `probe${seq}.pcap`);
  const probe = spawn(process.execPath, [self, 'probe', sock, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  probe.stdout.on('data', (d) => { out += d; });
  probe.stderr.on('data', (d) => { out += d; });
  const closed = new Promise((r) => probe.on('close', r));
  while (!out.includes('listening') && probe.exitCode === null) await sleep(20);
  await Promise.all([inject(`net_memif0,role=client,socket=${sock},mac=${CLIENT_MAC}`), closed]);
  if (!out.includes('captured')) throw new Error(`the probe captured nothing:\n${out}`);
  return readPcap(file).packets[0].data;
}

// The probe's side of firstFrame: serve memif, receive, capture one frame.
async function probe(sock, file) {
  const { addon } = await import('../dist/native/addon.js');
  await import('../dist/native/capture.js');
  const engine = new addon.Engine({ totalNumMbufs: 4096 });
  engine.attach(`net_memif0,role=server,socket=${sock}`);
  engine.setFwdMode('rxonly');
  engine.captureStart(0, { direction: 'rx', file, count: 1 });
  engine.start(0);
  console.log('listening');
  for (const end = Date.now() + 20_000; Date.now() < end && engine.captures()[0].state === 'running';) await sleep(20);
  const state = engine.captures()[0].state;
  engine.stop();
  engine.shutdown();
  console.log(state === 'done' ? 'captured' : `capture ${state}`);
}

// `frame` with its UDP checksum zeroed.
function withoutUdpChecksum(frame) {
  const f = Buffer.from(frame);
  f.writeUInt16BE(0, UDP_CSUM_AT);
  return f;
}

// Fails unless both tools' tx_first frames are the same bytes but for the
// UDP checksum; prints them.
async function checkSameFrames(bin) {
  const dir = mkdtempSync(path.join(tmpdir(), 'rsmemifb-'));
  try {
    const ours = await firstFrame(dir, (args) => ringsideFwd(args, { txFirst: 1, warmupMs: 200, windowMs: 200, cpu: CLIENT_CPU }).done);
    if (!bin) return console.log(`  ringside's tx_first frame (${ours.length} bytes): ${ours.toString('hex')}`);
    const theirs = await firstFrame(dir, (args) => testpmdRun(bin, [args], { fwd: 'io', txFirst: 1, warmupMs: 200, windowMs: 200 }));
    if (!withoutUdpChecksum(ours).equals(withoutUdpChecksum(theirs)))
      throw new Error(`ringside's and testpmd's tx_first frames differ:\n  ringside ${ours.toString('hex')}\n  testpmd  ${theirs.toString('hex')}`);
    console.log(`  the same tx_first frame from both tools, captured (${ours.length} bytes; UDP checksum ringside ${ours.readUInt16BE(UDP_CSUM_AT).toString(16)}, testpmd ${theirs.readUInt16BE(UDP_CSUM_AT).toString(16)}):`);
    console.log(`    ${theirs.toString('hex')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function memifBench() {
  console.log(`\n== memif: io forwarding loop over one memif interface (${BURSTS * 32} packets in flight), Mpps received by the client (${RUNS} runs)`);
  console.log(`  load average at the start: ${loadavg().map((x) => x.toFixed(2)).join(', ')}; scheduling group: ${readFileSync('/proc/self/autogroup', 'utf8').trim()}`);
  console.log(`  each process on one CPU, its main lcore beside its forwarding lcore: server on CPU ${SERVER_CPU}, client on CPU ${CLIENT_CPU}`);
  const bin = ensureTestpmd();
  if (!bin) console.log('  testpmd: not available (apt-get install dpdk-dev failed); ringside / ringside only, no ratio');
  await checkSameFrames(bin);
  const labels = Object.keys(PAIRINGS).filter((k) => bin || !k.includes('testpmd'));
  const rows = Object.fromEntries(labels.map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const k of labels) rows[k].push(await runPairing(bin, PAIRINGS[k]));
  }
  const s = {};
  for (const k of labels) {
    s[k] = summarize(rows[k].map((r) => r.mpps));
    const cpus = summarize(rows[k].map((r) => r.cpus));
    console.log(`  ${k}  ${fmt(s[k], 3)} Mpps; client's CPU seconds per second ${cpus.median.toFixed(2)}`);
    const side = (get) => {
      const v = rows[k].map(get).filter((c) => c);
      return v.length ? `${summarize(v.map((c) => c.perPacket)).median.toFixed(1)} cycles a packet at ${v[0].mhz} MHz` : 'not read';
    };
    console.log(`      each side's cost (record-core-cycles, medians): server ${side((r) => r.serverCycles)}, client ${side((r) => r.cycles)}`);
  }
  if (!bin) return;
  for (const k of labels) {
    if (k !== REFERENCE) console.log(`  ratio (${k}) / (${REFERENCE}), medians: ${(s[k].median / s[REFERENCE].median).toFixed(2)}x`);
  }
  // Each mixed pairing: ringside's side against testpmd's, by cycles a packet (medians).
  const median = (k, key) => {
    const v = rows[k].map((r) => r[key]).filter((c) => c);
    return v.length ? summarize(v.map((c) => c.perPacket)).median : NaN;
  };
  for (const k of labels) {
    const { server, client } = PAIRINGS[k];
    if (server === client) continue;
    const ours = median(k, server === 'ringside' ? 'serverCycles' : 'cycles');
    const theirs = median(k, server === 'ringside' ? 'cycles' : 'serverCycles');
    console.log(`  (${k}): ringside's side ${ours.toFixed(1)} cycles a packet, testpmd's ${theirs.toFixed(1)}: ringside's side ${(theirs / ours).toFixed(2)}x as fast`);
  }
  console.log('  (issue 21: ringside\'s side at least as fast as testpmd\'s, 1.00x or more in each mixed pairing)');
}

// Whether this process leads its session (field 6 of /proc/self/stat).
const sessionLeader = () => Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[3]) === process.pid;

if (process.argv[2] === 'probe') {
  await probe(process.argv[3], process.argv[4]);
} else if (process.argv[1] === self) {
  if (NICE && !sessionLeader()) {
    // Again, in a new session: its scheduling group is the bench's alone.
    const r = spawnSync('setsid', ['-w', process.execPath, self], { stdio: 'inherit' });
    if (r.signal) console.log(`memif bench: ended by ${r.signal}`);
    process.exitCode = r.status ?? 1;
  } else {
    if (NICE) writeFileSync('/proc/self/autogroup', NICE);
    await memifBench();
  }
}
