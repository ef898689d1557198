// TAB completion inside a flow rule (the rest of `flow create|validate N
// ...`): from the words typed so far, what the rule's grammar (the one
// parseFlowRule reads) allows next. Values (numbers, addresses) have no
// candidates.
import type { Choice } from './spec.js';
import { FLOW_ACTIONS, FLOW_ITEMS } from './flow.js';

const c = (word: string, help: string): Choice => ({ word, help });
const ATTRIBUTES = [c('ingress', 'match received packets'), c('priority', 'priority N: lower first'),
  c('group', 'group N (only group 0)'), c('pattern', 'the items to match, then / end')];
const NEXT_ITEM = c('/', 'next item');
const END = c('end', 'end of the list');
const OPS = [c('is', 'is VALUE: equal to'), c('spec', 'spec VALUE: the value (with mask or last)'),
  c('mask', 'mask VALUE: the bits compared'), c('last', 'last VALUE: the end of a range spec..last')];
const PREFIX = c('prefix', 'prefix LEN: the address\'s leading LEN bits');
const ACTION_HELP: Record<string, string> = {
  queue: 'queue index Q: to rx queue Q', drop: 'drop the packet', count: 'count hits and bytes',
  mark: 'mark id N: tag the packet', rss: 'spread by RSS', kernel: 'hand it to the kernel (KNI)',
  flag: 'flag the packet (no id)', jump: 'jump group G: go on matching in a higher group', passthru: 'let later rules decide',
};
const ACTION_ARG: Record<string, Choice> = { queue: c('index', 'index Q'), mark: c('id', 'id N'), jump: c('group', 'group G') };

// Candidates for the word after `before` (the rule's words so far).
export function flowRuleChoices(before: string[]): Choice[] {
  const at = before.indexOf('pattern');
  if (at < 0) {
    const last = before[before.length - 1];
    return last === 'group' || last === 'priority' ? [] : ATTRIBUTES.filter((a) => !before.includes(a.word));
  }
  const actionsAt = before.indexOf('actions');
  if (actionsAt < 0) return patternChoices(before.slice(at + 1));
  return actionChoices(before.slice(actionsAt + 1));
}

function patternChoices(words: string[]): Choice[] {
  // Back to the start of the current item.
  let k = words.length;
  while (k > 0 && words[k - 1] !== '/') k--;
  const item = words.slice(k);
  if (item.length === 0) return [...Object.keys(FLOW_ITEMS).map((i) => c(i, `fields: ${FLOW_ITEMS[i].join(', ')}`)), END];
  if (item[0] === 'end') return item.length === 1 ? [c('actions', 'the actions, then / end')] : [];
  const fields = FLOW_ITEMS[item[0]];
  if (!fields) return [];
  const rest = item.slice(1);
  // Fields come as FIELD OP VALUE triples.
  if (rest.length % 3 === 1) {
    const addr = (item[0] === 'ipv4' || item[0] === 'ipv6') && rest[rest.length - 1] !== 'proto';
    return addr ? [...OPS, PREFIX] : OPS;
  }
  if (rest.length % 3 === 2) return [];
  return [...fields.map((f) => c(f, `${item[0]} ${f}`)), NEXT_ITEM, END];
}

function actionChoices(words: string[]): Choice[] {
  let k = words.length;
  while (k > 0 && words[k - 1] !== '/') k--;
  const action = words.slice(k);
  if (action.length === 0) return [...FLOW_ACTIONS.map((a) => c(a, ACTION_HELP[a] ?? a)), END];
  if (action[0] === 'end') return [];
  const arg = ACTION_ARG[action[0]];
  if (arg && action.length === 1) return [arg];
  if (arg && action.length === 2) return [];
  return [NEXT_ITEM, END];
}
