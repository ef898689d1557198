// Capture, replay and pcap file commands:
//   capture start PORT [rx|tx|both] file PATH [format pcap|pcapng] [snaplen N] [count N] [filter EXPR]
//   capture stop [PORT]            show capture
//   replay start FILE port N [speed original|topspeed|xMULT|pps N|mbps N] [loop N]
//   replay stop                    show replay
//   pcap info FILE                 pcap show FILE [count N] [filter EXPR]
import type { Session } from '../session/session.js';
import type { Choice, CommandSpec, ParamType } from './spec.js';
import { p, w } from './spec.js';
import { filePath, portId, rest, uint } from './params.js';
import { nearest } from './parse.js';
import { errorResult } from './results.js';
import { eventsOf } from '../session/events.js';
import type { CommandResult } from './types.js';
import type { CaptureOptions, ReplayOptions } from '../native/capture.js';
import '../native/capture.js';
import type { ErrorCode } from '../native/errors.js';
import type { CaptureListResult, CaptureStartResult, CaptureStopResult, PcapInfoResult, PcapShowResult, ReplayResult } from './render-capture.js';

const FORMATS: Choice[] = [
  { word: 'pcap', help: 'libpcap format, nanosecond timestamps' },
  { word: 'pcapng', help: 'pcapng format' },
];
const formatWord: ParamType = {
  label: 'pcap|pcapng', help: 'the file format', parse: (word) => ({ ok: true, value: word }),
  complete: (_ctx, prefix) => FORMATS.filter((c) => c.word.startsWith(prefix)),
};

const CAPTURE_WORDS: Choice[] = [
  { word: 'rx', help: 'received packets only' },
  { word: 'tx', help: 'sent packets only' },
  { word: 'both', help: 'received and sent packets (default)' },
  { word: 'file', help: 'file PATH: where to write (required)', value: filePath },
  { word: 'format', help: 'format pcap|pcapng (default: from the file name, else pcap)', value: formatWord },
  { word: 'snaplen', help: 'snaplen N: bytes kept of each packet (default: all)', value: uint('snaplen', 'bytes kept') },
  { word: 'count', help: 'count N: stop after N packets', value: uint('count', 'packets', 1) },
  { word: 'filter', help: 'filter EXPR: the rest of the line, e.g. udp and port 53' },
];

const REPLAY_WORDS: Choice[] = [
  { word: 'speed', help: 'speed original|topspeed|xMULT|pps N|mbps N (default original)' },
  { word: 'loop', help: 'loop N: play the file N times (0: until stopped)', value: uint('loop', 'times') },
  { word: 'original', help: 'the gaps of the file' },
  { word: 'topspeed', help: 'as fast as the port takes packets' },
  { word: 'pps', help: 'pps N: N packets per second' },
  { word: 'mbps', help: 'mbps N: N Mbit/s' },
];

// Keywords in any order; after a keyword that takes a value, the value's own
// completion (file PATH completes paths, count N nothing).
function restOf(label: string, help: string, words: Choice[]): ParamType {
  return {
    label,
    help,
    rest: true,
    parse: (word) => ({ ok: true, value: word }),
    complete: (ctx, prefix, before = []) => {
      const keyword = words.find((c) => c.word === before[before.length - 1]);
      if (keyword?.value) return keyword.value.complete?.(ctx, prefix) ?? [];
      return words.filter((c) => c.word.startsWith(prefix));
    },
  };
}

class OptionError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly hint?: string) { super(message); }
}

function uintWord(what: string, word: string | undefined, min = 0): number {
  if (word === undefined) throw new OptionError('EARG_MISSING', `missing the value after '${what}'`);
  if (!/^(0|[1-9][0-9]*)$/.test(word) || Number(word) > 4294967295 || Number(word) < min) {
    throw new OptionError('EARG_INVALID', `invalid ${what} '${word}': expected an integer ${min === 0 ? '>= 0' : `>= ${min}`}`);
  }
  return Number(word);
}

