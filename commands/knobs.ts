// testpmd's remaining knobs: `set default`, `set log`, `set xstats-hide-zero`,
// `set record-core-cycles`, `set txsplit`,
// `set flush_rx`, `port config all burst`, and the `dump_*` commands. Where
// ringside does the work it does it; where a knob has nothing to act on in
// software, it is accepted and the answer says what applies instead.
import type { Session } from '../session/session.js';
import { perSession } from './per-session.js';
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { rest, uint, ON_OFF } from './params.js';
import type { MempoolResult } from './results.js';
import { message } from './util.js';
import '../native/diag.js';

export interface Knobs { xstatsHideZero: boolean }
export const knobsOf = perSession<Knobs>(() => ({ xstatsHideZero: false }));


// testpmd's set_def_fwd_config: every port forwards again, the lcores are the
// EAL's, the peers 02:00:00:00:00:0N.
function setDefault(s: Session) {
  s.fwd.setPorts([]);
  s.fwd.setLcores((s.options.lcores ?? []).slice(1));
  for (const id of s.ports.ids()) s.fwd.setEthPeer(id, `02:00:00:00:00:${id.toString(16).padStart(2, '0')}`);
  return message('Reset to default forwarding configuration...');
}

export const knobs: CommandSpec[] = [
  {
    tokens: [w('set'), w('default')],
    help: 'Set the default forwarding configuration: every port, the EAL lcores, default peers.',
    section: 'config',
    handler: (s) => setDefault(s),
  },
  {
    tokens: [w('set'), w('log'), p('type', rest('global|TYPE LEVEL', 'a log type and level'))],
    help: "Set the log level of a DPDK log type (ringside has no EAL log: 'set verbose' shows packets).",
    section: 'config',
    handler: () => message("ringside has no EAL log to set: 'set verbose 1..5' shows the packets, errors always print"),
  },
  {
    tokens: [w('set'), w('xstats-hide-zero'), choice('state', ON_OFF)],
    help: 'Hide or show zero values in show port xstats.',
    section: 'config',
    handler: (s, a) => {
      knobsOf(s).xstatsHideZero = a.state === 'on';
      return message(`Zero values in show port xstats ${a.state === 'on' ? 'hidden' : 'shown'}`);
    },
  },
  {
    tokens: [w('set'), w('record-core-cycles'), choice('state', ON_OFF)],
    help: 'Record the cycles of the bursts that moved packets from the next start: stop and show fwd stats all show CPU cycles/packet.',
    section: 'config',
    handler: (s, a) => {
      s.fwd.setRecordCoreCycles(a.state === 'on');
      return message(`Forwarding cycles ${a.state === 'on' ? 'recorded from the next start' : 'not recorded'}`);
    },
  },
  {
    tokens: [w('set'), w('txsplit'), choice('mode', [
      { word: 'off', help: 'no split' }, { word: 'on', help: 'split by txpkts' }, { word: 'rand', help: 'random split' },
    ])],
    help: 'Split TXONLY packets into segments (ringside sends each packet in one mbuf).',
    section: 'config',
    handler: (_s, a) => message(a.mode === 'off' ? 'Tx packets are not split' : 'ringside sends each generated packet in one mbuf: set txpkts sets the total length'),
  },
  {
    tokens: [w('set'), w('flush_rx'), choice('state', ON_OFF)],
    help: 'Flush rx queues before forwarding (ringside empties the rings at stop, so each start begins empty).',
    section: 'config',
    handler: () => message('ringside returns what the rings hold to the pool when forwarding stops: each start begins with empty rx queues'),
  },
  {
    tokens: [w('set'), w('port'), w('setup'), w('on'), choice('mode', [
      { word: 'iterator', help: 'set up new ports found by iterating' }, { word: 'event', help: 'set up new ports on a hot-plug event' },
    ])],
    help: "How new ports are set up (ringside sets up each port at 'port attach').",
    section: 'config',
    handler: () => message("ringside sets up each new port when 'port attach' adds it: there is no hot-plug event to wait for"),
  },
  {
    tokens: [w('port'), w('config'), w('all'), w('burst'), p('num', uint('burst', 'number of packets per burst', 1))],
    help: 'Set the number of packets per burst (as set burst).',
    section: 'ports',
    handler: (s, a) => {
      s.fwd.setBurst(a.num as number);
      return message(`Number of packets per burst set to ${s.fwd.burst()}`);
    },
  },
  {
    tokens: [w('dump_mempool')],
    help: 'Dump the mbuf pool (as show mempool).',
    section: 'display',
    handler: (s): MempoolResult => ({ kind: 'mempool', pool: s.queues.mempool() }),
  },
  {
    tokens: [w('dump_ring')],
    help: 'Dump the rings: name, entries in use and size of each.',
    section: 'display',
    handler: (s) => message(...s.queues.occupancy().map((r) => `ring <${r.name}>: used=${r.used} size=${r.size}`)),
  },
  {
    tokens: [w('dump_devargs')],
    help: 'Dump the device arguments of every port.',
    section: 'display',
    handler: (s) => message(...s.ports.ids().map((id) => {
      const info = s.ports.info(id);
      return `vdev ${info.name}: ${info.devargs.slice(info.name.length + 1) || '(no arguments)'}`;
    })),
  },
];
