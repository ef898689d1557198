// testpmd start-up options ringside acts on: --eth-peers-configfile,
// --disable-device-start, --flow-isolate-all, --num-procs/--proc-id.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { ringside, fwdStats } from './lib/cli.mjs';

const RINGS = ['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--', '-i'];
const dir = mkdtempSync(path.join(tmpdir(), 'rs-opts-'));

test('--eth-peers-configfile: one MAC per line, port 0 first; a bad line is named', async () => {
  const file = path.join(dir, 'peers');
  writeFileSync(file, '# peers\n02:00:00:00:00:10\n02:00:00:00:00:11\n');
  const r = await ringside([...RINGS, `--eth-peers-configfile=${file}`], 'show config fwd\nquit\n');
  assert.match(r.stdout, /RX P=0\/Q=0 \(socket 0\) -> TX P=1\/Q=0 \(socket 0\) peer=02:00:00:00:00:11/);
  assert.match(r.stdout, /RX P=1\/Q=0 \(socket 0\) -> TX P=0\/Q=0 \(socket 0\) peer=02:00:00:00:00:10/);
  writeFileSync(file, '02:00:00:00:00:10\nnot-a-mac\n');
  const bad = await ringside([...RINGS, `--eth-peers-configfile=${file}`], 'quit\n');
  assert.is.not(bad.code, 0);
  assert.match(bad.stdout + bad.stderr, /line for port 1: 'not-a-mac' is not a MAC address/);
});

test('--disable-device-start: the ports stay stopped until port start', async () => {
  const r = await ringside([...RINGS, '--disable-device-start'], 'show port info 0\nport start all\nshow port info 0\nquit\n');
  assert.match(r.stdout, /Link status: down[\s\S]*Configuring Port 0 \(socket 0\)[\s\S]*Link status: up/);
});

test('--flow-isolate-all: with no rules, the ports receive nothing', async () => {
  const r = await ringside([...RINGS, '--flow-isolate-all'], 'start tx_first\nstop\nquit\n');
  const f = fwdStats(r.stdout);
  assert.is(f.length, 2, r.stdout);
  assert.ok(f.every((x) => x.rx === 0 && x.tx === 32), r.stdout);
});

test('--num-procs=1 --proc-id=0 is ringside\'s one process; other values are refused with why', async () => {
  assert.is((await ringside([...RINGS, '--num-procs=1', '--proc-id=0'], 'quit\n')).code, 0);
  const r = await ringside([...RINGS, '--num-procs=2'], 'quit\n');
  assert.is.not(r.code, 0);
  assert.match(r.stderr + r.stdout, /ringside runs as one process/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