function unknownWord(word: string, valid: Choice[], usage: string): OptionError {
  const near = nearest(word, valid.map((c) => c.word));
  return new OptionError('EARG_INVALID', `unexpected '${word}': expected ${valid.map((c) => c.word).join(', ')}`,
    near.length ? `did you mean '${near[0]}'?` : usage);
}

const CAPTURE_USAGE = 'usage: capture start PORT [rx|tx|both] file PATH [format pcap|pcapng] [snaplen N] [count N] [filter EXPR]';
const REPLAY_USAGE = 'usage: replay start FILE port N [speed original|topspeed|xMULT|pps N|mbps N] [loop N]';

export function parseCaptureOptions(text: string): CaptureOptions {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const o: CaptureOptions = { file: '' };
  let i = 0;
  let formatGiven = false;
  if (['rx', 'tx', 'both'].includes(words[0])) o.direction = words[i++] as CaptureOptions['direction'];
  while (i < words.length) {
    const k = words[i++];
    switch (k) {
      case 'file':
        if (words[i] === undefined) throw new OptionError('EARG_MISSING', "missing the path after 'file'", CAPTURE_USAGE);
        o.file = words[i++];
        break;
      case 'format': {
        const f = words[i++];
        if (f !== 'pcap' && f !== 'pcapng') {
          throw new OptionError(f === undefined ? 'EARG_MISSING' : 'EARG_INVALID', `format must be pcap or pcapng${f === undefined ? '' : `, not '${f}'`}`);
        }
        o.format = f;
        formatGiven = true;
        break;
      }
      case 'snaplen': o.snaplen = uintWord('snaplen', words[i++], 1); break;
      case 'count': o.count = uintWord('count', words[i++], 1); break;
      case 'filter':
        o.filter = words.slice(i).join(' ');
        if (!o.filter) throw new OptionError('EARG_MISSING', "missing the expression after 'filter', e.g. filter udp and port 53");
        i = words.length;
        break;
      default:
        throw unknownWord(k, CAPTURE_WORDS.filter((c) => !['rx', 'tx', 'both'].includes(c.word) || i === 1), CAPTURE_USAGE);
    }
  }
  if (!o.file) throw new OptionError('EARG_MISSING', "capture needs a file: add 'file PATH'", CAPTURE_USAGE);
  if (!formatGiven) o.format = /\.pcapng$/i.test(o.file) ? 'pcapng' : 'pcap';
  return o;
}

export function parseReplayOptions(text: string): Omit<ReplayOptions, 'file'> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const o: Omit<ReplayOptions, 'file'> = { speed: 'original', loops: 1 };
  let i = 0;
  while (i < words.length) {
    const k = words[i++];
    if (k === 'loop') { o.loops = uintWord('loop', words[i++]); continue; }
    if (k !== 'speed') throw unknownWord(k, REPLAY_WORDS.slice(0, 2), REPLAY_USAGE);
    const s = words[i++];
    if (s === 'original' || s === 'topspeed') { o.speed = s; continue; }
    if (s === 'pps' || s === 'mbps') {
      const v = words[i++];
      if (v === undefined || !/^[0-9]+(\.[0-9]+)?$/.test(v) || Number(v) <= 0) {
        throw new OptionError(v === undefined ? 'EARG_MISSING' : 'EARG_INVALID', `speed ${s} needs a positive number${v === undefined ? '' : `, not '${v}'`}`);
      }
      o.speed = s;
      o.value = Number(v);
      continue;
    }
    const m = s === undefined ? null : /^x([0-9]+(\.[0-9]+)?)$/.exec(s);
    if (m && Number(m[1]) > 0) { o.speed = 'multiplier'; o.value = Number(m[1]); continue; }
    throw new OptionError(s === undefined ? 'EARG_MISSING' : 'EARG_INVALID',
      `speed must be original, topspeed, xMULT (e.g. x2 or x0.5), pps N or mbps N${s === undefined ? '' : `, not '${s}'`}`, REPLAY_USAGE);
  }
  return o;
}

function withOptions<T>(fn: () => T): T | CommandResult {
  try { return fn(); } catch (e) {
    if (e instanceof OptionError) return errorResult(e.code, e.message, e.hint);
    throw e;
  }
}

