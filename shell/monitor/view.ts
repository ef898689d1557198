// The `monitor` dashboard's panels on a blessed screen: packet and bit rate
// charts (axes in units), the ports table, events, ring occupancy and two
// bars (the fullest ring, the mbuf pool). Panels and columns are sized from
// the screen and the text they will hold (layout.ts). dashboard.ts runs it on
// the terminal; tests run it on a screen of any size.
import blessed from 'blessed';
// Only the two widgets used, not blessed-contrib's index (maps, images, markdown).
import ContribLine from 'blessed-contrib/lib/widget/charts/line.js';
import ContribTable from 'blessed-contrib/lib/widget/table.js';
import type { MonitorPort, SnapMessage } from './protocol.js';
import { formatPps } from '../status.js';
import { fullestRing, percent } from './gauges.js';
import { BPS_UNITS, MIN_COLS, MIN_ROWS, PPS_UNITS, count, fit, fitColumns, layout, unitFor, type Box, type Column, type Layout, type Unit } from './layout.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const WINDOW_S = 60;                       // charts show the last minute
const PAGE = 4;                            // ports per chart page
const COLORS = ['green', 'cyan', 'yellow', 'magenta', 'blue', 'red', 'white', 'grey'];

interface Series { rxPps: number[]; txPps: number[]; rxBps: number[]; txBps: number[] }
interface Rates { rxPps: number; txPps: number; rxBps: number; txBps: number }

const PORT_COLUMNS: Column[] = [
  { header: 'port', priority: 0 }, { header: 'name', priority: 1 }, { header: 'state', priority: 2 },
  { header: 'rx-packets', priority: 5 }, { header: 'tx-packets', priority: 6 },
  { header: 'rx-bytes', priority: 9 }, { header: 'tx-bytes', priority: 10 },
  { header: 'errors', priority: 7 }, { header: 'drops', priority: 8 },
  { header: 'rx-rate', priority: 3 }, { header: 'tx-rate', priority: 4 },
];
const OCC_COLUMNS: Column[] = [{ header: 'ring', priority: 0 }, { header: 'used', priority: 2 }, { header: 'full', priority: 1 }];
const GAP = 1;

// In a UTF-8 locale, borders are written as UTF-8 box characters rather than
// through the terminal's DEC graphics set, which many terminals ignore in
// UTF-8 mode (drawing qqqq and xxx); as ncurses does with NCURSES_NO_UTF8_ACS.
export function utf8LineDrawing(screen: { tput: { unicode: boolean; brokenACS: boolean } }): void {
  if (screen.tput.unicode) screen.tput.brokenACS = true;
}

export interface DashboardOptions { intervalMs: number; color: boolean }

export interface Dashboard {
  snap(m: SnapMessage): void;
  event(text: string): void;
  nextPage(): void;
  previousPage(): void;
  redraw(): void;
}

