// Drives dpdk-testpmd (Debian's dpdk-dev package) through its interactive prompt
// and measures its per-port rate by wall clock between two
// `show port stats all`, after its ~3 s start-up, as the issue prescribes.
import { spawn, spawnSync } from 'node:child_process';
import { procCpu, sleep } from './lib.mjs';

export function testpmdPath() {
  const r = spawnSync('sh', ['-c', 'command -v dpdk-testpmd'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function ensureTestpmd() {
  if (testpmdPath()) return testpmdPath();
  console.log('# installing Debian package dpdk-dev for dpdk-testpmd ...');
  spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpdk-dev'], { stdio: 'inherit' });
  return testpmdPath();
}

function rxPackets(text) {
  // Each "NIC statistics for port N" block has "RX-packets: X"; keep them in order.
  return [...text.matchAll(/NIC statistics for port (\d+)[\s\S]*?RX-packets:\s+(\d+)[\s\S]*?TX-packets:\s+(\d+)/g)]
    .map((m) => ({ port: Number(m[1]), rx: Number(m[2]), tx: Number(m[3]) }));
}

// txFirst: true or a number of bursts for `start tx_first [N]`. wrap: a
// command to run testpmd under (e.g. ip netns exec NS). lcores: its EAL
// lcore options (default main lcore on CPU 0, forwarding on CPU 1).
// recordCycles: `set record-core-cycles on` before start, and the result
// carries cycles { perPacket, mhz } from the `show fwd stats all` at the
// window's end (since start). onWindowStart: called when the window opens.
// A testpmd recording core cycles: `show fwd stats all`, and its "CPU
// cycles/packet=X (...) at M MHz Clock" line as { perPacket, mhz }, or null
// when it printed none within 5 s. output() is all testpmd printed so far.
export async function fwdCycles(child, output) {
  const from = output().length;
  child.stdin.write('show fwd stats all\n');
  for (const end = Date.now() + 5000; Date.now() < end; await sleep(20)) {
    const m = /CPU cycles\/packet=([\d.]+) .* at (\d+) MHz Clock/.exec(output().slice(from));
    if (m) return { perPacket: Number(m[1]), mhz: Number(m[2]) };
  }
  return null;
}

export async function testpmdRun(bin, vdevs, { fwd = 'io', txFirst = true, warmupMs = 1000, windowMs = 2000, wrap = [], lcores = ['-l', '0,1'], recordCycles = false, onWindowStart } = {}) {
  const args = ['--no-huge', '-m', '1024', '--no-pci', ...lcores, `--file-prefix=rsbench${process.pid}`,
    ...vdevs.map((v) => `--vdev=${v}`), '--', '-i', '--nb-cores=1', '--total-num-mbufs=16384'];
  // testpmd's stdout is block-buffered on a pipe: stdbuf makes it line-buffered.
  const cmd = [...wrap, 'stdbuf', '-oL', bin, ...args];
  const child = spawn(cmd[0], cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d.toString(); });
  child.stderr.on('data', (d) => { out += d.toString(); });
  const waitFor = async (re, from, ms = 30000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const m = re.exec(out.slice(from));
      if (m) return m;
      await sleep(20);
    }
    throw new Error(`testpmd did not print ${re} in time; output:\n${out.slice(-2000)}`);
  };
  // One "NIC statistics" block per port, each closed by a line of #.
  const statsDone = new RegExp(`(?:NIC statistics for port \\d+[\\s\\S]*?\\n\\s*#{20,}\\s*\\n[\\s\\S]*?){${vdevs.length}}`);
  try {
    await waitFor(/testpmd> $/m, 0);
    child.stdin.write(`set fwd ${fwd}\n`);
    if (recordCycles) child.stdin.write('set record-core-cycles on\n');
    child.stdin.write(txFirst === true ? 'start tx_first\n' : txFirst ? `start tx_first ${txFirst}\n` : 'start\n');
    await sleep(warmupMs);
    let mark = out.length;
    const t0 = process.hrtime.bigint();
    const c0 = procCpu(child.pid).seconds;  // testpmd itself: wrap programs exec into it
    child.stdin.write('show port stats all\n');
    await waitFor(statsDone, mark);
    const a = rxPackets(out.slice(mark));
    onWindowStart?.();
    await sleep(windowMs);
    mark = out.length;
    const t1 = process.hrtime.bigint();
    const cpuSeconds = procCpu(child.pid).seconds - c0;
    child.stdin.write('show port stats all\n');
    await waitFor(statsDone, mark);
    const b = rxPackets(out.slice(mark));
    const seconds = Number(t1 - t0) / 1e9;
    const cycles = recordCycles ? await fwdCycles(child, () => out) : undefined;
    child.stdin.write('stop\nquit\n');
    return { seconds, cpus: cpuSeconds / seconds, cycles, perPort: b.map((p, i) => ({ rxMpps: (p.rx - a[i].rx) / seconds / 1e6, txMpps: (p.tx - a[i].tx) / seconds / 1e6 })) };
  } finally {
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    await new Promise((r) => child.on('close', r));
  }
}
