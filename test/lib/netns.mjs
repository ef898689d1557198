// Network namespaces for tests that need real kernel interfaces (TAP,
// AF_PACKET, veth). Every namespace is named rs-<pid>-<n>, made with `ip netns
// add`, and deleted by withNetns's finally even when the test fails; veth
// pairs are created directly inside namespaces (`ip -n NS link add ... peer
// ... netns NS2`), so no interface ever appears in the host namespace.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { isRoot, missingTools, skipOrFail } from './tools.mjs';
import { MAIN } from './cli.mjs';

let counter = 0;

export { underCi, ensureTool } from './tools.mjs';

// Why namespace tests cannot run here ('' when they can).
export function netnsUnavailable(tools = []) {
  if (!isRoot()) return 'needs root (ip netns, CAP_NET_ADMIN, CAP_NET_RAW): run the tests with sudo';
  const missing = missingTools([['ip', 'iproute2'], ...tools]);
  if (missing) return missing;
  const probe = `rs-${process.pid}-probe`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return '';
}

// Skips (prints the reason, returns true) or, under CI=true, fails.
export function skipUnlessNetns(name, tools = []) {
  return skipOrFail(name, netnsUnavailable(tools));
}

// `ip ARGS`; throws with ip's own message.
export function ip(...args) {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`ip ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

export class Netns {
  constructor() {
    this.name = `rs-${process.pid}-${++counter}`;
    ip('netns', 'add', this.name);
    ip('-n', this.name, 'link', 'set', 'lo', 'up');
  }

  ip(...args) { return ip('-n', this.name, ...args); }

  // Runs a command inside; resolves { code, stdout, stderr } (killed after timeoutMs).
  run(cmd, args, { timeoutMs = 20_000 } = {}) {
    return collect(spawn('ip', ['netns', 'exec', this.name, cmd, ...args]), timeoutMs, `${cmd} ${args.join(' ')}`);
  }

  // Starts a command inside and leaves it running: { child, exited, output() }.
  // The caller ends it (child.kill) before the namespace goes.
  background(cmd, args) {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args]);
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const exited = new Promise((r) => child.on('close', r));
    return { child, exited, output: () => out };
  }

  // The MAC address of one of this namespace's interfaces, as `ip` prints it.
  mac(ifname) {
    return this.ip('link', 'show', ifname).match(/link\/ether ([0-9a-f:]{17})/)[1];
  }

  // ringside's CLI inside this namespace, in line mode, fed command by command.
  // `wrap` runs it under another program first (e.g. setpriv to drop capabilities).
  ringside(args, { env = {}, wrap = [] } = {}) {
    const child = spawn('ip', ['netns', 'exec', this.name, ...wrap, process.execPath, MAIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', HOME: process.env.RINGSIDE_TEST_HOME ?? process.env.HOME, ...env },
    });
    return new CliSession(child);
  }

  delete() {
    spawnSync('ip', ['netns', 'del', this.name], { stdio: 'ignore' });
  }
}

// A veth pair with one end in each namespace (or both in one); `queues`
// gives both ends that many rx and tx queues.
export function vethPair(nsA, nameA, nsB, nameB, { queues = 1 } = {}) {
  const q = ['numrxqueues', String(queues), 'numtxqueues', String(queues)];
  nsA.ip('link', 'add', nameA, ...q, 'type', 'veth', 'peer', 'name', nameB, ...q, 'netns', nsB.name);
  nsA.ip('link', 'set', nameA, 'up');
  nsB.ip('link', 'set', nameB, 'up');
}

// Creates `count` namespaces, runs fn(...namespaces), deletes them all
// afterwards whatever happened (their interfaces go with them).
export async function withNetns(count, fn) {
  const spaces = [];
  try {
    for (let i = 0; i < count; i++) spaces.push(new Netns());
    return await fn(...spaces);
  } finally {
    for (const ns of spaces) ns.delete();
  }
}

function collect(child, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${what} did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

// An interactive ringside: send lines, wait for output, then end it.
class CliSession {
  constructor(child) {
    this.child = child;
    this.stdout = '';
    this.stderr = '';
    this.exited = collect(child, 120_000, 'ringside');
    child.stdout.on('data', (d) => { this.stdout += d; });
    child.stderr.on('data', (d) => { this.stderr += d; });
  }

  send(line) { this.child.stdin.write(`${line}\n`); }

  // Resolves once stdout (from offset `from`) matches re.
  async waitFor(re, { timeoutMs = 10_000, from = 0 } = {}) {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const m = this.stdout.slice(from).match(re);
      if (m) return m;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`ringside output never matched ${re}:\n${this.stdout}\n${this.stderr}`);
  }

  // Sends the last lines, closes stdin and resolves { code, stdout, stderr }.
  async end(lines = ['quit']) {
    for (const l of lines) this.send(l);
    this.child.stdin.end();
    return this.exited;
  }

  kill() { if (this.child.exitCode === null) this.child.kill('SIGKILL'); }
}
