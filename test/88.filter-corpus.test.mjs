// Filters against tcpdump on captures nobody here wrote: the Ethernet
// (EN10MB), Linux cooked, raw IP and BSD loopback files of tcpdump's
// regression suite (../shared/corpus/tcpdump-tests beside the repository).
// tcpdump rewrites each file's records (as it reads them) into one pcap per
// link type whose record N has timestamp second N, so one tcpdump
// run per expression (`tcpdump -r ALL -w - EXPR`) names the packets it keeps by
// their timestamps; ringside's verdicts come from `pcap show ALL filter EXPR`
// (through the addon, and once through the command line). Asserted: at least
// 99.9% of (packet, expression) pairs agree, and 99.5% for each expression,
// on each link type; what tcpdump refuses for a link type, ringside refuses.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { root, ringside } from './lib/cli.mjs';
import { addon, tempDir } from './lib/engine.mjs';
import { missingTools, skipOrFail } from './lib/tools.mjs';

const CORPUS = path.resolve(root, '..', 'shared', 'corpus', 'tcpdump-tests');

// Hosts, nets and ports that occur in the corpus, and every form the
// language has: protocols, VLAN offsets, lists, byte offsets, lengths.
export const EXPRESSIONS = [
  'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'icmp6', 'igmp', 'sctp',
  'vlan', 'vlan 100', 'vlan and ip', 'vlan and udp', 'vlan 1213 and tcp', 'vlan and vlan', 'vlan 202 and ip', 'mpls', 'mpls and ip',
  'host 10.0.0.1', 'src host 192.168.1.1', 'dst host 10.0.0.2 or 10.0.0.1', 'ip host 192.168.1.1', 'host fe80::1',
  'net 10.0.0.0/8', 'src net 192.168.0.0/16', 'dst net 224.0.0.0/4', 'net 172.16', 'net fe80::/10',
  'port 53', 'port domain', 'tcp port 80 or 443', 'udp port 53 or 123', 'port 80 or 443 or 8080', 'src port 53', 'dst port 53',
  'portrange 1-1023', 'tcp portrange 8000-9000', 'sctp port 2905', 'udp port 500 or 4500', 'tcp port bgp', 'udp port 4789',
  'ether broadcast', 'ether multicast', 'ether proto 0x88cc', 'ether proto 0x8863 or ether proto 0x8864', 'ether src 00:00:00:00:00:00',
  'ether host ff:ff:ff:ff:ff:ff', 'ether dst 01:80:c2:00:00:00',
  'len < 100', 'len >= 1000', 'greater 500', 'less 64',
  'ip proto 47', 'ip6 proto 58', 'ip proto 50 or ip proto 51', 'proto 89', 'ip proto \\udp',
  'tcp[tcpflags] & tcp-syn != 0', 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn', 'ip[8] < 64', 'icmp[icmptype] == icmp-echo',
  'icmp[icmptype] = icmp-unreach', 'ip[6:2] & 0x1fff != 0', 'tcp[12] >> 4 > 5', 'ether[0] & 1 != 0',
  'ip[2:2] - ((ip[0] & 0xf) << 2) > 100', 'icmp6[icmp6type] == icmp6-neighborsolicit', 'udp[4:2] > 512', 'ip[1] & 0xfc != 0',
  'ip multicast', 'ip6 multicast', 'not ip and not arp', 'ip and not tcp and not udp', 'tcp and (port 22 or port 23)',
  'ip and udp and not port 53', 'ip6 and udp', 'ip6 and tcp',
];

// The link types filters read besides Ethernet, as tcpdump -w writes them.
const OTHER_LINKS = { 0: 'NULL', 108: 'LOOP', 101: 'RAW', 113: 'LINUX_SLL', 228: 'IPV4', 229: 'IPV6', 276: 'LINUX_SLL2' };

