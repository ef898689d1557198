#!/usr/bin/env node
// Kernel-facing ports against the kernel-side tools, on veth pairs in a
// network namespace made for the run (needs root; deleted afterwards):
//   tx: txonly out of va from net_af_packet, net_af_xdp and netsniff-ng's
//       trafgen (TPACKET tx ring, --cpus 1 --no-sock-mem --notouch-irq),
//       each pinned to CPU 0, all sending the same 64-byte unicast UDP frame
//       to a MAC the peer vb does not own: one frame of each is captured at
//       vb and compared, and the run fails if they differ. The rate is what
//       vb received (its kernel rx counter), so every sender is measured
//       alike; with it the CPU each sender used (its process group's
//       user + system time) and Mpps per CPU second.
//   io: io forwarding between two veth pairs p0<->a0 and p1<->b0 whose far
//       ends are joined by tc mirred redirects (a0 rx -> b0 tx, b0 rx -> a0
//       tx), so the tx_first bursts circulate through the forwarder:
//       ringside and dpdk-testpmd, each on net_af_packet and on net_af_xdp,
//       on the same pairs. Mpps received by port 0.
// Each case runs BENCH_RUNS times (default 3), the tools interleaved so
// drift in machine load hits all alike; median (min, max) and ratios.
//   verbose: the io loop with and without `set verbose 4` and a 1-in-1000
//       filter (run from bench/verbose.mjs, not by `all`).
//   capture: trafgen's rate while nothing, tcpdump or ringside captures the
//       peer into a file (capturers pinned to the other CPU).
//   node bench/kports.mjs [tx|capture|io|all|verbose]     (also part of npm run bench)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, fmt, sleep, procCpu, ALTERNATE_ENV, reportAlternate } from './lib.mjs';
import { ensureTestpmd, testpmdRun } from './testpmd.mjs';
import { udp4 } from '../test/lib/packets.mjs';
import { ensureTool } from '../test/lib/tools.mjs';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WARMUP_MS = 1000;
const WINDOW_MS = 2000;
// trafgen pins its one sender to CPU 0 whatever its affinity says, so the
// tx case runs ringside there too (its poll thread takes a CPU from the
// process's affinity). The io case leaves both forwarders on lcore 1 = CPU 1.
const TX_CPU = '0';
// Bursts each forwarder sends first: the packets then circulating in the loop.
const IO_BURSTS = Number(process.env.BENCH_IO_BURSTS ?? 32);

const ip = (...args) => execFileSync('ip', args, { encoding: 'utf8' });

