// The command layer without the addon: the grammar table, parsing, help,
// completion, '?' and "did you mean", plus the shapes of rendered results,
// against a stand-in session (two ports, the engine's calls recorded).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandLayer, TABLE, SECTIONS, parseLine, editDistance } from '../dist/commands/index.js';
import { Forwarding } from '../dist/session/forwarding.js';
import { Ports } from '../dist/session/ports.js';
import { VerboseHub } from '../dist/session/verbose.js';
import { sessionView } from '../dist/commands/session-view.js';

const MODES = [
  { name: 'io', help: 'Forward packets unchanged.' },
  { name: 'mac', help: 'Rewrite MAC addresses, then forward.' },
  { name: 'macswap', help: 'Swap MAC addresses, then forward.' },
  { name: 'rxonly', help: 'Receive and drop.' },
  { name: 'txonly', help: 'Generate packets.' },
  { name: 'icmpecho', help: 'Answer ARP and ping.' },
  { name: '5tswap', help: 'Swap L2-L4 addresses.' },
];
const DRIVERS = [
  { name: 'net_null', help: 'sink/source', keys: ['size'] },
  { name: 'net_ring', help: 'in-memory rings', keys: ['peer'] },
  { name: 'net_af_packet', help: 'AF_PACKET rings', keys: ['iface', 'qpairs'] },
  { name: 'net_pcap', help: 'pcap files', keys: ['rx_pcap', 'tx_pcap'] },
];

function portInfo(id, extra = {}) {
  return {
    id, name: `net_null${id}`, driver: 'net_null', devargs: `net_null${id}`, ifName: '', ifIndex: 0,
    mac: `02:52:53:00:00:0${id}`, mtu: 1500, minMtu: 68, maxMtu: 9000, promiscuous: true,
    link: { up: true, speedMbps: 10000, fullDuplex: true }, started: true, closed: false,
    nbRxQueues: 1, nbTxQueues: 1, maxRxQueues: 16, maxTxQueues: 16, countsBytes: true, extra: [], ...extra,
  };
}

function counters(id, n) {
  return {
    id, rxPackets: n, rxBytes: n * 64, rxErrors: 0, rxMissed: 0, rxNombuf: 0, txPackets: n, txBytes: n * 64, txErrors: 0,
    rxq: [{ packets: n, bytes: n * 64, errors: 0 }], txq: [{ packets: n, bytes: n * 64, errors: 0 }],
  };
}

