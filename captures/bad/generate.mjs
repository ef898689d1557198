#!/usr/bin/env node
// Writes the bad-file corpus next to this script: one damaged pcap/pcapng
// file per kind of damage, each built byte by byte from a small valid file.
// Deterministic: running it again gives the same bytes. expected.json says
// what each file must produce, as libpcap reads it:
//   { code, offset, words }           a bad file header: nothing is read, the error names the offset
//   { code, offset, words, before }   `before` records are read, then the file stops at a bad one
//   { packets, caplens }              odd but valid: libpcap reads every record
//   node captures/bad/generate.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function frame(i) {
  const b = Buffer.alloc(60);
  Buffer.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]).copy(b, 0);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45; b.writeUInt16BE(46, 16); b[22] = 64; b[23] = 17;
  Buffer.from([10, 0, 0, 1, 10, 0, 0, 2]).copy(b, 26);
  b.writeUInt16BE(1000 + i, 34); b.writeUInt16BE(2000, 36); b.writeUInt16BE(26, 38);
  return b;
}

function pcap({ snaplen = 65535, records = [] } = {}) {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6);
  h.writeUInt32LE(snaplen, 16); h.writeUInt32LE(1, 20);
  const parts = [h];
  records.forEach((r, i) => {
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(1700000000 + i, 0); rh.writeUInt32LE(1000 * i, 4);
    rh.writeUInt32LE(r.caplen ?? r.data.length, 8); rh.writeUInt32LE(r.origlen ?? r.data.length, 12);
    parts.push(rh, r.data);
  });
  return Buffer.concat(parts);
}

function block(type, body) {
  const pad = (4 - (body.length % 4)) % 4;
  const len = 12 + body.length + pad;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0); b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}
const shb = () => { const x = Buffer.alloc(16); x.writeUInt32LE(0x1a2b3c4d, 0); x.writeUInt16LE(1, 4); x.writeBigInt64LE(-1n, 8); return block(0x0a0d0d0a, x); };
const idb = (snaplen = 0) => { const x = Buffer.alloc(8); x.writeUInt16LE(1, 0); x.writeUInt32LE(snaplen, 4); return block(1, x); };
const epb = (data, i = 0, caplen = data.length) => {
  const x = Buffer.alloc(20); x.writeUInt32LE(0, 0); x.writeUInt32LE(0, 4); x.writeUInt32LE(i * 1000, 8);
  x.writeUInt32LE(caplen, 12); x.writeUInt32LE(data.length, 16);
  return block(6, Buffer.concat([x, data]));
};

const good = [0, 1, 2].map((i) => ({ data: frame(i) }));
const files = {};
const expect = {};
function add(name, bytes, code, offset, words, before) { files[name] = bytes; expect[name] = { code, offset, words, before }; }
function readable(name, bytes, caplens) { files[name] = bytes; expect[name] = { packets: caplens.length, caplens }; }

add('truncated-header.pcap', pcap().subarray(0, 13), 'EPCAP_TRUNCATED', 13, ['truncated header']);
{
  const b = pcap({ records: good });
  add('truncated-record.pcap', b.subarray(0, b.length - 20), 'EPCAP_TRUNCATED', 24 + 2 * 76, ['truncated record'], 2);
}
{
  const b = pcap({ records: good });
  b.writeUInt32LE(0xdeadbeef, 0);
  add('bad-magic.pcap', b, 'EPCAP_FORMAT', 0, ['not a pcap or pcapng file']);
}
// libpcap cuts a record longer than the snaplen to it, and goes on after the whole record.
readable('caplen-over-snaplen.pcap', pcap({ snaplen: 40, records: [{ data: frame(0).subarray(0, 40) }, { data: frame(1) }, { data: frame(2) }] }),
  [40, 40, 40]);
{
  const b = pcap({ snaplen: 0, records: [{ data: frame(0) }] });
  const rh = Buffer.alloc(16); rh.writeUInt32LE(1700000001, 0); rh.writeUInt32LE(300000, 8); rh.writeUInt32LE(300000, 12);
  add('caplen-over-256k.pcap', Buffer.concat([b, rh, Buffer.alloc(64)]), 'EPCAP_FORMAT', 24 + 76, ['more than 262144'], 1);
}
// Four records with no bytes (a file padded with zeros): libpcap reads them as packets.
readable('zero-length-record.pcap', Buffer.concat([pcap({ records: good.slice(0, 1) }), Buffer.alloc(16 * 4)]), [60, 0, 0, 0, 0]);
{
  const b = Buffer.concat([shb(), idb(), epb(frame(0)), epb(frame(1), 1)]);
  const second = 28 + 20 + 92;  // SHB 28, IDB 20, EPB 92
  b.writeUInt32LE(90, second + 4);  // not a multiple of 4
  add('wrong-block-length.pcapng', b, 'EPCAP_FORMAT', second, ['wrong block length'], 1);
}
{
  const b = Buffer.concat([shb(), idb(), epb(frame(0))]);
  b.writeUInt32LE(96, b.length - 4);  // trailing length disagrees
  add('wrong-trailing-length.pcapng', b, 'EPCAP_FORMAT', 48, ['wrong block length'], 0);
}
{
  const b = Buffer.concat([shb(), idb(), epb(frame(0))]);
  b.writeUInt32LE(0x12345678, 8);
  add('bad-byte-order-magic.pcapng', b, 'EPCAP_FORMAT', 8, ['byte-order magic']);
}
{
  const b = Buffer.concat([shb(), idb(), epb(frame(0)), epb(frame(1), 1)]);
  add('truncated-block.pcapng', b.subarray(0, b.length - 30), 'EPCAP_TRUNCATED', 28 + 20 + 92, ['truncated block'], 1);
}
// In pcapng libpcap refuses such a record instead.
add('caplen-over-snaplen.pcapng', Buffer.concat([shb(), idb(32), epb(frame(0))]), 'EPCAP_FORMAT', 48, ['snaplen of 32'], 0);
{
  const z = Buffer.alloc(12); z.writeUInt32LE(6, 0);  // an EPB whose lengths are zero
  add('zero-length-block.pcapng', Buffer.concat([shb(), idb(), epb(frame(0)), z]), 'EPCAP_FORMAT', 28 + 20 + 92, ['wrong block length'], 1);
}

for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(here, name), bytes);
writeFileSync(path.join(here, 'expected.json'), `${JSON.stringify(expect, null, 2)}\n`);
console.log(`wrote ${Object.keys(files).length} files and expected.json to ${here}`);
