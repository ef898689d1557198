// The Engine methods of native/binding/flow.cpp (software RSS and flow rules),
// added to NativeEngine by declaration merging so addon.ts stays as it is.
// Values as written (MAC, IP, number); `last` makes spec..last a range.
export interface FlowFieldSpec { name: string; spec: string; mask?: string; last?: string }
export interface FlowItemSpec { type: string; fields: FlowFieldSpec[] }
export interface FlowActionSpec { type: string; value?: number; queues?: number[] }
export interface FlowRuleSpec {
  group: number; priority: number; ingress: boolean; egress: boolean;
  pattern: FlowItemSpec[];
  actions: FlowActionSpec[];
  text: string;            // the rule as written, kept for `flow list`
}
export interface FlowListEntry {
  id: number; group: number; priority: number; ingress: boolean;
  pattern: string;         // "ETH IPV4 UDP"
  actions: string;         // "QUEUE COUNT"
  text: string;
}
export interface FlowCountResult { hitsSet: boolean; bytesSet: boolean; hits: number; bytes: number }
export interface RssQueueInfo { queue: number; driver: boolean; packets: number; steeredIn: number; waiting: number }
export interface PortRssInfo {
  port: number;
  types: string;           // "ipv4 ipv6 udp tcp" | "none"
  enabled: boolean;        // the software classifier runs on this port's rx path
  nbRxQueues: number; driverQueues: number; maxDriverQueues: number;
  key: string;             // hex
  reta: number[];
  rules: number;
  droppedByRules: number; toKernel: number; kernelDropped: number; rssHashed: number; rxMissed: number;
  queues: RssQueueInfo[];
}

declare module './addon.js' {
  interface NativeEngine {
    flowValidate(port: number, rule: FlowRuleSpec): void;
    flowCreate(port: number, rule: FlowRuleSpec): number;
    flowDestroy(port: number, id: number): void;
    flowFlush(port: number): void;
    flowList(port: number): FlowListEntry[];
    flowQuery(port: number, id: number): FlowCountResult;
    flowIsolate(port: number, on: boolean): void;  // only what rules match is received
    portRss(port: number): PortRssInfo;
    portSetRss(port: number, types: string): void;  // all, ip, udp, tcp, none or testpmd's ipv4, ipv4-tcp, ...; EINVAL_RSS otherwise
    portSetReta(port: number, entries: [number, number][]): void;
    portSetRssKey(port: number, hex: string): void;
  }
}
