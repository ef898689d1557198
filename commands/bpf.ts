// testpmd's `bpf-load` and `bpf-unload`: DPDK runs eBPF programs on queues in
// software (librte_bpf); ringside has no eBPF interpreter, so both are refused
// with that reason rather than as NIC features.
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { portId, rest, uint } from './params.js';
import { errorResult } from './results.js';

const DIR = choice('direction', [{ word: 'rx', help: 'an rx queue' }, { word: 'tx', help: 'a tx queue' }]);
const QUEUE = p('queue', uint('queue', 'queue id', 0, 65535));
const WHY = "ringside has no eBPF interpreter for queue callbacks (testpmd runs them with librte_bpf); 'set verbose N filter EXPR' and 'capture start ... filter EXPR' filter with pcap expressions";

export const bpf: CommandSpec[] = [
  {
    tokens: [w('bpf-load'), DIR, p('port', portId), QUEUE, p('args', rest('FLAGS FILE', 'load flags and the eBPF object file'))],
    help: 'Load an eBPF program on a queue (not supported: no eBPF interpreter).',
    section: 'config',
    handler: () => errorResult('ENOTSUP_SW', `not supported: ${WHY}`),
  },
  {
    tokens: [w('bpf-unload'), DIR, p('port', portId), QUEUE],
    help: 'Unload an eBPF program from a queue (not supported: no eBPF interpreter).',
    section: 'config',
    handler: () => errorResult('ENOTSUP_SW', `not supported: ${WHY}`),
  },
];
