// KNI through the real CLI, after DPDK's KNI test plan, in namespaces made
// for each test: the interface appears in `ip link`, goes up/down, takes
// IPv4/IPv6 addresses and an MTU; a host on the far side of the port pings an
// address on it (IPv4 and IPv6) with no loss while a wrong address gets no
// reply; tcpdump on it sees the packets; its kernel counters match ringside's;
// a rejected MTU change is put back. Root-only: skips with a reason otherwise
// (a failure under CI=true).
import { spawn } from 'node:child_process';
import { test, assert } from './lib/harness.mjs';
import { skipUnlessNetns, vethPair, withNetns } from './lib/netns.mjs';
import { MAIN, fwdStats } from './lib/cli.mjs';
import { tempDir, waitFor } from './lib/engine.mjs';
import { writeFileSync } from 'node:fs';

function kniStats(text) {
  const all = [...text.matchAll(/RX-packets \(to kernel\):\s+(\d+)\s+RX-bytes: (\d+)\s+RX-dropped: (\d+)\s+TX-packets \(from kernel\): (\d+)\s+TX-bytes: (\d+)\s+TX-dropped: (\d+)/g)];
  const m = all[all.length - 1];
  return { rx: +m[1], rxBytes: +m[2], rxDropped: +m[3], tx: +m[4], txBytes: +m[5], txDropped: +m[6] };
}

function kernelStats(ns, dev) {
  const j = JSON.parse(ns.ip('-s', '-j', 'link', 'show', dev))[0].stats64;
  return { rx: j.rx.packets, tx: j.tx.packets };
}

// The port's interface answers nothing itself (it shares the KNI's MAC): no
// IPv6, no ARP replies, and strict reverse-path filtering drops IPv4 whose
// source is routed via the KNI. The AF_PACKET port still sees every frame.
async function silence(ns, dev) {
  const sc = await ns.run('sysctl', ['-qw', `net.ipv6.conf.${dev}.disable_ipv6=1`, `net.ipv4.conf.${dev}.arp_ignore=8`,
    'net.ipv4.conf.all.rp_filter=1', `net.ipv4.conf.${dev}.rp_filter=1`]);
  assert.is(sc.code, 0, sc.stderr);
}

