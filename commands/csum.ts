// testpmd's checksum commands for the csum forwarding mode: `csum set
// ip|udp|tcp|sctp|outer-ip|outer-udp hw|sw P`, `csum show P`, `csum
// parse-tunnel on|off P`. ringside's ports have no checksum offload: `hw` is
// refused as testpmd refuses it on a port without the capability, and the
// csum engine checks and fixes every checksum in software.
import type { Session } from '../session/session.js';
import { perSession } from './per-session.js';
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { portId } from './params.js';
import type { CommandResult } from './types.js';
import { L } from './util.js';

const PROTOS = [
  { word: 'ip', name: 'IP' }, { word: 'udp', name: 'UDP' }, { word: 'tcp', name: 'TCP' },
  { word: 'sctp', name: 'SCTP' }, { word: 'outer-ip', name: 'Outer-Ip' }, { word: 'outer-udp', name: 'Outer-Udp' },
];
// Per port: parse-tunnel (accepted; ringside checks the outer headers only).
const tunnelOf = perSession<Map<number, boolean>>(() => new Map());

function show(s: Session, port: number, first: string[] = []): CommandResult {
  s.ports.info(port);
  return { kind: 'message', lines: [...first.map((t) => L(t, 'warning')),
    L(`Parse tunnel is ${tunnelOf(s).get(port) ? 'on' : 'off'}`),
    ...PROTOS.map((x) => L(`${x.name} checksum offload is sw`))] };
}

export const csum: CommandSpec[] = [
  {
    tokens: [w('csum'), w('set'), choice('protocol', PROTOS.map((x) => ({ word: x.word, help: `${x.name} checksum` }))),
      choice('where', [{ word: 'hw', help: 'by the NIC (software ports have none)' }, { word: 'sw', help: 'in software' }]), p('port', portId)],
    help: 'Choose hardware or software checksum for the csum forwarding mode (software ports: sw).',
    section: 'config',
    handler: (s, a) => {
      const name = PROTOS.find((x) => x.word === a.protocol)!.name;
      const refused = a.where === 'hw' ? [`${name} checksum offload is not supported by port ${a.port as number}`] : [];
      return show(s, a.port as number, refused);
    },
  },
  {
    tokens: [w('csum'), w('parse-tunnel'), choice('state', [{ word: 'on', help: 'parse tunnels' }, { word: 'off', help: 'do not' }]), p('port', portId)],
    help: 'Parse tunnel headers in the csum forwarding mode (ringside checks the outer headers).',
    section: 'config',
    handler: (s, a) => {
      tunnelOf(s).set(a.port as number, a.state === 'on');
      return show(s, a.port as number);
    },
  },
  {
    tokens: [w('csum'), w('show'), p('port', portId)],
    help: 'Display the checksum configuration of a port for the csum forwarding mode.',
    section: 'config',
    handler: (s, a) => show(s, a.port as number),
  },
];
