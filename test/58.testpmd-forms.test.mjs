// How many of testpmd 22.11's command forms that make sense for software
// ports ringside takes (testpmd_funcs.rst, `help all` in
// /work/shared/reference), one example line each, run on two net_ring ports:
// a form counts when the line is parsed and handled (a refusal that names the
// port's state, e.g. "Please stop port 0 first", counts; unknown command,
// bad arguments or "needs a NIC driver" do not). README's figure is checked.
import { readFileSync } from 'node:fs';
import { test, assert } from './lib/harness.mjs';
import { root, ringside } from './lib/cli.mjs';

const MAC = '02:00:00:00:00:33';
const SOFTWARE_FORMS = [
  'start', 'start tx_first', 'stop', 'show port info all', 'show port stats all', 'show port summary all', 'show port xstats all',
  'show port 0 rss reta 4 (0xf)', 'show port 0 rss-hash', 'show port 0 rss-hash key', 'clear port stats all', 'clear port xstats all',
  'show rxq info 0 0', 'show txq info 0 0', 'show config rxtx', 'show config cores', 'show config fwd', 'show config txpkts',
  'show config rxoffs', 'show config rxpkts', 'show config rxhdrs', 'show fwd stats all', 'clear fwd stats all',
  'show port 0 rx_offload capabilities', 'show port 0 rx_offload configuration', 'show port 0 tx_offload capabilities',
  'show port 0 tx_offload configuration', 'show port 0 ptypes', 'show device info all', 'show port 0 macs', 'show port 0 mcast_macs',
  'show port summary 0', 'set default', 'set verbose 0', 'set log global 7', 'set nbport 2', 'set nbcore 1', 'set coremask 2',
  'set portmask 3', 'set burst 32', 'set burst tx delay 10 retry 2', 'set rxoffs 0', 'set rxpkts 64', 'set rxhdrs eth', 'set txpkts 64',
  'set txsplit off', 'set txtimes 0,0', 'set corelist 1', 'set portlist 0,1', 'set port setup on iterator',
  'csum set ip sw 0', 'csum parse-tunnel off 0', 'csum show 0', 'set port 0 gro on', 'show port 0 gro', 'set gro flush 1',
  'set port 0 gso on', 'set gso segsz 1000', 'show port 0 gso', 'set fwd io', 'set fwd csum', 'set fwd noisy', 'set fwd io retry',
  `mac_addr add 0 ${MAC}`, `mac_addr remove 0 ${MAC}`, `mac_addr set 0 ${MAC}`, 'mcast_addr add 0 01:00:5e:00:00:01',
  'mcast_addr remove 0 01:00:5e:00:00:01', `set eth-peer 0 ${MAC}`, 'set promisc all on', 'set allmulti all on',
  'set xstats-hide-zero off', 'set record-core-cycles off', 'set record-burst-stats off', 'set flush_rx on', 'set link-down port 0',
  'set link-up port 0', 'set fwd io', 'port stop all', 'port config all rxq 1', 'port config all txq 1', 'port config all rxd 512',
  'port config all txd 512', 'port config all max-pkt-len 1518', 'port config all rss ip', 'port config 0 rss reta (0,0)',
  'port config all burst 32', 'port config mtu 0 1500', 'port config 0 rxq 0 ring_size 512', 'port 0 rxq 0 deferred_start off',
  'port 0 rxq 0 setup', 'port config 0 rss-hash-key ipv4 ' + '6d'.repeat(40), 'port start all', 'port 0 rxq 0 stop', 'port 0 rxq 0 start',
  'flow validate 0 ingress pattern eth / end actions drop / end', 'flow create 0 ingress pattern eth / end actions drop / end',
  'flow query 0 0 count', 'flow list 0', 'flow list 0 group 0', 'flow destroy 0 rule 0', 'flow flush 0', 'flow isolate 0 true',
  'dump_ring', 'dump_mempool', 'dump_devargs', 'help all', 'port stop 1', 'port reset 1', 'port detach 1',
  'port attach net_ring1', 'port close 1', 'device detach net_ring0', 'port cleanup 0 txq 0 32',
];

test('testpmd software-port forms: at least as many as README claims are taken', async () => {
  // Each form follows an unknown word, whose error line marks where the form's output starts.
  const marked = await ringside(['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--', '-i'],
    SOFTWARE_FORMS.flatMap((f, i) => [`form-${i}`, f]).join('\n') + '\nquit\n', { timeoutMs: 60_000 });
  assert.is(marked.code, 0, marked.stderr);
  const parts = marked.stdout.split(/^Error ECMD_UNKNOWN: unknown command 'form-\d+'.*\n(?:type 'help' for commands\n)?/m).slice(1);
  assert.is(parts.length, SOFTWARE_FORMS.length);
  const ok = parts.map((b) => !/^Error (ECMD_UNKNOWN|EARG_[A-Z]+|ENOTSUP_NIC):/m.test(b));
  const taken = ok.filter(Boolean).length;
  const missing = SOFTWARE_FORMS.filter((_, i) => !ok[i]);
  console.log(`testpmd software-port forms taken: ${taken} of ${SOFTWARE_FORMS.length}; not yet: ${missing.join(' | ')}`);
  const claim = readFileSync(`${root}/README.md`, 'utf8').match(/takes (\d+) of the (\d+) testpmd command forms/);
  assert.ok(claim, 'README states the count');
  assert.is(Number(claim[2]), SOFTWARE_FORMS.length);
  assert.ok(taken >= Number(claim[1]), `README claims ${claim[1]}, ringside takes ${taken}`);
}, { timeoutMs: 120_000 });

test.run();
