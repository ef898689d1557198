// Command-line parsing, testpmd's shape: `ringside [--vdev DEVARGS]... [-- app options]`.
// Options are data (one table per part); parsing, validation and the usage
// text all come from the tables. Pure: no I/O, no process access.
import { DEFAULT_OPTIONS, NOISY_OFF, type NoisyOptions, type SessionOptions } from '../session/options.js';
import type { LcoreCpu } from '../session/lcores.js';
import { RingsideError } from '../native/errors.js';
import { LIMITS } from '../native/names.generated.js';
import { editDistance } from '../commands/distance.js';
import { clip } from '../commands/util.js';
import { ListError, parseIdList, parseLcoresOption, parseMask, withMainFirst } from '../session/lcores.js';

export const EXIT_USAGE = 2;

export class ArgsError extends RingsideError {
  readonly option: string;
  readonly exitCode = EXIT_USAGE;
  constructor(option: string, message: string) {
    super('EARGS', message);
    this.option = option;
    this.name = 'ArgsError';
  }
}

export interface ParsedArgs {
  options: SessionOptions;
  json: boolean;          // --json: every result as one JSON object per line
  commands?: string[];    // -c "cmd; cmd": run these, then exit (non-zero if any failed)
  help: boolean;          // --help / -h: print usage() and exit 0
  warnings: string[];     // DPDK EAL options accepted for compatibility and ignored
  appOptions: boolean;    // application options were given after '--' (testpmd's command line)
}

export interface ParseContext {
  // Forwarding modes the engine knows (from the addon's table). When absent,
  // any mode name is accepted here and the session checks it.
  fwdModes?: string[];
}

// ---------------------------------------------------------------- the tables

type Apply = (o: SessionOptions, value: string, name: string, ctx: ParseContext) => void;

interface OptionSpec {
  name: string;           // long name without dashes
  short?: string;         // one letter, used as -x
  arg?: string;           // value placeholder; absent = flag
  help: string;
  apply: Apply;
}

// testpmd options that are one shell command in ringside, run at start-up.
const AS_COMMANDS: { name: string; arg?: string; help: string; command: (v: string) => string }[] = [
  { name: 'disable-rss', help: 'disable RSS', command: () => 'port config all rss none' },
  { name: 'rss-ip', help: 'RSS on IP addresses', command: () => 'port config all rss ip' },
  { name: 'rss-udp', help: 'RSS on IP addresses and UDP ports', command: () => 'port config all rss udp' },
  { name: 'tx-ip', arg: 'SRC,DST', help: 'source and destination IPv4 addresses of generated packets', command: (v) => `set txl3 ipv4 ${v.replace(',', ' ')}` },
  { name: 'tx-udp', arg: 'SRC[,DST]', help: 'source and destination UDP ports of generated packets', command: (v) => `set txl4 udp ${v.replace(',', ' ')}` },
  { name: 'coremask', arg: 'MASK', help: 'hexadecimal mask of the forwarding lcores', command: (v) => `set coremask ${v}` },
  { name: 'record-core-cycles', help: 'record forwarding cycles per lcore', command: () => 'set record-core-cycles on' },
  { name: 'record-burst-stats', help: 'record burst sizes', command: () => 'set record-burst-stats on' },
  { name: 'no-flush-rx', help: 'do not flush rx queues before forwarding', command: () => 'set flush_rx off' },
  { name: 'flowgen-flows', arg: 'N', help: 'number of flows flowgen generates', command: (v) => `set flowgen src-ip ${v}` },
];

