// Software RSS and flow rules: a pcap of mixed traffic into a net_pcap port
// (whose driver feeds one rx queue) configured with 2 rx queues; a rule
// steers UDP 4789 to queue 1, a drop rule drops DNS, RSS spreads the rest.
// The per-queue split is checked against a Toeplitz hash computed here,
// independently of the engine.
import { test, assert } from './lib/harness.mjs';
import { tempDir, waitFor, sleep } from './lib/engine.mjs';
import { writePcap } from './lib/pcap.mjs';
import { udp4, arpRequest } from './lib/packets.mjs';
import { Session } from '../dist/session/session.js';
import { DEFAULT_OPTIONS } from '../dist/session/options.js';
import { commandLayer } from '../dist/commands/index.js';
import { skipUnlessNetns, vethPair, withNetns } from './lib/netns.mjs';

const KEY = Buffer.from('6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa', 'hex');

// Microsoft's ComputeHash: for each set input bit, XOR the key's 32 bits at that position.
function toeplitz(input) {
  let result = 0;
  for (let i = 0; i < input.length * 8; i++) {
    if (!(input[i >> 3] & (0x80 >> (i & 7)))) continue;
    let k = 0;
    for (let b = 0; b < 32; b++) k = (k << 1) | ((KEY[(i + b) >> 3] >> (7 - ((i + b) & 7))) & 1);
    result = (result ^ k) >>> 0;
  }
  return result >>> 0;
}

const ip4 = (s) => Buffer.from(s.split('.').map(Number));
const port2 = (n) => Buffer.from([n >> 8, n & 255]);

test('toeplitz here matches the verification suite', () => {
  const h = toeplitz(Buffer.concat([ip4('66.9.149.187'), ip4('161.142.100.80'), port2(2794), port2(1766)]));
  assert.is(h, 0x51ccc178);
});

async function withSession(packets, fn) {
  const t = tempDir();
  writePcap(t.file('in.pcap'), packets.map((data) => ({ data })));
  const s = Session.create({ ...DEFAULT_OPTIONS, vdevs: [`net_pcap0,rx_pcap=${t.file('in.pcap')}`], ethPeers: [] }, commandLayer.view);
  const run = async (line) => commandLayer.execute(s, line);
  const text = (r) => commandLayer.render(r).map((l) => l.text).join('\n');
  try {
    await fn({ s, run, text });
  } finally {
    s.shutdown();
    t.remove();
  }
}

function mixedTraffic() {
  const vxlan = [], dns = [], other = [];
  for (let i = 0; i < 100; i++) vxlan.push(udp4({ sip: `10.1.0.${i + 1}`, sport: 40000 + i, dport: 4789 }));
  for (let i = 0; i < 50; i++) dns.push(udp4({ sip: `10.2.0.${i + 1}`, sport: 30000 + i, dport: 53 }));
  const expect = [0, 0];
  for (let i = 0; i < 200; i++) {
    const sip = `10.3.${i >> 6}.${(i & 63) + 1}`, sport = 20000 + i * 7, dport = 1000 + i;
    other.push(udp4({ sip, dip: '10.0.0.2', sport, dport }));
    const h = toeplitz(Buffer.concat([ip4(sip), ip4('10.0.0.2'), port2(sport), port2(dport)]));
    expect[(h & 127) % 2]++;  // default redirection table: entry i -> queue i % 2
  }
  // Interleaved so every burst mixes the three kinds.
  const all = [];
  for (let i = 0; i < 200; i++) {
    all.push(other[i]);
    if (i < 100) all.push(vxlan[i]);
    if (i < 50) all.push(dns[i]);
  }
  return { all, expect };
}

