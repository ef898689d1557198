// Replay into a port while forwarding sends on every one of its tx queues
// (namespaces of their own, test/lib/netns.mjs): net_af_packet and
// net_af_xdp ports have a spare tx queue for it, so a pcap goes out beside
// the forwarded traffic and both arrive. Needs root; skips with the reason otherwise (a failure under CI=true).
import { test, assert } from './lib/harness.mjs';
import { nicStats } from './lib/cli.mjs';
import { sleep, tempDir } from './lib/engine.mjs';
import { skipUnlessNetns, vethPair, withNetns } from './lib/netns.mjs';
import { writePcap } from './lib/pcap.mjs';
import { udp4 } from './lib/packets.mjs';

// Counts UDP datagrams to ADDR:PORT by source port; prints the counts as
// JSON on SIGTERM.
const UDP_SINK = `
const s = require('dgram').createSocket('udp4'), bySport = {};
s.on('message', (m, from) => { bySport[from.port] = (bySport[from.port] ?? 0) + 1; });
s.bind(Number(process.argv[2]), process.argv[1], () => console.log('listening'));
process.on('SIGTERM', () => { console.log(JSON.stringify(bySport)); process.exit(0); });`;

// Sends COUNT datagrams from source port SPORT to ADDR:PORT, one a millisecond.
const UDP_SOURCE = `
const [addr, port, sport, count] = [process.argv[1], ...process.argv.slice(2).map(Number)];
const s = require('dgram').createSocket('udp4');
s.bind(sport, () => {
  let n = 0;
  const t = setInterval(() => { s.send(Buffer.alloc(18), port, addr); if (++n === count) { clearInterval(t); setTimeout(() => s.close(), 50); } }, 1);
});`;

const COUNT = 300;
const FORWARDED_SPORT = 6000;
const REPLAYED_SPORT = 7000;

for (const driver of ['net_af_packet', 'net_af_xdp']) test(`${driver}: replay into a port whose only tx queue forwards: the pcap and the forwarded datagrams both arrive`, async () => {
  if (skipUnlessNetns('replay beside forwarding', [['ethtool', 'ethtool']])) return;
  const t = tempDir();
  await withNetns(3, async (a, rs, b) => {
    vethPair(a, 'ra0', rs, 'rp0');
    vethPair(rs, 'rp1', b, 'rb0');
    a.ip('addr', 'add', '10.9.3.1/24', 'dev', 'ra0');
    b.ip('addr', 'add', '10.9.3.2/24', 'dev', 'rb0');
    // Complete UDP checksums in the bytes (see 61.kernel-forwarding: veth's offload leaves partial ones).
    assert.is((await a.run('ethtool', ['-K', 'ra0', 'tx', 'off'])).code, 0);
    // The replayed datagrams: as a would send them to b, from another source port.
    const frame = udp4({ src: a.mac('ra0'), dst: b.mac('rb0'), sip: '10.9.3.1', dip: '10.9.3.2', sport: REPLAYED_SPORT, dport: 5001 });
    const file = t.file('udp.pcap');
    writePcap(file, Array.from({ length: COUNT }, () => ({ data: frame })));

    const cli = rs.ringside(['--vdev', `${driver}0,iface=rp0`, '--vdev', `${driver}1,iface=rp1`, '--', '-i']);
    const sink = b.background(process.execPath, ['-e', UDP_SINK, '10.9.3.2', '5001']);
    try {
      cli.send('set fwd io');
      cli.send('start');
      await cli.waitFor(/io packet forwarding/);
      while (!sink.output().includes('listening')) await sleep(20);
      // Forwarding sends on tx queue 0 of port 1, its only one: replay takes the spare.
      cli.send(`replay start ${file} port 1 speed pps 1000`);
      await cli.waitFor(/Replaying .* into port 1 \(tx queue 1, /);
      const sent = await a.run(process.execPath, ['-e', UDP_SOURCE, '10.9.3.2', '5001', String(FORWARDED_SPORT), String(COUNT)]);
      assert.is(sent.code, 0, `the sender failed: ${sent.stderr}`);
      await cli.waitFor(/replay of .*udp\.pcap into port 1 done/i, { timeoutMs: 20_000 });
      await sleep(200);
      sink.child.kill('SIGTERM');
      await sink.exited;
      const got = JSON.parse(sink.output().split('\n').find((l) => l.startsWith('{')));
      const r = await cli.end(['stop', 'show port info 1', 'show port stats all', 'show port xstats all', 'quit']);
      assert.is(r.code, 0, r.stderr);
      assert.is(got[REPLAYED_SPORT], COUNT, `every replayed datagram arrived (${JSON.stringify(got)})`);
      assert.is(got[FORWARDED_SPORT], COUNT, `every forwarded datagram arrived (${JSON.stringify(got)})`);
      // Port 1 sent both: the forwarded datagrams (and a's ARP) and the replay, counted in its totals.
      assert.ok(nicStats(r.stdout)[1].tx >= 2 * COUNT, `port 1 counted both (${nicStats(r.stdout)[1].tx} sent)`);
      if (driver === 'net_af_xdp') assert.match(r.stdout, /spare tx queue: a packet socket's TPACKET_V3 ring/, 'the spare is a packet socket beside the XDP socket');
    } finally {
      sink.child.kill();
      cli.kill();
    }
  });
  t.remove();
}, { timeoutMs: 60_000 });

test.run();
