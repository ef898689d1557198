// Traffic generation (txonly, flowgen) and its measurement (rxonly):
//   set txpkts imix [L:W[,L:W]*]       sizes from an IMIX list (default 64:7,570:4,1518:1)
//   set txl2 none | vlan TCI | qinq OUTER INNER
//   set txl3 ipv4|ipv6 [SRC [DST]]
//   set txl4 udp|tcp [SPORT [DPORT]] [FLAGS] | icmp
//   set txpayload zero|inc|random|0xNN, set txstamp on|off
//   set flowgen src-ip|dst-ip|src-port|dst-port COUNT
//   set txrate PORT|all VALUE pps|mbps, set txcount PORT|all N
//   show config txpkts, show port latency PORT|all
import { isIP } from 'node:net';
import type { Session } from '../session/session.js';
import type { CommandSpec, ParamType, ParseOutcome } from './spec.js';
import { choice, p, w } from './spec.js';
import { portSel, uint } from './params.js';
import type { CommandResult } from './types.js';
import type { GenConfigResult } from './results.js';
import { NONE, message, selectPorts } from './util.js';
import type { GenSettings, GenSettingsUpdate } from '../native/gen.js';
import '../native/gen.js';

// flowgen's flows: the product of the four counts, exact (up to 2^96, past
// what a double holds).
export function flowCount(f: GenSettings['flows']): bigint {
  return BigInt(f.srcIp) * BigInt(f.dstIp) * BigInt(f.srcPort) * BigInt(f.dstPort);
}


const ok = (value: unknown): ParseOutcome => ({ ok: true, value });
const bad = (error: string, syntaxOk = false): ParseOutcome => ({ ok: false, error, syntaxOk });

// L:W[,L:W]*
const imixList: ParamType = {
  label: 'len:weight[,len:weight]*',
  help: 'frame sizes and their weights, e.g. 64:7,570:4,1518:1',
  parse(word) {
    const out: { len: number; weight: number }[] = [];
    for (const part of word.split(',')) {
      const m = /^(\d+):(\d+)$/.exec(part);
      if (!m) return bad(`invalid IMIX list '${word}': expected len:weight pairs separated by commas, e.g. 64:7,570:4,1518:1`);
      const len = Number(m[1]);
      const weight = Number(m[2]);
      if (len < 1 || len > 65535 || weight < 1 || weight > 1024) {
        return bad(`IMIX entry '${part}' is out of range: len 1..65535, weight 1..1024`, true);
      }
      out.push({ len, weight });
    }
    return ok(out);
  },
};

// The word 'imix' as a parameter, not a literal: beside `set txpkts (x[,y]*)`
// a literal would turn "invalid x[,y]* '64,x'" into a vaguer "unexpected".
const imixWord: ParamType = {
  label: 'imix',
  help: "'imix': frame sizes from an IMIX list",
  parse: (word) => (word === 'imix' ? ok('imix') : bad(`expected 'imix', got '${word}'`)),
  complete: () => [{ word: 'imix', help: 'sizes from an IMIX list (default 64:7,570:4,1518:1)' }],
};

function ipParam(version: 4 | 6): ParamType {
  return {
    label: version === 4 ? 'A.B.C.D' : 'X:X::X',
    help: `an IPv${version} address`,
    parse: (word) => (isIP(word) === version ? ok(word) : bad(`invalid IPv${version} address '${word}'`)),
  };
}

const TCP_FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };
const tcpFlags: ParamType = {
  label: 'flags',
  help: 'TCP flags as letters (F S R P A U E C, e.g. S, SA, PA) or a number such as 0x12',
  parse(word) {
    if (/^(0x[0-9a-fA-F]{1,2}|\d{1,3})$/.test(word)) {
      const n = Number(word);
      return n <= 255 ? ok(n) : bad(`TCP flags ${word} are out of range: 0..255`, true);
    }
    if (!/^[FSRPAUECfsrpauec]+$/.test(word)) return bad(`invalid TCP flags '${word}': use letters F S R P A U E C (e.g. SA) or a number`);
    let n = 0;
    for (const c of word.toUpperCase()) n |= TCP_FLAG_BITS[c];
    return ok(n);
  },
  complete: () => [{ word: 'S', help: 'SYN' }, { word: 'SA', help: 'SYN+ACK' }, { word: 'A', help: 'ACK' }, { word: 'PA', help: 'PSH+ACK' }, { word: 'FA', help: 'FIN+ACK' }, { word: 'R', help: 'RST' }],
};

const port16 = (label: string, help: string): ParamType => uint(label, help, 0, 65535);
const tci = (label: string): ParamType => uint(label, `${label}: 802.1Q tag control (VLAN id in the low 12 bits, PCP in the top 3)`, 0, 65535);

