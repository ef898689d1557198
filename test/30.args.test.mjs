// shell/args.js: testpmd-style command line -> SessionOptions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgs, usage, ArgsError, EXIT_USAGE } from '../dist/shell/args.js';
import { DEFAULT_OPTIONS } from '../dist/session/options.js';

const opts = (...argv) => parseArgs(argv).options;

function rejects(argv, option, pattern, ctx) {
  try {
    parseArgs(argv, ctx);
  } catch (e) {
    assert.instance(e, ArgsError, `${argv.join(' ')}: ArgsError`);
    assert.is(e.code, 'EARGS');
    assert.is(e.exitCode, EXIT_USAGE);
    assert.is(e.option, option, `${argv.join(' ')}: names option`);
    if (pattern) assert.match(e.message, pattern);
    return e;
  }
  assert.unreachable(`${argv.join(' ')} should be rejected`);
}

test('no arguments: defaults, embedded vdevs left to the session', () => {
  const r = parseArgs([]);
  assert.equal(r.options, DEFAULT_OPTIONS);
  assert.is(r.help, false);
  assert.equal(r.warnings, []);
});

test('defaults are not shared between calls', () => {
  const a = opts('--vdev', 'net_ring0', '--', '--eth-peer=0,02:00:00:00:00:01');
  assert.equal(DEFAULT_OPTIONS.vdevs, []);
  assert.equal(DEFAULT_OPTIONS.ethPeers, []);
  assert.equal(a.vdevs, ['net_ring0']);
});

test('--vdev X and --vdev=X, repeatable, in order', () => {
  assert.equal(opts('--vdev', 'net_ring0,peer=net_ring1', '--vdev=net_ring1', '--vdev', 'net_null0').vdevs,
    ['net_ring0,peer=net_ring1', 'net_ring1', 'net_null0']);
});

test('app options: --opt=V and --opt V', () => {
  const o = opts('--', '--rxq=2', '--txq', '3', '--nb-cores=2', '--burst', '64',
    '--forward-mode=mac', '--port-topology', 'chained', '--stats-period=5',
    '--cmdline-file', 'cmds.txt', '--total-num-mbufs=4096', '--mbuf-size', '4096');
  assert.is(o.rxq, 2);
  assert.is(o.txq, 3);
  assert.is(o.nbCores, 2);
  assert.is(o.burst, 64);
  assert.is(o.forwardMode, 'mac');
  assert.is(o.portTopology, 'chained');
  assert.is(o.statsPeriod, 5);
  assert.is(o.cmdlineFile, 'cmds.txt');
  assert.is(o.totalNumMbufs, 4096);
  assert.is(o.mbufSize, 4096);
});

test('flags: -i --interactive -a --auto-start --tx-first', () => {
  assert.is(opts('--', '-i').interactive, true);
  assert.is(opts('--', '--interactive').interactive, true);
  assert.is(opts('--', '-a').autoStart, true);
  assert.is(opts('--', '--auto-start').autoStart, true);
  const o = opts('--', '--tx-first');
  assert.is(o.txFirst, true);
  assert.is(o.autoStart, false);
});

test('--txpkts list', () => {
  assert.equal(opts('--', '--txpkts=64').txpkts, [64]);
  assert.equal(opts('--', '--txpkts', '14,50,64').txpkts, [14, 50, 64]);
});

test('--eth-peer repeatable; the last one for a port wins; MAC lower-cased', () => {
  assert.equal(opts('--', '--eth-peer=0,02:00:00:00:00:01', '--eth-peer', '1,AA:BB:CC:DD:EE:FF',
    '--eth-peer=0,02:00:00:00:00:09').ethPeers,
  [{ port: 1, mac: 'aa:bb:cc:dd:ee:ff' }, { port: 0, mac: '02:00:00:00:00:09' }]);
});

test('--help and -h, before or after --', () => {
  assert.is(parseArgs(['--help']).help, true);
  assert.is(parseArgs(['-h']).help, true);
  assert.is(parseArgs(['--', '--help']).help, true);
  assert.is(parseArgs(['--vdev', 'net_ring0', '--', '-h']).help, true);
});

test('a value that looks like an option is still a value (--opt V)', () => {
  assert.is(opts('--', '--cmdline-file', '-weird-name').cmdlineFile, '-weird-name');
});

