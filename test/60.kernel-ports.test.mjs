// Kernel-facing ports through the real CLI, inside network namespaces made
// for each test (test/lib/netns.mjs deletes them in a finally). Needs root;
// without it each test prints why it skips, except under CI=true, where that
// is a failure.
import { test, assert } from './lib/harness.mjs';
import { ringside, nicStats } from './lib/cli.mjs';
import { skipUnlessNetns, vethPair, withNetns } from './lib/netns.mjs';

test('ping across a veth pair is answered by a net_af_packet port in icmpecho mode: 0% loss', async () => {
  if (skipUnlessNetns('af_packet icmpecho ping', [['ping', 'iputils-ping']])) return;
  await withNetns(2, async (host, rs) => {
    vethPair(host, 'rsh0', rs, 'rsp0');
    host.ip('addr', 'add', '10.9.0.2/24', 'dev', 'rsh0');
    const cli = rs.ringside(['--vdev', 'net_af_packet0,iface=rsp0', '--', '-i']);
    try {
      cli.send('port config 0 ip 10.9.0.1/24');
      cli.send('set fwd icmpecho');
      cli.send('start');
      await cli.waitFor(/icmpecho packet forwarding/);
      const ping = await host.run('ping', ['-c', '20', '-i', '0.05', '-W', '2', '10.9.0.1']);
      assert.is(ping.code, 0, `ping failed:\n${ping.stdout}${ping.stderr}`);
      assert.match(ping.stdout, / 0% packet loss/);
      // The answers came from the port's MAC, which is the interface's.
      const neigh = host.ip('neigh', 'show', '10.9.0.1', 'dev', 'rsh0');
      const mac = rs.ip('link', 'show', 'rsp0').match(/link\/ether ([0-9a-f:]{17})/)[1];
      assert.ok(neigh.includes(mac), `ARP entry ${neigh.trim()} names the port's MAC ${mac}`);
      const r = await cli.end(['stop', 'show port stats 0', 'quit']);
      assert.is(r.code, 0, r.stderr);
      const nic = nicStats(r.stdout);
      assert.ok(nic[0].rx >= 21 && nic[0].tx >= 21, `20 echo requests and an ARP request in and answered (rx ${nic[0].rx}, tx ${nic[0].tx})`);
      assert.ok(nic[0].rxBytes > 20 * 98, 'rx bytes are counted');
    } finally {
      cli.kill();
    }
  });
}, { timeoutMs: 60_000 });

test('a net_tap port makes an interface the kernel sees, and removes it on quit', async () => {
  if (skipUnlessNetns('net_tap lifecycle')) return;
  await withNetns(1, async (ns) => {
    const cli = ns.ringside(['--vdev', 'net_tap0,iface=rstap9', '--', '-i']);
    try {
      cli.send('port config mtu 0 1400');
      cli.send('show port info 0');
      await cli.waitFor(/Kernel interface: rstap9 \(ifindex \d+\)/);
      const link = ns.ip('link', 'show', 'rstap9');
      assert.match(link, /mtu 1400/, 'the MTU set through the port is the kernel interface\'s');
      assert.match(link, /<[^>]*\bUP\b/, 'a started port\'s interface is up');
      const r = await cli.end(['quit']);
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, /created by ringside; removed at close/);
      assert.not.match(ns.ip('link', 'show'), /rstap9/, 'gone after quit');
    } finally {
      cli.kill();
    }
  });
}, { timeoutMs: 60_000 });

test('net_af_packet on a missing interface is refused with ENODEV_IFACE and no port', async () => {
  // Names no interface anywhere, so this runs without root too.
  const r = await ringside(['--', '-i'], 'port attach net_af_packet0,iface=rs-nonexist9\nshow port info all\nquit\n');
  assert.is(r.code, 0, r.stderr);
  const all = r.stdout + r.stderr;
  assert.match(all, /no interface 'rs-nonexist9' in this network namespace/);
  assert.match(all, /ip link/);
  assert.not.match(r.stdout, /net_af_packet0/, 'no port was created');
});

test.run();
