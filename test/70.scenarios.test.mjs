// Scenarios (.rsc) through the command line, as CI runs them: every shipped
// scenario passes; syntax errors name file and line before anything runs; a
// failing expectation shows what was expected and what was found; reports
// (--json, --junit) are machine-readable; an interrupted run leaves nothing
// behind. Scenarios with a topology need root: they skip with a printed
// reason when not root, but never when CI=true.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { MAIN, ringside, root } from './lib/cli.mjs';
import { sleep, tempDir } from './lib/engine.mjs';

const SCENARIOS = path.join(root, 'scenarios');
import { isRoot, missingTools, skipOrFail } from './lib/tools.mjs';
import { withNetns } from './lib/netns.mjs';

const IS_ROOT = isRoot();
const run = (args, opts = {}) => ringside(['run', ...args], '', { timeoutMs: 60_000, ...opts });

const shipped = readdirSync(SCENARIOS).filter((f) => f.endsWith('.rsc')).sort();
// Root: a topology block, or a first comment saying so (kernel interfaces
// made by ringside itself: TAP, KNI, AF_XDP).
const privileged = (f) => /^\s*topology\s*$|^# Needs root\b/m.test(readFileSync(path.join(SCENARIOS, f), 'utf8'));

// Root-only tests: skipped with a reason when not root, failed under CI.
function needRoot(what, tools = []) {
  return !skipOrFail(what, !IS_ROOT ? 'needs root (namespaces, veth pairs, TAP, KNI and AF_XDP ports)' : missingTools(tools));
}

const netnsList = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
const linkNames = () => (spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout ?? '')
  .split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0]).filter(Boolean);

test('the shipped scenarios exist: one per forwarding mode, a topology one, shared includes', () => {
  for (const mode of ['io', 'mac', 'macswap', '5tswap', 'rxonly', 'txonly', 'icmpecho']) {
    assert.ok(shipped.some((f) => f.startsWith(`fwd-${mode}-`) || f === `fwd-${mode}.rsc`), `a scenario for ${mode}`);
  }
  assert.ok(shipped.some(privileged), 'a topology scenario');
  assert.ok(existsSync(path.join(SCENARIOS, 'fixtures', 'udp-100.pcap')), 'pcap fixtures are shipped');
});

