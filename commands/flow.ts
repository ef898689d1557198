// Software RSS and flow rules: testpmd's `flow ...`, `port config all|N rss
// ...`, `port config N rss reta ...`, plus `show port N rss`. The flow rule's
// token syntax is parsed here (the one parser) into a FlowRuleSpec; the engine
// maps names and values and checks whether the rule can apply to the port.
import '../native/flow.js';
import type { FlowActionSpec, FlowFieldSpec, FlowItemSpec, FlowRuleSpec } from '../native/flow.js';
import type { CommandSpec, ParamType } from './spec.js';
import { choice, p, w } from './spec.js';
import { portId, portSel, rest, uint } from './params.js';
import { errorResult } from './results.js';
import type { CommandResult } from './types.js';
import { NONE, message, selectPorts } from './util.js';
import { flowRuleChoices } from './flow-complete.js';
import { FLOW_ACTIONS, FLOW_ITEMS } from './flow-tokens.js';
import type { FlowListResult, FlowQueryResult, PortRssResult } from './results.js';

const RSS_KEY: ParamType = {
  label: 'hex_key', help: 'the 40-byte Toeplitz key as 80 hex digits',
  parse: (word) => (/^[0-9a-fA-F]{80}$/.test(word) ? { ok: true, value: word } : { ok: false, error: `invalid RSS key '${word}': expected 80 hex digits (40 bytes)` }),
};
const RSS_KEY_TYPES = ['ipv4', 'ipv4-frag', 'ipv4-tcp', 'ipv4-udp', 'ipv4-sctp', 'ipv4-other', 'ipv6', 'ipv6-frag', 'ipv6-tcp',
  'ipv6-udp', 'ipv6-sctp', 'ipv6-other', 'l2-payload', 'ipv6-ex', 'ipv6-tcp-ex', 'ipv6-udp-ex'];

export class FlowSyntaxError extends Error {}

const UINT = /^(0x[0-9a-fA-F]+|0|[1-9][0-9]*)$/;

function num(word: string | undefined, what: string): number {
  if (word === undefined) throw new FlowSyntaxError(`missing ${what}`);
  if (!UINT.test(word)) throw new FlowSyntaxError(`${what} '${word}' is not a number`);
  const n = Number(word);
  if (n > 0xffffffff) throw new FlowSyntaxError(`${what} ${word} is out of range`);
  return n;
}

// Prefix length -> mask text for IPv4/IPv6 address fields.
function prefixMask(item: string, len: number): string {
  const bits = item === 'ipv6' ? 128 : 32;
  if (len > bits) throw new FlowSyntaxError(`prefix ${len} is longer than an ${item} address (${bits} bits)`);
  const bytes = Array.from({ length: bits / 8 }, (_, i) => {
    const b = Math.max(0, Math.min(8, len - i * 8));
    return (0xff << (8 - b)) & 0xff;
  });
  if (item === 'ipv4') return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':');
}

