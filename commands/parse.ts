// Matching a line against the table. Every error says where the line went
// wrong, what was given and what would be valid, and suggests the nearest
// command path ("did you mean ...").
import type { Args, Choice, CommandSpec, GrammarContext, Token } from './spec.js';
import { pathsOf, syntaxOf } from './spec.js';
import { errorResult } from './results.js';
import { clip } from './util.js';
import { editDistance } from './distance.js';
import type { ErrorResult } from './results.js';

export interface Word { text: string; start: number; end: number }

export function tokenize(line: string): Word[] {
  const out: Word[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

// Candidates within a typo's reach of the input, nearest first.
export function nearest(input: string, candidates: string[], max = 3): string[] {
  const limit = (c: string): number => Math.max(2, Math.floor(c.length / 4));
  const scored = [...new Set(candidates)]
    .map((c) => ({ c, d: editDistance(input, c, limit(c)) }))
    .filter((x) => x.d <= limit(x.c) && x.d < Math.max(input.length, 1));
  if (scored.length === 0) return [];
  const best = Math.min(...scored.map((x) => x.d));
  return scored.filter((x) => x.d === best).map((x) => x.c).slice(0, max);
}

// Choices a token offers at this point (literals, choices, completable params).
export function tokenChoices(tok: Token, ctx: GrammarContext, prefix: string): Choice[] {
  try {
    if (tok.kind === 'word') return [{ word: tok.word, help: '' }];
    if (tok.kind === 'choice') return tok.choices(ctx);
    return tok.type.complete ? tok.type.complete(ctx, prefix) : [];
  } catch {
    return [];
  }
}

export interface Alive { spec: CommandSpec; args: Args; done: boolean } // done: a rest param took the line

// Specs that accept all of `words` (as a prefix of their tokens).
export function walk(table: readonly CommandSpec[], ctx: GrammarContext, words: string[]): Alive[] {
  let alive = start(table);
  for (let k = 0; k < words.length; k++) alive = step(alive, k, words, ctx);
  return alive;
}

const start = (table: readonly CommandSpec[]): Alive[] => table.map((spec) => ({ spec, args: {}, done: false }));

// The specs still alive after word k.
function step(alive: Alive[], k: number, words: string[], ctx: GrammarContext): Alive[] {
  const next: Alive[] = [];
  for (const a of alive) {
    const r = a.done ? a : accept(a, k, words, ctx);
    if (r) next.push(r);
  }
  return next;
}

function accept(a: Alive, k: number, words: string[], ctx: GrammarContext): Alive | null {
  const tok = a.spec.tokens[k];
  const word = words[k];
  if (!tok) return null;
  if (tok.kind === 'word') return tok.word === word ? a : null;
  if (tok.kind === 'choice') {
    let cs: Choice[] = [];
    try { cs = tok.choices(ctx); } catch { return null; }
    return cs.some((c) => c.word === word) ? { ...a, args: { ...a.args, [tok.name]: word } } : null;
  }
  if (tok.type.rest) return { ...a, args: { ...a.args, [tok.name]: words.slice(k).join(' ') }, done: true };
  const r = tok.type.parse(word, ctx);
  return r.ok ? { ...a, args: { ...a.args, [tok.name]: r.value } } : null;
}

// Complete when every token left is optional.
export function completeAt(a: Alive, n: number): boolean {
  return a.done || a.spec.tokens.slice(n).every((t) => t.kind === 'param' && t.optional);
}

function describeToken(tok: Token, ctx: GrammarContext): string {
  if (tok.kind === 'word') return tok.word;
  if (tok.kind === 'choice') {
    try { return tok.choices(ctx).map((c) => c.word).join('|'); } catch { return tok.name; }
  }
  return `(${tok.type.label})`;
}

function usage(specs: CommandSpec[], ctx: GrammarContext): string | undefined {
  const lines = [...new Set(specs.map((s) => syntaxOf(s, ctx)))];
  if (lines.length === 0) return undefined;
  const shown = lines.slice(0, 4).join('; ');
  return `usage: ${shown}${lines.length > 4 ? `; ... (${lines.length} forms)` : ''}`;
}

export type ParseResult =
  | { ok: true; spec: CommandSpec; args: Args }
  | { ok: false; error: ErrorResult };

export function parseLine(table: readonly CommandSpec[], ctx: GrammarContext, line: string): ParseResult {
  const words = tokenize(line).map((w) => w.text);
  let alive = start(table);
  for (let k = 0; k < words.length; k++) {
    const next = step(alive, k, words, ctx);
    if (next.length === 0) return { ok: false, error: failAt(table, ctx, alive, words, k) };
    alive = next;
  }
  const full = alive.find((a) => completeAt(a, words.length));
  if (full) return checkRest(full, ctx);
  return { ok: false, error: incomplete(ctx, alive, words) };
}

// A rest param that checks its words (keyword options) does it here, once.
function checkRest(a: Alive, ctx: GrammarContext): ParseResult {
  const args = { ...a.args };
  for (const tok of a.spec.tokens) {
    if (tok.kind !== 'param' || !tok.type.parseRest || args[tok.name] === undefined) continue;
    const r = tok.type.parseRest(args[tok.name] as string, ctx);
    if (!r.ok) return { ok: false, error: errorResult(r.code ?? 'EARG_INVALID', r.error, r.hint ?? usage([a.spec], ctx)) };
    args[tok.name] = r.value;
  }
  return { ok: true, spec: a.spec, args };
}

function unknownCommand(table: readonly CommandSpec[], words: string[]): ErrorResult {
  // Compare the first n words of the line with every command path of n words.
  const paths = [...new Set(table.flatMap((s) => pathsOf(s)))];
  const scored = paths.map((p) => {
    const n = p.split(' ').length;
    const input = words.slice(0, n).join(' ');
    const limit = Math.max(2, Math.floor(p.length / 4));
    return { p, d: editDistance(input, p, limit), n, limit, inputLength: input.length };
  }).filter((x) => x.d <= x.limit && x.d < x.inputLength);
  let hint = '';
  if (scored.length > 0) {
    const best = Math.min(...scored.map((x) => x.d));
    const top = scored.filter((x) => x.d === best).sort((a, b) => b.n - a.n);
    const maxN = top[0].n;
    const names = top.filter((x) => x.n === maxN).slice(0, 3).map((x) => `'${x.p}'`);
    hint = `: did you mean ${names.join(' or ')}?`;
  }
  return errorResult('ECMD_UNKNOWN', `unknown command '${clip(words[0])}'${hint}`, "type 'help' for commands");
}

function failAt(table: readonly CommandSpec[], ctx: GrammarContext, alive: Alive[], words: string[], k: number): ErrorResult {
  const word = words[k];
  if (k === 0) return unknownCommand(table, words);
  const before = words.slice(0, k).join(' ');
  const expecting = alive.filter((a) => !a.done && a.spec.tokens[k]);
  const specs = alive.map((a) => a.spec);
  if (expecting.length === 0) {
    return errorResult('EARG_EXTRA', `too many arguments: '${before}' takes nothing after it, got '${words.slice(k).join(' ')}'`,
      usage(specs, ctx));
  }
  // A typed parameter that recognised the form but refused the value speaks first.
  const paramErrors: { error: string; syntaxOk: boolean; spec: CommandSpec }[] = [];
  const literals: string[] = [];
  const choiceToks: { name: string; words: string[] }[] = [];
  for (const a of expecting) {
    const tok = a.spec.tokens[k];
    if (tok.kind === 'word') literals.push(tok.word);
    else if (tok.kind === 'choice') {
      let cs: string[] = [];
      try { cs = tok.choices(ctx).map((c) => c.word); } catch { /* none */ }
      choiceToks.push({ name: tok.name, words: cs });
    } else {
      const r = tok.type.parse(word, ctx);
      if (!r.ok) paramErrors.push({ error: r.error, syntaxOk: !!r.syntaxOk, spec: a.spec });
    }
  }
  const expectingSpecs = expecting.map((a) => a.spec);
  const semantic = paramErrors.find((e) => e.syntaxOk);
  if (semantic) return errorResult('EARG_INVALID', semantic.error, usage([semantic.spec], ctx));
  // One choice, maybe offered by several forms (set fwd MODE, set fwd MODE retry).
  if (literals.length === 0 && new Set(choiceToks.map((x) => x.name)).size === 1 && paramErrors.length === 0) {
    const c = { name: choiceToks[0].name, words: [...new Set(choiceToks.flatMap((x) => x.words))] };
    const near = nearest(word, c.words);
    return errorResult('EARG_INVALID', `unknown ${c.name} '${word}': valid ${c.name}s are ${c.words.join(', ')}`,
      near.length ? `did you mean '${near[0]}'?` : usage(expectingSpecs, ctx));
  }
  if (literals.length === 0 && choiceToks.length === 0 && paramErrors.length > 0) {
    return errorResult('EARG_INVALID', paramErrors[0].error, usage(expectingSpecs, ctx));
  }
  const options = [...new Set([
    ...literals,
    ...choiceToks.flatMap((c) => c.words),
    ...expecting.map((a) => a.spec.tokens[k]).filter((t) => t.kind === 'param').map((t) => describeToken(t, ctx)),
  ])];
  const near = nearest(word, [...literals, ...choiceToks.flatMap((c) => c.words)]);
  const hint = near.length ? `did you mean '${before} ${near[0]}'?` : usage(expectingSpecs, ctx);
  return errorResult('EARG_INVALID', `unexpected '${clip(word)}' after '${clip(before)}': expected ${options.join(', ')}`, hint);
}

function incomplete(ctx: GrammarContext, alive: Alive[], words: string[]): ErrorResult {
  const n = words.length;
  const line = words.join(' ');
  const next = alive.map((a) => a.spec.tokens[n]).filter((t): t is Token => !!t);
  const params = next.filter((t) => t.kind === 'param');
  if (params.length === next.length && params.length > 0) {
    const t = params[0] as Extract<Token, { kind: 'param' }>;
    return errorResult('EARG_MISSING', `missing (${t.type.label}) after '${line}': ${t.type.help}`, usage(alive.map((a) => a.spec), ctx));
  }
  const options = [...new Set(next.map((t) => describeToken(t, ctx)))];
  return errorResult('EARG_MISSING', `incomplete command '${line}': expected ${options.join(', ')}`,
    usage(alive.map((a) => a.spec), ctx));
}
