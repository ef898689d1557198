// Display: port info/stats/xstats/summary, fwd stats, config.
import type { Session } from '../session/session.js';
import type { CommandSpec } from './spec.js';
import { choice, p, w } from './spec.js';
import { portSel } from './params.js';
import { xstatsOf } from './collect.js';
import type { CommandResult } from './types.js';
import { NONE, selectPorts } from './util.js';
import { knobsOf } from './knobs.js';
import { displayedXstats } from './display-xstats.js';

function showPort(session: Session, what: string, sel: unknown): CommandResult {
  const ids = selectPorts(session, sel);
  if (what === 'info') {
    return { kind: 'portInfo', ports: ids.map((id) => ({ ...session.ports.info(id), ips: session.ports.ips(id) })) };
  }
  const snap = session.ports.counters();
  const counters = ids.map((id) => snap.ports.find((c) => c.id === id)).filter((c) => c !== undefined);
  if (what === 'xstats') {
    const hideZero = knobsOf(session).xstatsHideZero;
    return { kind: 'portXstats', ports: counters.map((c) => ({ id: c.id, stats: xstatsOf(c).filter(([, v]) => !hideZero || v !== 0) })) };
  }
  return { kind: 'portStats', ports: counters.map((c) => ({ counters: c, throughput: session.throughput(c, snap.timeNs), xstats: displayedXstats(session, c, snap.timeNs) })) };
}

export const display: CommandSpec[] = [
  {
    tokens: [w('show'), w('port'), choice('item', [
      { word: 'info', help: 'port facts: MAC, driver, link, MTU, queues' },
      { word: 'stats', help: 'NIC statistics and throughput since the last show' },
      { word: 'xstats', help: 'extended statistics, per queue' },
    ]), p('port', portSel)],
    help: 'Display information for port_id, or all.',
    section: 'display',
    handler: (s, a) => showPort(s, a.item as string, a.port),
  },
  {
    tokens: [w('show'), w('port'), w('summary'), w('all')],
    help: 'Display a one-line summary of every port.',
    section: 'display',
    handler: (s) => ({ kind: 'portSummary', ports: s.ports.ids().map((id) => s.ports.info(id)) }),
  },
  {
    tokens: [w('clear'), w('port'), choice('item', [
      { word: 'stats', help: 'clear NIC statistics' },
      { word: 'xstats', help: 'clear extended statistics (the same counters)' },
    ]), p('port', portSel)],
    help: 'Clear statistics for port_id, or all.',
    section: 'display',
    handler: (s, a) => {
      const ids = selectPorts(s, a.port);
      for (const id of ids) s.ports.clearStats(id);
      return a.item === 'stats' ? { kind: 'portStatsCleared', ports: ids } : NONE;
    },
  },
  {
    tokens: [w('show'), w('config'), choice('item', [
      { word: 'rxtx', help: 'burst, cores, ports and queues' },
      { word: 'cores', help: 'the forwarding lcores' },
      { word: 'fwd', help: 'the forwarding streams of each lcore' },
    ])],
    help: 'Display the given configuration.',
    section: 'display',
    handler: (s, a) => {
      if (a.item === 'rxtx') return { kind: 'configRxtx', rxtx: s.fwd.rxtx() };
      if (a.item === 'cores') {
        return { kind: 'configCores', lcores: s.fwd.cores() };
      }
      return { kind: 'configFwd', fwd: s.fwd.config() };
    },
  },
  {
    tokens: [w('show'), w('fwd'), w('stats'), w('all')],
    help: 'Display statistics for all fwd engines.',
    section: 'display',
    handler: (s) => {
      return { kind: 'fwdStats', stats: s.fwd.stats() };
    },
  },
  {
    tokens: [w('clear'), w('fwd'), w('stats'), w('all')],
    help: 'Clear statistics for all fwd engines.',
    section: 'display',
    handler: (s) => {
      s.fwd.clearStats();
      return NONE;
    },
  },
];
