// tcpdump's own regression captures (../shared/corpus/tcpdump-tests: 830 pcap
// and pcapng files, many deliberately malformed) against tcpdump itself:
// every file tcpdump reads, ringside reads with the same packet count; and
// for the packets ringside decodes, `pcap show` agrees with `tcpdump -nn -S`
// field by field (addresses and ports; TCP flags, seq, ack, window; UDP
// length; ICMP echo; ARP). Prints the figures the README quotes.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test, assert } from './lib/harness.mjs';
import { root } from './lib/cli.mjs';
import { engineWith } from './lib/engine.mjs';
import { missingTools, skipOrFail } from './lib/tools.mjs';

const CORPUS = process.env.RINGSIDE_CORPUS ?? path.resolve(root, '..', 'shared', 'corpus', 'tcpdump-tests');
const MIN_DECODE_AGREEMENT = 0.995;  // of the packets with fields to compare

// How many packets tcpdump reads (null: it does not read the file), and its
// lines: each packet's starts with the -tt timestamp (a printer may add
// continuation lines, which start otherwise; an odd timestamp may not match,
// and then the file's lines are not compared).
function tcpdump(file) {
  const count = spawnSync('tcpdump', ['--count', '-r', file], { encoding: 'latin1' });
  const m = /^(\d+) packets?/m.exec(count.stdout);
  const r = spawnSync('tcpdump', ['-tt', '-nn', '-S', '-r', file], { encoding: 'latin1', maxBuffer: 1 << 28 });
  const lines = [];
  for (const line of r.stdout.split('\n')) {
    const t = /^\d+\.\d{6,9} (.*)$/.exec(line);
    if (t) lines.push(t[1]);
  }
  return { count: m ? Number(m[1]) : null, lines };
}

// The fields both print the same way, where a line has them. A tag or
// interface prefix ringside prints and tcpdump (without -e) does not is
// dropped first. Ports are compared where tcpdump puts them on the addresses
// (after IPv6 extension headers it prints them later, on their own).
const HOST_PORT = /^(.*?)(?:\.(\d+))?$/;
function fields(line) {
  const s = line.replace(/^(ifindex \d+ )?(vlan \d+, p \d+, )*/, '');
  const f = {};
  let m = /^(IP6?) (\S+) > (\S+?): /.exec(s);
  if (m) {
    const [src, dst] = [m[2], m[3]].map((a) => (m[1] === 'IP' ? /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?$/ : HOST_PORT).exec(a) ?? [a, a]);
    f.hosts = `${m[1]} ${src[1]} > ${dst[1]}`;
    if (src[2] && dst[2]) f.ports = `${src[2]} > ${dst[2]}`;
  }
  m = /^IP6? \S+ > \S+: Flags \[([^\]]*)\], (?:seq (\d+(?::\d+)?), )?(?:ack (\d+), )?win (\d+)/.exec(s);
  if (m) f.tcp = `[${m[1]}] seq ${m[2] ?? '-'} ack ${m[3] ?? '-'} win ${m[4]}`;
  m = /^IP6? \S+ > \S+: UDP, length (\d+)/.exec(s);
  if (m) f.udp = m[1];
  m = /^IP \S+ > \S+: ICMP (echo (?:request|reply)), id (\d+), seq (\d+)/.exec(s);
  if (m) f.icmp = `${m[1]} ${m[2]} ${m[3]}`;
  m = /^ARP, (Request who-has \S+(?: \(\S+\))? tell \S+|Reply \S+ is-at \S+)/.exec(s);
  if (m) f.arp = m[1].replace(/,$/, '');
  return f;
}

test('tcpdump\'s regression captures: the same packet counts, and pcap show agrees with tcpdump on what it decodes', () => {
  if (skipOrFail('pcap corpus', existsSync(CORPUS) ? missingTools([['tcpdump', 'tcpdump']]) : `no corpus at ${CORPUS} (set RINGSIDE_CORPUS)`)) return;
  const files = readdirSync(CORPUS).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  assert.ok(files.length >= 800, `${files.length} capture files in ${CORPUS}`);
  const e = engineWith([]);
  let read = 0, countAgree = 0, unaligned = 0, compared = 0, agreed = 0, packets = 0;
  const countMisses = [];
  const perField = {};
  const examples = [];
  try {
    for (const f of files) {
      const file = path.join(CORPUS, f);
      const td = tcpdump(file);
      if (td.count === null) continue;  // a file tcpdump does not read
      read++;
      let show;
      try {
        show = e.pcapShow(file);
      } catch (err) {
        countMisses.push(`${f}: tcpdump ${td.count}, ringside: ${err.message}`);
        continue;
      }
      if (show.packets.length !== td.count) {
        countMisses.push(`${f}: tcpdump ${td.count}, ringside ${show.packets.length}`);
        continue;
      }
      countAgree++;
      if (td.lines.length !== td.count) { unaligned++; continue; }
      show.packets.forEach((p, i) => {
        packets++;
        const ours = fields(p.summary);
        const theirs = fields(td.lines[i]);
        const keys = Object.keys(ours).filter((k) => k in theirs);
        if (keys.length === 0) return;
        compared++;
        let same = true;
        for (const k of keys) {
          perField[k] ??= { compared: 0, agreed: 0 };
          perField[k].compared++;
          if (ours[k] === theirs[k]) perField[k].agreed++;
          else same = false;
        }
        if (same) agreed++;
        else if (examples.length < 15) examples.push(`${f} #${i + 1}\n    ringside: ${p.summary}\n    tcpdump:  ${td.lines[i]}`);
      });
    }
  } finally {
    e.shutdown();
  }
  const pct = (a, b) => (b ? ((100 * a) / b).toFixed(2) : '100.00');
  console.log(`# ${files.length} files; tcpdump reads ${read}; ringside reads ${countAgree} of them with the same packet count`);
  console.log(`# decode: ${compared} of ${packets} packets (of the files whose lines tcpdump timestamps, all but ${unaligned}) have fields both print; all fields agree on ${agreed} (${pct(agreed, compared)}%)`);
  for (const [k, v] of Object.entries(perField)) console.log(`#   ${k}: ${v.agreed}/${v.compared} (${pct(v.agreed, v.compared)}%)`);
  if (examples.length) console.log(`# disagreements (first ${examples.length}):\n${examples.join('\n')}`);
  assert.equal(countMisses, [], 'every file tcpdump reads, ringside reads with the same packet count');
  assert.ok(compared > 5000, `${compared} packets compared`);
  assert.ok(agreed / compared >= MIN_DECODE_AGREEMENT, `decode agreement ${pct(agreed, compared)}% < ${100 * MIN_DECODE_AGREEMENT}%`);
}, { timeoutMs: 280_000 });

test.run();