// tcpdump's reading of every file, one pcap per link type (Ethernet and
// OTHER_LINKS), record N stamped second N; null when the corpus is absent.
function buildCorpusFiles(dir) {
  if (!existsSync(CORPUS)) return null;
  const files = readdirSync(CORPUS).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  const byLink = new Map();
  for (const f of files) {
    const out = path.join(dir, 'one.pcap');
    rmSync(out, { force: true });  // a file tcpdump cannot read leaves none, not the last one's
    const r = spawnSync('tcpdump', ['-r', path.join(CORPUS, f), '-w', out], { encoding: 'utf8' });
    if (!/link-type /.test(r.stderr) || !existsSync(out)) continue;
    const b = readFileSync(out);
    if (b.length < 24 || b.readUInt32LE(0) !== 0xa1b2c3d4) continue;
    const linktype = b.readUInt32LE(20) & 0xffff;  // the upper bits may say how long an FCS is
    if (linktype !== 1 && !(linktype in OTHER_LINKS)) continue;
    if (!byLink.has(linktype)) byLink.set(linktype, { records: [], files: 0 });
    const link = byLink.get(linktype);
    link.files++;
    for (let at = 24; at + 16 <= b.length;) {
      const caplen = b.readUInt32LE(at + 8);
      if (at + 16 + caplen > b.length) break;
      // Empty records are the reader's business (its own corpus test), not the filter's.
      if (caplen > 0) link.records.push({ orig: b.readUInt32LE(at + 12), data: b.subarray(at + 16, at + 16 + caplen) });
      at += 16 + caplen;
    }
  }
  const corpus = new Map();
  for (const [linktype, { records, files: count }] of byLink) {
    const parts = [];
    const hdr = Buffer.alloc(24);
    hdr.writeUInt32LE(0xa1b2c3d4, 0);
    hdr.writeUInt16LE(2, 4);
    hdr.writeUInt16LE(4, 6);
    hdr.writeUInt32LE(262144, 16);
    hdr.writeUInt32LE(linktype, 20);
    parts.push(hdr);
    records.forEach((r, i) => {
      const rec = Buffer.alloc(16);
      rec.writeUInt32LE(i + 1, 0);
      rec.writeUInt32LE(r.data.length, 8);
      rec.writeUInt32LE(r.orig, 12);
      parts.push(rec, r.data);
    });
    const file = path.join(dir, `linktype-${linktype}.pcap`);
    writeFileSync(file, Buffer.concat(parts));
    corpus.set(linktype, { file, packets: records.length, files: count });
  }
  return corpus;
}

// The record numbers tcpdump keeps (their timestamp seconds); null when
// tcpdump refuses the expression for the file's link type (vlan on Linux
// cooked). An expression its optimizer finds always false (arp on raw IP)
// keeps none.
function tcpdumpKeeps(file, expr) {
  const r = spawnSync('tcpdump', ['-r', file, '-w', '-', expr], { maxBuffer: 1 << 30 });
  if (r.status !== 0 && /expression rejects all packets/.test(r.stderr)) return new Set();
  if (r.status !== 0 && /supported only on|not a broadcast link|no (VLAN|MPLS) support for/.test(r.stderr)) return null;
  if (r.status !== 0) throw new Error(`tcpdump refused '${expr}': ${r.stderr}`);
  const b = r.stdout;
  const kept = new Set();
  for (let at = 24; at + 16 <= b.length; at += 16 + b.readUInt32LE(at + 8)) kept.add(b.readUInt32LE(at));
  return kept;
}

// The record numbers ringside keeps, or the error refusing the expression.
function ringsideKeeps(engine, file, expr) {
  try {
    return new Set(engine.pcapShow(file, 0, expr).packets.map((p) => p.index));
  } catch (e) {
    return e;
  }
}