// A stand-in for Session over a stand-in engine that records the calls: the
// session methods the handlers call, doing what Session does with the engine.
function fakeSession() {
  const calls = [];
  const ports = new Map([[0, portInfo(0)], [1, portInfo(1)]]);
  let mode = 'io';
  let forwarding = false;
  let timeNs = 1_000_000_000;
  let n = 0;
  const streams = () => [
    { rxPort: 0, rxQueue: 0, txPort: 1, txQueue: 0, rxPackets: n, txPackets: n, fwdDropped: 0, coreCycles: 0 },
    { rxPort: 1, rxQueue: 0, txPort: 0, txQueue: 0, rxPackets: n, txPackets: n, fwdDropped: 0, coreCycles: 0 },
  ];
  const engine = {
    portIds: () => [...ports.keys()],
    portInfo: (id) => ports.get(id),
    portIps: () => [],
    portStart: (id) => { calls.push(['portStart', id]); ports.get(id).started = true; },
    portStop: (id) => { calls.push(['portStop', id]); ports.get(id).started = false; },
    portClose: (id) => { calls.push(['portClose', id]); ports.get(id).closed = true; },
    portSetQueues: (id, rx, tx) => calls.push(['portSetQueues', id, rx, tx]),
    portSetPromiscuous: (id, on) => calls.push(['promisc', id, on]),
    clearPortStats: (id) => calls.push(['clearPortStats', id]),
    setFwdMode: (m) => {
      if (!MODES.some((x) => x.name === m)) { const e = new Error(`unknown forwarding mode '${m}'`); e.code = 'EFWD_MODE'; throw e; }
      mode = m;
    },
    fwdMode: () => mode,
    coreCyclesMhz: () => 0,
    nbCores: () => 1,
    setNbCores: (c) => calls.push(['setNbCores', c]),
    burst: () => 32,
    setTxRetry: (on) => calls.push(['setTxRetry', on]),
    txRetry: () => ({ on: false, delayUs: 1, tries: 64 }),
    setBurst: (b) => { if (b > 512) { const e = new Error('burst must be 1..512, not ' + b); e.code = 'EBURST_RANGE'; throw e; } },
    txpkts: () => [64],
    setTxpkts: (l) => calls.push(['setTxpkts', l]),
    ethPeer: (p) => `02:00:00:00:00:0${p}`,
    streams,
    lcores: () => [{ lcore: 1, cpu: 1, streams: [0, 1] }],
    start: (b) => { calls.push(['start', b]); forwarding = true; },
    stop: () => { forwarding = false; return streams(); },
    forwarding: () => forwarding,
    clearFwdStats: () => calls.push(['clearFwdStats']),
    snapshot: () => ({ timeNs, forwarding, ports: [counters(0, n), counters(1, n)], streams: streams(), pool: {} }),
    shutdown: () => calls.push(['shutdown']),
    verboseSet: (level, ids, everyPort, filter) => { calls.push(['verboseSet', level, ids, everyPort, filter]); return { level, filter, ports: [...ports.keys()] }; },
    verboseDrain: () => ({ records: [], suppressed: 0 }),
  };
  let closed = false;
  return {
    calls,
    advance(packets, ns) { n += packets; timeNs += ns; },
    engine,
    fwd: new Forwarding(engine),
    ports: new Ports(engine),
    verbose: new VerboseHub(engine, sessionView, () => {}, () => closed),
    options: {},
    get isShutdown() { return closed; },
    fwdModes: () => MODES,
    drivers: () => DRIVERS,
    log() {},
    prev: new Map(),
    throughput(c, t) {
      const p = this.prev.get(c.id); this.prev.set(c.id, { t, rx: c.rxPackets });
      const pps = p ? Math.floor(((c.rxPackets - p.rx) * 1e9) / (t - p.t)) : 0;
      return { rxPps: pps, txPps: pps, rxBps: 0, txBps: 0 };
    },
    shutdown() { if (closed) return []; closed = true; return [{ text: 'Bye...' }]; },
  };
}

const text = (lines) => lines.map((l) => l.text);
const run = async (s, line) => commandLayer.render(await commandLayer.execute(s, line));

test('every table entry has one line of help and a known section', () => {
  const names = new Set(SECTIONS.map((x) => x.name));
  assert.ok(TABLE.length >= 30, `table has ${TABLE.length} entries`);
  for (const spec of TABLE) {
    const words = spec.tokens.map((t) => t.word ?? t.name).join(' ');
    assert.type(spec.help, 'string', words);
    assert.ok(spec.help.trim().length > 5, `no help for '${words}'`);
    assert.not.match(spec.help, /\n/, `help of '${words}' is more than one line`);
    assert.ok(names.has(spec.section), `'${words}' has section ${spec.section}`);
    assert.type(spec.handler, 'function');
  }
});

