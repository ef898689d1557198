#!/usr/bin/env node
// Install times as a new user meets them: `npm ci` in a fresh clone of this
// repository's HEAD (compiling the addon, building the shell), then, from that
// clone, the package (`npm run prebuilds`, `npm pack`, not timed) installed
// with `npm install ./ringside-X.tgz` into an empty directory and checked
// (scripts/package-check.mjs). npm uses a private copy of ~/.npm's cache, so
// the figures measure the install, not the network. Start-up is
// bench/startup.mjs.
//   node bench/install.mjs
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { checkContents, checkInstalled, install, pack, root } from '../scripts/package-check.mjs';

const work = mkdtempSync(path.join(tmpdir(), 'ringside-install-'));
const run = (cmd, args, cwd, env = {}) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });

console.log('== install times');
try {
  const cache = path.join(work, 'npm-cache');
  const shared = path.join(homedir(), '.npm', '_cacache');
  if (existsSync(shared)) cpSync(shared, path.join(cache, '_cacache'), { recursive: true });

  const clone = path.join(work, 'clone');
  run('git', ['clone', '-q', root, clone], work);
  // GNU time: wall and CPU seconds of npm ci and everything it runs. CPU
  // seconds / CPUs is what the wall time would be on an idle machine.
  const timing = path.join(work, 'time');
  run('/usr/bin/time', ['-f', '%e %U %S', '-o', timing, 'npm', 'ci', '--cache', cache, '--prefer-offline', '--no-audit', '--no-fund'], clone);
  const [ciSeconds, userCpu, sysCpu] = readFileSync(timing, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  const ciCpuSeconds = userCpu + sysCpu;
  console.log(`  npm ci in a fresh clone (compiles the addon): ${ciSeconds.toFixed(1)} s (${ciCpuSeconds.toFixed(1)} CPU-s)`);

  run('npm', ['run', 'prebuilds'], clone);
  const { tarball, files } = pack(clone, work);
  checkContents(files);
  const user = path.join(work, 'user');
  mkdirSync(user);
  const installSeconds = install(tarball, user, cache);
  await checkInstalled(user);

  console.log(`  npm install ./${path.basename(tarball)} (prebuilt): ${installSeconds.toFixed(1)} s (${files.length} files)`);
  console.log(`  (${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)} at the end)`);
  console.log('JSON ' + JSON.stringify({ npmCiSeconds: ciSeconds, npmCiCpuSeconds: ciCpuSeconds, packageInstallSeconds: installSeconds, packageFiles: files.length }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
