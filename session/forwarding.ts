// Forwarding of a session: start and stop, the settings testpmd's `set ...`
// commands change (mode, cores, burst, txpkts, peers, topology, forwarding
// ports and lcores), and the configuration and statistics as data.
import type { NativeEngine, PortCounters, StreamCounters } from '../native/addon.js';
import type { LcoreCpu } from './lcores.js';
import { collectFwdConfig, collectFwdStats, collectRxtxConfig } from './fwd.js';
import type { FwdConfig, FwdStats, RxtxConfig } from './fwd.js';

export type Topology = 'paired' | 'chained' | 'loop';

export class Forwarding {
  // rx_missed of each port when forwarding last started (or fwd stats were
  // cleared): RX-dropped counts from there.
  readonly missedBaseline = new Map<number, number>();

  constructor(private readonly engine: NativeEngine) {}

  running(): boolean { return this.engine.forwarding(); }
  // Ports neither started nor closed: testpmd refuses to start with one.
  stoppedPorts(): number[] {
    return this.engine.portIds().filter((id) => { const i = this.engine.portInfo(id); return !i.started && !i.closed; });
  }
  start(txFirstBursts: number): { fwd: FwdConfig; rxtx: RxtxConfig } {
    this.markStart();
    this.engine.start(txFirstBursts);
    return { fwd: this.config(), rxtx: this.rxtx() };
  }
  stop(): FwdStats {
    const streams = this.engine.stop();
    return this.statsOf(streams, this.engine.snapshot().ports);
  }
  stats(): FwdStats {
    const snap = this.engine.snapshot();
    return this.statsOf(snap.streams, snap.ports);
  }
  // The forward statistics of these counters, as stop and show fwd stats print them.
  statsOf(streams: StreamCounters[], ports: PortCounters[]): FwdStats {
    return collectFwdStats(streams, ports, this.missedBaseline, this.engine.fwdMode(), this.engine.coreCyclesMhz());
  }
  clearStats(): void {
    this.engine.clearFwdStats();
    this.markStart();
  }
  config(): FwdConfig { return collectFwdConfig(this.engine); }
  rxtx(): RxtxConfig { return collectRxtxConfig(this.engine); }
  // The forwarding lcores (show config cores): the placed ones, else 1..nb-cores.
  cores(): number[] {
    const lcores = this.engine.lcores().map((l) => l.lcore);
    return lcores.length ? lcores : Array.from({ length: this.engine.nbCores() }, (_, i) => i + 1);
  }

  mode(): string { return this.engine.fwdMode(); }
  // retry: a burst the port does not take whole is offered again.
  setMode(name: string, retry: boolean): void {
    this.engine.setFwdMode(name);
    this.engine.setTxRetry(retry);
  }
  setBurstTxRetry(delayUs: number, tries: number): void { this.engine.setBurstTxRetry(delayUs, tries); }
  // Burst sizes are recorded from the next start (stop and show fwd stats print them).
  setRecordBurstStats(on: boolean): void { this.engine.setRecordBurstStats(on); }
  // Cycles of the bursts that moved packets, from the next start (stop and show fwd stats print CPU cycles/packet).
  setRecordCoreCycles(on: boolean): void { this.engine.setRecordCoreCycles(on); }
  nbCores(): number { return this.engine.nbCores(); }
  setNbCores(n: number): void { this.engine.setNbCores(n); }
  burst(): number { return this.engine.burst(); }
  setBurst(n: number): void { this.engine.setBurst(n); }
  txpkts(): number[] { return this.engine.txpkts(); }
  setTxpkts(lengths: number[]): void { this.engine.setTxpkts(lengths); }
  ethPeer(port: number): string { return this.engine.ethPeer(port); }
  setEthPeer(port: number, mac: string): void { this.engine.setEthPeer(port, mac); }
  topology(): Topology { return this.engine.topology(); }
  setTopology(t: Topology): void { this.engine.setTopology(t); }
  // [] = every started port.
  ports(): number[] { return this.engine.fwdPorts(); }
  setPorts(ids: number[]): void { this.engine.setFwdPorts(ids); }
  // The forwarding lcores and their CPUs; [] = the default placement.
  setLcores(lcores: LcoreCpu[]): void { this.engine.setLcores(lcores.flatMap((l) => [l.lcore, l.cpu])); }

  private markStart(): void {
    this.missedBaseline.clear();
    try {
      for (const p of this.engine.snapshot().ports) this.missedBaseline.set(p.id, p.rxMissed);
    } catch { /* no ports */ }
  }
}
