// One Session per ringside run: the layer between the command handlers and
// the native engine. It owns the engine and, made with it, one object per
// area the commands act on (forwarding, ports, captures, KNIs, IF proxies,
// flows, generation, queues), the event and verbose hubs, and the previous
// counters for "Throughput (since last show)". They call the engine and
// return data, which the command layer renders.
import { addon } from '../native/addon.js';
import '../native/diag.js';
import type { DriverHelp, NamedHelp, NativeEngine, PortCounters } from '../native/addon.js';
import { EMBEDDED_DEFAULT_VDEVS, ETHER_OVERHEAD, fwdPortsOf } from './options.js';
import type { SessionOptions } from './options.js';
import type { StyledLine } from './lines.js';
import { L } from './lines.js';
import { collectFwdStats } from './fwd.js';
import type { Throughput } from './fwd.js';
import type { SessionView } from './view.js';
import { EventHub } from './events.js';
import { VerboseHub } from './verbose.js';
import { Ports } from './ports.js';
import { Forwarding } from './forwarding.js';
import { Knis, Proxies } from './kni.js';
import { Flows } from './flows.js';
import { Generator } from './generator.js';
import { Queues } from './queues.js';
import { Captures } from './captures.js';
import { ethPeersFromFile } from './eth-peers.js';
import '../native/flow.js';

interface PrevCounters { timeNs: number; rxPackets: number; txPackets: number; rxBytes: number; txBytes: number }

export class Session {
  readonly engine: NativeEngine;
  readonly options: SessionOptions;
  readonly startupLines: StyledLine[] = [];
  // Engine events (KNI requests, IF-proxy trace, ends of replays and counted
  // captures, memif links) are drained and logged from the session's start.
  readonly events: EventHub;
  // set verbose: the level and the taps' drain.
  readonly verbose: VerboseHub;
  readonly fwd: Forwarding;
  readonly ports: Ports;
  readonly captures: Captures;
  readonly knis: Knis;
  readonly proxies: Proxies;
  readonly flows: Flows;
  readonly gen: Generator;
  readonly queues: Queues;
  private readonly prev = new Map<number, PrevCounters>();
  private readonly logFn?: (lines: StyledLine[]) => void;
  private fwdModesCache?: NamedHelp[];
  private driversCache?: DriverHelp[];
  private closed = false;
  private starting = true;

  private constructor(engine: NativeEngine, opts: SessionOptions, private readonly view: SessionView,
                      log?: (lines: StyledLine[]) => void) {
    this.engine = engine;
    this.options = opts;
    this.logFn = log;
    const logLines = (lines: StyledLine[]): void => this.log(lines);
    const closed = (): boolean => this.closed;
    this.events = new EventHub(engine, view, logLines, closed);
    this.verbose = new VerboseHub(engine, view, logLines, closed);
    this.fwd = new Forwarding(engine);
    this.ports = new Ports(engine);
    this.captures = new Captures(engine);
    this.knis = new Knis(engine);
    this.proxies = new Proxies(engine);
    this.flows = new Flows(engine);
    this.gen = new Generator(engine);
    this.queues = new Queues(engine);
  }

  // Builds the engine, attaches the ports and applies the start-up options the
  // way testpmd does, collecting its start-up lines. Throws RingsideError (with
  // the engine freed) if a vdev or an option is refused. `view` draws the
  // session's own output (the command layer's commands/session-view.ts).
  static create(opts: SessionOptions, view: SessionView, log?: (lines: StyledLine[]) => void): Session {
    const engine = new addon.Engine({ totalNumMbufs: opts.totalNumMbufs, mbufSize: opts.mbufSize });
    const s = new Session(engine, opts, view, log);
    try {
      s.setUp();
      s.starting = false;
    } catch (e) {
      try { engine.shutdown(); } catch { /* already failing */ }
      s.closed = true;
      throw e;
    }
    return s;
  }

  private setUp(): void {
    const { engine, options: o } = this;
    if (o.interactive) this.log([L('Interactive-mode selected')]);
    try {
      const pool = engine.snapshot().pool;
      this.log([L(`ringside: create a new mbuf pool <${pool.name}>: n=${pool.size}, size=${o.mbufSize}, socket=0`)]);
    } catch { /* the pool line is informative only */ }

    const vdevs = o.vdevs.length > 0 ? o.vdevs : EMBEDDED_DEFAULT_VDEVS;
    const ids = vdevs.map((d) => engine.attach(d));

    for (const id of ids) {
      const info = engine.portInfo(id);
      const descs = o.rxd !== undefined || o.txd !== undefined;
      if (info.nbRxQueues !== o.rxq || info.nbTxQueues !== o.txq || descs) {
        if (info.started) engine.portStop(id);
        engine.portSetQueues(id, o.rxq, o.txq);
      }
      if (o.rxd !== undefined) engine.portSetNbDesc(id, 'rx', -1, o.rxd);
      if (o.txd !== undefined) engine.portSetNbDesc(id, 'tx', -1, o.txd);
    }
    // EAL lcores: the first is the main one; the others forward.
    if (o.lcores) engine.setLcores(o.lcores.slice(1).flatMap((l) => [l.lcore, l.cpu]));
    engine.setNbCores(o.nbCores);
    if (o.portList || o.nbPorts !== undefined) engine.setFwdPorts(fwdPortsOf(o.portList ?? ids, o.nbPorts));
    if (o.maxPktLen !== undefined) for (const id of ids) engine.portSetMtu(id, o.maxPktLen - ETHER_OVERHEAD);
    engine.setBurst(o.burst);
    engine.setFwdMode(o.forwardMode);
    engine.setTopology(o.portTopology);
    if (o.txpkts && o.txpkts.length > 0) engine.setTxpkts(o.txpkts);
    if (o.ethPeersFile) ethPeersFromFile(o.ethPeersFile).forEach((mac, port) => engine.setEthPeer(port, mac));
    for (const peer of o.ethPeers) engine.setEthPeer(peer.port, peer.mac);
    if (o.noisy) {
      const n = o.noisy;
      engine.setNoisy(n.txSwBufferSize, n.flushTimeMs, n.lkupMemoryMb, n.lkupReads, n.lkupWrites, n.lkupReadsWrites);
    }
    if (o.flowIsolateAll) for (const id of ids) engine.flowIsolate(id, true);
    if (o.deviceStart === false) {
      for (const id of ids) if (engine.portInfo(id).started) engine.portStop(id);
      return;
    }

    for (const id of ids) {
      this.log([L(`Configuring Port ${id} (socket 0)`)]);
      if (!engine.portInfo(id).started) engine.portStart(id);
      this.log([L(`Port ${id}: ${engine.portInfo(id).mac.toUpperCase()}`)]);
    }
    this.log([L('Checking link statuses...'), L('Done')]);
  }