// testpmd options with nothing to act on in software ports: accepted, with the reason.
const NO_EFFECT: { name: string; arg?: string; why: string }[] = [
  { name: 'numa', why: 'ringside allocates on one memory node' },
  { name: 'no-numa', why: 'ringside allocates on one memory node' },
  { name: 'socket-num', arg: 'N', why: 'ringside allocates on one memory node' },
  { name: 'port-numa-config', arg: 'LIST', why: 'ringside allocates on one memory node' },
  { name: 'ring-numa-config', arg: 'LIST', why: 'ringside allocates on one memory node' },
  { name: 'mp-alloc', arg: 'MODE', why: 'the mbuf pool is one native allocation' },
  { name: 'mbcache', arg: 'N', why: 'the per-lcore cache size is fixed' },
  { name: 'mlockall', why: 'ringside does not lock its memory' },
  { name: 'no-mlockall', why: 'ringside does not lock its memory' },
  { name: 'no-iova-contig', why: 'no device does DMA into ringside\'s pool' },
  { name: 'no-lsc-interrupt', why: 'link state is polled' },
  { name: 'no-rmv-interrupt', why: 'software ports are not hot-removed' },
  { name: 'disable-link-check', why: 'software links are up at start' },
  { name: 'print-event', arg: 'EVENT', why: 'ethdev events do not exist here (ifproxy traces kernel events)' },
  { name: 'mask-event', arg: 'EVENT', why: 'ethdev events do not exist here (ifproxy traces kernel events)' },
  { name: 'hot-plug', why: "port attach and detach always work" },
  { name: 'enable-drop-en', why: 'a full software queue always drops' },
  { name: 'disable-crc-strip', why: 'software ports carry no CRC' },
  { name: 'enable-scatter', why: 'packets are one mbuf; --mbuf-size sets how large' },
  { name: 'enable-rx-cksum', why: "rx checksums are checked in software by 'set fwd csum'" },
  { name: 'txonly-multi-flow', why: "flowgen generates many flows ('set flowgen')" },
  { name: 'bitrate-stats', arg: 'LCORE', why: "ringside has no metrics library: 'show port stats' gives Rx-bps and Tx-bps" },
];

// testpmd's --noisy-* options, in run_app.rst's order; values as testpmd takes them.
const NOISY: { name: string; key: keyof NoisyOptions; help: string }[] = [
  { name: 'noisy-tx-sw-buffer-size', key: 'txSwBufferSize', help: 'packets a stream holds in its FIFO before sending' },
  { name: 'noisy-tx-sw-buffer-flushtime', key: 'flushTimeMs', help: 'ms without a send after which the FIFO is flushed' },
  { name: 'noisy-lkup-memory', key: 'lkupMemoryMb', help: 'MiB of the simulated lookup table' },
  { name: 'noisy-lkup-num-reads', key: 'lkupReads', help: 'random reads into the table per packet' },
  { name: 'noisy-lkup-num-writes', key: 'lkupWrites', help: 'random writes into the table per packet' },
  { name: 'noisy-lkup-num-reads-writes', key: 'lkupReadsWrites', help: 'random read-modify-writes into the table per packet' },
];

// The engine's limits (native/engine/limits.def).
const MAX_QUEUES = LIMITS.maxQueues;
const MAX_CORES = LIMITS.maxLcores - 1;  // the main lcore does not forward
const MAX_BURST = LIMITS.maxBurst;
const MAX_PEER_PORT = 31;     // testpmd: 0 <= X < 32
const MAX_SEGS = 64;          // testpmd: RTE_MAX_SEGS_PER_PKT
const TOPOLOGIES = ['paired', 'chained', 'loop'] as const;

function intIn(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) {
    throw new ArgsError(name, `invalid value '${value}' for --${name}: expected an integer ${min}..${max}`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ArgsError(name, `invalid value ${value} for --${name}: must be ${min}..${max}`);
  }
  return n;
}

function listOf(name: string, parse: () => number[]): number[] {
  try { return parse(); } catch (e) {
    if (e instanceof ListError) throw new ArgsError(name, `--${name}: ${e.message}`);
    throw e;
  }
}

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

