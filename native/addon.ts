// Loads the native addon and describes its surface. Everything the shell does
// to ports and poll threads goes through NativeEngine; no packet crosses here.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { RingsideError } from './errors.js';

export interface LinkInfo { up: boolean; speedMbps: number; fullDuplex: boolean }

export interface PortInfo {
  id: number;
  name: string;          // net_ring0
  driver: string;        // net_ring
  devargs: string;       // as given to attach
  ifName: string;        // kernel interface, '' for virtual ports
  ifIndex: number;       // 0 for virtual ports
  mac: string;           // XX:XX:XX:XX:XX:XX
  mtu: number; minMtu: number; maxMtu: number;
  promiscuous: boolean;
  allmulti: boolean;
  addedMacs: string[];  // mac_addr add, beside mac
  mcastMacs: string[];  // mcast_addr add
  link: LinkInfo;
  started: boolean;
  closed: boolean;
  nbRxQueues: number; nbTxQueues: number;
  maxRxQueues: number; maxTxQueues: number;
  countsBytes: boolean;  // whether the driver keeps byte counters
  extra: [string, string][]; // driver facts: files, interface, ...
}

export interface QueueCounters { packets: number; bytes: number; errors: number }

export interface PortCounters {
  id: number;
  rxPackets: number; rxBytes: number; rxErrors: number; rxMissed: number; rxNombuf: number;
  rxFlushed: number;     // in flight when forwarding stopped: returned to the pool, not dropped
  txPackets: number; txBytes: number; txErrors: number;
  rxq: QueueCounters[]; txq: QueueCounters[];
}

export interface StreamCounters {
  rxPort: number; rxQueue: number; txPort: number; txQueue: number;
  rxPackets: number; txPackets: number; fwdDropped: number;
  badIpCsum: number; badL4Csum: number;  // csum mode: wrong checksums found (and fixed) on received packets
  rxBursts?: [size: number, bursts: number][];  // with burst stats recorded: bursts of each size, sizes ascending
  txBursts?: [size: number, bursts: number][];
  coreCycles: number;  // with core cycles recorded: clock ticks in bursts that moved packets (coreCyclesMhz() a microsecond)
}

export interface PoolCounters { name: string; size: number; available: number; inUse: number; allocFailures: number }

export interface Snapshot {
  timeNs: number;        // CLOCK_MONOTONIC at the snapshot
  forwarding: boolean;
  ports: PortCounters[];
  streams: StreamCounters[];
  pool: PoolCounters;
}

export interface LcoreInfo { lcore: number; cpu: number; streams: number[] }
export interface NamedHelp { name: string; help: string }
export interface DriverHelp extends NamedHelp { keys: string[] }

export interface EngineOptions { totalNumMbufs?: number; mbufSize?: number }

export interface NativeEngine {
  attach(devargs: string): number;
  detach(port: number): void;
  portIds(): number[];
  portInfo(port: number): PortInfo;
  portStart(port: number): void;
  portStop(port: number): void;
  portClose(port: number): void;
  portSetQueues(port: number, nbRx: number, nbTx: number): void; // -1 keeps
  portSetMtu(port: number, mtu: number): void;
  portSetMac(port: number, mac: string): void;
  portSetPromiscuous(port: number, on: boolean): void;
  portSetAllmulti(port: number, on: boolean): void;
  portRxAddr(port: number, mac: string, multicast: boolean, add: boolean): void;
  portSetLink(port: number, up: boolean): void;
  portAddIp(port: number, cidr: string): void;
  portIps(port: number): string[];
  clearPortStats(port: number): void;

  setFwdMode(name: string): void;
  fwdMode(): string;
  setNbCores(n: number): void;
  nbCores(): number;
  // Forwarding lcores as flat [lcore, cpu, lcore, cpu, ...]; [] = the default placement.
  setLcores(flat: number[]): void;
  fwdLcores(): [number, number][];
  // Forwarding ports in order (testpmd's portlist); [] = every started port.
  setFwdPorts(ids: number[]): void;
  fwdPorts(): number[];
  // testpmd's `set fwd MODE retry` / `set burst tx delay US retry N`, used at the next start.
  setTxRetry(on: boolean): void;
  setBurstTxRetry(delayUs: number, tries: number): void;
  txRetry(): { on: boolean; delayUs: number; tries: number };
  setBurst(n: number): void;
  // testpmd's `set record-burst-stats on|off`, from the next start (streams then carry rxBursts/txBursts).
  setRecordBurstStats(on: boolean): void;
  // testpmd's `set record-core-cycles on|off`, from the next start (streams then count coreCycles).
  setRecordCoreCycles(on: boolean): void;
  coreCyclesMhz(): number;  // the clock coreCycles counts in, in MHz, while recording; 0 when not

  // testpmd's --noisy-* options (noisy mode), used at the next start.
  setNoisy(bufferSize: number, flushTimeMs: number, lkupMemoryMb: number, lkupReads: number, lkupWrites: number, lkupReadsWrites: number): void;
  burst(): number;
  setTopology(name: 'paired' | 'chained' | 'loop'): void;
  topology(): 'paired' | 'chained' | 'loop';
  setTxpkts(segments: number[]): void;
  txpkts(): number[];
  setEthPeer(port: number, mac: string): void;
  ethPeer(port: number): string;

  streams(): StreamCounters[];
  lcores(): LcoreInfo[];
  start(txFirstBursts: number): void;
  stop(): StreamCounters[];
  forwarding(): boolean;
  clearFwdStats(): void;
  snapshot(): Snapshot;
  shutdown(): void;
}

export interface Addon {
  Engine: new (opts?: EngineOptions) => NativeEngine;
  fwdModes(): NamedHelp[];
  drivers(): DriverHelp[];
  setErrorClass(cls: typeof RingsideError): void;
}

const require = createRequire(import.meta.url);
// The package's root: two levels up from the TypeScript output (dist/native/)
// and from the bundle (dist/bundle/) alike.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function load(): Addon {
  // node-gyp-build takes build/Release when the addon was compiled here, else
  // the prebuilt addon the package ships for this platform (prebuilds/).
  const loadBinding = require('node-gyp-build') as (dir: string) => unknown;
  const addon = loadBinding(root) as Addon;
  addon.setErrorClass(RingsideError);
  return addon;
}

export const addon: Addon = load();
