// testpmd's GRO and GSO commands. testpmd merges and segments TCP packets in
// software (librte_gro, librte_gso) in its csum engine; ringside's csum engine
// forwards each packet as received, so enabling either is refused with that
// reason, and `show port P gro|gso` says what applies: not enabled.
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { portId, uint, ON_OFF } from './params.js';
import { message } from './util.js';
import { errorResult } from './results.js';

const NO_GRO = 'ringside has no software GRO: its csum engine forwards each TCP segment as received (testpmd merges them with librte_gro)';
const NO_GSO = 'ringside has no software GSO: its csum engine sends each packet as received (testpmd segments them with librte_gso)';

const refuse = (why: string) => errorResult('ENOTSUP_SW', `not supported: ${why}`);

export const groGso: CommandSpec[] = [
  {
    tokens: [w('set'), w('port'), p('port', portId), w('gro'), choice('state', ON_OFF)],
    help: 'Enable GRO on a port (not supported: no software GRO).',
    section: 'config',
    handler: (_s, a) => (a.state === 'off' ? message(`Port ${a.port} doesn't enable GRO.`) : refuse(NO_GRO)),
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), w('gro')],
    help: 'Show the GRO configuration of a port.',
    section: 'display',
    handler: (_s, a) => message(`Port ${a.port} doesn't enable GRO.`),
  },
  {
    tokens: [w('set'), w('gro'), w('flush'), p('cycles', uint('cycles', 'polls between GRO flushes', 1))],
    help: 'Set how often GRO flushes merged packets (not supported: no software GRO).',
    section: 'config',
    handler: () => refuse(NO_GRO),
  },
  {
    tokens: [w('set'), w('port'), p('port', portId), w('gso'), choice('state', ON_OFF)],
    help: 'Enable GSO on a port (not supported: no software GSO).',
    section: 'config',
    handler: (_s, a) => (a.state === 'off' ? message(`GSO is not enabled on Port ${a.port}`) : refuse(NO_GSO)),
  },
  {
    tokens: [w('set'), w('gso'), w('segsz'), p('length', uint('length', 'maximum segment size', 1, 65535))],
    help: 'Set the GSO segment size (not supported: no software GSO).',
    section: 'config',
    handler: () => refuse(NO_GSO),
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), w('gso')],
    help: 'Show the GSO configuration of a port.',
    section: 'display',
    handler: (_s, a) => message(`GSO is not enabled on Port ${a.port}`),
  },
];
