// Packet builders and an independent decoder/checksum for tests.
export const mac = (s) => Buffer.from(s.split(':').map((h) => parseInt(h, 16)));
export const macStr = (b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':').toUpperCase();
export const ip4 = (s) => Buffer.from(s.split('.').map(Number));
export const ip4Str = (b) => [...b].join('.');

export function checksum(buf) {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function eth(dst, src, type) {
  const h = Buffer.alloc(14);
  mac(dst).copy(h, 0);
  mac(src).copy(h, 6);
  h.writeUInt16BE(type, 12);
  return h;
}

function ipv4Header(src, dst, proto, payloadLen) {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payloadLen, 2);
  h[8] = 64;
  h[9] = proto;
  ip4(src).copy(h, 12);
  ip4(dst).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return h;
}

function l4Checksum(ipHdr, proto, l4) {
  const pseudo = Buffer.alloc(12);
  ipHdr.copy(pseudo, 0, 12, 20);
  pseudo[9] = proto;
  pseudo.writeUInt16BE(l4.length, 10);
  return checksum(Buffer.concat([pseudo, l4]));
}

export function udp4({ dst = '02:00:00:00:00:01', src = '02:00:00:00:00:02', sip = '10.0.0.1', dip = '10.0.0.2', sport = 1000, dport = 2000, payload = Buffer.alloc(18) } = {}) {
  const u = Buffer.concat([Buffer.alloc(8), payload]);
  u.writeUInt16BE(sport, 0);
  u.writeUInt16BE(dport, 2);
  u.writeUInt16BE(u.length, 4);
  const ih = ipv4Header(sip, dip, 17, u.length);
  u.writeUInt16BE(l4Checksum(ih, 17, u) || 0xffff, 6);
  return Buffer.concat([eth(dst, src, 0x0800), ih, u]);
}

export function arpRequest({ src = '02:00:00:00:00:02', sip = '10.0.0.2', tip = '10.0.0.1' } = {}) {
  const a = Buffer.alloc(28);
  a.writeUInt16BE(1, 0); a.writeUInt16BE(0x0800, 2); a[4] = 6; a[5] = 4; a.writeUInt16BE(1, 6);
  mac(src).copy(a, 8); ip4(sip).copy(a, 14); ip4(tip).copy(a, 24);
  return Buffer.concat([eth('ff:ff:ff:ff:ff:ff', src, 0x0806), a, Buffer.alloc(18)]);
}

export function icmpEcho({ dst = '02:00:00:00:00:01', src = '02:00:00:00:00:02', sip = '10.0.0.2', dip = '10.0.0.1', id = 7, seq = 1 } = {}) {
  const ic = Buffer.alloc(8 + 32, 0xab);
  ic[0] = 8; ic[1] = 0; ic.writeUInt16BE(0, 2); ic.writeUInt16BE(id, 4); ic.writeUInt16BE(seq, 6);
  ic.writeUInt16BE(checksum(ic), 2);
  return Buffer.concat([eth(dst, src, 0x0800), ipv4Header(sip, dip, 1, ic.length), ic]);
}

// Decodes what tests look at; verifies checksums independently.
export function decode(p) {
  const d = { dst: macStr(p.subarray(0, 6)), src: macStr(p.subarray(6, 12)), type: p.readUInt16BE(12), length: p.length };
  if (d.type === 0x0806) {
    const a = p.subarray(14);
    d.arp = { op: a.readUInt16BE(6), sha: macStr(a.subarray(8, 14)), spa: ip4Str(a.subarray(14, 18)), tha: macStr(a.subarray(18, 24)), tpa: ip4Str(a.subarray(24, 28)) };
  } else if (d.type === 0x0800) {
    const ih = p.subarray(14, 14 + (p[14] & 0xf) * 4);
    const total = p.readUInt16BE(16);
    d.ip = { src: ip4Str(ih.subarray(12, 16)), dst: ip4Str(ih.subarray(16, 20)), proto: ih[9], totalLength: total, checksumOk: checksum(ih) === 0 };
    const l4 = p.subarray(14 + ih.length, 14 + total);
    if (ih[9] === 17) {
      const pseudo = Buffer.alloc(12);
      ih.copy(pseudo, 0, 12, 20); pseudo[9] = 17; pseudo.writeUInt16BE(l4.length, 10);
      d.udp = { sport: l4.readUInt16BE(0), dport: l4.readUInt16BE(2), length: l4.readUInt16BE(4), checksumOk: l4.readUInt16BE(6) !== 0 && checksum(Buffer.concat([pseudo, l4])) === 0 };
    } else if (ih[9] === 1) {
      d.icmp = { type: l4[0], code: l4[1], id: l4.readUInt16BE(4), seq: l4.readUInt16BE(6), checksumOk: checksum(l4) === 0 };
    }
  }
  return d;
}
