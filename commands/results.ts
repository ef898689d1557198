// Typed results of the commands: values, not text. render*.ts draws them in
// testpmd's shapes; --json prints them as they are.
import type { PortCounters, PortInfo } from '../native/addon.js';
import type { KniInfo, ListenerInfo, NetEvent, ProxyInfo } from '../native/netevents.js';
import type { Section } from './spec.js';
import type { CommandResult } from './types.js';
import type { FwdConfig, FwdStats, RxtxConfig, Throughput } from '../session/fwd.js';
export type { FwdConfig, FwdPortStats, FwdStats, FwdStreamLine, RxtxConfig, Throughput } from '../session/fwd.js';

export interface PortStatsResult { kind: 'portStats'; ports: { counters: PortCounters; throughput: Throughput }[] }
export interface PortInfoResult { kind: 'portInfo'; ports: (PortInfo & { ips: string[] })[] }
export interface PortSummaryResult { kind: 'portSummary'; ports: PortInfo[] }
export interface PortXstatsResult { kind: 'portXstats'; ports: { id: number; stats: [string, number][] }[] }
export interface PortsClearedResult { kind: 'portStatsCleared'; ports: number[] }

export interface FwdStatsResult { kind: 'fwdStats'; stats: FwdStats }
export interface FwdStopResult { kind: 'fwdStop'; stats: FwdStats }

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

export type ErrorResult = { kind: 'error'; code: string; message: string; hint?: string };

export function errorResult(code: string, message: string, hint?: string): ErrorResult {
  return hint === undefined ? { kind: 'error', code, message } : { kind: 'error', code, message, hint };
}