  // Start-up lines go both to startupLines and, as they happen, to the log callback.
  log(lines: StyledLine[]): void {
    if (this.starting) this.startupLines.push(...lines);
    this.logFn?.(lines);
  }

  // Read from the addon's tables, once.
  fwdModes(): NamedHelp[] {
    this.fwdModesCache ??= addon.fwdModes();
    return this.fwdModesCache;
  }

  drivers(): DriverHelp[] {
    this.driversCache ??= addon.drivers();
    return this.driversCache;
  }

  get isShutdown(): boolean { return this.closed; }
  // The scenario conditions read RX-dropped from here.
  get missedBaseline(): Map<number, number> { return this.fwd.missedBaseline; }

  // testpmd's "Throughput (since last show)": rates over the time since this
  // port was last shown; 0 on the first show and for counters that went back
  // (cleared).
  throughput(c: PortCounters, timeNs: number): Throughput {
    const prev = this.prev.get(c.id);
    const diffNs = prev && prev.timeNs !== 0 ? timeNs - prev.timeNs : 0;
    const diff = (now: number, before: number | undefined): number => (before !== undefined && now > before ? now - before : 0);
    const rate = (d: number): number => (diffNs > 0 ? Math.floor((d * 1e9) / diffNs) : 0);
    const t: Throughput = {
      rxPps: rate(diff(c.rxPackets, prev?.rxPackets)),
      txPps: rate(diff(c.txPackets, prev?.txPackets)),
      rxBps: rate(diff(c.rxBytes, prev?.rxBytes)) * 8,
      txBps: rate(diff(c.txBytes, prev?.txBytes)) * 8,
    };
    if (!prev) {
      // testpmd starts from zero counters: the first show measures nothing.
      t.rxPps = t.txPps = t.rxBps = t.txBps = 0;
    }
    this.prev.set(c.id, { timeNs, rxPackets: c.rxPackets, txPackets: c.txPackets, rxBytes: c.rxBytes, txBytes: c.txBytes });
    return t;
  }

  // Stops forwarding, stops and closes every port, frees the engine; returns
  // testpmd's quit lines. Idempotent: later calls return no lines.
  shutdown(): StyledLine[] {
    if (this.closed) return [];
    // First, while the engine still holds what they print: what the hubs kept.
    for (const hub of [this.events, this.verbose]) {
      try { hub.drain(); } catch { /* shutting down regardless */ }
    }
    this.closed = true;
    const { engine } = this;
    const out: StyledLine[] = [];
    const step = (fn: () => void): void => {
      try { fn(); } catch (e) {
        const err = e as { code?: string; message?: string };
        out.push(L(`Error ${err.code ?? 'EINTERNAL'}: ${err.message ?? String(e)}`, 'error'));
      }
    };
    try {
      if (engine.forwarding()) {
        const streams = engine.stop();
        let ports: PortCounters[] = [];
        try { ports = engine.snapshot().ports; } catch { /* counters gone */ }
        out.push(...this.view.fwdStop(this.fwd.statsOf(streams, ports)));
      }
    } catch (e) {
      const err = e as { code?: string; message?: string };
      out.push(L(`Error ${err.code ?? 'EINTERNAL'}: ${err.message ?? String(e)}`, 'error'));
    }
    // Captures still running end here, after forwarding (so they hold its
    // last packets), with the summary `capture stop` would print.
    step(() => {
      if (this.captures.running()) out.push(...this.view.captureStop(this.captures.stop()));
    });
    let ids: number[] = [];
    try { ids = engine.portIds(); } catch { ids = []; }
    for (const id of ids) {
      out.push(L(''), L(`Stopping port ${id}...`), L('Stopping ports...'));
      step(() => { if (engine.portInfo(id).started) engine.portStop(id); });
      out.push(L('Done'));
    }
    for (const id of ids) {
      out.push(L(''), L(`Shutting down port ${id}...`), L('Closing ports...'));
      step(() => {
        if (!engine.portInfo(id).closed) engine.portClose(id);
        out.push(L(`Port ${id} is closed`));
      });
      out.push(L('Done'));
    }
    step(() => engine.shutdown());
    out.push(L(''), L('Bye...'));
    return out;
  }
}
