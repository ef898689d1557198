// Turns any CommandResult into StyledLines. The shell (Ink and line mode), the
// scenario runner and --json all start from the same typed results.
import type { CommandResult, StyledLine } from './types.js';
import type {
  ConfigCoresResult, ConfigFwdResult, ConfigRxtxResult, FwdStartResult, FwdStatsResult, FwdStopResult,
  HelpResult, PortInfoResult, PortStatsResult, PortSummaryResult, PortXstatsResult, PortsClearedResult, ScriptResult,
} from './results.js';
import { renderFwdStats, renderFwdStop, renderPortStats, renderPortStatsCleared, renderXstats } from './render-stats.js';
import { renderCores, renderFwdConfig, renderRxtxConfig } from './render-config.js';
import { renderCapture } from './render-capture.js';
import { renderPortInfo, renderPortSummary } from './render-port.js';
import { renderGen } from './render-gen.js';
import { renderFlowResult } from './render-flow.js';
import { renderDiagResult } from './render-diag.js';
import { renderIfproxyEvents, renderIfproxyList, renderKniList } from './render-net.js';
import type { IfproxyEventsResult, IfproxyListResult, KniListResult } from './results.js';
import { L } from './util.js';


export function renderError(r: { code: string; message: string; hint?: string }): StyledLine[] {
  const out = [L(`Error ${r.code}: ${r.message}`, 'error')];
  if (r.hint) out.push(L(r.hint, 'dim'));
  return out;
}

export function renderHelp(r: HelpResult): StyledLine[] {
  const out: StyledLine[] = [];
  if (r.sections) {
    out.push(L(''), L('Help is available for the following sections:'), L(''));
    for (const s of r.sections) out.push(L(`    help ${s.name.padEnd(27)}: ${s.help}`));
    out.push(L(''));
  }
  for (const g of r.groups ?? []) {
    out.push(L(''), L(g.title, 'heading'), L('-'.repeat(g.title.length), 'heading'), L(''));
    for (const e of g.entries) out.push(L(e.syntax, 'ok'), L(`    ${e.help}`), L(''));
  }
  if (r.topic) {
    out.push(L(''), L(r.topic.title, 'heading'), L('-'.repeat(r.topic.title.length), 'heading'), L(''));
    for (const line of r.topic.lines) out.push(L(line));
    out.push(L(''));
  }
  return out;
}

// As testpmd's `load`: the outputs only, not the lines that made them.
export function renderScript(r: ScriptResult): StyledLine[] {
  const out: StyledLine[] = [];
  for (const step of r.steps) out.push(...render(step.result));
  if (r.quitting) return out;
  if (r.failed) {
    out.push(L(`load: stopped at ${r.file}:${r.failed.lineNo} ('${r.failed.line}'): the command failed`, 'error'));
  } else {
    out.push(L(`Read CLI commands from ${r.file}`, 'ok'));
  }
  return out;
}

// Every result kind this layer produces, for narrowing in the switch below.
type Known =
  | { kind: 'none' } | { kind: 'message' | 'quit'; lines: StyledLine[] }
  | { kind: 'error'; code: string; message: string; hint?: string }
  | PortStatsResult | PortsClearedResult | PortXstatsResult | PortInfoResult | PortSummaryResult
  | FwdStatsResult | FwdStopResult | ConfigFwdResult | ConfigRxtxResult | ConfigCoresResult | FwdStartResult
  | HelpResult | ScriptResult | KniListResult | IfproxyListResult | IfproxyEventsResult;

export function render(result: CommandResult, _opts?: { color?: boolean }): StyledLine[] {
  const r = result as unknown as Known;
  switch (r.kind) {
    case 'none': return [];
    case 'message':
    case 'quit': return r.lines;
    case 'error': return renderError(r);
    case 'portStats': return renderPortStats(r);
    case 'portStatsCleared': return renderPortStatsCleared(r);
    case 'portXstats': return renderXstats(r);
    case 'portInfo': return renderPortInfo(r);
    case 'portSummary': return renderPortSummary(r);
    case 'fwdStats': return renderFwdStats(r.stats);
    case 'fwdStop': return renderFwdStop(r.stats);
    case 'configFwd': return renderFwdConfig(r.fwd);
    case 'configRxtx': return renderRxtxConfig(r.rxtx);
    case 'configCores': return renderCores(r.lcores);
    case 'fwdStart': return [...renderFwdConfig(r.fwd), ...renderRxtxConfig(r.rxtx)];
    case 'help': return renderHelp(r);
    case 'script': return renderScript(r);
    case 'kniList': return renderKniList(r);
    case 'ifproxyList': return renderIfproxyList(r);
    case 'ifproxyEvents': return renderIfproxyEvents(r);
    default: return renderGen(result) ?? renderFlowResult(result) ?? renderDiagResult(result) ?? renderCapture(result) ?? [L(JSON.stringify(result))];
  }
}
