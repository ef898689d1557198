// Queues, rings, the mempool and the poll threads of a session as the
// diagnostic commands see them: a moment's view, read without stopping anything.
import type { NativeEngine } from '../native/addon.js';
import type { DescriptorInfo, LcoreLoadInfo, MempoolInfo, QueueDir, QueueInfo, RingOccupancy } from '../native/diag.js';
import '../native/diag.js';

export class Queues {
  constructor(private readonly engine: NativeEngine) {}

  // ENOQUEUE (with what exists) when the queue does not.
  info(port: number, dir: QueueDir, queue: number): QueueInfo { return this.engine.portQueueInfo(port, dir, queue); }
  ring(port: number, dir: QueueDir, queue: number, count: number): DescriptorInfo[] { return this.engine.portQueueRing(port, dir, queue, count); }
  // Start or stop one queue of a started port.
  setState(port: number, dir: QueueDir, queue: number, start: boolean): void { this.engine.portQueueState(port, dir, queue, start); }
  setDeferred(port: number, dir: QueueDir, queue: number, on: boolean): void { this.engine.portQueueDeferred(port, dir, queue, on); }
  // Sets the queue up again with its configured ring size; returns the size it has now.
  setUp(port: number, dir: QueueDir, queue: number): number {
    const info = this.info(port, dir, queue);
    this.engine.portSetNbDesc(port, dir, queue, info.nbDesc);
    return this.info(port, dir, queue).rings[0]?.size ?? info.nbDesc;
  }

  mempool(): MempoolInfo { return this.engine.mempool(); }
  occupancy(): RingOccupancy[] { return this.engine.ringOccupancy(); }
  lcoreLoads(): LcoreLoadInfo[] { return this.engine.lcoreLoads(); }
}
