// Kernel-facing ports through the real CLI, inside network namespaces made
// for each test (test/lib/netns.mjs deletes them in a finally). Needs root;
// without it each test prints why it skips, except under CI=true, where that
// is a failure.
import { test, assert } from './lib/harness.mjs';
import { ringside, nicStats } from './lib/cli.mjs';
import { sleep, tempDir, waitFor } from './lib/engine.mjs';
import { readPcap } from './lib/pcap.mjs';
import { decode } from './lib/packets.mjs';
import { skipUnlessNetns, vethPair, withNetns } from './lib/netns.mjs';

// tcpdump in `ns` on `ifname` writing ICMP to a pcap: resolves, once it
// listens, to stop(), which ends it and returns the captured frames.
async function captureIcmp(ns, ifname, file) {
  const tcpdump = ns.background('tcpdump', ['-i', ifname, '--immediate-mode', '-U', '-Z', 'root', '-w', file, 'icmp']);
  await waitFor(() => /listening on/.test(tcpdump.output()), 10_000, `tcpdump listening: ${tcpdump.output()}`);
  return async () => {
    await sleep(200);  // the last reply still on its way through tcpdump's ring
    tcpdump.child.kill('SIGINT');
    await tcpdump.exited;
    return readPcap(file, { partialTail: true }).packets.map((p) => decode(p.data));
  };
}

for (const driver of ['net_af_packet', 'net_af_xdp']) {
  test(`ping across a veth pair is answered by a ${driver} port in icmpecho mode: 0% loss, correct checksums`, async () => {
    if (skipUnlessNetns(`${driver} icmpecho ping`, [['ping', 'iputils-ping'], ['tcpdump', 'tcpdump']])) return;
    const t = tempDir();
    await withNetns(2, async (host, rs) => {
      vethPair(host, 'rsh0', rs, 'rsp0');
      host.ip('addr', 'add', '10.9.0.2/24', 'dev', 'rsh0');
      const cli = rs.ringside(['--vdev', `${driver}0,iface=rsp0`, '--', '-i']);
      try {
        cli.send('port config 0 ip 10.9.0.1/24');
        cli.send('set fwd icmpecho');
        cli.send('start');
        await cli.waitFor(/icmpecho packet forwarding/);
        const stopCapture = await captureIcmp(host, 'rsh0', t.file('icmp.pcap'));
        const ping = await host.run('ping', ['-c', '20', '-i', '0.05', '-W', '2', '10.9.0.1']);
        const captured = await stopCapture();
        assert.is(ping.code, 0, `ping failed:\n${ping.stdout}${ping.stderr}`);
        assert.match(ping.stdout, / 0% packet loss/);
        // The replies as they arrived at the host, checksums recomputed here.
        const replies = captured.filter((d) => d.icmp?.type === 0);
        assert.is(replies.length, 20, `20 echo replies captured (${captured.length} ICMP frames)`);
        for (const d of replies) {
          assert.ok(d.ip.checksumOk && d.icmp.checksumOk, `reply seq ${d.icmp.seq}: IPv4 and ICMP checksums are correct`);
          assert.is(d.ip.src, '10.9.0.1');
        }
        // The answers came from the port's MAC, which is the interface's.
        const neigh = host.ip('neigh', 'show', '10.9.0.1', 'dev', 'rsh0');
        const mac = rs.mac('rsp0');
        assert.ok(neigh.includes(mac), `ARP entry ${neigh.trim()} names the port's MAC ${mac}`);
        assert.ok(replies.every((d) => d.src === mac.toUpperCase()), 'every reply comes from the port\'s MAC');
        const r = await cli.end(['stop', 'show port stats 0', 'quit']);
        assert.is(r.code, 0, r.stderr);
        const nic = nicStats(r.stdout);
        assert.ok(nic[0].rx >= 21 && nic[0].tx >= 21, `20 echo requests and an ARP request in and answered (rx ${nic[0].rx}, tx ${nic[0].tx})`);
        assert.ok(nic[0].rxBytes > 20 * 98, 'rx bytes are counted');
      } finally {
        cli.kill();
      }
    });
    t.remove();
  }, { timeoutMs: 60_000 });
}

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
