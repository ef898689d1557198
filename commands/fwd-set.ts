// Which ports and lcores forwarding uses, testpmd's way: `set portlist|portmask`,
// `set nbport`, `set corelist|coremask`. The lcores are the EAL's (-l, -c,
// --lcores; without them every CPU the process may use, lcore N on CPU N),
// less the main lcore, which runs the command line.
import os from 'node:os';
import type { Session } from '../session/session.js';
import { fwdPortsOf } from '../session/options.js';
import type { LcoreCpu } from '../session/lcores.js';
import { ListError, parseIdList, parseMask } from '../session/lcores.js';
import type { CommandSpec, ParamType } from './spec.js';
import { p, w } from './spec.js';
import { uint } from './params.js';
import { errorResult } from './results.js';
import type { CommandResult } from './types.js';
import { message } from './util.js';

function listParam(label: string, help: string, parse: (text: string) => number[]): ParamType {
  return {
    label,
    help,
    parse(word) {
      try { return { ok: true, value: parse(word) }; } catch (e) {
        if (e instanceof ListError) return { ok: false, error: e.message };
        throw e;
      }
    },
  };
}

const portList = listParam('x[,y]*', 'port ids, ranges allowed (0-3,5)', (t) => parseIdList(t, 'port'));
const portMask = listParam('mask', 'hexadecimal bitmask of ports (0x3)', (t) => parseMask(t, 'port'));
const coreList = listParam('x[,y]*', 'lcore ids, ranges allowed (1-3)', (t) => parseIdList(t, 'lcore'));
const coreMask = listParam('mask', 'hexadecimal bitmask of lcores (0x6)', (t) => parseMask(t, 'lcore'));

function ealLcores(s: Session): LcoreCpu[] {
  return s.options.lcores ?? Array.from({ length: os.availableParallelism() }, (_, i) => ({ lcore: i, cpu: i }));
}

function setPorts(s: Session, ids: number[]): CommandResult {
  s.fwd.setPorts(ids);
  return message(`Forwarding ports set to ${ids.join(',')} (${ids.length} port${ids.length === 1 ? '' : 's'})`);
}

// testpmd's set_fwd_lcores_list: each an EAL lcore, none the main one.
function setCores(s: Session, ids: number[]): CommandResult {
  const eal = ealLcores(s);
  const map: LcoreCpu[] = [];
  for (const id of ids) {
    const l = eal.find((x) => x.lcore === id);
    if (!l) return errorResult('ELCORE', `lcore ${id} not enabled: the lcores are ${eal.map((x) => x.lcore).join(',')}`, 'give more with -l or --lcores at start-up');
    if (l === eal[0]) {
      return errorResult('ELCORE', `lcore ${id} cannot be masked on for running packet forwarding, which is the main lcore and reserved for command line parsing only`);
    }
    map.push(l);
  }
  s.fwd.setLcores(map);
  s.fwd.setNbCores(map.length);
  return { kind: 'configCores', lcores: map.map((l) => l.lcore) };
}

export const fwdSet: CommandSpec[] = [
  {
    tokens: [w('set'), w('portlist'), p('ports', portList)],
    help: 'Set the list of forwarding ports.',
    section: 'config',
    handler: (s, a) => setPorts(s, a.ports as number[]),
  },
  {
    tokens: [w('set'), w('portmask'), p('mask', portMask)],
    help: 'Set the forwarding ports hexadecimal mask.',
    section: 'config',
    handler: (s, a) => setPorts(s, a.mask as number[]),
  },
  {
    tokens: [w('set'), w('nbport'), p('num', uint('num', 'number of forwarding ports', 1))],
    help: 'Set the number of forwarding ports (the first N of the port list).',
    section: 'config',
    handler: (s, a) => {
      const configured = s.fwd.ports();
      s.fwd.setPorts(fwdPortsOf(configured.length ? configured : s.ports.ids(), a.num as number));
      return message(`Number of forwarding ports set to ${a.num}`);
    },
  },
  {
    tokens: [w('set'), w('corelist'), p('cores', coreList)],
    help: 'Set the list of forwarding cores.',
    section: 'config',
    handler: (s, a) => setCores(s, a.cores as number[]),
  },
  {
    tokens: [w('set'), w('coremask'), p('mask', coreMask)],
    help: 'Set the forwarding cores hexadecimal mask.',
    section: 'config',
    handler: (s, a) => setCores(s, a.mask as number[]),
  },
];
