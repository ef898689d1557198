// Receive addresses, as testpmd: `set allmulti`, `mac_addr add|remove`,
// `mcast_addr add|remove`, `show port P macs|mcast_macs`. With promiscuous
// mode off a port receives only what these admit (native/engine/rx_filter.h);
// kernel-facing ports also ask the interface for them while started.
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { mac, portId, portSel, ON_OFF } from './params.js';
import { NONE, message, selectPorts } from './util.js';

const ADD_REMOVE = [{ word: 'add', help: 'add the address' }, { word: 'remove', help: 'remove the address' }];

export const rxAddr: CommandSpec[] = [
  {
    tokens: [w('set'), w('allmulti'), p('port', portSel), choice('state', ON_OFF)],
    help: 'Set the allmulti mode on port_id, or all: with promiscuous mode off, receive every multicast frame.',
    section: 'config',
    handler: (s, a) => {
      for (const id of selectPorts(s, a.port)) s.ports.setAllmulti(id, a.state === 'on');
      return NONE;
    },
  },
  {
    tokens: [w('mac_addr'), choice('op', ADD_REMOVE), p('port', portId), p('mac', mac)],
    help: 'Add/Remove a MAC address on port_id: with promiscuous mode off, the port also receives frames sent to it.',
    section: 'config',
    handler: (s, a) => { s.ports.rxAddr(a.port as number, a.mac as string, false, a.op === 'add'); return NONE; },
  },
  {
    tokens: [w('mcast_addr'), choice('op', ADD_REMOVE), p('port', portId), p('mac', mac)],
    help: 'Add/Remove a multicast MAC address on port_id: with promiscuous mode off, the port receives that group.',
    section: 'config',
    handler: (s, a) => { s.ports.rxAddr(a.port as number, a.mac as string, true, a.op === 'add'); return NONE; },
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), w('macs')],
    help: 'Display the list of added MAC addresses (the default first).',
    section: 'display',
    handler: (s, a) => {
      const info = s.ports.info(a.port as number);
      const all = [info.mac, ...info.addedMacs];
      return message(`Number of MAC address added: ${all.length}`, ...all.map((m) => `  ${m.toUpperCase()}`));
    },
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), w('mcast_macs')],
    help: 'Display the list of added multicast MAC addresses.',
    section: 'display',
    handler: (s, a) => {
      const info = s.ports.info(a.port as number);
      return message(`Number of Multicast MAC address added: ${info.mcastMacs.length}`, ...info.mcastMacs.map((m) => `  ${m.toUpperCase()}`));
    },
  },
];
