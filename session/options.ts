// Start-up options, testpmd's shape: `ringside [--vdev DEVARGS]... [-- app options]`.
import type { LcoreCpu } from './lcores.js';
import { RingsideError } from '../native/errors.js';
// testpmd's --noisy-* options (noisy mode); 0 turns a part off.
export interface NoisyOptions {
  txSwBufferSize: number; flushTimeMs: number; lkupMemoryMb: number;
  lkupReads: number; lkupWrites: number; lkupReadsWrites: number;
}

export const NOISY_OFF: NoisyOptions = { txSwBufferSize: 0, flushTimeMs: 0, lkupMemoryMb: 0, lkupReads: 0, lkupWrites: 0, lkupReadsWrites: 0 };

export interface SessionOptions {
  vdevs: string[];            // --vdev, in order; empty = embedded default
  interactive: boolean;       // -i / --interactive
  rxq: number;                // --rxq
  txq: number;                // --txq
  nbCores: number;            // --nb-cores
  burst: number;              // --burst
  forwardMode: string;        // --forward-mode
  portTopology: 'paired' | 'chained' | 'loop'; // --port-topology
  autoStart: boolean;         // --auto-start
  txFirst: boolean;           // --tx-first
  statsPeriod: number;        // --stats-period N (seconds, 0 = off)
  cmdlineFile?: string;       // --cmdline-file FILE
  txpkts?: number[];          // --txpkts L[,L...]
  ethPeers: { port: number; mac: string }[]; // --eth-peer N,MAC
  totalNumMbufs: number;      // --total-num-mbufs
  mbufSize: number;           // --mbuf-size (data room)
  lcores?: LcoreCpu[];        // EAL -l / -c / --lcores, main lcore first (--main-lcore)
  portList?: number[];        // --portlist / --portmask: the forwarding ports
  nbPorts?: number;           // --nb-ports: the first N of them
  maxPktLen?: number;         // --max-pkt-len: the MTU is this less the Ethernet header and CRC
  rxd?: number;               // --rxd: descriptors per rx queue (ring size where the port has rings)
  txd?: number;               // --txd
  noisy?: NoisyOptions;       // --noisy-*
  ethPeersFile?: string;      // --eth-peers-configfile: one MAC per line, port 0 first
  deviceStart?: boolean;      // false: --disable-device-start
  flowIsolateAll?: boolean;   // --flow-isolate-all
  displayXstats?: string[];   // --display-xstats: xstats `show port stats` adds, with their rates
  // Commands run once the ports are up, in order: testpmd options that are a
  // shell command in ringside (--rss-ip is `port config all rss ip`, ...).
  startupCommands: string[];
}

// Two net_null ports: `start` then `stop` shows packets forwarded with no set-up.
export const EMBEDDED_DEFAULT_VDEVS = ['net_null0', 'net_null1'];

export const DEFAULT_OPTIONS: SessionOptions = {
  vdevs: [],
  interactive: false,         // -i; without it and with app options on a terminal, testpmd's non-interactive mode
  rxq: 1,
  txq: 1,
  nbCores: 1,
  burst: 32,
  forwardMode: 'io',
  portTopology: 'paired',
  autoStart: false,
  txFirst: false,
  statsPeriod: 0,
  ethPeers: [],
  totalNumMbufs: 16384,
  mbufSize: 2048,
  startupCommands: [],
};

// testpmd: max-pkt-len = MTU + Ethernet header (14) + CRC (4).
export const ETHER_OVERHEAD = 18;

// --nb-ports / `set nbport`: the first N of the forwarding ports.
export function fwdPortsOf(list: number[], nbPorts: number | undefined): number[] {
  if (nbPorts === undefined) return list;
  if (nbPorts > list.length) {
    throw new RingsideError('ENB_PORTS', `nb-ports ${nbPorts} is more than the ${list.length} forwarding port${list.length === 1 ? '' : 's'} (${list.join(',')})`);
  }
  return list.slice(0, nbPorts);
}
