// Capture, replay and pcap file methods the addon adds to Engine (binding
// file native/binding/capture.cpp), merged into NativeEngine.
export type CaptureDirection = 'rx' | 'tx' | 'both';

export interface CaptureOptions {
  direction?: CaptureDirection;  // default both
  file: string;
  format?: 'pcap' | 'pcapng';    // default pcap
  snaplen?: number;              // 0: no limit (262144)
  count?: number;                // 0: until stopped
  filter?: string;               // capture filter expression ('' : everything)
  ringBytes?: number;            // per queue and direction (tests)
}

export interface CaptureInfo {
  port: number; portName: string;
  file: string; format: 'pcap' | 'pcapng'; direction: CaptureDirection; filter: string;
  state: 'running' | 'done' | 'stopped' | 'failed';
  snaplen: number; countLimit: number;
  seen: number;       // packets the tap was shown
  matched: number;    // kept by the filter
  captured: number;   // written to the file
  dropped: number;    // matched but lost: the writer fell behind
  fileBytes: number; ringBytes: number; rings: number;
  startMs: number;    // CLOCK_REALTIME, ms
  durationNs: number;
  error: string;
}

export type ReplaySpeedName = 'original' | 'topspeed' | 'multiplier' | 'pps' | 'mbps';
export interface ReplayOptions { file: string; speed?: ReplaySpeedName; value?: number; loops?: number }

export interface ReplayInfo {
  state: 'running' | 'done' | 'stopped' | 'failed';
  file: string; speed: string; error: string;
  port: number; queue: number; cpu: number;
  loops: number; loop: number;
  filePackets: number; fileBytes: number; fileDurationNs: number;
  fileStops: string;  // where a truncated or damaged file stops; its records before that are replayed
  sent: number; bytes: number; skipped: number; retries: number;
  elapsedNs: number; pps: number; mbps: number;
  timingSamples: number; timingMeanNs: number; timingP50Ns: number; timingP99Ns: number; timingMaxNs: number;
}

export interface PcapFileInfo {
  file: string; format: 'pcap' | 'pcapng'; byteOrder: string; tsResolution: string; version: string;
  linktype: number; linktypeName: string; snaplen: number;
  interfaces: number; interfaceNames: string[]; sections: number;
  packets: number; dataBytes: number; origBytes: number; fileBytes: number;
  firstSec: number; firstNsec: number; lastSec: number; lastNsec: number; durationNs: number;
  minCaplen: number; maxCaplen: number; cutPackets: number;
  stopped: string;   // where a truncated or damaged file stops ('' when it ends cleanly)
}

export interface PcapPacketLine {
  index: number;   // the record's number in the file, from 1
  sec: number; nsec: number; caplen: number; origlen: number; iface: number;
  tsOverflow?: true;  // the file's timestamp is past 2554 or before 1970: sec/nsec are clamped, not the time
  direction: '' | 'in' | 'out';
  summary: string;
}
// stopped: where a truncated or damaged file stops, after the packets before it ('' when it ends cleanly).
export interface PcapShowInfo { file: string; nanosecond: boolean; packets: PcapPacketLine[]; stopped: string }

declare module './addon.js' {
  interface NativeEngine {
    captureStart(port: number, opts: CaptureOptions): CaptureInfo;
    captureStop(port?: number): CaptureInfo[];   // ENO_CAPTURE when nothing runs
    captures(): CaptureInfo[];                   // running first, then finished
    replayStart(port: number, opts: ReplayOptions): ReplayInfo;
    replayStop(): ReplayInfo;                    // ENO_REPLAY when none runs
    replayStatus(): ReplayInfo;                  // ENO_REPLAY when none ever ran
    pcapInfo(file: string): PcapFileInfo;
    pcapShow(file: string, count?: number, filter?: string): PcapShowInfo;  // count 0: all; EFILTER for a bad filter
    filterCheck(expr: string): boolean;          // EFILTER when it does not compile
  }
}
