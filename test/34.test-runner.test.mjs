// test/run.mjs counts a test that skipped (printed "# skip NAME: WHY" and
// returned) as skipped, not passed; under CI=true, where the suite's needs
// are met, any skip fails the run.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { root } from './lib/cli.mjs';
import { tempDir } from './lib/engine.mjs';

const lib = (f) => path.join(root, 'test', 'lib', f);

function runFixture(body, env = {}) {
  const t = tempDir();
  try {
    const file = t.file('fixture.test.mjs');
    writeFileSync(file, `import { test } from '${lib('harness.mjs')}';\nimport { skipOrFail } from '${lib('tools.mjs')}';\n${body}\ntest.run();\n`);
    const { CI, ...rest } = process.env;
    const r = spawnSync(process.execPath, [path.join(root, 'test', 'run.mjs'), file], { cwd: root, encoding: 'utf8', env: { ...rest, ...env }, timeout: 60_000 });
    return { code: r.status, last: r.stdout.trim().split('\n').pop(), out: r.stdout };
  } finally {
    t.remove();
  }
}

const BODY = `
test('runs', () => {});
test('needs a thing', () => { if (skipOrFail('needs a thing', 'no thing here')) return; throw new Error('ran without it'); });
`;
// A test that skips by hand, without skipOrFail's CI rule.
const BY_HAND = `
test('runs', () => {});
test('skips by hand', () => { console.log('# skip skips by hand: no thing here'); });
`;

test('a skip is reported apart from the passes', () => {
  const r = runFixture(BODY);
  assert.is(r.last, '1 passed, 0 failed, 1 skipped', r.out);
  assert.is(r.code, 0);
});

test('under CI=true a skip fails the run, with its reason', () => {
  for (const body of [BODY, BY_HAND]) {
    const r = runFixture(body, { CI: 'true' });
    assert.is(r.last, '1 passed, 1 failed', r.out);
    assert.is(r.code, 1);
    assert.match(r.out, /no thing here/);
  }
});

test.run();