// "[group N] [priority N] [ingress] [egress] pattern ITEM [/ ITEM]... / end
//  actions ACTION [/ ACTION]... / end"
export function parseFlowRule(text: string): FlowRuleSpec {
  const t = text.trim().split(/\s+/).filter((x) => x !== '');
  let k = 0;
  const rule: FlowRuleSpec = { group: 0, priority: 0, ingress: false, egress: false, pattern: [], actions: [], text: t.join(' ') };
  for (; k < t.length && t[k] !== 'pattern'; k++) {
    const word = t[k];
    if (word === 'group') rule.group = num(t[++k], 'group');
    else if (word === 'priority') rule.priority = num(t[++k], 'priority');
    else if (word === 'ingress') rule.ingress = true;
    else if (word === 'egress') rule.egress = true;
    else if (word === 'transfer') throw new FlowSyntaxError("attribute 'transfer' is not supported: rules apply to a port's ingress");
    else throw new FlowSyntaxError(`unexpected '${word}': expected group N, priority N, ingress, egress or pattern`);
  }
  if (t[k] !== 'pattern') throw new FlowSyntaxError("missing 'pattern ITEM / ... / end'");
  k++;
  // Items until "end".
  for (;;) {
    const name = t[k];
    if (name === undefined) throw new FlowSyntaxError("the pattern is not closed: end it with '/ end'");
    if (name === 'end') { k++; break; }
    if (name === '/') throw new FlowSyntaxError("an empty pattern item before '/'");
    const fields = Object.hasOwn(FLOW_ITEMS, name) ? FLOW_ITEMS[name] : undefined;
    if (!fields) throw new FlowSyntaxError(`unknown pattern item '${name}': valid items are ${Object.keys(FLOW_ITEMS).join(', ')}, and end`);
    k++;
    const byName = new Map<string, FlowFieldSpec>();
    while (k < t.length && t[k] !== '/' && t[k] !== 'end') {
      const field = t[k];
      if (!fields.includes(field)) {
        throw new FlowSyntaxError(`item '${name}' has no field '${field}': its fields are ${fields.join(', ')}`);
      }
      const op = t[k + 1];
      const value = t[k + 2];
      if (op === undefined || value === undefined) throw new FlowSyntaxError(`'${name} ${field}' needs 'is VALUE', 'spec VALUE', 'mask VALUE', 'last VALUE' or 'prefix LEN'`);
      const f = byName.get(field) ?? { name: field, spec: '' };
      if (op === 'is') { f.spec = value; f.mask = undefined; f.last = undefined; }
      else if (op === 'spec') f.spec = value;
      else if (op === 'mask') f.mask = value;
      else if (op === 'last') f.last = value;  // testpmd's range: spec..last
      else if (op === 'prefix') {
        if ((name !== 'ipv4' && name !== 'ipv6') || field === 'proto') throw new FlowSyntaxError(`'prefix' applies to ipv4/ipv6 addresses, not '${name} ${field}'`);
        f.mask = prefixMask(name, num(value, 'prefix length'));
      } else throw new FlowSyntaxError(`unexpected '${op}' after '${name} ${field}': expected is, spec, mask, last or prefix`);
      byName.set(field, f);
      k += 3;
    }
    for (const f of byName.values()) {
      if (f.spec === '') throw new FlowSyntaxError(`'${name} ${f.name}' has a mask or last but no value: add '${f.name} spec VALUE'`);
    }
    const item: FlowItemSpec = { type: name, fields: [...byName.values()] };
    rule.pattern.push(item);
    if (t[k] === '/') k++;
  }
  if (t[k] !== 'actions') throw new FlowSyntaxError(`expected 'actions' after the pattern's end, got ${t[k] === undefined ? 'nothing' : `'${t[k]}'`}`);
  k++;
  for (;;) {
    const name = t[k];
    if (name === undefined) throw new FlowSyntaxError("the actions are not closed: end them with '/ end'");
    if (name === 'end') { k++; break; }
    const a: FlowActionSpec = { type: name };
    k++;
    const arg = FLOW_ACTIONS[name]?.arg;
    if (arg) {
      if (t[k] !== arg.word) throw new FlowSyntaxError(`write '${name} ${arg.word} ${arg.value}'`);
      a.value = num(t[k + 1], `${name} ${arg.word}`);
      k += 2;
    } else if (name === 'rss') {
      while (t[k] === 'queues' || t[k] === 'types') {
        const list = t[k];
        k++;
        const vals: string[] = [];
        while (k < t.length && t[k] !== 'end') vals.push(t[k++]);
        if (t[k] !== 'end') throw new FlowSyntaxError(`rss ${list} must end with 'end'`);
        k++;
        if (list === 'queues') a.queues = vals.map((v) => num(v, 'rss queue'));
        // types: the port's RSS types (or all) are used; the list is accepted for testpmd compatibility
      }
    } else if (!Object.hasOwn(FLOW_ACTIONS, name)) {
      throw new FlowSyntaxError(`unknown action '${name}': valid actions are ${Object.keys(FLOW_ACTIONS).join(', ')}, and end`);
    }
    rule.actions.push(a);
    if (t[k] === '/') k++;
    else if (t[k] === undefined) throw new FlowSyntaxError("the actions are not closed: end them with '/ end'");
    else if (t[k] !== 'end') throw new FlowSyntaxError(`unexpected '${t[k] ?? ''}' after action '${name}': expected '/' or 'end'`);
  }
  if (k < t.length) throw new FlowSyntaxError(`unexpected '${t.slice(k).join(' ')}' after the actions' end`);
  if (!rule.ingress && !rule.egress) rule.ingress = true;  // testpmd rules are ingress when unsaid
  return rule;
}

function withRule(text: unknown, fn: (r: FlowRuleSpec) => CommandResult): CommandResult {
  let rule: FlowRuleSpec;
  try { rule = parseFlowRule(String(text ?? '')); } catch (e) {
    if (e instanceof FlowSyntaxError) {
      return errorResult('EFLOW_SYNTAX', e.message, 'usage: flow create|validate PORT [priority N] ingress pattern ITEM [/ ITEM]... / end actions ACTION [/ ACTION]... / end');
    }
    throw e;
  }
  return fn(rule);
}

