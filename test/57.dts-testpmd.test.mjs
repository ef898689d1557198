// DPDK DTS plans shutdown_api, port_control and queue_start_stop, step by
// step, on two net_ring ports with `start tx_first` as the traffic source, run
// side by side against dpdk-testpmd 22.11 (Debian's, --no-huge) and ringside.
// Every step is a testpmd command and what the plan verifies after it, checked
// on testpmd's output; ringside must pass at least as many as testpmd.
// Prints both counts and the steps each failed.
import { test, assert } from './lib/harness.mjs';
import { shellSession, fwdStats, nicStats } from './lib/cli.mjs';
import { startTestpmd } from './lib/testpmd.mjs';
import { sleep } from './lib/engine.mjs';

const TRAFFIC_WINDOW_MS = 300;
const FAILED = /Bad arguments|error|invalid|not supported|fail|Please /i;

// A step: [command, check]. check: a RegExp the output must match, a function
// of the output, or null (no error line). { traffic: P } / { quiet: P }: port
// P's rx counter grows / stands still over TRAFFIC_WINDOW_MS.
const S = (cmd, check = null) => ({ cmd, check });
const traffic = (port) => ({ traffic: port });
const quiet = (port) => ({ quiet: port });
const noDrops = (out) => fwdStats(out).length === 2 && fwdStats(out).every((f) => f.rxDropped === 0);
const run = (...cmds) => cmds.map((c) => S(c));
const forward = (port = 0) => [S('start tx_first', /packet forwarding - ports=2/), traffic(port), S('stop', (o) => fwdStats(o).length === 2)];

const SHUTDOWN_API = [
  // test_stop_restart
  S('set fwd mac'), ...forward(0), S('port stop all', /Stopping ports\.\.\.[\s\S]*Done/), S('port start all', /Port 0: [0-9A-F:]{17}/), ...forward(1),
  // test_set_promiscuousmode, test_set_allmulticast
  S('port stop all'), S('set promisc all off'), S('port start all'), S('show port info 0', /Promiscuous mode: disabled/),
  S('set promisc all on'), S('show port info 0', /Promiscuous mode: enabled/),
  S('set allmulti all on'), S('show port info 0', /Allmulticast mode: enabled/),
  S('set allmulti all off'), S('show port info 0', /Allmulticast mode: disabled/),
  // test_reset_queues
  ...run('port stop all', 'port config all rxq 2', 'port config all txq 2', 'port start all'),
  S('start tx_first', /port 0: RX queue number: 2 Tx queue number: 2/), traffic(0), S('stop'),
  // test_change_numberrxdtxd, test_change_numberrxdtxdaftercycle
  ...run('port stop all', 'port config all rxd 1024', 'port config all txd 1024', 'port start all'),
  S('show config rxtx', (o) => /RX desc=1024 /.test(o) && /TX desc=1024 /.test(o)), ...forward(0),
  ...run('port stop all', 'port config all rxd 512', 'port config all txd 512', 'port start all', 'port stop all', 'port start all'),
  S('show config rxtx', (o) => /RX desc=512 /.test(o) && /TX desc=512 /.test(o)), ...forward(0),
  // test_enable_disablejumbo
  ...run('port stop all', 'port config all max-pkt-len 2048', 'port start all'), S('show port info 0', /MTU: 2030/), ...forward(0),
  ...run('port stop all', 'port config all max-pkt-len 1518', 'port start all'), S('show port info 0', /MTU: 1500/),
  // test_enable_disablerss
  ...run('port stop all', 'port config all rss ip', 'port start all'), ...forward(0),
  // test_link_stats
  S('set link-down port 0'), S('show port info 0', /Link status: down/), S('set link-up port 0'), S('show port info 0', /Link status: up/),
  // test_stress_test
  ...Array.from({ length: 10 }, () => run('port stop all', 'port start all')).flat(),
  S('start tx_first'), traffic(0), S('stop', noDrops),
];

const PORT_CONTROL = [
  // test_pf_start_stop_reset_close: start, stop, reset, close, each checked with traffic or link state
  ...forward(0), S('port stop all', /Done/), S('show port info 0', /Link status: down/),
  S('port start all', /Port 0: [0-9A-F:]{17}/), S('show port info 0', /Link status: up/), ...forward(0),
  S('port stop all'), S('port reset all', /Resetting ports\.\.\.\n(?![\s\S]*Failed)[\s\S]*Done/), S('port start all', /Port 0: [0-9A-F:]{17}/), ...forward(0),
  S('port stop all'), S('port close all', /Port 0 is closed[\s\S]*Port 1 is closed/),
  S('show port info 0', (o) => !/Link status: up/.test(o)),
];

