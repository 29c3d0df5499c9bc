/**
 * Capacity forecast (issue 22): when will an uplink's daily 95th percentile cross its warn threshold and
 * its capacity? From the daily 95th percentiles of the last N complete local days:
 *
 * 1. Theil–Sen slope (median of all pairwise slopes: up to 29 % outliers do not move it).
 * 2. Weekly cycle removed: each weekday's median residual from that first line, relative to the median of
 *    all residuals, is subtracted, so the series is the level of a typical day; Theil–Sen again on it.
 *    Intercept: median of (y − slope·x).
 * 3. Uncertainty: Sen's (1968) distribution-free 95 % interval of the slope (ranks (M ∓ 1.96·σ)/2 of the
 *    M sorted pairwise slopes, σ² = n(n−1)(2n+5)/18), and the 5 % / 95 % quantiles of the residuals. The
 *    band's lines pivot on the data's centre (median x, median level): low = slope_lo + q05, high =
 *    slope_hi + q95. The crossing dates are "expected" (fitted line), "earliest" (high line) and "latest"
 *    (low line); each is null when it lies beyond the horizon (12 months) or the line does not rise.
 */
import type { Store } from '../store/types.js';
import type { UplinkConfig } from '../config/schema.js';
import { dailyPercentiles, fiveMinuteAverages, uplinkSeries } from './uplinks.js';
import type { Crossing, DailyPoint, Forecast, UplinkForecast } from '../http/contract.js';
import { dayStart } from './tz.js';

const DAY = 86_400_000;
export const HORIZON_DAYS = 365;
/** Fewer complete days than this give no forecast (two weeks: the weekly cycle is seen twice). */
export const MIN_DAYS = 14;

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

const quantile = (v: readonly number[], q: number): number => {
  const s = [...v].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(s.length - 1, lo + 1)]! - s[lo]!) * (pos - lo);
};

function pairwiseSlopes(x: readonly number[], y: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) if (x[j] !== x[i]) out.push((y[j]! - y[i]!) / (x[j]! - x[i]!));
  return out.sort((a, b) => a - b);
}

/** Day number of a local date (days since 1970-01-01 of that calendar date: no DST or zone in it). */
const dayNumber = (d: string): number => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / DAY;
const dateOf = (n: number): string => new Date(Math.round(n) * DAY).toISOString().slice(0, 10);
const weekdayOf = (n: number): number => (new Date(n * DAY).getUTCDay() + 6) % 7;

const NONE: Crossing = { expected: null, earliest: null, latest: null, already: false };

/** First day (≥ next day after `last`) on which a + b·x ≥ threshold, within the horizon; null otherwise. */
function crossing(a: number, b: number, threshold: number, last: number): number | null {
  const first = last + 1;
  if (a + b * first >= threshold) return first;
  if (!(b > 0)) return null;
  const x = Math.ceil((threshold - a) / b);
  return x - last <= HORIZON_DAYS ? x : null;
}

export function forecast(points: readonly DailyPoint[], warnAt: number, fullAt: number): Forecast {
  const empty: Forecast = { days: points.length, slope_per_day: null, slope_low: null, slope_high: null, level: null, weekly: [], warn: NONE, full: NONE, horizon_days: HORIZON_DAYS };
  if (points.length < MIN_DAYS) return empty;
  const x = points.map((p) => dayNumber(p.day));
  const y = points.map((p) => p.value);
  const first = median(pairwiseSlopes(x, y));
  const r0 = y.map((v, i) => v - first * x[i]!);
  const mid = median(r0);
  const weekly = Array.from({ length: 7 }, (_, d) => {
    const r = r0.filter((_, i) => weekdayOf(x[i]!) === d);
    return r.length ? median(r) - mid : 0;
  });
  const ys = y.map((v, i) => v - weekly[weekdayOf(x[i]!)]!);
  const slopes = pairwiseSlopes(x, ys);
  const b = median(slopes);
  const a = median(ys.map((v, i) => v - b * x[i]!));
  const n = x.length;
  const m = slopes.length;
  const c = 1.96 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lo = slopes[Math.max(0, Math.floor((m - c) / 2))]!;
  const hi = slopes[Math.min(m - 1, Math.ceil((m + c) / 2))]!;
  const resid = ys.map((v, i) => v - (a + b * x[i]!));
  const q05 = quantile(resid, 0.05);
  const q95 = quantile(resid, 0.95);
  const xc = median(x);
  const yc = a + b * xc;
  const last = x[x.length - 1]!;
  const cross = (t: number): Crossing => {
    const e = crossing(a, b, t, last);
    const early = crossing(yc + q95 - hi * xc, hi, t, last);
    const late = crossing(yc + q05 - lo * xc, lo, t, last);
    return { expected: e === null ? null : dateOf(e), earliest: early === null ? null : dateOf(early), latest: late === null ? null : dateOf(late), already: e === last + 1 };
  };
  return { days: n, slope_per_day: b, slope_low: lo, slope_high: hi, level: a + b * last, weekly, warn: cross(warnAt), full: cross(fullAt), horizon_days: HORIZON_DAYS };
}

/** Forecast of an uplink from its last `days` complete local days before `now`. */
export function uplinkForecast(store: Store, u: UplinkConfig, now: number, tz: string, days = 90): UplinkForecast {
  const to = dayStart(now, tz);
  const from = dayStart(to - days * DAY + DAY / 2, tz);
  const daily = (['in', 'out'] as const).map((direction) => {
    const ids = uplinkSeries(store, u, direction);
    const pts = ids.length === 0 ? [] : dailyPercentiles(fiveMinuteAverages(store, ids, from, to), tz).map((d) => ({ day: d.day, value: d.p95_bps }));
    return { direction, days: pts };
  });
  const f = (i: number) => forecast(daily[i]!.days, u.warn_utilization * u.capacity, u.capacity);
  return { uplink: u.name, display_name: u.display_name ?? u.name, capacity_bps: u.capacity, warn_utilization: u.warn_utilization, from, to, daily, in: f(0), out: f(1) };
}

/**
 * The forecast each uplink card shows (the overview's `forecast`): it moves only with a new complete local
 * day, so it is computed once per uplink and day (90 days of 5-minute averages are not read per request).
 */
export function dailyForecasts(): (store: Store, u: UplinkConfig, now: number, tz: string) => UplinkForecast {
  const kept = new Map<string, { key: string; store: Store; u: UplinkConfig; value: UplinkForecast }>();
  return (store, u, now, tz) => {
    const key = `${dayStart(now, tz)} ${tz}`;
    const hit = kept.get(u.name);
    if (hit && hit.key === key && hit.store === store && hit.u === u) return hit.value;
    const value = uplinkForecast(store, u, now, tz);
    kept.set(u.name, { key, store, u, value });
    return value;
  };
}
