#!/usr/bin/env node
// Replay and capture on a veth pair between two namespaces, side by side with
// tcpreplay and tcpdump in the same run (node bench/replay-veth.mjs; needs
// root). The sender runs in namespace A pinned to one CPU (taskset -c
// SENDER_CPU, default the last one); the peer end is in namespace B.
//  a. replay of 1,000,000 64-byte packets at topspeed: ringside (through
//     net_af_xdp and through net_af_packet) against
//     `tcpreplay --topspeed` and `--topspeed --preload-pcap`; the rate is
//     taken from the peer's rx_packets over the window they moved;
//  b. timing: 10,000 packets spaced exactly 100 us, replayed at original
//     timing, captured on the peer by tcpdump with nanosecond timestamps:
//     total duration against the file's, median |gap - 100 us|;
//  c. capture: the sender's topspeed rate (peer rx) while nothing, ringside
//     (net_af_packet + rx capture) or tcpdump captures the peer.
// Runs interleave the tools (BENCH_RUNS, default 3); figures are medians with min/max.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, sleep, summarize } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { Netns, netnsUnavailable, ensureTool } = await import(path.join(root, 'test/lib/netns.mjs'));
const { writePcap, readPcap } = await import(path.join(root, 'test/lib/pcap.mjs'));
const { udp4 } = await import(path.join(root, 'test/lib/packets.mjs'));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CPU = process.env.SENDER_CPU ?? String(cpus().length - 1);
const PEER_CPU = String(CPU === '0' && cpus().length > 1 ? 1 : 0);
const AGENT = path.join(root, 'bench/veth-agent.mjs');

const why = netnsUnavailable();
if (why) { console.log(`replay-veth: skipped: ${why}`); process.exit(0); }
const haveTcpreplay = ensureTool('tcpreplay', 'tcpreplay');
const haveTcpdump = ensureTool('tcpdump', 'tcpdump');

