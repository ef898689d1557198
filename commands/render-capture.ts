// Results of the capture, replay and pcap commands, and how they are drawn.
import type { StyledLine } from './types.js';
import type { CaptureInfo } from '../native/capture.js';
import type { CaptureListResult, CaptureStartResult, CaptureStopResult, PcapInfoResult, PcapShowResult, ReplayResult } from './results.js';
import { L } from './util.js';

export function bytesText(n: number): string {
  if (n < 1000) return `${n} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${n} bytes (${v.toFixed(1)} ${units[u]})`;
}

export function durationText(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

function rateText(n: number, unit: string): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G${unit}`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M${unit}`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)} k${unit}`;
  return `${n.toFixed(0)} ${unit}`;
}

const DIRS: Record<string, string> = { rx: 'rx', tx: 'tx', both: 'rx+tx' };

function captureLines(c: CaptureInfo): StyledLine[] {
  const out: StyledLine[] = [
    L(`  ######## Capture on port ${c.port} (${c.portName}) ########`, 'heading'),
    L(`  File: ${c.file} (${c.format}, ${bytesText(c.fileBytes)})`),
    L(`  State: ${c.state}, ${durationText(c.durationNs)}   Direction: ${DIRS[c.direction] ?? c.direction}   `
      + `Snaplen: ${c.snaplen}   Count: ${c.countLimit || 'until stopped'}`),
  ];
  if (c.filter) out.push(L(`  Filter: ${c.filter}`));
  out.push(L(`  Seen: ${c.seen}   Matched: ${c.matched}   Captured: ${c.captured}   Dropped: ${c.dropped}`));
  if (c.dropped > 0) {
    out.push(L(`  ${c.dropped} packets were not captured: the writer fell behind (ring of ${bytesText(c.ringBytes)} per queue)`, 'warning'));
  }
  if (c.error) out.push(L(`  Error: ${c.error}`, 'error'));
  return out;
}

export function renderCaptureStart(r: CaptureStartResult): StyledLine[] {
  const c = r.capture;
  const what = [`${c.format}`, `snaplen ${c.snaplen}`, c.countLimit ? `count ${c.countLimit}` : 'until stopped'];
  if (c.filter) what.push(`filter '${c.filter}'`);
  return [L(`Capturing ${DIRS[c.direction] ?? c.direction} of port ${c.port} (${c.portName}) to ${c.file} (${what.join(', ')})`, 'ok')];
}

export function renderCaptureStop(r: CaptureStopResult): StyledLine[] {
  const out: StyledLine[] = [];
  for (const c of r.captures) {
    out.push(L(`Capture on port ${c.port} ${c.state}: ${c.captured} packets written to ${c.file} (${bytesText(c.fileBytes)})`,
      c.state === 'failed' ? 'error' : 'ok'));
    out.push(L(`  seen ${c.seen}, filtered out ${c.seen - c.matched}, dropped ${c.dropped}`, c.dropped > 0 ? 'warning' : undefined));
    if (c.error) out.push(L(`  Error: ${c.error}`, 'error'));
  }
  return out;
}

export function renderCaptureList(r: CaptureListResult): StyledLine[] {
  if (r.captures.length === 0) return [L("No capture in this session: 'capture start PORT file PATH'", 'dim')];
  const out: StyledLine[] = [];
  for (const c of r.captures) out.push(L(''), ...captureLines(c));
  return out;
}

