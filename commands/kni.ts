// KNI: the exception path between a port and the kernel (a TAP per port).
//   kni create PORT [name IFNAME] [all] | kni destroy PORT | show kni [PORT]
//   kni handler PORT accept|reject|delay MS | clear kni stats PORT
import type { Session } from '../session/session.js';
import type { CommandSpec, ParamType } from './spec.js';
import { choice, p, w } from './spec.js';
import { portId, uint } from './params.js';
import type { CommandResult } from './types.js';
import { L, NONE } from './util.js';
import '../native/netevents.js';

// An interface name (IFNAMSIZ-1 bytes, no '/', ':' or spaces).
export const ifname: ParamType = {
  label: 'ifname',
  help: 'a kernel interface name (1..15 characters, no / : or spaces)',
  parse(word) {
    if (word.length < 1 || word.length > 15 || /[/:\s]/.test(word)) {
      return { ok: false, error: `invalid interface name '${word}': give 1 to 15 characters without '/', ':' or spaces` };
    }
    return { ok: true, value: word };
  },
};

const allWord: ParamType = {
  label: 'all',
  help: "'all': every packet the forwarding engine does not consume goes to the kernel",
  parse(word) { return word === 'all' ? { ok: true, value: true } : { ok: false, error: `expected 'all', got '${word}'` }; },
  complete: () => [{ word: 'all', help: 'every packet the port receives and nothing consumes goes to the kernel' }],
};

function create(s: Session, port: number, name: string, all: boolean): CommandResult {
  const k = s.knis.create(port, name, all);
  return {
    kind: 'message',
    lines: [
      L(`KNI ${k.name} created for port ${port} (if_index ${k.ifIndex}, MAC ${k.mac}, MTU ${k.mtu}${all ? ', all unconsumed packets to the kernel' : ''})`, 'ok'),
      L(`bring it up with 'ip link set ${k.name} up'; link/MTU/MAC changes are requests handled by ringside (handler: accept)`, 'dim'),
    ],
  };
}

export const kni: CommandSpec[] = [
  {
    tokens: [w('kni'), w('create'), p('port', portId), p('all', allWord, true)],
    help: 'Create a KNI (a TAP, vEth<port>_0) bound to the port: packets sent to the kernel go into it, what the kernel sends out of it leaves through the port.',
    section: 'ports',
    handler: (s, a) => create(s, a.port as number, '', a.all === true),
  },
  {
    tokens: [w('kni'), w('create'), p('port', portId), w('name'), p('ifname', ifname), p('all', allWord, true)],
    help: 'Create a KNI with the given interface name.',
    section: 'ports',
    handler: (s, a) => create(s, a.port as number, a.ifname as string, a.all === true),
  },
  {
    tokens: [w('kni'), w('destroy'), p('port', portId)],
    help: "Remove the port's KNI interface.",
    section: 'ports',
    handler: (s, a) => {
      const name = s.knis.destroy(a.port as number);
      return { kind: 'message', lines: [L(`KNI ${name} of port ${a.port as number} removed`)] };
    },
  },
  {
    tokens: [w('kni'), w('handler'), p('port', portId), choice('policy', [
      { word: 'accept', help: 'apply requests to the port (stop, set, start)' },
      { word: 'reject', help: "refuse requests: the interface is put back as it was ('ip' has exited 0 by then)" },
      { word: 'delay', help: 'apply requests after MS milliseconds' },
    ]), p('ms', uint('ms', 'delay in milliseconds', 0, 600_000), true)],
    help: "How the port's KNI requests (link up/down, MTU, MAC from 'ip link set') are handled. A rejected request looks like success to 'ip' (it exits 0, then the change is undone): the shell prints the revert, and 'ip link show IFNAME' shows it as the interface's alias.",
    section: 'ports',
    handler: (s, a) => {
      const policy = a.policy as string;
      if (policy === 'delay' && a.ms === undefined) {
        return { kind: 'error', code: 'EARG_MISSING', message: "missing (ms) after 'delay': e.g. 'kni handler 0 delay 500'" };
      }
      s.knis.setHandler(a.port as number, policy, (a.ms as number | undefined) ?? 0);
      return { kind: 'message', lines: [L(`KNI handler of port ${a.port as number}: ${policy}${policy === 'delay' ? ` ${a.ms as number} ms` : ''}`)] };
    },
  },
  {
    tokens: [w('show'), w('kni'), p('port', portId, true)],
    help: 'Display KNI interfaces: name, state, handler, rx/tx packets, bytes, drops, requests.',
    section: 'display',
    handler: (s, a) => {
      return { kind: 'kniList', knis: s.knis.list(a.port as number | undefined) };
    },
  },
  {
    tokens: [w('clear'), w('kni'), w('stats'), p('port', portId)],
    help: "Clear the port's KNI counters.",
    section: 'display',
    handler: (s, a) => { s.knis.clearStats(a.port as number); return NONE; },
  },
];
