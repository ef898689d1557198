// `set verbose`: ringside in line mode with net_pcap ports reading a held set
// of packet types (Ethernet, VLAN, QinQ, ARP, IPv4 UDP/TCP/ICMP, IPv6 with
// extension headers, ICMPv6, VXLAN, truncated frames). Level 4 lines agree
// with tshark's decode of the same file; levels 1..3 have testpmd's dump
// shape, level 5 adds the bytes; port scope and filter keep only what they
// name; --json prints objects; a display that falls behind says how many
// lines it suppressed.
import { execFileSync, spawn } from 'node:child_process';
import { test, assert } from './lib/harness.mjs';
import { tempDir } from './lib/engine.mjs';
import { MAIN } from './lib/cli.mjs';
import { readPcap, writePcap } from './lib/pcap.mjs';
import { arpRequest, icmp6Echo, icmpEcho, ipv6, tcp4, udp4, udpHeader, vlanTag, vxlan } from './lib/packets.mjs';
import { missingTools, skipOrFail } from './lib/tools.mjs';

const HELD = [
  udp4(),
  tcp4(),
  tcp4({ flags: 0x12, ack: 5 }),
  tcp4({ sport: 40001, flags: 0x11, seq: 7, ack: 9 }),
  icmpEcho(),
  arpRequest(),
  vlanTag(udp4({ sport: 1111 }), 10),
  vlanTag(vlanTag(udp4({ sport: 3333 }), 20), 30, { tpid: 0x88a8 }),
  ipv6({ proto: 17, l4: udpHeader(41000, 42000, Buffer.alloc(10)), ext: [{ type: 0 }, { type: 43 }, { type: 44, id: 77 }, { type: 60 }] }),
  icmp6Echo({ seq: 3 }),
  vxlan({ vni: 4242, inner: tcp4({ sip: '172.16.0.1', dip: '172.16.0.2', flags: 0x18, ack: 1 }) }),
  udp4().subarray(0, 20),  // cut inside the IPv4 header
  tcp4().subarray(0, 40),  // cut inside the TCP header
  udp4().subarray(0, 10),  // cut inside the Ethernet header
];

// ringside in line mode: sends `commands`, waits until `done(stdout)`, then stops and quits.
function ringsideUntil(args, commands, done, { timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let ended = false;
    const finish = () => { if (!ended) { ended = true; child.stdin.end('stop\nquit\n'); } };
    child.stdout.on('data', (d) => { stdout += d; if (done(stdout)) finish(); });
    child.stderr.on('data', (d) => { stderr += d; });
    const soft = setTimeout(finish, timeoutMs);
    const hard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`ringside did not exit; output:\n${stdout}\n${stderr}`)); }, timeoutMs + 10_000);
    child.on('close', (code) => { clearTimeout(soft); clearTimeout(hard); resolve({ code, stdout, stderr }); });
    child.stdin.write(commands);
  });
}

