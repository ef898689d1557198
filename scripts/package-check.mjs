#!/usr/bin/env node
// The npm package as a user gets it: packs this checkout (which must hold the
// prebuilt addon: `npm run prebuilds` first), installs the tarball into an
// empty directory with `npm install ./ringside-X.tgz`, and checks what a user
// would: the package holds only what runs, nothing was compiled, and the
// installed `ringside` answers a command, runs a shipped scenario, shows its
// interactive prompt and draws the dashboard. CI runs it (.ci/run); bench/install.mjs times it.
//   node scripts/package-check.mjs
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

function check(ok, what) {
  if (!ok) throw new Error(`package check failed: ${what}`);
}

const run = (cmd, args, cwd, env = {}) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

// `npm pack` in `dir`; returns the tarball's path and the files it holds.
export function pack(dir, dest) {
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dest, ...NPM_QUIET], dir));
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path) };
}

export function checkContents(files) {
  check(files.some((f) => /^prebuilds\/linux-x64\/.*\.node$/.test(f)), 'no prebuilt linux-x64 addon (run `npm run prebuilds` before packing)');
  check(files.includes('dist/bundle/ringside.js') && files.includes('dist/bundle/dashboard.js'), 'the bundle is missing');
  const stray = files.filter((f) => /^(test|bench|native\/test|native\/bench|shell|commands|session|build)\//.test(f) || /\.ts$/.test(f));
  check(stray.length === 0, `files a user never runs: ${stray.slice(0, 5).join(', ')}`);
}

// `npm install TARBALL` in the empty directory `dir`; returns the seconds it took.
export function install(tarball, dir, cache) {
  const t0 = process.hrtime.bigint();
  run('npm', ['install', ...(cache ? ['--cache', cache, '--prefer-offline'] : []), ...NPM_QUIET, tarball], dir);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

// The installed command in a pseudo-terminal (util-linux `script`): resolves
// when the prompt shows, then leaves with Ctrl-D.
function promptShows(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', 'npx --no-install ringside', '/dev/null'], {
      cwd: dir, env: { ...process.env, NO_COLOR: '1', TERM: 'xterm-256color', COLUMNS: '100', LINES: '30' },
    });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`package check failed: no prompt within 30 s:\n${out}`)); }, 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ringside> ')) child.stdin.write('\x04');
    });
    child.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}

// The dashboard process from the package (bundled widgets, blessed from the
// package's dependencies) on a 100x30 pseudo-terminal: one snapshot, then quit.
function dashboardDraws(dir) {
  const snap = JSON.stringify({ t: 'snap', timeNs: 0, forwarding: false, mode: 'io', ports: [], pool: { name: 'p', size: 100, inUse: 1 }, occupancy: [] });
  const dashboard = path.join(dir, 'node_modules', 'ringside', 'dist', 'bundle', 'dashboard.js');
  const cmd = `stty cols 100 rows 30; printf '%s\\n%s\\n' '${snap}' '{"t":"quit"}' | node ${dashboard}`;
  return run('script', ['-qfec', cmd, '/dev/null'], dir, { LANG: 'C.UTF-8', TERM: 'xterm-256color' });
}

export async function checkInstalled(dir) {
  const pkg = path.join(dir, 'node_modules', 'ringside');
  check(!existsSync(path.join(pkg, 'build')), 'the addon was compiled at install; the prebuilt one should have been used');
  const ports = run('npx', ['--no-install', 'ringside', '-c', 'show port summary all'], dir);
  check(/net_null0/.test(ports) && /net_null1/.test(ports), `'ringside -c' printed:\n${ports}`);
  const scenario = run('npx', ['--no-install', 'ringside', 'run', path.join(pkg, 'scenarios', 'fwd-io-ring.rsc')], dir);
  check(/pass/i.test(scenario), `the shipped scenario did not pass:\n${scenario}`);
  const dash = dashboardDraws(dir);
  check(/packet rate/.test(dash) && /mbuf pool/.test(dash), `the dashboard did not draw:\n${dash.slice(-500)}`);
  const tty = await promptShows(dir);
  check(tty.includes('ringside> '), `no interactive prompt:\n${tty}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const work = mkdtempSync(path.join(tmpdir(), 'ringside-package-'));
  try {
    const { tarball, files } = pack(root, work);
    checkContents(files);
    const dir = path.join(work, 'user');
    execFileSync('mkdir', [dir]);
    const seconds = install(tarball, dir);
    await checkInstalled(dir);
    console.log(`package ok: ${path.basename(tarball)}, ${files.length} files, installed in ${seconds.toFixed(1)} s without compiling; ringside -c, run, the prompt and the dashboard work`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
