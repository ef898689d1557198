// `show port info` and `show port summary` in testpmd's shapes
// (port_infos_display, port_summary_display), with ringside's own facts after.
import type { PortInfo } from '../native/addon.js';
import type { StyledLine } from './types.js';
import type { PortInfoResult, PortSummaryResult } from './results.js';
import { L } from './util.js';

const INFO_BORDER = '*'.repeat(21);

// rte_eth_link_speed_to_str: 0 -> None, 10000 -> 10 Gbps, 100 -> 100 Mbps.
export function linkSpeed(mbps: number): string {
  if (!mbps) return 'None';
  if (mbps < 1000) return `${mbps} Mbps`;
  return `${mbps / 1000} Gbps`;
}

function state(p: PortInfo): string {
  return p.closed ? 'closed' : p.started ? 'started' : 'stopped';
}

export function renderPortInfo(r: PortInfoResult): StyledLine[] {
  const out: StyledLine[] = [];
  for (const p of r.ports) {
    out.push(
      L(''),
      L(`${INFO_BORDER} Infos for port ${String(p.id).padEnd(2)} ${INFO_BORDER}`, 'heading'),
      L(`MAC address: ${p.mac.toUpperCase()}`),
      L(`Device name: ${p.name}`),
      L(`Driver name: ${p.driver}`),
      L(`Devargs: ${p.devargs}`),
      L('Connect to socket: 0'),
      L('memory allocation on the socket: 0'),
      L(`Link status: ${p.link.up ? 'up' : 'down'}`),
      L(`Link speed: ${linkSpeed(p.link.up ? p.link.speedMbps : 0)}`),
      L(`Link duplex: ${p.link.fullDuplex ? 'full-duplex' : 'half-duplex'}`),
      L(`MTU: ${p.mtu}`),
      L(`Promiscuous mode: ${p.promiscuous ? 'enabled' : 'disabled'}`),
      L(`Allmulticast mode: ${p.allmulti ? 'enabled' : 'disabled'}`),
      L(`Current number of RX queues: ${p.nbRxQueues}`),
      L(`Max possible RX queues: ${p.maxRxQueues}`),
      L(`Current number of TX queues: ${p.nbTxQueues}`),
      L(`Max possible TX queues: ${p.maxTxQueues}`),
      // ringside's own facts
      L(`Port state: ${state(p)}`),
      L(`MTU range: ${p.minMtu}..${p.maxMtu}`),
    );
    if (p.ifName) out.push(L(`Kernel interface: ${p.ifName} (ifindex ${p.ifIndex})`));
    if (!p.countsBytes) out.push(L(`Byte counters: not kept (${p.driver} counts packets only)`));
    if (p.ips.length) out.push(L(`IP addresses: ${p.ips.join(' ')}`));
    for (const [k, v] of p.extra) out.push(L(`${k}: ${v}`));
  }
  return out;
}

export function renderPortSummary(r: PortSummaryResult): StyledLine[] {
  const out: StyledLine[] = [
    L(`Number of available ports: ${r.ports.length}`),
    L(`${'Port'.padEnd(4)} ${'MAC Address'.padEnd(17)} ${'Name'.padEnd(12)} ${'Driver'.padEnd(14)} ${'Status'.padEnd(8)} Link`, 'heading'),
  ];
  for (const p of r.ports) {
    const up = p.link.up && !p.closed;
    out.push(L(`${String(p.id).padEnd(4)} ${p.mac.toUpperCase()} ${p.name.padEnd(12)} ${p.driver.padEnd(14)} `
      + `${(up ? 'up' : 'down').padEnd(8)} ${linkSpeed(up ? p.link.speedMbps : 0)}`));
  }
  return out;
}
