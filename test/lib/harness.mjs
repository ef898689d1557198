// uvu with a per-test time limit, so a hang fails one test with a clear
// message instead of stalling the run. Import { test, assert } from here.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

export { assert };
export const DEFAULT_TEST_TIMEOUT_MS = 30_000;

function limited(name, fn, ms) {
  return (ctx) => {
    let timer;
    const limit = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`test '${name}' took longer than ${ms} ms`)), ms);
    });
    return Promise.race([Promise.resolve().then(() => fn(ctx)), limit]).finally(() => clearTimeout(timer));
  };
}

// A suite whose tests each get a time limit (opts.timeoutMs or the default).
export function makeSuite(title) {
  const s = suite(title);
  const add = (name, fn, opts = {}) => s(name, limited(name, fn, opts.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS));
  add.before = s.before;
  add.after = s.after;
  add.run = () => s.run();
  return add;
}

export const test = makeSuite('');