export function renderReplay(r: ReplayResult): StyledLine[] {
  const x = r.replay;
  if (!x) return [L("No replay in this session: 'replay start FILE port N'", 'dim')];
  const total = x.loops ? x.filePackets * x.loops : 0;
  const done = x.sent + x.skipped;
  const pct = total ? ` (${((100 * done) / total).toFixed(1)}%)` : '';
  const head = r.action === 'start'
    ? `Replaying ${x.file} into port ${x.port} (tx queue ${x.queue}, cpu ${x.cpu}): ${x.filePackets} packets, ${durationText(x.fileDurationNs)} long`
    : `Replay of ${x.file} into port ${x.port} (tx queue ${x.queue}, cpu ${x.cpu}): ${x.state}`;
  const out: StyledLine[] = [L(head, x.state === 'failed' ? 'error' : 'ok')];
  out.push(L(`  Speed: ${x.speed}   Loop: ${x.loop}/${x.loops || 'until stopped'}`));
  if (x.fileStops) out.push(L(`  Stops early: ${x.fileStops}; each loop replays the ${x.filePackets} packets before it`, 'warning'));
  if (r.action === 'start') return out;
  out.push(L(`  Progress: ${x.sent} packets sent of ${total || 'unbounded'}${pct}, ${bytesText(x.bytes)}, skipped ${x.skipped}`
    + (x.retries ? `, port busy ${x.retries} times` : '')));
  out.push(L(`  Rate reached: ${rateText(x.pps, 'pps')}, ${rateText(x.mbps * 1e6, 'bit/s')} over ${durationText(x.elapsedNs)}`));
  if (x.timingSamples > 0) {
    const pcts = x.timingP50Ns || x.timingP99Ns ? `, median ${durationText(x.timingP50Ns)}, p99 ${durationText(x.timingP99Ns)}` : '';
    out.push(L(`  Timing error: mean ${durationText(x.timingMeanNs)}${pcts}, max ${durationText(x.timingMaxNs)} (${x.timingSamples} packets)`));
  } else if (x.speed === 'topspeed') {
    out.push(L('  Timing error: none measured (topspeed has no schedule)', 'dim'));
  }
  if (x.skipped) out.push(L(`  ${x.skipped} records were skipped: empty or not Ethernet`, 'warning'));
  if (x.error) out.push(L(`  Error: ${x.error}`, 'error'));
  return out;
}

function pad2(n: number): string { return String(n).padStart(2, '0'); }

// Local time with the file's resolution, as tcpdump prints it.
export function timeOfDay(sec: number, nsec: number, nanosecond: boolean): string {
  const d = new Date(sec * 1000);
  const frac = nanosecond ? String(nsec).padStart(9, '0') : String(Math.floor(nsec / 1000)).padStart(6, '0');
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${frac}`;
}

function dateTime(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(nsec).padStart(9, '0')}`;
}

export function renderPcapInfo(r: PcapInfoResult): StyledLine[] {
  const i = r.info;
  const secs = i.durationNs / 1e9;
  const row = (k: string, v: string | number): StyledLine => L(`${(k + ':').padEnd(21)}${v}`);
  const out = [
    row('File name', i.file),
    row('File type', `${i.format} (${i.tsResolution}), ${i.byteOrder}, version ${i.version}`),
    row('File encapsulation', `${i.linktypeName} (${i.linktype})`),
    row('Snapshot length', i.snaplen || 'none'),
    row('Interfaces', i.interfaces + (i.interfaceNames.some(Boolean) ? ` (${i.interfaceNames.map((n) => n || '?').join(', ')})` : '')
      + (i.sections > 1 ? `, ${i.sections} sections` : '')),
    row('Number of packets', i.packets),
    row('File size', bytesText(i.fileBytes)),
    row('Data size', bytesText(i.dataBytes) + (i.cutPackets ? ` (${i.cutPackets} packets cut by the snaplen; ${i.origBytes} bytes on the wire)` : '')),
    row('Capture duration', `${secs.toFixed(9)} seconds`),
  ];
  if (i.packets > 0) {
    out.push(row('First packet time', dateTime(i.firstSec, i.firstNsec)), row('Last packet time', dateTime(i.lastSec, i.lastNsec)));
  }
  out.push(
    row('Data byte rate', secs > 0 ? `${rateText(i.dataBytes / secs, 'Bps')}` : 'n/a'),
    row('Data bit rate', secs > 0 ? `${rateText((i.dataBytes * 8) / secs, 'bps')}` : 'n/a'),
    row('Average packet size', i.packets ? `${(i.dataBytes / i.packets).toFixed(2)} bytes` : 'n/a'),
    row('Average packet rate', secs > 0 ? `${rateText(i.packets / secs, 'packets/s')}` : 'n/a'),
  );
  if (i.stopped) out.push(L(`Stops early: ${i.stopped}`, 'warning'));
  return out;
}

// tcpdump -r prints the records before a truncated one, then says where the file stops.
export function renderPcapShow(r: PcapShowResult): StyledLine[] {
  const s = r.show;
  const out = s.packets.map((p) => L(`${p.tsOverflow ? '[timestamp overflow]' : timeOfDay(p.sec, p.nsec, s.nanosecond)} ${p.direction ? `${p.direction === 'in' ? 'In ' : 'Out'} ` : ''}${p.summary}`));
  if (s.stopped) out.push(L(`Stops early: ${s.stopped}`, 'warning'));
  return out;
}
