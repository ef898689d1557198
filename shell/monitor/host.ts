// The shell's side of `monitor`: spawns the dashboard process on the same
// terminal (stdout/stderr inherited), feeds it a snapshot every interval and
// every engine event, and forwards the keys the shell reads. The shell keeps
// reading the keyboard throughout, so nothing else ever reads the terminal.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StyledLine } from '../../commands/types.js';
import type { MonitorMessage } from './protocol.js';
import { snapMessage } from './feed.js';

export const DASHBOARD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dashboard.js');

type FeedEngine = Parameters<typeof snapMessage>[0] & { lcores(): { cpu: number }[] };

// The dashboard redraws charts every interval: on a poll thread's CPU that
// would cost forwarding rate, so, like testpmd's main lcore, it runs on the
// CPUs no poll thread is pinned to (when there are such CPUs and util-linux's
// taskset exists; otherwise it runs unpinned).
export function dashboardCommand(engine: FeedEngine, allowed = availableCpus()): { cmd: string; args: string[] } {
  const plain = { cmd: process.execPath, args: [DASHBOARD] };
  const busy = new Set(engine.lcores().map((l) => l.cpu));
  const free = allowed.filter((c) => !busy.has(c));
  if (free.length === 0 || free.length === allowed.length || !TASKSET) return plain;
  return { cmd: TASKSET, args: ['-c', free.join(','), process.execPath, DASHBOARD] };
}

const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((f) => existsSync(f));

function availableCpus(): number[] {
  return Array.from({ length: availableParallelism() }, (_, i) => i);
}

export interface MonitorHandle {
  keys(raw: string): void;
  event(lines: StyledLine[]): void;
  close(): void;                 // ask the dashboard to leave (quit, SIGTERM)
  closed: Promise<string | undefined>;  // resolves when it has left; an error message if it failed
}

let active: MonitorHandle | undefined;

// Closes an open dashboard (if any) and waits up to `ms` for it to restore the screen.
export async function closeActiveMonitor(ms = 1000): Promise<void> {
  const h = active;
  if (!h) return;
  h.close();
  await Promise.race([h.closed, new Promise((r) => setTimeout(r, ms))]);
}

export function openMonitor(engine: FeedEngine, intervalMs: number): MonitorHandle {
  const { cmd, args } = dashboardCommand(engine);
  const child: ChildProcess = spawn(cmd, args, {
    stdio: ['pipe', 'inherit', 'inherit'],
    env: { ...process.env, RINGSIDE_MONITOR_INTERVAL_MS: String(intervalMs) },
  });
  let alive = true;
  const send = (m: MonitorMessage): void => {
    if (!alive || !child.stdin || child.stdin.destroyed) return;
    child.stdin.write(JSON.stringify(m) + '\n');
  };
  child.stdin?.on('error', () => { /* the dashboard left; 'exit' follows */ });
  const tick = (): void => {
    try { send(snapMessage(engine)); } catch { /* engine shut down: keep the last picture */ }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  const closed = new Promise<string | undefined>((resolve) => {
    const done = (why: string | undefined): void => {
      if (!alive) return;
      alive = false;
      clearInterval(timer);
      if (active === handle) active = undefined;
      resolve(why);
    };
    child.on('error', (e) => done(`monitor: cannot start the dashboard: ${e.message}`));
    child.on('exit', (code, signal) => done(code === 0 ? undefined
      : `monitor: the dashboard ended with ${signal ?? `exit status ${code}`}`));
  });
  const handle: MonitorHandle = {
    keys: (raw) => send({ t: 'keys', data: raw }),
    event: (lines) => send({ t: 'event', lines }),
    close: () => { send({ t: 'quit' }); child.stdin?.end(); },
    closed,
  };
  active = handle;
  return handle;
}
