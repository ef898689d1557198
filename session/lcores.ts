// DPDK's EAL core placement: `-l 0-3,5`, `-c 0xf`, `--lcores '1@2,(3-4)@5'`,
// `--main-lcore N`. The first lcore (or --main-lcore) is the main one, which
// runs the command line; the others forward, their poll threads pinned to the
// CPU each names (the first of a set: a poll thread runs on one CPU). Also the
// lists and masks of testpmd's `set corelist|coremask|portlist|portmask`.
export interface LcoreCpu { lcore: number; cpu: number }

export class ListError extends Error {}

const MAX_ID = 1023;

function int(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new ListError(`invalid ${what} '${text}': expected a number`);
  const n = Number(text);
  if (n > MAX_ID) throw new ListError(`${what} ${n} is out of range: at most ${MAX_ID}`);
  return n;
}

// "0-3,5" -> [0,1,2,3,5]; duplicates refused.
export function parseIdList(text: string, what: string): number[] {
  if (text === '') throw new ListError(`empty ${what} list: expected numbers and ranges such as 0-3,5`);
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)-(\d+)$/.exec(part);
    const [lo, hi] = m ? [int(m[1], what), int(m[2], what)] : [int(part, what), int(part, what)];
    if (hi < lo) throw new ListError(`invalid ${what} range '${part}': the first number must not exceed the second`);
    for (let i = lo; i <= hi; i++) {
      if (out.includes(i)) throw new ListError(`${what} ${i} is listed twice in '${text}'`);
      out.push(i);
    }
  }
  return out;
}

// "0x6" or "6" (hex, as DPDK reads masks) -> [1,2]
export function parseMask(text: string, what: string): number[] {
  if (!/^(0x)?[0-9a-fA-F]+$/.test(text)) throw new ListError(`invalid ${what} mask '${text}': expected hex digits such as 0x3`);
  const bits = BigInt(text.startsWith('0x') ? text : `0x${text}`);
  const out: number[] = [];
  for (let i = 0; i <= MAX_ID && (bits >> BigInt(i)) > 0n; i++) if ((bits >> BigInt(i)) & 1n) out.push(i);
  if (out.length === 0) throw new ListError(`${what} mask ${text} selects nothing`);
  return out;
}

// "(0-1)" or "3" -> [0,1] / [3]
function group(text: string, what: string): number[] {
  const inner = text.startsWith('(') && text.endsWith(')') ? text.slice(1, -1) : text;
  return parseIdList(inner, what);
}

// --lcores: items separated by commas outside parentheses, each LCORES[@CPUS].
export function parseLcoresOption(text: string): LcoreCpu[] {
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { items.push(cur); cur = ''; } else cur += ch;
  }
  items.push(cur);
  const out: LcoreCpu[] = [];
  for (const item of items) {
    const [ls, cs, more] = item.split('@');
    if (more !== undefined || ls === '') throw new ListError(`invalid --lcores item '${item}': expected LCORES[@CPUS] such as 1@2 or (3-4)@5`);
    const cpus = cs === undefined ? undefined : group(cs, 'CPU');
    for (const lcore of group(ls, 'lcore')) {
      if (out.some((o) => o.lcore === lcore)) throw new ListError(`lcore ${lcore} is given twice in --lcores`);
      out.push({ lcore, cpu: cpus ? cpus[0] : lcore });
    }
  }
  return out;
}

// Main first: the main lcore does not forward.
export function withMainFirst(lcores: LcoreCpu[], main: number | undefined): LcoreCpu[] {
  if (main === undefined) return lcores;
  const m = lcores.find((l) => l.lcore === main);
  if (!m) throw new ListError(`--main-lcore ${main} is not one of the lcores given (${lcores.map((l) => l.lcore).join(',')})`);
  return [m, ...lcores.filter((l) => l !== m)];
}
