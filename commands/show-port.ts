// testpmd's remaining `show port` and `show device` views, in its shapes:
// `show port summary P`, `show port P rx_offload|tx_offload capabilities|configuration`,
// `show port P ptypes`, `show device info all|NAME`, `show port P rss-hash [key]`,
// `show port P rss reta [size] [(masks)]`. What software ports do shows as such:
// no offloads, the packet types the classifier and decoder recognise, the
// software RSS key and table.
import type { PortInfo } from '../native/addon.js';
import type { PortRssInfo } from '../native/flow.js';
import '../native/flow.js';
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { portId, rest } from './params.js';
import { errorResult } from './results.js';
import type { CommandResult, StyledLine } from './types.js';
import { L } from './util.js';

const lines = (...texts: string[]): CommandResult => ({ kind: 'message', lines: texts.map((t) => L(t)) });

// What the classifier (RSS, flow items) and the decoder (set verbose) recognise, by testpmd's groups.
const PTYPES: [string, string[]][] = [
  ['L2', ['L2_ETHER', 'L2_ETHER_VLAN', 'L2_ETHER_QINQ', 'L2_ETHER_ARP']],
  ['L3', ['L3_IPV4', 'L3_IPV4_EXT', 'L3_IPV6', 'L3_IPV6_EXT']],
  ['L4', ['L4_TCP', 'L4_UDP', 'L4_ICMP', 'L4_FRAG']],
  ['Tunnel', ['TUNNEL_VXLAN']],
  ['Inner L2', ['INNER_L2_ETHER']],
  ['Inner L3', ['INNER_L3_IPV4', 'INNER_L3_IPV6']],
  ['Inner L4', ['INNER_L4_TCP', 'INNER_L4_UDP', 'INNER_L4_ICMP']],
];

// ringside's RSS types in testpmd's names.
const RSS_NAMES: Record<string, string[]> = {
  ipv4: ['ipv4'], ipv6: ['ipv6'], udp: ['ipv4-udp', 'ipv6-udp'], tcp: ['ipv4-tcp', 'ipv6-tcp'],
  'ipv4-udp': ['ipv4-udp'], 'ipv6-udp': ['ipv6-udp'], 'ipv4-tcp': ['ipv4-tcp'], 'ipv6-tcp': ['ipv6-tcp'],
};

function summaryRow(p: PortInfo): string {
  const up = p.link.up && !p.closed;
  const speed = up ? `${p.link.speedMbps >= 1000 ? `${p.link.speedMbps / 1000} Gbps` : `${p.link.speedMbps} Mbps`}` : 'None';
  return `${String(p.id).padEnd(4)} ${p.mac.toUpperCase()} ${p.name.padEnd(12)} ${p.driver.padEnd(14)} ${(up ? 'up' : 'down').padEnd(8)} ${speed}`;
}

function offloads(dir: 'Rx' | 'Tx', what: string, info: PortInfo): CommandResult {
  if (what === 'capabilities') return lines(`${dir} Offloading Capabilities of port ${info.id} :`, '  Per Queue :', '  Per Port  :', '');
  const nq = dir === 'Rx' ? info.nbRxQueues : info.nbTxQueues;
  return lines(`${dir} Offloading Configuration of port ${info.id} :`, '  Port :',
    ...Array.from({ length: nq }, (_, q) => `  Queue[${String(q).padStart(2)}] :`), '');
}

function deviceInfo(p: PortInfo): string[] {
  return ['', `********************* Infos for device ${p.name} *********************`, 'Bus name: vdev', 'Bus information: ',
    `Driver name: ${p.driver}`, `Devargs: ${p.devargs.slice(p.name.length + 1)}`, 'Connect to socket: 0', '',
    `\tPort id: ${p.id} `, `\tMAC address: ${p.mac.toUpperCase()}`, `\tDevice name: ${p.name}`,
    '\tDevice speed capability: Autonegotiate (all speeds)'];
}

