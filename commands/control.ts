// Control forwarding: start, stop, quit, plus load.
import type { Session } from '../session/session.js';
import type { CommandSpec, HandlerContext } from './spec.js';
import { p, w } from './spec.js';
import { filePath, uint } from './params.js';
import { errorResult } from './results.js';
import { readScriptLines } from './script-file.js';
import type { ScriptResult, ScriptStep } from './results.js';
import type { CommandResult } from './types.js';
import { L, message } from './util.js';
import { render } from './render.js';

const MAX_LOAD_DEPTH = 8;

function start(session: Session, txFirstBursts: number): CommandResult {
  if (session.fwd.running()) return message(L('Packet forwarding already started', 'warning'));
  // testpmd refuses to forward while a port is stopped (it would pair the
  // others with themselves, reflecting a segment's broadcasts back into it).
  const stopped = session.fwd.stoppedPorts();
  if (stopped.length > 0) {
    const names = stopped.join(',');
    return errorResult('EPORTS_STOPPED', `Not all ports were started: port${stopped.length > 1 ? 's' : ''} ${names} stopped`,
      `start ${stopped.length > 1 ? 'them' : 'it'} with 'port start ${stopped.length > 1 ? 'all' : names}', or remove ${stopped.length > 1 ? 'them' : 'it'} with 'port detach ${stopped[0]}'`);
  }
  return { kind: 'fwdStart', ...session.fwd.start(txFirstBursts) };
}

async function load(file: string, ctx: HandlerContext): Promise<CommandResult> {
  if (ctx.depth >= MAX_LOAD_DEPTH) {
    return errorResult('ELOAD_DEPTH', `load ${file}: files nest more than ${MAX_LOAD_DEPTH} deep (does it load itself?)`);
  }
  let lines: string[];
  try {
    lines = readScriptLines(file);
  } catch (e) {
    return errorResult('ELOAD_FILE', `cannot load '${file}': ${(e as Error).message}`);
  }
  const steps: ScriptStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const result = await ctx.execute(line);
    steps.push({ lineNo: i + 1, line, result });
    if (result.kind === 'quit') {
      // quit inside a file ends the session: the shell sees kind 'quit'.
      return { kind: 'quit', lines: render({ kind: 'script', file, steps, quitting: true } satisfies ScriptResult) };
    }
    if (result.kind === 'error' || (result.kind === 'script' && (result as unknown as ScriptResult).failed)) {
      return { kind: 'script', file, steps, failed: { lineNo: i + 1, line } } satisfies ScriptResult;
    }
  }
  return { kind: 'script', file, steps } satisfies ScriptResult;
}

export const control: CommandSpec[] = [
  {
    tokens: [w('start')],
    help: 'Start packet forwarding with current configuration.',
    section: 'control',
    handler: (s) => start(s, 0),
  },
  {
    tokens: [w('start'), w('tx_first'), p('bursts', uint('bursts', 'number of bursts sent first on every stream', 1, 1 << 20), true)],
    help: 'Start packet forwarding with current config after sending N (default one) bursts of packets.',
    section: 'control',
    handler: (s, a) => start(s, (a.bursts as number | undefined) ?? 1),
  },
  {
    tokens: [w('stop')],
    help: 'Stop packet forwarding, and display accumulated statistics.',
    section: 'control',
    handler: (s) => {
      if (!s.fwd.running()) return message(L('Packet forwarding not started', 'warning'));
      return { kind: 'fwdStop', stats: s.fwd.stop() };
    },
  },
  {
    tokens: [w('quit')],
    help: 'Stop forwarding, stop and close all ports, and leave ringside.',
    section: 'control',
    handler: (s) => ({ kind: 'quit', lines: s.shutdown() }),
  },
  {
    tokens: [w('load'), p('file', filePath)],
    help: "Run the commands in a file, one a line ('#' starts a comment); stops at the first error.",
    section: 'control',
    handler: (_s, a, ctx) => load(a.file as string, ctx),
  },
];