// As DTS's TestSuite_queue_start_stop: forwarding stops around each queue change.
const QUEUE_START_STOP = [
  S('set fwd mac'), ...forward(0),
  S('port 0 rxq 0 stop'), S('start tx_first'), quiet(0), S('stop'),
  S('port 0 rxq 0 start'), S('port 1 txq 0 stop'), S('start tx_first'), quiet(0), S('stop'),
  S('port 1 txq 0 start'), ...forward(0),
];

const PLANS = [['shutdown_api', SHUTDOWN_API], ['port_control', PORT_CONTROL], ['queue_start_stop', QUEUE_START_STOP]];

// ringside: each command is followed by a line the grammar refuses with a
// numbered word, which marks where the command's output ends.
async function ringsideTool() {
  const s = shellSession(['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--', '-i', '--rxq=1', '--txq=1', '--total-num-mbufs=8192']);
  let n = 0;
  return {
    async cmd(line) {
      const mark = `step-${++n}-done`;
      const from = s.output.length;
      s.write(`${line}\nshow config cores ${mark}\n`);
      await s.until(new RegExp(`'show config cores' takes nothing after it, got '${mark}'`), 15_000);
      return s.output.slice(from).replace(/^Error EARG_EXTRA.*step-\d+-done.*\n/m, '');
    },
    end: () => s.end('quit\n'),
  };
}

async function testpmdTool() {
  const t = await startTestpmd(['net_ring0', 'net_ring1'], { extra: ['--rxq=1', '--txq=1'] });
  return {
    // testpmd writes some errors to stderr after its next prompt: give them a moment.
    async cmd(line) {
      const from = t.output.length;
      t.send(line);
      await t.until(/testpmd> /, 15_000, from);
      await sleep(100);
      return t.output.slice(from);
    },
    end: () => t.quit(),
  };
}

async function rxOf(tool, port) {
  return nicStats(await tool.cmd(`show port stats ${port}`)).find((x) => x.port === port)?.rx ?? NaN;
}

async function runStep(tool, step) {
  if (step.traffic !== undefined || step.quiet !== undefined) {
    const port = step.traffic ?? step.quiet;
    if (step.quiet !== undefined) await sleep(100);  // what was in flight settles
    const a = await rxOf(tool, port);
    await sleep(TRAFFIC_WINDOW_MS);
    const grew = await rxOf(tool, port) - a;
    return step.traffic !== undefined ? grew > 0 : grew === 0;
  }
  const out = await tool.cmd(step.cmd);
  if (step.check instanceof RegExp) return step.check.test(out);
  if (typeof step.check === 'function') return step.check(out);
  return !FAILED.test(out);
}

const label = (step) => step.cmd ?? (step.traffic !== undefined ? `(traffic on port ${step.traffic})` : `(no traffic on port ${step.quiet})`);

// Each plan in a fresh process, as DTS starts testpmd per test suite.
async function runPlans(makeTool) {
  const failed = [];
  let passed = 0;
  for (const [name, steps] of PLANS) {
    const tool = await makeTool();
    try {
      for (const [i, step] of steps.entries()) {
        if (await runStep(tool, step)) passed++;
        else failed.push(`${name}#${i + 1} ${label(step)}`);
      }
    } finally {
      await tool.end();
    }
  }
  return { passed, failed };
}

test('DTS shutdown_api, port_control, queue_start_stop: ringside passes at least as many steps as dpdk-testpmd', async () => {
  const total = PLANS.reduce((n, [, steps]) => n + steps.length, 0);
  const tp = await runPlans(testpmdTool);
  const rs = await runPlans(ringsideTool);
  console.log(`DTS steps passed: dpdk-testpmd ${tp.passed} of ${total}, ringside ${rs.passed} of ${total}`);
  console.log(`  dpdk-testpmd failed: ${tp.failed.join(' | ') || 'none'}`);
  console.log(`  ringside failed: ${rs.failed.join(' | ') || 'none'}`);
  assert.ok(rs.passed >= tp.passed, `ringside ${rs.passed} < testpmd ${tp.passed}`);
}, { timeoutMs: 600_000 });

test.run();
