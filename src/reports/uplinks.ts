/**
 * Uplink usage report (issue 22): per uplink and direction, over a range and per local calendar month,
 * the billing 95th percentile, peak, mean, volume, hours above the warn threshold and a weekday × hour
 * heatmap. Pure functions over the store's public query API (rateRange, increase).
 *
 * Definitions (the same in the API, the CSV and the printed report):
 * - 5-minute averages: the store's 5-minute buckets aligned to the epoch (so to local hours in any zone
 *   with a whole-quarter-hour offset), each the counter's increase over the poll intervals ending in the
 *   bucket divided by their length. A range takes the buckets that START in [from, to), `from` rounded up
 *   to a 5-minute boundary. Past the 5-minute retention the store has hourly buckets only: `resolution`
 *   then says '1h' and every figure below is of hourly averages.
 * - 95th percentile (billing): sort the N averages ascending and take the ceil(0.95·N)-th (1-based), i.e.
 *   discard the highest floor(0.05·N) and report the highest one left. Nearest rank, no interpolation.
 * - peak: the highest rate over a single poll interval (bucket max), and the highest 5-minute average.
 * - mean: mean of the 5-minute averages (each 5 minutes with data weighs the same; gaps do not count).
 * - volume: bytes, the counter's increase over the range (resets honoured).
 * - hours above warn: number of 5-minute averages whose utilisation (bits/s ÷ capacity) is strictly above
 *   warn_utilization, times 5 minutes.
 * - heatmap: 7 rows Monday..Sunday × 24 local hours, the mean utilisation of the averages starting in that
 *   cell (null where none).
 */
import type { LoadedConfig } from '../config/model.js';
import type { UplinkConfig } from '../config/schema.js';
import type { Store } from '../store/types.js';
import { rateRangeAcross, uplinkPortSeries } from '../domain/series.js';
import { UPLINK_DIRECTIONS } from '../uplinks.js';
import { localDate, monthRange, monthsOf, zonedParts } from './tz.js';
import type { DirectionUsage, UplinkReport, UplinkUsage } from '../http/contract.js';

const RES_5M = 300_000;

type Direction = (typeof UPLINK_DIRECTIONS)[number]['direction'];

/** Per-bucket average byte rates (bytes/s) of a counter, with each bucket's single-interval peak. */
export interface Averages {
  resolution: '5m' | '1h' | null;
  stepMs: number;
  ts: number[];
  /** Average rate over the bucket, bytes/s. */
  mean: number[];
  /** Highest rate over one poll interval in the bucket, bytes/s. */
  max: number[];
}

/** Nearest-rank 95th percentile (billing): discard the top floor(5 %) and take the highest left. Null without values. */
export function billingPercentile(values: readonly number[], p = 95): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Buckets starting in [from, to), from the store at 5-minute resolution (or hourly past its 5-minute retention). */
export function fiveMinuteAverages(store: Store, seriesIds: readonly number[], from: number, to: number): Averages {
  const lo = Math.ceil(from / RES_5M) * RES_5M;
  if (!(to > lo)) return { resolution: null, stepMs: RES_5M, ts: [], mean: [], max: [] };
  const k = Math.ceil((to - lo) / RES_5M);
  // Asked over [lo, lo + k·5m - 1] in k + 1 points, the store's step is exactly 5 minutes (see Queries.range).
  // Several series: one port across an ifName/ifAlias change (src/domain/series.ts), in time order.
  const r = rateRangeAcross(store, seriesIds, lo, lo + k * RES_5M - 1, k + 1);
  const res = r.resolution === 'raw' ? '5m' : r.resolution;
  const keep = r.ts.map((t) => t < to);
  const pick = (col: number[]) => col.filter((_, i) => keep[i]);
  return { resolution: res, stepMs: r.stepMs, ts: pick(r.ts), mean: pick(r.mean), max: pick(r.max) };
}

