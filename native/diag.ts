// The Engine methods of native/binding/diag.cpp (queue info and descriptor
// dumps, the mempool report, poll-thread load, ring occupancy), added to
// NativeEngine by declaration merging so addon.ts stays as it is.
export type QueueDir = 'rx' | 'tx';
export interface RingStateInfo {
  name: string;              // ring, rx, fill, tx, completion, blocks, frames
  size: number; producer: number; consumer: number; occupancy: number;
  tracksHighWater: boolean; highWaterSampled: boolean; highWater: number;
}
export interface QueueInfo {
  port: number; dir: QueueDir; queue: number;
  kind: string;              // "in-memory ring, ...", "AF_XDP rx + fill rings ...", ...
  rings: RingStateInfo[];
  packets: number; bytes: number; errors: number;
  emptyPolls: number;        // rx bursts that returned nothing
  full: number;              // tx packets the driver refused (ring full)
  nbDesc: number;            // descriptors asked for (rxd/txd, ring_size); 0 = the driver's default
  started: boolean;          // the port and the queue are started
  deferredStart: boolean;    // the queue stays stopped at port start until started by itself
}
export interface DescriptorInfo { ring: string; index: number; fields: Record<string, string> }
export interface MempoolInfo {
  name: string; size: number; available: number; inUse: number; allocFailures: number;
  caches: { lcore: number; mbufs: number }[];
  holdersKnown: boolean;     // false while forwarding or replaying (holders need quiet rings)
  holders: { name: string; mbufs: number; inRing: boolean }[];
}
export interface LcoreLoadInfo {
  lcore: number; cpu: number; streams: number[];
  busyCycles: number; idleCycles: number; busyPolls: number; idlePolls: number;
  seconds: number;           // run time so far, or of the last run
}
export interface RingOccupancy { name: string; used: number; size: number }

declare module './addon.js' {
  interface NativeEngine {
    portQueueInfo(port: number, dir: QueueDir, queue: number): QueueInfo;
    // queue -1: every queue. The port stopped; net_ring resizes its rx rings.
    portSetNbDesc(port: number, dir: QueueDir, queue: number, descriptors: number): void;
    portQueueState(port: number, dir: QueueDir, queue: number, start: boolean): void;  // the port started
    portQueueDeferred(port: number, dir: QueueDir, queue: number, on: boolean): void;  // the port stopped
    portQueueRing(port: number, dir: QueueDir, queue: number, count: number): DescriptorInfo[];
    mempool(): MempoolInfo;
    lcoreLoads(): LcoreLoadInfo[];
    ringOccupancy(): RingOccupancy[];
    testOnlyLeakMbufs(n: number): void;  // TEST-ONLY fault hook: the next start leaks n received mbufs
  }
}
