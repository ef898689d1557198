// `help [section|all|command words]`, derived from the table.
import type { Choice, CommandSpec, GrammarContext, Section } from './spec.js';
import { p, syntaxOf, w } from './spec.js';
import { rest } from './params.js';
import { errorResult } from './results.js';
import type { HelpResult } from './results.js';
import type { CommandResult } from './types.js';
import { nearest, tokenize } from './parse.js';
import { FILTER_HELP } from './filter-help.js';

// Topics that are not commands: a page of text each.
export const TOPICS = [FILTER_HELP];

export const SECTIONS: { name: Section; title: string; help: string }[] = [
  { name: 'control', title: 'Control forwarding:', help: 'Start and stop forwarding.' },
  { name: 'display', title: 'Display:', help: 'Displaying port, stats and config information.' },
  { name: 'config', title: 'Configuration:', help: 'Configuration information.' },
  { name: 'ports', title: 'Port Operations:', help: 'Configuring ports.' },
  { name: 'nic', title: 'NIC-only commands (recognised; not supported on software ports):', help: 'testpmd commands that need a NIC driver.' },
];

function helpTopics(table: readonly CommandSpec[], prefix: string): Choice[] {
  if (prefix.includes(' ')) return [];
  const out: Choice[] = SECTIONS.map((s) => ({ word: s.name, help: s.help }));
  out.push({ word: 'all', help: 'All of the above sections.' });
  for (const t of TOPICS) out.push({ word: t.name, help: t.help });
  const firsts = new Map<string, number>();
  for (const spec of table) {
    const t = spec.tokens[0];
    if (t.kind === 'word' && !SECTIONS.some((s) => s.name === t.word)) firsts.set(t.word, (firsts.get(t.word) ?? 0) + 1);
  }
  for (const [word, n] of firsts) out.push({ word, help: `the ${n} command${n > 1 ? 's' : ''} starting with '${word}'` });
  return out.filter((c) => c.word.startsWith(prefix));
}

// Loose match of topic words against a command's tokens: literals and fixed
// choices must match, parameters take anything.
function matchesTopic(spec: CommandSpec, words: string[]): boolean {
  if (words.length > spec.tokens.length) return false;
  return words.every((word, i) => {
    const t = spec.tokens[i];
    if (t.kind === 'word') return t.word === word;
    if (t.kind === 'choice') return t.fixed ? t.fixed.some((c) => c.word === word) : true;
    return true;
  });
}

function group(table: readonly CommandSpec[], ctx: GrammarContext, section: Section, filter: (s: CommandSpec) => boolean) {
  const meta = SECTIONS.find((s) => s.name === section)!;
  return {
    section,
    title: meta.title,
    entries: table.filter((s) => s.section === section && filter(s)).map((s) => ({ syntax: syntaxOf(s, ctx), help: s.help })),
  };
}

export function helpFor(table: readonly CommandSpec[], ctx: GrammarContext, topic: string | undefined): CommandResult {
  const words = tokenize(topic ?? '').map((w) => w.text);
  if (words.length === 0) {
    return {
      kind: 'help',
      sections: [...SECTIONS.map((s) => ({ name: s.name, help: s.help })), { name: 'all', help: 'All of the above sections.' },
        ...TOPICS.map((t) => ({ name: t.name, help: t.help }))],
    } satisfies HelpResult;
  }
  if (words.length === 1 && words[0] === 'all') {
    return { kind: 'help', groups: SECTIONS.map((s) => group(table, ctx, s.name, () => true)) } satisfies HelpResult;
  }
  const page = TOPICS.find((t) => t.name === words[0]);
  if (words.length === 1 && page) return { kind: 'help', topic: { title: page.title, lines: page.lines } } satisfies HelpResult;
  const section = SECTIONS.find((s) => s.name === words[0]);
  if (words.length === 1 && section) {
    return { kind: 'help', groups: [group(table, ctx, section.name, () => true)] } satisfies HelpResult;
  }
  const groups = SECTIONS.map((s) => group(table, ctx, s.name, (spec) => matchesTopic(spec, words))).filter((g) => g.entries.length > 0);
  if (groups.length > 0) return { kind: 'help', groups } satisfies HelpResult;
  const firsts = [...SECTIONS.map((s) => s.name), 'all', ...TOPICS.map((t) => t.name), ...table.flatMap((s) => (s.tokens[0].kind === 'word' ? [s.tokens[0].word] : []))];
  const near = nearest(words[0], firsts);
  return errorResult('EHELP_TOPIC', `no help for '${words.join(' ')}': topics are control, display, config, ports, nic, all, ${TOPICS.map((t) => t.name).join(', ')}, or a command word`,
    near.length ? `did you mean 'help ${near[0]}'?` : "type 'help' for the sections");
}

// The `help` command over `tableOf()`, the table it is part of (grammar.ts).
export function helpCommand(tableOf: () => readonly CommandSpec[]): CommandSpec {
  return {
    tokens: [w('help'), p('topic', rest('topic', 'a section (control, display, config, ports, nic), all, or a command word',
      (_ctx, prefix) => helpTopics(tableOf(), prefix)), true)],
    help: 'Show help: sections, a section, all commands, or the commands starting with a word.',
    section: 'control',
    handler: (s, a) => helpFor(tableOf(), s, a.topic as string | undefined),
  };
}