// A namespace of its own for the whole run, removed in the caller's finally.
class BenchNetns {
  constructor() {
    this.name = `rsbench-${process.pid}`;
    this.txPair = false;  // va <-> vb made (txPair())
    ip('netns', 'add', this.name);
    // No IPv6 on its links: no router solicitations or MLD reports among the measured frames.
    spawnSync('ip', ['netns', 'exec', this.name, 'sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
  }
  ip(...args) { return ip('-n', this.name, ...args); }
  veth(a, b) {
    this.ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
    this.ip('link', 'set', a, 'up');
    this.ip('link', 'set', b, 'up');
  }
  rxPackets(dev) { return JSON.parse(this.ip('-s', '-j', 'link', 'show', dev))[0].stats64.rx.packets; }
  // In a process group of its own: trafgen's sender is a forked child that
  // only a signal to the whole group (as ^C would send) stops.
  spawn(cmd, args, { cpu, env, stdin = false } = {}) {
    const pin = cpu ? ['taskset', '-c', cpu] : [];
    const child = spawn('ip', ['netns', 'exec', this.name, ...pin, cmd, ...args], {
      detached: true, env: { ...process.env, ...env }, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const closed = new Promise((r) => child.on('close', (code) => r(code)));
    const stop = (signal) => { try { process.kill(-child.pid, signal); } catch { /* already gone */ } };
    return { child, closed, stop, output: () => out };
  }
  delete() { spawnSync('ip', ['netns', 'del', this.name]); }
}

// CPU seconds (user + system, which holds the softirq work the kernel does
// on a sender's behalf inside its sendto) used so far by every process of
// process group `pgid`: the whole sender, whatever threads or children it has.
function groupCpuSeconds(pgid) {
  let seconds = 0;
  for (const pid of readdirSync('/proc')) {
    const p = /^\d+$/.test(pid) && procCpu(pid);  // null: gone meanwhile
    if (p && p.pgrp === pgid) seconds += p.seconds;
  }
  return seconds;
}

// Between the two moments `window` resolves at (it resolves twice: start(),
// then end()): Mpps arriving at `dev`, and, when the sender's process group
// is given, the CPU it used (cpus: CPU seconds per second) and Mpps per CPU
// second, which a busy machine that takes the sender's CPU away disturbs less.
async function peerRate(ns, dev, window, pgid) {
  await window.start();
  const a = ns.rxPackets(dev);
  const c0 = pgid ? groupCpuSeconds(pgid) : 0;
  const t0 = process.hrtime.bigint();
  await window.end();
  const b = ns.rxPackets(dev);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpus = pgid ? (groupCpuSeconds(pgid) - c0) / seconds : NaN;
  const mpps = (b - a) / seconds / 1e6;
  return { mpps, cpus, perCpu: mpps / cpus };
}

const waitOutput = async (proc, text) => {
  while (!proc.output().includes(text)) {
    if (proc.child.exitCode !== null) throw new Error(`exited before printing '${text}':\n${proc.output()}`);
    await sleep(5);
  }
};

// ringside's bench/ringside-fwd.mjs in the namespace: it prints when its
// measuring window starts and ends. Returns { peer: Mpps at `dev`, own: its own figures }.
// `started`: called once the ports forward, before the warm-up ends.
async function ringsideRun(ns, mode, txFirst, vdevs, dev, { cpu, env, started } = {}) {
  const proc = ns.spawn(process.execPath, [path.join(root, 'bench/ringside-fwd.mjs'), mode, String(txFirst), ...vdevs], { cpu, env });
  try {
    if (started) {
      await waitOutput(proc, 'started');
      await started();
    }
    const peer = await peerRate(ns, dev, { start: () => waitOutput(proc, 'window start'), end: () => waitOutput(proc, 'window end') }, proc.child.pid);
    if (await proc.closed !== 0) throw new Error(`ringside failed:\n${proc.output()}`);
    return { peer, own: JSON.parse(proc.output().trim().split('\n').pop()) };
  } finally {
    proc.stop('SIGKILL');
  }
}

// trafgen sending `conf`'s frame out of `dev` until stopped; `started` as in ringsideRun.
async function trafgenRun(ns, conf, dev, peerDev, { started } = {}) {
  const proc = ns.spawn('trafgen', ['--dev', dev, '--conf', conf, '--cpus', '1', '--no-sock-mem', '--notouch-irq'], { cpu: TX_CPU });
  try {
    return await peerRate(ns, peerDev, {
      start: async () => { await Promise.all([sleep(WARMUP_MS), started?.()]); },
      end: () => sleep(WINDOW_MS),
    }, proc.child.pid);
  } finally {
    proc.stop('SIGINT');
    await proc.closed;
  }
}

// Each sender's figures (numbers, or the objects peerRate returns: then the
// CPU each used and Mpps per CPU second too), and each one's ratio to `baseline`'s.
function report(results, baseline) {
  const measures = Object.values(results)[0][0]?.mpps === undefined
    ? [['Mpps', (x) => x]]
    : [['Mpps', (x) => x.mpps], ['CPUs used', (x) => x.cpus], ['Mpps per CPU second', (x) => x.perCpu]];
  for (const [unit, pick] of measures) {
    const s = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, summarize(v.map(pick))]));
    if (measures.length > 1) console.log(`  ${unit}:`);
    for (const [k, v] of Object.entries(s)) console.log(`  ${k.padEnd(24)} ${fmt(v, 3)}${measures.length > 1 ? '' : ` ${unit}`}`);
    if (unit === 'CPUs used') continue;
    for (const k of Object.keys(s)) {
      if (k !== baseline) console.log(`  ratio ${k}/${baseline} (medians): ${(s[k].median / s[baseline].median).toFixed(2)}x`);
    }
  }
}

// The frame every tx sender sends: 64 bytes on the wire (60 + FCS), UDP/IPv4
// 198.18.0.1:9 -> 198.18.0.2:9, zero payload, unicast to TX_PEER_MAC, which
// the peer (TX_OWN_MAC) does not own: its stack drops the frame at once,
// alike for every sender. ringside's txonly is set to it (txpkts, eth-peer,
// addresses, no stamp); trafgen is given its bytes.
const TX_PEER_MAC = '02:00:00:00:00:02';
const TX_OWN_MAC = { va: '02:00:00:00:00:0a', vb: '02:00:00:00:00:0b' };
const TX_FRAME = udp4({ dst: TX_PEER_MAC, src: TX_OWN_MAC.va, sip: '198.18.0.1', dip: '198.18.0.2', sport: 9, dport: 9 });
const TX_ENV = {
  BENCH_TXPKTS: '60',
  BENCH_ETH_PEER: TX_PEER_MAC,
  BENCH_GEN: JSON.stringify({ ipv4Src: '198.18.0.1', ipv4Dst: '198.18.0.2', srcPort: 9, dstPort: 9, payload: 'zero', stamp: false }),
};

// The first UDP/IPv4 frame `dev` receives (python3's AF_PACKET socket: the
// namespace has no other capturer), as a Buffer.
async function captureOne(ns, dev) {
  const py = [
    'import socket,sys',
    's=socket.socket(socket.AF_PACKET,socket.SOCK_RAW,socket.htons(3))',
    's.bind((sys.argv[1],0))',
    'while True:',
    '  d,a=s.recvfrom(65535)',
    '  if a[0]==sys.argv[1] and a[2]!=socket.PACKET_OUTGOING and len(d)>=34 and d[12:14]==bytes([8,0]) and d[23]==17:',
    '    print(d.hex()); break',
  ].join('\n');
  const proc = ns.spawn('python3', ['-c', py, dev]);
  const timer = setTimeout(() => proc.stop('SIGKILL'), 5000);
  const code = await proc.closed;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`no UDP frame seen on ${dev} within 5 s:\n${proc.output()}`);
  return Buffer.from(proc.output().trim(), 'hex');
}

