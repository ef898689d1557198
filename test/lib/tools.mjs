// What a test needs from the machine: Debian packages installed on demand
// (the test machines are Debian and CI runs as root), and the one policy for
// what cannot be had: skip with the reason, except under CI=true, where a
// missing capability fails the test instead of hiding it.
import { spawnSync } from 'node:child_process';

export const underCi = () => process.env.CI === 'true';
export const isRoot = () => process.getuid?.() === 0;

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

// Installs the package when its command is missing (apt-get update only when
// the first install fails); true when the command is there afterwards.
export function ensureTool(cmd, pkg) {
  if (have(cmd)) return true;
  if (!isRoot()) return false;
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'ignore', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!apt(['install', '-y', '--no-install-recommends', pkg])) {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', pkg]);
  }
  return have(cmd);
}

// Why the tools cannot be had ('' when they can).
export function missingTools(tools) {
  for (const [cmd, pkg] of tools) if (!ensureTool(cmd, pkg)) return `'${cmd}' is missing and apt-get install ${pkg} failed`;
  return '';
}

// '' → run. Otherwise prints "skip NAME: WHY" and returns true, or under
// CI=true throws so the test fails.
export function skipOrFail(name, why) {
  if (!why) return false;
  if (underCi()) throw new Error(`${name}: ${why} (CI=true: a missing capability is a failure, not a skip)`);
  console.log(`# skip ${name}: ${why}`);
  return true;
}
