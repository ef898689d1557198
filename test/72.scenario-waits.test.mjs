// `wait until` and `expect ... within` on something that cannot appear while
// the scenario waits (no step runs during a wait: a port or queue that does
// not exist stays so) fail at once, as a plain `expect` does, saying why.
import { writeFileSync } from 'node:fs';
import { test, assert } from './lib/harness.mjs';
import { ringside } from './lib/cli.mjs';
import { tempDir } from './lib/engine.mjs';

test('wait until / expect within on a port or queue that does not exist: failed at once, not after the timeout', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('w.rsc'), [
      'wait until port 68054 rx-packets > 0 within 60s',
      'expect port 9 tx-packets >= 1 within 60s',
      'wait until queue 0 7 rx-packets > 0 within 60s',
    ].join('\n') + '\n');
    const started = Date.now();
    const r = await ringside(['run', '--keep-going', '--json', t.file('w.rsc')], '', { timeoutMs: 30_000 });
    const took = Date.now() - started;
    assert.is(r.code, 1, r.stdout + r.stderr);
    const steps = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((o) => o.type === 'step' && o.line > 0 && o.kind !== 'cleanup');
    assert.is(steps.length, 3, r.stdout);
    for (const s of steps) {
      assert.is(s.status, 'fail');
      assert.ok(s.durationMs < 5_000, `line ${s.line} failed in ${s.durationMs} ms, not after its 60 s`);
      assert.match(s.message, /cannot become true \(.*\): not waited for/);
    }
    assert.match(steps[0].actual, /port 68054 does not exist \(ports: 0-1\)|port 68054 does not exist/);
    assert.match(steps[2].actual, /port 0 has no rx queue 7/);
    assert.ok(took < 25_000);
  } finally {
    t.remove();
  }
}, { timeoutMs: 40_000 });

test.run();
