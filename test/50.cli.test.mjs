// The command line as a user drives it: line mode on stdin, start-up options,
// testpmd's output shapes, and bad input that never stops the shell.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { test, assert } from './lib/harness.mjs';
import { ringside, fwdStats, nicStats } from './lib/cli.mjs';
import { tempDir } from './lib/engine.mjs';

test('embedded default: start, show port stats, stop, quit forwards packets', async () => {
  const r = await ringside([], 'start\nshow port stats all\nstop\nquit\n');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /io packet forwarding - ports=2 - cores=1 - streams=2/);
  const nic = nicStats(r.stdout);
  assert.is(nic.length, 2, 'NIC statistics for both ports');
  const fwd = fwdStats(r.stdout);
  assert.is(fwd.length, 2, 'stop prints forward statistics per port');
  assert.ok(fwd[0].rx > 0 && fwd[0].tx > 0, 'packets were forwarded');
  assert.match(r.stdout, /Accumulated forward statistics for all ports/);
  assert.match(r.stdout, /Telling cores to stop\.\.\.\nWaiting for lcores to finish\.\.\./);
  assert.match(r.stdout, /Done\./);
  assert.match(r.stdout, /Bye\.\.\./);
});

test('net_ring pair with start tx_first: conservation in the stop summary', async () => {
  const r = await ringside(['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--', '-i'], 'start tx_first\nshow fwd stats all\nstop\nshow port stats all\nquit\n');
  assert.is(r.code, 0, r.stderr);
  const stop = fwdStats(r.stdout.slice(r.stdout.lastIndexOf('Telling cores to stop')));
  const totalRx = stop.reduce((a, p) => a + p.rx, 0);
  const totalTx = stop.reduce((a, p) => a + p.tx + p.txDropped, 0);
  assert.is(totalTx, totalRx + 64, 'every received packet was sent or dropped, plus the tx_first bursts');
  const nic = nicStats(r.stdout);
  assert.ok(nic.length >= 2);
  for (const p of nic) {
    assert.ok(p.rxBytes >= p.rx * 64 && p.txBytes >= p.tx * 64, `port ${p.port} counts bytes: ${JSON.stringify(p)}`);
  }
});

test('a FIFO given as a pcap or a capture file is refused in one line, without blocking', async () => {
  const t = tempDir();
  try {
    const fifo = t.file('fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await ringside([], `pcap info ${fifo}\ncapture start 0 rx file ${fifo}\nquit\n`, { timeoutMs: 15_000 });
    assert.is(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l.includes(fifo));
    assert.ok(lines.some((l) => /'.*fifo' is a FIFO, not a regular file: name a pcap or pcapng file/.test(l)), r.stdout);
    assert.ok(lines.some((l) => /will not write pcap file '.*fifo': it is a FIFO, not a regular file/.test(l)), r.stdout);
  } finally {
    t.remove();
  }
});

test('flowgen counts its flows exactly, past what a double holds', async () => {
  const r = await ringside([], 'set flowgen src-ip 4294967295\nset flowgen dst-ip 4294967295\nshow config txpkts\nquit\n');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /flowgen: 18446744065119617025 flows \(src-ip 4294967295 x dst-ip 4294967295 x src-port 1 x dst-port 1\)/);
  assert.match(r.stdout, /flowgen:\s+18446744065119617025 flows/);
});

test('start-up options reach the engine and show in show config', async () => {
  const r = await ringside(['--vdev=net_ring0', '--vdev=net_ring1', '--vdev=net_ring2', '--vdev=net_ring3', '--',
    '--rxq=2', '--txq=2', '--nb-cores=2', '--burst=16', '--forward-mode=macswap', '--port-topology=chained'],
  'show config fwd\nshow config rxtx\nshow config cores\nquit\n');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /macswap packet forwarding - ports=4 - cores=2 - streams=8/);
  assert.match(r.stdout, /packets\/burst=16/);
  assert.match(r.stdout, /RX P=0\/Q=0 \(socket 0\) -> TX P=1\/Q=0/);
  assert.match(r.stdout, /RX P=3\/Q=1 \(socket 0\) -> TX P=0\/Q=1/);
  assert.match(r.stdout, /port 0: RX queue number: 2 Tx queue number: 2/);
});