// Per (packet, expression) agreement over one file. An expression tcpdump
// refuses for the link type must be refused by ringside too, saying why, and
// counts no pairs; one ringside alone refuses counts every packet as a
// disagreement.
function agreement(engine, corpus, label) {
  let pairs = 0, agree = 0;
  const worst = [], failures = [], refused = [];
  for (const expr of EXPRESSIONS) {
    const want = tcpdumpKeeps(corpus.file, expr);
    const got = ringsideKeeps(engine, corpus.file, expr);
    if (want === null) {
      if (got instanceof Error && /needs an Ethernet header, .*\(tcpdump: /.test(got.message)) refused.push(expr);
      else failures.push(`'${expr}': tcpdump refuses it, ringside ${got instanceof Error ? `says ${got.message}` : 'runs it'}`);
      continue;
    }
    if (got instanceof Error) console.log(`# ringside refused '${expr}': ${got.message}`);
    const keeps = got instanceof Error ? { has: (i) => !want.has(i) } : got;
    let differ = 0;
    const examples = [];
    for (let i = 1; i <= corpus.packets; i++) {
      if (want.has(i) === keeps.has(i)) continue;
      differ++;
      if (examples.length < 3) examples.push(`${i}${want.has(i) ? ' (tcpdump only)' : ' (ringside only)'}`);
    }
    pairs += corpus.packets;
    agree += corpus.packets - differ;
    const share = 1 - differ / corpus.packets;
    worst.push({ expr, share, differ, tcpdump: want.size, examples });
    if (share < 0.995) failures.push(`'${expr}': ${(share * 100).toFixed(3)}% (${differ} differ, e.g. packets ${examples.join(', ')})`);
  }
  worst.sort((a, b) => a.share - b.share);
  const overall = agree / pairs;
  console.log(`# ${label}: filter agreement with tcpdump ${(overall * 100).toFixed(3)}% of ${pairs} (packet, expression) pairs; ` +
    `${worst.length} expressions over ${corpus.packets} packets of ${corpus.files} files; ` +
    `lowest: ${worst.slice(0, 3).map((x) => `'${x.expr}' ${(x.share * 100).toFixed(3)}%`).join(', ')}` +
    (refused.length ? `; refused as tcpdump refuses them: ${refused.length}` : ''));
  console.log(`#   packets tcpdump keeps: ${worst.map((x) => `'${x.expr}' ${x.tcpdump}`).join(', ')}`);
  for (const x of worst.filter((x) => x.differ > 0)) console.log(`#   '${x.expr}': ${x.differ} differ (tcpdump keeps ${x.tcpdump}), e.g. ${x.examples.join(', ')}`);
  return { overall, worst, failures, refused };
}

test('filters keep the packets tcpdump keeps on the Ethernet files of tcpdump\'s regression captures', () => {
  if (!existsSync(CORPUS) && skipOrFail('filter corpus', `no corpus at ${CORPUS}`)) return;
  if (skipOrFail('filter corpus', missingTools([['tcpdump', 'tcpdump']]))) return;
  const t = tempDir();
  const engine = new addon.Engine({ totalNumMbufs: 1024 });
  try {
    const corpus = buildCorpusFiles(t.dir).get(1);
    assert.ok(corpus.files >= 300 && corpus.packets >= 5000, `corpus: ${JSON.stringify(corpus)}`);
    const { overall, worst, failures, refused } = agreement(engine, corpus, 'Ethernet');
    assert.ok(EXPRESSIONS.length >= 50);
    assert.equal(refused, []);
    // Most expressions keep some packets and leave others: agreement on them means something.
    const telling = worst.filter((x) => x.tcpdump > 0 && x.tcpdump < corpus.packets).length;
    assert.ok(telling >= EXPRESSIONS.length * 0.9, `only ${telling} expressions keep some packets but not all`);
    assert.ok(overall >= 0.999, `overall agreement ${(overall * 100).toFixed(3)}% < 99.9%`);
    assert.equal(failures, [], 'expressions below 99.5%');
  } finally {
    engine.shutdown?.();
    t.remove();
  }
});

test('filters keep the packets tcpdump keeps on the Linux cooked, raw IP and BSD loopback files, and refuse what tcpdump refuses there', () => {
  if (!existsSync(CORPUS) && skipOrFail('filter corpus', `no corpus at ${CORPUS}`)) return;
  if (skipOrFail('filter corpus', missingTools([['tcpdump', 'tcpdump']]))) return;
  const t = tempDir();
  const engine = new addon.Engine({ totalNumMbufs: 1024 });
  try {
    const corpus = buildCorpusFiles(t.dir);
    const links = [...corpus.keys()].filter((l) => l !== 1);
    // The corpus has no Linux cooked v2 or OpenBSD loopback file; the native suite covers those.
    for (const l of [113, 0, 101, 228, 229]) assert.ok(corpus.has(l), `no ${OTHER_LINKS[l]} file in the corpus`);
    const failures = [];
    for (const l of links) {
      const c = corpus.get(l);
      const r = agreement(engine, c, `${OTHER_LINKS[l]} (link type ${l})`);
      failures.push(...r.failures.map((f) => `${OTHER_LINKS[l]}: ${f}`));
      if (r.overall < 0.999) failures.push(`${OTHER_LINKS[l]}: overall agreement ${(r.overall * 100).toFixed(3)}% < 99.9%`);
      // The Ethernet-only primitives of the list are refused there, as tcpdump refuses them.
      for (const e of ['vlan', 'mpls', 'ether broadcast', 'ether multicast', 'ether src 00:00:00:00:00:00']) assert.ok(r.refused.includes(e), `${OTHER_LINKS[l]}: '${e}' not refused`);
      // Agreement means something: some expressions keep some packets and leave others.
      const telling = r.worst.filter((x) => x.tcpdump > 0 && x.tcpdump < c.packets).length;
      if (c.packets >= 20) assert.ok(telling >= 10, `${OTHER_LINKS[l]}: only ${telling} expressions keep some packets but not all`);
    }
    assert.equal(failures, [], 'link types or expressions below the thresholds');
  } finally {
    engine.shutdown?.();
    t.remove();
  }
});

test('pcap show FILE filter EXPR prints what tcpdump -r FILE EXPR prints, and a bad filter says where', async () => {
  if (!existsSync(CORPUS) && skipOrFail('filter corpus', `no corpus at ${CORPUS}`)) return;
  if (skipOrFail('filter corpus', missingTools([['tcpdump', 'tcpdump']]))) return;
  const file = path.join(CORPUS, 'ldp-common-session.pcap');  // 22 packets, 5 of them UDP behind a VLAN tag
  const expr = 'vlan and udp';
  const tcpdump = spawnSync('tcpdump', ['-nn', '-r', file, expr], { encoding: 'utf8' }).stdout.trim().split('\n');
  const r = await ringside(['--json'], `pcap show ${file} filter ${expr}\npcap show ${file} filter udp port\n`);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const shown = lines.find((l) => l.kind === 'pcapShow');
  assert.ok(shown, r.stdout);
  assert.is(shown.show.packets.length, tcpdump.length, `tcpdump:\n${tcpdump.join('\n')}\nringside: ${JSON.stringify(shown.show.packets)}`);
  assert.ok(tcpdump.length > 0 && tcpdump.length < 22);
  for (const p of shown.show.packets) assert.match(p.summary, /UDP|\.\d+ > /);
  const err = lines.find((l) => l.code === 'EFILTER');
  assert.ok(err, r.stdout);
  assert.match(err.message, /after 'port' at column 9, found the end/);
  // Linux cooked v1: filtered as tcpdump filters it, and vlan refused as tcpdump refuses it.
  const sllFile = path.join(CORPUS, 'RADIUS-RFC3162.pcap');
  const sllTcpdump = spawnSync('tcpdump', ['-nn', '-r', sllFile, 'udp and dst port 1812'], { encoding: 'utf8' }).stdout.trim().split('\n');
  const sll = await ringside(['--json'], `pcap show ${sllFile} filter udp and dst port 1812\npcap show ${sllFile} filter vlan\n`);
  const sllLines = sll.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const sllShown = sllLines.find((l) => l.kind === 'pcapShow');
  assert.ok(sllShown, sll.stdout);
  assert.ok(sllTcpdump.length > 0);
  assert.is(sllShown.show.packets.length, sllTcpdump.length, `tcpdump:\n${sllTcpdump.join('\n')}\nringside: ${JSON.stringify(sllShown.show.packets)}`);
  const refused = sllLines.find((l) => l.code === 'EFILTER');
  assert.ok(refused, sll.stdout);
  assert.match(refused.message, /'vlan' needs an Ethernet header, which Linux cooked v1 packets \(link type 113\) do not have \(tcpdump: no VLAN support for Linux cooked v1\)/);
  // inbound/outbound read the cooked packet type, as libpcap; an Ethernet file refuses them.
  for (const dir of ['inbound', 'outbound']) {
    const want = spawnSync('tcpdump', ['-nn', '-r', sllFile, dir], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;
    const got = (await ringside(['--json'], `pcap show ${sllFile} filter ${dir}\n`)).stdout.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.kind === 'pcapShow');
    assert.ok(got, `pcap show ${sllFile} filter ${dir}`);
    assert.is(got.show.packets.length, want, `${dir}: tcpdump ${want}`);
  }
  const eth = (await ringside(['--json'], `pcap show ${file} filter inbound\n`)).stdout.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.code === 'EFILTER');
  assert.ok(eth, 'inbound on an Ethernet file is refused');
  assert.match(eth.message, /inbound\/outbound not supported on Ethernet/);
});

test.run();