test('the grammar module loads without the addon and lists the required commands', () => {
  const s = fakeSession();
  const lines = [
    'show port info all', 'show port stats 0', 'show port xstats 1', 'show port summary all', 'clear port stats all',
    'show fwd stats all', 'clear fwd stats all', 'show config rxtx', 'show config cores', 'show config fwd',
    'port start all', 'port stop 1', 'port close all', 'port attach net_null2', 'port detach 1',
    'port config all rxq 2', 'port config 0 txq 2', 'port config mtu 0 9000', 'port config 0 ip 10.0.0.1/24',
    'set fwd io', 'start', 'start tx_first', 'start tx_first 4', 'stop', 'set nbcore 2', 'set burst 64',
    'set txpkts 14,50', 'set eth-peer 0 02:00:00:00:00:09', 'set promisc all off', 'set link-up port 0',
    'set link-down port 1', 'mac_addr set 0 02:11:22:33:44:55', 'set verbose 1', 'load x.txt', 'help', 'help all',
    'help show port', 'quit',
  ];
  for (const line of lines) {
    const r = parseLine(TABLE, s, line);
    assert.ok(r.ok, `'${line}' does not parse: ${r.ok ? '' : r.error.message}`);
  }
});

test('help lists every section; help SECTION and help all show every command', async () => {
  const s = fakeSession();
  const top = text(await run(s, 'help'));
  for (const sec of SECTIONS) assert.ok(top.some((l) => l.startsWith(`    help ${sec.name} `)), `help lacks ${sec.name}`);
  assert.ok(top.includes('    help control                    : Start and stop forwarding.'), 'testpmd spacing');
  assert.ok(top.some((l) => l.startsWith('    help all ')));
  const all = text(await run(s, 'help all'));
  for (const spec of TABLE) assert.ok(all.includes(`    ${spec.help}`), `help all lacks '${spec.help}'`);
  assert.ok(all.includes('set fwd (io|mac|macswap|rxonly|txonly|icmpecho|5tswap)'), 'fwd modes come from fwdModes()');
  const ports = text(await run(s, 'help ports'));
  assert.ok(ports.includes('Port Operations:'));
  assert.ok(ports.includes('port attach (devargs)'));
  assert.not.ok(ports.includes('stop'));
  const word = text(await run(s, 'help set fwd'));
  assert.ok(word.some((l) => l.startsWith('set fwd (')));
  assert.not.ok(word.some((l) => l.startsWith('set burst')));
  const bad = await commandLayer.execute(s, 'help shwo');
  assert.is(bad.kind, 'error');
  assert.match(bad.hint, /help show/);
});

test('help filter documents the filter language; help lists it and TAB offers it', async () => {
  const s = fakeSession();
  const page = text(await run(s, 'help filter'));
  assert.ok(page.some((l) => l.startsWith('Capture filters')), page.join('\n'));
  for (const form of ['portrange N-M', 'ether host|src|dst MAC', 'greater N', 'vlan [ID]', 'tcp port 80 or 443', 'tcp[tcpflags]'])
    assert.ok(page.some((l) => l.includes(form)), `help filter lacks '${form}'`);
  assert.ok(text(await run(s, 'help')).some((l) => l.startsWith('    help filter ')));
  assert.ok(commandLayer.complete(s, 'help fi', 7).choices.some((c) => c.word === 'filter'));
  const bad = await commandLayer.execute(s, 'help filtr');
  assert.match(bad.hint, /help filter/);
});

