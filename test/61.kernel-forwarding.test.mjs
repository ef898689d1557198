// Real traffic forwarded by ringside between kernel interfaces, each test in
// namespaces of its own (test/lib/netns.mjs): a TCP transfer across ringside
// in io mode, and net_af_xdp sharing a multi-queue veth with the kernel.
// Needs root; skips with the reason otherwise (a failure under CI=true).
import { randomBytes, createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { test, assert } from './lib/harness.mjs';
import { nicStats } from './lib/cli.mjs';
import { sleep, tempDir } from './lib/engine.mjs';
import { skipUnlessNetns, vethPair, withNetns } from './lib/netns.mjs';

// Receives one TCP connection on ADDR:PORT and prints its byte count and
// SHA-256 as JSON when the sender closes.
const TCP_SINK = `
const net = require('net'), h = require('crypto').createHash('sha256');
let bytes = 0;
const srv = net.createServer((s) => {
  s.on('data', (d) => { h.update(d); bytes += d.length; });
  s.on('end', () => { console.log(JSON.stringify({ bytes, sha256: h.digest('hex') })); s.end(); srv.close(); });
});
srv.listen(Number(process.argv[2]), process.argv[1], () => console.log('listening'));`;

// Sends the file argv[3] to ADDR:PORT and exits once the connection closed.
const TCP_SOURCE = `
const net = require('net'), fs = require('fs');
const s = net.connect(Number(process.argv[2]), process.argv[1], () => fs.createReadStream(process.argv[3]).pipe(s));
s.on('error', (e) => { console.error(e.message); process.exit(1); });
s.on('close', () => process.exit(0));`;

// The sending veths must compute TCP checksums themselves. veth advertises
// tx checksum offload (and TSO on top of it), so the kernel hands it
// segments whose checksum field holds only the pseudo-header sum
// (CHECKSUM_PARTIAL), trusting the skb to carry that state to the receiving
// socket. A frame that AF_PACKET or AF_XDP reads and ringside writes out
// again is a new packet without that state: the receiver sees a wrong
// checksum and drops it, and not even the handshake completes (tried: the
// transfer times out). `ethtool -K DEV tx off` (which also turns TSO off, so
// no frame exceeds the MTU) puts complete checksums in the bytes, as on a
// wire between real NICs.
async function fullChecksums(ns, ifname) {
  const r = await ns.run('ethtool', ['-K', ifname, 'tx', 'off']);
  if (r.code !== 0) throw new Error(`ethtool -K ${ifname} tx off failed: ${r.stderr}`);
}

for (const driver of ['net_af_packet', 'net_af_xdp']) {
  test(`a 2 MiB TCP transfer through ringside in io mode between two veth pairs (${driver}) arrives intact`, async () => {
    if (skipUnlessNetns(`TCP through ${driver}`, [['ethtool', 'ethtool']])) return;
    const t = tempDir();
    const data = randomBytes(2 << 20);
    writeFileSync(t.file('data'), data);
    await withNetns(3, async (a, rs, b) => {
      vethPair(a, 'ra0', rs, 'rp0');
      vethPair(rs, 'rp1', b, 'rb0');
      a.ip('addr', 'add', '10.9.2.1/24', 'dev', 'ra0');
      b.ip('addr', 'add', '10.9.2.2/24', 'dev', 'rb0');
      await fullChecksums(a, 'ra0');
      await fullChecksums(b, 'rb0');
      const cli = rs.ringside(['--vdev', `${driver}0,iface=rp0`, '--vdev', `${driver}1,iface=rp1`, '--', '-i']);
      const sink = b.background(process.execPath, ['-e', TCP_SINK, '10.9.2.2', '5001']);
      try {
        cli.send('set fwd io');
        cli.send('start');
        await cli.waitFor(/io packet forwarding/);
        while (!sink.output().includes('listening')) await sleep(20);
        const sent = await a.run(process.execPath, ['-e', TCP_SOURCE, '10.9.2.2', '5001', t.file('data')], { timeoutMs: 30_000 });
        assert.is(sent.code, 0, `the sender failed: ${sent.stderr}`);
        await sink.exited;
        const got = JSON.parse(sink.output().split('\n').find((l) => l.startsWith('{')));
        assert.is(got.bytes, data.length, 'every byte arrived');
        assert.is(got.sha256, createHash('sha256').update(data).digest('hex'), 'the bytes are the ones sent');
        const r = await cli.end(['stop', 'show port stats all', 'quit']);
        assert.is(r.code, 0, r.stderr);
        const nic = nicStats(r.stdout);
        // 2 MiB in segments of at most 1448 bytes went a -> b through port 0 -> port 1.
        assert.ok(nic[0].rx >= (2 << 20) / 1448 && nic[1].tx >= (2 << 20) / 1448, `data segments forwarded (port 0 rx ${nic[0].rx}, port 1 tx ${nic[1].tx})`);
        assert.ok(nic[1].rx > 0 && nic[0].tx > 0, 'acknowledgements forwarded back');
      } finally {
        sink.child.kill();
        cli.kill();
      }
    });
    t.remove();
  }, { timeoutMs: 90_000 });
}

// Counts UDP datagrams to ADDR:PORT by source port; prints the counts as
// JSON on SIGTERM.
const UDP_SINK = `
const s = require('dgram').createSocket('udp4'), bySport = {};
s.on('message', (m, from) => { bySport[from.port] = (bySport[from.port] ?? 0) + 1; });
s.bind(Number(process.argv[2]), process.argv[1], () => console.log('listening'));
process.on('SIGTERM', () => { console.log(JSON.stringify(bySport)); process.exit(0); });`;

// FLOWS sockets (one flow each) send PER datagrams each to ADDR:PORT.
const UDP_FLOWS = `
const dgram = require('dgram');
const [addr, port, flows, per] = [process.argv[1], ...process.argv.slice(2).map(Number)];
let left = flows;
for (let f = 0; f < flows; f++) {
  const s = dgram.createSocket('udp4');
  s.bind(20000 + f, () => {
    let n = 0;
    const next = () => (n++ < per ? s.send('flow', port, addr, next) : (s.close(), --left || process.exit(0)));
    next();
  });
}`;

test('net_af_xdp on queue 1 of a two-queue veth: queue 0 stays with the kernel socket, queue 1 is counted by ringside', async () => {
  if (skipUnlessNetns('net_af_xdp queue split')) return;
  const FLOWS = 64, PER = 4;
  await withNetns(2, async (host, rs) => {
    vethPair(host, 'rsh0', rs, 'rsp0', { queues: 2 });
    host.ip('addr', 'add', '10.9.3.2/24', 'dev', 'rsh0');
    rs.ip('addr', 'add', '10.9.3.1/24', 'dev', 'rsp0');
    // Neither side answers ARP reliably while half its queues go to ringside.
    host.ip('neigh', 'add', '10.9.3.1', 'lladdr', rs.mac('rsp0'), 'dev', 'rsh0');
    const sink = rs.background(process.execPath, ['-e', UDP_SINK, '10.9.3.1', '7777']);
    const cli = rs.ringside(['--vdev', 'net_af_xdp0,iface=rsp0,start_queue=1,queue_count=1', '--', '-i']);
    try {
      for (const line of ['flow create 0 ingress pattern eth / ipv4 / udp dst is 7777 / end actions count / end',
        'set fwd rxonly', 'start', 'show port info 0']) cli.send(line);
      await cli.waitFor(/queues kept by the kernel: 0\n/);
      assert.match(cli.stdout, /queues redirected: 1\n/);
      while (!sink.output().includes('listening')) await sleep(20);
      // The sender's veth picks a tx queue per flow by hash, and veth hands
      // tx queue i to its peer's rx queue i: flows spread over both queues.
      const sent = await host.run(process.execPath, ['-e', UDP_FLOWS, '10.9.3.1', '7777', String(FLOWS), String(PER)]);
      assert.is(sent.code, 0, sent.stderr);
      await sleep(500);
      sink.child.kill('SIGTERM');
      await sink.exited;
      const bySport = JSON.parse(sink.output().split('\n').find((l) => l.startsWith('{')));
      const r = await cli.end(['stop', 'flow query 0 0 count', 'quit']);
      assert.is(r.code, 0, r.stderr);
      const toKernel = Object.values(bySport).reduce((x, y) => x + y, 0);
      const toRingside = Number(r.stdout.match(/ hits: (\d+)\n/)[1]);
      assert.is(toKernel + toRingside, FLOWS * PER, `every datagram went to one of them (kernel ${toKernel}, ringside ${toRingside})`);
      assert.ok(toKernel > 0, 'queue 0\'s flows reached the kernel socket');
      assert.ok(toRingside > 0, 'queue 1\'s flows were taken by ringside');
      assert.ok(Object.values(bySport).every((n) => n === PER), 'a flow stays on its queue: the kernel got all of a flow or none');
      assert.not.match(rs.ip('link', 'show', 'rsp0'), /xdp/, 'the XDP program is gone after quit');
    } finally {
      sink.child.kill();
      cli.kill();
    }
  });
}, { timeoutMs: 60_000 });

test.run();
