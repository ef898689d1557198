// `ringside run` against a hostile machine and a hard death: its work dir is
// private and new; a run killed with SIGKILL leaves things the next run
// removes (and nothing of a live run); a scenario started by the shell's `run`
// dies with the shell. Namespace tests need root: they skip with the reason,
// and fail under CI=true.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { MAIN, ringside } from './lib/cli.mjs';
import { sleep, tempDir, waitFor } from './lib/engine.mjs';
import { skipUnlessNetns, withNetns } from './lib/netns.mjs';

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const readPid = (file, line = 0) => Number(readFileSync(file, 'utf8').split('\n')[line]);
const netnsList = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
const childrenOf = (pid) => (spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout ?? '')
  .split('\n').map((l) => Number(l.trim())).filter(Boolean);

// `ringside run` started, optionally inside namespace `ns`; { child, out() }.
function startRun(args, ns) {
  const argv = [process.execPath, MAIN, 'run', ...args];
  const [cmd, ...rest] = ns ? ['ip', 'netns', 'exec', ns.name, ...argv] : argv;
  const child = spawn(cmd, rest, { env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => child.on('close', (code, signal) => r({ code, signal })));
  return { child, exited, out: () => out };
}

test('the work dir is new and private (mkdtemp, 0700, ours), and removed afterwards', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('wd.rsc'), 'shell stat -c %a:%u:%n ${WORKDIR}\n');
    const r = await ringside(['run', '--json', t.file('wd.rsc')], '', { timeoutMs: 60_000 });
    assert.is(r.code, 0, r.stdout + r.stderr);
    const step = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((o) => o.type === 'step' && o.kind === 'shell');
    const [mode, uid, dir] = step.output[0].split(':');
    assert.is(mode, '700', 'only its owner can enter it or plant links in it');
    assert.is(Number(uid), process.getuid());
    assert.match(path.basename(dir), /^ringside-sc-\d+-0-\w{6}$/, 'a name nobody can predict and plant first');
    assert.not.ok(existsSync(dir), 'removed after the run');
  } finally {
    t.remove();
  }
});

test('a scenario started by the shell\'s run FILE dies with the shell, even by SIGKILL', async () => {
  const t = tempDir();
  const shell = spawn(process.execPath, [MAIN], { env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  shell.stdout.on('data', (d) => { out += d; });
  shell.stderr.on('data', (d) => { out += d; });
  try {
    writeFileSync(t.file('long.rsc'), `shell sh -c 'echo $$ > ${t.file('pid')}; exec sleep 300'\n`);
    shell.stdin.write(`run ${t.file('long.rsc')}\n`);
    await waitFor(() => existsSync(t.file('pid')) && readFileSync(t.file('pid'), 'utf8').endsWith('\n'), 30_000, `the program to start:\n${out}`);
    const program = readPid(t.file('pid'));
    const [runChild] = childrenOf(shell.pid);
    assert.ok(runChild, 'the shell runs the scenario in a child');
    shell.kill('SIGKILL');
    await waitFor(() => !alive(runChild) && !alive(program), 10_000, 'the scenario and its program to end');
  } finally {
    shell.kill('SIGKILL');
    t.remove();
  }
}, { timeoutMs: 60_000 });

test('a run killed with SIGKILL: the next run removes its namespace, host link, programs and work dir, and nothing of a live run', async () => {
  if (skipUnlessNetns('leftovers of a killed run', [['ps', 'procps']])) return;
  const t = tempDir();
  const topo = (tag, ns, link, pidFile) => [
    'topology',
    `  netns ${ns}`,
    `  veth ${ns}:eth0 host:${link}`,
    'end',
    `netns ${ns}`,
    // sh dies with the run (parent-death signal); its child sleep is the orphan.
    `shell sh -c 'sleep 300 & echo $! > ${pidFile}; echo $$ >> ${pidFile}; echo ${tag} >> ${pidFile}; wait'`,
  ].join('\n') + '\n';
  await withNetns(1, async (ns) => {
    writeFileSync(t.file('dead.rsc'), topo('dead', 'doomed', 'rsdead0', t.file('dead.pid')));
    writeFileSync(t.file('live.rsc'), topo('live', 'keeper', 'rslive0', t.file('live.pid')));
    writeFileSync(t.file('next.rsc'), 'echo next\n');
    const started = (f) => existsSync(f) && /\n\w+\n$/.test(readFileSync(f, 'utf8'));
    const dead = startRun([t.file('dead.rsc')], ns);
    const live = startRun([t.file('live.rsc')], ns);
    try {
      await waitFor(() => started(t.file('dead.pid')) && started(t.file('live.pid')), 30_000, 'both programs to start');
      const deadNs = /rs-sc-\d+-0-doomed/.exec(dead.out())[0];
      const liveNs = /rs-sc-\d+-0-keeper/.exec(live.out())[0];
      const deadWorkdirs = () => spawnSync('sh', ['-c', `ls -d ${os.tmpdir()}/ringside-sc-${dead.child.pid}-* 2>/dev/null`], { encoding: 'utf8' }).stdout.trim();
      const orphan = readPid(t.file('dead.pid'));
      const program = readPid(t.file('dead.pid'), 1);
      // What the run made, which a SIGKILL leaves (another run on this
      // machine may remove it as soon as this one is dead: checked before).
      assert.ok(netnsList().includes(deadNs), 'the run made its namespace');
      assert.match(ns.ip('link', 'show'), /rsdead0/, 'and its host link');
      assert.ok(alive(orphan), 'and its step started a program in the background');
      assert.ok(deadWorkdirs(), 'and its work dir');
      dead.child.kill('SIGKILL');
      await dead.exited;
      await waitFor(() => !alive(program), 5_000, 'the step\'s program to die with its run (parent-death signal)');

      const next = await ns.run(process.execPath, [MAIN, 'run', t.file('next.rsc')], { timeoutMs: 60_000 });
      assert.is(next.code, 0, next.stdout + next.stderr);
      // (Unless another run on this machine was first.)
      assert.match(next.stderr, /removed what a killed run left: .*namespace rs-sc-\d+-0-doomed|^$/);
      await waitFor(() => !alive(orphan), 5_000, 'the orphan to be ended');
      assert.not.ok(netnsList().includes(deadNs), 'namespace removed');
      assert.not.match(ns.ip('link', 'show'), /rsdead0/, 'host link removed');
      assert.is(deadWorkdirs(), '', 'work dir removed');
      // The live run keeps everything.
      assert.ok(netnsList().includes(liveNs), 'the live run\'s namespace stays');
      assert.match(ns.ip('link', 'show'), /rslive0/, 'and its host link');
      assert.ok(alive(readPid(t.file('live.pid'))), 'and its program');
    } finally {
      live.child.kill('SIGINT');
      await live.exited;
      dead.child.kill('SIGKILL');
      t.remove();
    }
  });
}, { timeoutMs: 120_000 });

test.run();