// "(0,1,2,3)" -> queue list filling the table in turn; "(0,1),(5,2)" -> (index,queue) pairs as testpmd's.
export function parseReta(text: string, size: number): [number, number][] | string {
  const compact = text.replace(/\s+/g, '');
  if (!/^\([0-9,]*\)(,?\([0-9,]*\))*$/.test(compact)) {
    return `expected (q,q,...) or (index,queue),(index,queue),..., got '${text}'`;
  }
  const lists = (compact.match(/\(([^()]*)\)/g) ?? []).map((g) => g.slice(1, -1).split(',').filter((x) => x !== ''));
  if (lists.length === 1) {
    const qs = lists[0].map(Number);
    if (qs.length === 0) return 'the queue list is empty';
    return Array.from({ length: size }, (_, i) => [i, qs[i % qs.length]] as [number, number]);
  }
  const out: [number, number][] = [];
  for (const l of lists) {
    if (l.length !== 2) return `each entry of '${text}' must be (index,queue)`;
    out.push([Number(l[0]), Number(l[1])]);
  }
  return out;
}

const RSS_TYPES = [
  { word: 'all', help: 'IPv4/IPv6 on addresses, UDP and TCP on addresses and ports' },
  { word: 'ip', help: 'IPv4 and IPv6 packets on their addresses' },
  { word: 'udp', help: 'UDP packets on addresses and ports' },
  { word: 'tcp', help: 'TCP packets on addresses and ports' },
  { word: 'none', help: 'no RSS: packets stay on the queue they arrive on' },
  { word: 'ipv4', help: 'IPv4 packets on their addresses' },
  { word: 'ipv6', help: 'IPv6 packets on their addresses' },
  { word: 'ipv4-tcp', help: 'TCP over IPv4 on addresses and ports' },
  { word: 'ipv4-udp', help: 'UDP over IPv4 on addresses and ports' },
  { word: 'ipv6-tcp', help: 'TCP over IPv6 on addresses and ports' },
  { word: 'ipv6-udp', help: 'UDP over IPv6 on addresses and ports' },
];

// testpmd's boolean words.
const ISOLATE_WORDS = [
  { word: 'on', on: true, help: 'isolated' }, { word: 'true', on: true, help: 'isolated' }, { word: '1', on: true, help: 'isolated' },
  { word: 'off', on: false, help: 'not isolated' }, { word: 'false', on: false, help: 'not isolated' }, { word: '0', on: false, help: 'not isolated' },
];

const ruleId = uint('rule_id', 'a flow rule id (see flow list)');

