// --json and -c through the built binary: every `show` command's output
// round-trips through JSON.parse, one object per line; -c's exit status.
import { test, assert } from './lib/harness.mjs';
import { ringside } from './lib/cli.mjs';
import { TABLE } from '../dist/commands/index.js';

const SHOWS = ['show port info all', 'show port stats all', 'show port xstats all', 'show port summary all',
  'show fwd stats all', 'show config rxtx', 'show config cores', 'show config fwd', 'show port stats 0',
  'show kni', 'show ifproxy', 'show ifproxy events', 'show capture', 'show replay',
  'show port 0 rxq 0 info', 'show port 0 txq 0 ring count 4', 'show rxq info 0 0', 'show mempool', 'show lcores',
  'show device info all'];

test('the list covers every show command in the grammar', () => {
  const forms = TABLE.filter((s) => s.tokens[0].word === 'show' && s.section !== 'nic');  // NIC-only forms only refuse
  for (const spec of forms) {
    const head = spec.tokens.slice(0, 2).map((t) => t.word ?? '').join(' ');
    assert.ok(SHOWS.some((c) => c.startsWith(head)), `a test line for ${head}`);
  }
});

test('--json -c: one JSON object per result, every show command, exit 0', async () => {
  const cmds = [...SHOWS, 'start', ...SHOWS, 'stop'];
  const r = await ringside(['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--json', '-c', cmds.join('; ')]);
  assert.is(r.code, 0, r.stderr);
  const objs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(objs.map((o) => o.command), cmds);
  const stats = objs.find((o) => o.kind === 'portStats');
  for (const k of ['rxPackets', 'txPackets', 'rxBytes', 'txBytes', 'rxErrors', 'txErrors', 'rxMissed', 'rxNombuf', 'rxq', 'txq']) {
    assert.ok(k in stats.ports[0].counters, `counter ${k}`);
  }
  for (const k of ['rxPps', 'txPps', 'rxBps', 'txBps']) assert.ok(k in stats.ports[0].throughput, `rate ${k}`);
});

test('-c exits non-zero if any command failed, and still runs the rest', async () => {
  const r = await ringside(['-c', 'show config cores; port start 9; show port summary all']);
  assert.is(r.code, 1);
  assert.match(r.stdout, /List of forwarding lcores/);
  assert.match(r.stdout, /Error E\w+: /);
  assert.match(r.stdout, /net_null1/);
  assert.not.match(r.stdout, /Configuring Port|Bye/, '-c prints only the results');
});

test('set output json in line mode switches the rest to JSON', async () => {
  const r = await ringside([], 'show config cores\nset output json\nshow config cores\n');
  const lines = r.stdout.split('\n');
  const i = lines.findIndex((l) => l.startsWith('{"command":"set output json"'));
  assert.ok(i > 0);
  assert.is(JSON.parse(lines[i + 1]).kind, 'configCores');
  for (const l of lines.slice(i).filter((x) => x.trim() !== '')) JSON.parse(l);
});

test.run();