test('DPDK EAL options are ignored with a warning, except core placement', () => {
  const r = parseArgs(['--no-huge', '-l', '0-1', '--file-prefix=x', '--vdev', 'net_ring0', '--', '-i']);
  assert.equal(r.options.vdevs, ['net_ring0']);
  assert.is(r.warnings.length, 2);
  assert.match(r.warnings[0], /--no-huge ignored/);
  assert.equal(r.options.lcores, [{ lcore: 0, cpu: 0 }, { lcore: 1, cpu: 1 }]);
});

test('EAL core placement: -l, -c, --lcores, --main-lcore (main first)', () => {
  assert.equal(opts('-l', '1,3-4').lcores.map((l) => l.lcore), [1, 3, 4]);
  assert.equal(opts('-l1-2').lcores.map((l) => l.lcore), [1, 2]);
  assert.equal(opts('-c', '0x6').lcores.map((l) => l.lcore), [1, 2]);
  assert.equal(opts('--lcores=0,1@2,(3-4)@(0,1)').lcores, [{ lcore: 0, cpu: 0 }, { lcore: 1, cpu: 2 }, { lcore: 3, cpu: 0 }, { lcore: 4, cpu: 0 }]);
  assert.equal(opts('-l', '0-2', '--main-lcore', '2').lcores.map((l) => l.lcore), [2, 0, 1]);
  rejects(['-l', '0'], 'l', /main lcore.*at least one more/);
  rejects(['-l', '3-1'], 'l', /must not exceed/);
  rejects(['-c', '0'], 'c', /selects nothing/);
  rejects(['-l', '0-1', '--main-lcore=5'], 'main-lcore', /not one of the lcores/);
  rejects(['--lcores=1@2@3'], 'lcores', /LCORES\[@CPUS\]/);
});

test('testpmd options that are a command here run at start-up; options with nothing to act on warn why', () => {
  const r = parseArgs(['--', '--rss-ip', '--tx-ip=10.0.0.1,10.0.0.2', '--tx-udp', '5000,6000', '--coremask=0x2', '--no-numa', '--mbcache=64']);
  assert.equal(r.options.startupCommands, ['port config all rss ip', 'set txl3 ipv4 10.0.0.1 10.0.0.2', 'set txl4 udp 5000 6000', 'set coremask 0x2']);
  assert.equal(r.warnings, ['option --no-numa accepted with no effect: ringside allocates on one memory node',
    'option --mbcache accepted with no effect: the per-lcore cache size is fixed']);
  rejects(['--', '--enable-lro'], 'enable-lro', /--enable-lro needs offload in the NIC; not supported on software ports/);
  assert.match(usage(), /--rss-udp: RSS on IP addresses and UDP ports \(as 'port config all rss udp'\)/);
});

test('--portmask, --portlist, --nb-ports, --max-pkt-len, --rxd, --txd', () => {
  assert.equal(opts('--', '--portmask=0x5').portList, [0, 2]);
  assert.equal(opts('--', '--portlist=1,0').portList, [1, 0]);
  assert.equal(opts('--', '--portlist', '0-2').portList, [0, 1, 2]);
  assert.is(opts('--', '--nb-ports=1').nbPorts, 1);
  assert.is(opts('--', '--max-pkt-len=9018').maxPktLen, 9018);
  assert.is(opts('--', '--rxd=512', '--txd=256').rxd, 512);
  rejects(['--', '--portlist=0,0'], 'portlist', /listed twice/);
  rejects(['--', '--portmask=0'], 'portmask', /selects nothing/);
  rejects(['--', '--max-pkt-len=10'], 'max-pkt-len', /64\.\.65535/);
});

test('--forward-mode checked against the engine modes when given', () => {
  const ctx = { fwdModes: ['io', 'mac', 'rxonly'] };
  assert.is(parseArgs(['--', '--forward-mode=rxonly'], ctx).options.forwardMode, 'rxonly');
  rejects(['--', '--forward-mode=bogus'], 'forward-mode', /valid modes are io\|mac\|rxonly/, ctx);
});

