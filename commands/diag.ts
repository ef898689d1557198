// Rings and pools: `show port N rxq|txq Q info|ring [count K]` (and testpmd's
// `show rxq|txq info N Q`), `show mempool`, `show lcores`. Read-only views,
// allowed while forwarding.
import '../native/diag.js';
import type { QueueDir } from '../native/diag.js';
import type { Session } from '../session/session.js';
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { portId, uint } from './params.js';
import type { LcoresResult, MempoolResult, QueueInfoResult, QueueRingResult } from './results.js';

const DEFAULT_RING_COUNT = 32;
const queueId = uint('queue_id', 'a queue id', 0, 15);
const dirChoice = (name: string, rx: string, tx: string) => choice(name, [
  { word: rx, help: 'a receive queue' },
  { word: tx, help: 'a transmit queue' },
]);
const dirOf = (word: unknown): QueueDir => (String(word).startsWith('rx') ? 'rx' : 'tx');

function queueInfo(s: Session, port: number, dir: QueueDir, queue: number): QueueInfoResult {
  return { kind: 'queueInfo', pool: s.queues.mempool().name, info: s.queues.info(port, dir, queue) };
}

function queueRing(s: Session, port: number, dir: QueueDir, queue: number, count: number): QueueRingResult {
  const info = s.queues.info(port, dir, queue);
  return { kind: 'queueRing', info, count, descriptors: s.queues.ring(port, dir, queue, count) };
}

export const diag: CommandSpec[] = [
  {
    tokens: [w('show'), w('port'), p('port', portId), dirChoice('dir', 'rxq', 'txq'), p('queue', queueId), w('info')],
    help: 'Show a queue: its kind (in-memory ring, TPACKET_V3 blocks, AF_XDP rx/tx + fill/completion, TAP fd, pcap, null), '
      + 'ring size, producer and consumer indices, occupancy, high-water mark, packets, bytes, empty polls, full drops.',
    section: 'display',
    handler: (s, a) => queueInfo(s, a.port as number, dirOf(a.dir), a.queue as number),
  },
  {
    tokens: [w('show'), dirChoice('dir', 'rxq', 'txq'), w('info'), p('port', portId), p('queue', queueId)],
    help: "testpmd's form of 'show port N rxq|txq Q info'.",
    section: 'display',
    handler: (s, a) => queueInfo(s, a.port as number, dirOf(a.dir), a.queue as number),
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), dirChoice('dir', 'rxq', 'txq'), p('queue', queueId), w('ring')],
    help: `Show the descriptors of a queue between consumer and producer (up to ${DEFAULT_RING_COUNT}): AF_XDP UMEM `
      + 'address/length/options, TPACKET block status and packet count, or the mbuf each in-memory ring slot holds.',
    section: 'display',
    handler: (s, a) => queueRing(s, a.port as number, dirOf(a.dir), a.queue as number, DEFAULT_RING_COUNT),
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), dirChoice('dir', 'rxq', 'txq'), p('queue', queueId), w('ring'), w('count'),
      p('count', uint('count', 'descriptors to show per ring', 1, 4096))],
    help: 'Show up to COUNT descriptors of each ring of a queue.',
    section: 'display',
    handler: (s, a) => queueRing(s, a.port as number, dirOf(a.dir), a.queue as number, a.count as number),
  },
  {
    tokens: [w('show'), w('mempool')],
    help: 'Show the mbuf pool: size, in use, free, per-lcore cache occupancy, allocation failures, and (when not '
      + 'forwarding) which queue or stream holds the mbufs in use.',
    section: 'display',
    handler: (s): MempoolResult => ({ kind: 'mempool', pool: s.queues.mempool() }),
  },
  {
    tokens: [w('show'), w('lcores')],
    help: 'Show each poll thread: its streams, busy vs idle share of its polling time, and busy bursts per second.',
    section: 'display',
    handler: (s): LcoresResult => ({ kind: 'lcores', lcores: s.queues.lcoreLoads() }),
  },
];
