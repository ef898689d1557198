// TAB completion inside a flow rule (the rest of `flow create|validate N
// ...`): from the words typed so far, what the flow token table allows next. Values (numbers, addresses) have no
// candidates.
import type { Choice } from './spec.js';
import { FLOW_ACTIONS, FLOW_ATTRIBUTES, FLOW_FIELD_OPS, FLOW_ITEMS, FLOW_PREFIX_OP } from './flow-tokens.js';

const c = (word: string, help: string): Choice => ({ word, help });
const NEXT_ITEM = c('/', 'next item');
const END = c('end', 'end of the list');

// Candidates for the word after `before` (the rule's words so far).
export function flowRuleChoices(before: string[]): Choice[] {
  const at = before.indexOf('pattern');
  if (at < 0) {
    const last = before[before.length - 1];
    return last === 'group' || last === 'priority' ? [] : FLOW_ATTRIBUTES.filter((a) => !before.includes(a.word));
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
    return addr ? [...FLOW_FIELD_OPS, FLOW_PREFIX_OP] : FLOW_FIELD_OPS;
  }
  if (rest.length % 3 === 2) return [];
  return [...fields.map((f) => c(f, `${item[0]} ${f}`)), NEXT_ITEM, END];
}

function actionChoices(words: string[]): Choice[] {
  let k = words.length;
  while (k > 0 && words[k - 1] !== '/') k--;
  const action = words.slice(k);
  if (action.length === 0) return [...Object.entries(FLOW_ACTIONS).map(([name, a]) => c(name, a.help)), END];
  if (action[0] === 'end') return [];
  const arg = FLOW_ACTIONS[action[0]]?.arg;
  if (arg && action.length === 1) return [c(arg.word, `${arg.word} ${arg.value}`)];
  if (arg && action.length === 2) return [];
  return [NEXT_ITEM, END];
}
