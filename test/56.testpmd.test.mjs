// ringside as a testpmd drop-in: commands a testpmd user types on two
// net_ring ports, checked against the output dpdk-testpmd 22.11 gives for the
// same lines (run with --no-huge --no-pci and the same vdevs), and DPDK's DTS
// plans (shutdown_api, port_control, queue_start_stop) as step sequences.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { MAIN, ringside, shellSession, fwdStats, nicStats } from './lib/cli.mjs';
import { sleep } from './lib/engine.mjs';
import { NIC_ONLY } from '../dist/commands/nic-only.js';
import { checksum, icmpEcho, tcp4, udp4 } from './lib/packets.mjs';
import { readPcap, writePcap } from './lib/pcap.mjs';

const RING_PAIR = ['--vdev', 'net_ring0', '--vdev', 'net_ring1'];
const run = (cmds, args = RING_PAIR) => ringside(args, cmds.join('\n') + '\n');

test('start with a stopped port is refused; port start/stop while forwarding answer as testpmd', async () => {
  const r = await run(['port stop 1', 'start', 'port start 1', 'start', 'port start 1', 'port stop 1', 'port close 0', 'stop', 'quit']);
  assert.is(r.code, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /Not all ports were started: port 1 stopped/);
  assert.not.match(out, /RX P=0\/Q=0 \(socket 0\) -> TX P=0\/Q=0/, 'port 0 is never paired with itself');
  assert.match(out, /Configuring Port 1 \(socket 0\)\nPort 1: [0-9A-F:]{17}\nChecking link statuses\.\.\.\nDone/);
  assert.match(out, /RX P=0\/Q=0 \(socket 0\) -> TX P=1\/Q=0/);
  assert.match(out, /Port 1 is now not stopped\nPlease stop the ports first\nDone/);
  assert.match(out, /Stopping ports\.\.\.\nPlease remove port 1 from forwarding configuration\.\nDone/);
  assert.match(out, /Closing ports\.\.\.\nPlease remove port 0 from forwarding configuration\.\nDone/);
  assert.is(fwdStats(out).length, 2, 'stop still ends the run that was started');
});

test('port ids after detach and attach: the lowest free id, as testpmd', async () => {
  const r = await run(['port detach 0', 'port stop all', 'port detach 0', 'show port summary all', 'port attach net_ring5', 'show port summary all',
    'port stop 0', 'device detach net_ring5', 'device detach net_ring9', 'quit']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Error EBUSY_STARTED: Port not stopped/);
  assert.match(r.stdout, /Port was not closed\nRemoving a device\.\.\.\nDevice is detached\nNow total ports is 1\nDone/);
  assert.match(r.stdout, /Removing a device\.\.\.\nDevice net_ring5 is detached\nNow total ports is 1\nDone/);
  assert.match(r.stdout, /no device named 'net_ring9'/);
  assert.match(r.stdout, /Port 0 is attached\. Now total ports is 2/);
  assert.match(r.stdout, /^0 +[0-9A-F:]{17} +net_ring5 +net_ring /m);
});

test('start tx_first then stop: packets still in flight are not drops', async () => {
  const r = await run(['start tx_first', 'stop', 'show port stats all', 'show port xstats all', 'quit']);
  assert.is(r.code, 0, r.stderr);
  const fwd = fwdStats(r.stdout);
  assert.is(fwd.length, 2);
  for (const f of fwd) {
    assert.ok(f.rx > 0, `port ${f.port} forwarded`);
    assert.is(f.rxDropped, 0, `port ${f.port} RX-dropped`);
  }
  for (const n of nicStats(r.stdout)) assert.is(n.missed, 0, `port ${n.port} RX-missed`);
  assert.equal([...r.stdout.matchAll(/rx_missed_errors: (\d+)/g)].map((m) => Number(m[1])), [0, 0]);
});

test('set eth-peer, set txpkts and set txrate say what they set', async () => {
  const r = await run(['set eth-peer 0 02:00:00:00:00:09', 'set txpkts 64,64', 'set txrate 0 1000 pps', 'show config fwd',
    'start', 'set eth-peer 1 02:00:00:00:00:08', 'stop', 'quit']);
  assert.match(r.stdout, /Peer of port 0 set to 02:00:00:00:00:09/);
  assert.match(r.stdout, /Tx packet length set to 128 - nb packet segments=2/);
  assert.match(r.stdout, /Tx rate of port 0 set to 1000 pps/);
  assert.match(r.stdout, /TX P=0\/Q=0 \(socket 0\) peer=02:00:00:00:00:09/);
  assert.match(r.stdout, /Please stop forwarding first/, 'testpmd refuses a peer change while forwarding');
});

