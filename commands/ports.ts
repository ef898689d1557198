// Port operations: start/stop/close, attach/detach, queues, MTU, IP.
import type { Session } from '../session/session.js';
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { cidr, devargs, portId, portSel, uint } from './params.js';
import type { CommandResult, StyledLine } from './types.js';
import { L, NONE, message, selectPorts } from './util.js';
import { errorResult } from './results.js';
import { ETHER_OVERHEAD } from '../session/options.js';
import { eventsOf, isMemif } from '../session/events.js';
import '../native/diag.js';

// testpmd's start_port: a port not stopped is named and skipped; when none
// needed starting, "Please stop the ports first".
function startPorts(s: Session, sel: unknown): CommandResult {
  const lines: StyledLine[] = [];
  let started = 0;
  for (const id of selectPorts(s, sel)) {
    const info = s.engine.portInfo(id);
    if (info.started || info.closed) {
      lines.push(L(`Port ${id} is now not stopped`, 'warning'));
      continue;
    }
    lines.push(L(`Configuring Port ${id} (socket 0)`));
    s.engine.portStart(id);
    lines.push(L(`Port ${id}: ${s.engine.portInfo(id).mac.toUpperCase()}`));
    started++;
  }
  lines.push(started > 0 ? L('Checking link statuses...') : L('Please stop the ports first', 'warning'), L('Done'));
  return { kind: 'message', lines };
}

// Ports the running forwarding streams use (none when not forwarding).
export function forwardingPorts(s: Session): Set<number> {
  if (!s.engine.forwarding()) return new Set();
  return new Set(s.engine.streams().flatMap((st) => [st.rxPort, st.txPort]));
}

// testpmd's stop_port: a port that forwards is named and left alone; a port
// already stopped is skipped silently.
function stopPorts(s: Session, sel: unknown): CommandResult {
  const lines: StyledLine[] = [L('Stopping ports...')];
  const busy = forwardingPorts(s);
  let stopped = 0;
  for (const id of selectPorts(s, sel)) {
    if (busy.has(id)) { lines.push(L(`Please remove port ${id} from forwarding configuration.`, 'warning')); continue; }
    if (!s.engine.portInfo(id).started) continue;
    s.engine.portStop(id);
    stopped++;
  }
  if (stopped > 0) lines.push(L('Checking link statuses...'));
  lines.push(L('Done'));
  return { kind: 'message', lines };
}

function closePorts(s: Session, sel: unknown): CommandResult {
  const lines: StyledLine[] = [L('Closing ports...')];
  const busy = forwardingPorts(s);
  for (const id of selectPorts(s, sel)) {
    if (busy.has(id)) { lines.push(L(`Please remove port ${id} from forwarding configuration.`, 'warning')); continue; }
    if (s.engine.portInfo(id).closed) { lines.push(L(`Port ${id} is already closed`, 'warning')); continue; }
    // As DPDK's ethdev since 20.11: a closed port is released, its id free for the next attach.
    s.engine.portClose(id);
    s.engine.detach(id);
    lines.push(L(`Port ${id} is closed`));
  }
  lines.push(L('Done'));
  return { kind: 'message', lines };
}

// testpmd's detach_port_device: the port must be stopped (closed or not).
function detach(s: Session, ids: number[], done: string): CommandResult {
  const started = ids.find((id) => s.engine.portInfo(id).started);
  if (started !== undefined) return errorResult('EBUSY_STARTED', 'Port not stopped', `port stop ${started}, then detach it`);
  const lines: StyledLine[] = [];
  if (ids.some((id) => !s.engine.portInfo(id).closed)) lines.push(L('Port was not closed', 'warning'));
  lines.push(L('Removing a device...'));
  for (const id of ids) s.engine.detach(id);
  lines.push(L(done), L(`Now total ports is ${s.engine.portIds().length}`), L('Done'));
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
    handler: (s, a) => detach(s, [a.port as number], 'Device is detached'),
  },
  {
    tokens: [w('device'), w('detach'), p('device', devargs)],
    help: 'Detach a device by its name (net_ring0) and the ports it has.',
    section: 'ports',
    handler: (s, a) => {
      const name = (a.device as string).split(',')[0];
      const ids = s.engine.portIds().filter((id) => s.engine.portInfo(id).name === name);
      if (ids.length === 0) return errorResult('EDEVICE', `no device named '${name}': devices are ${s.engine.portIds().map((id) => s.engine.portInfo(id).name).join(', ')}`);
      return detach(s, ids, `Device ${name} is detached`);
    },
  },
  {
    tokens: [w('port'), w('config'), p('port', portSel), choice('queue kind', [
      { word: 'rxq', help: 'number of rx queues' },
      { word: 'txq', help: 'number of tx queues' },
      { word: 'rxd', help: 'descriptors in each rx ring' },
      { word: 'txd', help: 'descriptors in each tx ring' },
    ]), p('num', uint('value', 'number of queues or descriptors', 1, 65536))],
    help: 'Set the number of rx/tx queues or ring descriptors of all ports or port_id (ports must be stopped).',
    section: 'ports',
    handler: (s, a) => {
      const n = a.num as number;
      const ids = selectPorts(s, a.port);
      const started = ids.filter((id) => s.engine.portInfo(id).started);
      if (started.length > 0) return errorResult('EBUSY_STARTED', a.port === 'all' ? 'Please stop all ports first' : `Please stop port ${started[0]} first`, `port stop ${a.port}`);
      for (const id of ids) {
        const kind = a['queue kind'];
        if (kind === 'rxq') s.engine.portSetQueues(id, n, -1);
        else if (kind === 'txq') s.engine.portSetQueues(id, -1, n);
        else s.engine.portSetNbDesc(id, kind === 'rxd' ? 'rx' : 'tx', -1, n);
      }
      return NONE;
    },
  },
  {
    tokens: [w('port'), w('config'), p('port', portId), choice('queue kind', [
      { word: 'rxq', help: 'an rx queue' },
      { word: 'txq', help: 'a tx queue' },
    ]), p('queue', uint('queue_id', 'queue number', 0, 15)), w('ring_size'), p('num', uint('value', 'descriptors in the ring', 1, 65536))],
    help: 'Set the ring size (descriptors) of one rx or tx queue (the port must be stopped).',
    section: 'ports',
    handler: (s, a) => {
      const id = a.port as number;
      if (s.engine.portInfo(id).started) return errorResult('EBUSY_STARTED', `Please stop port ${id} first`, `port stop ${id}`);
      s.engine.portSetNbDesc(id, a['queue kind'] === 'rxq' ? 'rx' : 'tx', a.queue as number, a.num as number);
      return NONE;
    },
  },
  {
    tokens: [w('port'), w('config'), w('all'), w('max-pkt-len'), p('len', uint('value', 'maximum frame length: the MTU plus 18 (Ethernet header and CRC)', 64, 65535))],
    help: 'Set the maximum packet length of every port: the MTU becomes the length less 18 (ports must be stopped).',
    section: 'ports',
    handler: (s, a) => {
      const ids = s.engine.portIds();
      if (ids.some((id) => s.engine.portInfo(id).started)) return errorResult('EBUSY_STARTED', 'Please stop all ports first', 'port stop all');
      const mtu = (a.len as number) - ETHER_OVERHEAD;
      for (const id of ids) s.engine.portSetMtu(id, mtu);
      return message(`max-pkt-len set to ${a.len as number} (MTU ${mtu}) on port${ids.length === 1 ? '' : 's'} ${ids.join(',')}`);
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
