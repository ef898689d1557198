// The IF-proxy, KNI and event methods the addon adds to Engine (binding file
// native/binding/netevents.cpp), merged into NativeEngine.
export interface NetEvent {
  seq: number;
  timeUs: number;          // CLOCK_REALTIME in microseconds
  name: string;            // mtu_change, addr_add, route_add, cfg_finished, overflow, kni_request, kni_response, ...
  proxy: string;           // interface name ('' for events of no interface)
  ifIndex: number;
  ports: number[];         // ports bound to the proxy (the KNI's port)
  values: Record<string, string>;
}

export interface ProxyInfo {
  name: string; ifIndex: number;
  proxyPort: number;       // the ringside port that is this interface, -1 if none
  ports: number[];         // bound ports
  exists: boolean;
  mac: string; mtu: number; up: boolean; operstate: string;
  addrs: string[];
}

export interface ListenerInfo {
  running: boolean; listening: boolean; rcvbuf: number;
  overflows: number; missed: number; recovered: number; messages: number;
  links: number; addrs: number; routes: number; neighs: number; undelivered: number;
}

export interface KniCounters {
  rxPackets: number; rxBytes: number; rxDropped: number;
  txPackets: number; txBytes: number; txDropped: number;
  requestsHandled: number; requestsRejected: number;
}

export interface KniInfo {
  port: number; name: string; ifIndex: number; all: boolean;
  policy: 'accept' | 'reject' | 'delay'; delayMs: number;
  mtu: number; up: boolean; mac: string; pending: number;
  stats: KniCounters;
}

declare module './addon.js' {
  interface NativeEngine {
    onEvents(fn: (() => void) | null): void;     // called (no arguments) when events wait: drainEvents()
    drainEvents(max?: number): NetEvent[];
    events(last?: number, afterSeq?: number): NetEvent[];  // history
    eventCounters(): Record<string, number>;
    clearEventCounters(): void;
    ifproxyCreate(name?: string): number;        // the new proxy port's id
    ifproxyBind(port: number, proxy: string | number): void;
    ifproxyUnbind(port: number): void;
    ifproxyList(): ProxyInfo[];
    ifproxyListen(rcvbuf?: number): void;
    ifproxyClose(): void;
    ifproxyStall(ms: number): void;              // diagnostics: the listener stops reading for ms
    ifproxyListener(): ListenerInfo;
    kniCreate(port: number, name: string, all: boolean): void;
    kniDestroy(port: number): void;
    kniList(): KniInfo[];
    kniStats(port: number): KniInfo;
    kniSetHandler(port: number, policy: string, delayMs?: number): void;
    kniProcessRequests(): number;                // ms until a delayed request is due, -1 none
    kniClearStats(port: number): void;
  }
}
