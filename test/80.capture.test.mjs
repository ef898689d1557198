// Capture: files ringside writes are read back by the test's own pcap reader
// and the npm pcap-parser package (classic pcap) and by tshark (pcap and
// pcapng) with the same packets and timestamps; filters; drops counted; files complete after capture stop,
// quit, SIGINT, SIGTERM, and whole records only after SIGKILL.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test, assert } from './lib/harness.mjs';
import { engineWith, sleep, tempDir, throwsCode, waitFor } from './lib/engine.mjs';
import { readPcap, writePcap } from './lib/pcap.mjs';
import { arpRequest, decode, icmpEcho, udp4 } from './lib/packets.mjs';
import { MAIN, ringside } from './lib/cli.mjs';

function ensureTshark() {
  if (spawnSync('tshark', ['-v']).status === 0) return true;
  spawnSync('sh', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y tshark'], { stdio: 'ignore' });
  return spawnSync('tshark', ['-v']).status === 0;
}
const HAVE_TSHARK = ensureTshark();
const pcapParser = createRequire(import.meta.url)('pcap-parser');

// pcap-parser's view of a classic pcap file. It knows only the microsecond
// magic; a nanosecond file differs from one in nothing but the magic and the
// unit of the fraction field, so a copy with the microsecond magic is parsed
// and its "microseconds" are read as the nanoseconds they are.
function pcapParserRead(file, copy) {
  const b = readFileSync(file);
  const nano = b.readUInt32LE(0) === 0xa1b23c4d;
  if (nano) b.writeUInt32LE(0xa1b2c3d4, 0);
  writeFileSync(copy, b);
  return new Promise((resolve, reject) => {
    const packets = [];
    const parser = pcapParser.parse(copy);
    parser.on('packet', (p) => {
      const h = p.header;
      packets.push({ tsNs: BigInt(h.timestampSeconds) * 1_000_000_000n + BigInt(h.timestampMicroseconds) * (nano ? 1n : 1000n),
        origLen: h.originalLength, data: Buffer.from(p.data) });
    });
    parser.on('end', () => resolve(packets));
    parser.on('error', reject);
  });
}

// tshark's view: one row per packet, time in ns since the epoch, length, direction flags.
function tsharkRows(file) {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.time_epoch',
    '-e', 'frame.cap_len', '-e', 'frame.packet_flags_direction'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
  return out.trim().split('\n').filter(Boolean).map((l) => {
    const [t, len, dir] = l.split(',');
    const [s, f = ''] = t.split('.');
    return { tsNs: BigInt(s) * 1_000_000_000n + BigInt(f.padEnd(9, '0').slice(0, 9)), len: Number(len), dir };
  });
}

test('classic pcap capture: every packet the port saw, read back by the JS reader and tshark', async () => {
  const t = tempDir();
  const e = engineWith(['net_ring0', 'net_ring1']);
  try {
    const started = e.captureStart(0, { direction: 'rx', file: t.file('rx.pcap'), count: 20000 });
    assert.is(started.state, 'running');
    assert.is(started.format, 'pcap');
    e.start(1);
    await sleep(100);
    e.stop();
    if (e.captures()[0].state === 'running') e.captureStop(0);
    const [c] = e.captures();
    assert.ok(c.state === 'stopped' || c.state === 'done', c.state);
    assert.ok(c.seen <= e.snapshot().ports[0].rxPackets, 'the tap saw the received packets');
    assert.ok(c.captured === 20000 || c.captured + c.dropped === c.seen, 'every packet is captured or counted as dropped');
    const file = readPcap(t.file('rx.pcap'));
    assert.ok(file.nanosecond, 'nanosecond timestamps');
    assert.is(file.packets.length, c.captured);
    const d = decode(file.packets[0].data);
    assert.ok(d.udp, 'txonly packets are UDP');
    for (let i = 1; i < file.packets.length; i++) assert.ok(file.packets[i].tsNs >= file.packets[i - 1].tsNs, 'rx timestamps do not go back');
    if (HAVE_TSHARK) {
      const rows = tsharkRows(t.file('rx.pcap'));
      assert.is(rows.length, file.packets.length, 'tshark reads as many packets');
      for (const i of [0, Math.floor(rows.length / 2), rows.length - 1]) {
        assert.is(rows[i].tsNs, file.packets[i].tsNs, `timestamp of packet ${i}`);
        assert.is(rows[i].len, file.packets[i].data.length);
      }
    }
  } finally {
    e.shutdown();
    t.remove();
  }
});

test('pcap-parser (an independent reader) reads a capture with the packets sent and the timestamps written', async () => {
  const t = tempDir();
  const sent = [udp4({ payload: Buffer.from('first') }), icmpEcho(), arpRequest(), udp4({ payload: Buffer.alloc(1400, 7) })];
  writePcap(t.file('src.pcap'), sent.map((data, i) => ({ data, tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n })));
  const e = engineWith(['net_null0']);
  try {
    e.captureStart(0, { direction: 'tx', file: t.file('tx.pcap') });
    e.replayStart(0, { file: t.file('src.pcap'), speed: 'topspeed', loops: 50 });
    await waitFor(() => e.replayStatus().state !== 'running', 5000, 'the replay to end');
    const [c] = e.captureStop(0);
    assert.is(c.captured, 200);
    const theirs = await pcapParserRead(t.file('tx.pcap'), t.file('copy.pcap'));
    const ours = readPcap(t.file('tx.pcap')).packets;
    assert.is(theirs.length, 200, 'pcap-parser reads every record');
    theirs.forEach((p, i) => {
      assert.ok(p.data.equals(sent[i % sent.length]), `packet ${i} holds the bytes replayed`);
      assert.is(p.origLen, sent[i % sent.length].length);
      assert.is(p.tsNs, ours[i].tsNs, `packet ${i}: the same timestamp for both readers`);
    });
    if (HAVE_TSHARK) {
      const rows = tsharkRows(t.file('tx.pcap'));
      assert.equal(rows.map((r) => r.tsNs), theirs.map((p) => p.tsNs), 'tshark sees the same timestamps');
    }
  } finally {
    e.shutdown();
    t.remove();
  }
});

test('pcapng capture records interface and direction; tshark agrees on packets and timestamps', async () => {
  const t = tempDir();
  const e = engineWith(['net_ring0', 'net_ring1']);
  try {
    e.captureStart(1, { file: t.file('both.pcapng'), format: 'pcapng', count: 2000 });
    e.start(1);
    await waitFor(() => e.captures().some((c) => c.state === 'done'), 5000, 'the count limit');
    e.stop();
    const [c] = e.captures();
    assert.is(c.captured, 2000);
    const show = e.pcapShow(t.file('both.pcapng'));
    assert.is(show.packets.length, 2000);
    assert.ok(show.nanosecond);
    assert.ok(show.packets.some((p) => p.direction === 'in') && show.packets.some((p) => p.direction === 'out'));
    const info = e.pcapInfo(t.file('both.pcapng'));
    assert.equal(info.interfaceNames, ['net_ring1']);
    if (HAVE_TSHARK) {
      const rows = tsharkRows(t.file('both.pcapng'));
      assert.is(rows.length, 2000);
      rows.forEach((r, i) => {
        const p = show.packets[i];
        assert.is(r.tsNs, BigInt(p.sec) * 1_000_000_000n + BigInt(p.nsec), `timestamp ${i}`);
        assert.is(r.dir, p.direction === 'in' ? '0x00000001' : '0x00000002', `direction ${i}`);
      });
      // The same bytes: tshark converts to classic pcap, the JS reader compares with ringside's pcap of the run.
      execFileSync('tshark', ['-r', t.file('both.pcapng'), '-F', 'nsecpcap', '-w', t.file('conv.pcap')], { stdio: 'ignore' });
      const conv = readPcap(t.file('conv.pcap'));
      assert.is(conv.packets.length, 2000);
      assert.is(conv.packets[5].tsNs, BigInt(show.packets[5].sec) * 1_000_000_000n + BigInt(show.packets[5].nsec));
    }
  } finally {
    e.shutdown();
    t.remove();
  }
});

test('filters select packets natively; bad filters are refused with the column', async () => {
  const t = tempDir();
  const input = [];
  for (let i = 0; i < 30; i++) input.push(udp4({ sport: 1000 + i }), arpRequest(), icmpEcho({ seq: i }));
  writePcap(t.file('in.pcap'), input.map((data) => ({ data })));
  const e = engineWith([`net_pcap0,rx_pcap=${t.file('in.pcap')}`]);
  try {
    e.portStop(0);
    e.captureStart(0, { direction: 'rx', file: t.file('arp.pcap'), filter: 'arp or (udp and src port 1005)' });
    e.portStart(0);
    e.setFwdMode('rxonly');
    e.start(0);
    await waitFor(() => e.snapshot().ports[0].rxPackets === input.length, 5000, 'every packet read');
    e.stop();
    const [c] = e.captureStop(0);
    assert.is(c.seen, 90);
    assert.is(c.matched, 31);
    const got = readPcap(t.file('arp.pcap')).packets.map((p) => decode(p.data));
    assert.is(got.length, 31);
    assert.is(got.filter((d) => d.type === 0x0806).length, 30);
    assert.is(got.filter((d) => d.udp?.sport === 1005).length, 1);
    const err = throwsCode(assert, () => e.captureStart(0, { file: t.file('x.pcap'), filter: 'udp and (port 5' }), 'EFILTER');
    assert.match(err.message, /column 16/);
    throwsCode(assert, () => e.filterCheck('hots 1.2.3.4'), 'EFILTER');
  } finally {
    e.shutdown();
    t.remove();
  }
});

test('when the writer falls behind, drops are counted and shown', async () => {
  const t = tempDir();
  const e = engineWith(['net_null0', 'net_null1']);
  try {
    e.captureStart(0, { file: t.file('d.pcap'), ringBytes: 65536 });
    e.start(0);
    await sleep(150);
    e.stop();
    const [c] = e.captureStop(0);
    assert.ok(c.dropped > 0, `dropped ${c.dropped}`);
    assert.is(c.captured + c.dropped, c.seen);
    assert.is(readPcap(t.file('d.pcap')).packets.length, c.captured);
  } finally {
    e.shutdown();
    t.remove();
  }
});

test('capture commands in the shell: start, show capture, stop; errors name what is wrong', async () => {
  const t = tempDir();
  try {
    const f = t.file('cli.pcapng');
    const r = await ringside(['--vdev', 'net_ring0', '--vdev', 'net_ring1'],
      `capture start 0 both file ${f} snaplen 128 filter udp\nstart tx_first\nshow capture\nstop\ncapture stop 0\n`
      + `capture start 0 file\ncapture start 0 rx fil ${f}\ncapture stop\nquit\n`);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /Capturing rx\+tx of port 0 \(net_ring0\) to .*cli\.pcapng \(pcapng, snaplen 128, until stopped, filter 'udp'\)/);
    assert.match(r.stdout, /######## Capture on port 0 \(net_ring0\) ########/);
    assert.match(r.stdout, /Capture on port 0 stopped: \d+ packets written to/);
    assert.match(r.stdout, /Error EARG_MISSING: missing the path after 'file'/);
    assert.match(r.stdout, /Error EARG_INVALID: unexpected 'fil'.*\n.*did you mean 'file'\?/);
    assert.match(r.stdout, /Error ENO_CAPTURE/);
    assert.ok(statSync(f).size > 100);
  } finally {
    t.remove();
  }
});

// Runs ringside with a capture going, ends it with `how`, returns the file.
async function interrupted(how, format) {
  const t = tempDir();
  const f = t.file(`x.${format}`);
  const child = spawn(process.execPath, [MAIN, '--vdev', 'net_ring0', '--vdev', 'net_ring1'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const closed = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  child.stdin.write(`capture start 0 file ${f} format ${format}\nstart tx_first\n`);
  await waitFor(() => existsSync(f) && statSync(f).size > 200_000, 10_000, 'the capture to grow');
  if (how === 'quit') child.stdin.write('quit\n');
  else child.kill(how);
  const end = await closed;
  return { t, f, end, out };
}

for (const [how, format] of [['quit', 'pcap'], ['SIGINT', 'pcap'], ['SIGTERM', 'pcap'], ['SIGTERM', 'pcapng'], ['SIGKILL', 'pcap'], ['SIGKILL', 'pcapng']]) {
  test(`${how} while capturing to ${format}: the file is complete and valid`, async () => {
    const t0 = Date.now();
    const { t, f, end, out } = await interrupted(how, format);
    if (process.env.RS_DEBUG) console.log(how, format, Date.now() - t0, 'ms', statSync(f).size);
    try {
      if (how === 'SIGKILL') assert.is(end.signal, 'SIGKILL');
      else {
        assert.is(end.code, { quit: 0, SIGINT: 130, SIGTERM: 143 }[how], `exit ${end.code} ${end.signal}`);
        assert.match(out, /Capture on port 0 stopped: \d+ packets written/, 'the capture summary is printed');
      }
      if (format === 'pcap') {
        // SIGKILL may land inside a write: every complete record must read back
        // (the promise); elsewhere the file must end on a record.
        const file = readPcap(f, { partialTail: how === 'SIGKILL' });
        assert.ok(file.packets.length > 1000, `${file.packets.length} packets`);
      }
      if (HAVE_TSHARK) {
        // capinfos (tshark's wiretap, without dissection: fast) reads every record.
        const r = spawnSync('capinfos', ['-c', f], { encoding: 'utf8' });
        const killed = how === 'SIGKILL';
        if (!killed) assert.is(r.status, 0, r.stderr);
        assert.ok(!(killed ? /damaged|corrupt/i : /cut short|damaged|corrupt|error/i).test(r.stderr), r.stderr);
        assert.match(r.stdout, /Number of packets:/);
      }
      const e = engineWith([]);
      try {
        if (how === 'SIGKILL') {
          // The engine's reader names a cut-short tail, never a damaged record.
          const info = e.pcapInfo(f);
          assert.ok(info.packets > 1000);
          assert.ok(info.stopped === '' || / is truncated: /.test(info.stopped), info.stopped);
        } else {
          const info = e.pcapInfo(f);  // the whole file reads cleanly
          assert.ok(info.packets > 1000);
        }
      } finally { e.shutdown(); }
    } finally {
      t.remove();
    }
  }, { timeoutMs: 30_000 });
}

test.run();