test('load prints the outputs only, then "Read CLI commands from"; line mode has no "Interactive-mode selected"', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ringside-tp-'));
  try {
    const file = path.join(dir, 'cmds');
    writeFileSync(file, 'set fwd mac\nshow config cores\n');
    const r = await run([`load ${file}`, 'quit']);
    assert.match(r.stdout, new RegExp(`Set mac packet forwarding mode\\nList of forwarding lcores: +\\d+\\nRead CLI commands from ${file}`));
    assert.not.match(r.stdout, /> set fwd mac/, 'the lines of the file are not echoed');
    assert.not.match(r.stdout, /Interactive-mode selected/);
    const i = await ringside([...RING_PAIR, '--', '-i'], 'quit\n');
    assert.match(i.stdout, /^Interactive-mode selected$/m, '-i selects it, as in testpmd');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every NIC-only form answers "needs a NIC driver; not supported on net_ring ports"', async () => {
  const lines = NIC_ONLY.map(([pattern]) => `${pattern.replace(/\b[P*]\b/g, '0')} 0 1`);
  const r = await run([...lines, 'quit']);
  assert.is(r.code, 0, r.stderr);
  const answers = [...r.stdout.matchAll(/^Error ENOTSUP_NIC: '([^']+)' needs a NIC driver \(.+\); not supported on net_ring ports$/gm)];
  assert.is(answers.length, NIC_ONLY.length, r.stdout.split('\n').filter((l) => l.startsWith('Error') && !l.includes('ENOTSUP_NIC')).join('\n'));
  assert.not.match(r.stdout, /unknown command|did you mean/);
  const one = await run(['del port meter 0 1', 'read rxd 0 0 0', 'tso set 800 0', 'quit']);
  assert.match(one.stdout, /'del port meter' needs a NIC driver \(the NIC's meters \(rte_mtr\)\); not supported on net_ring ports/);
  assert.match(one.stdout, /'read rxd' needs a NIC driver/);
  assert.match(one.stdout, /'tso set' needs a NIC driver/);
});

test('--txq larger than --rxq on net_ring starts and forwards, one stream per rx queue, as testpmd', async () => {
  const r = await ringside([...RING_PAIR, '--', '--txq=2', '--rxq=1'], 'start tx_first\nstop\nshow port 0 txq 1 info\nquit\n');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /io packet forwarding - ports=2 - cores=1 - streams=2/);
  assert.match(r.stdout, /port 0: RX queue number: 1 Tx queue number: 2/);
  assert.ok(fwdStats(r.stdout).every((f) => f.rx > 0 && f.rxDropped === 0 && f.txDropped === 0), r.stdout);
  assert.match(r.stdout, /not wired: net_ring0 has no rx queue 1/);
});

test('set portlist|portmask|nbport and --portlist/--nb-ports choose the forwarding ports', async () => {
  const four = ['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--vdev', 'net_ring2', '--vdev', 'net_ring3'];
  const r = await ringside(four, ['set portlist 2,3', 'show config fwd', 'set portmask 0x3', 'set nbport 1', 'show config fwd',
    'set portlist 0,0', 'set portlist 7', 'set nbport 3', 'quit'].join('\n') + '\n');
  assert.match(r.stdout, /Forwarding ports set to 2,3 \(2 ports\)\nio packet forwarding - ports=2 - cores=1 - streams=2[^\n]*\n[^\n]*\n  RX P=2\/Q=0 \(socket 0\) -> TX P=3\/Q=0/);
  assert.match(r.stdout, /Number of forwarding ports set to 1\nio packet forwarding - ports=1 - cores=1 - streams=1[^\n]*\n[^\n]*\n  RX P=0\/Q=0 \(socket 0\) -> TX P=0\/Q=0/);
  assert.match(r.stdout, /port 0 is listed twice in .0,0./);
  assert.match(r.stdout, /port 7 does not exist: valid ports are 0\.\.3/);
  assert.match(r.stdout, /nb-ports 3 is more than the 1 forwarding port/);
  const o = await ringside([...four, '--', '--portlist=1,2', '--nb-ports=1'], 'show config fwd\nquit\n');
  assert.match(o.stdout, /RX P=1\/Q=0 \(socket 0\) -> TX P=1\/Q=0/);
  assert.match(o.stdout, /ports=1 - cores=1 - streams=1/);
});

const descs = (out, dir) => [...out.matchAll(new RegExp(`${dir} desc=(\\d+)`, 'g'))].map((m) => Number(m[1]));

test('descriptors: port config all rxd|txd, ring_size per queue, --rxd; net_ring rings take the size', async () => {
  const r = await run(['show config rxtx', 'port config all rxd 512', 'port stop all', 'port config all rxd 512',
    'port config 0 rxq 0 ring_size 100', 'port config all txd 256', 'port start all', 'show config rxtx', 'show rxq info 1 0',
    'start tx_first', 'stop', 'quit']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(descs(r.stdout, 'RX').slice(0, 2), [1024, 1024], 'net_ring default');
  assert.match(r.stdout, /Please stop all ports first/);
  // rx: port 0's ring 100 rounded up to 128, port 1's 512; tx: the ring each tx
  // queue feeds (without peer= a net_ring port loops back to itself).
  assert.equal(descs(r.stdout, 'RX').slice(2, 4), [128, 512]);
  assert.equal(descs(r.stdout, 'TX').slice(2, 4), [128, 512]);
  assert.match(r.stdout, /Infos for port 1 , RX queue 0[\s\S]*Number of RXDs: 512/);
  assert.ok(fwdStats(r.stdout).every((f) => f.rx > 0), 'forwarding runs on the resized rings');
  const o = await ringside([...RING_PAIR, '--', '--rxd=256', '--rxq=2', '--txq=2'], 'show config rxtx\nquit\n');
  assert.equal(descs(o.stdout, 'RX'), [256, 256, 256, 256], 'each queue of each port');
  const nul = await ringside(['--vdev', 'net_null0', '--vdev', 'net_null1', '--', '--txd=512'], 'show config rxtx\nquit\n');
  assert.equal(descs(nul.stdout, 'RX'), [0, 0], 'no ring: 0, as testpmd shows a default');
  assert.equal(descs(nul.stdout, 'TX'), [512, 512], 'no ring: the value asked for');
});

test('--max-pkt-len and port config all max-pkt-len set the MTU less 18', async () => {
  const r = await ringside([...RING_PAIR, '--', '--max-pkt-len=2018'], 'show port info 0\nport config all max-pkt-len 1518\nport stop all\nport config all max-pkt-len 1518\nshow port info 1\nquit\n');
  assert.match(r.stdout, /MTU: 2000/);
  assert.match(r.stdout, /Please stop all ports first/);
  assert.match(r.stdout, /max-pkt-len set to 1518 \(MTU 1500\) on ports 0,1/);
  assert.match(r.stdout, /Infos for port 1[\s\S]*MTU: 1500/);
});

test('show port summary P, rx/tx offloads, ptypes, device info, rss-hash and rss reta in testpmd shapes', async () => {
  const r = await run(['show port summary 1', 'show port 0 rx_offload capabilities', 'show port 0 tx_offload configuration',
    'show port 0 ptypes', 'show device info net_ring1', 'show device info all', 'show port 0 rss-hash',
    'port stop all', 'port config all rxq 2', 'port config all rss ip', 'port start all',
    'show port 0 rss-hash key', 'show port 0 rss reta 4 (0xf)', 'show device info nope', 'quit']);
  const out = r.stdout;
  assert.match(out, /Number of available ports: 2\nPort MAC Address +Name +Driver +Status +Link\n1 +[0-9A-F:]{17} net_ring1 +net_ring +up +10 Gbps/);
  assert.match(out, /Rx Offloading Capabilities of port 0 :\n  Per Queue :\n  Per Port  :/);
  assert.match(out, /Tx Offloading Configuration of port 0 :\n  Port :\n  Queue\[ 0\] :/);
  assert.match(out, /Supported L3 ptypes:\n  L3_IPV4\n/);
  assert.match(out, /\*{21} Infos for device net_ring1 \*{21}\nBus name: vdev\nBus information: \nDriver name: net_ring/);
  assert.is([...out.matchAll(/Infos for device/g)].length, 3);
  assert.match(out, /RSS disabled/);
  assert.match(out, /RSS functions:\n  ipv4  ipv6\nRSS key:\n[0-9A-F]{80}\n/);
  assert.match(out, /RSS RETA configuration: hash index=0, queue=0\nRSS RETA configuration: hash index=1, queue=1\nRSS RETA configuration: hash index=2, queue=0\nRSS RETA configuration: hash index=3, queue=1\n(?!RSS RETA)/);
  assert.match(out, /no device named 'nope': devices are net_ring0, net_ring1/);
});

test('knobs: set xstats-hide-zero, set default, port config all burst, dump_*; the others say what applies', async () => {
  const r = await run(['set xstats-hide-zero on', 'show port xstats 0', 'set xstats-hide-zero off', 'show port xstats 0',
    'set portlist 1', 'set eth-peer 0 02:00:00:00:00:99', 'set default', 'show config fwd', 'port config all burst 16', 'show config rxtx',
    'set record-core-cycles on', 'set record-burst-stats on', 'set flush_rx off', 'set log global 8', 'set txsplit off',
    'dump_devargs', 'dump_ring', 'dump_mempool', 'quit']);
  const out = r.stdout;
  const blocks = out.split('###### NIC extended statistics for port 0').slice(1);
  assert.not.match(blocks[0].split('\n\n')[0], /: 0\n/, 'zeros hidden');
  assert.match(blocks[1], /rx_missed_errors: 0/, 'zeros shown again');
  assert.match(out, /Reset to default forwarding configuration\.\.\.\nio packet forwarding - ports=2[^\n]*\n[^\n]*\n  RX P=0\/Q=0 \(socket 0\) -> TX P=1\/Q=0 \(socket 0\) peer=02:00:00:00:00:01/);
  assert.match(out, /Number of packets per burst set to 16\n  io packet forwarding packets\/burst=16/);
  assert.match(out, /Forwarding cycles recorded from the next start/);
  assert.match(out, /ringside has no EAL log/);
  assert.match(out, /vdev net_ring0: \(no arguments\)/);
  assert.match(out, /ring <[^>]+>: used=\d+ size=1024/);
  assert.match(out, /Mempool mb_pool_0/);
  assert.not.match(out, /Error/);
});

// The ones' complement sum over a valid IPv4 header, or over a UDP/TCP
// segment with its pseudo-header, or an ICMP message, is 0xffff: checksum() 0.
function checksumsValid(frame) {
  const ihl = (frame[14] & 0x0f) * 4;
  const ip = frame.subarray(14, 14 + ihl);
  const l4 = frame.subarray(14 + ihl, 14 + frame.readUInt16BE(16));
  const pseudo = Buffer.alloc(12);
  ip.copy(pseudo, 0, 12, 20);
  pseudo[9] = ip[9];
  pseudo.writeUInt16BE(l4.length, 10);
  const l4ok = ip[9] === 1 ? checksum(l4) === 0 : checksum(Buffer.concat([pseudo, l4])) === 0;
  return checksum(ip) === 0 && l4ok;
}

test('set fwd csum: bad IPv4, TCP and ICMP checksums are counted (Bad-ipcsum, Bad-l4csum) and fixed; csum show|set', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ringside-csum-'));
  try {
    const good = udp4();
    const badIp = udp4({ sport: 7 });
    badIp.writeUInt16BE(badIp.readUInt16BE(24) ^ 0x1111, 24);
    const badTcp = tcp4();
    badTcp.writeUInt16BE(badTcp.readUInt16BE(50) ^ 0x00ff, 50);
    const badIcmp = icmpEcho();
    badIcmp.writeUInt16BE(badIcmp.readUInt16BE(36) ^ 0x0f0f, 36);
    const frames = [good, badIp, badTcp, badIcmp];
    assert.equal(frames.map(checksumsValid), [true, false, false, false], 'the input as built');
    const inFile = path.join(dir, 'in.pcap');
    const outFile = path.join(dir, 'out.pcap');
    writePcap(inFile, frames.map((data) => ({ data })));
    const r = await ringside(['--vdev', `net_pcap0,rx_pcap=${inFile},tx_pcap=${outFile}`, '--', '--port-topology=loop'],
      ['csum show 0', 'csum set ip hw 0', 'csum set tcp sw 0', 'csum parse-tunnel on 0', 'set fwd csum', 'start',
        'wait until port 0 tx-packets >= 4', 'stop', 'quit'].join('\n') + '\n');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /Parse tunnel is off\nIP checksum offload is sw\nUDP checksum offload is sw\nTCP checksum offload is sw\nSCTP checksum offload is sw\nOuter-Ip checksum offload is sw\nOuter-Udp checksum offload is sw/);
    assert.match(r.stdout, /IP checksum offload is not supported by port 0/);
    assert.match(r.stdout, /Parse tunnel is on/);
    assert.match(r.stdout, /Set csum packet forwarding mode/);
    assert.match(r.stdout, /RX-packets: 4 +RX-dropped: 0 +RX-total: 4\n  Bad-ipcsum: 1 +Bad-l4csum: 2 +Bad-outer-l4csum: 0 *\n  Bad-outer-ipcsum: 0/);
    const out = readPcap(outFile).packets.map((p) => p.data);
    assert.is(out.length, 4);
    assert.equal(out.map(checksumsValid), [true, true, true, true], 'every checksum written right');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('set fwd MODE retry and set burst tx delay: a refused burst is offered again after the delay, then dropped', async () => {
  // txonly on port 0 alone into its own 64-slot ring that nobody reads: once
  // full, every burst waits 2 ms for one retry, so drops are bounded by time.
  const s = shellSession([...RING_PAIR, '--', '-i', '--rxd=64', '--portlist=0']);
  try {
    s.write('set fwd txonly retry\nset burst tx delay 2000 retry 1\nshow config fwd\n');
    await s.until(/TX retry num: 1, delay between TX retries: 2000us\n[\s\S]*txonly packet forwarding with retry - ports=1[^\n]*\nTX retry num: 1, delay between TX retries: 2000us/);
    const t0 = Date.now();
    s.write('start\n');
    await sleep(400);
    s.write('stop\n');
    await s.until(/Done\.\n/);
    const ms = Date.now() - t0;
    const port0 = fwdStats(s.output)[0];
    assert.is(port0.tx, 64, 'the ring took 64');
    assert.ok(port0.txDropped > 0, 'the rest was dropped after its retry');
    assert.ok(port0.txDropped <= (ms / 2 + 2) * 32, `${port0.txDropped} dropped in ${ms} ms: at most one burst per 2 ms delay`);
    s.write('set fwd txonly\nshow config fwd\n');
    await s.until(/Set txonly packet forwarding mode\ntxonly packet forwarding - ports=1/);
  } finally {
    await s.end();
  }
});

// The CPU a running ringside's poll thread `lcore-N` may run on.
function pollThreadCpus(pid, lcore) {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() !== `lcore-${lcore}`) continue;
      return readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8').match(/^Cpus_allowed_list:\s*(\S+)/m)[1];
    } catch { /* the thread ended */ }
  }
  return undefined;
}