const APP_OPTIONS: OptionSpec[] = [
  { name: 'interactive', short: 'i', help: 'run in interactive mode (the default on a terminal).',
    apply: (o) => { o.interactive = true; } },
  { name: 'cmdline-file', arg: 'FILE', help: 'execute the commands in FILE before the prompt.',
    apply: (o, v, n) => {
      if (v === '') throw new ArgsError(n, `--${n} needs a file name`);
      o.cmdlineFile = v;
    } },
  { name: 'auto-start', short: 'a', help: 'start forwarding on init.',
    apply: (o) => { o.autoStart = true; } },
  { name: 'tx-first', help: 'start forwarding, sending a burst first.',
    apply: (o) => { o.txFirst = true; } },
  { name: 'stats-period', arg: 'PERIOD', help: 'show port statistics every PERIOD seconds (0 = off).',
    apply: (o, v, n) => { o.statsPeriod = intIn(n, v, 0, 86400); } },
  { name: 'nb-cores', arg: 'N', help: `set the number of forwarding cores (1 <= N <= ${MAX_CORES}).`,
    apply: (o, v, n) => { o.nbCores = intIn(n, v, 1, MAX_CORES); } },
  { name: 'rxq', arg: 'N', help: `set the number of RX queues per port to N (1 <= N <= ${MAX_QUEUES}).`,
    apply: (o, v, n) => { o.rxq = intIn(n, v, 1, MAX_QUEUES); } },
  { name: 'txq', arg: 'N', help: `set the number of TX queues per port to N (1 <= N <= ${MAX_QUEUES}).`,
    apply: (o, v, n) => { o.txq = intIn(n, v, 1, MAX_QUEUES); } },
  { name: 'burst', arg: 'N', help: `set the number of packets per burst to N (1 <= N <= ${MAX_BURST}).`,
    apply: (o, v, n) => { o.burst = intIn(n, v, 1, MAX_BURST); } },
  { name: 'forward-mode', arg: 'MODE', help: 'set forwarding mode (see `set fwd` in the shell for the list).',
    apply: (o, v, n, ctx) => {
      const modes = ctx.fwdModes;
      if (modes && modes.length > 0) {
        if (!modes.includes(v)) {
          throw new ArgsError(n, `invalid forwarding mode '${v}' for --${n}: valid modes are ${modes.join('|')}`);
        }
      } else if (!/^[a-z0-9_-]+$/i.test(v)) {
        throw new ArgsError(n, `invalid forwarding mode '${v}' for --${n}`);
      }
      o.forwardMode = v;
    } },
  { name: 'port-topology', arg: '<paired|chained|loop>', help: 'set port topology (paired is default).',
    apply: (o, v, n) => {
      if (!(TOPOLOGIES as readonly string[]).includes(v)) {
        throw new ArgsError(n, `invalid port topology '${v}' for --${n}: valid values are ${TOPOLOGIES.join('|')}`);
      }
      o.portTopology = v as SessionOptions['portTopology'];
    } },
  { name: 'txpkts', arg: 'X[,Y]*', help: 'set TX segment sizes or total packet length.',
    apply: (o, v, n) => {
      const parts = v.split(',');
      if (parts.length > MAX_SEGS) {
        throw new ArgsError(n, `too many segments in --${n}: at most ${MAX_SEGS}`);
      }
      const segs = parts.map((p) => intIn(n, p, 1, 65535));
      const total = segs.reduce((a, b) => a + b, 0);
      if (total < 14 || total > 65535) {
        throw new ArgsError(n, `invalid --${n} ${v}: total packet length ${total} must be 14..65535`);
      }
      o.txpkts = segs;
    } },
  { name: 'eth-peer', arg: 'X,M:M:M:M:M:M', help: `set the MAC address of the X peer port (0 <= X <= ${MAX_PEER_PORT}).`,
    apply: (o, v, n) => {
      const comma = v.indexOf(',');
      if (comma < 0) {
        throw new ArgsError(n, `invalid --${n} '${v}': expected PORT,MAC such as 0,02:00:00:00:00:01`);
      }
      const port = intIn(n, v.slice(0, comma), 0, MAX_PEER_PORT);
      const mac = v.slice(comma + 1);
      if (!MAC_RE.test(mac)) {
        throw new ArgsError(n, `invalid MAC address '${mac}' for --${n}: expected six hex pairs such as 02:00:00:00:00:01`);
      }
      o.ethPeers = [...o.ethPeers.filter((p) => p.port !== port), { port, mac: mac.toLowerCase() }];
    } },
  { name: 'portmask', arg: 'MASK', help: 'hexadecimal bitmask of the ports used for forwarding.',
    apply: (o, v, n) => { o.portList = listOf(n, () => parseMask(v, 'port')); } },
  { name: 'portlist', arg: 'X[,Y]*', help: 'list of the ports used for forwarding (ranges allowed: 0-3,5).',
    apply: (o, v, n) => { o.portList = listOf(n, () => parseIdList(v, 'port')); } },
  { name: 'nb-ports', arg: 'N', help: 'set the number of forwarding ports (1 <= N <= the ports attached).',
    apply: (o, v, n) => { o.nbPorts = intIn(n, v, 1, LIMITS.maxPorts); } },
  { name: 'max-pkt-len', arg: 'N', help: 'set the maximum packet length; the MTU is N less the Ethernet header and CRC (N >= 64).',
    apply: (o, v, n) => { o.maxPktLen = intIn(n, v, 64, 65535); } },
  { name: 'rxd', arg: 'N', help: 'set the number of descriptors in each rx ring (1 <= N <= 16384).',
    apply: (o, v, n) => { o.rxd = intIn(n, v, 1, 16384); } },
  { name: 'txd', arg: 'N', help: 'set the number of descriptors in each tx ring (1 <= N <= 16384).',
    apply: (o, v, n) => { o.txd = intIn(n, v, 1, 16384); } },
  ...AS_COMMANDS.map(({ name, arg, help, command }): OptionSpec => ({
    name, arg, help: `${help} (as '${command('V').replace(/ V$/, ' ...')}')`,
    apply: (o, v) => { o.startupCommands = [...o.startupCommands, command(v)]; },
  })),
  ...NO_EFFECT.map(({ name, arg, why }): OptionSpec => ({
    name, arg, help: `accepted; no effect: ${why}.`,
    apply: () => { /* the warning is added by parseApp */ },
  })),
  ...NOISY.map(({ name, key, help }): OptionSpec => ({
    name, arg: 'N', help: `${help} (noisy mode).`,
    apply: (o, v, n) => { o.noisy = { ...(o.noisy ?? NOISY_OFF), [key]: intIn(n, v, 0, 1 << 24) }; },
  })),
  { name: 'eth-peers-configfile', arg: 'FILE', help: 'read the peer MAC addresses from FILE, one per line, port 0 first.',
    apply: (o, v, n) => {
      if (v === '') throw new ArgsError(n, `--${n} needs a file name`);
      o.ethPeersFile = v;
    } },
  { name: 'display-xstats', arg: 'NAME[,NAME...]', help: "xstats 'show port stats' and --stats-period add, with their rate (e.g. rx_good_packets).",
    apply: (o, v, n) => {
      const names = v.split(',').filter((x) => x !== '');
      if (names.length === 0 || names.some((x) => !/^[a-z0-9_]+$/.test(x))) throw new ArgsError(n, `invalid --${n} '${v}': expected xstat names such as rx_good_packets,tx_good_packets`);
      o.displayXstats = names;
    } },
  { name: 'disable-device-start', help: 'do not start the ports at start-up (port start does).',
    apply: (o) => { o.deviceStart = false; } },
  { name: 'flow-isolate-all', help: 'put every port in flow isolated mode (as flow isolate P true) before it starts.',
    apply: (o) => { o.flowIsolateAll = true; } },
  { name: 'num-procs', arg: 'N', help: 'number of DPDK processes: ringside is one process, so N must be 1.',
    apply: (o, v, n) => { if (v !== '1') throw new ArgsError(n, `--${n}=${v}: ringside runs as one process, so --${n} must be 1 (DPDK's multi-process mode is not supported)`); } },
  { name: 'proc-id', arg: 'ID', help: 'this process\'s id among --num-procs: ringside is the only one, 0.',
    apply: (o, v, n) => { if (v !== '0') throw new ArgsError(n, `--${n}=${v}: ringside runs as one process, so --${n} must be 0 (DPDK's multi-process mode is not supported)`); } },
  { name: 'total-num-mbufs', arg: 'N', help: 'set the number of mbufs to be allocated in the mbuf pool (N > 1024).',
    apply: (o, v, n) => { o.totalNumMbufs = intIn(n, v, 1025, 1 << 24); } },
  { name: 'mbuf-size', arg: 'N', help: `set the data size of mbuf to N bytes (${LIMITS.minMbufDataRoom} <= N <= ${LIMITS.maxMbufDataRoom}).`,
    apply: (o, v, n) => { o.mbufSize = intIn(n, v, LIMITS.minMbufDataRoom, LIMITS.maxMbufDataRoom); } },
  { name: 'help', short: 'h', help: 'display this message and quit.',
    apply: () => { /* handled by the parser */ } },
];