function rssHash(r: PortRssInfo, withKey: boolean): CommandResult {
  const types = r.types.split(/\s+/).filter((t) => t && t !== 'none').flatMap((t) => RSS_NAMES[t] ?? [t]);
  if (!r.enabled || types.length === 0) return lines('RSS disabled');
  const out = ['RSS functions:', `  ${types.join('  ')}`];
  if (withKey) out.push('RSS key:', r.key.toUpperCase());
  return lines(...out);
}

function reta(r: PortRssInfo, size: string | undefined): CommandResult {
  const n = size === undefined ? r.reta.length : Number(size.split(/\s+/)[0]);
  if (!Number.isInteger(n) || n < 1 || n > r.reta.length) {
    return errorResult('EARG_INVALID', `Invalid redirection table size: ${size} (1-${r.reta.length})`, `show port ${r.port} rss reta ${r.reta.length}`);
  }
  return { kind: 'message', lines: r.reta.slice(0, n).map((q, i): StyledLine => L(`RSS RETA configuration: hash index=${i}, queue=${q}`)) };
}

export const showPort: CommandSpec[] = [
  {
    tokens: [w('show'), w('port'), w('summary'), p('port', portId)],
    help: 'Display a one-line summary of port_id.',
    section: 'display',
    handler: (s, a) => lines(`Number of available ports: ${s.ports.ids().length}`,
      `${'Port'.padEnd(4)} ${'MAC Address'.padEnd(17)} ${'Name'.padEnd(12)} ${'Driver'.padEnd(14)} ${'Status'.padEnd(8)} Link`,
      summaryRow(s.ports.info(a.port as number))),
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), choice('direction', [
      { word: 'rx_offload', help: 'receive offloads' }, { word: 'tx_offload', help: 'transmit offloads' },
    ]), choice('what', [{ word: 'capabilities', help: 'what the port can do' }, { word: 'configuration', help: 'what is enabled' }])],
    help: 'Display the rx/tx offload capabilities or configuration of a port (software ports offload nothing).',
    section: 'display',
    handler: (s, a) => offloads(a.direction === 'rx_offload' ? 'Rx' : 'Tx', a.what as string, s.ports.info(a.port as number)),
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), w('ptypes')],
    help: 'Display the packet types the port recognises (in software: the classifier and the decoder).',
    section: 'display',
    handler: (s, a) => {
      s.ports.info(a.port as number);
      return lines(...PTYPES.flatMap(([group, names]) => [`Supported ${group} ptypes:`, ...names.map((n) => `  ${n}`)]));
    },
  },
  {
    tokens: [w('show'), w('device'), w('info'), p('device', rest('all|name', "'all' or a device name such as net_ring0"))],
    help: 'Show general information about devices probed.',
    section: 'display',
    handler: (s, a) => {
      const ports = s.ports.ids().map((id) => s.ports.info(id));
      const chosen = a.device === 'all' ? ports : ports.filter((x) => x.name === a.device);
      if (chosen.length === 0) return errorResult('EDEVICE', `no device named '${a.device as string}': devices are ${ports.map((x) => x.name).join(', ')}`);
      return lines(...chosen.flatMap(deviceInfo));
    },
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), w('rss-hash'), choice('key', [{ word: 'key', help: 'also the hash key' }])],
    help: 'Display the RSS hash functions and key of a port (software RSS).',
    section: 'display',
    handler: (s, a) => rssHash(s.flows.rss(a.port as number), true),
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), w('rss-hash')],
    help: 'Display the RSS hash functions of a port (software RSS).',
    section: 'display',
    handler: (s, a) => rssHash(s.flows.rss(a.port as number), false),
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), w('rss'), w('reta'), p('size', rest('size [(mask,...)]', 'entries to show and their masks'), true)],
    help: 'Display the RSS redirection table of a port (software RSS).',
    section: 'display',
    handler: (s, a) => reta(s.flows.rss(a.port as number), a.size as string | undefined),
  },
];
