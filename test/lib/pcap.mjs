// A small, independent pcap reader/writer for tests: files the engine reads are
// made here, files it writes are checked here, so the engine's own pcap code
// is never checked against itself.
import { readFileSync, writeFileSync } from 'node:fs';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

// packets: [{ data: Buffer, tsNs?: bigint }]
export function writePcap(file, packets, { nanosecond = false, bigEndian = false, snaplen = 65535 } = {}) {
  const parts = [];
  const hdr = Buffer.alloc(24);
  const w32 = (b, v, o) => (bigEndian ? b.writeUInt32BE(v, o) : b.writeUInt32LE(v, o));
  const w16 = (b, v, o) => (bigEndian ? b.writeUInt16BE(v, o) : b.writeUInt16LE(v, o));
  w32(hdr, nanosecond ? MAGIC_NS : MAGIC_US, 0);
  w16(hdr, 2, 4);
  w16(hdr, 4, 6);
  w32(hdr, snaplen, 16);
  w32(hdr, 1, 20);
  parts.push(hdr);
  packets.forEach((p, i) => {
    const ts = p.tsNs ?? BigInt(i) * 1000n + 1_700_000_000n * 1_000_000_000n;
    const rec = Buffer.alloc(16);
    w32(rec, Number(ts / 1_000_000_000n), 0);
    const frac = ts % 1_000_000_000n;
    w32(rec, Number(nanosecond ? frac : frac / 1000n), 4);
    w32(rec, p.data.length, 8);
    w32(rec, p.data.length, 12);
    parts.push(rec, p.data);
  });
  writeFileSync(file, Buffer.concat(parts));
}

// Returns { nanosecond, linktype, packets: [{ tsNs, data, origLen }] }.
// With { partialTail: true }, a last record cut short (a writer killed
// mid-write) is left out instead of being an error.
export function readPcap(file, { partialTail = false } = {}) {
  const b = readFileSync(file);
  if (b.length < 24) throw new Error(`${file}: ${b.length} bytes, no pcap header`);
  let le = true;
  let magic = b.readUInt32LE(0);
  if (magic !== MAGIC_US && magic !== MAGIC_NS) { le = false; magic = b.readUInt32BE(0); }
  if (magic !== MAGIC_US && magic !== MAGIC_NS) throw new Error(`${file}: bad magic`);
  const r32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const nanosecond = magic === MAGIC_NS;
  const packets = [];
  let off = 24;
  while (off + 16 <= b.length) {
    const sec = BigInt(r32(off));
    const frac = BigInt(r32(off + 4));
    const incl = r32(off + 8);
    const orig = r32(off + 12);
    if (off + 16 + incl > b.length) {
      if (partialTail) return { nanosecond, linktype: r32(20), packets };
      throw new Error(`${file}: truncated record at offset ${off}`);
    }
    packets.push({ tsNs: sec * 1_000_000_000n + (nanosecond ? frac : frac * 1000n), data: b.subarray(off + 16, off + 16 + incl), origLen: orig });
    off += 16 + incl;
  }
  if (off !== b.length && !partialTail) throw new Error(`${file}: ${b.length - off} trailing bytes`);
  return { nanosecond, linktype: r32(20), packets };
}
