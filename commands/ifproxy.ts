// IF proxy: kernel interfaces bound to ports, and tracing of the kernel's
// configuration events (rtnetlink) for them.
//   ifproxy create [name IFNAME] | ifproxy bind PORT IFNAME|PROXY_PORT | ifproxy unbind PORT
//   ifproxy listen [rcvbuf BYTES] | ifproxy close | show ifproxy | show ifproxy events [last N]
//   set ifproxy trace on|off [EVENT...] | clear ifproxy events
import type { Session } from '../session/session.js';
import type { CommandSpec, ParamType } from './spec.js';
import { choice, p, w } from './spec.js';
import { kernelIface, portId, rest, uint } from './params.js';
import type { CommandResult } from './types.js';
import { L } from './util.js';
import { ifname } from './kni.js';
import { IFPROXY_EVENTS } from '../session/events.js';
import type { EVENTS } from '../native/names.generated.js';
import '../native/netevents.js';

// Beside the IF-proxy events, these can be traced too (names from the engine's events.def).
const EXTRA_EVENTS: readonly (typeof EVENTS)[number][] = ['overflow', 'kni_request', 'kni_response'];

// A proxy: a port id (a port the kernel sees) or an interface name.
const proxyRef: ParamType = {
  label: 'ifname|proxy_port',
  help: 'an interface name, or the id of a port the kernel sees (a net_tap, an ifproxy create port)',
  parse(word, ctx) {
    if (/^\d+$/.test(word)) return portId.parse(word, ctx);
    return ifname.parse(word, ctx);
  },
  complete: (ctx, prefix) => [...(portId.complete?.(ctx, prefix) ?? []), ...(kernelIface.complete?.(ctx, prefix) ?? [])],
};

const eventList = rest('event...', `events to trace (default all): ${IFPROXY_EVENTS.join(' ')}`, (_ctx, prefix) => {
  const words = prefix.split(/\s+/);
  const last = words[words.length - 1];
  const head = words.slice(0, -1).join(' ');
  return [...IFPROXY_EVENTS, ...EXTRA_EVENTS].filter((e) => e.startsWith(last))
    .map((e) => ({ word: head ? `${head} ${e}` : e, help: 'event' }));
});

function created(s: Session, name: string): CommandResult {
  const { id, proxy: px } = s.proxies.create(name);
  return {
    kind: 'message',
    lines: [L(`Proxy port ${id} created: interface ${px?.name ?? '?'} (if_index ${px?.ifIndex ?? 0}); bind ports with 'ifproxy bind PORT ${id}'`, 'ok')],
  };
}

