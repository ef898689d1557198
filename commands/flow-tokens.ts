// The one flow token table (testpmd's rte_flow words): the items and their
// fields, the field operators, the attributes and the actions with their
// arguments. parseFlowRule (flow.ts) reads it to parse a rule and
// flowRuleChoices (flow-complete.ts) to complete one.
import type { Choice } from './spec.js';
import type { FLOW_ACTIONS as ENGINE_ACTIONS, FLOW_ITEMS as ENGINE_ITEMS } from '../native/names.generated.js';

// Keyed by the engine's own names (classify/flow_names.def): tsc fails when
// this table lacks one or has one the engine does not.
type ItemName = typeof ENGINE_ITEMS[number];
type ActionName = typeof ENGINE_ACTIONS[number];

const c = (word: string, help: string): Choice => ({ word, help });

// Fields each item has (rte_flow's names as testpmd writes them).
export const FLOW_ITEMS: Record<string, string[]> = {
  eth: ['dst', 'src', 'type'],
  vlan: ['vid', 'tci'],
  ipv4: ['src', 'dst', 'proto'],
  ipv6: ['src', 'dst', 'proto'],
  udp: ['src', 'dst'],
  tcp: ['src', 'dst'],
  sctp: ['src', 'dst'],
  icmp: ['type', 'code'],
  icmp6: ['type', 'code'],
  gre: ['protocol'],
  vxlan: ['vni'],
  any: [],
} satisfies Record<ItemName, string[]>;

// FIELD OP VALUE; `prefix` only for the ipv4/ipv6 address fields.
export const FLOW_FIELD_OPS: Choice[] = [c('is', 'is VALUE: equal to'), c('spec', 'spec VALUE: the value (with mask or last)'),
  c('mask', 'mask VALUE: the bits compared'), c('last', 'last VALUE: the end of a range spec..last')];
export const FLOW_PREFIX_OP = c('prefix', 'prefix LEN: the address\'s leading LEN bits');

export const FLOW_ATTRIBUTES: Choice[] = [c('ingress', 'match received packets'), c('priority', 'priority N: lower first'),
  c('group', 'group N (only group 0)'), c('pattern', 'the items to match, then / end')];

// An action's argument: `queue index Q` is { word: 'index', value: 'Q' }.
export interface FlowActionArg { word: string; value: string }
export interface FlowAction { help: string; arg?: FlowActionArg }
export const FLOW_ACTIONS: Record<string, FlowAction> = {
  queue: { help: 'queue index Q: to rx queue Q', arg: { word: 'index', value: 'Q' } },
  drop: { help: 'drop the packet' },
  count: { help: 'count hits and bytes' },
  mark: { help: 'mark id N: tag the packet', arg: { word: 'id', value: 'N' } },
  flag: { help: 'flag the packet (no id)' },
  rss: { help: 'spread by RSS' },
  kernel: { help: 'hand it to the kernel (KNI)' },
  jump: { help: 'jump group G: go on matching in a higher group', arg: { word: 'group', value: 'G' } },
  passthru: { help: 'let later rules decide' },
} satisfies Record<ActionName, FlowAction>;
