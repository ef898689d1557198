// Capture, replay and pcap file commands: capture start|stop, show capture,
// replay start|stop, show replay, pcap info|show. The options of capture
// start and replay start are keyword rows (keywords.ts).
import type { Session } from '../session/session.js';
import type { Choice, CommandSpec, ParamType } from './spec.js';
import { p, w } from './spec.js';
import { filePath, portId, rest, uint } from './params.js';
import { keywords } from './keywords.js';
import type { CommandResult } from './types.js';
import type { CaptureOptions, ReplayOptions } from '../native/capture.js';
import '../native/capture.js';
import type { CaptureListResult, CaptureStartResult, CaptureStopResult, PcapInfoResult, PcapShowResult, ReplayResult } from './results.js';

const FORMATS: Choice[] = [
  { word: 'pcap', help: 'libpcap format, nanosecond timestamps' },
  { word: 'pcapng', help: 'pcapng format' },
];
const word = (what: string, words: Choice[], error: (w: string) => string): ParamType & { what: string } => ({
  label: words.map((c) => c.word).join('|'), help: what, what,
  parse: (w) => (words.some((c) => c.word === w) ? { ok: true, value: w } : { ok: false, error: error(w) }),
  complete: (_ctx, prefix) => words.filter((c) => c.word.startsWith(prefix)),
});
const count = (what: string, help: string, min: number): ParamType & { what: string } => ({ ...uint(what, help, min), label: 'N', what: 'number' });

const CAPTURE_OPTIONS = keywords({
  help: 'what to capture and where: file PATH is required',
  leading: {
    name: 'direction',
    words: [
      { word: 'rx', help: 'received packets only' },
      { word: 'tx', help: 'sent packets only' },
      { word: 'both', help: 'received and sent packets (default)' },
    ],
  },
  rows: [
    { word: 'file', help: 'file PATH: where to write (required)', value: { ...filePath, label: 'PATH', what: 'path' },
      required: "capture needs a file: add 'file PATH'" },
    { word: 'format', help: 'format pcap|pcapng (default: from the file name, else pcap)',
      value: word('format', FORMATS, (w) => `format must be pcap or pcapng, not '${w}'`) },
    { word: 'snaplen', help: 'snaplen N: bytes kept of each packet (default: all)', value: count('snaplen', 'bytes kept', 1) },
    { word: 'count', help: 'count N: stop after N packets', value: count('count', 'packets', 1) },
    { word: 'filter', help: 'filter EXPR: the rest of the line, e.g. udp and port 53', rest: { label: 'EXPR', example: 'filter udp and port 53' } },
  ],
});

const SPEEDS: Choice[] = [
  { word: 'original', help: 'the gaps of the file' },
  { word: 'topspeed', help: 'as fast as the port takes packets' },
  { word: 'pps', help: 'pps N: N packets per second' },
  { word: 'mbps', help: 'mbps N: N Mbit/s' },
];
// original, topspeed, xMULT (x2, x0.5), or pps / mbps before their rate.
const speed: ParamType & { what: string } = {
  label: 'original|topspeed|xMULT|pps N|mbps N', help: 'the pacing', what: 'speed',
  parse: (w) => {
    if (SPEEDS.some((c) => c.word === w)) return { ok: true, value: w };
    const m = /^x([0-9]+(\.[0-9]+)?)$/.exec(w);
    if (m && Number(m[1]) > 0) return { ok: true, value: w };
    return { ok: false, error: `speed must be original, topspeed, xMULT (e.g. x2 or x0.5), pps N or mbps N, not '${w}'` };
  },
  complete: (_ctx, prefix) => SPEEDS.filter((c) => c.word.startsWith(prefix)),
};
const rate = (unit: string): ParamType & { what: string } => ({
  label: 'N', help: unit, what: `number of ${unit}`,
  parse: (w) => (/^[0-9]+(\.[0-9]+)?$/.test(w) && Number(w) > 0
    ? { ok: true, value: Number(w) } : { ok: false, error: `speed needs a positive number of ${unit}, not '${w}'` }),
});

const REPLAY_OPTIONS = keywords({
  help: 'pacing and repetitions',
  rows: [
    { word: 'speed', help: 'speed original|topspeed|xMULT|pps N|mbps N (default original)', value: speed,
      more: { pps: rate('packets per second'), mbps: rate('Mbit/s') } },
    { word: 'loop', help: 'loop N: play the file N times (0: until stopped)', value: count('loop', 'times', 0) },
  ],
});

// The checked options (keywords.ts) as the engine takes them.
function captureOptions(o: Record<string, unknown>): CaptureOptions {
  const file = o.file as string;
  return {
    file,
    direction: o.direction as CaptureOptions['direction'],
    format: (o.format as CaptureOptions['format']) ?? (/\.pcapng$/i.test(file) ? 'pcapng' : 'pcap'),
    snaplen: o.snaplen as number | undefined,
    count: o.count as number | undefined,
    filter: o.filter as string | undefined,
  };
}

