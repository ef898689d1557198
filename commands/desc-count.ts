// testpmd's `show port P rxq Q desc used count`: the packets waiting in the rx
// queue's ring (rte_eth_rx_queue_count), where the port has one.
import type { CommandSpec } from './spec.js';
import { p, w } from './spec.js';
import { portId, uint } from './params.js';
import { message } from './util.js';
import { errorResult } from './results.js';

export const descCount: CommandSpec[] = [
  {
    tokens: [w('show'), w('port'), p('port', portId), w('rxq'), p('queue', uint('queue', 'rx queue id', 0, 65535)), w('desc'), w('used'), w('count')],
    help: 'Show how many packets wait in an rx queue\'s ring.',
    section: 'display',
    handler: (s, a) => {
      const info = s.queues.info(a.port as number, 'rx', a.queue as number);
      const ring = info.rings.find((r) => r.name === 'ring' || r.name === 'rx') ?? info.rings[0];
      if (!ring) return errorResult('ENOTSUP_DESC', `port ${a.port} rx queue ${a.queue} has no descriptor ring to count (${info.kind})`);
      return message(`Used desc count = ${ring.occupancy}`);
    },
  },
];
