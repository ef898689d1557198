// Shared by the benchmarks: repeat a measurement, report median/min/max.
export function summarize(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], runs: v.length };
}

export function fmt(s, digits = 2) {
  return `median ${s.median.toFixed(digits)} (min ${s.min.toFixed(digits)}, max ${s.max.toFixed(digits)}, ${s.runs} runs)`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
