// TAB completion and '?' listings, derived from the same table as parsing.
import type { Choice, CommandSpec, GrammarContext, Token } from './spec.js';
import { completeAt, tokenChoices, tokenize, walk } from './parse.js';
import type { Alive } from './parse.js';
import type { Completion, StyledLine } from './types.js';

interface Position { start: number; partial: string; prev: string[] }

function position(line: string, cursor: number): Position {
  const text = line.slice(0, cursor);
  const words = tokenize(text);
  if (words.length === 0 || /\s$/.test(text)) return { start: cursor, partial: '', prev: words.map((w) => w.text) };
  const last = words[words.length - 1];
  return { start: last.start, partial: last.text, prev: words.slice(0, -1).map((w) => w.text) };
}

// Help for a literal word shared by several commands: what can follow it.
function wordHelp(alive: Alive[], k: number, word: string, ctx: GrammarContext): string {
  const specs = alive.filter((a) => !a.done && a.spec.tokens[k]?.kind === 'word'
    && (a.spec.tokens[k] as { word: string }).word === word).map((a) => a.spec);
  if (specs.length === 1) return specs[0].help;
  const follow = new Set<string>();
  for (const s of specs) {
    const t = s.tokens[k + 1];
    if (!t) continue;
    if (t.kind === 'word') follow.add(t.word);
    else if (t.kind === 'choice') { for (const c of tokenChoices(t, ctx, '')) follow.add(c.word); }
    else follow.add(`(${t.type.label})`);
  }
  return `${specs.length} commands: ${word} ${[...follow].join('|')} ...`;
}

interface Candidate extends Choice { fromParam?: boolean }

// Inside a rest param that completes its own words (a flow rule): those
// candidates, from the words it took so far.
function restChoices(a: Alive, prev: string[], partial: string, ctx: GrammarContext): Candidate[] {
  const at = a.spec.tokens.findIndex((t) => t.kind === 'param' && t.type.rest);
  const tok = a.spec.tokens[at];
  if (tok?.kind !== 'param' || !tok.type.complete) return [];
  return tok.type.complete(ctx, partial, prev.slice(at)).filter((c) => c.word.startsWith(partial)).map((c) => ({ ...c, fromParam: true }));
}

function candidates(alive: Alive[], prev: string[], partial: string, ctx: GrammarContext): { choices: Candidate[]; params: Token[] } {
  const k = prev.length;
  const seen = new Map<string, Candidate>();
  const params: Token[] = [];
  for (const a of alive) {
    if (a.spec.section === 'nic') continue;  // recognised, never offered: they cannot work here
    if (a.done) {
      for (const c of restChoices(a, prev, partial, ctx)) if (!seen.has(c.word)) seen.set(c.word, c);
      continue;
    }
    const tok = a.spec.tokens[k];
    if (!tok) continue;
    if (tok.kind === 'param' && !tok.type.complete) { params.push(tok); continue; }
    for (const c of tokenChoices(tok, ctx, partial)) {
      if (!c.word.startsWith(partial) || seen.has(c.word)) continue;
      const help = tok.kind === 'word' ? wordHelp(alive, k, c.word, ctx) : c.help;
      seen.set(c.word, { ...c, help, fromParam: tok.kind === 'param' });
    }
    if (tok.kind === 'param') params.push(tok);
  }
  return { choices: [...seen.values()], params };
}

function commonPrefix(words: string[]): string {
  if (words.length === 0) return '';
  let p = words[0];
  for (const w of words.slice(1)) { while (!w.startsWith(p)) p = p.slice(0, -1); }
  return p;
}

export function complete(table: readonly CommandSpec[], ctx: GrammarContext, line: string, cursor: number): Completion {
  const pos = position(line, cursor);
  const alive = walk(table, ctx, pos.prev);
  const { choices } = candidates(alive, pos.prev, pos.partial, ctx);
  const list = choices.map(({ word, help }) => ({ word, help }));
  if (choices.length === 0) return { start: pos.start, insert: pos.partial, choices: [] };
  if (choices.length === 1) {
    const c = choices[0];
    return { start: pos.start, insert: c.partial ? c.word : `${c.word} `, choices: list };
  }
  const lcp = commonPrefix(choices.map((c) => c.word));
  return { start: pos.start, insert: lcp.length >= pos.partial.length ? lcp : pos.partial, choices: list };
}

export function describeNext(table: readonly CommandSpec[], ctx: GrammarContext, line: string, cursor: number): StyledLine[] {
  let pos = position(line, cursor);
  let alive = walk(table, ctx, pos.prev);
  let found = candidates(alive, pos.prev, pos.partial, ctx);
  // "set fwd?" with the word complete and nothing longer: describe what follows it.
  if (pos.partial && found.choices.length === 1 && found.choices[0].word === pos.partial && found.params.length === 0) {
    pos = { start: cursor, partial: '', prev: [...pos.prev, pos.partial] };
    alive = walk(table, ctx, pos.prev);
    found = candidates(alive, pos.prev, '', ctx);
  }
  const k = pos.prev.length;
  const rows: [string, string][] = found.choices.map((c) => [c.word, c.help]);
  for (const t of found.params) {
    if (t.kind !== 'param') continue;
    const label = t.optional ? `[${t.type.label}]` : `(${t.type.label})`;
    if (!rows.some((r) => r[0] === label)) rows.push([label, t.type.help]);
  }
  const ends = alive.filter((a) => completeAt(a, k));
  if (pos.partial === '' && k > 0 && ends.length > 0) rows.push(['<enter>', ends[0].spec.help]);
  if (rows.length === 0) {
    const typed = [...pos.prev, pos.partial].filter(Boolean).join(' ');
    return [{ text: `nothing matches '${typed}': type 'help' for commands`, style: 'error' }];
  }
  const width = Math.min(28, Math.max(...rows.map((r) => r[0].length)));
  return rows.map(([word, help]) => ({ text: `  ${word.padEnd(width)}  ${help}` }));
}
