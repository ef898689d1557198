// Commands that act on the shell rather than the engine: `set output` (text or
// one JSON object per line) and `monitor` (the full-screen dashboard). Their
// handlers return an ordinary 'message' result (so every renderer shows them)
// carrying a `shell` action that the shell applies: line mode, --cmdline-file
// and scenarios simply print the message.
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { uint } from './params.js';
import type { CommandResult, StyledLine } from './types.js';
import type { OutputMode, ShellAction } from './results.js';

export type { OutputMode, ShellAction } from './results.js';

export const MONITOR_DEFAULT_INTERVAL_MS = 500;

// The action a result asks the shell to take, if any.
export function shellActionOf(result: CommandResult): ShellAction | undefined {
  return result.kind === 'message' ? result.shell : undefined;
}

function action(shell: ShellAction, ...lines: StyledLine[]): CommandResult {
  return { kind: 'message', lines, shell };
}

export const shellcmds: CommandSpec[] = [
  {
    tokens: [w('set'), w('output'), choice('mode', [
      { word: 'text', help: "testpmd's text (the default)" },
      { word: 'json', help: 'one JSON object per result, one a line, for scripts' },
    ])],
    help: 'Print results as text or as JSON (one object per line).',
    section: 'config',
    handler: (_s, a) => action({ type: 'output', mode: a.mode as OutputMode }, { text: `Output set to ${a.mode as string}` }),
  },
  {
    tokens: [w('monitor'), p('interval', uint('interval_ms', 'refresh period in milliseconds', 100, 10_000), true)],
    help: 'Open the live dashboard (rates, counters, pool use, events); q or Esc returns.',
    section: 'display',
    handler: (_s, a) => action(
      { type: 'monitor', intervalMs: (a.interval as number | undefined) ?? MONITOR_DEFAULT_INTERVAL_MS },
      { text: 'monitor: the dashboard needs an interactive terminal (stdin and stdout on a TTY)', style: 'warning' },
    ),
  },
];
