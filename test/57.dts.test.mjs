// DPDK DTS test plans that drive testpmd (shutdown_api, port_control,
// queue_start_stop, mac_filter), step by step, on two net_ring ports with `start tx_first`
// as the traffic source instead of an external generator: each step is the
// testpmd command the plan gives, each check what the plan verifies.
import { test, assert } from './lib/harness.mjs';
import { shellSession, fwdStats, nicStats } from './lib/cli.mjs';
import { sleep } from './lib/engine.mjs';

const RING_PAIR = ['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--', '-i'];

// A session that counts commands: `step(cmd)` runs one command and resolves
// with its output only. Each command is followed by a line the grammar
// refuses with a numbered word, so the test knows where its output ends.
function session(args = RING_PAIR) {
  const s = shellSession(args);
  let n = 0;
  return {
    s,
    async step(cmd, ms = 8000) {
      const mark = `step-${++n}-done`;
      const from = s.output.length;
      s.write(`${cmd}\nshow config cores ${mark}\n`);
      await s.until(new RegExp(`'show config cores' takes nothing after it, got '${mark}'`), ms);
      return s.output.slice(from);
    },
    end: () => s.end('quit\n'),
  };
}

// Error lines other than the end-of-step marker's.
const errors = (out) => out.split('\n').filter((l) => l.startsWith('Error') && !/got 'step-\d+-done'/.test(l));
const rxOf = (out, port) => nicStats(out).find((x) => x.port === port)?.rx;

async function rxRate(t, port) {
  const a = rxOf(await t.step(`show port stats ${port}`), port);
  await sleep(200);
  const b = rxOf(await t.step(`show port stats ${port}`), port);
  return b - a;
}

test('shutdown_api: stop/restart, reset queues, rxd/txd, jumbo, rss, link down/up, stress', async () => {
  const t = session();
  try {
    await t.step('set fwd mac');
    let out = await t.step('start tx_first');
    assert.match(out, /mac packet forwarding - ports=2/);
    assert.ok(await rxRate(t, 0) > 0, 'forwarding');
    // test_stop_restart
    out = await t.step('stop');
    assert.is(fwdStats(out).length, 2);
    await t.step('port stop all');
    out = await t.step('port start all');
    assert.match(out, /Port 0: [0-9A-F:]{17}\nConfiguring Port 1|Configuring Port 0/);
    await t.step('start tx_first');
    assert.ok(await rxRate(t, 1) > 0, 'forwarding after restart');
    await t.step('stop');
    // test_reset_queues
    await t.step('port stop all');
    await t.step('port config all rxq 2');
    await t.step('port config all txq 2');
    await t.step('port start all');
    out = await t.step('start tx_first');
    assert.match(out, /port 0: RX queue number: 2 Tx queue number: 2/);
    assert.match(out, /RX P=0\/Q=1 \(socket 0\) -> TX P=1\/Q=1/);
    await t.step('stop');
    // test_change_numberrxdtxd
    await t.step('port stop all');
    await t.step('port config all rxd 1024');
    await t.step('port config all txd 1024');
    await t.step('port start all');
    out = await t.step('show config rxtx');
    assert.match(out, /RX desc=1024 - RX free threshold=0/);
    assert.match(out, /TX desc=1024 - TX free threshold=0/);
    // test_enable_disablejumbo
    await t.step('port stop all');
    await t.step('port config all max-pkt-len 2048');
    await t.step('port start all');
    out = await t.step('show port info 0');
    assert.match(out, /MTU: 2030/);
    // test_enable_disablerss
    await t.step('port stop all');
    out = await t.step('port config all rss ip');
    assert.equal(errors(out), []);
    await t.step('port start all');
    // test_link_stats
    await t.step('set link-down port 0');
    out = await t.step('show port info 0');
    assert.match(out, /Link status: down/);
    await t.step('set link-up port 0');
    out = await t.step('show port info 0');
    assert.match(out, /Link status: up/);
    // test_stress_test: stop and start ports ten times, forwarding each time
    for (let i = 0; i < 10; i++) {
      await t.step('port stop all');
      await t.step('port start all');
    }
    await t.step('start tx_first');
    assert.ok(await rxRate(t, 0) > 0, 'forwarding after the stress loop');
    out = await t.step('stop');
    assert.ok(fwdStats(out).every((f) => f.rxDropped === 0), 'nothing counted as dropped');
  } finally {
    await t.end();
  }
}, { timeoutMs: 120_000 });

