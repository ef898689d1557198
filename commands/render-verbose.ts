// `set verbose` packets as lines: testpmd's dump for levels 1..3, one decoded
// line for 4, that line and a hex dump for 5; in JSON mode each packet is one
// object (StyledLine.json).
import type { StyledLine } from './types.js';
import type { VerboseRecord } from '../native/verbose.js';
import { timeOfDay } from './render-capture.js';

const hex = (n: number, w: number): string => `0x${n.toString(16).padStart(w, '0')}`;

// testpmd's per-packet line: "  src=.. - dst=.. - pool=mb_pool_0 - type=0x0800 - length=64 - ..."
function testpmdLine(r: VerboseRecord, pool: string): string {
  const parts = [`src=${r.src.toUpperCase()}`, `dst=${r.dst.toUpperCase()}`, `pool=${pool}`, `type=${hex(r.etherType, 4)}`,
    `length=${r.length}`, 'nb_segs=1', `sw ptype: ${r.ptype} `];
  if (r.l2Len) parts.push(`l2_len=${r.l2Len}`);
  if (r.l3Len) parts.push(`l3_len=${r.l3Len}`);
  if (r.l4Len) parts.push(`l4_len=${r.l4Len}`);
  if (r.dir === 'rx') parts.push(`Receive queue=${hex(r.queue, 1)}`);
  return `  ${parts.join(' - ')}`;
}

// "12:34:56.123456 port 0/0 rx 02:00:00:00:00:01 > 02:00:00:00:00:00, length 60: IP ..."
export function verboseLine(r: VerboseRecord): string {
  const l2 = r.src ? `${r.src} > ${r.dst}, ` : '';
  return `${timeOfDay(r.sec, r.nsec, false)} port ${r.port}/${r.queue} ${r.dir} ${l2}length ${r.length}: ${r.summary}`;
}

function jsonOf(r: VerboseRecord, text: string): Record<string, unknown> {
  return { kind: 'verbose', time: timeOfDay(r.sec, r.nsec, false), ...r, text };
}

export function renderVerbose(records: VerboseRecord[], level: number, pool: string): StyledLine[] {
  const out: StyledLine[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (level >= 4) {
      const text = verboseLine(r);
      const hexLines = level === 5 ? (r.hex ?? []).map((h) => `    ${h}`) : [];
      out.push({ text: [text, ...hexLines].join('\n'), json: jsonOf(r, text) });
      continue;
    }
    // One header per burst: consecutive packets of one queue, direction and stamp.
    const prev = records[i - 1];
    if (!prev || prev.port !== r.port || prev.queue !== r.queue || prev.dir !== r.dir || prev.sec !== r.sec || prev.nsec !== r.nsec) {
      let n = 1;
      while (records[i + n] && records[i + n].port === r.port && records[i + n].queue === r.queue && records[i + n].dir === r.dir
        && records[i + n].sec === r.sec && records[i + n].nsec === r.nsec) n++;
      out.push({ text: `port ${r.port}/queue ${r.queue}: ${r.dir === 'rx' ? 'received' : 'sent'} ${n} packets` });
    }
    const text = testpmdLine(r, pool);
    out.push({ text, json: jsonOf(r, text) });
  }
  return out;
}

export function suppressedLine(n: number): StyledLine {
  const text = `${n} verbose line${n === 1 ? '' : 's'} suppressed (the display fell behind; narrow it with 'set verbose N port P filter EXPR')`;
  return { text, style: 'warning', json: { kind: 'verboseSuppressed', count: n, text } };
}
