// How many of testpmd 22.11's command forms and start-up options that make
// sense for software ports ringside takes. The lists are reconstructed from
// DPDK's testpmd_funcs.rst and run_app.rst (58.testpmd-forms.data.mjs).
// A form counts when its example lines, run on two net_ring ports, are parsed
// and handled without an error (a refusal naming the port's state, e.g.
// "Please stop port 0 first" or EBUSY_FORWARDING, counts; any other error,
// such as unknown command, bad arguments, "needs a NIC driver" or "not
// supported", does not). An option counts when ringside starts with it. README's
// figures are checked, and so is what the rest answer.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { root, ringside } from './lib/cli.mjs';
import { SOFTWARE_FORMS, SOFTWARE_OPTIONS, HARDWARE_OPTIONS } from './58.testpmd-forms.data.mjs';

const RINGS = ['--vdev', 'net_ring0', '--vdev', 'net_ring1'];
const NOT_TAKEN = /^Error (?!EBUSY_|EPORTS_STOPPED)[A-Z_]+:/m;
const dir = mkdtempSync(path.join(tmpdir(), 'rs-forms-'));
const LOAD_FILE = path.join(dir, 'cmds.txt');
const PEERS_FILE = path.join(dir, 'peers.txt');
writeFileSync(LOAD_FILE, 'show config fwd\n');
writeFileSync(PEERS_FILE, '02:00:00:00:00:10\n02:00:00:00:00:11\n');

test('testpmd software-port forms: at least as many as README claims are taken', async () => {
  // Each form follows an unknown word, whose error line marks where the form's output starts.
  const lines = SOFTWARE_FORMS.flatMap((f, i) => [`form-${i}`, ...f.example.map((l) => l.replace('LOAD_FILE', LOAD_FILE))]);
  const marked = await ringside([...RINGS, '--', '-i'], lines.join('\n') + '\n', { timeoutMs: 60_000 });
  assert.is(marked.code, 0, marked.stderr);
  const parts = marked.stdout.split(/^Error ECMD_UNKNOWN: unknown command 'form-\d+'.*\n(?:type 'help' for commands\n)?/m).slice(1);
  assert.is(parts.length, SOFTWARE_FORMS.length);
  const ok = parts.map((b) => !NOT_TAKEN.test(b));
  const taken = ok.filter(Boolean).length;
  const missing = SOFTWARE_FORMS.filter((_, i) => !ok[i]);
  console.log(`testpmd software-port forms taken: ${taken} of ${SOFTWARE_FORMS.length}; not taken: ${missing.map((f) => f.syntax).join(' | ')}`);
  // a form not taken still answers in one clear line, never "unknown command"
  for (const [i, f] of SOFTWARE_FORMS.entries()) {
    if (!ok[i]) assert.not.match(parts[i], /ECMD_UNKNOWN/, `${f.syntax} is not recognised`);
  }
  const claim = readFileSync(`${root}/README.md`, 'utf8').match(/takes (\d+) of the (\d+) testpmd command forms/);
  assert.ok(claim, 'README states the count');
  assert.is(Number(claim[2]), SOFTWARE_FORMS.length);
  assert.ok(taken >= Number(claim[1]), `README claims ${claim[1]}, ringside takes ${taken}`);
}, { timeoutMs: 120_000 });

async function startsWith(args) {
  const app = args.includes('-i') || args.includes('--help') ? args : ['-i', ...args];
  const r = await ringside([...RINGS, '--', ...app.map((a) => a.replace('ETH_PEERS_FILE', PEERS_FILE))], 'quit\n', { timeoutMs: 30_000 });
  return { ok: r.code === 0, text: r.stdout + r.stderr };
}

async function inBatches(items, n, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += n) out.push(...await Promise.all(items.slice(i, i + n).map(fn)));
  return out;
}

test('testpmd start-up options: at least as many as README claims are taken; the rest say why not', async () => {
  const runs = await inBatches(SOFTWARE_OPTIONS, 4, (o) => startsWith(o.args));
  const taken = runs.filter((r) => r.ok).length;
  const missing = SOFTWARE_OPTIONS.filter((_, i) => !runs[i].ok);
  console.log(`testpmd software-port options taken: ${taken} of ${SOFTWARE_OPTIONS.length}; not taken: ${missing.map((o) => o.option).join(' | ')}`);
  for (const [i, r] of runs.entries()) if (!r.ok) assert.match(r.text, /not supported|does not support/, SOFTWARE_OPTIONS[i].option);
  const claim = readFileSync(`${root}/README.md`, 'utf8').match(/(\d+) of the (\d+) start-up options/);
  assert.ok(claim, 'README states the count');
  assert.is(Number(claim[2]), SOFTWARE_OPTIONS.length);
  assert.ok(taken >= Number(claim[1]), `README claims ${claim[1]}, ringside takes ${taken}`);
  const hw = await inBatches(HARDWARE_OPTIONS, 4, (name) => startsWith([`--${name}`]));
  // a NIC option is refused with what it needs, or (where a command line from testpmd
  // should still start) accepted with a warning saying why it has no effect
  for (const [i, r] of hw.entries()) {
    const name = HARDWARE_OPTIONS[i];
    if (r.ok) assert.match(r.text, new RegExp(`option --${name} accepted with no effect: .+`), name);
    else assert.match(r.text, new RegExp(`--${name} needs .+; not supported on software ports`));
  }
}, { timeoutMs: 300_000 });

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