const loopPort = (file) => ['--vdev', `net_pcap0,rx_pcap=${file}`, '--', '--port-topology', 'loop'];
const verboseLines = (out, dir) => out.split('\n').filter((l) => new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} port \\d+/\\d+ ${dir ?? '(rx|tx)'} `).test(l));

// Runs fn with a pcap file of the held packets, removed afterwards.
async function withHeldFile(fn) {
  const t = tempDir();
  try {
    const f = t.file('held.pcap');
    writePcap(f, HELD.map((data) => ({ data })));
    return await fn(f);
  } finally {
    t.remove();
  }
}

// tcpdump's letters for TCP flags.
// tcpdump's letters in its order (print-tcp.c's table: FIN SYN RST PSH ACK URG ECE CWR).
function flagLetters(v) {
  const order = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W']];
  const s = order.filter(([bit]) => v & bit).map(([, c]) => c).join('');
  return s || 'none';
}

const FIELDS = ['frame.len', 'eth.src', 'eth.dst', 'vlan.id', 'ieee8021ad.id', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
  'udp.srcport', 'udp.dstport', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'icmp.type', 'icmpv6.type',
  'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'vxlan.vni', '_ws.malformed'];

function tshark(file) {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', ...FIELDS.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.trim().split('\n').map((line) => {
    const v = line.split('|');
    return Object.fromEntries(FIELDS.map((f, i) => [f, v[i] ? v[i].split(',') : []]));
  });
}

// Every field tshark decoded is in our line, in tcpdump's words.
function checkAgainstTshark(line, t, i) {
  const where = `packet ${i}: ${line}`;
  assert.ok(line.includes(`length ${t['frame.len'][0]}: `), `frame length ${t['frame.len'][0]}; ${where}`);
  if (t['eth.src'].length) assert.ok(line.includes(` rx ${t['eth.src'][0]} > ${t['eth.dst'][0]}, `), `MACs; ${where}`);
  for (const id of [...t['ieee8021ad.id'], ...t['vlan.id']]) assert.ok(line.includes(`vlan ${id}, `), `vlan ${id}; ${where}`);
  const ips = [...t['ip.src'].map((s, k) => [s, t['ip.dst'][k]]), ...t['ipv6.src'].map((s, k) => [s, t['ipv6.dst'][k]])];
  const ports = [...t['udp.srcport'].map((s, k) => [s, t['udp.dstport'][k]]), ...t['tcp.srcport'].map((s, k) => [s, t['tcp.dstport'][k]])];
  if (ports.length && ips.length) {
    // With VXLAN the outer UDP pair goes with the outer addresses, the inner TCP pair with the inner ones.
    ports.forEach(([sp, dp], k) => assert.ok(line.includes(`${ips[k][0]}.${sp} > ${ips[k][1]}.${dp}: `), `ports ${sp} > ${dp}; ${where}`));
  } else {
    for (const [s, d] of ips) assert.ok(line.includes(`${s} > ${d}`), `addresses ${s} > ${d}; ${where}`);
  }
  if (t['udp.srcport'].length && !t['vxlan.vni'].length) assert.match(line, /[:\]] UDP, length \d+$/, where);
  for (const f of t['tcp.flags']) assert.ok(line.includes(`Flags [${flagLetters(parseInt(f, 16))}]`), `flags ${f}; ${where}`);
  if (t['icmp.type'][0] === '8') assert.ok(line.includes(': ICMP echo request, '), where);
  if (t['icmpv6.type'][0] === '128') assert.ok(line.includes(': ICMP6, echo request, '), where);
  if (t['arp.src.proto_ipv4'].length) assert.ok(line.includes(`ARP, Request who-has ${t['arp.dst.proto_ipv4'][0]} tell ${t['arp.src.proto_ipv4'][0]}`), where);
  for (const vni of t['vxlan.vni']) assert.ok(line.includes(`VXLAN, flags [I] (0x08), vni ${vni}: `), `vni ${vni}; ${where}`);
  if (t['_ws.malformed'].length) assert.match(line, /\[truncated [A-Za-z0-9 ]+ at byte \d+\]$/, where);
  else assert.not.match(line, /truncated/, where);
}

test('level 4: one line per packet, both directions, agreeing with tshark on the same file', async () => {
  const why = missingTools([['tshark', 'tshark']]);
  if (skipOrFail('verbose vs tshark', why)) return;
  await withHeldFile(async (f) => {
  const r = await ringsideUntil(loopPort(f), 'set verbose 4\nstart\n', (o) => verboseLines(o).length >= 2 * HELD.length);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Change verbose level from 0 to 4/);
  const rx = verboseLines(r.stdout, 'rx');
  const tx = verboseLines(r.stdout, 'tx');
  assert.is(rx.length, HELD.length, r.stdout);
  assert.is(tx.length, HELD.length);
  const theirs = tshark(f);
  assert.is(theirs.length, HELD.length);
  rx.forEach((line, i) => checkAgainstTshark(line, theirs[i], i));
  // What is sent is what came in: the same decode, direction tx.
  tx.forEach((line, i) => assert.is(line.replace(/^\S+ /, '').replace(' tx ', ' rx '), rx[i].replace(/^\S+ /, '')));
  // The IPv6 extension headers and the truncations are named.
  assert.ok(rx[8].includes('[hop-by-hop, routing type 0 segleft 1, fragment offset 0 id 0x0000004d, dest-opts] UDP, length 10'), rx[8]);
  assert.ok(rx[11].endsWith('IP [truncated IPv4 header at byte 14]'), rx[11]);
  assert.ok(rx[12].endsWith('TCP [truncated TCP header at byte 34]'), rx[12]);
  assert.ok(rx[13].endsWith('length 10: [truncated Ethernet header at byte 0]'), rx[13]);
  });
}, { timeoutMs: 60_000 });

test("levels 1, 2, 3: testpmd's dump of received, sent, both; level 5 adds the bytes", async () => {
  await withHeldFile(async (f) => {
  const shape = /^ {2}src=([0-9A-F:]{17}) - dst=([0-9A-F:]{17}) - pool=mb_pool_0 - type=0x([0-9a-f]{4}) - length=(\d+) - nb_segs=1 - sw ptype: ([A-Z0-9_ ]+) {2}- l2_len=(\d+)/;
  for (const [level, dirs] of [[1, ['received']], [2, ['sent']], [3, ['received', 'sent']]]) {
    const r = await ringsideUntil(loopPort(f), `set verbose ${level}\nstart\n`,
      (o) => (o.match(/ - nb_segs=1 /g) ?? []).length >= HELD.length * dirs.length);
    assert.is(r.code, 0, r.stderr);
    const headers = [...r.stdout.matchAll(/^port 0\/queue 0: (received|sent) (\d+) packets$/gm)];
    assert.equal([...new Set(headers.map((h) => h[1]))].sort(), [...dirs].sort(), `level ${level}`);
    for (const dir of dirs) {
      assert.is(headers.filter((h) => h[1] === dir).reduce((n, h) => n + Number(h[2]), 0), HELD.length, `level ${level} ${dir}`);
    }
    const dumps = r.stdout.split('\n').filter((l) => l.includes(' - nb_segs=1 '));
    const first = shape.exec(dumps[0]);
    assert.ok(first, dumps[0]);
    assert.equal(first.slice(1, 7), ['02:00:00:00:00:02', '02:00:00:00:00:01', '0800', '60', 'L2_ETHER L3_IPV4 L4_UDP', '14']);
    assert.ok(dumps[0].endsWith(dirs[0] === 'received' ? ' - l3_len=20 - l4_len=8 - Receive queue=0x0' : ' - l3_len=20 - l4_len=8'), dumps[0]);
    const qinq = dumps.find((l) => l.includes('L2_ETHER_QINQ'));
    assert.match(qinq, /type=0x0800 - length=68 .* l2_len=22 /);
    assert.is(verboseLines(r.stdout).length, 0, 'no level-4 lines');
  }
  const r = await ringsideUntil(loopPort(f), 'set verbose 5\nstart\n', (o) => verboseLines(o).length >= 2 * HELD.length);
  const lines = r.stdout.split('\n');
  const at = lines.findIndex((l) => / port 0\/0 rx .*: IP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo request/.test(l));
  assert.ok(at >= 0, r.stdout);
  const bytes = HELD[4];
  const dump = lines.slice(at + 1, at + 1 + Math.ceil(bytes.length / 16));
  dump.forEach((l, k) => {
    const m = /^ {4}([0-9a-f]{4}) ((?: [0-9a-f]{2})+)/.exec(l);
    assert.ok(m, l);
    assert.is(parseInt(m[1], 16), k * 16);
    assert.is(m[2].trim().replace(/ /g, ''), bytes.subarray(k * 16, k * 16 + 16).toString('hex'), `line ${k}`);
  });
  });
}, { timeoutMs: 90_000 });

test('port and filter: only the named port, only matching packets; a bad filter says why', async () => {
  await withHeldFile(async (f) => {
  const args = ['--vdev', `net_pcap0,rx_pcap=${f}`, '--vdev', `net_pcap1,rx_pcap=${f}`];
  const r = await ringsideUntil(args, 'set verbose 4 port 1 filter udp port 4789\nset verbose 4 port 1 filter udp port\nstart\n',
    (o) => verboseLines(o).length >= 2);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Change verbose level from 0 to 4\nVerbose packets of port 1 matching 'udp port 4789'/);
  assert.match(r.stdout, /Error EFILTER: .*port/);
  const lines = verboseLines(r.stdout);
  // Port 1 receives its VXLAN packet and sends port 0's: nothing else.
  assert.is(lines.length, 2, lines.join('\n'));
  assert.ok(lines.every((l) => / port 1\/0 (rx|tx) .*\.4789: VXLAN, flags \[I\] \(0x08\), vni 4242: /.test(l)), lines.join('\n'));
  assert.equal(lines.map((l) => / (rx|tx) /.exec(l)[1]).sort(), ['rx', 'tx']);
  const bad = await ringsideUntil(args, 'set verbose 6\nset verbose 4 prot 1\nset verbose 4 port 7\nset verbose 4 filter\n', () => false, { timeoutMs: 1000 });
  assert.match(bad.stdout, /level 6 is out of range: valid values are 0..5/);
  assert.match(bad.stdout, /Error EARG_INVALID: unexpected 'prot': expected port or filter/);
  assert.match(bad.stdout, /port 7 does not exist: valid ports are 0..1/);
  assert.match(bad.stdout, /Error EARG_MISSING: missing the expression after 'filter'/);
  });
}, { timeoutMs: 60_000 });

test('--json: one object per packet with the decoded fields', async () => {
  await withHeldFile(async (f) => {
  const r = await ringsideUntil([...loopPort(f), '--json'], 'set verbose 5 filter vlan\nstart\n',
    (o) => (o.match(/"kind":"verbose"/g) ?? []).length >= 4);
  assert.is(r.code, 0, r.stderr);
  const objs = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((o) => o.kind === 'verbose');
  assert.is(objs.length, 4, r.stdout);
  const q = objs.find((o) => o.dir === 'rx' && o.ptype.startsWith('L2_ETHER_QINQ'));
  assert.ok(q, JSON.stringify(objs));
  assert.is(q.length, 68);
  assert.is(q.l2Len, 22);
  assert.is(q.src, '02:00:00:00:00:02');
  assert.is(q.summary, 'vlan 30, p 0, vlan 20, p 0, IP 10.0.0.1.3333 > 10.0.0.2.2000: UDP, length 18');
  assert.is(q.hex.length, 5);
  assert.match(q.text, / port 0\/0 rx 02:00:00:00:00:02 > 02:00:00:00:00:01, length 68: vlan 30/);
  });
});

test('capture and verbose on the same port at once: each sees every packet', async () => {
  await withHeldFile(async (f) => {
    const out = `${f}.out.pcap`;
    const r = await ringsideUntil(loopPort(f), `capture start 0 both file ${out}\nset verbose 4\nstart\n`,
      (o) => verboseLines(o).length >= 2 * HELD.length);
    assert.is(r.code, 0, r.stderr);
    assert.is(verboseLines(r.stdout).length, 2 * HELD.length);
    assert.is(readPcap(out).packets.length, 2 * HELD.length);
  });
});

test('a display that falls behind: forwarding goes on, the lines it could not show are counted as suppressed', async () => {
  const r = await ringsideUntil(['--vdev', 'net_null0', '--vdev', 'net_null1'], 'set verbose 4\nstart\n',
    (o) => /\d+ verbose lines suppressed/.test(o));
  assert.is(r.code, 0, r.stderr);
  const m = /(\d+) verbose lines suppressed \(the display fell behind/.exec(r.stdout);
  assert.ok(m && Number(m[1]) > 0, r.stdout.slice(-2000));
  assert.ok(verboseLines(r.stdout).length > 0);
  // Forwarding ran at full speed meanwhile: far more packets than lines.
  const rx = Number(/Accumulated forward statistics for all ports\+*\s+RX-packets: (\d+)/.exec(r.stdout)[1]);
  assert.ok(rx > 10 * verboseLines(r.stdout).length, `rx ${rx}`);
}, { timeoutMs: 60_000 });

test.run();