// EAL part (before `--`). Only --vdev means something; a few common DPDK EAL
// options are accepted so a testpmd command line can be pasted, and ignored.
interface EalSpec { name: string; short?: boolean; takesValue: boolean; why: string }
const EAL_IGNORED: EalSpec[] = [
  { name: 'no-huge', takesValue: false, why: 'ringside needs no hugepages' },
  { name: 'no-pci', takesValue: false, why: 'ringside has no PCI devices' },
  { name: 'in-memory', takesValue: false, why: 'ringside keeps everything in memory' },
  { name: 'no-shconf', takesValue: false, why: 'ringside has no shared config' },
  { name: 'no-telemetry', takesValue: false, why: 'ringside has no telemetry socket' },
  { name: 'file-prefix', takesValue: true, why: 'ringside has no runtime directory' },
  { name: 'log-level', takesValue: true, why: 'ringside has no EAL log' },
  { name: 'n', short: true, takesValue: true, why: 'ringside has no memory channels' },
];

// testpmd options that need a NIC's driver: named, with what they need.
const OFFLOAD = 'offload in the NIC';
const THRESH = "the NIC's descriptor ring thresholds";
const SPLIT = "rx buffer split in the NIC";
const NIC_OPTIONS = new Map<string, string>([
  ...['enable-lro', 'max-lro-pkt-size', 'enable-hw-vlan', 'enable-hw-vlan-filter', 'enable-hw-vlan-strip',
    'enable-hw-vlan-extend', 'enable-hw-qinq-strip', 'rx-offloads', 'tx-offloads', 'enable-rx-timestamp'].map((n): [string, string] => [n, OFFLOAD]),
  ...['rxpt', 'rxht', 'rxwt', 'rxfreet', 'txpt', 'txht', 'txwt', 'txfreet', 'txrst'].map((n): [string, string] => [n, THRESH]),
  ...['rxoffs', 'rxpkts', 'rxhdrs', 'multi-rx-mempool'].map((n): [string, string] => [n, SPLIT]),
  ['hairpinq', 'hairpin queues in the NIC'], ['hairpin-mode', 'hairpin queues in the NIC'],
  ['rxq-share', 'rx queues shared in the NIC'], ['eth-link-speed', 'a PHY whose speed can be set'],
  ['rx-mq-mode', "the NIC's multi-queue modes (DCB, VMDq)"],
  ['rss-level-inner', 'inner-header RSS in the NIC'], ['rss-level-outer', 'outer-header RSS in the NIC'],
]);
// testpmd options that make sense without a NIC and ringside does not have yet.
const NOT_YET = new Map<string, string>([
  ['flowgen-clones', 'flowgen sends each packet once'],
  ['vxlan-gpe-port', "the csum engine's tunnel parser knows VXLAN on UDP 4789 only"],
  ['geneve-parsed-port', "the csum engine's tunnel parser knows VXLAN on UDP 4789 only"],
  ['latencystats', "latency is measured by rxonly and flowgen: 'show port latency P'"],
]);