// Privileged scenarios run in a namespace of their own (as root), so what
// they make in ringside's namespace (TAPs, KNIs, host ends of veth pairs,
// routes) never touches the host's.
for (const f of shipped) {
  test(`shipped scenario ${f} passes`, async () => {
    const file = path.join('scenarios', f);
    let r;
    // `# Needs root and 2 CPUs`: the scenario pins senders to CPUs.
    const cpus = Number(/^# Needs .*?\b(\d+) CPUs\b/m.exec(readFileSync(path.join(SCENARIOS, f), 'utf8'))?.[1] ?? 1);
    if (skipOrFail(f, os.cpus().length < cpus ? `needs ${cpus} CPUs, this machine has ${os.cpus().length}` : '')) return;
    if (privileged(f)) {
      if (!needRoot(f, [['ip', 'iproute2'], ['ping', 'iputils-ping'], ['taskset', 'util-linux']])) return;
      r = await withNetns(1, (ns) => ns.run(process.execPath, [MAIN, 'run', file], { timeoutMs: 60_000 }));
    } else {
      r = await run([file], { timeoutMs: 60_000 });
    }
    assert.is(r.code, 0, `${f} failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`PASS scenarios/${f.replace('.', '\\.')}`));
    assert.not.match(r.stdout, /^\s+FAIL /m);
  }, { timeoutMs: 90_000 });
}

test('help expect names every condition subject, and a subject or counter misspelt lists the right ones', async () => {
  const { SUBJECTS } = await import('../dist/commands/conditions.js');
  const { CONDITION_SUBJECTS } = await import('../dist/commands/scenario.js');
  const named = CONDITION_SUBJECTS.split(', ').map((x) => x.split(' ')[0]);
  assert.equal(named.sort(), SUBJECTS.map((x) => x.name).sort(), 'the help lists the subjects of the table');
  const h = await ringside(['-c', 'help expect']);
  assert.match(h.stdout, /Subjects: port N, queue P Q, fwd, flow P rule ID, rss P, latency P/);
  const t = tempDir();
  try {
    writeFileSync(t.file('n.rsc'), [
      'expect flow 0 rul 1 hits == 0',
      'expect flow 0 rule 1 hist == 0',
      'expect latency 0 p99 < 100',
      'expect rss 0 dropped > 0',
    ].join('\n') + '\n');
    const r = await run([t.file('n.rsc')]);
    assert.is(r.code, 2);
    assert.match(r.stderr, /n\.rsc:1: syntax error: expected 'rule' after 'flow 0', got 'rul'/);
    assert.match(r.stderr, /n\.rsc:2: syntax error: unknown flow counter 'hist': valid counters are hits, bytes/);
    assert.match(r.stderr, /n\.rsc:3: syntax error: unknown latency counter 'p99': valid counters are .*p99-us/);
    assert.match(r.stderr, /did you mean 'latency 0 p99-us'\?/);
    assert.match(r.stderr, /n\.rsc:4: syntax error: unknown rss counter 'dropped'.*\n[\s\S]*did you mean 'rss 0 dropped-by-rules'\?/);
  } finally {
    t.remove();
  }
});

test('syntax errors: file:line, the line itself, a hint; exit 2 and nothing runs', async () => {
  const t = tempDir();
  try {
    const marker = t.file('ran');
    writeFileSync(t.file('bad.rsc'), [
      '# nothing here may run',
      `shell touch ${marker}`,
      'expect prot 0 rx-packets > 0',
      'expect port 0 rx-pakets >= 1',
      'shwo port stats all',
      'expect kni 0 rx-pakets > 0',
      'expect event mtu_change port 0 mtu',
      'sleep forever',
      'expect port 0 rx-packets \\',
      '   => 5',
      'include missing.rsc',
    ].join('\n') + '\n');
    const r = await run([t.file('bad.rsc')]);
    assert.is(r.code, 2, r.stdout + r.stderr);
    const e = r.stderr;
    const f = t.file('bad.rsc');
    assert.match(e, `${f}:3: syntax error: unknown condition subject 'prot'`);
    assert.match(e, /did you mean 'port'\?/);
    assert.match(e, /\n\s+3 \| expect prot 0 rx-packets > 0/, 'the line itself is shown');
    assert.match(e, `${f}:4: syntax error: unknown port counter 'rx-pakets'`);
    assert.match(e, /did you mean 'port 0 rx-packets'/);
    assert.match(e, `${f}:5: syntax error: unknown command 'shwo'`);
    assert.match(e, `${f}:6: syntax error: unknown kni counter 'rx-pakets'`);
    assert.match(e, `${f}:7: syntax error: event mtu_change: filters come in pairs`);
    assert.match(e, `${f}:8: syntax error: invalid duration 'forever'`);
    assert.match(e, `${f}:9: syntax error: unknown operator '=>'`, 'a continued line is reported at its first line');
    assert.match(e, `${f}:11: syntax error: include: cannot read`);
    assert.match(e, /8 syntax errors; nothing was run/);
    assert.not.ok(existsSync(marker), 'no step ran');
    assert.is(r.stdout, '', 'nothing was run');
  } finally {
    t.remove();
  }
});

test('an error inside an included file names that file and line', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('inc.rsc'), '# shared\nexpect port 0 rx-packets >> 1\n');
    writeFileSync(t.file('main.rsc'), 'include inc.rsc\n');
    const r = await run([t.file('main.rsc')]);
    assert.is(r.code, 2);
    assert.match(r.stderr, /inc\.rsc:2: syntax error: unknown operator '>>'/);
  } finally {
    t.remove();
  }
});

test('a failing expectation says what was expected and what was found; --keep-going runs the rest', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('f.rsc'), [
      'ringside --vdev net_ring0,peer=net_ring1 --vdev net_ring1,peer=net_ring0',
      'start tx_first',
      'wait until fwd rx-packets > 1000 within 5s',
      'stop',
      '# tx_first added 64 packets: this equality is false',
      'expect fwd tx-packets == fwd rx-packets',
      'expect port 1 mtu == 9000',
      'echo reached the end',
    ].join('\n') + '\n');
    const f = t.file('f.rsc');
    const r = await run([f]);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, `${f}:6: expectation failed`);
    assert.match(r.stdout, /\n\s+6 \| expect fwd tx-packets == fwd rx-packets/);
    assert.match(r.stdout, /expected: fwd tx-packets == fwd rx-packets/);
    assert.match(r.stdout, /actual: +fwd tx-packets = \d+; fwd rx-packets = \d+/);
    assert.not.match(r.stdout, /reached the end/, 'stops at the first failure');
    assert.match(r.stdout, /FAIL .*f\.rsc: .*1 failed, 2 not run; first failure at .*f\.rsc:6/);
    assert.match(r.stdout, /cleanup +\[2 ports closed\]/, 'cleans up after a failure');

    const k = await run(['--keep-going', f]);
    assert.is(k.code, 1);
    assert.match(k.stdout, /actual: +port 1 mtu = 1500/);
    assert.match(k.stdout, /reached the end/);
    assert.match(k.stdout, /2 failed/);
  } finally {
    t.remove();
  }
});

test('output contains: TEXT is words, so other spacing fails with a note saying to quote it; quoted, it passes', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('sp.rsc'), "shell echo 'Seen: 100   Matched: 2'\nexpect output contains 'Seen: 100   Matched: 2'\nexpect output contains Seen: 100   Matched: 2\n");
    const r = await run([t.file('sp.rsc')]);
    assert.is(r.code, 1, r.stdout);
    assert.match(r.stdout, /ok +2 +expect output contains 'Seen: 100 {3}Matched: 2'/);
    assert.match(r.stdout, /sp\.rsc:3: expectation failed/);
    assert.match(r.stdout, /expected: output of 'echo Seen: 100 {3}Matched: 2' contains 'Seen: 100 Matched: 2'/);
    assert.match(r.stdout, /note: +found with other spacing in 'Seen: 100 {3}Matched: 2': quote TEXT/);
  } finally {
    t.remove();
  }
});

test('a failed command and a failed program: message, status, output', async () => {
  const t = tempDir();
  try {
    // Valid syntax, refused by the engine: ports must be stopped first.
    writeFileSync(t.file('c.rsc'), 'port config all rxq 2\n');
    const c = await run([t.file('c.rsc')]);
    assert.is(c.code, 1, c.stdout + c.stderr);
    assert.match(c.stdout, /c\.rsc:1: command failed: Error \w+: .*stop/i);

    writeFileSync(t.file('s.rsc'), "shell sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'\n");
    const s = await run([t.file('s.rsc')]);
    assert.is(s.code, 1);
    assert.match(s.stdout, /s\.rsc:1: 'sh -c echo to-stdout; echo to-stderr >&2; exit 3': exit status 3/);
    assert.match(s.stdout, /to-stdout/);
    assert.match(s.stdout, /to-stderr/);

    writeFileSync(t.file('ok.rsc'), [
      '# no shell interpretation: $HOME, | and > are plain words',
      "shell echo $HOME '|' cat > x",
      'expect output contains $HOME | cat > x',
      'expect output exit-status == 0',
      "shell! sh -c 'exit 4'",
      'expect output exit-status == 4',
      'shell! no-such-program-here',
    ].join('\n') + '\n');
    const o = await run([t.file('ok.rsc')]);
    assert.is(o.code, 1, o.stdout);
    assert.match(o.stdout, /ok +3 +expect output contains/);
    assert.match(o.stdout, /ok +6 +expect output exit-status == 4/);
    assert.match(o.stdout, /ok\.rsc:7: 'no-such-program-here': cannot run: program 'no-such-program-here' not found/);
  } finally {
    t.remove();
  }
});

test('--var, set var and ${NAME}; --json lines; --junit XML', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('v.rsc'), [
      'set var MIN 1',
      'set var MTU 1500',
      'start',
      'wait until port 0 rx-packets >= ${MIN} within 5s',
      'stop',
      'expect port 0 mtu == ${MTU}',
    ].join('\n') + '\n');
    const ok = await run(['--json', '--junit', t.file('ok.xml'), t.file('v.rsc')]);
    assert.is(ok.code, 0, ok.stdout + ok.stderr);
    const lines = ok.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.is(lines[0].type, 'scenario');
    const steps = lines.filter((l) => l.type === 'step');
    assert.ok(steps.every((s) => typeof s.durationMs === 'number' && s.status === 'ok'));
    assert.ok(steps.some((s) => s.line === 6 && s.actual === 'port 0 mtu = 1500'));
    assert.is(lines.at(-1).type, 'summary');
    assert.is(lines.at(-1).status, 'pass');
    assert.match(readFileSync(t.file('ok.xml'), 'utf8'), /<testsuites name="ringside scenarios" tests="\d+" failures="0"/);

    const bad = await run(['--var', 'MTU=9000', '--json', '--junit', t.file('bad.xml'), t.file('v.rsc')]);
    assert.is(bad.code, 1);
    const fail = bad.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.type === 'step' && l.status === 'fail');
    assert.is(fail.line, 6);
    assert.is(fail.expected, 'port 0 mtu == 9000', '--var wins over set var');
    assert.is(fail.actual, 'port 0 mtu = 1500');
    const xml = readFileSync(t.file('bad.xml'), 'utf8');
    assert.match(xml, /failures="1"/);
    assert.match(xml, /<failure message="expectation failed" type="expectation">/);
    assert.match(xml, /actual: +port 0 mtu = 1500/);
  } finally {
    t.remove();
  }
});

test('the interactive shell runs a scenario with run FILE and shows each step', async () => {
  const r = await ringside([], 'run scenarios/fwd-io-ring.rsc\nshow port summary all\nquit\n', { timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /scenario scenarios\/fwd-io-ring\.rsc/);
  assert.match(r.stdout, /ok +7 +wait until fwd rx-packets >= 100000/);
  assert.match(r.stdout, /PASS scenarios\/fwd-io-ring\.rsc/);
  assert.match(r.stdout, /0 +\S+ net_null0/, "the shell's own ports are untouched");
  const t = tempDir();
  try {
    writeFileSync(t.file('f.rsc'), 'expect port 0 mtu == 42\n');
    const f = await ringside([], `run ${t.file('f.rsc')}\nquit\n`, { timeoutMs: 60_000 });
    assert.match(f.stdout, /expected: port 0 mtu == 42/);
    assert.match(f.stdout, /Error ESCENARIO_FAILED: scenario .*f\.rsc failed at .*f\.rsc:1/);
  } finally {
    t.remove();
  }
});

// Starts `ringside run FILE` (inside namespace `ns` if given: `ip netns exec`
// execs node, so the signal reaches it), waits for `ready` in its output,
// sends SIGINT.
function interrupt(file, ready, also = () => true, ns = null) {
  return new Promise((resolve, reject) => {
    const argv = [process.execPath, MAIN, 'run', file];
    const [cmd, ...args] = ns ? ['ip', 'netns', 'exec', ns.name, ...argv] : argv;
    const child = spawn(cmd, args, { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let sent = false;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit after SIGINT:\n${out}`)); }, 30_000);
    const onData = (d) => {
      out += d;
      if (!sent && ready.test(out)) {
        sent = true;
        const fire = () => (also() ? child.kill('SIGINT') : setTimeout(fire, 50));
        setTimeout(fire, 200);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out, sent }); });
  });
}