test('EAL core placement: -l and --lcores name the lcores; each poll thread is pinned to its CPU', async () => {
  for (const [eal, lcore, cpu] of [[['-l', '0-1'], 1, '1'], [['--lcores=0,1@0'], 1, '0'], [['-c', '0x3'], 1, '1']]) {
    const s = shellSession([...eal, ...RING_PAIR]);
    try {
      s.write('start\nshow config cores\n');
      await s.until(/List of forwarding lcores: +1/);
      assert.match(s.output, new RegExp(`Logical Core ${lcore} \\(socket 0\\) forwards packets on 2 streams`));
      // The thread names itself once it runs: on a busy machine that can take a moment.
      let cpus;
      for (let i = 0; i < 100 && cpus === undefined; i++, await sleep(20)) cpus = pollThreadCpus(s.pid, lcore);
      assert.is(cpus, cpu, `${eal.join(' ')}: lcore-${lcore} on CPU ${cpu}`);
      await s.end('stop\nset corelist 0\nset corelist 5\nquit\n');
      assert.match(s.output, /lcore 0 cannot be masked on for running packet forwarding, which is the main lcore/);
      assert.match(s.output, /lcore 5 not enabled: the lcores are 0,1/);
    } finally {
      s.kill();
    }
  }
  const bad = await ringside(['-l', '0', ...RING_PAIR], '');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /main lcore, which runs the command line: give at least one more/);
});

