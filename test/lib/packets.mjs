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

// ---- more builders for the decoder tests (set verbose, pcap show)

// The frame with a VLAN tag (TPID 0x8100, or 0x88a8 for a QinQ outer tag) after the MACs.
export function vlanTag(frame, vid, { tpid = 0x8100, pcp = 0 } = {}) {
  const t = Buffer.alloc(4);
  t.writeUInt16BE(tpid, 0);
  t.writeUInt16BE((pcp << 13) | vid, 2);
  return Buffer.concat([frame.subarray(0, 12), t, frame.subarray(12)]);
}

export function tcp4({ dst = '02:00:00:00:00:01', src = '02:00:00:00:00:02', sip = '10.0.0.1', dip = '10.0.0.2', sport = 40000, dport = 80, seq = 1000, ack = 0, flags = 0x02, window = 64240, payload = Buffer.alloc(0) } = {}) {
  const t = Buffer.concat([Buffer.alloc(20), payload]);
  t.writeUInt16BE(sport, 0); t.writeUInt16BE(dport, 2); t.writeUInt32BE(seq, 4); t.writeUInt32BE(ack, 8);
  t[12] = 5 << 4; t[13] = flags; t.writeUInt16BE(window, 14);
  const ih = ipv4Header(sip, dip, 6, t.length);
  t.writeUInt16BE(l4Checksum(ih, 6, t), 16);
  return Buffer.concat([eth(dst, src, 0x0800), ih, t]);
}

const ip6 = (s) => {
  const [head, tail = ''] = s.split('::');
  const words = (x) => (x ? x.split(':').map((h) => parseInt(h, 16)) : []);
  const a = words(head), b = words(tail);
  const all = [...a, ...Array(8 - a.length - b.length).fill(0), ...b];
  const buf = Buffer.alloc(16);
  all.forEach((w, i) => buf.writeUInt16BE(w, i * 2));
  return buf;
};

// IPv6 with extension headers: ext is a list of { type: 0|60 (8 bytes, PadN) | 43 (routing type 0, one address) | 44 (fragment) }.
export function ipv6({ dst = '02:00:00:00:00:01', src = '02:00:00:00:00:02', sip = '2001:db8::1', dip = '2001:db8::2', proto, l4, ext = [] }) {
  const types = [...ext.map((e) => e.type), proto];
  const hdrs = ext.map((e, i) => {
    const h = Buffer.alloc(e.type === 43 ? 24 : 8);
    h[0] = types[i + 1];
    if (e.type === 43) { h[1] = 2; h[2] = 0; h[3] = e.segleft ?? 1; ip6(e.via ?? '2001:db8::99').copy(h, 8); }  // type 0, one address
    if (e.type === 44) { h.writeUInt16BE((e.offset ?? 0) | (e.more ? 1 : 0), 2); h.writeUInt32BE(e.id ?? 1, 4); }
    if (e.type === 0 || e.type === 60) { h[2] = 1; h[3] = 4; }  // PadN, 4 bytes
    return h;
  });
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h[6] = types[0]; h[7] = 64;
  ip6(sip).copy(h, 8); ip6(dip).copy(h, 24);
  if (proto === 17 || proto === 58) {
    const pseudo = Buffer.alloc(40);
    h.copy(pseudo, 0, 8, 40); pseudo.writeUInt32BE(l4.length, 32); pseudo[39] = proto;
    l4.writeUInt16BE(checksum(Buffer.concat([pseudo, l4])) || 0xffff, proto === 17 ? 6 : 2);
  }
  const payload = Buffer.concat([...hdrs, l4]);
  h.writeUInt16BE(payload.length, 4);
  return Buffer.concat([eth(dst, src, 0x86dd), h, payload]);
}

export function udpHeader(sport, dport, payload) {
  const u = Buffer.concat([Buffer.alloc(8), payload]);
  u.writeUInt16BE(sport, 0); u.writeUInt16BE(dport, 2); u.writeUInt16BE(u.length, 4);
  return u;
}

export function icmp6Echo({ id = 1, seq = 1, ext = [] } = {}) {
  const ic = Buffer.alloc(8 + 16, 0x5a);
  ic[0] = 128; ic[1] = 0; ic.writeUInt16BE(0, 2); ic.writeUInt16BE(id, 4); ic.writeUInt16BE(seq, 6);
  return ipv6({ proto: 58, l4: ic, ext });
}

// VXLAN (UDP 4789) carrying `inner` over IPv4.
export function vxlan({ vni = 100, inner, sip = '192.168.0.1', dip = '192.168.0.2', sport = 49152 } = {}) {
  const v = Buffer.alloc(8);
  v[0] = 0x08;
  v.writeUInt32BE(vni << 8, 4);
  return udp4({ sip, dip, sport, dport: 4789, payload: Buffer.concat([v, inner]) });
}