// Shell options: ringside's own, accepted before or after '--'. `-c` is also
// DPDK's EAL coremask: a hex value (-c 0x3, -c f) is taken as that and ignored.
interface ShellArgs { json: boolean; commands?: string[] }
const SHELL_OPTIONS: { name: string; short?: string; arg?: string; help: string }[] = [
  { name: 'json', help: 'print every result as one JSON object per line (also: set output json).' },
  { name: 'command', short: 'c', arg: '"CMD; CMD; ..."', help: 'run these commands and exit; the status is non-zero if any failed.' },
];
const HEX_MASK = /^(0x)?[0-9a-fA-F]+$/;

function splitCommands(v: string): string[] {
  return v.split(/[;\n]/).map((c) => c.trim()).filter((c) => c !== '');
}

// Consumes a shell option at args[i]; returns the index of its last word, or -1.
function shellOption(args: string[], i: number, sh: ShellArgs): number {
  const arg = args[i];
  if (arg === '--json') { sh.json = true; return i; }
  if (arg.startsWith('--json=')) throw new ArgsError('json', '--json takes no value');
  let value: string | undefined;
  let last = i;
  if (arg === '--command' || arg === '-c') {
    value = args[i + 1];
    if (arg === '-c' && value !== undefined && HEX_MASK.test(value)) return -1;   // EAL coremask
    if (value === undefined) throw new ArgsError('command', `${arg} needs a value: ${arg} "show port info all; show port stats all"`);
    last = i + 1;
  } else if (arg.startsWith('--command=')) {
    value = arg.slice('--command='.length);
  } else {
    return -1;
  }
  const cmds = splitCommands(value);
  if (cmds.length === 0) throw new ArgsError('command', `${arg} needs at least one command, e.g. -c "show port info all"`);
  sh.commands = [...(sh.commands ?? []), ...cmds];
  return last;
}

