// Forwarding as data: the forwarding and rx/tx configuration and the forward
// statistics, read from the engine into the values results carry.
import type { NativeEngine, PortCounters, StreamCounters } from '../native/addon.js';
import type { QueueDir } from '../native/diag.js';
import '../native/diag.js';

export interface Throughput { rxPps: number; rxBps: number; txPps: number; txBps: number }

export interface FwdPortStats {
  id: number; rxPackets: number; rxDropped: number; txPackets: number; txDropped: number;
  badIpCsum: number; badL4Csum: number;
}
export interface FwdStats {
  ports: FwdPortStats[];
  csum: boolean;               // csum mode: testpmd adds the Bad-ipcsum lines

  streams: StreamCounters[];   // shown one by one when there are more streams than ports
  showStreams: boolean;
  // testpmd's record-core-cycles: clock ticks of the bursts that moved
  // packets over the packets received (sent, for generating modes).
  cycles?: { cycles: number; packets: number; mode: string; mhz: number };
}
export interface FwdStreamLine { rxPort: number; rxQueue: number; txPort: number; txQueue: number; peer: string }
export interface FwdConfig {
  mode: string;
  retry?: { delayUs: number; tries: number };  // set fwd MODE retry
  nbPorts: number;
  nbCores: number;
  nbStreams: number;
  lcores: { lcore: number; cpu: number; streams: FwdStreamLine[] }[];
}
export interface RxtxConfig {
  mode: string;
  burst: number;
  txpkts: number[] | null;     // set for generating modes (txonly, flowgen)
  nbCores: number;
  nbPorts: number;
  // Descriptors of each queue: the ring's size where the port has rings, else what was asked (0: default).
  ports: { id: number; nbRxQueues: number; nbTxQueues: number; rxDesc: number[]; txDesc: number[] }[];
}
// Modes that generate packets and so show "packet len=... - nb packet segments=...".
const GENERATING = new Set(['txonly', 'flowgen']);

function fwdPorts(engine: NativeEngine, streams: StreamCounters[]): number[] {
  const set = new Set<number>();
  for (const s of streams) { set.add(s.rxPort); set.add(s.txPort); }
  if (set.size === 0) for (const id of engine.portIds()) set.add(id);
  return [...set].sort((a, b) => a - b);
}

export function collectFwdConfig(engine: NativeEngine): FwdConfig {
  const streams = engine.streams();
  const lcores = engine.lcores();
  const peers = new Map<number, string>();
  const peer = (port: number): string => {
    if (!peers.has(port)) {
      let mac = '00:00:00:00:00:00';
      try { mac = engine.ethPeer(port); } catch { /* port gone */ }
      peers.set(port, mac.toUpperCase());
    }
    return peers.get(port)!;
  };
  let retry: FwdConfig['retry'];
  try {
    const r = engine.txRetry();
    if (r.on) retry = { delayUs: r.delayUs, tries: r.tries };
  } catch { /* an engine without retry */ }
  return {
    mode: engine.fwdMode(),
    retry,
    nbPorts: fwdPorts(engine, streams).length,
    nbCores: lcores.length,
    nbStreams: streams.length,
    lcores: lcores.map((lc) => ({
      lcore: lc.lcore,
      cpu: lc.cpu,
      streams: lc.streams.filter((i) => i < streams.length).map((i) => {
        const s = streams[i];
        return { rxPort: s.rxPort, rxQueue: s.rxQueue, txPort: s.txPort, txQueue: s.txQueue, peer: peer(s.txPort) };
      }),
    })),
  };
}

export function collectRxtxConfig(engine: NativeEngine): RxtxConfig {
  const mode = engine.fwdMode();
  const streams = engine.streams();
  const ports = fwdPorts(engine, streams).flatMap((id) => {
    try {
      const info = engine.portInfo(id);
      const descs = (dir: QueueDir, n: number): number[] => Array.from({ length: n }, (_, q) => {
        try {
          const qi = engine.portQueueInfo(id, dir, q);
          return qi.rings[0]?.size ?? qi.nbDesc;
        } catch { return 0; }  // the port went away meanwhile
      });
      return [{ id, nbRxQueues: info.nbRxQueues, nbTxQueues: info.nbTxQueues, rxDesc: descs('rx', info.nbRxQueues), txDesc: descs('tx', info.nbTxQueues) }];
    } catch { return []; }
  });
  return {
    mode,
    burst: engine.burst(),
    txpkts: GENERATING.has(mode) ? engine.txpkts() : null,
    nbCores: engine.lcores().length || engine.nbCores(),
    nbPorts: ports.length,
    ports,
  };
}

// Per-port forward statistics from stream counters: RX from streams whose rx
// port is N, TX and TX-dropped from streams whose tx port is N; RX-dropped is
// the port's rx_missed since forwarding started (baseline subtracted).
export function collectFwdStats(
  streams: StreamCounters[],
  ports: PortCounters[],
  missedBaseline: Map<number, number>,
  mode = '',
  cyclesMhz = 0,  // recording core cycles: the clock's rate, else 0
): FwdStats {
  const byId = new Map<number, { rxPackets: number; txPackets: number; txDropped: number; badIpCsum: number; badL4Csum: number }>();
  const ids = new Set<number>();
  for (const s of streams) { ids.add(s.rxPort); ids.add(s.txPort); }
  if (ids.size === 0) for (const p of ports) ids.add(p.id);
  for (const id of ids) byId.set(id, { rxPackets: 0, txPackets: 0, txDropped: 0, badIpCsum: 0, badL4Csum: 0 });
  for (const s of streams) {
    const rx = byId.get(s.rxPort)!;
    rx.rxPackets += s.rxPackets;
    rx.badIpCsum += s.badIpCsum ?? 0;
    rx.badL4Csum += s.badL4Csum ?? 0;
    const tx = byId.get(s.txPort)!;
    tx.txPackets += s.txPackets;
    tx.txDropped += s.fwdDropped;
  }
  const missed = new Map(ports.map((p) => [p.id, p.rxMissed]));
  const out = [...ids].sort((a, b) => a - b).map((id) => {
    const c = byId.get(id)!;
    const now = missed.get(id) ?? 0;
    const base = missedBaseline.get(id) ?? 0;
    return { id, rxPackets: c.rxPackets, rxDropped: now > base ? now - base : 0, txPackets: c.txPackets, txDropped: c.txDropped,
      badIpCsum: c.badIpCsum, badL4Csum: c.badL4Csum };
  });
  const stats: FwdStats = { ports: out, streams, showStreams: streams.length > out.length, csum: mode === 'csum' };
  const packets = out.reduce((n, p) => n + (GENERATING.has(mode) ? p.txPackets : p.rxPackets), 0);
  if (cyclesMhz > 0 && packets > 0) stats.cycles = { cycles: streams.reduce((n, s) => n + s.coreCycles, 0), packets, mode, mhz: cyclesMhz };
  return stats;
}