test('port_control: start/stop while forwarding, close, attach; refused as testpmd refuses', async () => {
  const t = session();
  try {
    await t.step('start tx_first');
    let out = await t.step('port stop 0');
    assert.match(out, /Please remove port 0 from forwarding configuration\./);
    out = await t.step('port start 0');
    assert.match(out, /Port 0 is now not stopped\nPlease stop the ports first/);
    await t.step('stop');
    out = await t.step('port stop 0');
    assert.match(out, /Stopping ports\.\.\.\nChecking link statuses\.\.\.\nDone/);
    out = await t.step('show port info 0');
    assert.match(out, /Link status: down/);
    out = await t.step('start');
    assert.match(out, /Not all ports were started/);
    out = await t.step('port start 0');
    assert.match(out, /Configuring Port 0 \(socket 0\)/);
    out = await t.step('show port info 0');
    assert.match(out, /Link status: up/);
    await t.step('port stop all');
    out = await t.step('port close 0');
    assert.match(out, /Closing ports\.\.\.\nPort 0 is closed\nDone/);
    out = await t.step('show port summary all');
    assert.match(out, /Number of available ports: 1\n.*\n1 +[0-9A-F:]{17} net_ring1 /, 'a closed port is gone, as in testpmd');
    out = await t.step('port close 0');
    assert.match(out, /port 0 does not exist: valid ports are 1/);
    out = await t.step('port attach net_ring0');
    assert.match(out, /Port 0 is attached\. Now total ports is 2/);
  } finally {
    await t.end();
  }
}, { timeoutMs: 60_000 });

test('queue_start_stop: a stopped rx or tx queue moves nothing; started again, traffic resumes', async () => {
  const t = session([...RING_PAIR, '--txq=1', '--rxq=1']);
  try {
    await t.step('set fwd mac');
    await t.step('start tx_first 4');
    assert.ok(await rxRate(t, 0) > 0);
    let out = await t.step('port 0 rxq 0 stop');
    assert.match(out, /Port 0 rx queue 0 stopped/);
    await sleep(100);  // what was in flight settles in port 0's ring
    assert.is(await rxRate(t, 0), 0, 'port 0 receives nothing with its rx queue stopped');
    out = await t.step('show rxq info 0 0');
    assert.match(out, /RX queue state: stopped/);
    await t.step('port 0 rxq 0 start');
    assert.ok(await rxRate(t, 0) > 0, 'traffic resumes');
    await t.step('port 1 txq 0 stop');
    await sleep(100);
    assert.is(await rxRate(t, 0), 0, 'port 1 sends nothing to port 0 with its tx queue stopped');
    await t.step('port 1 txq 0 start');
    out = await t.step('stop');
    // what port 1 received while its tx queue was stopped was dropped at tx: counted there
    assert.ok(fwdStats(out).find((f) => f.port === 1).txDropped > 0, out);
    // deferred start: the queue stays stopped when the port starts
    await t.step('port stop 0');
    out = await t.step('port 0 rxq 0 deferred_start on');
    assert.match(out, /Port 0 rx queue 0 deferred start on/);
    await t.step('port start 0');
    out = await t.step('show rxq info 0 0');
    assert.match(out, /RX deferred start: on\nRX queue state: stopped/);
    await t.step('port 0 rxq 0 start');
    out = await t.step('show rxq info 0 0');
    assert.match(out, /RX queue state: started/);
    out = await t.step('port 0 rxq 0 setup');
    assert.match(out, /Please stop port 0 first/);
    await t.step('port stop 0');
    out = await t.step('port 0 rxq 0 setup');
    assert.match(out, /Port 0 rx queue 0 set up with 1024 descriptors/);
    out = await t.step('port 0 rxq 0 stop');
    assert.match(out, /Please start port 0 first/);
  } finally {
    await t.end();
  }
}, { timeoutMs: 60_000 });