function captureStart(s: Session, port: number, text: string): CommandResult {
  const o = withOptions(() => parseCaptureOptions(text));
  if ('kind' in o) return o as CommandResult;
  // A capture with a count ends by itself: the shell hears of it. Subscribed
  // first, since an end queued with no subscriber is not delivered.
  eventsOf(s);
  const r: CaptureStartResult = { kind: 'captureStart', capture: s.engine.captureStart(port, o as CaptureOptions) };
  return r;
}

function replayStart(s: Session, file: string, port: number, text: string | undefined): CommandResult {
  const o = withOptions(() => parseReplayOptions(text ?? ''));
  if ('kind' in o) return o as CommandResult;
  eventsOf(s);  // before the start, as for a capture: a short replay may end at once
  const r: ReplayResult = { kind: 'replay', action: 'start', replay: s.engine.replayStart(port, { file, ...(o as Omit<ReplayOptions, 'file'>) }) };
  return r;
}

function pcapShow(s: Session, file: string, count?: number, filter?: string): CommandResult {
  const r: PcapShowResult = { kind: 'pcapShow', show: s.engine.pcapShow(file, count ?? 0, filter ?? '') };
  return r;
}

const FILTER_EXPR = rest('EXPR', "a capture filter, the rest of the line (see 'help filter'), e.g. tcp port 80 or 443");

export const capture: CommandSpec[] = [
  {
    tokens: [w('capture'), w('start'), p('port', portId),
      p('options', restOf('[rx|tx|both] file PATH [format pcap|pcapng] [snaplen N] [count N] [filter EXPR]',
        'what to capture and where: file PATH is required', CAPTURE_WORDS))],
    help: 'Capture packets of a port to a pcap or pcapng file (nanosecond timestamps); drops are counted, never hidden.',
    section: 'control',
    handler: (s, a) => captureStart(s, a.port as number, a.options as string),
  },
  {
    tokens: [w('capture'), w('stop'), p('port', portId, true)],
    help: 'Stop the capture on a port, or every capture: the files are flushed and closed.',
    section: 'control',
    handler: (s, a) => {
      const r: CaptureStopResult = { kind: 'captureStop', captures: s.engine.captureStop(a.port as number | undefined) };
      return r;
    },
  },
  {
    tokens: [w('show'), w('capture')],
    help: 'Display the captures of this session: packets seen, captured and dropped.',
    section: 'display',
    handler: (s) => {
      const r: CaptureListResult = { kind: 'captureList', captures: s.engine.captures() };
      return r;
    },
  },
  {
    tokens: [w('replay'), w('start'), p('file', filePath), w('port'), p('port', portId),
      p('options', restOf('[speed original|topspeed|xMULT|pps N|mbps N] [loop N]', 'pacing and repetitions', REPLAY_WORDS), true)],
    help: 'Replay a pcap/pcapng file into a port at original timing, a multiple of it, a rate, or top speed.',
    section: 'control',
    handler: (s, a) => replayStart(s, a.file as string, a.port as number, a.options as string | undefined),
  },
  {
    tokens: [w('replay'), w('stop')],
    help: 'Stop the running replay.',
    section: 'control',
    handler: (s) => {
      const r: ReplayResult = { kind: 'replay', action: 'stop', replay: s.engine.replayStop() };
      return r;
    },
  },
  {
    tokens: [w('show'), w('replay')],
    help: 'Display the replay: progress, rate reached and timing error.',
    section: 'display',
    handler: (s) => {
      let replay = null;
      try { replay = s.engine.replayStatus(); } catch (e) {
        if ((e as { code?: string }).code !== 'ENO_REPLAY') throw e;
      }
      const r: ReplayResult = { kind: 'replay', action: 'show', replay };
      return r;
    },
  },
  {
    tokens: [w('pcap'), w('info'), p('file', filePath)],
    help: 'Describe a pcap/pcapng file (like capinfos): format, link type, packets, bytes, duration, rates.',
    section: 'display',
    handler: (s, a) => {
      const r: PcapInfoResult = { kind: 'pcapInfo', info: s.engine.pcapInfo(a.file as string) };
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