// ------------------------------------------------------------------- parsing

function suggest(name: string): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const spec of APP_OPTIONS) {
    const limit = Math.max(2, Math.floor(spec.name.length / 3));
    const dist = editDistance(name, spec.name, limit);
    if (dist <= limit && dist < bestD) { bestD = dist; best = spec.name; }
  }
  return best !== undefined ? ` (did you mean --${best}?)` : '';
}

function findApp(arg: string): { spec: OptionSpec; inline?: string } | undefined {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = APP_OPTIONS.find((s) => s.name === name);
    return spec ? { spec, inline: eq < 0 ? undefined : arg.slice(eq + 1) } : undefined;
  }
  if (/^-[A-Za-z]$/.test(arg)) {
    const spec = APP_OPTIONS.find((s) => s.short === arg[1]);
    return spec ? { spec } : undefined;
  }
  return undefined;
}

function optionName(arg: string): string {
  const eq = arg.indexOf('=');
  return eq < 0 ? arg : arg.slice(0, eq);
}

// EAL core placement, gathered while parsing and resolved at the end
// (--main-lcore may come after -l).
interface EalCores { lcores?: LcoreCpu[]; main?: number }

const EAL_CORE_FORMS: { names: string[]; parse: (v: string, c: EalCores) => void }[] = [
  { names: ['-l'], parse: (v, c) => { c.lcores = parseIdList(v, 'lcore').map((l) => ({ lcore: l, cpu: l })); } },
  { names: ['-c'], parse: (v, c) => { c.lcores = parseMask(v, 'core').map((l) => ({ lcore: l, cpu: l })); } },
  { names: ['--lcores'], parse: (v, c) => { c.lcores = parseLcoresOption(v); } },
  { names: ['--main-lcore', '--master-lcore'], parse: (v, c) => { c.main = parseIdList(v, 'lcore')[0]; } },
];