export const flow: CommandSpec[] = [
  {
    tokens: [w('flow'), choice('verb', [
      { word: 'validate', help: 'check whether a flow rule can be created' },
      { word: 'create', help: 'create a flow rule' },
    ]), p('port', portId), p('rule', rest('[priority N] ingress pattern ... / end actions ... / end',
      'items eth|vlan|ipv4|ipv6|udp|tcp|sctp|icmp|icmp6|gre|vxlan|any with FIELD is|spec|mask|last VALUE; actions queue index Q|drop|count|mark id N|flag|rss|kernel|jump group G|passthru',
      (_ctx, _prefix, before = []) => flowRuleChoices(before)))],
    help: 'Check whether a flow rule can be created (validate) or create it, e.g. flow create 0 ingress pattern eth / ipv4 / udp dst is 4789 / end actions queue index 1 / count / end.',
    section: 'config',
    handler: (s, a) => withRule(a.rule, (rule) => {
      const port = a.port as number;
      if (a.verb === 'validate') {
        s.flows.validate(port, rule);
        return message('Flow rule validated');
      }
      const id = s.flows.create(port, rule);
      return message(`Flow rule #${id} created`);
    }),
  },
  {
    tokens: [w('flow'), w('destroy'), p('port', portId), p('rules', rest('rule ID [rule ID]...', 'the rules to destroy'))],
    help: 'Destroy specific flow rules.',
    section: 'config',
    handler: (s, a) => {
      const words = String(a.rules).split(/\s+/).filter((x) => x !== '' && x !== 'rule');
      if (words.length === 0) return errorResult('EARG_MISSING', "missing rule id: write 'flow destroy PORT rule ID'");
      const lines: string[] = [];
      for (const word of words) {
        if (!/^(0|[1-9][0-9]*)$/.test(word)) return errorResult('EARG_INVALID', `invalid rule id '${word}': expected a number`);
        s.flows.destroy(a.port as number, Number(word));
        lines.push(`Flow rule #${word} destroyed`);
      }
      return message(...lines);
    },
  },
  {
    tokens: [w('flow'), w('flush'), p('port', portId)],
    help: 'Destroy all flow rules.',
    section: 'config',
    handler: (s, a) => { s.flows.flush(a.port as number); return NONE; },
  },
  {
    tokens: [w('flow'), w('list'), p('port', portId)],
    help: 'List existing flow rules sorted by group, then priority.',
    section: 'display',
    handler: (s, a): FlowListResult => ({ kind: 'flowList', port: a.port as number, rules: s.flows.list(a.port as number) }),
  },
  {
    tokens: [w('flow'), w('list'), p('port', portId), w('group'), p('group', uint('group', 'the group whose rules to list'))],
    help: 'List the flow rules of one group, sorted by priority.',
    section: 'display',
    handler: (s, a): FlowListResult => ({ kind: 'flowList', port: a.port as number, rules: s.flows.list(a.port as number, a.group as number) }),
  },
  {
    tokens: [w('flow'), w('isolate'), p('port', portId), choice('mode', ISOLATE_WORDS)],
    help: 'Restrict ingress traffic to the defined flow rules (in software: what no rule matches is dropped).',
    section: 'config',
    handler: (s, a) => {
      const on = ISOLATE_WORDS.find((x) => x.word === a.mode)!.on;
      s.flows.isolate(a.port as number, on);
      return message(`Ingress traffic on port ${a.port} is ${on ? 'now restricted' : 'not restricted anymore'} to the defined flow rules`);
    },
  },
  {
    tokens: [w('flow'), w('query'), p('port', portId), p('id', ruleId), w('count')],
    help: 'Query the count action of an existing flow rule.',
    section: 'display',
    handler: (s, a): FlowQueryResult => ({ kind: 'flowQuery', port: a.port as number, id: a.id as number, count: s.flows.query(a.port as number, a.id as number) }),
  },
  {
    tokens: [w('port'), w('config'), p('port', portSel), w('rss'), choice('rss type', RSS_TYPES)],
    help: 'Set the RSS mode: spread received packets over the rx queues by a Toeplitz hash (in software).',
    section: 'ports',
    handler: (s, a) => {
      for (const id of selectPorts(s, a.port)) s.flows.setRssTypes(id, a['rss type'] as string);
      return NONE;
    },
  },
  {
    tokens: [w('port'), w('config'), p('port', portId), w('rss'), w('reta'), p('entries', rest('(q,q,...)|(index,queue)[,(index,queue)]',
      'queues filling the redirection table in turn, or testpmd\'s (index,queue) entries'))],
    help: 'Set the RSS redirection table: (q,q,...) fills it with the queues in turn; (index,queue),... sets entries.',
    section: 'ports',
    handler: (s, a) => {
      const port = a.port as number;
      const entries = parseReta(String(a.entries), s.flows.rss(port).reta.length);
      if (typeof entries === 'string') return errorResult('EARG_INVALID', entries);
      s.flows.setReta(port, entries);
      return NONE;
    },
  },
  {
    tokens: [w('port'), w('config'), p('port', portId), w('rss-hash-key'), p('key', RSS_KEY)],
    help: 'Set the RSS hash key (40 bytes as 80 hex digits).',
    section: 'ports',
    handler: (s, a) => { s.flows.setRssKey(a.port as number, a.key as string); return NONE; },
  },
  {
    // testpmd names a flow type; the software hash has one key for every type.
    tokens: [w('port'), w('config'), p('port', portId), w('rss-hash-key'), choice('flow type', RSS_KEY_TYPES.map((t) => ({ word: t, help: 'the key is shared by every flow type' }))), p('key', RSS_KEY)],
    help: 'Set the RSS hash key, testpmd\'s form (one key serves every flow type in software).',
    section: 'ports',
    handler: (s, a) => { s.flows.setRssKey(a.port as number, a.key as string); return NONE; },
  },
  {
    tokens: [w('show'), w('port'), p('port', portId), w('rss')],
    help: "Show a port's RSS types, queues (driver-fed or software), per-queue counters, rule drops and redirection table.",
    section: 'display',
    handler: (s, a): PortRssResult => ({ kind: 'portRss', rss: s.flows.rss(a.port as number) }),
  },
];
