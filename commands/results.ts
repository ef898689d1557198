// Typed results of the commands: values, not text. render*.ts draws them in
// testpmd's shapes; a future --json prints them as they are.
import type { PortCounters, PortInfo, StreamCounters } from '../native/addon.js';
import type { ErrorCode } from '../native/errors.js';
import type { KniInfo, ListenerInfo, NetEvent, ProxyInfo } from '../native/netevents.js';
import type { Section } from './spec.js';
import type { CommandResult } from './types.js';

export interface Throughput { rxPps: number; rxBps: number; txPps: number; txBps: number }

export interface PortStatsResult { kind: 'portStats'; ports: { counters: PortCounters; throughput: Throughput }[] }
export interface PortInfoResult { kind: 'portInfo'; ports: (PortInfo & { ips: string[] })[] }
export interface PortSummaryResult { kind: 'portSummary'; ports: PortInfo[] }
export interface PortXstatsResult { kind: 'portXstats'; ports: { id: number; stats: [string, number][] }[] }
export interface PortsClearedResult { kind: 'portStatsCleared'; ports: number[] }

export interface FwdPortStats {
  id: number; rxPackets: number; rxDropped: number; txPackets: number; txDropped: number;
  badIpCsum: number; badL4Csum: number;
}
export interface FwdStats {
  ports: FwdPortStats[];
  csum: boolean;               // csum mode: testpmd adds the Bad-ipcsum lines

  streams: StreamCounters[];   // shown one by one when there are more streams than ports
  showStreams: boolean;
}
export interface FwdStatsResult { kind: 'fwdStats'; stats: FwdStats }
export interface FwdStopResult { kind: 'fwdStop'; stats: FwdStats }

export interface FwdStreamLine { rxPort: number; rxQueue: number; txPort: number; txQueue: number; peer: string }
export interface FwdConfig {
  mode: string;
  retry?: { delayUs: number; tries: number };  // set fwd MODE retry
  nbPorts: number;
  nbCores: number;
  nbStreams: number;
  lcores: { lcore: number; cpu: number; streams: FwdStreamLine[] }[];
}
export interface RxtxConfig {
  mode: string;
  burst: number;
  txpkts: number[] | null;     // set for generating modes (txonly, flowgen)
  nbCores: number;
  nbPorts: number;
  // Descriptors of each queue: the ring's size where the port has rings, else what was asked (0: default).
  ports: { id: number; nbRxQueues: number; nbTxQueues: number; rxDesc: number[]; txDesc: number[] }[];
}
export interface ConfigFwdResult { kind: 'configFwd'; fwd: FwdConfig }
export interface ConfigRxtxResult { kind: 'configRxtx'; rxtx: RxtxConfig }
export interface ConfigCoresResult { kind: 'configCores'; lcores: number[] }
export interface FwdStartResult { kind: 'fwdStart'; fwd: FwdConfig; rxtx: RxtxConfig }

export interface HelpEntry { syntax: string; help: string }
export interface HelpResult {
  kind: 'help';
  sections?: { name: string; help: string }[];                            // plain `help`
  groups?: { section: Section; title: string; entries: HelpEntry[] }[];   // help SECTION|all|word
  topic?: { title: string; lines: string[] };                             // help filter
}

export interface ScriptStep { lineNo: number; line: string; result: CommandResult }
export interface ScriptResult {
  kind: 'script';
  file: string;
  steps: ScriptStep[];
  failed?: { lineNo: number; line: string };
  quitting?: boolean;          // the file ran quit: no trailer
}

// KNI and IF proxy (commands/kni.ts, commands/ifproxy.ts; drawn by render-net.ts).
export interface KniListResult { kind: 'kniList'; knis: KniInfo[] }
export interface IfproxyListResult { kind: 'ifproxyList'; proxies: ProxyInfo[]; listener: ListenerInfo }
export interface IfproxyEventsResult { kind: 'ifproxyEvents'; events: NetEvent[]; counters: Record<string, number>; listener: ListenerInfo }

export type ErrorResult = { kind: 'error'; code: ErrorCode; message: string; hint?: string };

export function errorResult(code: ErrorCode, message: string, hint?: string): ErrorResult {
  return hint === undefined ? { kind: 'error', code, message } : { kind: 'error', code, message, hint };
}