// Consumes an EAL core option at args[i] (-l 0-3, -l0-3, --lcores=..., -c f);
// returns the index of its last word, or -1.
function ealCoreOption(args: string[], i: number, c: EalCores): number {
  const arg = args[i];
  for (const form of EAL_CORE_FORMS) {
    for (const name of form.names) {
      let value: string | undefined;
      let last = i;
      if (arg === name) { value = args[i + 1]; last = i + 1; }
      else if (name.startsWith('--') && arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
      else if (!name.startsWith('--') && arg.startsWith(name) && arg.length > 2) value = arg.slice(2);
      else continue;
      if (value === undefined) throw new ArgsError(name.replace(/^-+/, ''), `${name} needs a value, e.g. ${name} 0-1`);
      try { form.parse(value, c); } catch (e) {
        if (e instanceof ListError) throw new ArgsError(name.replace(/^-+/, ''), `${name} ${value}: ${e.message}`);
        throw e;
      }
      return last;
    }
  }
  return -1;
}

function parseEal(args: string[], o: SessionOptions, warnings: string[], sh: ShellArgs): void {
  const cores_: EalCores = {};
  parseEalArgs(args, o, warnings, sh, cores_);
  if (cores_.lcores) {
    let lcores: LcoreCpu[];
    try { lcores = withMainFirst(cores_.lcores, cores_.main); } catch (e) {
      if (e instanceof ListError) throw new ArgsError('main-lcore', e.message);
      throw e;
    }
    if (lcores.length < 2) {
      throw new ArgsError('l', `lcore ${lcores[0].lcore} alone is the main lcore, which runs the command line: give at least one more to forward on (e.g. -l ${lcores[0].lcore},${lcores[0].lcore + 1})`);
    }
    o.lcores = lcores;
  } else if (cores_.main !== undefined) {
    throw new ArgsError('main-lcore', '--main-lcore needs the lcores it is one of: give -l, -c or --lcores too');
  }
}

function parseEalArgs(args: string[], o: SessionOptions, warnings: string[], sh: ShellArgs, cores_: EalCores): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const used = shellOption(args, i, sh);
    if (used >= 0) { i = used; continue; }
    if (arg === '--vdev' || arg.startsWith('--vdev=')) {
      let v: string | undefined;
      if (arg === '--vdev') {
        v = args[++i];
        if (v === undefined) throw new ArgsError('vdev', '--vdev needs a value: --vdev DEVARGS (for example --vdev net_ring0)');
      } else {
        v = arg.slice('--vdev='.length);
      }
      if (v === '' || v.startsWith('-')) {
        throw new ArgsError('vdev', `invalid --vdev '${v}': expected DEVARGS such as net_null0 or net_ring0,peer=net_ring1`);
      }
      o.vdevs = [...o.vdevs, v];
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      throw new HelpRequest();
    }
    const cores = ealCoreOption(args, i, cores_);
    if (cores >= 0) { i = cores; continue; }
    const eal = EAL_IGNORED.find((s) => s.short ? arg === `-${s.name}` || (arg.startsWith(`-${s.name}`) && !arg.startsWith('--'))
      : arg === `--${s.name}` || arg.startsWith(`--${s.name}=`));
    if (eal) {
      const attached = eal.short ? arg.length > 2 : arg.includes('=');
      if (eal.takesValue && !attached) {
        if (args[i + 1] === undefined) throw new ArgsError(eal.name, `${arg} needs a value`);
        i++;
      }
      warnings.push(`EAL option ${optionName(arg)} ignored: ${eal.why}`);
      continue;
    }
    if (findApp(arg)) {
      throw new ArgsError(optionName(arg).replace(/^-+/, ''),
        `${optionName(arg)} is an application option: put it after '--', as in: ringside [--vdev DEVARGS]... -- ${arg}`);
    }
    if (arg.startsWith('-')) {
      throw new ArgsError(optionName(arg).replace(/^-+/, ''),
        `unknown EAL option '${optionName(arg)}': before '--' only --vdev DEVARGS is valid`);
    }
    throw new ArgsError(arg, `unexpected argument '${arg}': devices are given as --vdev ${arg}`);
  }
}

class HelpRequest extends Error {}

