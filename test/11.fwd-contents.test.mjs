// Forwarding modes checked by packet contents: a pcap file in, the engine's
// pcap file out, decoded here by independent code.
import { test, assert } from './lib/harness.mjs';
import { pcapPass } from './lib/engine.mjs';
import { writePcap, readPcap } from './lib/pcap.mjs';
import { udp4, arpRequest, icmpEcho, decode } from './lib/packets.mjs';

const io = { writePcap, readPcap };
const A = '02:00:00:00:00:0A';
const B = '02:00:00:00:00:0B';

test('io passes packets through unchanged, in order', async () => {
  const packets = [1, 2, 3, 4, 5].map((i) => udp4({ sport: 1000 + i, payload: Buffer.alloc(20 + i, i) }));
  const { out, streams } = await pcapPass({ mode: 'io', packets, ...io });
  assert.is(out.length, 5);
  out.forEach((p, i) => assert.ok(p.data.equals(packets[i]), `packet ${i} identical`));
  assert.is(streams[0].rxPackets, 5);
  assert.is(streams[0].txPackets, 5);
});

test('macswap swaps source and destination MAC and nothing else', async () => {
  const packets = [udp4({ dst: A, src: B }), udp4({ dst: B, src: A, sport: 7 })];
  const { out } = await pcapPass({ mode: 'macswap', packets, ...io });
  assert.is(out.length, 2);
  const d0 = decode(out[0].data);
  assert.is(d0.dst, B);
  assert.is(d0.src, A);
  assert.ok(out[0].data.subarray(12).equals(packets[0].subarray(12)), 'payload untouched');
  assert.is(decode(out[1].data).dst, A);
});

test('mac sets source to the port MAC and destination to the eth-peer', async () => {
  const peer = '02:11:22:33:44:55';
  const { out } = await pcapPass({
    mode: 'mac', packets: [udp4({ dst: A, src: B })], ...io,
    setup: (e) => { e.setEthPeer(0, peer); e.portSetMac(0, '02:AA:BB:CC:DD:EE'); },
  });
  const d = decode(out[0].data);
  assert.is(d.dst, peer);
  assert.is(d.src, '02:AA:BB:CC:DD:EE');
});

test('5tswap swaps MACs, IPv4 addresses and UDP ports; checksums stay valid', async () => {
  const { out } = await pcapPass({
    mode: '5tswap', packets: [udp4({ dst: A, src: B, sip: '10.1.1.1', dip: '10.2.2.2', sport: 111, dport: 222 })], ...io,
  });
  const d = decode(out[0].data);
  assert.equal([d.dst, d.src, d.ip.src, d.ip.dst, d.udp.sport, d.udp.dport], [B, A, '10.2.2.2', '10.1.1.1', 222, 111]);
  assert.ok(d.ip.checksumOk, 'IPv4 checksum');
  assert.ok(d.udp.checksumOk, 'UDP checksum');
});

test('txonly builds UDP/IPv4 packets of the txpkts length with valid checksums', async () => {
  const { out } = await pcapPass({
    mode: 'txonly', packets: [], ...io,
    setup: (e) => { e.setTxpkts([60, 40]); e.setEthPeer(0, B); },
  });
  // txonly sends until stopped; pcapPass waits for 0 received, so it stops soon.
  assert.ok(out && out.length > 0, 'txonly wrote packets');
  for (const p of out.slice(0, 50)) {
    const d = decode(p.data);
    assert.is(d.length, 100, 'length is the sum of txpkts segments');
    assert.is(d.dst, B);
    assert.is(d.ip.proto, 17);
    assert.ok(d.ip.checksumOk, 'IPv4 checksum');
    assert.ok(d.udp.checksumOk, 'UDP checksum');
    assert.is(d.ip.totalLength, 86);
  }
});

test('icmpecho answers ARP and ICMP echo for its address, and not for another', async () => {
  const portMacPlaceholder = '02:52:53:00:00:00';
  const packets = [
    arpRequest({ src: B, sip: '10.0.0.2', tip: '10.0.0.1' }),
    icmpEcho({ dst: portMacPlaceholder, src: B, sip: '10.0.0.2', dip: '10.0.0.1', id: 9, seq: 3 }),
    arpRequest({ src: B, sip: '10.0.0.2', tip: '10.0.0.99' }),
    icmpEcho({ dst: portMacPlaceholder, src: B, sip: '10.0.0.2', dip: '10.0.0.99' }),
  ];
  const { out, streams } = await pcapPass({
    mode: 'icmpecho', packets, ...io, setup: (e) => e.portAddIp(0, '10.0.0.1/24'),
  });
  assert.is(out.length, 2, 'two replies: ARP and echo for 10.0.0.1 only');
  const arp = decode(out[0].data);
  assert.is(arp.arp.op, 2);
  assert.is(arp.arp.spa, '10.0.0.1');
  assert.is(arp.arp.tpa, '10.0.0.2');
  assert.is(arp.dst, B);
  assert.is(arp.arp.tha, B);
  const echo = decode(out[1].data);
  assert.is(echo.icmp.type, 0);
  assert.equal([echo.icmp.id, echo.icmp.seq], [9, 3]);
  assert.equal([echo.ip.src, echo.ip.dst], ['10.0.0.1', '10.0.0.2']);
  assert.ok(echo.ip.checksumOk && echo.icmp.checksumOk, 'checksums valid');
  assert.is(streams[0].fwdDropped, 2, 'unanswered packets are freed and counted');
});

test('pcap port reads nanosecond big-endian files and keeps timestamps order', async () => {
  const packets = [udp4({ sport: 1 }), udp4({ sport: 2 })];
  const { out } = await pcapPass({
    mode: 'io', packets, readPcap,
    writePcap: (f, p) => writePcap(f, p, { nanosecond: true, bigEndian: true }),
  });
  assert.is(out.length, 2);
  assert.ok(out[1].tsNs >= out[0].tsNs);
  assert.ok(out[0].data.equals(packets[0]));
});

test.run();
