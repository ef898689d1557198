// testpmd's `port reset P|all`: the port is stopped and its queues set up
// again as configured (empty rings, queue states as at set-up); `port start`
// brings it back, as after rte_eth_dev_reset.
import type { CommandSpec } from './spec.js';
import { p, w } from './spec.js';
import { portSel } from './params.js';
import type { StyledLine } from './types.js';
import { L, selectPorts } from './util.js';

export const portReset: CommandSpec[] = [
  {
    tokens: [w('port'), w('reset'), p('port', portSel)],
    help: "Reset a port or all: stopped, its queues set up again empty; 'port start' brings it back.",
    section: 'ports',
    handler: (s, a) => {
      const lines: StyledLine[] = [L('Resetting ports...')];
      const busy = s.ports.forwarding();
      for (const id of selectPorts(s, a.port)) {
        if (busy.has(id)) { lines.push(L(`Please remove port ${id} from forwarding configuration.`, 'warning')); continue; }
        s.ports.reset(id);
      }
      lines.push(L('Done'));
      return { kind: 'message', lines };
    },
  },
];
