/**
 * uPlot charts: uplink/interface traffic (min/max envelope as a band, mean as the line, the capacity and
 * warn lines), ping smoke, optical levels against thresholds. Colours: Okabe-Ito (colour-blind safe);
 * the lines also differ by dash pattern, so nothing depends on colour alone.
 */
import uPlot from '/vendor/uplot/uPlot.esm.js';
import type { InterfaceErrorsResponse, OpticalHistory, PingHistory, PortCounter, TrafficDirection, TrafficResponse } from './api-contract.js';
import { axisTime, bps, bpsTick, dbm, fixed, hoverTime, ms, pct, pps, timeZone } from './format.js';
import { t, tk } from './i18n.js';

export const COLOURS = {
  in: '#0072B2',
  out: '#E69F00',
  capacity: '#D55E00',
  warn: '#CC79A7',
  green: '#009E73',
  sky: '#56B4E9',
  grey: '#999999',
};

const alpha = (hex: string, a: number) => {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${a})`;
};

function axisColours(): { stroke: string; grid: string } {
  const s = getComputedStyle(document.body);
  return { stroke: s.getPropertyValue('--fg').trim() || '#222', grid: s.getPropertyValue('--grid').trim() || 'rgba(0,0,0,0.08)' };
}

/** Common options: time axis in the configured zone, drag-to-select (no auto zoom), redraw flag for tests. */
function base(el: HTMLElement, height: number, onZoom?: (from: number, to: number) => void): Partial<uPlot.Options> {
  const { stroke, grid } = axisColours();
  return {
    width: Math.max(200, el.clientWidth),
    height,
    tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1e3), timeZone()),
    cursor: { drag: { x: !!onZoom, y: false, setScale: false } },
    axes: [
      {
        stroke,
        grid: { stroke: grid },
        ticks: { stroke: grid },
        values: (u: uPlot, splits: number[]) => {
          const span = ((u.scales.x!.max ?? 0) - (u.scales.x!.min ?? 0)) * 1000;
          return splits.map((s) => axisTime(s * 1000, span));
        },
      },
      { stroke, grid: { stroke: grid }, ticks: { stroke: grid } },
    ],
    hooks: {
      draw: [
        (u: uPlot) => {
          el.dataset.drawn = String(Number(el.dataset.drawn ?? 0) + 1);
          el.dataset.points = String(u.data[0]?.length ?? 0);
        },
      ],
      setSelect: onZoom
        ? [
            (u: uPlot) => {
              if (u.select.width < 4) return;
              const from = u.posToVal(u.select.left, 'x');
              const to = u.posToVal(u.select.left + u.select.width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              onZoom(Math.round(from * 1000), Math.round(to * 1000));
            },
          ]
        : [],
    },
  };
}

/** Keep a chart as wide as its container. */
function autosize(el: HTMLElement, u: uPlot, height: number): void {
  let w = el.clientWidth;
  new ResizeObserver(() => {
    if (el.clientWidth !== w && el.clientWidth > 0) {
      w = el.clientWidth;
      u.setSize({ width: w, height });
    }
  }).observe(el);
}

type Col = (number | null)[];

/** The x series of every chart: its legend shows the hovered time in the configured zone, 24-hour. */
const timeSeries = (): uPlot.Series => ({ label: t('time'), value: (_u, v) => hoverTime(v === null ? null : v * 1000) });

/**
 * In and out may bucket differently: merge onto one time column (seconds), null where a direction has no
 * bucket. Missing buckets (a poll that failed, the daemon down) become a null so the line breaks there
 * instead of bridging the outage, and the window's ends are included so the capacity line spans it all.
 */
export function trafficColumns(d: TrafficResponse): { x: number[]; cols: Col[] } {
  const dirs: TrafficDirection['series'][] = [d.in.series, d.out.series];
  // Buckets with data are at least one step apart and, at raw resolution over a short window (a step of a
  // few seconds), one poll apart: only a distance beyond both is a missing poll.
  const spacingOf = (x: TrafficDirection) => (x.series ? Math.max(x.step_ms, x.poll_interval_ms ?? 0) : 0); // a direction never seen has none
  const step = Math.max(spacingOf(d.in), spacingOf(d.out)) || 60e3;
  const all = new Set<number>([d.from, d.to]);
  for (const s of dirs) if (s) for (const ts of s.ts) all.add(ts);
  const sorted = [...all].sort((a, b) => a - b);
  const x: number[] = [];
  for (const ts of sorted) {
    const prev = x[x.length - 1];
    if (prev !== undefined && ts - prev > 2.5 * step) x.push(prev + step); // a gap: one empty slot breaks the line
    x.push(ts);
  }
  const pos = new Map(x.map((ts, i) => [ts, i]));
  const cols: Col[] = [];
  for (const s of dirs) {
    const min: Col = new Array<number | null>(x.length).fill(null);
    const mean: Col = new Array<number | null>(x.length).fill(null);
    const max: Col = new Array<number | null>(x.length).fill(null);
    if (s) s.ts.forEach((ts, i) => {
      const p = pos.get(ts)!;
      min[p] = s.min[i]!;
      mean[p] = s.mean[i]!;
      max[p] = s.max[i]!;
    });
    cols.push(min, mean, max);
  }
  return { x: x.map((ts) => ts / 1000), cols };
}

const segments = (c: uPlot.AlignedData[number] | undefined): number => {
  let n = 0;
  if (c) for (let i = 1; i < c.length; i++) if (c[i] != null && c[i - 1] != null) n++;
  return n;
};

export interface TrafficChart {
  set(d: TrafficResponse): void;
  relabel(): void;
  destroy(): void;
}

/** Traffic in bits/s against a capacity line (and the warn line), both directions, min/max envelopes. */
export function trafficChart(el: HTMLElement, capacity: number, warn: number | null, height: number, onZoom?: (from: number, to: number) => void, fitData = false): TrafficChart {
  el.dataset.capacityBps = String(capacity);
  const line = (label: string, colour: string, extra: Partial<uPlot.Series> = {}): uPlot.Series => ({ label, stroke: colour, width: 2, value: (_u, v) => bps(v), spanGaps: false, ...extra });
  const env = (label: string, colour: string): uPlot.Series => ({ label, stroke: alpha(colour, 0.35), width: 1, value: (_u, v) => bps(v), spanGaps: false });
  const series = (): uPlot.Series[] => [
    timeSeries(),
    env(`${t('in')} min`, COLOURS.in),
    line(t('in'), COLOURS.in),
    env(`${t('in')} max`, COLOURS.in),
    env(`${t('out')} min`, COLOURS.out),
    line(t('out'), COLOURS.out, { dash: [8, 3] }),
    env(`${t('out')} max`, COLOURS.out),
    line(`${t('capacity')} ${bps(capacity)}`, COLOURS.capacity, { width: 2, dash: [4, 3], points: { show: false } }),
    ...(warn ? [line(`${t('warn_line')} ${pct(warn)}`, COLOURS.warn, { width: 1, dash: [10, 6], points: { show: false } })] : []),
    // The 95th percentile of the window (what a link is billed and sized by), per direction, across the whole window.
    line(`${t('p95')} ${t('in')}`, COLOURS.in, { width: 1, dash: [2, 3], points: { show: false } }),
    line(`${t('p95')} ${t('out')}`, COLOURS.out, { width: 1, dash: [2, 3], points: { show: false } }),
  ];
  let last: TrafficResponse | null = null;
  const opts = (): uPlot.Options => {
    const b = base(el, height, onZoom);
    return {
      ...b,
      series: series(),
      bands: [
        { series: [3, 1], fill: alpha(COLOURS.in, 0.18) },
        { series: [6, 4], fill: alpha(COLOURS.out, 0.18) },
      ],
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, fitData ? Math.max(1000, (max ?? 0) * 1.15) : Math.max(capacity * 1.08, (max ?? 0) * 1.05)] } },
      axes: [b.axes![0]!, { ...b.axes![1]!, size: 60, values: (_u, vals) => vals.map(bpsTick) }],
      legend: { show: true, live: true },
      // For tests: how many line segments the mean lines have (two neighbouring buckets with data), 0 when a
      // chart shows only dots.
      hooks: { ...b.hooks, draw: [...(b.hooks?.draw ?? []), (u: uPlot) => void (el.dataset.segments = String(segments(u.data[2]) + segments(u.data[5])))] },
    } as uPlot.Options;
  };
  const dataOf = (d: TrafficResponse | null): uPlot.AlignedData => {
    if (!d) return [[], [], [], [], [], [], [], [], ...(warn ? [[]] : []), [], []] as unknown as uPlot.AlignedData;
    const { x, cols } = trafficColumns(d);
    // Fitted to the data (an access port at 1 Gbps carrying 10 Mbps), the capacity is named in the legend only.
    const flat = (v: number) => x.map(() => (fitData ? null : v));
    const p95 = (dir: TrafficDirection) => x.map(() => dir.stats?.p95_bps ?? null);
    return [x, ...cols, flat(capacity), ...(warn ? [flat(capacity * warn)] : []), p95(d.in), p95(d.out)] as uPlot.AlignedData;
  };
  let u = new uPlot(opts(), dataOf(null), el);
  autosize(el, u, height);
  return {
    set(d) {
      last = d;
      u.setData(dataOf(d), false);
      u.setScale('x', { min: d.from / 1000, max: d.to / 1000 });
    },
    relabel() {
      u.destroy();
      u = new uPlot(opts(), dataOf(last), el);
      if (last) u.setScale('x', { min: last.from / 1000, max: last.to / 1000 });
    },
    destroy: () => u.destroy(),
  };
}

/** Smokeping-style RTT: grey bands min–max, 10–90 %, 25–75 %, the median as a line, loss on a right axis. */
export function smokeChart(el: HTMLElement, p: PingHistory, from: number, to: number): uPlot {
  const k = (c: (number | null)[]) => c.map((v) => (v === null ? null : v * 1000));
  const b = base(el, 200);
  const shade = (a: number): uPlot.Series => ({ stroke: `rgba(120,120,120,${a})`, width: 0, value: (_u, v) => ms(v), points: { show: false } });
  const opts = {
    ...b,
    series: [
      timeSeries(),
      { ...shade(0.3), label: t('min') },
      { ...shade(0.3), label: '10%' },
      { ...shade(0.3), label: '25%' },
      { label: t('median'), stroke: COLOURS.green, width: 2, value: (_u: uPlot, v: number) => ms(v) },
      { ...shade(0.3), label: '75%' },
      { ...shade(0.3), label: '90%' },
      { ...shade(0.3), label: t('max') },
      { label: t('loss'), stroke: COLOURS.capacity, width: 1, scale: 'loss', paths: () => null, points: { show: true, size: 5, fill: COLOURS.capacity }, value: (_u: uPlot, v: number) => pct(v) },
    ],
    bands: [
      { series: [7, 1], fill: 'rgba(120,120,120,0.15)' },
      { series: [6, 2], fill: 'rgba(120,120,120,0.25)' },
      { series: [5, 3], fill: 'rgba(120,120,120,0.35)' },
    ],
    scales: { x: { time: true, min: from / 1000, max: to / 1000 }, y: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(1, (max ?? 0) * 1.1)] }, loss: { range: [0, 1] } },
    axes: [b.axes![0]!, { ...b.axes![1]!, size: 55, values: (_u: uPlot, vals: number[]) => vals.map((v) => `${v} ms`) }, { ...b.axes![1]!, scale: 'loss', side: 1, grid: { show: false }, size: 45, values: (_u: uPlot, vals: number[]) => vals.map((v) => `${Math.round(v * 100)}%`) }],
  } as unknown as uPlot.Options;
  const data = [p.ts.map((x) => x / 1000), k(p.min), k(p.q10), k(p.q25), k(p.median), k(p.q75), k(p.q90), k(p.max), p.loss.map((v) => (v ? v : null))] as unknown as uPlot.AlignedData;
  const u = new uPlot(opts, data, el);
  autosize(el, u, 200);
  return u;
}

/**
 * Optical Rx/Tx levels (dBm) with the Rx thresholds as dashed lines across the whole window (not only where
 * samples are), the y axis in dBm and wide enough for the traces and the thresholds (nothing clipped).
 * `alarmDbm`: the alarm level when the transceiver reports none (the optical_rx_low rule's `below_dbm`).
 */
export function opticalChart(el: HTMLElement, port: OpticalHistory, from: number, to: number, alarmDbm: number | null = null): uPlot {
  const th = port.thresholds ?? {};
  const b = base(el, 200);
  const x = [...new Set([from, ...port.ts, to])].sort((p, q) => p - q);
  const at = new Map(port.ts.map((ts, i) => [ts, i]));
  const col = (c: (number | null)[]) => x.map((ts) => (at.has(ts) ? c[at.get(ts)!]! : null));
  const flat = (v: number | null | undefined) => x.map(() => (v == null ? null : v));
  const deviceAlarm = th.rx_low_alarm_dbm ?? null;
  const extra: [string, number | null | undefined, string, number[]][] = [
    [deviceAlarm === null && alarmDbm !== null ? t('rx_alarm_rule') : t('rx_low_alarm'), deviceAlarm ?? alarmDbm, COLOURS.capacity, [2, 4]],
    [t('rx_low_warn'), th.rx_low_warn_dbm, COLOURS.out, [8, 4]],
  ];
  const values = [...port.rx_dbm, ...port.tx_dbm, ...extra.map(([, v]) => v)].filter((v): v is number => typeof v === 'number');
  const lo = values.length ? Math.floor(Math.min(...values) - 1) : -30;
  const hi = values.length ? Math.ceil(Math.max(...values) + 1) : 0;
  const opts = {
    ...b,
    series: [
      timeSeries(),
      { label: t('rx'), stroke: COLOURS.in, width: 2, value: (_u: uPlot, v: number) => dbm(v) },
      { label: t('tx'), stroke: COLOURS.green, width: 2, dash: [8, 3], value: (_u: uPlot, v: number) => dbm(v) },
      ...extra.map(([label, , colour, dash]) => ({ label, stroke: colour, width: 1, dash, value: (_u: uPlot, v: number) => dbm(v), points: { show: false } })),
    ],
    scales: { x: { time: true, min: from / 1000, max: to / 1000 }, y: { range: [lo, hi] } },
    axes: [b.axes![0]!, { ...b.axes![1]!, size: 75, values: (_u: uPlot, vals: number[]) => vals.map((v) => `${fixed(v, 0)} dBm`) }],
  } as unknown as uPlot.Options;
  const data = [x.map((ts) => ts / 1000), col(port.rx_dbm), col(port.tx_dbm), ...extra.map(([, v]) => flat(v))] as unknown as uPlot.AlignedData;
  const u = new uPlot(opts, data, el);
  el.dataset.yMin = String(lo);
  el.dataset.yMax = String(hi);
  autosize(el, u, 200);
  return u;
}

/** Per-second rates of a port's error and discard counters (packets/s), one line each; a counter the device never reported is absent. */
export function countersChart(el: HTMLElement, d: InterfaceErrorsResponse, height: number): uPlot {
  const shown = d.counters.filter((c) => c.series);
  const all = new Set<number>();
  for (const c of shown) for (const ts of c.series!.ts) all.add(ts);
  const x = [...all].sort((a, b) => a - b);
  const pos = new Map(x.map((ts, i) => [ts, i]));
  const cols = shown.map((c) => {
    const col: Col = new Array<number | null>(x.length).fill(null);
    c.series!.ts.forEach((ts, i) => (col[pos.get(ts)!] = c.series!.mean[i]!));
    return col;
  });
  const style: Record<PortCounter, [string, number[]]> = { in_errors: [COLOURS.in, []], out_errors: [COLOURS.out, [8, 3]], in_discards: [COLOURS.green, [2, 3]], out_discards: [COLOURS.warn, [10, 4]] };
  const b = base(el, height);
  const opts = {
    ...b,
    series: [timeSeries(), ...shown.map((c) => ({ label: tk(`c_${c.counter}`), stroke: style[c.counter][0], dash: style[c.counter][1], width: 2, value: (_u: uPlot, v: number | null) => pps(v) }))],
    scales: { x: { time: true, min: d.from / 1000, max: d.to / 1000 }, y: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(1, (max ?? 0) * 1.15)] } },
    axes: [b.axes![0]!, { ...b.axes![1]!, size: 60, values: (_u: uPlot, vals: number[]) => vals.map((v) => fixed(v, v < 10 && v % 1 ? 1 : 0)) }],
  } as unknown as uPlot.Options;
  const u = new uPlot(opts, [x.map((ts) => ts / 1000), ...cols] as unknown as uPlot.AlignedData, el);
  autosize(el, u, height);
  return u;
}
