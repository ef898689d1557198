// Configuration: forwarding mode, cores, burst, txpkts, peers, promisc, link, MAC, verbose.
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { fwdModeChoices, mac, numList, portId, portSel, uint } from './params.js';
import { NONE, message, selectPorts } from './util.js';

const ON_OFF = [{ word: 'on', help: 'enable' }, { word: 'off', help: 'disable' }];

export const config: CommandSpec[] = [
  {
    tokens: [w('set'), w('fwd'), choice('forwarding mode', fwdModeChoices)],
    help: 'Set packet forwarding mode.',
    section: 'config',
    handler: (s, a) => {
      s.engine.setFwdMode(a['forwarding mode'] as string);
      return message(`Set ${s.engine.fwdMode()} packet forwarding mode`);
    },
  },
  {
    tokens: [w('set'), w('nbcore'), p('num', uint('nb_cores', 'number of forwarding cores', 1))],
    help: 'Set number of cores.',
    section: 'config',
    handler: (s, a) => {
      s.engine.setNbCores(a.num as number);
      return message(`Number of forwarding cores set to ${s.engine.nbCores()}`);
    },
  },
  {
    tokens: [w('set'), w('burst'), p('num', uint('burst', 'number of packets per burst', 1))],
    help: 'Set number of packets per burst.',
    section: 'config',
    handler: (s, a) => {
      s.engine.setBurst(a.num as number);
      return message(`Number of packets per burst set to ${s.engine.burst()}`);
    },
  },
  {
    tokens: [w('set'), w('txpkts'), p('lengths', numList('x[,y]*', 'segment lengths in bytes', 1, 65535))],
    help: 'Set the length of each segment of TXONLY and FLOWGEN packets.',
    section: 'config',
    handler: (s, a) => { s.engine.setTxpkts(a.lengths as number[]); return NONE; },
  },
  {
    tokens: [w('set'), w('eth-peer'), p('port', portId), p('mac', mac)],
    help: 'Set the peer address for certain port.',
    section: 'config',
    handler: (s, a) => { s.engine.setEthPeer(a.port as number, a.mac as string); return NONE; },
  },
  {
    tokens: [w('set'), w('promisc'), p('port', portSel), choice('state', ON_OFF)],
    help: 'Set the promiscuous mode on port_id, or all.',
    section: 'config',
    handler: (s, a) => {
      for (const id of selectPorts(s, a.port)) s.engine.portSetPromiscuous(id, a.state === 'on');
      return NONE;
    },
  },
  {
    tokens: [w('set'), w('link-up'), w('port'), p('port', portId)],
    help: 'Set link up for a port.',
    section: 'config',
    handler: (s, a) => { s.engine.portSetLink(a.port as number, true); return NONE; },
  },
  {
    tokens: [w('set'), w('link-down'), w('port'), p('port', portId)],
    help: 'Set link down for a port.',
    section: 'config',
    handler: (s, a) => { s.engine.portSetLink(a.port as number, false); return NONE; },
  },
  {
    tokens: [w('mac_addr'), w('set'), p('port', portId), p('mac', mac)],
    help: 'Set the default MAC address for port_id.',
    section: 'config',
    handler: (s, a) => { s.engine.portSetMac(a.port as number, a.mac as string); return NONE; },
  },
  {
    tokens: [w('set'), w('verbose'), p('level', uint('level', 'verbosity: 0 quiet, 1 show received packets, 2 show sent ones too', 0, 2))],
    help: 'Set the debug verbosity level.',
    section: 'config',
    handler: (s, a) => {
      const before = s.verbose;
      s.verbose = a.level as number;
      return message(`Change verbose level from ${before} to ${s.verbose}`);
    },
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
      s.engine.setTopology(a.topology as 'paired' | 'chained' | 'loop');
      return message(`Port topology set to ${s.engine.topology()}`);
    },
  },
];
