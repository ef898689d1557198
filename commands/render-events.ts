// Engine events as lines above the prompt: KNI requests and their results,
// IF-proxy trace lines (when traced), netlink overflows, the end of a replay or
// of a counted capture, memif links. The session's event hub logs what this draws.
import type { StyledLine } from './types.js';
import type { NetEvent } from '../native/netevents.js';
import { formatEvent } from '../session/events.js';
import { L } from './util.js';

function kniLine(e: NetEvent): StyledLine {
  const v = e.values;
  const port = e.ports[0];
  const what = v.request === 'link' ? `link ${v.from} -> ${v.to}` : `${v.request} ${v.from} -> ${v.to}`;
  if (e.name === 'kni_request') {
    return L(`KNI ${e.proxy} (port ${port}): request ${what} [handler: ${v.policy}]`);
  }
  if (v.result === 'applied') {
    const delayed = v.delayed_ms !== undefined ? ` after ${v.delayed_ms} ms` : '';
    const paused = v.while === 'forwarding' ? ` (its streams paused meanwhile, forwarding went on)` : '';
    return L(`KNI ${e.proxy} (port ${port}): ${what} applied to port ${port}${delayed}${paused}`, 'ok');
  }
  return L(`KNI ${e.proxy} (port ${port}): ${what} ${v.result}: ${v.reason}; ${e.proxy} put back to ${v.now}`, 'warning');
}

export function renderEvent(e: NetEvent, trace: boolean): StyledLine[] {
  const traced = trace ? [L(formatEvent(e))] : [];
  switch (e.name) {
    case 'kni_request':
    case 'kni_response':
      return [kniLine(e)];
    case 'kni_gone':
      return [L(`KNI ${e.proxy} (port ${e.ports[0]}) was deleted outside ringside: 'kni destroy ${e.ports[0]}' to clean up`, 'warning')];
    case 'overflow':
      return [...traced, L(`ifproxy: netlink overflow (ENOBUFS, receive buffer ${e.values.rcvbuf} bytes): the kernel dropped ${e.values.missed} notification(s), so up to that many events may have been missed; re-dumping the configuration`, 'warning')];
    case 'error':
      return [L(`ifproxy: ${e.values.message}`, 'error')];
    case 'replay_done':
      return [e.values.error
        ? L(`replay of ${e.values.file} into port ${e.ports[0]} failed after ${e.values.sent} packets: ${e.values.error}`, 'error')
        : L(`replay of ${e.values.file} into port ${e.ports[0]} done: ${e.values.sent} packets at ${e.values.pps} pps ('show replay' for the timing)`, 'ok')];
    case 'capture_done': {
      const dropped = e.values.dropped !== '0' ? `, ${e.values.dropped} dropped` : '';
      return [e.values.error
        ? L(`capture on port ${e.ports[0]} ended with an error: ${e.values.error}`, 'error')
        : L(`capture on port ${e.ports[0]} done: count reached, ${e.values.captured} packets in ${e.values.file}${dropped}`, dropped ? 'warning' : 'ok')];
    }
    case 'memif':  // net_memif's control plane: connected, disconnected (with why), refused, waiting
      return [...traced, L(e.values.message, e.values.level === 'error' ? 'warning' : e.values.state === 'up' ? 'ok' : undefined)];
    case 'cfg_finished':
      if (e.values.after === 'overflow') {
        return [...traced, L(`ifproxy: resynchronised after the overflow: ${e.values.recovered} change(s) recovered from the fresh dump`, 'warning')];
      }
      return traced;
    default:
      return traced;
  }
}