// Fails unless `frame` is TX_FRAME byte for byte.
function checkFrame(sender, frame) {
  if (!frame.equals(TX_FRAME))
    throw new Error(`${sender} sent other bytes than the frame all must send:\n  sent ${frame.toString('hex')}\n  want ${TX_FRAME.toString('hex')}`);
}

// va -> vb with the MACs the frame names, and trafgen's config sending the frame (once per run).
function txPair(ns, dir) {
  const conf = path.join(dir, 'udp64.trafgen');
  if (ns.txPair) return conf;
  ns.txPair = true;
  ns.veth('va', 'vb');
  for (const [dev, mac] of Object.entries(TX_OWN_MAC)) ns.ip('link', 'set', dev, 'address', mac);
  writeFileSync(conf, `{ ${[...TX_FRAME].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')} }\n`);
  return conf;
}

async function txBench(ns, dir) {
  const conf = txPair(ns, dir);
  console.log(`\n== txonly, 64-byte unicast UDP out of a veth (to ${TX_PEER_MAC}, not the peer's), each sender pinned to CPU ${TX_CPU}, Mpps received by the peer (${RUNS} runs)`);
  const results = { trafgen: [], 'ringside net_af_packet': [], 'ringside net_af_xdp': [] };
  const own = { 'ringside net_af_packet': [], 'ringside net_af_xdp': [] };
  const seen = {};
  for (let i = 0; i < RUNS; i++) {
    for (const drv of ['net_af_packet', 'net_af_xdp']) {
      const name = `ringside ${drv}`;
      const r = await ringsideRun(ns, 'txonly', 0, [`${drv}0,iface=va`], 'vb', {
        cpu: TX_CPU,
        env: TX_ENV,
        started: async () => { seen[name] = await captureOne(ns, 'vb'); },
      });
      checkFrame(name, seen[name]);
      results[name].push(r.peer);
      own[name].push(r.own.perPort[0].txMpps);
    }
    results.trafgen.push(await trafgenRun(ns, conf, 'va', 'vb', { started: async () => { seen.trafgen = await captureOne(ns, 'vb'); } }));
    checkFrame('trafgen', seen.trafgen);
  }
  console.log(`  the same bytes captured at the peer from every sender in every run (${TX_FRAME.length} + FCS): ${TX_FRAME.toString('hex')}`);
  report(results, 'trafgen');
  for (const [k, v] of Object.entries(own)) console.log(`  (${k} counted ${fmt(summarize(v), 3)} Mpps sent itself)`);
}

