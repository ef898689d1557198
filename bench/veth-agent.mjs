// One side of the veth benchmark, run inside a namespace by bench/replay-veth.mjs
// (`ip netns exec NS [taskset -c CPU] node bench/veth-agent.mjs MODE ...`).
// Prints one JSON line when done.
//   replay DEVARGS FILE SPEED   replay FILE into the port (speed as `replay start`)
//   capture DEVARGS FILE        rxonly + rx capture into FILE; prints "ready",
//                               stops when stdin ends
//   rxrate IFACE                samples the interface's rx_packets every 2 ms
//                               until stdin ends; rate over the active window
import { readFileSync } from 'node:fs';
import { addon } from '../dist/native/addon.js';
import { sleep } from './lib.mjs';

const [mode, ...args] = process.argv.slice(2);
// Modes that run until told: stdin ending is the signal (reading it keeps the process alive).
const stdinEnded = () => new Promise((resolve) => { process.stdin.on('end', resolve); process.stdin.resume(); });

function speedOpts(speed) {
  if (speed === 'topspeed' || speed === 'original') return { speed };
  const [kind, value] = speed.split('=');  // pps=N, mbps=N
  return { speed: kind, value: Number(value) };
}

if (mode === 'replay') {
  const [dev, file, speed] = args;
  const e = new addon.Engine({ totalNumMbufs: 8192 });
  e.attach(dev);
  e.replayStart(0, { file, ...speedOpts(speed) });
  while (e.replayStatus().state === 'running') await sleep(5);
  const r = e.replayStatus();
  const tx = e.snapshot().ports[0];
  e.shutdown();
  console.log(JSON.stringify({ ...r, txPackets: tx.txPackets }));
} else if (mode === 'capture') {
  const [dev, file] = args;
  const e = new addon.Engine({ totalNumMbufs: 16384 });
  e.attach(dev);
  e.setFwdMode('rxonly');
  e.start(0);
  e.captureStart(0, { direction: 'rx', file });
  console.log('ready');
  await stdinEnded();
  const [c] = e.captureStop(0);
  e.stop();
  e.shutdown();
  console.log(JSON.stringify(c));
} else if (mode === 'rxrate') {
  const stat = `/sys/class/net/${args[0]}/statistics/rx_packets`;
  const read = () => ({ t: process.hrtime.bigint(), rx: Number(readFileSync(stat, 'utf8')) });
  const samples = [read()];
  let done = false;
  stdinEnded().then(() => { done = true; });
  console.log('ready');
  while (!done) { samples.push(read()); await sleep(2); }
  samples.push(read());
  // Active window: from the last sample before the count moved to the first one after it stopped.
  const base = samples[0].rx;
  const end = samples[samples.length - 1].rx;
  const first = samples.findLastIndex((s) => s.rx === base);
  const last = samples.findIndex((s) => s.rx === end);
  const secs = last > first ? Number(samples[last].t - samples[first].t) / 1e9 : NaN;
  console.log(JSON.stringify({ packets: end - base, seconds: secs, pps: (end - base) / secs }));
} else {
  throw new Error(`veth-agent: unknown mode ${mode}`);
}
