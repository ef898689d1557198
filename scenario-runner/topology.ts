// The `topology` block: network namespaces, veth pairs, addresses and routes
// made with iproute2's `ip` before a scenario runs and removed after it, on
// every exit path. Everything created is also kept in a process-wide registry
// that an 'exit' hook empties, so a scenario that ends through process.exit
// (quit, a signal in the shell, an uncaught error) still leaves nothing behind;
// what a SIGKILL leaves, the next run removes (leftovers.ts).
import { spawnSync } from 'node:child_process';
import type { Loc, Topology } from './parse.js';
import { linkAlias } from './leftovers.js';

export class TopologyError extends Error {
  constructor(readonly loc: Loc, message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

const liveNetns = new Set<string>();
const liveHostLinks = new Set<string>();
let hooked = false;

function ip(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { ok: false, out: code === 'ENOENT' ? "iproute2's 'ip' is not installed (apt-get install iproute2)" : r.error.message };
  }
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

function emergencyCleanup(): void {
  for (const l of liveHostLinks) ip(['link', 'del', l]);
  liveHostLinks.clear();
  for (const n of liveNetns) ip(['netns', 'del', n]);
  liveNetns.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', emergencyCleanup);
}

export interface TopologyHandle {
  description: string[];
  down(): string[];     // problems while removing, if any
}

export function describeTopology(t: Topology): string[] {
  const out: string[] = [];
  if (t.netns.length) out.push(`netns ${t.netns.map((n) => `${n.name} (${n.real})`).join(', ')}`);
  for (const v of t.veths) out.push(`veth ${v.a.ns}:${v.a.ifname} <-> ${v.b.ns}:${v.b.ifname}${v.queues ? ` (${v.queues} queues)` : ''}`);
  for (const a of t.addrs) out.push(`addr ${a.ns}:${a.ifname} ${a.cidr}`);
  for (const r of t.routes) out.push(`route ${r.ns} ${r.args.join(' ')}`);
  return out;
}

export function isEmpty(t: Topology): boolean {
  return t.netns.length === 0 && t.veths.length === 0 && t.addrs.length === 0 && t.routes.length === 0;
}

// Creates the topology; on any failure removes what was made and throws
// TopologyError naming the line.
export function up(t: Topology): TopologyHandle {
  hook();
  const real = new Map(t.netns.map((n) => [n.name, n.real]));
  const mine: string[] = [];
  const hostLinks: string[] = [];
  const nsArgs = (ns: string): string[] => (ns === 'host' ? [] : ['-n', real.get(ns)!]);
  const down = (): string[] => {
    const problems: string[] = [];
    for (const l of hostLinks) {
      const r = ip(['link', 'del', l]);
      // The peer's namespace may be gone already, taking this end with it.
      if (!r.ok && !/Cannot find device/.test(r.out)) problems.push(`ip link del ${l}: ${r.out}`);
      liveHostLinks.delete(l);
    }
    for (const n of [...mine].reverse()) {
      const r = ip(['netns', 'del', n]);
      if (!r.ok) problems.push(`ip netns del ${n}: ${r.out}`);
      liveNetns.delete(n);
    }
    return problems;
  };
  const run = (loc: Loc, args: string[]): void => {
    const r = ip(args);
    if (!r.ok) {
      down();
      const perm = /Operation not permitted|Permission denied/.test(r.out)
        ? ' (creating namespaces and links needs root or CAP_NET_ADMIN + CAP_SYS_ADMIN)' : '';
      throw new TopologyError(loc, `topology: 'ip ${args.join(' ')}' failed: ${r.out}${perm}`);
    }
  };
  for (const n of t.netns) {
    run(n.loc, ['netns', 'add', n.real]);
    mine.push(n.real);
    liveNetns.add(n.real);
    run(n.loc, ['-n', n.real, 'link', 'set', 'lo', 'up']);
  }
  for (const v of t.veths) {
    const peerNs = v.b.ns === 'host' ? String(process.pid) : real.get(v.b.ns)!;
    const q = v.queues ? ['numrxqueues', String(v.queues), 'numtxqueues', String(v.queues)] : [];
    run(v.loc, [...nsArgs(v.a.ns), 'link', 'add', v.a.ifname, ...q, 'type', 'veth', 'peer', 'name', v.b.ifname, ...q, 'netns', peerNs]);
    for (const e of [v.a, v.b]) {
      if (e.ns !== 'host') continue;
      hostLinks.push(e.ifname);
      liveHostLinks.add(e.ifname);
      // Marked as this run's, for the next run to remove if this one is killed.
      run(v.loc, ['link', 'set', 'dev', e.ifname, 'alias', linkAlias()]);
    }
    run(v.loc, [...nsArgs(v.a.ns), 'link', 'set', v.a.ifname, 'up']);
    run(v.loc, [...nsArgs(v.b.ns), 'link', 'set', v.b.ifname, 'up']);
  }
  for (const a of t.addrs) run(a.loc, [...nsArgs(a.ns), 'addr', 'add', a.cidr, 'dev', a.ifname]);
  for (const r of t.routes) run(r.loc, [...nsArgs(r.ns), 'route', 'add', ...r.args]);
  let done = false;
  return {
    description: describeTopology(t),
    down: () => {
      if (done) return [];
      done = true;
      return down();
    },
  };
}