test('SIGINT mid-run: the program is stopped, ports closed, exit 130', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('long.rsc'), `start\necho forwarding\nshell sh -c 'echo $$ > ${t.file('pid')}; exec sleep 30'\nexpect fwd rx-packets > 0\n`);
    const r = await interrupt(t.file('long.rsc'), /echo forwarding/, () => existsSync(t.file('pid')));
    assert.ok(r.sent, r.out);
    assert.is(r.code, 130, r.out);
    assert.match(r.out, /exec sleep 30': interrupted/);
    assert.match(r.out, /cleanup +\[2 ports closed\]/);
    assert.match(r.out, /INTERRUPTED/);
    await sleep(100);
    const pid = Number(readFileSync(t.file('pid'), 'utf8'));
    assert.throws(() => process.kill(pid, 0), 'the program was ended');
  } finally {
    t.remove();
  }
});

// The run printed `count` namespace names matching `pattern`; none remains.
// (Only these: other programs on the machine may add or remove namespaces.)
function namespacesGone(out, pattern, count) {
  const made = [...new Set(out.match(pattern) ?? [])];
  assert.is(made.length, count, `the namespaces were made:\n${out}`);
  const after = netnsList();
  for (const n of made) assert.not.ok(after.includes(n), `namespace ${n} was removed`);
}

