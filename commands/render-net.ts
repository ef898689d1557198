// KNI and IF-proxy results as lines: `show kni` in the shape of DPDK's KNI
// example statistics, `show ifproxy` one block per proxy.
import type { StyledLine } from './types.js';
import type { IfproxyEventsResult, IfproxyListResult, KniListResult } from './results.js';
import { formatEvent } from '../session/events.js';
import { L } from './util.js';


export function renderKniList(r: KniListResult): StyledLine[] {
  if (r.knis.length === 0) return [L("No KNI interface: create one with 'kni create PORT'", 'dim')];
  const out: StyledLine[] = [];
  for (const k of r.knis) {
    const s = k.stats;
    const title = `  KNI for port ${k.port}: ${k.name} `;
    out.push(L(''), L(`${title}${'#'.repeat(Math.max(4, 60 - title.length))}`, 'heading'));
    out.push(L(`  if_index: ${k.ifIndex}  MAC: ${k.mac}  MTU: ${k.mtu}  link: ${k.up ? 'up' : 'down'}  mode: ${k.all ? 'all unconsumed packets' : 'steered packets only'}`));
    out.push(L(`  handler: ${k.policy}${k.policy === 'delay' ? ` ${k.delayMs} ms` : ''}  requests handled: ${s.requestsHandled}  rejected: ${s.requestsRejected}  pending: ${k.pending}`));
    out.push(L(`  RX-packets (to kernel):   ${String(s.rxPackets).padEnd(12)} RX-bytes: ${String(s.rxBytes).padEnd(14)} RX-dropped: ${s.rxDropped}`));
    out.push(L(`  TX-packets (from kernel): ${String(s.txPackets).padEnd(12)} TX-bytes: ${String(s.txBytes).padEnd(14)} TX-dropped: ${s.txDropped}`));
  }
  out.push(L(`  ${'#'.repeat(58)}`, 'heading'));
  return out;
}

export function renderIfproxyList(r: IfproxyListResult): StyledLine[] {
  const out: StyledLine[] = [];
  const l = r.listener;
  out.push(L(`Listener: ${l.running ? 'running' : 'stopped'}, events ${l.listening ? 'on' : "off ('ifproxy listen')"}, receive buffer ${l.rcvbuf} bytes, ` +
    `${l.messages} messages, overflows ${l.overflows} (missed ${l.missed}, recovered ${l.recovered}); ` +
    `known: ${l.links} links, ${l.addrs} addresses, ${l.routes} routes, ${l.neighs} neighbours`));
  if (r.proxies.length === 0) {
    out.push(L("No proxy: 'ifproxy create' makes one, 'ifproxy bind PORT IFNAME' uses any interface", 'dim'));
    return out;
  }
  for (const p of r.proxies) {
    out.push(L(''), L(`Proxy ${p.name} (if_index ${p.ifIndex}${p.proxyPort >= 0 ? `, port ${p.proxyPort}` : ''})${p.exists ? '' : ' -- deleted'}`, 'heading'));
    out.push(L(`  bound ports: ${p.ports.length ? p.ports.join(', ') : 'none'}`));
    out.push(L(`  MAC: ${p.mac}  MTU: ${p.mtu}  link: ${p.up ? 'up' : 'down'} (operstate ${p.operstate || 'unknown'})`));
    out.push(L(`  addresses: ${p.addrs.length ? p.addrs.join(' ') : 'none'}`));
  }
  return out;
}

export function renderIfproxyEvents(r: IfproxyEventsResult): StyledLine[] {
  const out: StyledLine[] = [L('Event counters:', 'heading')];
  const names = Object.keys(r.counters).sort();
  if (names.length === 0) out.push(L('  (no event yet)', 'dim'));
  for (const n of names) out.push(L(`  ${n.padEnd(14)} ${r.counters[n]}`));
  if (r.listener.overflows) {
    out.push(L(`  overflows: ${r.listener.overflows} (notifications the kernel dropped: ${r.listener.missed}; changes recovered by re-dumps: ${r.listener.recovered})`, 'warning'));
  }
  out.push(L(`Last ${r.events.length} event(s):`, 'heading'));
  for (const e of r.events) out.push(L(`  ${formatEvent(e)}`));
  return out;
}
