// Per queue, testpmd's syntax: `port P rxq|txq Q start|stop`,
// `port P rxq|txq Q deferred_start on|off`, `port P rxq|txq Q setup`.
// A stopped queue moves nothing while the rest of the port runs.
import type { CommandSpec, Token } from './spec.js';
import { choice, p, w } from './spec.js';
import { portId, uint } from './params.js';
import { errorResult } from './results.js';
import { message } from './util.js';
import type { QueueDir } from '../native/diag.js';
import '../native/diag.js';
import { LIMITS } from '../native/names.generated.js';

const QUEUE: Token[] = [
  w('port'), p('port', portId),
  choice('queue kind', [{ word: 'rxq', help: 'an rx queue' }, { word: 'txq', help: 'a tx queue' }]),
  p('queue', uint('queue_id', 'queue number', 0, 15)),
];
const dirOf = (kind: unknown): QueueDir => (kind === 'rxq' ? 'rx' : 'tx');
const name = (a: Record<string, unknown>): string => `Port ${a.port as number} ${dirOf(a['queue kind'])} queue ${a.queue as number}`;

export const queues: CommandSpec[] = [
  {
    // rte_eth_tx_done_cleanup: a software tx queue keeps no sent mbufs to free
    // (the driver frees or hands each one on as it sends), so there are none.
    tokens: [w('port'), w('cleanup'), p('port', portId), w('txq'), p('queue', uint('queue_id', 'tx queue number', 0, LIMITS.maxQueues - 1)),
      p('count', uint('free_cnt', 'how many sent mbufs to free at most (0: all)', 0))],
    help: 'Free the mbufs a tx queue keeps after sending them (software queues keep none).',
    section: 'ports',
    handler: (s, a) => {
      s.queues.info(a.port as number, 'tx', a.queue as number);  // the queue must exist
      return message(`Cleanup port ${a.port as number} Tx queue ${a.queue as number} mbuf nums: 0`);
    },
  },
  {
    tokens: [...QUEUE, choice('action', [{ word: 'start', help: 'start the queue' }, { word: 'stop', help: 'stop the queue' }])],
    help: 'Start or stop one rx/tx queue of a started port (forwarding may run).',
    section: 'ports',
    handler: (s, a) => {
      s.queues.setState(a.port as number, dirOf(a['queue kind']), a.queue as number, a.action === 'start');
      return message(`${name(a)} ${a.action === 'start' ? 'started' : 'stopped'}`);
    },
  },
  {
    tokens: [...QUEUE, w('deferred_start'), choice('state', [{ word: 'on', help: 'stay stopped at port start' }, { word: 'off', help: 'start with the port' }])],
    help: 'Keep one rx/tx queue stopped when the port starts, until started by itself (the port must be stopped).',
    section: 'ports',
    handler: (s, a) => {
      s.queues.setDeferred(a.port as number, dirOf(a['queue kind']), a.queue as number, a.state === 'on');
      return message(`${name(a)} deferred start ${a.state as string}`);
    },
  },
  {
    tokens: [...QUEUE, w('setup')],
    help: 'Set up one rx/tx queue again with its configured ring size (the port must be stopped).',
    section: 'ports',
    handler: (s, a) => {
      const id = a.port as number;
      const dir = dirOf(a['queue kind']);
      if (s.ports.info(id).started) return errorResult('EBUSY_STARTED', `Please stop port ${id} first`, `port stop ${id}`);
      const size = s.queues.setUp(id, dir, a.queue as number);
      return message(`${name(a)} set up with ${size} descriptors`);
    },
  },
];