// A pseudo-terminal (util-linux `script`), as testpmd's users start it.
function pty(args) {
  const cmd = [process.execPath, MAIN, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', TERM: 'xterm', COLUMNS: '120', LINES: '40' } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => child.on('close', r));
  return {
    text: () => out.replace(/\r/g, ''),
    waitFor: async (re, ms = 10_000) => {
      for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (re.test(out.replace(/\r/g, ''))) return;
      throw new Error(`never saw ${re} in:\n${out.slice(-1500)}`);
    },
    type: (s) => child.stdin.write(s),
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}

test('without -i (testpmd command line at a terminal): forwarding starts at once, live stats, Enter exits', async () => {
  const t = pty([...RING_PAIR, '--', '--tx-first', '--stats-period=1']);
  try {
    await t.waitFor(/No commandline core given, start packet forwarding/);
    await t.waitFor(/Press enter to exit/);
    await t.waitFor(/Port statistics =+[\s\S]*NIC statistics for port 1/, 5000);
    t.type('\n');
    await t.waitFor(/Bye\.\.\./);
    const fwd = fwdStats(t.text());
    assert.is(fwd.length, 2, t.text());
    assert.ok(fwd[0].rx > 0 && fwd[1].rx > 0, 'both ports forwarded');
    assert.not.match(t.text(), /Interactive-mode selected|ringside> /);
  } finally {
    t.kill();
  }
}, { timeoutMs: 40_000 });

test.run();