// The CPU the capturers run on: the one the sender does not.
const CAPTURE_CPU = '1';

// A capturer on `dev` in the namespace, pinned to CAPTURE_CPU, writing `file`;
// resolves once it captures; stop() ends it and resolves what it wrote.
async function startCapturer(ns, kind, dev, file) {
  const agent = path.join(root, 'bench/veth-agent.mjs');
  const proc = kind === 'tcpdump'
    ? ns.spawn('tcpdump', ['-i', dev, '-w', file, '-B', '4096', 'udp'], { cpu: CAPTURE_CPU })
    : ns.spawn(process.execPath, [agent, 'capture', `net_af_packet0,iface=${dev}`, file], { cpu: CAPTURE_CPU, stdin: true });
  await waitOutput(proc, kind === 'tcpdump' ? 'listening on' : 'ready');
  return {
    async stop() {
      if (kind === 'tcpdump') proc.stop('SIGINT');
      else proc.child.stdin.end();
      if (await proc.closed !== 0) throw new Error(`${kind} failed:\n${proc.output()}`);
      return kind === 'tcpdump' ? Number(/(\d+) packets? captured/.exec(proc.output())?.[1]) : JSON.parse(proc.output().trim().split('\n').pop()).captured;
    },
  };
}

// trafgen, then ringside's txonly on net_af_xdp, sending TX_FRAME out of va
// on TX_CPU while nothing, tcpdump or ringside (net_af_packet rxonly +
// capture, bench/veth-agent.mjs) captures the peer vb on CAPTURE_CPU into a
// file: the sender's rate at the peer and per CPU second, side by side in
// each run.
async function captureBench(ns, dir) {
  const conf = txPair(ns, dir);
  const tcpdump = ensureTool('tcpdump', 'tcpdump');
  if (!tcpdump) console.log('  (tcpdump missing and apt-get install tcpdump failed: ringside alone)');
  const kinds = tcpdump ? ['no capture', 'tcpdump', 'ringside'] : ['no capture', 'ringside'];
  const senders = {
    trafgen: () => trafgenRun(ns, conf, 'va', 'vb'),
    'ringside net_af_xdp': async () => (await ringsideRun(ns, 'txonly', 0, ['net_af_xdp0,iface=va'], 'vb', { cpu: TX_CPU, env: TX_ENV })).peer,
  };
  for (const [sender, send] of Object.entries(senders)) {
    console.log(`\n== capture on the peer: ${sender} sending the tx frame out of va (CPU ${TX_CPU}), vb captured into a file on CPU ${CAPTURE_CPU}, Mpps received by vb (${RUNS} runs)`);
    const results = Object.fromEntries(kinds.map((k) => [k, []]));
    const kept = Object.fromEntries(kinds.map((k) => [k, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const kind of kinds) {
        const file = path.join(dir, 'cap.pcap');
        const cap = kind === 'no capture' ? null : await startCapturer(ns, kind, 'vb', file);
        try {
          results[kind].push(await send());
        } finally {
          if (cap) kept[kind].push(await cap.stop());
        }
      }
    }
    report(results, 'no capture');
    for (const k of kinds.slice(1)) console.log(`  (${k}: packets in its file per run: ${kept[k].join(', ')})`);
  }
}

// The two veth pairs of the io cases, their far ends joined both ways.
function mirredLoop(ns) {
  ns.veth('p0', 'a0');
  ns.veth('p1', 'b0');
  for (const [from, to] of [['a0', 'b0'], ['b0', 'a0']]) {
    ns.ip('link', 'set', from, 'promisc', 'on');
    execFileSync('tc', ['-n', ns.name, 'qdisc', 'add', 'dev', from, 'ingress']);
    // u32 matching every frame: matchall is not built into every kernel.
    execFileSync('tc', ['-n', ns.name, 'filter', 'add', 'dev', from, 'ingress', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0',
      'action', 'mirred', 'egress', 'redirect', 'dev', to]);
  }
}

async function ioBench(ns) {
  mirredLoop(ns);
  console.log(`\n== io forwarding p0 <-> p1 over two veth pairs looped by tc mirred, tx_first ${IO_BURSTS} bursts, Mpps received by port 0 (${RUNS} runs)`);
  const testpmd = ensureTestpmd();
  const results = { 'ringside net_af_packet': [], 'ringside net_af_xdp': [] };
  const drivers = ['net_af_packet', 'net_af_xdp'];
  if (testpmd) for (const drv of drivers) results[`testpmd ${drv}`] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const drv of drivers) {
      // Both forwarders poll without pause, so the CPU each used is the share the machine gave it.
      const io = (mpps, cpus) => ({ mpps, cpus, perCpu: mpps / cpus });
      const r = await ringsideRun(ns, 'io', IO_BURSTS, [`${drv}0,iface=p0`, `${drv}1,iface=p1`], 'a0');
      results[`ringside ${drv}`].push(io(r.own.perPort[0].rxMpps, r.peer.cpus));
      if (!testpmd) continue;
      const t = await testpmdRun(testpmd, [`${drv}0,iface=p0`, `${drv}1,iface=p1`], { fwd: 'io', txFirst: IO_BURSTS, wrap: ['ip', 'netns', 'exec', ns.name] });
      results[`testpmd ${drv}`].push(io(t.perPort[0].rxMpps, t.cpus));
    }
  }
  if (!testpmd) console.log('  testpmd: not available (apt-get install dpdk-dev failed); no ratio');
  if (!testpmd) return report(results, 'ringside net_af_packet');
  // Each driver against testpmd on the same driver, then the faster of each tool.
  for (const drv of drivers) {
    console.log(`  ${drv}:`);
    report({ [`ringside ${drv}`]: results[`ringside ${drv}`], [`testpmd ${drv}`]: results[`testpmd ${drv}`] }, `testpmd ${drv}`);
  }
  const median = (k) => summarize(results[k].map((x) => x.mpps)).median;
  const best = (tool) => drivers.map((d) => `${tool} ${d}`).reduce((x, y) => (median(x) >= median(y) ? x : y));
  const [ours, theirs] = [best('ringside'), best('testpmd')];
  console.log(`  ratio faster ringside (${ours}) / faster testpmd (${theirs}) (median Mpps): ${(median(ours) / median(theirs)).toFixed(2)}x`);
}

