// Start-up options, testpmd's shape: `ringside [--vdev DEVARGS]... [-- app options]`.
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
}

// Two net_null ports: `start` then `stop` shows packets forwarded with no set-up.
export const EMBEDDED_DEFAULT_VDEVS = ['net_null0', 'net_null1'];

export const DEFAULT_OPTIONS: SessionOptions = {
  vdevs: [],
  interactive: true,
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
};
