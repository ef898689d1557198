// Kernel ports given what cannot work: each refusal is one clear line naming
// what and why, no port is left attached, and nothing is left in the kernel
// (no XDP program on the interface, no TAP). Runs the CLI in namespaces of
// its own; needs root (skips with the reason otherwise, fails under CI=true).
import { test, assert } from './lib/harness.mjs';
import { skipUnlessNetns, vethPair, withNetns } from './lib/netns.mjs';

// Every "Error CODE: message" line ringside printed, as [code, message].
const errors = (r) => [...(r.stdout + r.stderr).matchAll(/^Error (E[A-Z_]+): (.+)$/gm)].map((m) => [m[1], m[2]]);

function assertNothingLeft(ns, ifnames) {
  const links = ns.ip('link', 'show');
  for (const i of ifnames) assert.not.match(ns.ip('link', 'show', i), /\bxdp/, `no XDP program left on ${i}`);
  assert.not.match(links, /rstap/, 'no TAP left behind');
}

test('without CAP_NET_ADMIN and CAP_NET_RAW every kernel port is refused, saying which capability is missing', async () => {
  if (skipUnlessNetns('kernel ports without capabilities', [['setpriv', 'util-linux']])) return;
  await withNetns(1, async (ns) => {
    vethPair(ns, 'xa', ns, 'xb');
    // Root's uid, but an empty bounding set: the exec'd node has no capability.
    const cli = ns.ringside(['--', '-i'], { wrap: ['setpriv', '--inh-caps=-all', '--bounding-set=-all'] });
    try {
      const r = await cli.end(['port attach net_af_xdp7,iface=xa', 'port attach net_af_packet7,iface=xa',
        'port attach net_tap7,iface=rstap7', 'show port info all', 'quit']);
      assert.is(r.code, 0, r.stderr);
      const e = errors(r);
      assert.equal(e.map(([code]) => code), ['EPERM_NETADMIN', 'EPERM_NETADMIN', 'EPERM_NETADMIN'], r.stdout);
      assert.match(e[0][1], /AF_XDP on xa needs CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF; missing: CAP_NET_ADMIN CAP_NET_RAW CAP_BPF/);
      assert.match(e[1][1], /packet sockets need CAP_NET_RAW/);
      assert.match(e[2][1], /TAP device on 'rstap7': needs CAP_NET_ADMIN/);
      for (const [, msg] of e) {
        assert.match(msg, /run ringside under sudo, or give this one run the capabilities: sudo setpriv .*--ambient-caps=\S+ npx ringside/, 'says how to get the capability');
        assert.not.match(msg, /setcap/, 'never file capabilities on node: every node script would get them');
      }
      assert.not.match(r.stdout, /Devargs: net_(af_xdp|af_packet|tap)7/, 'no port was attached');
      assertNothingLeft(ns, ['xa']);
    } finally {
      cli.kill();
    }
  });
}, { timeoutMs: 60_000 });

// The advice, as a user who is not root would follow it (uid nobody here):
// the capabilities reach this run, and the kernel ports attach.
test('the permission error\'s advice works: an unprivileged user with the advised ambient capabilities attaches every kernel port', async () => {
  if (skipUnlessNetns('the capability advice', [['setpriv', 'util-linux']])) return;
  await withNetns(1, async (ns) => {
    vethPair(ns, 'xa', ns, 'xb');
    const caps = '+net_admin,+net_raw,+bpf';
    const cli = ns.ringside(['--', '-i'], { wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', `--inh-caps=${caps}`, `--ambient-caps=${caps}`] });
    try {
      const r = await cli.end(['port attach net_af_packet7,iface=xa', 'port attach net_tap7,iface=rstap7', 'port attach net_af_xdp8,iface=xb', 'quit']);
      assert.is(r.code, 0, r.stderr);
      assert.equal(errors(r), [], r.stdout);
      assert.match(r.stdout, /Port 4 is attached/);
      assertNothingLeft(ns, ['xa', 'xb']);
    } finally {
      cli.kill();
    }
  });
}, { timeoutMs: 60_000 });

test('no such interface, a queue past the device\'s, an MTU past the device\'s, XDP refused: one line each, nothing left', async () => {
  if (skipUnlessNetns('kernel port bad input')) return;
  await withNetns(1, async (ns) => {
    vethPair(ns, 'xa', ns, 'xb', { queues: 2 });
    vethPair(ns, 'ya', ns, 'yb');
    // veth runs XDP programs only while the peer's frames fit a page: a
    // 9000-byte MTU on yb makes ya refuse one.
    ns.ip('link', 'set', 'yb', 'mtu', '9000');
    // Mbufs as large as jumbo frames: the ports' MTU ranges end at what the
    // driver and the device allow, not at the mbuf's room.
    const cli = ns.ringside(['--', '-i', '--mbuf-size=9216']);
    try {
      const r = await cli.end([
        'port attach net_af_xdp7,iface=rs-nosuch0',
        'port attach net_af_xdp7,iface=xa,start_queue=2',
        'port attach net_af_xdp7,iface=ya',
        // Working ports, to be given an MTU they cannot take: ports 2 and 3.
        'port attach net_af_xdp2,iface=xa',
        'port attach net_af_packet3,iface=xb,framesz=8192,blocksz=65536',
        'port stop all',
        'port config mtu 2 9000',
        // With an XDP program on xa, veth caps xb's MTU at what fits a page.
        'port config mtu 3 4000',
        'show port info all',
        'quit']);
      assert.is(r.code, 0, r.stderr);
      const e = errors(r);
      assert.equal(e.map(([code]) => code), ['ENODEV_IFACE', 'EQUEUE_RANGE', 'EXDP_UNSUPPORTED', 'EMTU_RANGE', 'EMTU_RANGE'], r.stdout);
      assert.match(e[0][1], /no interface 'rs-nosuch0' in this network namespace: 'ip link' lists them/);
      assert.match(e[1][1], /xa has 2 queues: start_queue\+queue_count must be <= 2 \(got start_queue=2, queue_count=1\)/);
      assert.match(e[2][1], /attach the XDP program to 'ya': .*an MTU that fits a page/);
      assert.match(e[3][1], /MTU 9000 is out of range for port 2: valid is 68\.\.\d+/);
      const deviceMax = Number(r.stdout.match(/Kernel interface: xb[\s\S]*?kernel MTU: 1500 \(range 68\.\.(\d+)\)/)[1]);
      assert.ok(deviceMax < 4000, `xb's own maximum (${deviceMax}) is below 4000`);
      assert.match(e[4][1], new RegExp(`MTU 4000 is out of range for port 3: valid is 68\\.\\.${deviceMax}$`), 'the range named is the device\'s');
      assert.not.match(r.stdout, /Devargs: net_af_xdp7/, 'no refused port was attached');
      assert.match(ns.ip('link', 'show', 'xa'), /mtu 1500/, 'the kernel MTUs are unchanged');
      assert.match(ns.ip('link', 'show', 'xb'), /mtu 1500/);
      assertNothingLeft(ns, ['xa', 'ya']);
    } finally {
      cli.kill();
    }
  });
}, { timeoutMs: 60_000 });

test.run();