test('completion inside a flow rule follows the rule grammar: items, fields, operators, actions', () => {
  const s = fakeSession();
  const words = (line) => commandLayer.complete(s, line, line.length).choices.map((x) => x.word);
  assert.equal(words('flow create 0 '), ['ingress', 'priority', 'group', 'pattern']);
  assert.equal(words('flow create 0 ingress pattern '), ['eth', 'vlan', 'ipv4', 'ipv6', 'udp', 'tcp', 'sctp', 'icmp', 'icmp6', 'gre', 'vxlan', 'any', 'end']);
  assert.equal(words('flow validate 0 ingress pattern eth / i'), ['ipv4', 'ipv6', 'icmp', 'icmp6']);
  assert.equal(words('flow create 0 ingress pattern eth / ipv4 / udp '), ['src', 'dst', '/', 'end']);
  assert.equal(words('flow create 0 ingress pattern eth / udp dst '), ['is', 'spec', 'mask', 'last']);
  assert.equal(words('flow create 0 ingress pattern ipv4 src '), ['is', 'spec', 'mask', 'last', 'prefix']);
  assert.equal(words('flow create 0 ingress pattern udp dst spec 5000 dst '), ['is', 'spec', 'mask', 'last']);
  assert.equal(words('flow create 0 ingress pattern udp dst is '), [], 'a value has no candidates');
  assert.equal(words('flow create 0 ingress pattern udp dst is 4789 / end '), ['actions']);
  assert.equal(words('flow create 0 ingress pattern udp / end actions '), ['queue', 'drop', 'count', 'mark', 'flag', 'rss', 'kernel', 'jump', 'passthru', 'end']);
  assert.equal(words('flow create 0 ingress pattern udp / end actions queue '), ['index']);
  assert.equal(words('flow create 0 ingress pattern udp / end actions queue index 1 '), ['/', 'end']);
  assert.is(commandLayer.complete(s, 'flow create 0 ingress pattern eth / ipv4 / udp d', 48).insert, 'dst ');
});