test('rules steer UDP 4789 to queue 1, drop DNS, RSS spreads the rest: counters prove the split', async () => {
  const { all, expect } = mixedTraffic();
  await withSession(all, async ({ s, run, text }) => {
    const e = s.engine;
    assert.is((await run('port stop 0')).kind, 'message');
    const refused = await run('port config 0 rxq 2');
    assert.is(refused.code, 'EQUEUE_RANGE', 'the pcap driver feeds one queue: software queues need RSS or rules');
    assert.match(refused.message, /rss/);
    assert.is((await run('port config all rss udp')).kind, 'none');
    assert.is((await run('port config 0 rxq 2')).kind, 'none');
    let r = await run('flow validate 0 ingress pattern eth / ipv4 / udp dst is 4789 / end actions queue index 1 / count / end');
    assert.is(text(r), 'Flow rule validated');
    r = await run('flow create 0 ingress pattern eth / ipv4 / udp dst is 4789 / end actions queue index 1 / count / end');
    assert.is(text(r), 'Flow rule #0 created');
    r = await run('flow create 0 ingress pattern eth / ipv4 / udp dst is 53 / end actions drop / count / end');
    assert.is(text(r), 'Flow rule #1 created');
    assert.match(text(await run('flow list 0')), /0\t0\t0\ti--\tETH IPV4 UDP => QUEUE COUNT\n1\t0\t0\ti--\tETH IPV4 UDP => DROP COUNT/);
    await run('set fwd rxonly');
    await run('port start 0');
    assert.is((await run('start')).kind, 'fwdStart');
    await waitFor(() => {
      const x = e.portRss(0);
      return x.queues[0].packets + x.queues[1].packets + x.droppedByRules === all.length;
    }, 5000, 'every packet received or dropped');
    // Configuration is refused while the port forwards.
    const busy = await run('flow flush 0');
    assert.is(busy.code, 'EBUSY_FORWARDING');
    assert.is((await run('port config 0 rss none')).code, 'EBUSY_FORWARDING');
    await run('stop');
    const x = e.portRss(0);
    assert.is(x.driverQueues, 1);
    assert.is(x.queues[0].packets, expect[0], `queue 0: RSS share ${expect[0]}`);
    assert.is(x.queues[1].packets, 100 + expect[1], `queue 1: 100 VXLAN + RSS share ${expect[1]}`);
    assert.is(x.queues[1].steeredIn, 100 + expect[1]);
    assert.is(x.droppedByRules, 50);
    assert.is(x.rxMissed, 0);
    assert.ok(expect[0] > 50 && expect[1] > 50, `the hash spreads: ${expect}`);
    const stats = e.snapshot().ports[0];
    assert.equal(stats.rxq.map((q) => q.packets), [expect[0], 100 + expect[1]]);
    assert.is(text(await run('flow query 0 0 count')), `COUNT:\n hits_set: 1\n bytes_set: 1\n hits: 100\n bytes: ${100 * all[1].length}`);
    assert.match(text(await run('flow query 0 1 count')), / hits: 50\n/);
    const shown = text(await run('show port 0 rss'));
    assert.match(shown, /RSS types: udp/);
    assert.match(shown, /RX queues: 2 \(1 fed by the driver, 1 software\)/);
    assert.match(shown, /Dropped by rules: 50/);
    assert.match(shown, /RETA: 0 1 \(repeated, 128 entries\)/);
    assert.is(e.snapshot().pool.inUse, 0, 'every mbuf is back in the pool');
    assert.is(text(await run('flow destroy 0 rule 1')), 'Flow rule #1 destroyed');
    assert.is((await run('flow destroy 0 rule 1')).code, 'EFLOW_RULE');
    await run('flow flush 0');
    assert.is(e.flowList(0).length, 0);
  });
});

test('a drop rule drops exactly the matching packets; the rest stay on queue 0 without RSS', async () => {
  const packets = [];
  for (let i = 0; i < 60; i++) packets.push(i % 3 === 0 ? udp4({ sip: '192.168.7.9', sport: i }) : udp4({ sip: '10.9.9.9', sport: i }));
  packets.push(arpRequest());
  await withSession(packets, async ({ s, run }) => {
    await run('port stop 0');
    const r = await run('flow create 0 ingress pattern ipv4 src spec 192.168.7.0 src mask 255.255.255.0 / end actions drop / count / end');
    assert.is(r.kind, 'message', JSON.stringify(r));
    await run('set fwd rxonly');
    await run('port start 0');
    await run('start');
    await waitFor(() => s.engine.portRss(0).queues[0].packets + s.engine.portRss(0).droppedByRules === packets.length, 5000, 'all seen');
    await sleep(20);
    await run('stop');
    const x = s.engine.portRss(0);
    assert.is(x.droppedByRules, 20);
    assert.is(x.queues[0].packets, 41);
    assert.is(s.engine.flowQuery(0, 0).hits, 20);
    assert.is(s.engine.snapshot().pool.inUse, 0);
  });
});

test('a range (spec .. last, testpmd\'s `last`) drops exactly the ports inside it', async () => {
  const packets = Array.from({ length: 40 }, (_, i) => udp4({ dport: 4990 + i }));  // 4990..5029
  await withSession(packets, async ({ s, run, text }) => {
    await run('port stop 0');
    const r = await run('flow create 0 ingress pattern eth / ipv4 / udp dst spec 5000 dst last 5009 / end actions drop / count / end');
    assert.is(text(r), 'Flow rule #0 created');
    await run('set fwd rxonly');
    await run('port start 0');
    await run('start');
    await waitFor(() => s.engine.portRss(0).queues[0].packets + s.engine.portRss(0).droppedByRules === packets.length, 5000, 'all seen');
    await run('stop');
    assert.is(s.engine.portRss(0).droppedByRules, 10, 'ports 5000..5009, both ends included');
    assert.is(s.engine.flowQuery(0, 0).hits, 10);
    assert.is(s.engine.snapshot().pool.inUse, 0);
  });
});