const payloadWord: ParamType = {
  label: 'zero|inc|random|0xNN',
  help: 'payload pattern: zeros, incrementing bytes, random bytes (drawn once per start) or one fixed byte',
  parse(word) {
    if (word === 'zero' || word === 'inc' || word === 'random') return ok({ payload: word });
    if (/^0x[0-9a-fA-F]{1,2}$/.test(word)) return ok({ payload: 'fixed', payloadByte: Number(word) });
    return bad(`invalid payload pattern '${word}': expected zero, inc, random or a byte such as 0xa5`);
  },
  complete: () => [
    { word: 'zero', help: 'all zero bytes' }, { word: 'inc', help: 'bytes 0,1,2,... from the payload start' },
    { word: 'random', help: 'random bytes, drawn once per start' }, { word: '0x', help: 'one fixed byte, e.g. 0xa5', partial: true },
  ],
};

function set(s: Session, partial: GenSettingsUpdate): void {
  s.gen.update(partial);
}

function describeTemplate(g: GenSettings): string {
  const l2 = g.l2 === 'none' ? 'Ether' : g.l2 === 'vlan' ? `Ether/VLAN ${g.vlan[0]}` : `Ether/QinQ ${g.vlan[0]}/${g.vlan[1]}`;
  const [src, dst] = g.l3 === 'ipv4' ? [g.ipv4Src, g.ipv4Dst] : [g.ipv6Src, g.ipv6Dst];
  const l4 = g.l4 === 'icmp' ? (g.l3 === 'ipv4' ? 'ICMP echo' : 'ICMPv6 echo') : `${g.l4.toUpperCase()} ${g.srcPort} > ${g.dstPort}`;
  return `${l2}/${g.l3 === 'ipv4' ? 'IPv4' : 'IPv6'} ${src} > ${dst}/${l4}`;
}

export function genConfig(s: Session): GenConfigResult {
  return {
    kind: 'genConfig',
    mode: s.fwd.mode(),
    txpkts: s.fwd.txpkts(),
    settings: s.gen.settings(),
    ports: s.ports.ids().map((id) => ({ id, rate: s.gen.rate(id), count: s.gen.count(id) })),
  };
}

const templateMsg = (s: Session): CommandResult => message(`Tx template: ${describeTemplate(s.gen.settings())}`);