test("completion: 'sh' -> 'show ', command words, ports, modes, drivers, files", () => {
  const s = fakeSession();
  let c = commandLayer.complete(s, 'sh', 2);
  assert.is(c.start, 0);
  assert.is(c.insert, 'show ');
  c = commandLayer.complete(s, 's', 1);
  assert.equal(c.choices.map((x) => x.word).sort(), ['set', 'show', 'start', 'stop']);
  assert.is(c.insert, 's');
  c = commandLayer.complete(s, 'show port info ', 15);
  assert.equal(c.choices.map((x) => x.word), ['all', '0', '1']);
  c = commandLayer.complete(s, 'set fwd mac', 11);
  assert.equal(c.choices.map((x) => x.word), ['mac', 'macswap']);
  assert.is(c.insert, 'mac');
  assert.is(c.start, 8);
  c = commandLayer.complete(s, 'set fwd rx', 10);
  assert.is(c.insert, 'rxonly ');
  c = commandLayer.complete(s, 'port attach net_r', 17);
  assert.is(c.insert, 'net_ring0');
  c = commandLayer.complete(s, 'port attach net_null2,', 22);
  assert.is(c.insert, 'net_null2,size=');
  c = commandLayer.complete(s, 'show port xstats 1 ', 19);
  assert.equal(c.choices, []);
  c = commandLayer.complete(s, 'set promisc 0 o', 15);
  assert.equal(c.choices.map((x) => x.word), ['on', 'off']);
  assert.is(c.insert, 'o');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-complete-'));
  try {
    fs.writeFileSync(path.join(dir, 'setup.rsc'), 'show port summary all\n');
    fs.mkdirSync(path.join(dir, 'sub'));
    const line = `load ${dir}/se`;
    c = commandLayer.complete(s, line, line.length);
    assert.is(c.insert, `${dir}/setup.rsc `);
    const line2 = `load ${dir}/su`;
    c = commandLayer.complete(s, line2, line2.length);
    assert.is(c.insert, `${dir}/sub/`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('completion of values: interfaces after iface=, paths after file, load, run, replay start, pcap show', () => {
  const s = fakeSession();
  const words = (line) => commandLayer.complete(s, line, line.length).choices.map((x) => x.word);
  const ifaces = fs.readdirSync('/sys/class/net').sort();
  assert.ok(ifaces.includes('lo'));
  assert.equal(words('port attach net_af_packet0,iface='), ifaces.map((n) => `net_af_packet0,iface=${n}`));
  let c = commandLayer.complete(s, 'port attach net_af_packet0,iface=l', 34);
  assert.is(c.insert, 'net_af_packet0,iface=lo', 'no space: another ,key=value may follow');
  assert.ok(c.choices[0].help.startsWith('kernel interface'), c.choices[0].help);
  assert.equal(words('port attach net_af_packet0,qpairs=2,iface=lo'), ['net_af_packet0,qpairs=2,iface=lo']);
  assert.equal(words('port attach net_af_packet0,qpairs='), [], 'a number has no candidates');
  assert.ok(words('ifproxy bind 0 ').includes('lo'), 'ifproxy bind offers kernel interfaces');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-complete-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.pcap'), '');
    fs.writeFileSync(path.join(dir, 'setup.rsc'), '');
    for (const head of ['load', 'run', 'replay start', 'pcap show', 'pcap info', 'capture start 0 file', 'capture start 0 rx count 5 file']) {
      const line = `${head} ${dir}/i`;
      c = commandLayer.complete(s, line, line.length);
      assert.is(c.insert, `${dir}/in.pcap `, `'${head}' completes a path`);
    }
    const line = `port attach net_pcap0,rx_pcap=${dir}/i`;
    assert.equal(words(line), [`net_pcap0,rx_pcap=${dir}/in.pcap`]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(words('capture start 0 file x format '), ['pcap', 'pcapng']);
  assert.equal(words('capture start 0 file x count '), [], 'a count has no candidates');
  assert.ok(words('capture start 0 file x ').includes('format'), 'keywords again after a value');
});

test("'?' after 'set fwd' lists the modes with their help", () => {
  const s = fakeSession();
  for (const line of ['set fwd ', 'set fwd']) {
    const lines = text(commandLayer.describeNext(s, line, line.length));
    for (const m of MODES) assert.ok(lines.some((l) => l.trim().startsWith(m.name) && l.includes(m.help)), `${line}? lacks ${m.name}`);
  }
  const top = text(commandLayer.describeNext(s, '', 0));
  assert.ok(top.some((l) => l.trim().startsWith('show')));
  assert.ok(top.some((l) => l.trim().startsWith('quit')));
  const port = text(commandLayer.describeNext(s, 'port detach ', 12));
  assert.ok(port.some((l) => l.trim().startsWith('0 ')), port.join('\n'));
  const tx = text(commandLayer.describeNext(s, 'start tx_first ', 15));
  assert.ok(tx.some((l) => l.includes('[bursts]')));
  assert.ok(tx.some((l) => l.includes('<enter>')));
  const burst = text(commandLayer.describeNext(s, 'set burst ', 10));
  assert.ok(burst.some((l) => l.includes('(burst)') && l.includes('>= 1')), burst.join('\n'));
});

test('unknown commands: one error line naming the command, did you mean, and help', async () => {
  const s = fakeSession();
  const r = await commandLayer.execute(s, 'shwo port info all');
  assert.is(r.kind, 'error');
  assert.match(r.message, /unknown command 'shwo'/);
  assert.match(r.message, /did you mean 'show port info'/);
  const lines = commandLayer.render(r);
  assert.is(lines[0].style, 'error');
  assert.ok(lines.some((l) => l.text.includes("type 'help' for commands")));
  const r2 = await commandLayer.execute(s, 'stp');
  assert.match(r2.message, /did you mean 'stop'/);
  const r3 = await commandLayer.execute(s, 'xyzzy');
  assert.match(r3.message, /unknown command 'xyzzy'/);
  assert.not.match(r3.message, /did you mean/);
  const r4 = await commandLayer.execute(s, 'show prot info 0');
  assert.is(r4.kind, 'error');
  assert.match(r4.message, /'prot'/);
  assert.match(r4.hint, /show port/);
});

test('wrong arguments say which, what was given and what is valid', async () => {
  const s = fakeSession();
  let r = await commandLayer.execute(s, 'port config 9 rxq 2');
  assert.is(r.kind, 'error');
  assert.is(r.message, 'port 9 does not exist: valid ports are 0..1');
  r = await commandLayer.execute(s, 'set fwd warpdrive');
  assert.match(r.message, /unknown forwarding mode 'warpdrive': valid forwarding modes are io, mac, macswap/);
  r = await commandLayer.execute(s, 'set eth-peer 0 zz:00');
  assert.match(r.message, /invalid MAC address 'zz:00'/);
  r = await commandLayer.execute(s, 'set verbose 7');
  assert.match(r.message, /level 7 is out of range: valid values are 0..5/);
  r = await commandLayer.execute(s, 'set txpkts 64,x');
  assert.match(r.message, /invalid x\[,y\]\* '64,x'/);
  r = await commandLayer.execute(s, 'show port');
  assert.match(r.message, /incomplete command 'show port': expected info\|stats\|xstats, summary/);
  r = await commandLayer.execute(s, 'port detach');
  assert.match(r.message, /missing \(port_id\)/);
  r = await commandLayer.execute(s, 'stop now');
  assert.match(r.message, /too many arguments/);
  r = await commandLayer.execute(s, 'set burst 1000');
  assert.is(r.code, 'EBURST_RANGE', 'engine errors keep their code');
  assert.match(commandLayer.render(r)[0].text, /EBURST_RANGE.*burst must be 1..512/);
});

test('handlers return typed results rendered in testpmd shapes', async () => {
  const s = fakeSession();
  assert.equal(text(await run(s, 'set fwd macswap')), ['Set macswap packet forwarding mode']);
  assert.equal(text(await run(s, 'set verbose 1')), ['Change verbose level from 0 to 1']);
  assert.is(s.verbose.level, 1);
  const start = text(await run(s, 'start'));
  assert.is(start[0], 'macswap packet forwarding - ports=2 - cores=1 - streams=2 - NUMA support enabled, MP allocation mode: native');
  assert.is(start[1], 'Logical Core 1 (socket 0) forwards packets on 2 streams:');
  assert.is(start[2], '  RX P=0/Q=0 (socket 0) -> TX P=1/Q=0 (socket 0) peer=02:00:00:00:00:01');
  assert.is(start[4], '');
  assert.is(start[5], '  macswap packet forwarding packets/burst=32');
  assert.ok(start.includes('      RX threshold registers: pthresh=0 hthresh=0  wthresh=0'));
  assert.equal(text(await run(s, 'start')), ['Packet forwarding already started']);
  s.advance(219521824, 1e9);
  const fwd = text(await run(s, 'show fwd stats all'));
  assert.ok(fwd.includes('  ---------------------- Forward statistics for port 0  ----------------------'));
  assert.ok(fwd.includes('  RX-packets: 219521824      RX-dropped: 0             RX-total: 219521824'));
  assert.ok(fwd.includes('  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++'));
  assert.ok(fwd.includes(`  ${'+'.repeat(76)}`));
  const stop = text(await run(s, 'stop'));
  assert.equal(stop.slice(0, 3), ['Telling cores to stop...', 'Waiting for lcores to finish...', '']);
  assert.equal(stop.slice(-2), ['', 'Done.']);
  assert.ok(stop.includes('  TX-packets: 439043648      TX-dropped: 0             TX-total: 439043648'));
  assert.equal(text(await run(s, 'stop')), ['Packet forwarding not started']);

  const stats = text(await run(s, 'show port stats 0'));
  assert.equal(stats.slice(0, 4), ['', '  ######################## NIC statistics for port 0  ########################',
    '  RX-packets: 219521824  RX-missed: 0          RX-bytes:  14049396736', '  RX-errors: 0']);
  assert.is(stats[4], '  RX-nombuf:  0         ');
  assert.is(stats[8], '  Rx-pps:            0          Rx-bps:            0');
  assert.is(stats[10], `  ${'#'.repeat(76)}`);
  s.advance(30338726, 1e9);
  const again = text(await run(s, 'show port stats 0'));
  assert.is(again[8], '  Rx-pps:     30338726          Rx-bps:            0');

  assert.equal(text(await run(s, 'clear port stats all')), ['', '  NIC statistics for port 0 cleared', '', '  NIC statistics for port 1 cleared']);
  const sum = text(await run(s, 'show port summary all'));
  assert.equal(sum, [
    'Number of available ports: 2',
    'Port MAC Address       Name         Driver         Status   Link',
    '0    02:52:53:00:00:00 net_null0    net_null       up       10 Gbps',
    '1    02:52:53:00:00:01 net_null1    net_null       up       10 Gbps',
  ]);
  const xs = text(await run(s, 'show port xstats 0'));
  assert.is(xs[0], '###### NIC extended statistics for port 0 ');
  assert.is(xs[1], 'rx_good_packets: 249860550');
  const info = text(await run(s, 'show port info 1'));
  assert.is(info[1], '********************* Infos for port 1  *********************');
  assert.ok(info.includes('MAC address: 02:52:53:00:00:01'));
  assert.equal(text(await run(s, 'show config cores')), ['List of forwarding lcores:  1']);
});

test('port and config commands call the engine', async () => {
  const s = fakeSession();
  assert.equal(text(await run(s, 'port stop all')), ['Stopping ports...', 'Checking link statuses...', 'Done']);
  assert.equal(text(await run(s, 'port config all rxq 2')), []);
  assert.equal(text(await run(s, 'port start all')), [
    'Configuring Port 0 (socket 0)', 'Port 0: 02:52:53:00:00:00', 'Configuring Port 1 (socket 0)', 'Port 1: 02:52:53:00:00:01',
    'Checking link statuses...', 'Done',
  ]);
  await run(s, 'set promisc 1 off');
  await run(s, 'set txpkts 14,50');
  await run(s, 'start tx_first 3');
  assert.equal(s.calls.filter((c) => c[0] !== 'portStop' && c[0] !== 'portStart'), [
    ['portSetQueues', 0, 2, -1], ['portSetQueues', 1, 2, -1], ['promisc', 1, false], ['setTxpkts', [14, 50]], ['start', 3],
  ]);
});

test('load runs a file, skips comments, stops at the first error and names the line', async () => {
  const s = fakeSession();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-load-'));
  try {
    const file = path.join(dir, 'a.txt');
    fs.writeFileSync(file, '# set-up\n\nset fwd mac\nset verbose 2\nset fwd warpdrive\nset verbose 0\n');
    const r = await commandLayer.execute(s, `load ${file}`);
    assert.is(r.kind, 'script');
    assert.is(r.steps.length, 3);
    assert.equal(r.failed, { lineNo: 5, line: 'set fwd warpdrive' });
    assert.is(s.verbose.level, 2);
    const lines = text(commandLayer.render(r));
    assert.ok(lines.includes('Set mac packet forwarding mode'));
    assert.match(lines[lines.length - 1], new RegExp(`${file}:5`));
    const missing = await commandLayer.execute(s, `load ${dir}/nope`);
    assert.is(missing.kind, 'error');
    assert.match(missing.message, /no such file/);
    fs.writeFileSync(file, 'set verbose 1\nquit\nset verbose 0\n');
    const q = await commandLayer.execute(s, `load ${file}`);
    assert.is(q.kind, 'quit');
    assert.is(s.verbose.level, 1);
    assert.ok(text(q.lines).includes('Bye...'));
    const after = await commandLayer.execute(s, 'show port info 0');
    assert.is(after.code, 'ESHUTDOWN');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('execute never throws: handler exceptions become error results', async () => {
  const s = fakeSession();
  s.engine.snapshot = () => { throw new TypeError('boom'); };
  const r = await commandLayer.execute(s, 'show fwd stats all');
  assert.is(r.kind, 'error');
  assert.is(r.code, 'EINTERNAL');
  assert.equal(await commandLayer.execute(s, '   '), { kind: 'none' });
  assert.equal(await commandLayer.execute(s, '# comment'), { kind: 'none' });
  assert.is(editDistance('shwo', 'show'), 2);
});

test.run();