function parseApp(args: string[], o: SessionOptions, ctx: ParseContext, sh: ShellArgs, warnings: string[]): boolean {
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const used = shellOption(args, i, sh);
    if (used >= 0) { i = used; continue; }
    const found = findApp(arg);
    if (!found) {
      const name = optionName(arg);
      if (arg.startsWith('-')) {
        const bare = name.replace(/^-+/, '');
        const needs = NIC_OPTIONS.get(bare);
        if (needs) throw new ArgsError(bare, `${name} needs ${needs}; not supported on software ports`);
        const why = NOT_YET.get(bare);
        if (why) throw new ArgsError(bare, `${name} is not supported by ringside: ${why}`);
        throw new ArgsError(bare, `unknown option '${clip(name)}'${suggest(bare)}`);
      }
      throw new ArgsError(arg, `unexpected argument '${arg}'`);
    }
    const { spec, inline } = found;
    if (spec.name === 'help') { help = true; continue; }
    const noEffect = NO_EFFECT.find((x) => x.name === spec.name);
    if (noEffect) warnings.push(`option --${spec.name} accepted with no effect: ${noEffect.why}`);
    if (!spec.arg) {
      if (inline !== undefined) throw new ArgsError(spec.name, `--${spec.name} takes no value`);
      spec.apply(o, '', spec.name, ctx);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = args[i + 1];
      if (value === undefined) {
        throw new ArgsError(spec.name, `--${spec.name} needs a value: --${spec.name}=${spec.arg}`);
      }
      i++;
    }
    spec.apply(o, value, spec.name, ctx);
  }
  return help;
}

// argv: the arguments after the program name (process.argv.slice(2)).
export function parseArgs(argv: readonly string[], ctx: ParseContext = {}): ParsedArgs {
  const options: SessionOptions = { ...DEFAULT_OPTIONS, vdevs: [], ethPeers: [], startupCommands: [] };
  const warnings: string[] = [];
  const sh: ShellArgs = { json: false };
  const sep = argv.indexOf('--');
  const eal = sep < 0 ? [...argv] : argv.slice(0, sep);
  const app = sep < 0 ? [] : argv.slice(sep + 1);
  try {
    parseEal(eal, options, warnings, sh);
  } catch (e) {
    if (e instanceof HelpRequest) return { options, help: true, warnings, appOptions: false, ...sh };
    throw e;
  }
  const help = parseApp(app, options, ctx, sh, warnings);
  return { options, help, warnings, appOptions: sep >= 0, ...sh };
}

// ------------------------------------------------------------------- usage

export function usage(program = 'ringside'): string {
  const lines = [
    `Usage: ${program} [--vdev DEVARGS]... [-- ${program} options]`,
    '',
    'EAL options:',
    '  --vdev=DEVARGS: add a port (repeatable), e.g. net_null0, net_ring0,peer=net_ring1,',
    '      net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap, net_tap0,iface=tap0,',
    '      net_af_packet0,iface=eth0,qpairs=2, net_af_xdp0,iface=eth0,start_queue=0,queue_count=1.',
    '      Without --vdev, two net_null ports are created.',
    '  -l CORELIST, -c COREMASK, --lcores=MAP, --main-lcore=N: the lcores, as DPDK\'s EAL takes them',
    '      (-l 0-2, -c 0x7, --lcores=0,1@2,(3-4)@5). The first (or --main-lcore) runs the command line;',
    '      each other one forwards, its poll thread pinned to the CPU it names.',
    '',
    `${program} options:`,
  ];
  for (const s of APP_OPTIONS) {
    const short = s.short ? ` (-${s.short})` : '';
    const form = s.arg ? `=${s.arg}` : '';
    lines.push(`  --${s.name}${form}${short}: ${s.help}`);
  }
  lines.push('', `Shell options (before or after '--'):`);
  for (const s of SHELL_OPTIONS) {
    const short = s.short ? ` (-${s.short})` : '';
    const form = s.arg ? ` ${s.arg}` : '';
    lines.push(`  --${s.name}${form}${short}: ${s.help}`);
  }
  lines.push('', 'Values may be given as --opt=V or --opt V.');
  return lines.join('\n') + '\n';
}