function replayOptions(file: string, o: Record<string, unknown> = {}): ReplayOptions {
  const s = (o.speed as string | undefined) ?? 'original';
  const r: ReplayOptions = { file, speed: 'original', loops: (o.loop as number | undefined) ?? 1 };
  if (s === 'original' || s === 'topspeed') r.speed = s;
  else if (s === 'pps' || s === 'mbps') { r.speed = s; r.value = o[`speed ${s}`] as number; } else { r.speed = 'multiplier'; r.value = Number(s.slice(1)); }
  return r;
}

function pcapShow(s: Session, file: string, count?: number, filter?: string): CommandResult {
  const r: PcapShowResult = { kind: 'pcapShow', show: s.captures.pcapShow(file, count ?? 0, filter ?? '') };
  return r;
}

const FILTER_EXPR = rest('EXPR', "a capture filter, the rest of the line (see 'help filter'), e.g. tcp port 80 or 443");

export const capture: CommandSpec[] = [
  {
    tokens: [w('capture'), w('start'), p('port', portId), p('options', CAPTURE_OPTIONS)],
    help: 'Capture packets of a port to a pcap or pcapng file (nanosecond timestamps); drops are counted, never hidden.',
    section: 'control',
    // A capture with a count ends by itself: the session's event hub says so.
    handler: (s, a) => {
      const r: CaptureStartResult = { kind: 'captureStart', capture: s.captures.start(a.port as number, captureOptions(a.options as Record<string, unknown>)) };
      return r;
    },
  },
  {
    tokens: [w('capture'), w('stop'), p('port', portId, true)],
    help: 'Stop the capture on a port, or every capture: the files are flushed and closed.',
    section: 'control',
    handler: (s, a) => {
      const r: CaptureStopResult = { kind: 'captureStop', captures: s.captures.stop(a.port as number | undefined) };
      return r;
    },
  },
  {
    tokens: [w('show'), w('capture')],
    help: 'Display the captures of this session: packets seen, captured and dropped.',
    section: 'display',
    handler: (s) => {
      const r: CaptureListResult = { kind: 'captureList', captures: s.captures.list() };
      return r;
    },
  },
  {
    tokens: [w('replay'), w('start'), p('file', filePath), w('port'), p('port', portId), p('options', REPLAY_OPTIONS, true)],
    help: 'Replay a pcap/pcapng file into a port at original timing, a multiple of it, a rate, or top speed.',
    section: 'control',
    handler: (s, a) => {
      const r: ReplayResult = { kind: 'replay', action: 'start', replay: s.captures.replayStart(a.port as number, replayOptions(a.file as string, a.options as Record<string, unknown> | undefined)) };
      return r;
    },
  },
  {
    tokens: [w('replay'), w('stop')],
    help: 'Stop the running replay.',
    section: 'control',
    handler: (s) => {
      const r: ReplayResult = { kind: 'replay', action: 'stop', replay: s.captures.replayStop() };
      return r;
    },
  },
  {
    tokens: [w('show'), w('replay')],
    help: 'Display the replay: progress, rate reached and timing error.',
    section: 'display',
    handler: (s) => {
      const r: ReplayResult = { kind: 'replay', action: 'show', replay: s.captures.replayStatus() };
      return r;
    },
  },
  {
    tokens: [w('pcap'), w('info'), p('file', filePath)],
    help: 'Describe a pcap/pcapng file (like capinfos): format, link type, packets, bytes, duration, rates.',
    section: 'display',
    handler: (s, a) => {
      const r: PcapInfoResult = { kind: 'pcapInfo', info: s.captures.pcapInfo(a.file as string) };
      return r;
    },
  },
  {
    tokens: [w('pcap'), w('show'), p('file', filePath)],
    help: 'Print one decoded line per packet of a pcap/pcapng file (like tcpdump -r).',
    section: 'display',
    handler: (s, a) => pcapShow(s, a.file as string),
  },
  {
    tokens: [w('pcap'), w('show'), p('file', filePath), w('count'), p('count', uint('count', 'packets to print', 1))],
    help: 'Print the first N packets of a pcap/pcapng file.',
    section: 'display',
    handler: (s, a) => pcapShow(s, a.file as string, a.count as number),
  },
  {
    tokens: [w('pcap'), w('show'), p('file', filePath), w('filter'), p('expr', FILTER_EXPR)],
    help: 'Print the packets of a pcap/pcapng file that match a filter (like tcpdump -r FILE EXPR); --json gives each packet\'s number in the file.',
    section: 'display',
    handler: (s, a) => pcapShow(s, a.file as string, 0, a.expr as string),
  },
  {
    tokens: [w('pcap'), w('show'), p('file', filePath), w('count'), p('count', uint('count', 'packets to print', 1)), w('filter'), p('expr', FILTER_EXPR)],
    help: 'Print the first N packets of a pcap/pcapng file that match a filter.',
    section: 'display',
    handler: (s, a) => pcapShow(s, a.file as string, a.count as number, a.expr as string),
  },
];
