// `flow list`, `flow query` and `show port N rss`, in testpmd's shapes where
// testpmd has them (port_flow_list, port_flow_query's COUNT block).
import type { StyledLine } from './types.js';
import type { FlowListResult, FlowQueryResult, PortRssResult } from './results.js';
import { L } from './util.js';

export function renderFlowList(r: FlowListResult): StyledLine[] {
  if (r.rules.length === 0) return [L(`No flow rules on port ${r.port}`, 'dim')];
  const out = [L('ID\tGroup\tPrio\tAttr\tRule', 'heading')];
  for (const e of r.rules) out.push(L(`${e.id}\t${e.group}\t${e.priority}\t${e.ingress ? 'i' : '-'}--\t${e.pattern} => ${e.actions}`));
  return out;
}

export function renderFlowQuery(r: FlowQueryResult): StyledLine[] {
  return [
    L('COUNT:'),
    L(` hits_set: ${r.count.hitsSet ? 1 : 0}`),
    L(` bytes_set: ${r.count.bytesSet ? 1 : 0}`),
    L(` hits: ${r.count.hits}`),
    L(` bytes: ${r.count.bytes}`),
  ];
}

// "0 1 0 1 ..." shown as its repeating unit when it has one.
function retaText(reta: number[]): string {
  for (let n = 1; n <= reta.length / 2; n++) {
    if (reta.length % n !== 0) continue;
    if (reta.every((q, i) => q === reta[i % n])) return `${reta.slice(0, n).join(' ')} (repeated, ${reta.length} entries)`;
  }
  return reta.join(' ');
}

export function renderPortRss(r: PortRssResult): StyledLine[] {
  const x = r.rss;
  const soft = x.nbRxQueues - x.driverQueues;
  const out = [
    L(`######################## RSS and flow rules for port ${x.port} ########################`, 'heading'),
    L(`RSS types: ${x.types}`),
    L(`Software classifier: ${x.enabled ? 'on' : 'off (no RSS or rules to apply)'}`),
    L(`RX queues: ${x.nbRxQueues} (${x.driverQueues} fed by the driver${soft > 0 ? `, ${soft} software` : ''})`),
    L(`Flow rules: ${x.rules}  Dropped by rules: ${x.droppedByRules}  To kernel: ${x.toKernel}  RSS-hashed: ${x.rssHashed}  RX-missed: ${x.rxMissed}`),
    L(`  ${'Queue'.padEnd(6)} ${'Fed by'.padEnd(8)} ${'RX-packets'.padStart(12)} ${'Steered-in'.padStart(12)} ${'Waiting'.padStart(8)}`, 'heading'),
  ];
  for (const q of x.queues) {
    out.push(L(`  ${String(q.queue).padEnd(6)} ${(q.driver ? 'driver' : 'software').padEnd(8)} ${String(q.packets).padStart(12)} `
      + `${String(q.steeredIn).padStart(12)} ${String(q.waiting).padStart(8)}`));
  }
  out.push(L(`RETA: ${retaText(x.reta)}`), L(`RSS key: ${x.key}`));
  return out;
}

// The result kinds this file renders, or null for others.