// Frames written once into `dev` through an AF_PACKET socket (python3's,
// as the namespace has no other sender), each frame a hex string.
function inject(ns, dev, frames) {
  // ENOBUFS: the device queue is full for a moment; wait and send again.
  const py = [
    'import errno,socket,sys,time',
    's=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)',
    's.bind((sys.argv[1],0))',
    'for h in sys.stdin.read().split():',
    '  while True:',
    '    try: s.send(bytes.fromhex(h)); break',
    '    except OSError as e:',
    '      if e.errno != errno.ENOBUFS: raise',
    '      time.sleep(0.001)',
  ].join('\n');
  execFileSync('ip', ['netns', 'exec', ns.name, 'python3', '-c', py, dev], { input: frames.map((f) => f.toString('hex')).join('\n') });
}

// `set verbose 4 filter udp port 4789` on the io loop above, primed with
// 1000 UDP packets whose destination ports are 3790..4789 (sent into the
// loop once the ports forward): 1 packet in 1000 matches, on every pass, in
// both directions of both ports.
async function verboseIoBench(ns) {
  mirredLoop(ns);
  const frames = Array.from({ length: 1000 }, (_, i) => udp4({ dst: 'ff:ff:ff:ff:ff:ff', sip: '198.18.0.1', dip: '198.18.0.2', sport: 9, dport: 3790 + i }));
  console.log(`\n== set verbose on kernel ports: io p0 <-> p1 over the veth loop, 1000 packets circulating, 1 in 1000 is UDP 4789; Mpps received by port 0 (${RUNS} runs of ${ALTERNATE_ENV.BENCH_ALTERNATE} pairs of ${ALTERNATE_ENV.BENCH_WINDOW_MS} ms windows, verbose off and on)`);
  for (const drv of ['net_af_packet', 'net_af_xdp']) {
    const pairs = [];
    let lines = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await ringsideRun(ns, 'io', 0, [`${drv}0,iface=p0`, `${drv}1,iface=p1`], 'a0', {
        env: ALTERNATE_ENV,
        started: () => inject(ns, 'a0', frames),
      });
      pairs.push(...r.own.alternate);
      lines += r.own.verboseRecords;
    }
    console.log(`  ${drv} (${lines} verbose lines drained):`);
    reportAlternate(pairs);
  }
}

