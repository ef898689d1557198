// The shape of the grammar: a command is data (tokens, one line of help, a
// section, a handler). Parsing, help, TAB completion, '?' and "did you mean"
// are all derived from the one table built in grammar.ts.
import type { Session } from '../session/session.js';
import type { DriverHelp, NamedHelp, NativeEngine } from '../native/addon.js';
import type { CommandResult, Section } from './results.js';
import type { ErrorCode } from '../native/errors.js';
export type { Section } from './results.js';

export interface Choice {
  word: string;
  help: string;
  partial?: boolean;   // no space after it
  value?: ParamType;   // a keyword's value (`file PATH`): completes the word after it
}

// What parameters need from a session: the engine (port ids), forwarding modes
// and drivers (read from the addon, never from a second list). Session
// implements this; tests may pass a stand-in.
export interface GrammarContext {
  engine: Pick<NativeEngine, 'portIds'> & Partial<NativeEngine>;
  fwdModes(): NamedHelp[];
  drivers(): DriverHelp[];
}

export type ParseOutcome =
  | { ok: true; value: unknown }
  // syntaxOk: the word had the right form but is not valid here (port 9 when
  // ports are 0..1): such an error wins over "expected one of ..." messages.
  // code and hint: what the error result carries (else EARG_INVALID and the usage).
  | { ok: false; error: string; syntaxOk?: boolean; code?: ErrorCode; hint?: string };

export interface ParamType {
  label: string;                 // shown in syntax: (port_id)
  help: string;                  // one line for '?' and errors
  parse(word: string, ctx: GrammarContext): ParseOutcome;
  // For a rest param, `before` holds the words it took before the one completed.
  complete?(ctx: GrammarContext, prefix: string, before?: string[]): Choice[];
  rest?: boolean;                // swallows the rest of the line (help topic)
  // For a rest param: the words it took, checked and turned into its value
  // once the line matched (keyword options); an error is the command's.
  parseRest?(text: string, ctx: GrammarContext): ParseOutcome;
}

export type Token =
  | { kind: 'word'; word: string }
  | { kind: 'choice'; name: string; choices: (ctx: GrammarContext) => Choice[]; fixed?: Choice[] }
  | { kind: 'param'; name: string; type: ParamType; optional?: boolean };

export type Args = Record<string, unknown>;

// Handed to every handler beside the session: lets `load` run lines.
export interface HandlerContext {
  execute(line: string): Promise<CommandResult>;
  depth: number;                 // nesting of `load`
}

export interface CommandSpec {
  tokens: Token[];
  help: string;
  section: Section;
  handler(session: Session, args: Args, ctx: HandlerContext): CommandResult | Promise<CommandResult>;
}

// Builders so the tables read like testpmd's help text.
export const w = (word: string): Token => ({ kind: 'word', word });
export const choice = (name: string, choices: Choice[] | ((ctx: GrammarContext) => Choice[])): Token =>
  typeof choices === 'function'
    ? { kind: 'choice', name, choices }
    : { kind: 'choice', name, choices: () => choices, fixed: choices };
export const p = (name: string, type: ParamType, optional = false): Token =>
  ({ kind: 'param', name, type, optional });

// "show port (info|stats|xstats) (port_id|all)"
export function syntaxOf(spec: CommandSpec, ctx?: GrammarContext): string {
  return spec.tokens.map((t) => {
    if (t.kind === 'word') return t.word;
    if (t.kind === 'choice') {
      let words: string[] = [t.name];
      if (t.fixed) words = t.fixed.map((c) => c.word);
      else if (ctx) { try { words = t.choices(ctx).map((c) => c.word); } catch { /* keep the name */ } }
      return `(${words.join('|')})`;
    }
    return t.optional ? `[${t.type.label}]` : `(${t.type.label})`;
  }).join(' ');
}

// The path plus any leading choice words (for did-you-mean): "show port info".
export function pathsOf(spec: CommandSpec): string[] {
  let prefixes: string[][] = [[]];
  for (const t of spec.tokens) {
    if (t.kind === 'word') prefixes = prefixes.map((x) => [...x, t.word]);
    else if (t.kind === 'choice' && t.fixed) {
      const cs = t.fixed;
      if (cs.length === 0 || cs.length > 8) break;
      prefixes = prefixes.flatMap((x) => cs.map((c) => [...x, c.word]));
    } else break;
  }
  return prefixes.map((x) => x.join(' '));
}
