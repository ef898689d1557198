// Edit distance for "did you mean": bounded, so that a huge word costs no
// more than a short one. Only distances up to `max` matter to a suggestion;
// anything further returns max + 1 without computing it. Cost: a length
// check, then O(min(|a|, |b|) * max) over the band of the table within `max`
// of its diagonal (no other cell can hold a distance <= max).
export function editDistance(a: string, b: string, max = Math.max(a.length, b.length)): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a.length > b.length) [a, b] = [b, a];
  const far = max + 1;
  const n = b.length;
  // Two rows, reused: a cell right of every band so far still holds `far`.
  let prev = Array.from({ length: n + 1 }, (_, j) => (j <= max ? j : far));
  let cur = new Array<number>(n + 1).fill(far);
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(n, i + max);
    cur[0] = i <= max ? i : far;
    if (from > 1) cur[from - 1] = far;
    let rowMin = cur[0];
    for (let j = from; j <= to; j++) {
      const d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur[j] = d < far ? d : far;
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return far;
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}
