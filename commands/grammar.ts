// The one command table: parsing, help, completion, '?' and "did you mean"
// all come from it. Importing it needs no addon: forwarding modes and drivers
// are read through the session only when a line is parsed or completed.
import type { CommandSpec } from './spec.js';
import { control } from './control.js';
import { display } from './display.js';
import { config } from './config.js';
import { ports } from './ports.js';
import { shellcmds } from './shellcmds.js';
import { scenario } from './scenario.js';
import { kni } from './kni.js';
import { ifproxy } from './ifproxy.js';
import { gen } from './gen.js';
import { flow } from './flow.js';
import { capture } from './capture.js';
import { diag } from './diag.js';
import { fwdSet } from './fwd-set.js';
import { queues } from './queues.js';
import { showPort } from './show-port.js';
import { knobs } from './knobs.js';
import { csum } from './csum.js';
import { rxAddr } from './rx-addr.js';
import { nicOnly } from './nic-only.js';
import { helpCommand } from './help.js';
import { portReset } from './port-reset.js';
import { burstStats } from './burst-stats.js';
import { descCount } from './desc-count.js';
import { showSplit } from './show-split.js';
import { groGso } from './gro-gso.js';
import { bpf } from './bpf.js';

export const TABLE: readonly CommandSpec[] = Object.freeze([...control, helpCommand(() => TABLE), ...display, ...descCount, ...showSplit, ...showPort, ...config, ...rxAddr, ...fwdSet, ...ports, ...portReset, ...queues, ...knobs, ...burstStats, ...groGso, ...bpf, ...csum, ...shellcmds, ...scenario, ...kni, ...ifproxy, ...gen, ...flow, ...capture, ...diag, ...nicOnly]);

export { SECTIONS } from './help.js';
