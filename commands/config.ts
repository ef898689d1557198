// Configuration: forwarding mode, cores, burst, txpkts, peers, promisc, link, MAC, verbose.
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { fwdModeChoices, mac, numList, portId, portSel, uint, ON_OFF } from './params.js';
import { NONE, message, selectPorts } from './util.js';
import { keywords } from './keywords.js';
import type { Topology } from '../session/forwarding.js';
import type { Session } from '../session/session.js';
import type { CommandResult } from './types.js';
import { errorResult } from './results.js';

const VERBOSE_OPTIONS = keywords({
  help: 'only this port; only packets matching EXPR (capture filter syntax, e.g. udp port 4789)',
  rows: [
    { word: 'port', help: 'port N: only this port', value: { ...portId, label: 'N', what: 'port id' } },
    { word: 'filter', help: 'filter EXPR: the rest of the line, e.g. udp port 4789', rest: { label: 'EXPR', example: 'filter udp port 4789' } },
  ],
});

function setVerbose(s: Session, level: number, options: Record<string, unknown> = {}): CommandResult {
  const port = options.port as number | undefined;
  const filter = (options.filter as string | undefined) ?? '';
  const { before, info } = s.verbose.set(level, port, filter);
  const scope = level > 0 && (port !== undefined || filter)
    ? [`Verbose packets of ${info.ports.length === 1 ? `port ${info.ports[0]}` : `ports ${info.ports.join(',')}`}${filter ? ` matching '${filter}'` : ''}`]
    : [];
  return message(`Change verbose level from ${before} to ${level}`, ...scope);
}

export const config: CommandSpec[] = [
  {
    tokens: [w('set'), w('fwd'), choice('forwarding mode', fwdModeChoices)],
    help: 'Set packet forwarding mode.',
    section: 'config',
    handler: (s, a) => {
      s.fwd.setMode(a['forwarding mode'] as string, false);
      return message(`Set ${s.fwd.mode()} packet forwarding mode`);
    },
  },
  {
    tokens: [w('set'), w('fwd'), choice('forwarding mode', fwdModeChoices), w('retry')],
    help: 'Set packet forwarding mode with tx retry: a burst the port does not take whole is offered again (set burst tx delay).',
    section: 'config',
    handler: (s, a) => {
      s.fwd.setMode(a['forwarding mode'] as string, true);
      return message(`Set ${s.fwd.mode()} packet forwarding mode with retry`);
    },
  },
  {
    tokens: [w('set'), w('burst'), w('tx'), w('delay'), p('delay', uint('delay', 'microseconds between tries', 0, 1_000_000)),
      w('retry'), p('tries', uint('num', 'tries before the rest is dropped', 0, 1_000_000))],
    help: 'Set the delay between tx retries and their number (for set fwd MODE retry).',
    section: 'config',
    handler: (s, a) => {
      s.fwd.setBurstTxRetry(a.delay as number, a.tries as number);
      return message(`TX retry num: ${a.tries as number}, delay between TX retries: ${a.delay as number}us`);
    },
  },
  {
    tokens: [w('set'), w('nbcore'), p('num', uint('nb_cores', 'number of forwarding cores', 1))],
    help: 'Set number of cores.',
    section: 'config',
    handler: (s, a) => {
      s.fwd.setNbCores(a.num as number);
      return message(`Number of forwarding cores set to ${s.fwd.nbCores()}`);
    },
  },
  {
    tokens: [w('set'), w('burst'), p('num', uint('burst', 'number of packets per burst', 1))],
    help: 'Set number of packets per burst.',
    section: 'config',
    handler: (s, a) => {
      s.fwd.setBurst(a.num as number);
      return message(`Number of packets per burst set to ${s.fwd.burst()}`);
    },
  },
  {
    tokens: [w('set'), w('txpkts'), p('lengths', numList('x[,y]*', 'segment lengths in bytes', 1, 65535))],
    help: 'Set the length of each segment of TXONLY and FLOWGEN packets.',
    section: 'config',
    handler: (s, a) => {
      // testpmd prints nothing here; one line says what took effect.
      s.fwd.setTxpkts(a.lengths as number[]);
      const segs = s.fwd.txpkts();
      return message(`Tx packet length set to ${segs.reduce((x, y) => x + y, 0)} - nb packet segments=${segs.length}`);
    },
  },
  {
    tokens: [w('set'), w('eth-peer'), p('port', portId), p('mac', mac)],
    help: 'Set the peer address for certain port.',
    section: 'config',
    handler: (s, a) => {
      // testpmd: "Please stop forwarding first" while running; silent otherwise, so one line confirms.
      if (s.fwd.running()) return errorResult('EBUSY_FORWARDING', 'Please stop forwarding first', "run 'stop', then set the peer");
      s.fwd.setEthPeer(a.port as number, a.mac as string);
      return message(`Peer of port ${a.port} set to ${s.fwd.ethPeer(a.port as number).toUpperCase()}`);
    },
  },
  {
    tokens: [w('set'), w('promisc'), p('port', portSel), choice('state', ON_OFF)],
    help: 'Set the promiscuous mode on port_id, or all.',
    section: 'config',
    handler: (s, a) => {
      for (const id of selectPorts(s, a.port)) s.ports.setPromiscuous(id, a.state === 'on');
      return NONE;
    },
  },
  {
    tokens: [w('set'), w('link-up'), w('port'), p('port', portId)],
    help: 'Set link up for a port.',
    section: 'config',
    handler: (s, a) => { s.ports.setLink(a.port as number, true); return NONE; },
  },
  {
    tokens: [w('set'), w('link-down'), w('port'), p('port', portId)],
    help: 'Set link down for a port.',
    section: 'config',
    handler: (s, a) => { s.ports.setLink(a.port as number, false); return NONE; },
  },
  {
    tokens: [w('mac_addr'), w('set'), p('port', portId), p('mac', mac)],
    help: 'Set the default MAC address for port_id.',
    section: 'config',
    handler: (s, a) => { s.ports.setMac(a.port as number, a.mac as string); return NONE; },
  },
  {
    tokens: [w('set'), w('verbose'), p('level', uint('level', 'verbosity: 0 quiet, 1 received packets, 2 sent, 3 both (testpmd\'s dump), 4 one decoded line each, 5 with a hex dump', 0, 5)),
      p('options', VERBOSE_OPTIONS, true)],
    help: 'Set the debug verbosity level: 1 received packets, 2 sent, 3 both (testpmd\'s dump), 4 one decoded line per packet, 5 that and a hex dump; optionally one port and a capture filter. Forwarding never waits for the display: lines it cannot keep up with are counted as suppressed.',
    section: 'config',
    handler: (s, a) => setVerbose(s, a.level as number, a.options as Record<string, unknown> | undefined),
  },
  {
    tokens: [w('set'), w('port-topology'), choice('topology', [
      { word: 'paired', help: 'ports 0<->1, 2<->3, ...' },
      { word: 'chained', help: 'port N sends to port N+1, the last to the first' },
      { word: 'loop', help: 'each port sends back to itself' },
    ])],
    help: 'Set how forwarding pairs ports (as --port-topology); used at the next start.',
    section: 'config',
    handler: (s, a) => {
      s.fwd.setTopology(a.topology as Topology);
      return message(`Port topology set to ${s.fwd.topology()}`);
    },
  },
];
