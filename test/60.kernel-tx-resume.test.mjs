// A kernel that refuses a kick (the link's carrier down, the peer's backlog
// full) leaves the tx ring's frames requested: txonly on net_af_packet and
// net_af_xdp must keep kicking while its ring is full, so that sending
// resumes by itself once the peer's link is back. Before the fix a full
// TPACKET ring was never kicked again and the port sent nothing until
// restarted. Namespaces of their own (test/lib/netns.mjs); needs root,
// skips with the reason otherwise (a failure under CI=true).
import { test, assert } from './lib/harness.mjs';
import { skipUnlessNetns, vethPair, withNetns } from './lib/netns.mjs';

const rxPackets = (ns, dev) => JSON.parse(ns.ip('-s', '-j', 'link', 'show', dev))[0].stats64.rx.packets;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const driver of ['net_af_packet', 'net_af_xdp']) {
  test(`${driver}: txonly fills its ring while the peer's link is down and sends again, unrestarted, once it is up`, async () => {
    if (skipUnlessNetns(`${driver} tx resume`)) return;
    await withNetns(2, async (host, rs) => {
      vethPair(host, 'rh0', rs, 'rp0');
      host.ip('link', 'set', 'rh0', 'down');  // rp0 loses its carrier: every kick is refused
      const cli = rs.ringside(['--vdev', `${driver}0,iface=rp0`, '--', '-i']);
      try {
        cli.send('set fwd txonly');
        cli.send('start');
        await cli.waitFor(/txonly packet forwarding/);
        await sleep(500);  // long enough to fill the ring many times over
        assert.is(rxPackets(host, 'rh0'), 0, 'nothing can arrive while the link is down');
        host.ip('link', 'set', 'rh0', 'up');
        let arrived = 0;
        for (const end = Date.now() + 5000; arrived < 10_000 && Date.now() < end; await sleep(50)) arrived = rxPackets(host, 'rh0');
        assert.ok(arrived >= 10_000, `the peer received ${arrived} packets within 5 s of its link coming up (want 10000 or more)`);
        const { code } = await cli.end(['stop', 'quit']);
        assert.is(code, 0);
      } finally {
        cli.kill();
      }
    });
  });
}
test.run();