export const gen: CommandSpec[] = [
  {
    tokens: [w('set'), w('txpkts'), p('imix', imixWord), p('list', imixList, true)],
    help: 'Send TXONLY and FLOWGEN packets in an IMIX of sizes: default 64:7,570:4,1518:1 (len:weight); '
      + "'set txpkts L' returns to one size.",
    section: 'config',
    handler: (s, a) => {
      const imix = (a.list as { len: number; weight: number }[] | undefined) ?? [{ len: 64, weight: 7 }, { len: 570, weight: 4 }, { len: 1518, weight: 1 }];
      set(s, { imix });
      return message(`Tx packet sizes: IMIX ${imix.map((x) => `${x.len}:${x.weight}`).join(',')}`);
    },
  },
  {
    tokens: [w('set'), w('txl2'), w('none')],
    help: 'Generated packets carry no VLAN tag.',
    section: 'config',
    handler: (s) => { set(s, { l2: 'none' }); return templateMsg(s); },
  },
  {
    tokens: [w('set'), w('txl2'), w('vlan'), p('tci', tci('tci'))],
    help: 'Generated packets carry one 802.1Q tag (TPID 0x8100).',
    section: 'config',
    handler: (s, a) => {
      const cur = s.gen.settings().vlan;
      set(s, { l2: 'vlan', vlan: [a.tci as number, cur[1] ?? 0] });
      return templateMsg(s);
    },
  },
  {
    tokens: [w('set'), w('txl2'), w('qinq'), p('outer', tci('outer_tci')), p('inner', tci('inner_tci'))],
    help: 'Generated packets carry an 802.1ad S-tag (TPID 0x88a8) and an 802.1Q C-tag.',
    section: 'config',
    handler: (s, a) => { set(s, { l2: 'qinq', vlan: [a.outer as number, a.inner as number] }); return templateMsg(s); },
  },
  {
    tokens: [w('set'), w('txl3'), w('ipv4'), p('src', ipParam(4), true), p('dst', ipParam(4), true)],
    help: 'Generated packets are IPv4, optionally from SRC to DST (default 192.168.0.1 > 192.168.0.2).',
    section: 'config',
    handler: (s, a) => {
      set(s, { l3: 'ipv4', ...(a.src ? { ipv4Src: a.src as string } : {}), ...(a.dst ? { ipv4Dst: a.dst as string } : {}) });
      return templateMsg(s);
    },
  },
  {
    tokens: [w('set'), w('txl3'), w('ipv6'), p('src', ipParam(6), true), p('dst', ipParam(6), true)],
    help: 'Generated packets are IPv6, optionally from SRC to DST (default fd00::1 > fd00::2).',
    section: 'config',
    handler: (s, a) => {
      set(s, { l3: 'ipv6', ...(a.src ? { ipv6Src: a.src as string } : {}), ...(a.dst ? { ipv6Dst: a.dst as string } : {}) });
      return templateMsg(s);
    },
  },
  {
    tokens: [w('set'), w('txl4'), w('udp'), p('sport', port16('sport', 'UDP source port'), true), p('dport', port16('dport', 'UDP destination port'), true)],
    help: 'Generated packets are UDP, optionally with these ports (default 9 > 9).',
    section: 'config',
    handler: (s, a) => {
      set(s, { l4: 'udp', ...(a.sport !== undefined ? { srcPort: a.sport as number } : {}), ...(a.dport !== undefined ? { dstPort: a.dport as number } : {}) });
      return templateMsg(s);
    },
  },
  {
    tokens: [w('set'), w('txl4'), w('tcp'), p('sport', port16('sport', 'TCP source port'), true), p('dport', port16('dport', 'TCP destination port'), true), p('flags', tcpFlags, true)],
    help: 'Generated packets are TCP segments, optionally with these ports and flags (default SYN).',
    section: 'config',
    handler: (s, a) => {
      set(s, {
        l4: 'tcp',
        ...(a.sport !== undefined ? { srcPort: a.sport as number } : {}),
        ...(a.dport !== undefined ? { dstPort: a.dport as number } : {}),
        ...(a.flags !== undefined ? { tcpFlags: a.flags as number } : {}),
      });
      return templateMsg(s);
    },
  },
  {
    tokens: [w('set'), w('txl4'), w('icmp')],
    help: 'Generated packets are ICMP echo requests (ICMPv6 echo with txl3 ipv6).',
    section: 'config',
    handler: (s) => { set(s, { l4: 'icmp' }); return templateMsg(s); },
  },
  {
    tokens: [w('set'), w('txpayload'), p('pattern', payloadWord)],
    help: 'Set the payload pattern of generated packets.',
    section: 'config',
    handler: (s, a) => { set(s, a.pattern as Partial<GenSettings>); return NONE; },
  },
  {
    tokens: [w('set'), w('txstamp'), choice('state', [{ word: 'on', help: 'sequence number + timestamp in each payload (default)' }, { word: 'off', help: 'payload pattern only' }])],
    help: 'Put a 16-byte sequence number and timestamp at the start of generated payloads (when they have room).',
    section: 'config',
    handler: (s, a) => { set(s, { stamp: a.state === 'on' }); return NONE; },
  },
  {
    tokens: [w('set'), w('flowgen'), choice('field', [
      { word: 'src-ip', help: 'source addresses: the txl3 source and the next COUNT-1' },
      { word: 'dst-ip', help: 'destination addresses from the txl3 destination' },
      { word: 'src-port', help: 'source ports from the txl4 source port' },
      { word: 'dst-port', help: 'destination ports from the txl4 destination port' },
    ]), p('count', uint('count', 'how many consecutive values (1 = fixed)', 1))],
    help: 'Set how many values FLOWGEN gives a field; flows = the product of the four counts.',
    section: 'config',
    handler: (s, a) => {
      const key = { 'src-ip': 'srcIp', 'dst-ip': 'dstIp', 'src-port': 'srcPort', 'dst-port': 'dstPort' }[a.field as string] as 'srcIp';
      set(s, { flows: { [key]: a.count as number } });
      const f = s.gen.settings().flows;
      return message(`flowgen: ${flowCount(f)} flows (src-ip ${f.srcIp} x dst-ip ${f.dstIp} x src-port ${f.srcPort} x dst-port ${f.dstPort})`);
    },
  },
  {
    tokens: [w('set'), w('txrate'), p('port', portSel), p('value', uint('value', 'rate; 0 sends as fast as the port takes them', 0)), choice('unit', [
      { word: 'pps', help: 'packets per second' },
      { word: 'mbps', help: 'Mbit/s of frame bytes (as port byte counters count them, no preamble/FCS)' },
    ])],
    help: 'Pace TXONLY and FLOWGEN on a port, evenly over each second (shared by its tx queues).',
    section: 'config',
    handler: (s, a) => {
      const ids = selectPorts(s, a.port);
      for (const id of ids) s.gen.setRate(id, a.value as number, a.unit as 'pps' | 'mbps');
      const rate = a.value === 0 ? 'unpaced (as fast as the port takes them)' : `${a.value} ${a.unit}`;
      return message(`Tx rate of port${ids.length > 1 ? 's' : ''} ${ids.join(',')} set to ${rate}`);
    },
  },
  {
    tokens: [w('set'), w('txcount'), p('port', portSel), p('count', uint('count', 'packets per start; 0 = no limit', 0))],
    help: 'Stop generating on a port after COUNT packets in each run (shared by its tx queues).',
    section: 'config',
    handler: (s, a) => {
      for (const id of selectPorts(s, a.port)) s.gen.setCount(id, a.count as number);
      return NONE;
    },
  },
  {
    tokens: [w('show'), w('config'), w('txpkts')],
    help: 'Show the generated packets: template, sizes, flows, rate and count per port.',
    section: 'display',
    handler: (s) => genConfig(s),
  },
  {
    tokens: [w('show'), w('port'), w('latency'), p('port', portSel)],
    help: 'Show loss, duplicates, reordering and latency of generated packets received (rxonly, flowgen).',
    section: 'display',
    handler: (s, a) => ({ kind: 'portLatency', ports: selectPorts(s, a.port).map((id) => s.gen.latency(id)) }),
  },
];

export { describeTemplate };