export const ifproxy: CommandSpec[] = [
  {
    tokens: [w('ifproxy'), w('create')],
    help: 'Create a proxy: a TAP port the kernel sees; prints its port id.',
    section: 'ports',
    handler: (s) => created(s, ''),
  },
  {
    tokens: [w('ifproxy'), w('create'), w('name'), p('ifname', ifname)],
    help: 'Create a proxy TAP with the given interface name.',
    section: 'ports',
    handler: (s, a) => created(s, a.ifname as string),
  },
  {
    tokens: [w('ifproxy'), w('bind'), p('port', portId), p('proxy', proxyRef)],
    help: "Bind a port to a proxy (an interface name or a proxy port): the proxy's events are the port's. One proxy may serve many ports.",
    section: 'ports',
    handler: (s, a) => {
      const px = s.proxies.bind(a.port as number, a.proxy as string | number);
      return { kind: 'message', lines: [L(`Port ${a.port as number} bound to proxy ${px?.name ?? String(a.proxy)} (if_index ${px?.ifIndex ?? 0})`)] };
    },
  },
  {
    tokens: [w('ifproxy'), w('unbind'), p('port', portId)],
    help: 'Unbind a port from its proxy.',
    section: 'ports',
    handler: (s, a) => {
      s.proxies.unbind(a.port as number);
      return { kind: 'message', lines: [L(`Port ${a.port as number} unbound`)] };
    },
  },
  {
    tokens: [w('ifproxy'), w('listen')],
    help: 'Start following the kernel configuration: dump it as events, then cfg_finished, then changes.',
    section: 'ports',
    handler: (s) => {
      const l = s.proxies.listen();
      return { kind: 'message', lines: [L(`Listening on rtnetlink (link, ipv4/ipv6 address, ipv4/ipv6 route, neighbour; receive buffer ${l.rcvbuf} bytes)`)] };
    },
  },
  {
    tokens: [w('ifproxy'), w('listen'), w('rcvbuf'), p('bytes', uint('bytes', 'netlink receive buffer size', 4096, 1 << 30))],
    help: 'Listen with the given netlink receive buffer (small buffers overflow: ENOBUFS is reported and followed by a re-dump).',
    section: 'ports',
    handler: (s, a) => {
      const l = s.proxies.listen(a.bytes as number);
      return { kind: 'message', lines: [L(`Listening on rtnetlink (receive buffer ${l.rcvbuf} bytes)`)] };
    },
  },
  {
    tokens: [w('ifproxy'), w('stall'), p('ms', uint('ms', 'milliseconds', 1, 60_000))],
    help: 'Diagnostics: the netlink listener stops reading for MS, as a slow application would (a burst then overflows: ENOBUFS is reported and re-dumped).',
    section: 'ports',
    handler: (s, a) => {
      s.proxies.stall(a.ms as number);
      return { kind: 'message', lines: [L(`netlink listener stalled for ${a.ms as number} ms`)] };
    },
  },
  {
    tokens: [w('ifproxy'), w('close')],
    help: 'Stop emitting IF-proxy events (KNI requests are still handled).',
    section: 'ports',
    handler: (s) => { s.proxies.close(); return { kind: 'message', lines: [L('IF-proxy events closed')] }; },
  },
  {
    tokens: [w('show'), w('ifproxy')],
    help: 'Display every proxy: bound ports, if_index, MAC, MTU, link, addresses; and the listener.',
    section: 'display',
    handler: (s) => ({ kind: 'ifproxyList', proxies: s.proxies.list(), listener: s.proxies.listener() }),
  },
  {
    tokens: [w('show'), w('ifproxy'), w('events')],
    help: 'Display per-event counters and the last 20 events.',
    section: 'display',
    handler: (s) => ({ kind: 'ifproxyEvents', ...s.proxies.events(20), listener: s.proxies.listener() }),
  },
  {
    tokens: [w('show'), w('ifproxy'), w('events'), w('last'), p('n', uint('n', 'number of events', 0, 50_000))],
    help: 'Display per-event counters and the last N events.',
    section: 'display',
    handler: (s, a) => ({ kind: 'ifproxyEvents', ...s.proxies.events(a.n as number), listener: s.proxies.listener() }),
  },
  {
    tokens: [w('clear'), w('ifproxy'), w('events')],
    help: 'Clear the per-event counters.',
    section: 'display',
    handler: (s) => { s.proxies.clearEventCounters(); return { kind: 'none' }; },
  },
  {
    tokens: [w('set'), w('ifproxy'), w('trace'), choice('onoff', [
      { word: 'on', help: 'print events above the prompt as they happen' },
      { word: 'off', help: 'stop printing events' },
    ]), p('events', eventList, true)],
    help: 'Print IF-proxy events as they happen (time in µs, event, proxy, ports, values), all or the ones named.',
    section: 'config',
    handler: (s, a) => {
      const hub = s.events;
      const names = ((a.events as string | undefined) ?? '').split(/\s+/).filter((x) => x !== '');
      const known = new Set<string>([...IFPROXY_EVENTS, ...EXTRA_EVENTS]);
      const bad = names.filter((n) => !known.has(n));
      if (bad.length) {
        return { kind: 'error', code: 'EARG_INVALID', message: `unknown event '${bad[0]}': events are ${[...known].join(', ')}` };
      }
      if (a.onoff === 'on') {
        hub.trace = true;
        hub.filter = names.length ? new Set(names) : null;
      } else if (names.length && hub.filter) {
        for (const n of names) hub.filter.delete(n);
        if (hub.filter.size === 0) hub.trace = false;
      } else {
        hub.trace = false;
        hub.filter = null;
      }
      const what = hub.trace ? (hub.filter ? [...hub.filter].join(' ') : 'all events') : 'off';
      return { kind: 'message', lines: [L(`IF-proxy trace: ${what}`)] };
    },
  },
];