test('--cmdline-file runs commands before the prompt; load does the same later', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('cmds'), '# set-up\nset fwd rxonly\n\nset burst 8\n');
    const r = await ringside(['--', `--cmdline-file=${t.file('cmds')}`], 'show config fwd\nquit\n');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /rxonly packet forwarding/);
    writeFileSync(t.file('more'), 'set fwd macswap\nset nbcore 9999\nset fwd io\n');
    const l = await ringside([], `load ${t.file('more')}\nshow config fwd\nquit\n`);
    assert.match(l.stdout, /macswap packet forwarding/, 'lines before the failing one ran');
    assert.match(l.stdout, /more:2/, 'the failing line is named');
    assert.not.match(l.stdout, /^io packet forwarding/m, 'lines after the failing one did not run');
  } finally {
    t.remove();
  }
});

test('bad input: one clear line each, and the shell goes on', async () => {
  const r = await ringside([], [
    'shwo port info all',
    'port config 9 rxq 2',
    'set fwd warpdrive',
    'port config all rxq 2',
    'port config mtu 0 20',
    'set eth-peer 0 nonsense',
    'set burst 0',
    'show port stats 0',
    'quit',
  ].join('\n') + '\n');
  assert.is(r.code, 0);
  const out = r.stdout;
  assert.match(out, /shwo.*did you mean.*show port info/i);
  assert.match(out, /port 9 does not exist.*0\.\.1/);
  assert.match(out, /warpdrive.*io.*macswap/);
  assert.match(out, /port stop/i, 'configuring a started port says to stop it first');
  assert.match(out, /mtu 20.*68/i);
  assert.match(out, /nonsense/);
  assert.match(out, /burst/i);
  assert.is(nicStats(out).length, 1, 'the shell still answers after errors');
});

test('port commands: stop, reconfigure queues, start, close, attach, detach', async () => {
  const r = await ringside(['--vdev', 'net_ring0', '--vdev', 'net_ring1'], [
    'port stop all', 'port config all rxq 2', 'port config all txq 2', 'port start all',
    'show port info 0', 'port attach net_null2,size=128', 'show port summary all',
    'port close 2', 'port detach 2', 'show port summary all', 'quit',
  ].join('\n') + '\n');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Current number of RX queues: 2/);
  assert.match(r.stdout, /Current number of TX queues: 2/);
  assert.match(r.stdout, /Number of available ports: 3/);
  assert.match(r.stdout, /Number of available ports: 2/);
  assert.match(r.stdout, /net_null2/);
});

test('set commands and mac_addr change what show port info reports', async () => {
  const r = await ringside([], [
    'mac_addr set 0 02:AA:BB:CC:DD:EE', 'set promisc 0 off', 'set link-down port 1', 'port config mtu 0 1600',
    'set eth-peer 1 02:00:00:00:00:99', 'set txpkts 64,64', 'set fwd txonly', 'set nbcore 1', 'set burst 64',
    'show port info all', 'show config fwd', 'set link-up port 1', 'show port info 1', 'quit',
  ].join('\n') + '\n');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /MAC address: 02:AA:BB:CC:DD:EE/);
  assert.match(r.stdout, /Promiscuous mode: disabled/);
  assert.match(r.stdout, /MTU: 1600/);
  assert.match(r.stdout, /Link status: down/);
  assert.match(r.stdout, /Link status: up/);
  assert.match(r.stdout, /txonly packet forwarding/);
  assert.match(r.stdout, /peer=02:00:00:00:00:99/);
});

test('help lists the sections; help for a section lists its commands', async () => {
  const r = await ringside([], 'help\nhelp control\nhelp all\nquit\n');
  assert.is(r.code, 0);
  assert.match(r.stdout, /help control/);
  assert.match(r.stdout, /help display/);
  assert.match(r.stdout, /start tx_first/);
  assert.match(r.stdout, /show port/);
});

test('bad start-up arguments fail with a clear message and status 2', async () => {
  const r = await ringside(['--', '--nb-cores=zero'], '');
  assert.is(r.code, 2);
  assert.match(r.stdout + r.stderr, /nb-cores/);
  const d = await ringside(['--vdev', 'net_warp0'], '');
  assert.ok(d.code !== 0);
  assert.match(d.stdout + d.stderr, /net_warp/);
});

test('end of input quits cleanly like quit', async () => {
  const r = await ringside([], 'start\n');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Bye\.\.\./);
});

test.run();
