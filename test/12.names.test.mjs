// Codes, limits and names the shell shares with the engine come from the
// engine's .def tables (scripts/gen-names.mjs): the generated module is up to
// date, an unknown error code fails both compilers, and what the shell sees
// is what the engine accepts.
import { test, assert } from './lib/harness.mjs';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addon, engineWith, tempDir } from './lib/engine.mjs';
import { ERROR_CODES, FLOW_ACTIONS, FLOW_ITEMS, LIMITS } from '../dist/native/names.generated.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function codeOf(fn) {
  try { fn(); } catch (e) { return e.code; }
  return undefined;
}
function messageOf(fn) {
  try { fn(); } catch (e) { return e.message; }
  return '';
}

test('native/names.generated.ts is what scripts/gen-names.mjs makes of the tables', () => {
  const r = spawnSync(process.execPath, ['scripts/gen-names.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
});

test('a generated module that misses a row of the tables fails the check', () => {
  const fresh = readFileSync(path.join(root, 'native/names.generated.ts'), 'utf8');
  const stale = fresh.replace("  'EPORT_RANGE',\n", '');
  assert.ok(stale !== fresh);
  const t = tempDir();
  try {
    writeFileSync(t.file('stale.ts'), stale);
    const r = spawnSync(process.execPath, ['scripts/gen-names.mjs', '--check', t.file('stale.ts')], { cwd: root, encoding: 'utf8' });
    assert.is(r.status, 1);
    assert.match(r.stderr, /stale: run node scripts\/gen-names\.mjs/);
  } finally {
    t.remove();
  }
});

test('tsc rejects an error code that is not in error_codes.def, at the class and at errorResult', () => {
  const t = tempDir();
  try {
    const rel = (p) => path.relative(t.dir, path.join(root, p)).replace(/\.ts$/, '.js');
    writeFileSync(t.file('ok.mts'), `import { RingsideError } from '${rel('native/errors.ts')}';\n`
      + `import { errorResult } from '${rel('commands/results.ts')}';\n`
      + "new RingsideError('EPORT_RANGE', 'x');\nerrorResult('EARG_INVALID', 'x');\n");
    writeFileSync(t.file('bad.mts'), `import { RingsideError } from '${rel('native/errors.ts')}';\n`
      + `import { errorResult } from '${rel('commands/results.ts')}';\n`
      + "new RingsideError('EPORT_RANGEE', 'x');\nerrorResult('EBOGUS', 'x');\n");
    const tsc = (file) => spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict',
      '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', file], { cwd: root, encoding: 'utf8' });
    const ok = tsc(t.file('ok.mts'));
    assert.is(ok.status, 0, ok.stdout);
    const bad = tsc(t.file('bad.mts'));
    assert.is.not(bad.status, 0);
    assert.match(bad.stdout, /bad\.mts\(3,.*"EPORT_RANGEE"/);
    assert.match(bad.stdout, /bad\.mts\(4,.*"EBOGUS"/);
  } finally {
    t.remove();
  }
}, { timeoutMs: 180_000 });

test('the C++ compiler rejects an error code that is not in error_codes.def', () => {
  const t = tempDir();
  try {
    const gxx = (code) => {
      writeFileSync(t.file('e.cpp'), `#include "error.h"\nvoid f() { throw rs::Error("${code}", "x"); }\n`);
      return spawnSync(process.env.CXX ?? 'g++', ['-std=c++20', '-fsyntax-only', `-I${path.join(root, 'native/engine')}`, t.file('e.cpp')], { encoding: 'utf8' });
    };
    assert.is(gxx('EPORT_RANGE').status, 0);
    const bad = gxx('EPORT_RANGEE');
    assert.is.not(bad.status, 0);
    assert.match(bad.stderr, /unknown_error_code_add_it_to_error_codes_def/);
  } finally {
    t.remove();
  }
}, { timeoutMs: 120_000 });

test('every code the engine throws is in the table', () => {
  const e = engineWith(['net_ring0']);
  try {
    for (const fn of [() => e.portInfo(9), () => e.setBurst(0), () => e.attach('net_bogus0'), () => e.portSetQueues(0, 99, 1)]) {
      const code = codeOf(fn);
      assert.ok(ERROR_CODES.includes(code), `${code} is not in ERROR_CODES`);
    }
  } finally {
    e.shutdown();
  }
});

test("LIMITS are the engine's: the limit is accepted, one more is refused", () => {
  const e = engineWith(['net_ring0']);
  try {
    e.portStop(0);
    e.portSetQueues(0, LIMITS.maxQueues, LIMITS.maxQueues);
    assert.is(codeOf(() => e.portSetQueues(0, LIMITS.maxQueues + 1, 1)), 'EQUEUE_RANGE');
    assert.is(codeOf(() => e.portSetQueues(0, 1, LIMITS.maxQueues + 1)), 'EQUEUE_RANGE');
    e.setBurst(LIMITS.maxBurst);
    assert.is(codeOf(() => e.setBurst(LIMITS.maxBurst + 1)), 'EBURST_RANGE');
    assert.is(codeOf(() => e.setNbCores(LIMITS.maxLcores)), 'ECORE_RANGE');
    for (let i = 1; i < LIMITS.maxPorts; i++) e.attach(`net_null${i}`);
    assert.is(e.portIds().length, LIMITS.maxPorts);
    assert.is(codeOf(() => e.attach('net_null99')), 'EPORT_LIMIT');
  } finally {
    e.shutdown();
  }
  for (const [size, ok] of [[LIMITS.minMbufDataRoom, true], [LIMITS.minMbufDataRoom - 1, false],
    [LIMITS.maxMbufDataRoom, true], [LIMITS.maxMbufDataRoom + 1, false]]) {
    let made;
    const code = codeOf(() => { made = new addon.Engine({ totalNumMbufs: 1100, mbufSize: size }); });
    made?.shutdown();
    assert.is(code === undefined, ok, `mbufSize ${size}: ${code}`);
  }
});

test('FLOW_ITEMS and FLOW_ACTIONS are the names the engine takes, and only those', () => {
  const e = engineWith(['net_ring0']);
  const rule = (pattern, actions) => ({ group: 0, priority: 0, ingress: true, egress: false, pattern, actions, text: '' });
  const drop = [{ type: 'drop' }];
  try {
    for (const type of FLOW_ITEMS) {
      assert.not.match(messageOf(() => e.flowValidate(0, rule([{ type, fields: [] }], drop))), /unknown pattern item/, type);
    }
    assert.match(messageOf(() => e.flowValidate(0, rule([{ type: 'mpls', fields: [] }], drop))), /unknown pattern item 'mpls'/);
    for (const type of FLOW_ACTIONS) {
      assert.not.match(messageOf(() => e.flowValidate(0, rule([{ type: 'eth', fields: [] }], [{ type, value: 1 }]))), /unknown action/, type);
    }
    assert.match(messageOf(() => e.flowValidate(0, rule([{ type: 'eth', fields: [] }], [{ type: 'meter' }]))), /unknown action 'meter'/);
  } finally {
    e.shutdown();
  }
});

test.run();