// tcpdump -l on DEV inside ns, started and listening; stop() ends it and
// resolves with what it printed.
async function tcpdump(ns, dev, filter) {
  const proc = spawn('ip', ['netns', 'exec', ns.name, 'tcpdump', '-i', dev, '-n', '-l', filter], { stdio: ['ignore', 'pipe', 'pipe'] });
  const closed = new Promise((r) => proc.on('close', r));
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const until = Date.now() + 5000;
  while (!/listening on/.test(err) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return {
    kill: () => proc.kill('SIGKILL'),
    stop: async () => {
      proc.kill('SIGINT');
      await closed;
      return out;
    },
  };
}

test('KNI: ip link/addr/mtu, ping v4+v6 from the far side with no loss, a wrong address unanswered, tcpdump sees it, counters match the kernel', async () => {
  if (skipUnlessNetns('kni ping', [['ping', 'iputils-ping'], ['tcpdump', 'tcpdump']])) return;
  await withNetns(2, async (host, rs) => {
    vethPair(host, 'rsh0', rs, 'rsp0');
    await silence(rs, 'rsp0');
    host.ip('addr', 'add', '10.9.1.2/24', 'dev', 'rsh0');
    host.ip('addr', 'add', 'fd00:9::2/64', 'dev', 'rsh0', 'nodad');
    const cli = rs.ringside(['--vdev', 'net_af_packet0,iface=rsp0', '--', '-i']);
    let dump;
    try {
      cli.send('kni create 0 all');
      await cli.waitFor(/KNI vEth0_0 created for port 0/);
      assert.match(rs.ip('link', 'show', 'vEth0_0'), /vEth0_0/, 'appears in ip link');
      let from = cli.stdout.length;
      rs.ip('link', 'set', 'vEth0_0', 'up');
      await cli.waitFor(/KNI vEth0_0 \(port 0\): request link down -> up[\s\S]*link down -> up applied to port 0/, { from });
      from = cli.stdout.length;
      rs.ip('link', 'set', 'vEth0_0', 'mtu', '1400');
      await cli.waitFor(/mtu 1500 -> 1400 applied to port 0/, { from });
      assert.match(rs.ip('link', 'show', 'rsp0'), /mtu 1400/, "the port's MTU followed (stop, set, start)");
      rs.ip('addr', 'add', '10.9.1.1/24', 'dev', 'vEth0_0');
      rs.ip('addr', 'add', 'fd00:9::1/64', 'dev', 'vEth0_0', 'nodad');
      rs.ip('addr', 'add', '10.9.1.5/24', 'dev', 'vEth0_0');
      rs.ip('addr', 'del', '10.9.1.5/24', 'dev', 'vEth0_0');
      assert.not.match(rs.ip('addr', 'show', 'vEth0_0'), /10\.9\.1\.5/, 'an address removed');
      dump = await tcpdump(rs, 'vEth0_0', 'icmp or icmp6');

      const p4 = await host.run('ping', ['-c', '20', '-i', '0.05', '-W', '2', '10.9.1.1']);
      assert.is(p4.code, 0, `ping failed:\n${p4.stdout}${p4.stderr}`);
      assert.match(p4.stdout, / 0% packet loss/);
      assert.not.match(p4.stdout, /DUP!/, 'one answer each, from the KNI only');
      const p6 = await host.run('ping', ['-6', '-c', '20', '-i', '0.05', '-W', '2', 'fd00:9::1']);
      assert.is(p6.code, 0, `ping -6 failed:\n${p6.stdout}${p6.stderr}`);
      assert.match(p6.stdout, / 0% packet loss/);
      const wrong = await host.run('ping', ['-c', '3', '-i', '0.2', '-W', '1', '10.9.1.77']);
      assert.is.not(wrong.code, 0, 'a wrong address gets no reply');
      assert.match(wrong.stdout, /100% packet loss/);

      await new Promise((r) => setTimeout(r, 300));
      const tcpdumpOut = await dump.stop();
      assert.match(tcpdumpOut, /10\.9\.1\.2 > 10\.9\.1\.1: ICMP echo request/, 'tcpdump sees the requests');
      assert.match(tcpdumpOut, /10\.9\.1\.1 > 10\.9\.1\.2: ICMP echo reply/, 'and the replies');
      assert.match(tcpdumpOut, /fd00:9::2 > fd00:9::1: ICMP6, echo request/);

      // Counters: ringside's RX (to the kernel) and TX (from it) are the
      // kernel's rx and tx of vEth0_0 (retried while stray packets settle).
      let ok = false;
      let last = '';
      for (let i = 0; i < 10 && !ok; i++) {
        from = cli.stdout.length;
        const k1 = kernelStats(rs, 'vEth0_0');
        cli.send('show kni 0');
        await cli.waitFor(/TX-dropped: \d+/, { from });
        const k2 = kernelStats(rs, 'vEth0_0');
        const r = kniStats(cli.stdout.slice(from));
        last = `ringside rx ${r.rx} tx ${r.tx} (dropped ${r.rxDropped}/${r.txDropped}); kernel rx ${k1.rx}..${k2.rx} tx ${k1.tx}..${k2.tx}`;
        ok = k1.rx === k2.rx && k1.tx === k2.tx && r.rx === k2.rx && r.tx === k2.tx;
        if (!ok) await new Promise((res) => setTimeout(res, 200));
      }
      assert.ok(ok, `counters match: ${last}`);
      const r = await cli.end(['quit']);
      assert.is(r.code, 0, r.stderr);
      assert.not.match(rs.ip('link', 'show'), /vEth0_0/, 'the KNI is removed at quit');
    } finally {
      dump?.kill();
      cli.kill();
    }
  });
}, { timeoutMs: 90_000 });

test('kni create ... all while forwarding icmpecho: ringside answers its own ping, the kernel gets the rest', async () => {
  if (skipUnlessNetns('kni all while forwarding', [['ping', 'iputils-ping'], ['tcpdump', 'tcpdump']])) return;
  await withNetns(2, async (host, rs) => {
    vethPair(host, 'rsh0', rs, 'rsp0');
    await silence(rs, 'rsp0');
    // IPv4 only. The host's IPv6 sends router solicitations and MLD reports
    // for seconds after the link comes up (one ~5 s later); one that reaches
    // the port while vEth0_0 is still down is rightly counted RX-dropped,
    // which the count below must not depend on.
    const v6 = await host.run('sysctl', ['-qw', 'net.ipv6.conf.rsh0.disable_ipv6=1']);
    assert.is(v6.code, 0, v6.stderr);
    host.ip('addr', 'add', '10.9.2.2/24', 'dev', 'rsh0');
    const cli = rs.ringside(['--vdev', 'net_af_packet0,iface=rsp0', '--', '-i', '--forward-mode=icmpecho']);
    let dump;
    try {
      // icmpecho answers for 10.9.2.1 (the port's address); the KNI holds 10.9.2.5.
      for (const line of ['port stop 0', 'port config 0 ip 10.9.2.1/24', 'port start 0', 'kni create 0 all']) cli.send(line);
      await cli.waitFor(/KNI vEth0_0 created for port 0/);
      const from = cli.stdout.length;
      rs.ip('link', 'set', 'vEth0_0', 'up');
      await cli.waitFor(/link down -> up applied to port 0/, { from });
      rs.ip('addr', 'add', '10.9.2.5/24', 'dev', 'vEth0_0');
      cli.send('start');
      await cli.waitFor(/Forwarding mode: icmpecho|icmpecho packet forwarding/);
      dump = await tcpdump(rs, 'vEth0_0', 'icmp or udp port 7777');

      const own = await host.run('ping', ['-c', '10', '-i', '0.05', '-W', '2', '10.9.2.1']);
      assert.match(own.stdout, / 0% packet loss/, `icmpecho answers its address:\n${own.stdout}${own.stderr}`);
      // ARP for 10.9.2.5 and the echo requests are not icmpecho's: forwarding
      // hands them to vEth0_0 and the kernel answers through the port.
      const kern = await host.run('ping', ['-c', '10', '-i', '0.05', '-W', '2', '10.9.2.5']);
      assert.match(kern.stdout, / 0% packet loss/, `the kernel answers through the KNI while forwarding:\n${kern.stdout}${kern.stderr}`);
      assert.not.match(kern.stdout, /DUP!/);
      const udp = await host.run('bash', ['-c', 'for i in 1 2 3; do echo hi > /dev/udp/10.9.2.5/7777; done']);
      assert.is(udp.code, 0, udp.stderr);
      await new Promise((r) => setTimeout(r, 300));
      const seen = await dump.stop();
      assert.match(seen, /10\.9\.2\.2 > 10\.9\.2\.5: ICMP echo request/, 'tcpdump on vEth0_0 sees the kernel\'s requests');
      assert.is((seen.match(/10\.9\.2\.2\.\d+ > 10\.9\.2\.5\.7777: UDP/g) ?? []).length, 3, `the 3 datagrams reach the kernel:\n${seen}`);
      assert.not.match(seen, /> 10\.9\.2\.1: ICMP/, 'ringside kept its own echo requests');

      const r = await cli.end(['stop', 'show kni 0', 'quit']);
      assert.is(r.code, 0, r.stderr);
      const k = kniStats(r.stdout);
      assert.ok(k.rx >= 10 + 3 + 1, `to kernel: 10 echo requests, 3 datagrams, an ARP request at least (${k.rx})`);
      assert.is(k.rxDropped, 0);
      assert.ok(k.tx >= 10 + 1, `from kernel: 10 replies and an ARP reply at least (${k.tx})`);
      const f = fwdStats(r.stdout)[0];
      assert.ok(f && f.tx >= 10, `forwarding sent ringside's own 10 replies at least: ${JSON.stringify(f)}`);
    } finally {
      dump?.kill();
      cli.kill();
    }
  });
}, { timeoutMs: 90_000 });

test('KNI handler reject: an MTU change is put back and the shell says why; delay applies later', async () => {
  if (skipUnlessNetns('kni reject')) return;
  await withNetns(1, async (ns) => {
    const cli = ns.ringside(['--vdev', 'net_tap0,iface=rsk0', '--', '-i']);
    try {
      cli.send('kni create 0 name rskni0');
      await cli.waitFor(/KNI rskni0 created for port 0/);
      cli.send('help kni');
      await cli.waitFor(/A rejected request looks like success to 'ip' \(it exits 0, then the change is undone\)/);
      cli.send('kni handler 0 reject');
      await cli.waitFor(/KNI handler of port 0: reject/);
      let from = cli.stdout.length;
      ns.ip('link', 'set', 'rskni0', 'mtu', '1600');
      await cli.waitFor(/KNI rskni0 \(port 0\): mtu 1500 -> 1600 rejected: the handler policy of port 0 is reject[^\n]*put back to 1500/, { from });
      await new Promise((r) => setTimeout(r, 100));
      assert.match(ns.ip('link', 'show', 'rskni0'), /mtu 1500 /, 'the kernel interface is back at 1500');
      assert.match(ns.ip('link', 'show', 'rsk0'), /mtu 1500 /, 'the port kept its MTU');
      // `ip` exited 0: the revert is shown where its user looks next.
      await waitFor(() => /alias ringside: \(port 0\): mtu 1500 -> 1600 rejected: .*put back to 1500/.test(ns.ip('link', 'show', 'rskni0')), 5000, 'the revert in the alias');
      assert.match(cli.stdout.slice(from), /^KNI rskni0[^\n]*rejected/m, 'one line for the request, one for the revert: the alias made no request');
      assert.is((cli.stdout.slice(from).match(/request mtu/g) ?? []).length, 1, `the alias change is no KNI request:\n${cli.stdout.slice(from)}`);
      // The policy in force first: a request the KNI thread sees before it
      // gets the due time of the old one (at once), then the outcome of the new.
      from = cli.stdout.length;
      cli.send('kni handler 0 delay 300');
      await cli.waitFor(/KNI handler of port 0: delay 300 ms/, { from });
      from = cli.stdout.length;
      ns.ip('link', 'set', 'rskni0', 'mtu', '1400');
      const m = await cli.waitFor(/mtu 1500 -> 1400 applied to port 0 after (\d+) ms/, { from });
      assert.ok(Number(m[1]) >= 290, `applied after the delay (${m[1]} ms)`);
      assert.match(ns.ip('link', 'show', 'rsk0'), /mtu 1400 /);
      await waitFor(() => !/alias/.test(ns.ip('link', 'show', 'rskni0')), 5000, 'the alias cleared by the applied request');
      cli.send('show kni');
      await cli.waitFor(/requests handled: 1\s+rejected: 1/);
      const r = await cli.end(['quit']);
      assert.is(r.code, 0, r.stderr);
      assert.not.match(ns.ip('link', 'show'), /rskni0/);
    } finally {
      cli.kill();
    }
  });
}, { timeoutMs: 60_000 });

test('in a scenario, a rejected request and its revert are printed among the steps', async () => {
  if (skipUnlessNetns('kni reject in a scenario')) return;
  const t = tempDir();
  try {
    writeFileSync(t.file('rej.rsc'), [
      'ringside --vdev net_tap0,iface=rsk0',
      'kni create 0 name rskni0',
      'kni handler 0 reject',
      'shell ip link set rskni0 mtu 1600',
      'expect event kni_response port 0 request mtu to 1600 result rejected within 2s',
    ].join('\n') + '\n');
    await withNetns(1, async (ns) => {
      const r = await ns.run(process.execPath, [MAIN, 'run', t.file('rej.rsc')], { timeoutMs: 60_000 });
      assert.is(r.code, 0, r.stdout + r.stderr);
      // Under the step during which it came: the shell step, or the wait after it.
      assert.match(r.stdout, /^ {7}> KNI rskni0 \(port 0\): request mtu 1500 -> 1600 \[handler: reject\]$/m);
      assert.match(r.stdout, /^ {7}> KNI rskni0 \(port 0\): mtu 1500 -> 1600 rejected: .*; rskni0 put back to 1500$/m);
    });
  } finally {
    t.remove();
  }
}, { timeoutMs: 60_000 });

// DPDK's KNI test plan changes vEth0_0's MTU with traffic running: the
// port's streams pause, the MTU is set, they resume, and the shell says so.
test('KNI: an MTU change while the port forwards is applied with its streams paused', async () => {
  if (skipUnlessNetns('kni mtu while forwarding')) return;
  await withNetns(1, async (ns) => {
    const cli = ns.ringside(['--vdev', 'net_tap0,iface=rsk0', '--vdev', 'net_null0', '--', '-i']);
    try {
      cli.send('kni create 0 name rskni0');
      await cli.waitFor(/KNI rskni0 created for port 0/);
      cli.send('start');
      await cli.waitFor(/io packet forwarding/);
      const from = cli.stdout.length;
      ns.ip('link', 'set', 'rskni0', 'mtu', '1400');
      await cli.waitFor(/KNI rskni0 \(port 0\): mtu 1500 -> 1400 applied to port 0 \(its streams paused meanwhile, forwarding went on\)/, { from });
      assert.match(ns.ip('link', 'show', 'rsk0'), /mtu 1400 /, 'the port took the MTU');
      assert.match(ns.ip('link', 'show', 'rskni0'), /mtu 1400 /, 'the KNI interface is not put back');
      cli.send('stop');
      await cli.waitFor(/Done\./);
      const r = await cli.end(['quit']);
      assert.is(r.code, 0, r.stderr);
    } finally {
      cli.kill();
    }
  });
}, { timeoutMs: 60_000 });

test('kni commands are refused with a reason without root or on a missing KNI', async () => {
  const { ringside } = await import('./lib/cli.mjs');
  const r = await ringside(['--', '-i'], 'show kni\nkni destroy 0\nkni handler 0 delay\nquit\n');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /No KNI interface/);
  assert.match(r.stdout, /Error EKNI_NONE: port 0 has no KNI/);
  assert.match(r.stdout, /missing \(ms\) after 'delay'/);
});

test.run();
