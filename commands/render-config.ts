// `show config fwd|rxtx|cores` and the `start` banner, in testpmd's shapes
// (pkt_fwd_config_display, rxtx_config_display, fwd_lcores display).
import type { StyledLine } from './types.js';
import type { FwdConfig, RxtxConfig } from './results.js';
import { L } from './util.js';


export function renderFwdConfig(f: FwdConfig): StyledLine[] {
  const out: StyledLine[] = [
    L(`${f.mode} packet forwarding${f.retry ? ' with retry' : ''} - ports=${f.nbPorts} - cores=${f.nbCores} - streams=${f.nbStreams}`
      + ' - NUMA support enabled, MP allocation mode: native'),
  ];
  if (f.retry) out.push(L(`TX retry num: ${f.retry.tries}, delay between TX retries: ${f.retry.delayUs}us`));
  for (const lc of f.lcores) {
    out.push(L(`Logical Core ${lc.lcore} (socket 0) forwards packets on ${lc.streams.length} streams:`));
    for (const s of lc.streams) {
      out.push(L(`  RX P=${s.rxPort}/Q=${s.rxQueue} (socket 0) -> TX P=${s.txPort}/Q=${s.txQueue} (socket 0) peer=${s.peer}`));
    }
  }
  out.push(L(''));
  return out;
}

export function renderRxtxConfig(r: RxtxConfig): StyledLine[] {
  const out: StyledLine[] = [L(`  ${r.mode} packet forwarding packets/burst=${r.burst}`)];
  if (r.txpkts) {
    const len = r.txpkts.reduce((a, b) => a + b, 0);
    out.push(L(`  packet len=${len} - nb packet segments=${r.txpkts.length}`));
  }
  out.push(L(`  nb forwarding cores=${r.nbCores} - nb forwarding ports=${r.nbPorts}`));
  for (const p of r.ports) {
    out.push(L(`  port ${p.id}: RX queue number: ${p.nbRxQueues} Tx queue number: ${p.nbTxQueues}`), L('    Rx offloads=0x0 Tx offloads=0x0'));
    p.rxDesc.forEach((desc, q) => out.push(
      L(`    RX queue: ${q}`),
      L(`      RX desc=${desc} - RX free threshold=0`),
      L('      RX threshold registers: pthresh=0 hthresh=0  wthresh=0'),
      L('      RX Offloads=0x0'),
    ));
    p.txDesc.forEach((desc, q) => out.push(
      L(`    TX queue: ${q}`),
      L(`      TX desc=${desc} - TX free threshold=0`),
      L('      TX threshold registers: pthresh=0 hthresh=0  wthresh=0'),
      L('      TX offloads=0x0 - TX RS bit threshold=0'),
    ));
  }
  return out;
}

export function renderCores(lcores: number[]): StyledLine[] {
  return [L(`List of forwarding lcores:${lcores.map((c) => ` ${String(c).padStart(2)}`).join('')}`)];
}
