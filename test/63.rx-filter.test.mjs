// Receive address filtering on a kernel port (net_af_packet on a veth in a
// namespace): with promiscuous mode off the port keeps broadcast, its own
// MAC, addresses from `mac_addr add` and groups from `mcast_addr add` (or
// all multicast with allmulti); the interface is asked for the same while the
// port runs and is as before once ringside exits.
import { test, assert } from './lib/harness.mjs';
import { nicStats } from './lib/cli.mjs';
import { sleep, tempDir } from './lib/engine.mjs';
import { writePcap } from './lib/pcap.mjs';
import { udp4 } from './lib/packets.mjs';
import { skipUnlessNetns, vethPair, withNetns } from './lib/netns.mjs';

const OTHER = '02:00:00:00:00:99';
const GROUP = '01:00:5e:01:02:03';

test('net_af_packet: promisc off keeps broadcast and own MAC; mac_addr/mcast_addr/allmulti admit the rest; interface put back at exit', async () => {
  if (skipUnlessNetns('rx address filter', [['tcpreplay', 'tcpreplay']])) return;
  const t = tempDir();
  await withNetns(2, async (host, rs) => {
    // No IPv6 on the new interfaces: its multicast (MLD, router solicitations) would blur the counts.
    for (const ns of [host, rs]) await ns.run('sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
    vethPair(host, 'rfh0', rs, 'rfp0');
    const own = rs.mac('rfp0');
    const send = async (dst, name) => {
      writePcap(t.file(name), Array.from({ length: 5 }, () => ({ data: udp4({ dst }) })));
      const r = await host.run('tcpreplay', ['-q', '-i', 'rfh0', t.file(name)]);
      assert.is(r.code, 0, r.stderr);
    };
    const cli = rs.ringside(['--vdev', 'net_af_packet0,iface=rfp0', '--', '-i']);
    let marks = 0;
    const step = async (cmd) => {
      const from = cli.stdout.length;
      cli.send(cmd);
      cli.send(`rx-filter-mark-${++marks}`);
      await cli.waitFor(new RegExp(`unknown command 'rx-filter-mark-${marks}'`), { from });
      return cli.stdout.slice(from).replace(/^Error ECMD_UNKNOWN: unknown command 'rx-filter-mark-[\s\S]*/m, '');
    };
    const rxCount = async () => {
      await sleep(300);  // the frames on their way through the socket ring
      return nicStats(await step('show port stats 0'))[0].rx;
    };
    try {
      await step('set promisc 0 off');
      await step('set allmulti 0 off');
      await step('set fwd rxonly');
      await step('start');
      await step('clear port stats 0');
      await send('ff:ff:ff:ff:ff:ff', 'bcast.pcap');
      await send(own, 'own.pcap');
      await send(OTHER, 'other.pcap');
      await send(GROUP, 'group.pcap');
      assert.is(await rxCount(), 10, 'broadcast and own MAC only');
      assert.equal(await step(`mac_addr add 0 ${OTHER}`), '', 'mac_addr add prints nothing, as testpmd');
      await step(`mcast_addr add 0 ${GROUP}`);
      // The interface holds the group while the port runs.
      assert.match(rs.ip('maddr', 'show', 'dev', 'rfp0'), new RegExp(GROUP));
      assert.match(await step('show port 0 macs'), new RegExp(`Number of MAC address added: 2\\n  ${own.toUpperCase()}\\n  ${OTHER.toUpperCase()}`));
      assert.match(await step('show port 0 mcast_macs'), new RegExp(`Number of Multicast MAC address added: 1\\n  ${GROUP.toUpperCase()}`));
      await step('clear port stats 0');
      await send(OTHER, 'other.pcap');
      await send(GROUP, 'group.pcap');
      assert.is(await rxCount(), 10, 'the added unicast address and the joined group');
      await step(`mcast_addr remove 0 ${GROUP}`);
      await step(`mac_addr remove 0 ${OTHER}`);
      await step('clear port stats 0');
      await send(OTHER, 'other.pcap');
      await send(GROUP, 'group.pcap');
      assert.is(await rxCount(), 0, 'removed again');
      await step('set allmulti 0 on');
      assert.match(rs.ip('-d', 'link', 'show', 'rfp0'), / allmulti [1-9]/, 'the interface counts one all-multicast user');
      assert.match(await step('show port info 0'), /Promiscuous mode: disabled\nAllmulticast mode: enabled/);
      await send(GROUP, 'group.pcap');
      assert.is(await rxCount(), 5, 'allmulti: any group');
      assert.match(await step(`mcast_addr remove 0 ${GROUP}`), /multicast address not filtered by port 0/);
      assert.match(await step(`mcast_addr add 0 ${OTHER}`), /Invalid multicast addr 02:00:00:00:00:99/);
      await step(`mcast_addr add 0 ${GROUP}`);
      const r = await cli.end(['quit']);
      assert.is(r.code, 0, r.stderr);
      // ringside gone: the interface no longer holds the group nor all-multicast.
      assert.not.match(rs.ip('maddr', 'show', 'dev', 'rfp0'), new RegExp(GROUP));
      assert.match(rs.ip('-d', 'link', 'show', 'rfp0'), / allmulti 0 /);
    } finally {
      cli.kill();
    }
  });
}, { timeoutMs: 90_000 });

test.run();