test('SIGINT mid-run of a topology scenario leaves no namespace and no link behind', async () => {
  if (!needRoot('interrupting a topology scenario', [['ip', 'iproute2']])) return;
  const t = tempDir();
  try {
    writeFileSync(t.file('topo.rsc'), [
      'topology',
      '  netns a',
      '  netns b',
      '  veth a:rsint0 b:rsint1',
      '  addr a:rsint0 10.97.0.1/24',
      '  addr b:rsint1 10.97.0.2/24',
      'end',
      'start',
      'netns a',
      'shell ip -brief addr show dev rsint0',
      'expect output contains 10.97.0.1/24',
      'echo waiting',
      'shell sleep 30',
    ].join('\n') + '\n');
    const r = await interrupt(t.file('topo.rsc'), /echo waiting/);
    assert.ok(r.sent, r.out);
    assert.is(r.code, 130, r.out);
    namespacesGone(r.out, /rs-sc-\d+-0-[ab]/g, 2);
    assert.not.ok(linkNames().some((l) => l === 'rsint0' || l === 'rsint1'), 'no veth end is left in the host');
  } finally {
    t.remove();
  }
}, { timeoutMs: 60_000 });

test('SIGINT mid-run with a TAP, a KNI and an AF_XDP port on a topology: no namespace, interface or XDP program remains', async () => {
  if (!needRoot('interrupting a scenario with kernel ports', [['ip', 'iproute2']])) return;
  const t = tempDir();
  try {
    writeFileSync(t.file('ports.rsc'), [
      'topology',
      '  netns far',
      '  veth far:eth0 host:rsxint0 queues 2',
      'end',
      'ringside --vdev net_tap0,iface=rstint0 --vdev net_af_xdp0,iface=rsxint0,start_queue=1',
      'kni create 0 name rskint0 all',
      'start',
      'echo waiting',
      'shell sleep 30',
    ].join('\n') + '\n');
    await withNetns(1, async (ns) => {
      const r = await interrupt(t.file('ports.rsc'), /echo waiting/, () => {
        // Everything is there before the signal: the TAP, the KNI, the XDP program.
        const links = ns.ip('-d', 'link', 'show');
        return /rstint0/.test(links) && /rskint0/.test(links) && /rsxint0[^\n]*\n(.*\n)*?.*prog\/xdp id \d+/.test(links);
      }, ns);
      assert.ok(r.sent, r.out);
      assert.is(r.code, 130, r.out);
      assert.match(r.out, /INTERRUPTED/);
      namespacesGone(r.out, /rs-sc-\d+-0-far/g, 1);
      const links = ns.ip('-d', 'link', 'show');
      for (const name of ['rstint0', 'rskint0', 'rsxint0']) assert.not.match(links, new RegExp(name), `${name} was removed`);
      assert.not.match(links, /xdp/, 'no XDP program is attached to anything left');
      assert.is(ns.ip('-o', 'link', 'show').trim().split('\n').length, 1, `only lo remains:\n${links}`);
    });
  } finally {
    t.remove();
  }
}, { timeoutMs: 60_000 });

test('a topology that fails to come up is removed and named by its line', async () => {
  if (!needRoot('a failing topology', [['ip', 'iproute2']])) return;
  const t = tempDir();
  try {
    writeFileSync(t.file('t.rsc'), 'topology\n  netns a\n  addr a:nosuchif0 10.96.0.1/24\nend\nexpect port 0 mtu == 1500\n');
    const r = await run([t.file('t.rsc')]);
    assert.is(r.code, 1);
    const m = /t\.rsc:3: topology: 'ip -n (rs-sc-\d+-0-a) addr add 10\.96\.0\.1\/24 dev nosuchif0' failed/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.not.ok(netnsList().includes(m[1]), `namespace ${m[1]} was removed`);
  } finally {
    t.remove();
  }
});

test.run();
