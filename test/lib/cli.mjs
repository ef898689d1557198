// Runs the ringside command line as a user would, with commands on stdin.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = path.join(root, 'dist', 'shell', 'main.js');

const spawnShell = (args, env) => spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, NO_COLOR: '1', HOME: process.env.RINGSIDE_TEST_HOME ?? process.env.HOME, ...env } });

// Resolves { code, stdout, stderr } once the process exits (killed after timeoutMs).
export function ringside(args, input = '', { timeoutMs = 20_000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawnShell(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`ringside ${args.join(' ')} did not exit within ${timeoutMs} ms; output:\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.end(input);
  });
}

// A shell fed commands over time, as a user types them: write() sends lines,
// until(re) waits for the output to match (failing with the output so far),
// end(lines) sends the last lines, closes stdin and resolves the exit code.
export function shellSession(args, { env = {} } = {}) {
  const child = spawnShell(args, env);
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.on('close', resolve));
  return {
    child,
    pid: child.pid,
    get output() { return out; },
    write: (lines) => child.stdin.write(lines),
    async until(re, ms = 5000) {
      for (const end = Date.now() + ms; !re.test(out);) {
        if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${re} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    end: (lines = 'quit\n') => { child.stdin.end(lines); return exited; },
    kill: () => child.kill('SIGKILL'),
  };
}

// An interactive ringside on `vdevs` fed `steps` (a number: wait that many
// ms; else a command line), then quit; resolves all it printed.
export async function shellScript(steps, vdevs = ['net_ring0', 'net_ring1']) {
  const s = shellSession([...vdevs.flatMap((v) => ['--vdev', v]), '--', '-i']);
  for (const step of steps) {
    if (typeof step === 'number') await new Promise((r) => setTimeout(r, step));
    else s.write(`${step}\n`);
  }
  await s.end('quit\n');
  return s.output;
}

// Figures from testpmd's "Forward statistics for port N" blocks, in order.
export function fwdStats(text) {
  return [...text.matchAll(/Forward statistics for port (\d+)\s+-+\s+RX-packets: (\d+)\s+RX-dropped: (\d+)\s+RX-total: (\d+)\s+TX-packets: (\d+)\s+TX-dropped: (\d+)\s+TX-total: (\d+)/g)]
    .map((m) => ({ port: +m[1], rx: +m[2], rxDropped: +m[3], rxTotal: +m[4], tx: +m[5], txDropped: +m[6], txTotal: +m[7] }));
}

export function nicStats(text) {
  return [...text.matchAll(/NIC statistics for port (\d+)\s+#+\s+RX-packets: (\d+)\s+RX-missed: (\d+)\s+RX-bytes:\s+(\d+)\s+RX-errors: (\d+)\s+RX-nombuf:\s+(\d+)\s+TX-packets: (\d+)\s+TX-errors: (\d+)\s+TX-bytes:\s+(\d+)/g)]
    .map((m) => ({ port: +m[1], rx: +m[2], missed: +m[3], rxBytes: +m[4], rxErrors: +m[5], nombuf: +m[6], tx: +m[7], txErrors: +m[8], txBytes: +m[9] }));
}
