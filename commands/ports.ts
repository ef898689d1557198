// Port operations: start/stop/close, attach/detach, queues, MTU, IP.
import type { Session } from '../session/session.js';
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { cidr, devargs, portId, portSel, uint } from './params.js';
import type { CommandResult, StyledLine } from './types.js';
import { L, NONE, selectPorts } from './util.js';
import { eventsOf, isMemif } from '../session/events.js';

function startPorts(s: Session, sel: unknown): CommandResult {
  const lines: StyledLine[] = [];
  for (const id of selectPorts(s, sel)) {
    if (s.engine.portInfo(id).started) {
      if (sel !== 'all') lines.push(L(`Port ${id} is already started`, 'warning'));
      continue;
    }
    lines.push(L(`Configuring Port ${id} (socket 0)`));
    s.engine.portStart(id);
    lines.push(L(`Port ${id}: ${s.engine.portInfo(id).mac.toUpperCase()}`));
  }
  lines.push(L('Checking link statuses...'), L('Done'));
  return { kind: 'message', lines };
}

function stopPorts(s: Session, sel: unknown): CommandResult {
  const lines: StyledLine[] = [L('Stopping ports...')];
  for (const id of selectPorts(s, sel)) {
    if (s.engine.portInfo(id).started) s.engine.portStop(id);
    else if (sel !== 'all') lines.push(L(`Port ${id} is already stopped`, 'warning'));
  }
  lines.push(L('Checking link statuses...'), L('Done'));
  return { kind: 'message', lines };
}

function closePorts(s: Session, sel: unknown): CommandResult {
  const lines: StyledLine[] = [L('Closing ports...')];
  for (const id of selectPorts(s, sel)) {
    if (s.engine.portInfo(id).closed) { if (sel !== 'all') lines.push(L(`Port ${id} is already closed`, 'warning')); continue; }
    s.engine.portClose(id);
    lines.push(L(`Port ${id} is closed`));
  }
  lines.push(L('Done'));
  return { kind: 'message', lines };
}

export const ports: CommandSpec[] = [
  {
    tokens: [w('port'), w('start'), p('port', portSel)],
    help: 'Start all ports or port_id.',
    section: 'ports',
    handler: (s, a) => startPorts(s, a.port),
  },
  {
    tokens: [w('port'), w('stop'), p('port', portSel)],
    help: 'Stop all ports or port_id.',
    section: 'ports',
    handler: (s, a) => stopPorts(s, a.port),
  },
  {
    tokens: [w('port'), w('close'), p('port', portSel)],
    help: 'Close all ports or port_id.',
    section: 'ports',
    handler: (s, a) => closePorts(s, a.port),
  },
  {
    tokens: [w('port'), w('attach'), p('devargs', devargs)],
    help: 'Attach a virtual device, e.g. net_null2 or net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap.',
    section: 'ports',
    handler: (s, a) => {
      const lines: StyledLine[] = [L('Attaching a new port...')];
      if (isMemif(a.devargs as string)) eventsOf(s);  // its link lines come as events
      const id = s.engine.attach(a.devargs as string);
      lines.push(L(`Port ${id} is attached. Now total ports is ${s.engine.portIds().length}`));
      if (!s.engine.portInfo(id).started) lines.push(L(`(start it with 'port start ${id}')`, 'dim'));
      lines.push(L('Done'));
      return { kind: 'message', lines };
    },
  },
  {
    tokens: [w('port'), w('detach'), p('port', portId)],
    help: 'Detach a device by port_id (closing it first).',
    section: 'ports',
    handler: (s, a) => {
      const id = a.port as number;
      s.engine.detach(id);
      return { kind: 'message', lines: [
        L('Removing a device...'),
        L(`Port ${id} is detached. Now total ports is ${s.engine.portIds().length}`),
        L('Done'),
      ] };
    },
  },
  {
    tokens: [w('port'), w('config'), p('port', portSel), choice('queue kind', [
      { word: 'rxq', help: 'number of rx queues' },
      { word: 'txq', help: 'number of tx queues' },
    ]), p('num', uint('value', 'number of queues', 1))],
    help: 'Set the number of rx or tx queues of all ports or port_id (ports must be stopped).',
    section: 'ports',
    handler: (s, a) => {
      const n = a.num as number;
      for (const id of selectPorts(s, a.port)) {
        if (a['queue kind'] === 'rxq') s.engine.portSetQueues(id, n, -1);
        else s.engine.portSetQueues(id, -1, n);
      }
      return NONE;
    },
  },
  {
    tokens: [w('port'), w('config'), w('mtu'), p('port', portId), p('value', uint('mtu', 'MTU in bytes', 68))],
    help: 'Set MTU for port X.',
    section: 'ports',
    handler: (s, a) => { s.engine.portSetMtu(a.port as number, a.value as number); return NONE; },
  },
  {
    tokens: [w('port'), w('config'), p('port', portId), w('ip'), p('addr', cidr)],
    help: "Add an IPv4 address to a port (answers ARP and ping in icmpecho mode); ringside's own.",
    section: 'ports',
    handler: (s, a) => {
      const id = a.port as number;
      s.engine.portAddIp(id, a.addr as string);
      return { kind: 'message', lines: [L(`Port ${id} IP addresses: ${s.engine.portIps(id).join(' ')}`)] };
    },
  },
];