function ensureTrafgen() {
  const have = () => spawnSync('sh', ['-c', 'command -v trafgen'], { stdio: 'ignore' }).status === 0;
  if (!have()) spawnSync('sh', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq netsniff-ng || (apt-get update -qq && apt-get install -y -qq netsniff-ng)'], { stdio: 'inherit' });
  return have();
}

// Runs the cases named (tx, io) in a fresh namespace; prints why not when it cannot.
export async function kportsBench(which = 'all') {
  if (process.getuid?.() !== 0) {
    console.log('\n== kernel ports: skipped (needs root for a network namespace, AF_PACKET and AF_XDP)');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'rsbench-'));
  const ns = new BenchNetns();
  const cleanup = () => {
    ns.delete();
    rmSync(dir, { recursive: true, force: true });
  };
  // An interrupted bench removes its namespace too (finally does not run on a signal).
  const onSignal = () => { cleanup(); process.exit(130); };
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, onSignal);
  try {
    console.log(`\n(note: a shared, busy machine makes these figures noisy; compare the ratios within one run; load average at the start: ${loadavg().map((x) => x.toFixed(2)).join(', ')})`);
    if (which === 'all' || which === 'tx') {
      if (ensureTrafgen()) await txBench(ns, dir);
      else console.log('\n== txonly on veth: skipped (trafgen missing and apt-get install netsniff-ng failed)');
    }
    if (which === 'all' || which === 'capture') await captureBench(ns, dir);
    if (which === 'all' || which === 'io') await ioBench(ns);
    if (which === 'verbose') await verboseIoBench(ns);
  } finally {
    for (const sig of ['SIGINT', 'SIGTERM']) process.off(sig, onSignal);
    cleanup();
  }
}

if (process.argv[1] === self) await kportsBench(process.argv[2] ?? 'all');
