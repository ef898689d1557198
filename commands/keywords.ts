// Keyword options, as in `capture start 0 rx file F count 5 filter udp`: a
// command's options are rows of its grammar entry, KEYWORD VALUE in any
// order. From the rows come the syntax shown in help, TAB and '?' (the
// keywords, then the value's own completion after a keyword), and the one
// check of the words: each value is parsed by its row's type, so a handler
// receives checked values by option name.
import type { Choice, GrammarContext, ParamType, ParseOutcome } from './spec.js';
import { nearest } from './parse.js';
import type { ErrorCode } from '../native/errors.js';

export interface KeywordRow {
  word: string;
  help: string;            // for TAB and '?': 'file PATH: where to write (required)'
  // The value after the keyword; `label` shows in the syntax (file PATH).
  value?: ParamType & { what: string };  // what: 'path' in "missing the path after 'file'"
  more?: Record<string, ParamType & { what: string }>;  // a value that takes one more word: speed pps N
  rest?: { label: string; example: string };  // the value is the rest of the line (filter EXPR)
  required?: string;       // the message when it is missing: "capture needs a file: add 'file PATH'"

}

// Bare words allowed only first, naming one option's value (rx|tx|both).
export interface LeadingWords { name: string; words: Choice[] }

export interface Keywords {
  label: string;           // the syntax: [rx|tx|both] file PATH [format pcap|pcapng] ...
  help: string;
  rows: KeywordRow[];
  leading?: LeadingWords;
}

const said = (words: string[]): string => (words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`);

function syntax(rows: KeywordRow[], leading?: LeadingWords): string {
  const parts = leading ? [`[${leading.words.map((c) => c.word).join('|')}]`] : [];
  for (const r of rows) {
    const v = `${r.word}${r.value ? ` ${r.value.label}` : r.rest ? ` ${r.rest.label}` : ''}`;
    parts.push(r.required ? v : `[${v}]`);
  }
  return parts.join(' ');
}

// Without a hint, the parser shows the command's syntax.
function fail(code: ErrorCode, error: string, hint?: string): ParseOutcome {
  return hint === undefined ? { ok: false, error, code } : { ok: false, error, code, hint };
}

// The rest of a command line as { option: value }; a leading word is under
// leading.name, a keyword without a value is true.
function parseWords(k: Keywords, text: string, ctx: GrammarContext): ParseOutcome {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const out: Record<string, unknown> = {};
  let i = 0;
  if (k.leading && k.leading.words.some((c) => c.word === words[0])) out[k.leading.name] = words[i++];
  while (i < words.length) {
    const word = words[i++];
    const row = k.rows.find((r) => r.word === word);
    if (!row) {
      const valid = [...(k.leading && i === 1 ? k.leading.words.map((c) => c.word) : []), ...k.rows.map((r) => r.word)];
      const near = nearest(word, valid);
      return fail('EARG_INVALID', `unexpected '${word}': expected ${said(valid)}`, near.length ? `did you mean '${near[0]}'?` : undefined);
    }
    if (row.rest) {
      const expr = words.slice(i).join(' ');
      if (!expr) return fail('EARG_MISSING', `missing the expression after '${word}', e.g. ${row.rest.example}`);
      out[row.word] = expr;
      i = words.length;
      continue;
    }
    if (!row.value) { out[row.word] = true; continue; }
    const valueWord = words[i++];
    if (valueWord === undefined) return fail('EARG_MISSING', `missing the ${row.value.what} after '${word}'`);
    const v = row.value.parse(valueWord, ctx);
    if (!v.ok) return fail(v.code ?? 'EARG_INVALID', v.error, v.hint);
    out[row.word] = v.value;
    const more = row.more?.[valueWord];
    if (more) {
      const m = words[i++];
      const mv = m === undefined ? fail('EARG_MISSING', `missing the ${more.what} after '${word} ${valueWord}'`) : more.parse(m, ctx);
      if (!mv.ok) return mv;
      out[`${row.word} ${valueWord}`] = mv.value;
    }
  }
  const missing = k.rows.find((r) => r.required && !(r.word in out));
  if (missing) return fail('EARG_MISSING', missing.required!);
  return { ok: true, value: out };
}

// The grammar parameter for a command's keyword options (the rest of the line).
export function keywords(k: Omit<Keywords, 'label'>): ParamType {
  const full: Keywords = { ...k, label: syntax(k.rows, k.leading) };
  return {
    label: full.label,
    help: full.help,
    rest: true,
    parse: (word) => ({ ok: true, value: word }),
    parseRest: (text, ctx) => parseWords(full, text, ctx),
    complete: (ctx, prefix, before = []) => {
      const [last, second] = [before[before.length - 1], before[before.length - 2]];
      const more = k.rows.find((r) => r.word === second)?.more?.[last];
      if (more) return more.complete?.(ctx, prefix) ?? [];
      const row = k.rows.find((r) => r.word === last);
      if (row?.value) return row.value.complete?.(ctx, prefix) ?? [];
      if (before.some((w) => k.rows.some((r) => r.rest && r.word === w))) return [];
      const lead = before.length === 0 && k.leading ? k.leading.words : [];
      return [...lead, ...k.rows.map((r) => ({ word: r.word, help: r.help }))].filter((c) => c.word.startsWith(prefix));
    },
  };
}
