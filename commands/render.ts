// Turns any CommandResult into StyledLines. The shell (Ink and line mode), the
// scenario runner and --json all start from the same typed results. One
// renderer per result kind, in one map the compiler checks: a kind added to
// CommandResult without a renderer does not build.
import type { CommandResult, StyledLine } from './types.js';
import type { HelpResult, ScriptResult } from './results.js';
import { renderFwdStats, renderFwdStop, renderPortStats, renderPortStatsCleared, renderXstats } from './render-stats.js';
import { renderCores, renderFwdConfig, renderRxtxConfig } from './render-config.js';
import { renderCaptureList, renderCaptureStart, renderCaptureStop, renderPcapInfo, renderPcapShow, renderReplay } from './render-capture.js';
import { renderPortInfo, renderPortSummary } from './render-port.js';
import { renderGenConfig, renderPortLatency } from './render-gen.js';
import { renderFlowList, renderFlowQuery, renderPortRss } from './render-flow.js';
import { renderLcores, renderMempool, renderQueueInfo, renderQueueRing } from './render-diag.js';
import { renderIfproxyEvents, renderIfproxyList, renderKniList } from './render-net.js';
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

type Renderers = { [K in CommandResult['kind']]: (r: Extract<CommandResult, { kind: K }>) => StyledLine[] };

const RENDERERS: Renderers = {
  none: () => [],
  message: (r) => r.lines,
  quit: (r) => r.lines,
  error: renderError,
  portStats: renderPortStats,
  portStatsCleared: renderPortStatsCleared,
  portXstats: renderXstats,
  portInfo: renderPortInfo,
  portSummary: renderPortSummary,
  fwdStats: (r) => renderFwdStats(r.stats),
  fwdStop: (r) => renderFwdStop(r.stats),
  configFwd: (r) => renderFwdConfig(r.fwd),
  configRxtx: (r) => renderRxtxConfig(r.rxtx),
  configCores: (r) => renderCores(r.lcores),
  fwdStart: (r) => [...renderFwdConfig(r.fwd), ...renderRxtxConfig(r.rxtx)],
  help: renderHelp,
  script: renderScript,
  kniList: renderKniList,
  ifproxyList: renderIfproxyList,
  ifproxyEvents: renderIfproxyEvents,
  captureStart: renderCaptureStart,
  captureStop: renderCaptureStop,
  captureList: renderCaptureList,
  replay: renderReplay,
  pcapInfo: renderPcapInfo,
  pcapShow: renderPcapShow,
  queueInfo: renderQueueInfo,
  queueRing: renderQueueRing,
  mempool: renderMempool,
  lcores: renderLcores,
  flowList: renderFlowList,
  flowQuery: renderFlowQuery,
  portRss: renderPortRss,
  genConfig: renderGenConfig,
  portLatency: renderPortLatency,
};

export function render(result: CommandResult, _opts?: { color?: boolean }): StyledLine[] {
  const draw = RENDERERS[result.kind] as ((r: CommandResult) => StyledLine[]) | undefined;
  // A result that crossed a process or a cast with an unknown kind: shown as data.
  return draw ? draw(result) : [L(JSON.stringify(result))];
}