test('rules that cannot apply are refused at validate and create with the reason', async () => {
  await withSession([udp4()], async ({ run }) => {
    const cases = [
      ['flow create 0 ingress pattern eth / ipv4 / udp dst is 4789 / end actions queue index 1 / end', 'EFLOW_QUEUE', /queue index 1 is out of range: port 0 has 1 rx queue/],
      ['flow validate 0 ingress pattern eth / ipv4 / udp port is 4789 / end actions drop / end', 'EFLOW_SYNTAX', /item 'udp' has no field 'port': its fields are src, dst/],
      ['flow validate 0 ingress pattern eth / gtp / end actions drop / end', 'EFLOW_SYNTAX', /unknown pattern item 'gtp'/],
      ['flow validate 0 ingress pattern eth / ipv6 / icmp / end actions drop / end', 'EFLOW_PATTERN', /after ipv6 write icmp6/],
      ['flow validate 0 ingress pattern udp / ipv4 / end actions drop / end', 'EFLOW_PATTERN', /cannot follow/],
      ['flow validate 0 ingress pattern eth / end actions queue index 0 / drop / end', 'EFLOW_ACTION', /conflicts/],
      ['flow validate 0 ingress pattern eth / end actions kernel / end', 'EFLOW_KERNEL', /kni create 0/],
      ['flow validate 0 ingress pattern ipv4 src is 10.0.0.300 / end actions drop / end', 'EFLOW_VALUE', /not an IPv4 address/],
      ['flow validate 0 group 2 ingress pattern eth / end actions jump group 1 / end', 'EFLOW_ACTION', /jump group 1 must be above the rule's group 2/],
      ['flow validate 0 ingress pattern eth / end actions drop', 'EFLOW_SYNTAX', /not closed/],
      ['flow validate 0 ingress pattern udp dst last 10 / end actions drop / end', 'EFLOW_SYNTAX', /has a mask or last but no value/],
      ['flow validate 0 ingress pattern udp dst spec 20 dst last 10 / end actions drop / end', 'EFLOW_VALUE', /last is below its spec/],
      ['flow query 0 9 count', 'EFLOW_RULE', /no flow rule 9/],
      ['port config 0 rss reta (0,5)', 'ERETA', null],
    ];
    for (const [line, code, re] of cases) {
      const r = await run(line);
      assert.is(r.code, code, `${line}: ${JSON.stringify(r)}`);
      if (re) assert.match(r.message, re);
    }
    assert.is((await run('flow create 0 ingress pattern eth / end actions count / end')).kind, 'message');
    assert.is((await run('port stop 0')).kind, 'message');
    assert.is((await run('port config 0 rss reta (0,0,0)')).kind, 'none');
  });
});

// Sends, from fixed source ports, COUNT datagrams to ADDR: SPEC is a JSON
// list of [sport, dport] pairs, one datagram each.
const UDP_SEND = `
const s = require('dgram'), pairs = JSON.parse(process.argv[2]);
let left = pairs.length;
for (const [sport, dport] of pairs) {
  const u = s.createSocket('udp4');
  u.bind(sport, () => u.send('x', dport, process.argv[1], () => { u.close(); --left || process.exit(0); }));
}`;

for (const driver of ['net_af_packet', 'net_af_xdp']) {
  test(`on a kernel port (${driver} on veth): UDP 4789 to queue 1, DNS dropped, RSS spreads the rest, exactly`, async () => {
    if (skipUnlessNetns(`flow rules on ${driver}`)) return;
    await withNetns(2, async (host, rs) => {
      // No IPv6 chatter: every packet the port sees is one sent here.
      for (const ns of [host, rs]) await ns.run('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      vethPair(host, 'rsh0', rs, 'rsp0');
      host.ip('addr', 'add', '10.9.1.2/24', 'dev', 'rsh0');
      host.ip('neigh', 'add', '10.9.1.1', 'lladdr', rs.mac('rsp0'), 'dev', 'rsh0');  // rxonly answers no ARP
      const vxlan = Array.from({ length: 20 }, (_, i) => [41000 + i, 4789]);
      const dns = Array.from({ length: 10 }, (_, i) => [42000 + i, 53]);
      const other = Array.from({ length: 40 }, (_, i) => [43000 + i, 5000 + i]);
      const expect = [0, 0];
      for (const [sport, dport] of other) {
        expect[(toeplitz(Buffer.concat([ip4('10.9.1.2'), ip4('10.9.1.1'), port2(sport), port2(dport)])) & 127) % 2]++;
      }
      const cli = rs.ringside(['--vdev', `${driver}0,iface=rsp0`, '--', '-i']);
      try {
        for (const line of ['port stop 0', 'port config 0 rss udp', 'port config 0 rxq 2',
          'flow create 0 ingress pattern eth / ipv4 / udp dst is 4789 / end actions queue index 1 / count / end',
          'flow create 0 ingress pattern eth / ipv4 / udp dst is 53 / end actions drop / count / end',
          'set fwd rxonly', 'port start 0', 'start']) cli.send(line);
        await cli.waitFor(/Flow rule #1 created/);
        await cli.waitFor(/RX queue number: 2 Tx queue number: 1/);  // forwarding started
        const sent = await host.run(process.execPath, ['-e', UDP_SEND, '10.9.1.1', JSON.stringify([...vxlan, ...dns, ...other])]);
        assert.is(sent.code, 0, sent.stderr);
        await sleep(300);
        const r = await cli.end(['stop', 'flow query 0 0 count', 'flow query 0 1 count', 'show port 0 rss', 'quit']);
        assert.is(r.code, 0, r.stderr);
        const hits = [...r.stdout.matchAll(/ hits: (\d+)\n/g)].map((m) => Number(m[1]));
        assert.equal(hits, [20, 10], 'exactly the 20 UDP 4789 and the 10 DNS datagrams hit their rules');
        assert.match(r.stdout, /RX queues: 2 \(1 fed by the driver, 1 software\)/);
        assert.match(r.stdout, /Dropped by rules: 10 /);
        const q = [...r.stdout.matchAll(/^\s+(\d)\s+(driver|software)\s+(\d+)/gm)].map((m) => Number(m[3]));
        assert.equal(q, [expect[0], 20 + expect[1]], `queue 0: RSS share ${expect[0]}; queue 1: 20 steered + RSS share ${expect[1]}`);
        assert.ok(expect[0] > 5 && expect[1] > 5, `the hash spreads the other flows: ${expect}`);
      } finally {
        cli.kill();
      }
    });
  }, { timeoutMs: 60_000 });
}

test('flow isolate, groups with jump, passthru, list by group, vxlan item; RSS types as testpmd spells them', async () => {
  const { all } = mixedTraffic();  // 200 other UDP, 100 to 4789, 50 to 53
  await withSession(all, async ({ s, run, text }) => {
    const e = s.engine;
    await run('port stop 0');
    assert.is((await run('port config all rss ipv4-udp')).kind, 'none');
    assert.match(text(await run('show port 0 rss')), /RSS types: ipv4-udp/);
    const bad = await run('port config all rss ipv4-sctpx');
    assert.match(bad.message, /unknown rss type 'ipv4-sctpx': valid rss types are all, ip, udp, tcp, none, ipv4, ipv6, ipv4-tcp/);
    await run('port config 0 rxq 2');
    const create = async (rule) => text(await run(`flow create 0 ${rule}`));
    assert.is(await create('ingress pattern eth / ipv4 / udp dst is 53 / end actions count / passthru / end'), 'Flow rule #0 created');
    assert.is(await create('ingress pattern eth / ipv4 / udp dst is 4789 / end actions jump group 1 / end'), 'Flow rule #1 created');
    assert.is(await create('group 1 ingress pattern eth / ipv4 / udp / vxlan / end actions queue index 1 / count / end'), 'Flow rule #2 created');
    assert.is(await create('ingress pattern eth / ipv4 / udp dst is 53 / end actions queue index 1 / end'), 'Flow rule #3 created');
    assert.match((await run('flow create 0 group 1 ingress pattern eth / end actions jump group 1 / end')).message, /must be above the rule's group 1/);
    const group1 = text(await run('flow list 0 group 1'));
    assert.match(group1, /^2\t1\t0\ti--\tETH IPV4 UDP VXLAN => QUEUE COUNT$/m);
    assert.not.match(group1, /^[013]\t/m, 'only group 1 is listed');
    assert.is(text(await run('flow isolate 0 on')), 'Ingress traffic on port 0 is now restricted to the defined flow rules');
    await run('set fwd rxonly');
    await run('port start 0');
    await run('start');
    await waitFor(() => {
      const x = e.portRss(0);
      return x.queues[0].packets + x.queues[1].packets + x.droppedByRules === all.length;
    }, 5000, 'every packet received or dropped');
    await run('stop');
    const x = e.portRss(0);
    assert.is(x.queues[1].packets, 150, 'VXLAN after the jump, DNS after passthru');
    assert.is(x.queues[0].packets, 0);
    assert.is(x.droppedByRules, 200, 'isolated: what no rule takes is dropped');
    assert.match(text(await run('flow query 0 0 count')), / hits: 50\n/);
    assert.match(text(await run('flow query 0 2 count')), / hits: 100\n/);
    await run('port stop 0');
    assert.is(text(await run('flow isolate 0 off')), 'Ingress traffic on port 0 is not restricted anymore to the defined flow rules');
  });
});

test.run();
