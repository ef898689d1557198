// Filters against tcpdump on captures nobody here wrote: the Ethernet
// (EN10MB) files of tcpdump's regression suite (../shared/corpus/tcpdump-tests
// beside the repository). tcpdump rewrites each file's records (as it reads
// them) into one pcap whose record N has timestamp second N, so one tcpdump
// run per expression (`tcpdump -r ALL -w - EXPR`) names the packets it keeps by
// their timestamps; ringside's verdicts come from `pcap show ALL filter EXPR`
// (through the addon, and once through the command line). Asserted: at least
// 99.9% of (packet, expression) pairs agree, and 99.5% for each expression.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

// tcpdump's reading of every Ethernet file, record N stamped second N; null
// when the corpus is absent.
function buildCorpusFile(dir) {
  if (!existsSync(CORPUS)) return null;
  const files = readdirSync(CORPUS).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  const records = [];
  let ethernetFiles = 0;
  for (const f of files) {
    const out = path.join(dir, 'one.pcap');
    const r = spawnSync('tcpdump', ['-r', path.join(CORPUS, f), '-w', out], { encoding: 'utf8' });
    if (!/link-type EN10MB/.test(r.stderr) || !existsSync(out)) continue;
    const b = readFileSync(out);
    if (b.length < 24 || b.readUInt32LE(0) !== 0xa1b2c3d4) continue;
    ethernetFiles++;
    for (let at = 24; at + 16 <= b.length;) {
      const caplen = b.readUInt32LE(at + 8);
      if (at + 16 + caplen > b.length) break;
      // Empty records are the reader's business (its own corpus test), not the filter's.
      if (caplen > 0) records.push({ orig: b.readUInt32LE(at + 12), data: b.subarray(at + 16, at + 16 + caplen) });
      at += 16 + caplen;
    }
  }
  const parts = [];
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(262144, 16);
  hdr.writeUInt32LE(1, 20);
  parts.push(hdr);
  records.forEach((r, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(i + 1, 0);
    rec.writeUInt32LE(r.data.length, 8);
    rec.writeUInt32LE(r.orig, 12);
    parts.push(rec, r.data);
  });
  const file = path.join(dir, 'ethernet.pcap');
  writeFileSync(file, Buffer.concat(parts));
  return { file, packets: records.length, ethernetFiles };
}

// The record numbers tcpdump keeps (their timestamp seconds).
function tcpdumpKeeps(file, expr) {
  const r = spawnSync('tcpdump', ['-r', file, '-w', '-', expr], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`tcpdump refused '${expr}': ${r.stderr}`);
  const b = r.stdout;
  const kept = new Set();
  for (let at = 24; at + 16 <= b.length; at += 16 + b.readUInt32LE(at + 8)) kept.add(b.readUInt32LE(at));
  return kept;
}

// null when ringside refuses the expression (every packet then counts as a disagreement).
function ringsideKeeps(engine, file, expr) {
  try {
    return new Set(engine.pcapShow(file, 0, expr).packets.map((p) => p.index));
  } catch (e) {
    console.log(`# ringside refused '${expr}': ${e.message}`);
    return null;
  }
}

test('filters keep the packets tcpdump keeps on the Ethernet files of tcpdump\'s regression captures', () => {
  if (!existsSync(CORPUS) && skipOrFail('filter corpus', `no corpus at ${CORPUS}`)) return;
  if (skipOrFail('filter corpus', missingTools([['tcpdump', 'tcpdump']]))) return;
  const t = tempDir();
  const engine = new addon.Engine({ totalNumMbufs: 1024 });
  try {
    const corpus = buildCorpusFile(t.dir);
    assert.ok(corpus.ethernetFiles >= 300 && corpus.packets >= 5000, `corpus: ${JSON.stringify(corpus)}`);
    let pairs = 0, agree = 0;
    const worst = [];
    const failures = [];
    for (const expr of EXPRESSIONS) {
      const want = tcpdumpKeeps(corpus.file, expr);
      const got = ringsideKeeps(engine, corpus.file, expr) ?? { has: (i) => !want.has(i) };
      let differ = 0;
      const examples = [];
      for (let i = 1; i <= corpus.packets; i++) {
        if (want.has(i) === got.has(i)) continue;
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
    console.log(`# filter agreement with tcpdump: ${(overall * 100).toFixed(3)}% of ${pairs} (packet, expression) pairs; ` +
      `${EXPRESSIONS.length} expressions over ${corpus.packets} packets of ${corpus.ethernetFiles} Ethernet files; ` +
      `lowest: ${worst.slice(0, 3).map((x) => `'${x.expr}' ${(x.share * 100).toFixed(3)}%`).join(', ')}`);
    console.log(`#   packets tcpdump keeps: ${EXPRESSIONS.map((e) => `'${e}' ${worst.find((x) => x.expr === e).tcpdump}`).join(', ')}`);
    for (const x of worst.filter((x) => x.differ > 0)) console.log(`#   '${x.expr}': ${x.differ} differ (tcpdump keeps ${x.tcpdump}), e.g. ${x.examples.join(', ')}`);
    assert.ok(EXPRESSIONS.length >= 50);
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
  // Another link type: said, not silently matched against Ethernet offsets.
  const sll = await ringside(['--json'], `pcap show ${path.join(CORPUS, 'RADIUS-RFC3162.pcap')} filter udp\n`);
  const refused = sll.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.code === 'EFILTER');
  assert.ok(refused, sll.stdout);
  assert.match(refused.message, /link type .*Ethernet/);
});

test.run();