test('mac_filter: with promisc off a port receives its addresses, added ones and joined groups only', async () => {
  const t = session();
  const received = async () => {
    await t.step('start tx_first');
    await sleep(100);
    return fwdStats(await t.step('stop')).map((f) => f.rx);
  };
  try {
    await t.step('set fwd mac');
    await t.step('set promisc all off');
    await t.step('set allmulti all off');
    // mac mode sends to each port's peer address; both ports loop back to themselves
    await t.step('set eth-peer 0 02:00:00:00:00:10');
    await t.step('set eth-peer 1 02:00:00:00:00:11');
    assert.equal(await received(), [0, 0], 'frames to an address the port does not have are not received');
    // test_add_remove_mac_address
    assert.equal(errors(await t.step('mac_addr add 0 02:00:00:00:00:10')), []);
    await t.step('mac_addr add 1 02:00:00:00:00:11');
    let out = await t.step('show port 0 macs');
    assert.match(out, /^Number of MAC address added: 2\n  02:52:53:00:00:00\n  02:00:00:00:00:10\n/);
    let rx = await received();
    assert.ok(rx[0] > 32 && rx[1] > 32, `forwarding with the added addresses: ${rx}`);
    await t.step('mac_addr remove 0 02:00:00:00:00:10');
    assert.match(await t.step('show port 0 macs'), /^Number of MAC address added: 1\n  02:52:53:00:00:00\n/);
    rx = await received();
    assert.is(rx[0], 0, 'port 0 no longer receives the removed address');
    // test_invalid_addresses
    assert.match(await t.step('mac_addr add 0 01:00:5E:00:00:10'), /Error EINVAL_MAC: mac_addr_cmd error: \(Invalid argument\)/);
    assert.match(await t.step('mac_addr remove 0 02:52:53:00:00:00'), /Error EINVAL_MAC: mac_addr_cmd error: \(Address already in use\)/);
    assert.match(await t.step('mcast_addr add 0 02:00:00:00:00:10'), /Invalid multicast addr 02:00:00:00:00:10/);
    // test_multicast_filter
    await t.step('set eth-peer 0 01:00:5E:00:00:10');
    await t.step('set eth-peer 1 01:00:5E:00:00:11');
    assert.equal(await received(), [0, 0], 'no group joined, allmulti off');
    await t.step('mcast_addr add 0 01:00:5E:00:00:10');
    await t.step('mcast_addr add 1 01:00:5E:00:00:11');
    assert.match(await t.step('mcast_addr add 1 01:00:5E:00:00:11'), /multicast address already filtered by port/);
    assert.match(await t.step('show port 1 mcast_macs'), /^Number of Multicast MAC address added: 1\n  01:00:5E:00:00:11\n/);
    rx = await received();
    assert.ok(rx[0] > 32 && rx[1] > 32, `forwarding to the joined groups: ${rx}`);
    await t.step('mcast_addr remove 0 01:00:5E:00:00:10');
    await t.step('mcast_addr remove 1 01:00:5E:00:00:11');
    assert.match(await t.step('mcast_addr remove 1 01:00:5E:00:00:11'), /multicast address not filtered by port 1/);
    assert.equal(await received(), [0, 0], 'groups left');
    await t.step('set allmulti all on');
    assert.match(await t.step('show port info 0'), /Promiscuous mode: disabled\nAllmulticast mode: enabled/);
    rx = await received();
    assert.ok(rx[0] > 32 && rx[1] > 32, `allmulti receives every group: ${rx}`);
    await t.step('set allmulti all off');
    await t.step('set promisc all on');
    rx = await received();
    assert.ok(rx[0] > 32 && rx[1] > 32, `promiscuous receives everything: ${rx}`);
  } finally {
    await t.end();
  }
}, { timeoutMs: 60_000 });

test.run();
