// IF proxy through the real CLI, in network namespaces made for each test:
// every event from the matching `ip link/addr/route/neigh` command with the
// right values and ports; 10,000 routes in one `ip -batch` counted (or an
// overflow reported and resynchronised); ENOBUFS forced with a tiny buffer;
// `expect event` in a scenario. Root-only: skips with a reason otherwise
// (a failure under CI=true).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { MAIN } from './lib/cli.mjs';
import { skipUnlessNetns, withNetns } from './lib/netns.mjs';

// A namespace with a TAP `rsb0` up for routes, a scratch directory and the
// CLI; quits the CLI (status 0) after fn, and removes everything even on failure.
async function withRouteListener(fn) {
  await withNetns(1, async (ns) => {
    ns.ip('tuntap', 'add', 'dev', 'rsb0', 'mode', 'tap');
    ns.ip('link', 'set', 'rsb0', 'up');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-ifpx-'));
    const cli = ns.ringside(['--', '-i']);
    try {
      cli.send('ifproxy bind 0 rsb0');  // route events are those of bound interfaces
      await cli.waitFor(/Port 0 bound to proxy rsb0/);
      await fn(ns, cli, dir);
      const r = await cli.end(['quit']);
      assert.is(r.code, 0, r.stderr);
    } finally {
      cli.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

// Writes an `ip -batch` file of n /32 routes.
function batch(file, verb, n, dev) {
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(`route ${verb} 10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32 dev ${dev}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

test('every IF-proxy event comes from the matching ip command, with its values and both bound ports', async () => {
  if (skipUnlessNetns('ifproxy events')) return;
  await withNetns(1, async (ns) => {
    const cli = ns.ringside(['--', '-i']);  // ports 0 and 1: the embedded default
    try {
      cli.send('ifproxy create name rspx0');
      await cli.waitFor(/Proxy port 2 created: interface rspx0/);
      cli.send('ifproxy bind 0 2');
      cli.send('ifproxy bind 1 rspx0');
      await cli.waitFor(/Port 1 bound to proxy rspx0/);
      cli.send('set ifproxy trace on');
      cli.send('ifproxy listen');
      // The dump first (the proxy's MTU), then cfg_finished.
      await cli.waitFor(/mtu_change\s+proxy rspx0 ports 0,1 mtu=1500[\s\S]*cfg_finished/);
      const steps = [
        [['link', 'set', 'rspx0', 'mtu', '1600'], /\d\d:\d\d:\d\d\.\d{6} mtu_change\s+proxy rspx0 ports 0,1 mtu=1600/],
        [['link', 'set', 'rspx0', 'address', '02:11:22:33:44:55'], /mac_change\s+proxy rspx0 ports 0,1 mac=02:11:22:33:44:55/],
        [['addr', 'add', '10.41.0.1/24', 'dev', 'rspx0'], /addr_add\s+proxy rspx0 ports 0,1 addr=10\.41\.0\.1\/24/],
        [['addr', 'add', '2001:db8:41::1/64', 'dev', 'rspx0', 'nodad'], /addr6_add\s+proxy rspx0 ports 0,1 addr=2001:db8:41::1\/64/],
        [['route', 'add', '10.42.0.0/16', 'via', '10.41.0.2'], /route_add\s+proxy rspx0 ports 0,1 dst=10\.42\.0\.0\/16 via=10\.41\.0\.2 dev=rspx0/],
        [['-6', 'route', 'add', '2001:db8:42::/48', 'via', '2001:db8:41::2'], /route6_add\s+proxy rspx0 ports 0,1 dst=2001:db8:42::\/48 via=2001:db8:41::2/],
        [['neigh', 'add', '10.41.0.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'rspx0'], /neigh_add\s+proxy rspx0 ports 0,1 dst=10\.41\.0\.9 lladdr=02:00:00:00:00:09/],
        [['neigh', 'del', '10.41.0.9', 'dev', 'rspx0'], /neigh_del\s+proxy rspx0 ports 0,1 dst=10\.41\.0\.9/],
        [['-6', 'route', 'del', '2001:db8:42::/48'], /route6_del\s+proxy rspx0 ports 0,1 dst=2001:db8:42::\/48/],
        [['route', 'del', '10.42.0.0/16'], /route_del\s+proxy rspx0 ports 0,1 dst=10\.42\.0\.0\/16/],
        [['addr', 'del', '2001:db8:41::1/64', 'dev', 'rspx0'], /addr6_del\s+proxy rspx0 ports 0,1 addr=2001:db8:41::1\/64/],
        [['addr', 'del', '10.41.0.1/24', 'dev', 'rspx0'], /addr_del\s+proxy rspx0 ports 0,1 addr=10\.41\.0\.1\/24/],
        [['link', 'set', 'rspx0', 'down'], /link_change\s+proxy rspx0 ports 0,1 up=0/],
        [['link', 'set', 'rspx0', 'up'], /link_change\s+proxy rspx0 ports 0,1 up=1/],
      ];
      for (const [args, re] of steps) {
        const from = cli.stdout.length;
        ns.ip(...args);
        await cli.waitFor(re, { from, timeoutMs: 5000 });
      }
      cli.send('show ifproxy');
      await cli.waitFor(/Proxy rspx0 \(if_index \d+, port 2\)\s+bound ports: 0, 1\s+MAC: 02:11:22:33:44:55\s+MTU: 1600\s+link: up/);
      cli.send('show ifproxy events');
      await cli.waitFor(/Event counters:[\s\S]*neigh_add\s+1\s+neigh_del\s+1/);
      const r = await cli.end(['quit']);
      assert.is(r.code, 0, r.stderr);
      assert.not.match(ns.ip('link', 'show'), /rspx0/, 'the proxy TAP is removed at quit');
    } finally {
      cli.kill();
    }
  });
}, { timeoutMs: 60_000 });

test('10,000 routes in one ip -batch: 10,000 route_add and route_del, or an overflow reported and resynchronised', async () => {
  if (skipUnlessNetns('ifproxy 10k routes')) return;
  await withRouteListener(async (ns, cli, dir) => {
    batch(path.join(dir, 'add'), 'add', 10000, 'rsb0');
    batch(path.join(dir, 'del'), 'del', 10000, 'rsb0');
    cli.send('ifproxy listen');
    cli.send('show ifproxy');
    const base = Number((await cli.waitFor(/known: \d+ links, \d+ addresses, (\d+) routes/))[1]);
    cli.send('clear ifproxy events');
    for (const [verb, name] of [['add', 'route_add'], ['del', 'route_del']]) {
      const r = await ns.run('ip', ['-batch', path.join(dir, verb)], { timeoutMs: 60_000 });
      assert.is(r.code, 0, r.stderr);
      const want = verb === 'add' ? base + 10000 : base;
      let text = '';
      const end = Date.now() + 20_000;
      while (Date.now() < end) {
        const from = cli.stdout.length;
        cli.send('show ifproxy');
        cli.send('show ifproxy events last 0');
        await cli.waitFor(/Last 0 event\(s\):/, { from });
        text = cli.stdout.slice(from);
        if (Number(text.match(/(\d+) routes/)[1]) === want) break;
        await new Promise((res) => setTimeout(res, 200));
      }
      assert.is(Number(text.match(/(\d+) routes/)[1]), want, `the listener knows ${want} routes after ${verb}`);
      const overflows = Number(text.match(/overflows (\d+)/)[1]);
      const count = Number((text.match(new RegExp(`${name}\\s+(\\d+)`)) ?? [0, 0])[1]);
      if (overflows === 0) assert.is(count, 10000, `${name} counted 10,000 times`);
      else assert.match(cli.stdout, /resynchronised after the overflow/, 'an overflow is reported and resynchronised');
    }
  });
}, { timeoutMs: 150_000 });

test('a netlink overflow (tiny receive buffer, slow reader) is reported with how many events may be missed, then re-dumped', async () => {
  if (skipUnlessNetns('ifproxy overflow')) return;
  await withRouteListener(async (ns, cli, dir) => {
    batch(path.join(dir, 'add'), 'add', 5000, 'rsb0');
    cli.send('ifproxy listen rcvbuf 4096');
    await cli.waitFor(/Listening on rtnetlink \(receive buffer \d+ bytes\)/);
    cli.send('ifproxy stall 1500');  // a slow reader: the burst cannot fit
    await cli.waitFor(/netlink listener stalled for 1500 ms/);
    const r1 = await ns.run('ip', ['-batch', path.join(dir, 'add')], { timeoutMs: 60_000 });
    assert.is(r1.code, 0, r1.stderr);
    await cli.waitFor(/netlink overflow \(ENOBUFS[^)]*\): the kernel dropped ([1-9]\d*) notification\(s\), so up to that many events may have been missed/, { timeoutMs: 10_000 });
    await cli.waitFor(/resynchronised after the overflow: \d+ change\(s\) recovered/, { timeoutMs: 10_000 });
    const from = cli.stdout.length;
    cli.send('show ifproxy');
    const m = await cli.waitFor(/overflows ([1-9]\d*) \(missed (\d+), recovered (\d+)\); known: \d+ links, \d+ addresses, (\d+) routes/, { from });
    assert.ok(Number(m[4]) >= 5000, `every route is known after the re-dump (${m[4]})`);
  });
}, { timeoutMs: 90_000 });

test('a scenario expects an event: expect event mtu_change port 1 mtu 1600 within 2s', async () => {
  if (skipUnlessNetns('ifproxy scenario event')) return;
  await withNetns(1, async (ns) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-ifpx-'));
    try {
      const file = path.join(dir, 'ev.rsc');
      fs.writeFileSync(file, [
        'ringside --vdev net_tap0,iface=rsev0 --vdev net_null0',
        'ifproxy bind 1 rsev0',
        'ifproxy listen',
        'wait until event cfg_finished within 3s',
        'shell ip link set rsev0 mtu 1600',
        'expect event mtu_change port 1 mtu 1600 within 2s',
        'expect event mtu_change-count >= 2',
        'shell ip addr add 10.77.0.1/24 dev rsev0',
        'expect event addr_add proxy rsev0 addr 10.77.0.1 within 2s',
        '',
      ].join('\n'));
      const r = await ns.run(process.execPath, [MAIN, 'run', file], { timeoutMs: 30_000 });
      assert.is(r.code, 0, `scenario failed:\n${r.stdout}\n${r.stderr}`);
      const bad = fs.writeFileSync(path.join(dir, 'bad.rsc'), [
        'ringside --vdev net_tap0,iface=rsev1',
        'ifproxy bind 0 rsev1',
        'ifproxy listen',
        'expect event mtu_change port 0 mtu 1234 within 500ms',
        '',
      ].join('\n'));
      void bad;
      const r2 = await ns.run(process.execPath, [MAIN, 'run', path.join(dir, 'bad.rsc')], { timeoutMs: 30_000 });
      assert.is.not(r2.code, 0, 'a missing event fails the expectation');
      assert.match(r2.stdout + r2.stderr, /mtu_change/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}, { timeoutMs: 60_000 });

test.run();