export function createDashboard(screen: any, opts: DashboardOptions): Dashboard {
  const fg = (c: string): string => (opts.color ? c : 'white');
  const points = Math.max(2, Math.round((WINDOW_S * 1000) / opts.intervalMs));
  const xLabels = Array.from({ length: points }, (_, i) => {
    const s = Math.round(((points - 1 - i) * opts.intervalMs) / 1000);
    return i === points - 1 ? 'now' : `-${s}s`;
  });
  const series = new Map<number, Series>();
  const rates = new Map<number, Rates>();
  let last: SnapMessage | undefined;
  let page = 0;

  const border = { type: 'line' };
  const chart = (color: string): any => {
    const c = new ContribLine({
      screen, border, showLegend: true, legend: { width: 8 }, wholeNumbersOnly: false,
      style: { line: fg(color), text: fg('white'), baseline: fg('white'), border: { fg: fg('white') } },
      xLabelPadding: 2, xPadding: 3, top: 0, left: 0, width: 10, height: 8,
    });
    screen.append(c);
    return c;
  };
  const ppsChart = chart('green');
  const bpsChart = chart('cyan');
  const ports = new ContribTable({
    screen, border, keys: true, interactive: true, vi: true, fg: fg('white'),
    selectedFg: 'black', selectedBg: opts.color ? 'cyan' : 'white', columnSpacing: GAP + 1, columnWidth: [4],
    top: 0, left: 0, width: 10, height: 4,
  });
  screen.append(ports);
  // blessed's own log wraps long event lines instead of cutting them.
  const events = blessed.log({ parent: screen, border, label: ' events ', tags: false, scrollback: 200, style: { fg: fg('white') } });
  const occupancy = new ContribTable({
    screen, border, keys: false, interactive: false, fg: fg('white'), columnSpacing: GAP + 1, columnWidth: [4],
    label: ' occupancy ', top: 0, left: 0, width: 10, height: 4,
  });
  screen.append(occupancy);
  const bar = (color: string): any => blessed.progressbar({
    parent: screen, border, orientation: 'horizontal', filled: 0,
    style: { bar: { bg: opts.color ? color : 'white', fg: 'black' }, fg: fg('white') },
  });
  const ringBar = bar('yellow');
  const poolBar = bar('green');

  const place = (w: any, b: Box): void => {
    w.top = b.top; w.left = b.left; w.width = b.width; w.height = b.height;
  };

  // Chart y labels in the chart's unit: blessed-contrib draws them with the
  // canvas's fillText as bare numbers; the x labels ("-12s", "now") pass as they are.
  const withUnit = (c: any, unit: () => Unit): void => {
    const ctx = c.ctx;
    const fillText = ctx.fillText.bind(ctx);
    ctx.fillText = (text: string, x: number, y: number) =>
      fillText(/^-?\d+(\.\d+)?$/.test(text) ? `${text} ${unit().name}` : text, x, y);
  };
  let ppsUnit = PPS_UNITS[0];
  let bpsUnit = BPS_UNITS[0];

  let drawnSize = [0, 0];
  const pages = (): number => Math.max(1, Math.ceil((last?.ports.length ?? 0) / PAGE));

  function push(arr: number[], v: number): void {
    arr.push(v);
    if (arr.length > points) arr.splice(0, arr.length - points);
  }
  const padded = (arr: number[]): number[] =>
    (arr.length >= points ? arr : [...Array<number>(points - arr.length).fill(0), ...arr]);

  function drawChart(c: any, title: string, keys: [keyof Series, keyof Series], units: Unit[], shown: MonitorPort[]): Unit {
    const max = Math.max(0, ...shown.flatMap((p) => keys.flatMap((k) => series.get(p.id)?.[k] ?? [])));
    const unit = unitFor(max, units);
    const lines = keys.flatMap((key) => shown.map((p, i) => ({
      title: `${p.id} ${key.slice(0, 2)}`,
      x: xLabels,
      y: padded(series.get(p.id)?.[key] ?? []).map((v) => v / unit.divisor),
      style: { line: fg(COLORS[(i * 2 + (key.startsWith('rx') ? 0 : 1)) % COLORS.length]) },
    })));
    // Room for the widest y label with its unit (the chart pads 2 canvas dots a column).
    const top = (max / unit.divisor) * 1.2;
    const labelLen = `${top.toFixed(top / 5 < 1 ? 2 : 0)} ${unit.name}`.length;
    c.options.xLabelPadding = labelLen * 2 + 2;
    c.options.xPadding = labelLen * 2 + 4;
    const pg = pages() > 1 ? `page ${page + 1}/${pages()}` : '';
    c.setLabel(fit((c.width as number) - 4, [
      ` ${title}, last ${WINDOW_S} s${pg ? `, ${pg} (←/→)` : ''} `, ` ${title}${pg ? `, ${pg}` : ''} `, ` ${title} `,
    ]));
    // The legend box (a line per series) sits at the chart's top right; it is
    // left out when it would reach down to the time axis' labels.
    c.options.showLegend = (c.height as number) > lines.length + 6;
    if (lines.length > 0) c.setData(lines);
    else if (c.legend) { c.remove(c.legend); c.legend = undefined; }
    return unit;
  }

  // blessed-contrib's table draws its rows one column right of its headers
  // (so the header line gets a leading space) and pads every cell, the last one too,
  // with the gap: the fit has two columns less.
  function table(t: any, columns: Column[], rows: string[][], width: number): void {
    const f = fitColumns(columns, rows, width - 1 - GAP, GAP);
    t.options.columnWidth = f.widths;
    t.setData({ headers: f.columns.map((i) => columns[i].header), data: rows.map((r) => f.columns.map((i) => r[i])) });
    t.setContent(` ${t.getContent()}`);
  }

  const occupancyRows = (m: SnapMessage): string[][] => [
    ...m.occupancy.map((o) => [o.name, `${o.used}/${o.size}`, o.size ? `${percent(o.used, o.size)}%` : '-']),
    ...m.ports.flatMap((p) => p.counters.rxq.map((q, i) => [`p${p.id} rxq${i}`, count(q.packets, 'pkts'), ''])),
  ];

  // Puts every panel where the screen's size and the data say (no drawing).
  // Below the smallest size the panels fit in, one line says so instead.
  const tooSmall = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: '100%', hidden: true });
  const panels = [ppsChart, bpsChart, ports, events, occupancy, ringBar, poolBar];
  function fitsScreen(): boolean {
    const cols = screen.width as number;
    const rows = screen.height as number;
    const fits = cols >= MIN_COLS && rows >= MIN_ROWS;
    for (const w of panels) w[fits ? 'show' : 'hide']();
    tooSmall[fits ? 'hide' : 'show']();
    tooSmall.setContent(`monitor needs ${MIN_COLS}x${MIN_ROWS}; the terminal is ${cols}x${rows} (q: back)`);
    return fits;
  }

  function arrange(): Layout {
    const occRows = last ? occupancyRows(last) : [];
    const occFit = fitColumns(OCC_COLUMNS, occRows, Number.MAX_SAFE_INTEGER, GAP);
    const occNeed = 3 + occFit.widths.reduce((a, b) => a + b, 0) + GAP * occFit.widths.length;
    const l = layout(screen.width as number, screen.height as number, Math.max(occNeed, ' occupancy '.length + 2));
    place(ppsChart, l.pps); place(bpsChart, l.bps); place(ports, l.ports);
    place(events, l.events); place(occupancy, l.occupancy); place(ringBar, l.ring); place(poolBar, l.pool);
    return l;
  }

  function draw(): void {
    if (!fitsScreen()) { screen.render(); return; }
    const m = last;
    const cols = screen.width as number;
    const rows = screen.height as number;
    const l = arrange();
    const occRows = m ? occupancyRows(m) : [];
    // A chart's canvas is made for its size when attached: a new size needs a new canvas.
    if (cols !== drawnSize[0] || rows !== drawnSize[1]) {
      drawnSize = [cols, rows];
      for (const c of [ppsChart, bpsChart]) c.emit('attach');
      withUnit(ppsChart, () => ppsUnit);
      withUnit(bpsChart, () => bpsUnit);
    }
    if (!m) { screen.render(); return; }

    const shown = m.ports.slice(page * PAGE, page * PAGE + PAGE);
    ppsUnit = drawChart(ppsChart, 'packet rate', ['rxPps', 'txPps'], PPS_UNITS, shown);
    bpsUnit = drawChart(bpsChart, 'bit rate', ['rxBps', 'txBps'], BPS_UNITS, shown);

    ports.setLabel(fit(l.ports.width - 4, [
      ` ports: fwd ${m.mode}, ${m.forwarding ? 'running' : 'stopped'} | q/Esc: back to the shell `,
      ` ports: fwd ${m.mode}, ${m.forwarding ? 'running' : 'stopped'} `, ' ports ',
    ]));
    table(ports, PORT_COLUMNS, m.ports.map((p) => {
      const c = p.counters;
      const r = rates.get(p.id);
      return [String(p.id), p.name, p.state, count(c.rxPackets), count(c.txPackets),
        p.countsBytes ? count(c.rxBytes, 'B') : '-', p.countsBytes ? count(c.txBytes, 'B') : '-',
        count(c.rxErrors + c.txErrors), count(c.rxMissed + c.rxNombuf),
        formatPps(r?.rxPps ?? 0), formatPps(r?.txPps ?? 0)];
    }), l.ports.width);
    table(occupancy, OCC_COLUMNS, occRows, l.occupancy.width);

    const inner = l.ring.width - 2;
    const labelRoom = l.ring.width - 4; // a label starts after the corner and a line
    const ring = fullestRing(m.occupancy);
    const ringPct = ring ? percent(ring.used, ring.size) : 0;
    ringBar.setProgress(ringPct);
    ringBar.setLabel(fit(labelRoom, [' fullest ring ', ' ring ']));
    ringBar.setContent(ring ? fit(inner, [`${ringPct}% ${ring.name}`, `${ringPct}%`]) : 'none');
    const poolPct = percent(m.pool.inUse, m.pool.size);
    poolBar.setProgress(poolPct);
    poolBar.setLabel(fit(labelRoom, [' mbuf pool in use ', ' mbuf pool ', ' mbufs ']));
    poolBar.setContent(fit(inner, [`${poolPct}% ${m.pool.inUse}/${m.pool.size} mbufs`, `${poolPct}% ${m.pool.inUse}/${m.pool.size}`, `${poolPct}%`]));
    screen.render();
  }

  function snap(m: SnapMessage): void {
    const prev = last;
    last = m;
    const dt = prev ? (m.timeNs - prev.timeNs) / 1e9 : 0;
    for (const p of m.ports) {
      const before = prev?.ports.find((q) => q.id === p.id)?.counters;
      const d = (a: number, b: number | undefined): number => (dt > 0 && b !== undefined && a >= b ? (a - b) / dt : 0);
      const c = p.counters;
      const r = {
        rxPps: d(c.rxPackets, before?.rxPackets), txPps: d(c.txPackets, before?.txPackets),
        rxBps: d(c.rxBytes, before?.rxBytes) * 8, txBps: d(c.txBytes, before?.txBytes) * 8,
      };
      rates.set(p.id, r);
      let s = series.get(p.id);
      if (!s) { s = { rxPps: [], txPps: [], rxBps: [], txBps: [] }; series.set(p.id, s); }
      push(s.rxPps, r.rxPps); push(s.txPps, r.txPps); push(s.rxBps, r.rxBps); push(s.txBps, r.txBps);
    }
    for (const id of [...series.keys()]) if (!m.ports.some((p) => p.id === id)) series.delete(id);
    if (page >= pages()) page = pages() - 1;
    draw();
  }

  // blessed redraws a resized screen before telling its widgets: the panels
  // move first, so none is drawn outside the new size.
  screen.program.prependListener('resize', () => { if (fitsScreen()) arrange(); });
  screen.on('resize', () => { try { draw(); } catch { /* the next snapshot redraws */ } });
  ports.focus();
  return {
    snap,
    event(text) { events.log(text); screen.render(); },
    nextPage() { if (page + 1 < pages()) { page++; draw(); } },
    previousPage() { if (page > 0) { page--; draw(); } },
    redraw: draw,
  };
}
