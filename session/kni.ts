// KNI interfaces (the exception path to the kernel) and IF proxies of a
// session, over the engine. Their requests and events reach the shell through
// the session's event hub (events.ts).
import type { NativeEngine } from '../native/addon.js';
import type { KniInfo, ListenerInfo, NetEvent, ProxyInfo } from '../native/netevents.js';
import '../native/netevents.js';

export class Knis {
  constructor(private readonly engine: NativeEngine) {}

  create(port: number, name: string, all: boolean): KniInfo {
    this.engine.kniCreate(port, name, all);
    return this.engine.kniStats(port);
  }
  // The name the KNI had.
  destroy(port: number): string {
    const { name } = this.engine.kniStats(port);
    this.engine.kniDestroy(port);
    return name;
  }
  setHandler(port: number, policy: string, delayMs: number): void { this.engine.kniSetHandler(port, policy, delayMs); }
  // Every KNI, or the port's (EKNI_NONE when it has none).
  list(port?: number): KniInfo[] {
    const all = this.engine.kniList();
    if (port === undefined) return all;
    const knis = all.filter((k) => k.port === port);
    if (knis.length === 0) this.engine.kniStats(port);  // throws EKNI_NONE, saying what to do
    return knis;
  }
  clearStats(port: number): void { this.engine.kniClearStats(port); }
}

export class Proxies {
  constructor(private readonly engine: NativeEngine) {}

  // The new proxy's port id and what it is.
  create(name: string): { id: number; proxy: ProxyInfo | undefined } {
    const id = this.engine.ifproxyCreate(name);
    return { id, proxy: this.list().find((x) => x.proxyPort === id) };
  }
  // The proxy the port is bound to now.
  bind(port: number, proxy: string | number): ProxyInfo | undefined {
    this.engine.ifproxyBind(port, proxy);
    return this.list().find((x) => x.ports.includes(port));
  }
  unbind(port: number): void { this.engine.ifproxyUnbind(port); }
  list(): ProxyInfo[] { return this.engine.ifproxyList(); }
  listen(rcvbuf?: number): ListenerInfo {
    if (rcvbuf === undefined) this.engine.ifproxyListen(); else this.engine.ifproxyListen(rcvbuf);
    return this.listener();
  }
  stall(ms: number): void { this.engine.ifproxyStall(ms); }
  close(): void { this.engine.ifproxyClose(); }
  listener(): ListenerInfo { return this.engine.ifproxyListener(); }
  // The last `last` events, with the counters of every name.
  events(last: number): { events: NetEvent[]; counters: Record<string, number> } {
    return { events: this.engine.events(last), counters: this.engine.eventCounters() };
  }
  clearEventCounters(): void { this.engine.clearEventCounters(); }
}
