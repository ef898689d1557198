// The ports of a session: what the command handlers ask of them, over the
// engine. Returns data; the handlers say what happened in testpmd's words.
import type { NativeEngine, PortCounters, PortInfo } from '../native/addon.js';
import type { QueueDir } from '../native/diag.js';
import '../native/diag.js';

export class Ports {
  constructor(private readonly engine: NativeEngine) {}

  ids(): number[] { return this.engine.portIds(); }
  info(id: number): PortInfo { return this.engine.portInfo(id); }
  // A port by its device name (net_ring0); [] when none has it.
  named(name: string): number[] { return this.ids().filter((id) => this.info(id).name === name); }

  attach(devargs: string): number { return this.engine.attach(devargs); }
  start(id: number): void { this.engine.portStart(id); }
  stop(id: number): void { this.engine.portStop(id); }
  // As DPDK's ethdev since 20.11: a closed port is released, its id free for the next attach.
  close(id: number): void {
    this.engine.portClose(id);
    this.engine.detach(id);
  }
  detach(id: number): void { this.engine.detach(id); }

  // Ports the running forwarding streams use (none when not forwarding).
  forwarding(): Set<number> {
    if (!this.engine.forwarding()) return new Set();
    return new Set(this.engine.streams().flatMap((st) => [st.rxPort, st.txPort]));
  }

  // testpmd's port reset: stopped, its queues set up again empty as configured.
  reset(id: number): void {
    const info = this.info(id);
    if (info.started) this.stop(id);
    this.setQueues(id, info.nbRxQueues, info.nbTxQueues);
  }
  // -1 keeps a count as it is.
  setQueues(id: number, nbRx: number, nbTx: number): void { this.engine.portSetQueues(id, nbRx, nbTx); }
  // queue -1: every queue of that direction.
  setDescriptors(id: number, dir: QueueDir, queue: number, n: number): void { this.engine.portSetNbDesc(id, dir, queue, n); }
  setMtu(id: number, mtu: number): void { this.engine.portSetMtu(id, mtu); }
  setMac(id: number, mac: string): void { this.engine.portSetMac(id, mac); }
  setPromiscuous(id: number, on: boolean): void { this.engine.portSetPromiscuous(id, on); }
  setAllmulti(id: number, on: boolean): void { this.engine.portSetAllmulti(id, on); }
  setLink(id: number, up: boolean): void { this.engine.portSetLink(id, up); }
  // mac_addr / mcast_addr add|remove: the addresses rx takes beside the port's own.
  rxAddr(id: number, mac: string, multicast: boolean, add: boolean): void { this.engine.portRxAddr(id, mac, multicast, add); }
  // Every port's counters, stamped (CLOCK_MONOTONIC).
  counters(): { timeNs: number; ports: PortCounters[] } {
    const snap = this.engine.snapshot();
    return { timeNs: snap.timeNs, ports: snap.ports };
  }
  clearStats(id: number): void { this.engine.clearPortStats(id); }
  addIp(id: number, cidr: string): void { this.engine.portAddIp(id, cidr); }
  ips(id: number): string[] { return this.engine.portIps(id); }
}
