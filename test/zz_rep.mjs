import { writePcap } from './lib/pcap.mjs';
import { arpRequest, icmpEcho, udp4 } from './lib/packets.mjs';
import { ringside } from './lib/cli.mjs';
import { tempDir } from './lib/engine.mjs';
function mixed(n) {
  const kinds = [() => udp4({ sip: '10.0.0.1', dip: '10.0.0.2', sport: 1000, dport: 2000, payload: Buffer.alloc(10) }),
    () => icmpEcho({ sip: '10.0.0.2', dip: '10.0.0.1', id: 7, seq: 1 }), () => arpRequest('10.0.0.2', '10.0.0.1')];
  return Array.from({ length: n }, (_, i) => kinds[i % 3]());
}
const t = tempDir();
writePcap(t.file('s.pcap'), mixed(9).map((data) => ({ data })));
const f = t.file('s.pcap');
for (let i = 0; i < 40; i++) {
  const r = await ringside(['--vdev', 'net_null0', '--vdev', 'net_null1'],
    `replay start ${f} port 1 speed topspeed loop 3\nsleep 200ms\nshow replay\npcap info ${f}\npcap show ${f} count 3\n`
    + `replay start ${f} port 1 speed x0\nreplay start ${f} port 1 speed bogus\nreplay stop\nquit\n`);
  if (!/Replay of .*s\.pcap into port 1 .*: done/.test(r.stdout)) { console.log('MISS', i, r.stdout); break; }
}
t.remove();
console.log('end');
