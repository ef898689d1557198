// Typed results of the commands: values, not text. render*.ts draws them in
// testpmd's shapes; --json prints them as they are.
// CommandResult is the closed union of them: render.ts has one renderer per
// kind, checked by the compiler.
import type { PortCounters, PortInfo, StreamCounters } from '../native/addon.js';
import type { XstatRate } from './display-xstats.js';
import type { ErrorCode } from '../native/errors.js';
import type { KniInfo, ListenerInfo, NetEvent, ProxyInfo } from '../native/netevents.js';
import type { CaptureInfo, PcapFileInfo, PcapShowInfo, ReplayInfo } from '../native/capture.js';
import type { DescriptorInfo, LcoreLoadInfo, MempoolInfo, QueueInfo } from '../native/diag.js';
import type { FlowCountResult, FlowListEntry, PortRssInfo } from '../native/flow.js';
import type { GenSettings, LatencyReport, TxRateInfo } from '../native/gen.js';
import type { StyledLine } from '../session/lines.js';
import type { FwdConfig, FwdStats, RxtxConfig, Throughput } from '../session/fwd.js';
export type { FwdConfig, FwdPortStats, FwdStats, FwdStreamLine, RxtxConfig, Throughput } from '../session/fwd.js';

export interface PortStatsResult { kind: 'portStats'; ports: { counters: PortCounters; throughput: Throughput; xstats?: XstatRate[] }[] }
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

// The grammar's help sections (spec.ts).
export type Section = 'control' | 'display' | 'config' | 'ports' | 'nic';

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

// Capture, replay and pcap files (commands/capture.ts; drawn by render-capture.ts).
export interface CaptureStartResult { kind: 'captureStart'; capture: CaptureInfo }
export interface CaptureStopResult { kind: 'captureStop'; captures: CaptureInfo[] }
export interface CaptureListResult { kind: 'captureList'; captures: CaptureInfo[] }
// replay is null for `show replay` before any replay ran.
export interface ReplayResult { kind: 'replay'; action: 'start' | 'stop' | 'show'; replay: ReplayInfo | null }
export interface PcapInfoResult { kind: 'pcapInfo'; info: PcapFileInfo }
export interface PcapShowResult { kind: 'pcapShow'; show: PcapShowInfo }

// Queues, mempool, lcores (commands/diag.ts; drawn by render-diag.ts).
export interface QueueInfoResult { kind: 'queueInfo'; pool: string; info: QueueInfo }
export interface QueueRingResult { kind: 'queueRing'; info: QueueInfo; count: number; descriptors: DescriptorInfo[] }
export interface MempoolResult { kind: 'mempool'; pool: MempoolInfo }
export interface LcoresResult { kind: 'lcores'; lcores: LcoreLoadInfo[] }

// Flow rules and RSS (commands/flow.ts; drawn by render-flow.ts).
export interface FlowListResult { kind: 'flowList'; port: number; rules: FlowListEntry[] }
export interface FlowQueryResult { kind: 'flowQuery'; port: number; id: number; count: FlowCountResult }
export interface PortRssResult { kind: 'portRss'; rss: PortRssInfo }

// Traffic generation (commands/gen.ts; drawn by render-gen.ts).
export interface GenConfigResult {
  kind: 'genConfig';
  mode: string;
  txpkts: number[];
  settings: GenSettings;
  ports: { id: number; rate: TxRateInfo; count: number }[];
}
export interface PortLatencyResult { kind: 'portLatency'; ports: LatencyReport[] }

// What the shell, not the engine, acts on (commands/shellcmds.ts).
export type OutputMode = 'text' | 'json';
export type ShellAction =
  | { type: 'output'; mode: OutputMode }
  | { type: 'monitor'; intervalMs: number }
  // `run FILE`: the front end runs the scenario (scenario-runner/in-shell.ts).
  | { type: 'run'; file: string };

// 'message' covers the one-liners ("Set io packet forwarding mode"); `shell`
// asks the shell for an action (set output, monitor).
export interface MessageResult { kind: 'message'; lines: StyledLine[]; shell?: ShellAction }
export interface QuitResult { kind: 'quit'; lines: StyledLine[] }
export interface NoneResult { kind: 'none' }
export interface ErrorResult { kind: 'error'; code: ErrorCode; message: string; hint?: string }

export type CommandResult =
  | MessageResult | QuitResult | NoneResult | ErrorResult
  | PortStatsResult | PortsClearedResult | PortXstatsResult | PortInfoResult | PortSummaryResult
  | FwdStatsResult | FwdStopResult | ConfigFwdResult | ConfigRxtxResult | ConfigCoresResult | FwdStartResult
  | HelpResult | ScriptResult | KniListResult | IfproxyListResult | IfproxyEventsResult
  | CaptureStartResult | CaptureStopResult | CaptureListResult | ReplayResult | PcapInfoResult | PcapShowResult
  | QueueInfoResult | QueueRingResult | MempoolResult | LcoresResult
  | FlowListResult | FlowQueryResult | PortRssResult | GenConfigResult | PortLatencyResult;

export function errorResult(code: ErrorCode, message: string, hint?: string): ErrorResult {
  return hint === undefined ? { kind: 'error', code, message } : { kind: 'error', code, message, hint };
}
