// Descriptors on kernel ports (issue 15 item 1): --rxd/--txd, `port config
// all rxd|txd N` and `port config P rxq|txq Q ring_size N` size the TPACKET
// rings of net_af_packet (frames of framesz, in whole blocks) and the AF_XDP
// rings of net_af_xdp (rx + fill, tx + completion; powers of two) at the next
// port start; `show port P rxq|txq Q info` and `show config rxtx` show the
// sizes, out-of-range values are refused with one line, and the port still
// answers pings on its new rings. Namespaces of their own
// (test/lib/netns.mjs); needs root, skips with the reason otherwise (a
// failure under CI=true).
import { test, assert } from './lib/harness.mjs';
import { skipUnlessNetns, vethPair, withNetns } from './lib/netns.mjs';

// The "Number of RXDs|TXDs" of each `show port 0 rxq|txq 0 info` in `out`, in order.
const numbers = (out, what) => [...out.matchAll(new RegExp(`Number of ${what}: (\\d+)`, 'g'))].map((m) => Number(m[1]));

const CASES = [
  {
    driver: 'net_af_packet',
    // framesz=8192: 256K blocks of 32 frames; --rxd 2048 frames = 64 blocks, --txd 512 frames.
    devargs: 'framesz=8192',
    startup: { rxd: 2048, txd: 512, rxShown: 64, txShown: 512, rxKind: /2048 frames of 8192 B in 64 blocks/ },
    // ring_size 100 rx frames: rounded up to 4 blocks (128 frames); txd 40: one block (32 frames) is too few, two.
    resized: { rx: 100, tx: 40, rxShown: 4, txShown: 64, rxKind: /128 frames of 8192 B in 4 blocks/ },
    refused: { cmd: 'port config 0 rxq 0 ring_size 65536', line: /an rx ring of 65536 frames of 8192 B would map more than 256 MiB: give rxd 1\.\.32768/ },
  },
  {
    driver: 'net_af_xdp',
    devargs: '',
    startup: { rxd: 2048, txd: 512, rxShown: 2048, txShown: 512, rxKind: /AF_XDP rx \+ fill rings/ },
    // Powers of two: 100 becomes 128, 200 becomes 256.
    resized: { rx: 100, tx: 200, rxShown: 128, txShown: 256, rxKind: /AF_XDP rx \+ fill rings/ },
    refused: { cmd: 'port config 0 txq 0 ring_size 32', line: /AF_XDP tx rings hold 64\.\.16384 descriptors \(a power of two; others round up\): got 32/ },
  },
];

for (const c of CASES) {
  test(`${c.driver}: rxd/txd and ring_size size the kernel rings, shown by show rxq|txq info and show config rxtx; out of range refused`, async () => {
    if (skipUnlessNetns(`${c.driver} descriptors`, [['ping', 'iputils-ping']])) return;
    await withNetns(2, async (host, rs) => {
      vethPair(host, 'dh0', rs, 'dp0');
      host.ip('addr', 'add', '10.9.4.2/24', 'dev', 'dh0');
      const vdev = `${c.driver}0,iface=dp0${c.devargs ? `,${c.devargs}` : ''}`;
      const cli = rs.ringside(['--vdev', vdev, '--', '-i', `--rxd=${c.startup.rxd}`, `--txd=${c.startup.txd}`]);
      try {
        cli.send('show port 0 rxq 0 info');
        cli.send('show port 0 txq 0 info');
        cli.send('show config rxtx');
        cli.send('port stop 0');
        cli.send(c.refused.cmd);
        cli.send('port config all rxd 100000');  // above the grammar's 65536
        cli.send(`port config 0 rxq 0 ring_size ${c.resized.rx}`);
        cli.send(`port config all txd ${c.resized.tx}`);
        cli.send('port start 0');
        cli.send('show port 0 rxq 0 info');
        cli.send('show port 0 txq 0 info');
        cli.send('port config 0 ip 10.9.4.1/24');
        cli.send('set fwd icmpecho');
        cli.send('start');
        await cli.waitFor(/icmpecho packet forwarding/);
        const ping = await host.run('ping', ['-c', '5', '-i', '0.05', '-W', '2', '10.9.4.1']);
        const r = await cli.end(['stop', 'quit']);
        assert.is(r.code, 0, r.stderr);
        assert.is(ping.code, 0, `the port answers on its resized rings:\n${ping.stdout}${ping.stderr}`);
        const out = r.stdout;
        assert.equal(numbers(out, 'RXDs'), [c.startup.rxShown, c.resized.rxShown], `rx ring sizes shown:\n${out}`);
        assert.equal(numbers(out, 'TXDs'), [c.startup.txShown, c.resized.txShown], `tx ring sizes shown:\n${out}`);
        assert.match(out, c.startup.rxKind);
        assert.match(out, c.resized.rxKind);
        assert.match(out, new RegExp(`RX desc=${c.startup.rxShown} - RX free threshold=0`));
        assert.match(out, new RegExp(`TX desc=${c.startup.txShown} - TX free threshold=0`));
        assert.match(out + r.stderr, c.refused.line);
        assert.match(out + r.stderr, /100000/);
      } finally {
        cli.kill();
      }
    });
  }, { timeoutMs: 60_000 });
}

test.run();
