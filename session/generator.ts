// Traffic generation of a session (txonly, flowgen): the packet template,
// per-port rate and count, and what a receiving port measured.
import type { NativeEngine } from '../native/addon.js';
import type { GenSettings, GenSettingsUpdate, LatencyReport, TxRateInfo } from '../native/gen.js';
import '../native/gen.js';

export class Generator {
  constructor(private readonly engine: NativeEngine) {}

  settings(): GenSettings { return this.engine.genSettings(); }
  update(partial: GenSettingsUpdate): void { this.engine.setGenSettings(partial); }
  rate(port: number): TxRateInfo { return this.engine.txRate(port); }
  // value 0: unpaced.
  setRate(port: number, value: number, unit: 'pps' | 'mbps'): void { this.engine.setTxRate(port, value, unit); }
  count(port: number): number { return this.engine.txCount(port); }
  // 0: no limit.
  setCount(port: number, count: number): void { this.engine.setTxCount(port, count); }
  latency(port: number): LatencyReport { return this.engine.portLatency(port); }
}
