#!/usr/bin/env node
// By hand, as root: node bench/ifproxy.mjs [runs]
// In a network namespace made for the run (deleted afterwards):
//  1. loss under a 10,000-route `ip -batch` (add, then del): ringside's
//     IF-proxy events vs `ip monitor route`, both listening at the same time;
//  2. latency from request (`ip link set ... mtu N` started) to event:
//     ringside's listener time stamp, ringside's JS delivery, and the moment
//     `ip monitor link`'s line reaches us; median and p99;
//  3. KNI packets per second, 64-byte frames: ingress (a net_null port's rx
//     through `kni create ... all` into the TAP) and egress (an AF_PACKET
//     sender on the KNI interface, out through a net_null port).
// Prints median (min, max) over the runs.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, fmt, sleep } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const pct = (v, p) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

if (process.argv[2] !== 'inner') {
  if (process.getuid() !== 0) { console.error('bench/ifproxy.mjs needs root (network namespaces)'); process.exit(1); }
  const ns = `rs-bench-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url), 'inner', process.argv[2] ?? '3'], { stdio: 'inherit' });
    process.exitCode = r.status ?? 1;
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
} else {
  await inner(Number(process.argv[3] ?? 3));
}


async function inner(runs) {
  const { addon } = await import(path.join(root, 'dist/native/addon.js'));
  execFileSync('ip', ['tuntap', 'add', 'dev', 'bx0', 'mode', 'tap']);
  execFileSync('ip', ['link', 'set', 'bx0', 'up']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-bench-'));
  const batch = (verb) => {
    const f = path.join(dir, verb);
    const l = [];
    for (let i = 0; i < 10000; i++) l.push(`route ${verb} 10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32 dev bx0`);
    fs.writeFileSync(f, l.join('\n') + '\n');
    return f;
  };
  const addFile = batch('add');
  const delFile = batch('del');

  // ---- 1. loss under a 10,000-route batch
  console.log('== 1. events seen of a 10,000-route ip -batch (add, then del): ringside vs ip monitor route');
  const oursLoss = [];
  const monLoss = [];
  for (let run = 0; run < runs; run++) {
    const e = new addon.Engine({ totalNumMbufs: 1024 });
    e.onEvents(() => { e.drainEvents(); });
    e.ifproxyListen();
    // ip monitor writes to a file, as into a terminal: nothing it waits for.
    const monFile = path.join(dir, `mon${run}`);
    const monFd = fs.openSync(monFile, 'w');
    const mon = spawn('ip', ['monitor', 'route'], { stdio: ['ignore', monFd, 'ignore'] });
    let monAdd = 0;
    let monDel = 0;
    const countMon = () => {
      const lines = fs.readFileSync(monFile, 'utf8').split('\n');
      monAdd = lines.filter((l) => /^10\.1\d\d\./.test(l)).length;
      monDel = lines.filter((l) => /^Deleted 10\.1\d\d\./.test(l)).length;
    };
    await sleep(300);
    e.clearEventCounters();
    for (const [file, key] of [[addFile, 'route_add'], [delFile, 'route_del']]) {
      const t0 = performance.now();
      execFileSync('ip', ['-batch', file]);
      const ms = performance.now() - t0;
      let last = -1;
      for (let i = 0; i < 100; i++) {  // until both counts stop moving
        await sleep(100);
        countMon();
        const c = (e.eventCounters()[key] ?? 0) + monAdd + monDel;
        if (c === last) break;
        last = c;
      }
      const ours = e.eventCounters()[key] ?? 0;
      const theirs = key === 'route_add' ? monAdd : monDel;
      const l = e.ifproxyListener();
      console.log(`  run ${run + 1} ${key}: batch took ${ms.toFixed(0)} ms; ringside ${ours} (overflows ${l.overflows}, missed ${l.missed}, routes known ${l.routes}), ip monitor ${theirs}`);
      oursLoss.push(10000 - ours);
      monLoss.push(10000 - theirs);
    }
    mon.kill();
    fs.closeSync(monFd);
    e.shutdown();
  }
  console.log(`  events lost, ringside:   ${fmt(summarize(oursLoss), 0)}`);
  console.log(`  events lost, ip monitor: ${fmt(summarize(monLoss), 0)}`);

  // ---- 2. latency request -> event
  console.log('\n== 2. latency from `ip link set bx0 mtu N` started to the event (µs)');
  const e = new addon.Engine({ totalNumMbufs: 4096 });
  const waiters = new Map();
  e.onEvents(() => {
    const t = nowUs();
    for (const ev of e.drainEvents()) {
      if (ev.name === 'mtu_change') waiters.get(ev.values.mtu)?.ours(ev.timeUs, t);
    }
  });
  e.ifproxyBind(e.ifproxyCreate('bxp0'), 'bx0');
  e.ifproxyListen();
  const mon = spawn('ip', ['monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
  mon.stdout.on('data', (d) => {
    const t = nowUs();
    for (const m of String(d).matchAll(/bx0: .* mtu (\d+)/g)) waiters.get(m[1])?.mon(t);
  });
  await sleep(500);
  const lat = { listener: [], js: [], mon: [] };
  const N = 200 * runs;
  for (let i = 0; i < N; i++) {
    const mtu = String(1300 + (i % 2 ? 100 : 0) + (i % 50));
    const got = { };
    const done = new Promise((resolve) => {
      waiters.set(mtu, {
        ours: (tl, tj) => { got.listener = tl; got.js = tj; if (got.mon) resolve(); },
        mon: (t) => { got.mon = t; if (got.js) resolve(); },
      });
    });
    const t0 = nowUs();
    // Spawned asynchronously: the event loop stays free to take both answers.
    await new Promise((res) => spawn('ip', ['link', 'set', 'bx0', 'mtu', mtu]).on('close', res));
    await Promise.race([done, sleep(2000)]);
    waiters.delete(mtu);
    if (got.listener) { lat.listener.push(got.listener - t0); lat.js.push(got.js - t0); }
    if (got.mon) lat.mon.push(got.mon - t0);
  }
  mon.kill();
  for (const [k, v] of Object.entries(lat)) {
    const label = { listener: 'ringside listener stamp', js: 'ringside JS delivery  ', mon: 'ip monitor link line  ' }[k];
    console.log(`  ${label}: median ${pct(v, 0.5)} µs, p99 ${pct(v, 0.99)} µs (${v.length}/${N} seen)`);
  }
  e.shutdown();

  // ---- 3. KNI pps, 64-byte frames
  console.log('\n== 3. KNI packets per second, 64-byte frames (Mpps)');
  const sender = path.join(dir, 'pktsend');
  fs.writeFileSync(sender + '.c', `
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
int main(int c, char** v) {
  int fd = socket(AF_PACKET, SOCK_RAW, htons(0x88B5));
  struct sockaddr_ll to = {0};
  to.sll_family = AF_PACKET; to.sll_ifindex = if_nametoindex(v[1]); to.sll_halen = 6;
  memset(to.sll_addr, 0xff, 6);
  unsigned char f[64] = {0}; memset(f, 0xff, 6); f[6] = 2; f[12] = 0x88; f[13] = 0xB5;
  struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
  double secs = atof(v[2]);
  for (;;) {
    for (int i = 0; i < 256; i++) sendto(fd, f, 64, 0, (struct sockaddr*)&to, sizeof to);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9 > secs) break;
  }
  return 0;
}`);
  execFileSync('cc', ['-O2', '-o', sender, sender + '.c']);
  const ing = [];
  const eg = [];
  for (let run = 0; run < runs; run++) {
    const k = new addon.Engine({ totalNumMbufs: 8192 });
    const p = k.attach('net_null0,size=64');
    k.kniCreate(p, 'kbx0', true);
    k.onEvents(() => { k.drainEvents(); k.kniProcessRequests(); });
    execFileSync('ip', ['link', 'set', 'kbx0', 'up']);
    execFileSync('sysctl', ['-qw', 'net.ipv6.conf.kbx0.disable_ipv6=1']);
    await sleep(300);
    // ingress: net_null rx (endless 64-byte packets) -> TAP
    let a = k.kniStats(p).stats;
    let t = performance.now();
    await sleep(2000);
    let b = k.kniStats(p).stats;
    ing.push((b.rxPackets - a.rxPackets) / (performance.now() - t) / 1000);
    // egress: AF_PACKET sender on kbx0 -> TAP -> net_null tx, with a KNI
    // without `all` (the port's rx is not polled).
    k.kniDestroy(p);
    k.kniCreate(p, 'kbx0', false);
    execFileSync('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    execFileSync('ip', ['link', 'set', 'kbx0', 'up']);
    await sleep(300);
    a = k.kniStats(p).stats;
    t = performance.now();
    spawnSync(sender, ['kbx0', '2']);
    b = k.kniStats(p).stats;
    eg.push((b.txPackets - b.txDropped - a.txPackets + a.txDropped) / (performance.now() - t) / 1000);
    k.shutdown();
  }
  console.log(`  ingress (port rx -> kernel): ${fmt(summarize(ing), 3)}`);
  console.log(`  egress (kernel -> port tx):  ${fmt(summarize(eg), 3)}`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
