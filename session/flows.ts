// Software RSS and flow rules of a session's ports, over the engine's
// classifier. Rules arrive parsed (commands/flow.ts); the engine maps names
// and values and checks whether a rule can apply to the port.
import type { NativeEngine } from '../native/addon.js';
import type { FlowCountResult, FlowListEntry, FlowRuleSpec, PortRssInfo } from '../native/flow.js';
import '../native/flow.js';

export class Flows {
  constructor(private readonly engine: NativeEngine) {}

  validate(port: number, rule: FlowRuleSpec): void { this.engine.flowValidate(port, rule); }
  // The new rule's id.
  create(port: number, rule: FlowRuleSpec): number { return this.engine.flowCreate(port, rule); }
  destroy(port: number, id: number): void { this.engine.flowDestroy(port, id); }
  flush(port: number): void { this.engine.flowFlush(port); }
  // group undefined: every group.
  list(port: number, group?: number): FlowListEntry[] {
    const rules = this.engine.flowList(port);
    return group === undefined ? rules : rules.filter((r) => r.group === group);
  }
  query(port: number, id: number): FlowCountResult { return this.engine.flowQuery(port, id); }
  isolate(port: number, on: boolean): void { this.engine.flowIsolate(port, on); }

  rss(port: number): PortRssInfo { return this.engine.portRss(port); }
  setRssTypes(port: number, types: string): void { this.engine.portSetRss(port, types); }
  setReta(port: number, entries: [number, number][]): void { this.engine.portSetReta(port, entries); }
  setRssKey(port: number, hex: string): void { this.engine.portSetRssKey(port, hex); }
}
