// Where the dashboard's panels go and what text fits in them, as plain
// functions of the terminal's size and the data (view.ts draws them). Every
// width is computed from what will be written, so nothing runs into the next
// column or is cut at 80x24 and up; a column that does not fit is left out
// whole, by priority.

export interface Box { top: number; left: number; width: number; height: number }

export interface Layout {
  pps: Box; bps: Box;                // rate charts, side by side
  ports: Box;                        // the ports table, full width
  events: Box; occupancy: Box;       // bottom row, left and middle
  ring: Box; pool: Box;              // bottom row, right: two bars stacked
}

export const BAR_WIDTH = 24;
// The smallest terminal every panel fits in (the charts need room for an axis).
export const MIN_COLS = 60;
export const MIN_ROWS = 18;

// `occupancyWidth`: what the occupancy table needs (its widest row), so the
// events panel gets the rest.
export function layout(cols: number, rows: number, occupancyWidth: number): Layout {
  const chartH = Math.max(8, Math.floor(rows * 0.4));
  const bottomH = Math.max(6, Math.floor(rows * 0.3));
  const tableH = Math.max(4, rows - chartH - bottomH);
  const half = Math.floor(cols / 2);
  const bottomTop = chartH + tableH;
  const barW = Math.min(BAR_WIDTH, Math.floor(cols / 4));
  const occW = Math.min(occupancyWidth, Math.floor(cols * 0.4));
  const eventsW = cols - barW - occW;
  const barH = Math.floor(bottomH / 2);
  return {
    pps: { top: 0, left: 0, width: half, height: chartH },
    bps: { top: 0, left: half, width: cols - half, height: chartH },
    ports: { top: chartH, left: 0, width: cols, height: tableH },
    events: { top: bottomTop, left: 0, width: eventsW, height: bottomH },
    occupancy: { top: bottomTop, left: eventsW, width: occW, height: bottomH },
    ring: { top: bottomTop, left: eventsW + occW, width: barW, height: barH },
    pool: { top: bottomTop + barH, left: eventsW + occW, width: barW, height: bottomH - barH },
  };
}

// The first candidate that fits `width` columns (the last one if none does,
// cut to fit: the shortest form is one word).
export function fit(width: number, candidates: string[]): string {
  for (const c of candidates) if (c.length <= width) return c;
  return candidates[candidates.length - 1].slice(0, Math.max(0, width));
}

export interface Column { header: string; priority: number } // 0 first to stay

export interface TableFit { columns: number[]; widths: number[] } // indices of the columns kept

// Keeps the columns that fit `width` (border and the one-space gaps counted),
// most important first, in their original order; each as wide as its widest
// cell or header.
export function fitColumns(columns: Column[], rows: string[][], width: number, gap = 1): TableFit {
  const need = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const byPriority = columns.map((c, i) => i).sort((a, b) => columns[a].priority - columns[b].priority);
  const kept = new Set<number>();
  let used = 2; // the border
  for (const i of byPriority) {
    const extra = need[i] + (kept.size > 0 ? gap : 0);
    if (used + extra > width) continue;
    kept.add(i);
    used += extra;
  }
  const idx = columns.map((c, i) => i).filter((i) => kept.has(i));
  return { columns: idx, widths: idx.map((i) => need[i]) };
}

// A rate axis's unit: the largest whose value is at least 1 at the chart's top.
export interface Unit { name: string; divisor: number }
export const PPS_UNITS: Unit[] = [{ name: 'pps', divisor: 1 }, { name: 'Kpps', divisor: 1e3 }, { name: 'Mpps', divisor: 1e6 }];
export const BPS_UNITS: Unit[] = [
  { name: 'bit/s', divisor: 1 }, { name: 'kbit/s', divisor: 1e3 }, { name: 'Mbit/s', divisor: 1e6 }, { name: 'Gbit/s', divisor: 1e9 },
];
export function unitFor(max: number, units: Unit[]): Unit {
  let u = units[0];
  for (const x of units) if (max >= x.divisor) u = x;
  return u;
}

// 1234567 bytes -> "1.23 MB"; packets -> "1.23 M" (the header names the unit).
export function count(n: number, suffix = ''): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G${suffix}`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M${suffix}`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k${suffix}`;
  return suffix ? `${n} ${suffix}` : String(n);
}
