// Captures, replays and pcap files of a session. The ends of a replay and of
// a capture with a count come as engine events, which the session's event hub logs.
import type { NativeEngine } from '../native/addon.js';
import type { CaptureInfo, CaptureOptions, PcapFileInfo, PcapShowInfo, ReplayInfo, ReplayOptions } from '../native/capture.js';
import '../native/capture.js';

export class Captures {
  constructor(private readonly engine: NativeEngine) {}

  start(port: number, o: CaptureOptions): CaptureInfo { return this.engine.captureStart(port, o); }
  // port undefined: every running capture (ENO_CAPTURE when none runs).
  stop(port?: number): CaptureInfo[] { return this.engine.captureStop(port); }
  // Running first, then finished.
  list(): CaptureInfo[] { return this.engine.captures(); }
  running(): boolean { return this.list().some((c) => c.state === 'running'); }

  replayStart(port: number, o: ReplayOptions): ReplayInfo { return this.engine.replayStart(port, o); }
  replayStop(): ReplayInfo { return this.engine.replayStop(); }
  // null before any replay ran.
  replayStatus(): ReplayInfo | null {
    try { return this.engine.replayStatus(); } catch (e) {
      if ((e as { code?: string }).code !== 'ENO_REPLAY') throw e;
      return null;
    }
  }

  pcapInfo(file: string): PcapFileInfo { return this.engine.pcapInfo(file); }
  // count 0: every packet; filter '': no filter.
  pcapShow(file: string, count: number, filter: string): PcapShowInfo { return this.engine.pcapShow(file, count, filter); }
}
