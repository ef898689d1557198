#!/usr/bin/env node
// The `monitor` dashboard process: the panels of view.ts on the terminal's
// alternate screen. It writes to the inherited terminal and reads
// snapshot/event/key messages (protocol.ts) from stdin, never the terminal:
// the shell keeps the keyboard, so closing hands nothing back but the screen.
// Runs in its own process so drawing never competes with the shell's event
// loop; the poll threads are native and only ever see snapshot() reads.
import readline from 'node:readline';
import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import type { MonitorMessage } from './protocol.js';
import { createDashboard, utf8LineDrawing } from './view.js';

const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
const intervalMs = Number(process.env.RINGSIDE_MONITOR_INTERVAL_MS ?? 500);

const input = new PassThrough();           // keys forwarded by the shell
const screen = blessed.screen({
  input, output: process.stdout, smartCSR: true, fullUnicode: true, warnings: false,
  title: 'ringside monitor', autoPadding: true, dockBorders: false,
  terminal: process.env.TERM && process.env.TERM !== 'dumb' ? process.env.TERM : 'xterm',
});
utf8LineDrawing(screen);
const dashboard = createDashboard(screen, { intervalMs, color: !noColor });

let closing = false;
function close(code = 0): void {
  if (closing) return;
  closing = true;
  try { screen.destroy(); } catch { /* terminal gone */ }
  process.exitCode = code;
  // Let the leave-alternate-screen sequence reach the terminal before exiting.
  process.stdout.write('', () => process.exit(code));
}

screen.key(['q', 'Q', 'escape', 'C-c', 'C-d'], () => close(0));
screen.key(['right', 'pagedown', 'n'], () => dashboard.nextPage());
screen.key(['left', 'pageup', 'p'], () => dashboard.previousPage());

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  let m: MonitorMessage;
  try { m = JSON.parse(line) as MonitorMessage; } catch { return; }
  if (m.t === 'snap') dashboard.snap(m);
  else if (m.t === 'event') for (const l of m.lines) dashboard.event(l.text);
  else if (m.t === 'keys') input.write(m.data);
  else if (m.t === 'quit') close(0);
});
rl.on('close', () => close(0));     // the shell went away
process.on('SIGTERM', () => close(0));
process.on('SIGHUP', () => close(0));

dashboard.event(`ringside monitor: refresh every ${intervalMs} ms; q or Esc returns to the shell`);
dashboard.redraw();
