// What a scenario run makes outside itself is marked with the pid of the run
// that owns it, so that a run killed with SIGKILL (which runs no clean-up) is
// cleaned up by the next run, and a live run's things are never touched:
//   work dir     $TMPDIR/ringside-sc-<pid>-<n>-XXXXXX (mkdtemp, mode 0700, ours)
//   namespaces   rs-sc-<pid>-<n>-<name>; processes left inside are killed first
//   host links   the host end of a veth pair carries the alias ringside-sc:<pid>
//   programs     `shell` steps run with RINGSIDE_SC_OWNER=<pid> in their environment
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const NS_PREFIX = 'rs-sc-';
const WORKDIR_PREFIX = 'ringside-sc-';
const LINK_ALIAS_PREFIX = 'ringside-sc:';
export const OWNER_ENV = 'RINGSIDE_SC_OWNER';

export const linkAlias = (): string => `${LINK_ALIAS_PREFIX}${process.pid}`;

// A fresh, private work dir: never one that exists (another user may have
// planted it, with links inside).
export function makeWorkdir(index: number): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${WORKDIR_PREFIX}${process.pid}-${index}-`));
}

// Alive, or not ours to judge (EPERM: another user's live process). A pid
// reused since leaves the dead run's things in place: the safe direction.
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

function deadOwner(text: string, re: RegExp): number | undefined {
  const m = re.exec(text);
  if (!m) return undefined;
  const pid = Number(m[1]);
  return alive(pid) ? undefined : pid;
}

function ip(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 30_000 });
  return { ok: !r.error && r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function kill9(pids: number[]): void {
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ } }
}

// Programs started by `shell` steps of dead runs (their children too: the
// environment is inherited), wherever they run.
function strayPrograms(): number[] {
  const found: number[] = [];
  let entries: string[] = [];
  try { entries = fs.readdirSync('/proc'); } catch { return found; }
  const marker = new RegExp(`(?:^|\\0)${OWNER_ENV}=(\\d+)(?:\\0|$)`);
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let env: string;
    try { env = fs.readFileSync(`/proc/${e}/environ`, 'latin1'); } catch { continue; }
    if (deadOwner(env, marker) !== undefined) found.push(Number(e));
  }
  return found;
}

function staleNamespaces(): string[] {
  const r = ip(['netns', 'list']);
  if (!r.ok) return [];
  const re = new RegExp(`^${NS_PREFIX}(\\d+)-`);
  return r.out.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((n) => n && deadOwner(n, re) !== undefined);
}

function staleHostLinks(): string[] {
  const r = ip(['-j', 'link', 'show']);
  if (!r.ok) return [];
  let links: { ifname?: string; ifalias?: string }[] = [];
  try { links = JSON.parse(r.out) as typeof links; } catch { return []; }
  const re = new RegExp(`^${LINK_ALIAS_PREFIX}(\\d+)$`);
  return links.filter((l) => l.ifname && l.ifalias && deadOwner(l.ifalias, re) !== undefined).map((l) => l.ifname!);
}

function staleWorkdirs(): string[] {
  const dir = os.tmpdir();
  let names: string[] = [];
  try { names = fs.readdirSync(dir); } catch { return []; }
  const re = new RegExp(`^${WORKDIR_PREFIX}(\\d+)-`);
  const uid = process.getuid?.();
  return names.map((n) => path.join(dir, n)).filter((p) => {
    if (deadOwner(path.basename(p), re) === undefined) return false;
    // Only a real directory of ours: never another user's, never through a link.
    try { const st = fs.lstatSync(p); return st.isDirectory() && st.uid === uid; } catch { return false; }
  });
}

// Removes what dead runs left; returns one line per thing removed.
export function removeLeftovers(): string[] {
  const removed: string[] = [];
  const programs = strayPrograms();
  kill9(programs);
  if (programs.length) removed.push(`${programs.length} program${programs.length === 1 ? '' : 's'} (pid ${programs.join(', ')})`);
  for (const n of staleNamespaces()) {
    const pids = ip(['netns', 'pids', n]).out.split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number);
    kill9(pids);
    if (ip(['netns', 'del', n]).ok) removed.push(`namespace ${n}`);
  }
  for (const l of staleHostLinks()) if (ip(['link', 'del', l]).ok) removed.push(`link ${l}`);
  for (const d of staleWorkdirs()) {
    try { fs.rmSync(d, { recursive: true, force: true }); removed.push(`work dir ${d}`); } catch { /* another run's problem */ }
  }
  return removed;
}
