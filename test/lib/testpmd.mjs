// A dpdk-testpmd process driven through its interactive prompt, for tests
// against a real DPDK peer (net_memif). Installed as bench/testpmd.mjs does.
import { spawn } from 'node:child_process';
import { ensureTestpmd } from '../../bench/testpmd.mjs';

let seq = 0;

// vdevs: --vdev values. Resolves once the prompt is up (or rejects with the
// output). No hugepages: --no-huge with 256 MB, no PCI scan, own file prefix.
export async function startTestpmd(vdevs, { extra = [], readyMs = 30_000 } = {}) {
  const bin = ensureTestpmd();
  if (!bin) throw new Error('dpdk-testpmd is missing and apt-get install dpdk-dev failed');
  const args = ['--no-huge', '-m', '256', '--no-pci', '-l', '0,1', `--file-prefix=rsmemif${process.pid}x${seq++}`,
    ...vdevs.map((v) => `--vdev=${v}`), '--', '-i', '--total-num-mbufs=8192', ...extra];
  const child = spawn('stdbuf', ['-oL', bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => child.on('close', r));
  const t = {
    child,
    get output() { return out; },
    send(line) { child.stdin.write(`${line}\n`); },
    async until(re, ms = 10_000, from = 0) {
      for (const end = Date.now() + ms; !re.test(out.slice(from));) {
        if (Date.now() > end) throw new Error(`testpmd: timed out after ${ms} ms waiting for ${re}; output:\n${out.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    // Runs a command and resolves the text it printed (up to the next prompt).
    async cmd(line, ms = 10_000) {
      const from = out.length;
      t.send(line);
      await t.until(/testpmd> $/, ms, from);
      return out.slice(from);
    },
    async quit() {
      if (child.exitCode === null) { t.send('stop'); t.send('quit'); }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    kill() { child.kill('SIGKILL'); return exited; },
  };
  try {
    await t.until(/testpmd> $/, readyMs);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return t;
}

// What dpdk-testpmd on `vdevs` prints at `stop` after `setting` (a command
// line) and `start tx_first` forwarding for `ms`.
export async function testpmdStopAfter(vdevs, setting, ms = 300) {
  const tp = await startTestpmd(vdevs);
  try {
    await tp.cmd(setting);
    await tp.cmd('start tx_first');
    await new Promise((r) => setTimeout(r, ms));
    return await tp.cmd('stop');
  } finally {
    await tp.quit();
  }
}