/** The figures of one direction from its averages (bytes/s) and its volume. */
export function directionUsage(direction: Direction, a: Averages, volumeBytes: number, capacityBps: number, warn: number, tz: string): DirectionUsage {
  const bps = a.mean.map((v) => v * 8);
  const p95 = billingPercentile(bps);
  let peak: number | null = null;
  for (const v of a.max) if (peak === null || v * 8 > peak) peak = v * 8;
  let peak5: number | null = null;
  let sum = 0;
  let above = 0;
  const cellSum = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const cellN = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (let i = 0; i < bps.length; i++) {
    const v = bps[i]!;
    sum += v;
    if (peak5 === null || v > peak5) peak5 = v;
    const u = capacityBps > 0 ? v / capacityBps : 0;
    if (u > warn) above++;
    const p = zonedParts(a.ts[i]!, tz);
    cellSum[p.weekday]![p.hour]! += u;
    cellN[p.weekday]![p.hour]!++;
  }
  return {
    direction,
    resolution: a.resolution,
    samples: bps.length,
    p95_bps: p95,
    peak_bps: peak,
    peak_5m_bps: peak5,
    mean_bps: bps.length ? sum / bps.length : null,
    volume_bytes: volumeBytes,
    p95_utilization: p95 !== null && capacityBps > 0 ? p95 / capacityBps : null,
    hours_above_warn: (above * a.stepMs) / 3_600_000,
    heatmap: cellSum.map((row, d) => row.map((s, h) => (cellN[d]![h]! ? s / cellN[d]![h] : null))),
  };
}

/** The counter series of an uplink's direction, its port's history across label changes; empty when never polled. */
export function uplinkSeries(store: Store, u: UplinkConfig, direction: Direction): number[] {
  const d = UPLINK_DIRECTIONS.find((x) => x.direction === direction)!;
  return uplinkPortSeries(store, d.metric, u).map((s) => s.id);
}

export function uplinkUsage(store: Store, u: UplinkConfig, from: number, to: number, tz: string): UplinkUsage {
  const dir = (direction: Direction): DirectionUsage => {
    const ids = uplinkSeries(store, u, direction);
    const a = ids.length === 0 ? { resolution: null, stepMs: RES_5M, ts: [], mean: [], max: [] } : fiveMinuteAverages(store, ids, from, to);
    return directionUsage(direction, a, ids.reduce((sum, id) => sum + store.increase(id, from, to), 0), u.capacity, u.warn_utilization, tz);
  };
  return { uplink: u.name, display_name: u.display_name ?? u.name, capacity_bps: u.capacity, warn_utilization: u.warn_utilization, from, to, in: dir('in'), out: dir('out') };
}

/** What a report needs of the config (a LoadedConfig fits). */
export type ReportConfig = Pick<LoadedConfig, 'uplinks'> & { server: Pick<LoadedConfig['server'], 'timezone'> };

export function uplinkReport(store: Store, config: ReportConfig, from: number, to: number): UplinkReport {
  const tz = config.server.timezone;
  const whole = config.uplinks.map((u) => uplinkUsage(store, u, from, to, tz));
  const months = monthsOf(from, to, tz).map((month) => {
    const m = monthRange(month, tz);
    const f = Math.max(from, m.from);
    const t = Math.min(to, m.to);
    // A one-month report (the printed one) is its month: the same figures, not read twice.
    return { month, from: f, to: t, uplinks: f === from && t === to ? whole : config.uplinks.map((u) => uplinkUsage(store, u, f, t, tz)) };
  });
  return { from, to, timezone: tz, uplinks: whole, months };
}

/** 95th percentile of each local day's averages (bits/s), for the capacity forecast; days without data are left out. */
export function dailyPercentiles(a: Averages, tz: string): { day: string; start: number; p95_bps: number }[] {
  const byDay = new Map<string, { start: number; v: number[] }>();
  for (let i = 0; i < a.ts.length; i++) {
    const day = localDate(a.ts[i]!, tz);
    let d = byDay.get(day);
    if (!d) byDay.set(day, (d = { start: a.ts[i]!, v: [] }));
    d.v.push(a.mean[i]! * 8);
  }
  return [...byDay].map(([day, d]) => ({ day, start: d.start, p95_bps: billingPercentile(d.v)! }));
}