test('bad numbers name the option and the valid range', () => {
  rejects(['--', '--rxq=abc'], 'rxq', /--rxq.*1\.\.16/);
  rejects(['--', '--rxq=0'], 'rxq', /1\.\.16/);
  rejects(['--', '--txq', '-1'], 'txq');
  rejects(['--', '--burst=513'], 'burst', /1\.\.512/);
  rejects(['--', '--nb-cores=0'], 'nb-cores');
  rejects(['--', '--stats-period=1.5'], 'stats-period');
  rejects(['--', '--total-num-mbufs=1024'], 'total-num-mbufs', /1025/);
  rejects(['--', '--mbuf-size=10'], 'mbuf-size');
  rejects(['--', '--rxq=2x'], 'rxq');
  rejects(['--', '--rxq='], 'rxq');
});

test("numbers the engine limits are checked against the engine's limits, not wider ones", () => {
  assert.is(opts('--', '--rxq=16', '--txq=16').rxq, 16);
  rejects(['--', '--rxq=17'], 'rxq', /1\.\.16/);
  rejects(['--', '--txq=1024'], 'txq', /1\.\.16/);
  assert.is(opts('--', '--nb-cores=63').nbCores, 63);
  rejects(['--', '--nb-cores=64'], 'nb-cores', /1\.\.63/);
  rejects(['--', '--nb-ports=65'], 'nb-ports', /1\.\.64/);
  assert.is(opts('--', '--mbuf-size=65000').mbufSize, 65000);
  rejects(['--', '--mbuf-size=65001'], 'mbuf-size', /128\.\.65000/);
  rejects(['--', '--mbuf-size=64'], 'mbuf-size', /128\.\.65000/);
});

test('bad enumerations list the valid values', () => {
  rejects(['--', '--port-topology=ring'], 'port-topology', /paired\|chained\|loop/);
});

test('bad --txpkts and --eth-peer', () => {
  rejects(['--', '--txpkts=64,,64'], 'txpkts');
  rejects(['--', '--txpkts=10'], 'txpkts', /14\.\.65535/);
  rejects(['--', '--txpkts=a'], 'txpkts');
  rejects(['--', '--eth-peer=0'], 'eth-peer', /PORT,MAC/);
  rejects(['--', '--eth-peer=32,02:00:00:00:00:01'], 'eth-peer', /0\.\.31/);
  rejects(['--', '--eth-peer=0,02:00:00:00:00'], 'eth-peer', /MAC address/);
});

test('missing values', () => {
  rejects(['--', '--rxq'], 'rxq', /needs a value/);
  rejects(['--vdev'], 'vdev', /needs a value/);
  rejects(['--vdev='], 'vdev');
  rejects(['--', '--cmdline-file='], 'cmdline-file');
});

test('flags take no value', () => {
  rejects(['--', '--auto-start=1'], 'auto-start', /takes no value/);
});

test('unknown options', () => {
  rejects(['--', '--bogus'], 'bogus', /unknown option '--bogus'/);
  rejects(['--', '--forward-mod=io'], 'forward-mod', /did you mean --forward-mode/);
  rejects(['--', '--hairpinq=1'], 'hairpinq', /--hairpinq needs hairpin queues in the NIC; not supported on software ports/);
  rejects(['--', '--flowgen-clones=2'], 'flowgen-clones', /--flowgen-clones is not supported by ringside: flowgen sends each packet once/);
  rejects(['--', '--num-procs=2'], 'num-procs', /runs as one process, so --num-procs must be 1/);
  rejects(['--', 'stray'], 'stray', /unexpected argument/);
  rejects(['--', '-z'], 'z');
});

test('EAL part: app options before -- are pointed after it', () => {
  rejects(['-i'], 'i', /after '--'/);
  rejects(['--rxq=2'], 'rxq', /after '--'/);
  rejects(['--bogus'], 'bogus', /only --vdev/);
  rejects(['net_ring0'], 'net_ring0', /--vdev net_ring0/);
});

test('usage lists every option, testpmd style', () => {
  const u = usage();
  assert.match(u, /^Usage: ringside \[--vdev DEVARGS\]\.\.\. \[-- ringside options\]/);
  for (const o of ['--vdev=DEVARGS', '--interactive', '--rxq=N', '--txq=N', '--nb-cores=N', '--burst=N',
    '--forward-mode=', '--port-topology=<paired|chained|loop>', '--auto-start', '--tx-first',
    '--stats-period=', '--cmdline-file=', '--txpkts=', '--eth-peer=', '--total-num-mbufs=N',
    '--mbuf-size=N', '--help']) {
    assert.ok(u.includes(o), `usage mentions ${o}`);
  }
});

test.run();