// A child in namespace ns; resolves { code, stdout, stderr }. ready(): resolves
// when it prints `re` (stdout or stderr).
function inNs(ns, argv, { cpu } = {}) {
  const cmd = cpu === undefined ? argv : ['taskset', '-c', cpu, ...argv];
  const child = spawn('ip', ['netns', 'exec', ns.name, ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const ready = async (re) => {
    for (let i = 0; i < 1000; i++) {
      if (re.test(stdout) || re.test(stderr)) return;
      if (child.exitCode !== null) break;
      await sleep(10);
    }
    throw new Error(`${argv.join(' ')}: never printed ${re}: ${stdout}${stderr}`);
  };
  return { child, exited, ready, end: () => { child.stdin.end(); return exited; } };
}

const lastJson = (out) => JSON.parse(out.trim().split('\n').pop());

async function checked(p, what) {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr || r.stdout}`);
  return r;
}

// Sender in A (pinned), peer rx rate sampled in B.
async function measured(a, b, senderArgv) {
  const rate = inNs(b, [process.execPath, AGENT, 'rxrate', 'vb'], { cpu: PEER_CPU });
  await rate.ready(/ready/);
  const sent = await checked(inNs(a, senderArgv, { cpu: CPU }).exited, senderArgv.join(' '));
  await sleep(20);
  const r = lastJson((await checked(rate.end(), 'rx sampler')).stdout);
  return { ...r, sender: sent };
}

// ringside sends through either kernel port type; AF_XDP (generic mode on veth) skips the packet socket's tx ring.
const ringsideReplay = (file, speed, dev = 'net_af_xdp0,iface=va') => [process.execPath, AGENT, 'replay', dev, file, speed];

const dir = mkdtempSync(path.join(tmpdir(), 'rs-veth-'));
const a = new Netns();
const b = new Netns();
const cleanup = () => {
  a.delete();
  b.delete();
  rmSync(dir, { recursive: true, force: true });
};
// An interrupted bench removes its namespaces too (finally does not run on a signal).
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { cleanup(); process.exit(130); });
try {
  for (const ns of [a, b]) spawnSync('ip', ['netns', 'exec', ns.name, 'sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
  a.ip('link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b.name);
  a.ip('link', 'set', 'va', 'up');
  b.ip('link', 'set', 'vb', 'up');

  const pkt = udp4({ payload: Buffer.alloc(18) });  // 60 bytes + FCS: a 64-byte frame
  const t0 = 1_700_000_000_000_000_000n;
  const big = path.join(dir, '1m.pcap');
  writePcap(big, Array.from({ length: 1_000_000 }, (_, i) => ({ data: pkt, tsNs: t0 + BigInt(i) * 1000n })), { nanosecond: true });
  const spaced = path.join(dir, 'spaced.pcap');
  writePcap(spaced, Array.from({ length: 10_000 }, (_, i) => ({ data: pkt, tsNs: t0 + BigInt(i) * 100_000n })), { nanosecond: true });

  console.log(`(sender pinned to CPU ${CPU}, peer sampler on CPU ${PEER_CPU}; ${RUNS} interleaved runs; the machine may be busy)`);
  console.log('\n== a. topspeed replay of 1,000,000 64-byte packets over veth, Mpps at the peer');
  const tools = {
    'ringside (net_af_xdp)': (f) => ringsideReplay(f, 'topspeed'),
    'ringside (net_af_packet)': (f) => ringsideReplay(f, 'topspeed', 'net_af_packet0,iface=va'),
  };
  if (haveTcpreplay) {
    tools['tcpreplay --topspeed'] = (f) => ['tcpreplay', '-q', '--topspeed', '-i', 'va', f];
    tools['tcpreplay --topspeed --preload-pcap'] = (f) => ['tcpreplay', '-q', '--topspeed', '--preload-pcap', '-i', 'va', f];
  }
  const rates = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++)
    for (const [name, argv] of Object.entries(tools)) rates[name].push((await measured(a, b, argv(big))).pps / 1e6);
  const sums = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, summarize(v)]));
  for (const [k, s] of Object.entries(sums)) console.log(`  ${k.padEnd(38)} ${fmt(s, 3)}`);
  const best = Math.max(...Object.keys(sums).filter((k) => k.startsWith('ringside')).map((k) => sums[k].median));
  for (const k of Object.keys(sums).filter((x) => !x.startsWith('ringside')))
    console.log(`  ratio ringside (faster port) / ${k}: ${(best / sums[k].median).toFixed(2)}x`);

  if (haveTcpdump) {
    console.log('\n== b. original timing: 10,000 packets 100 us apart, seen by nanosecond tcpdump on the peer');
    const timing = { ringside: () => ringsideReplay(spaced, 'original') };
    if (haveTcpreplay) timing.tcpreplay = () => ['tcpreplay', '-q', '-i', 'va', spaced];
    const res = Object.fromEntries(Object.keys(timing).map((k) => [k, { dur: [], gap: [] }]));
    let tsType = ['-j', 'adapter_unsynced'];
    for (let i = 0; i < RUNS; i++) {
      for (const [name, argv] of Object.entries(timing)) {
        const out = path.join(dir, `peer-${name}.pcap`);
        // A large buffer (-B, KiB): the instrument must not drop what it measures.
        // -c: it exits once it has written every packet (SIGINT would lose those still in its ring).
        const dumpArgs = (ts) => ['tcpdump', '-i', 'vb', '-B', '131072', '-c', '10000', ...ts, '--time-stamp-precision=nano', '-w', out, 'udp'];
        let dump = inNs(b, dumpArgs(tsType), { cpu: PEER_CPU });
        try {
          await dump.ready(/listening on/);
        } catch (e) {
          if (!tsType.length) throw e;
          tsType = [];  // veth has no adapter clock: tcpdump refuses -j; use the host's timestamps
          console.log('  (tcpdump: -j adapter_unsynced not supported on veth; host timestamps)');
          dump = inNs(b, dumpArgs(tsType), { cpu: PEER_CPU });
          await dump.ready(/listening on/);
        }
        await checked(inNs(a, argv(), { cpu: CPU }).exited, name);
        const late = setTimeout(() => dump.child.kill('SIGINT'), 5000);  // packets were lost: stop waiting
        await dump.exited;
        clearTimeout(late);
        const got = readPcap(out).packets;
        if (got.length !== 10_000) console.log(`  ${name}: the peer saw ${got.length} of 10000 packets`);
        const gaps = [];
        for (let k = 1; k < got.length; k++) gaps.push(Math.abs(Number(got[k].tsNs - got[k - 1].tsNs) - 100_000) / 1000);
        gaps.sort((x, y) => x - y);
        const span = Number(got[got.length - 1].tsNs - got[0].tsNs);
        res[name].dur.push((span / (9999 * 100_000) - 1) * 100);
        res[name].gap.push(gaps[Math.floor(gaps.length / 2)]);
      }
    }
    for (const [k, r] of Object.entries(res)) {
      console.log(`  ${k.padEnd(10)} duration error %      ${fmt(summarize(r.dur), 2)}`);
      console.log(`  ${''.padEnd(10)} median |gap error| us ${fmt(summarize(r.gap), 2)}`);
    }
  }

  console.log('\n== c. sender topspeed rate (Mpps at the peer) while the peer is captured');
  const capturers = {
    'no capture': null,
    'ringside capture': (f) => [process.execPath, AGENT, 'capture', 'net_af_packet0,iface=vb', f],
  };
  if (haveTcpdump) capturers.tcpdump = (f) => ['tcpdump', '-i', 'vb', '-w', f, 'udp'];
  const cap = Object.fromEntries(Object.keys(capturers).map((k) => [k, { rate: [], kept: [] }]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, argv] of Object.entries(capturers)) {
      const out = path.join(dir, 'cap.pcap');
      const c = argv && inNs(b, argv(out), { cpu: PEER_CPU });
      if (c) await c.ready(/ready|listening on/);
      const r = await measured(a, b, ringsideReplay(big, 'topspeed'));
      let kept = NaN;
      if (c) {
        if (name === 'tcpdump') { await sleep(200); c.child.kill('SIGINT'); }
        const done = await checked(name === 'tcpdump' ? c.exited : c.end(), name);
        kept = name === 'tcpdump' ? readPcap(out, { partialTail: true }).packets.length : lastJson(done.stdout).captured;
      }
      cap[name].rate.push(r.pps / 1e6);
      cap[name].kept.push(kept);
    }
  }
  for (const [k, r] of Object.entries(cap))
    console.log(`  ${k.padEnd(18)} ${fmt(summarize(r.rate), 3)}${Number.isNaN(r.kept[0]) ? '' : `; packets in the file: ${r.kept.join(', ')}`}`);
} finally {
  cleanup();
}
