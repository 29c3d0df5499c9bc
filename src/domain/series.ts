/** Helpers that turn store ranges into the column arrays the dashboard hands to uPlot. */
import type { UplinkConfig } from '../config/schema.js';
import type { RangeResult, SeriesInfo, Store } from '../store/types.js';
import { isUplinkPort } from '../uplinks.js';

/** Merge several ranges onto one sorted timestamp column; a series without a bucket at a timestamp gets null there. */
export function align(ranges: (RangeResult | null)[], pick: ((r: RangeResult) => number[])[]): { ts: number[]; cols: (number | null)[][] } {
  const all = new Set<number>();
  for (const r of ranges) if (r) for (const t of r.ts) all.add(t);
  const ts = [...all].sort((a, b) => a - b);
  const pos = new Map(ts.map((t, i) => [t, i]));
  const cols = ranges.map((r, i) => {
    const col = new Array<number | null>(ts.length).fill(null);
    if (r) {
      const values = pick[i]!(r);
      r.ts.forEach((t, j) => (col[pos.get(t)!] = values[j] ?? null));
    }
    return col;
  });
  return { ts, cols };
}

/** The newest per-second rate of a counter: the last bucket of a short recent window. */
export function currentRate(store: Store, seriesId: number, now: number, intervalMs: number): { value: number; ts: number } | null {
  const span = Math.max(3 * intervalMs, 5 * 60e3);
  const r = store.rateRange(seriesId, now - span, now, Math.max(3, Math.ceil(span / intervalMs)));
  const i = r.ts.length - 1;
  if (i < 0) return null;
  return { value: r.mean[i]!, ts: r.ts[i]! };
}

export const round = (v: number | null | undefined, digits = 3): number | null => {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const k = 10 ** digits;
  return Math.round(v * k) / k;
};

/**
 * Interface identity across label changes. A port's ifName or ifAlias is a label, so editing the port
 * description makes a new series (Prometheus semantics); the port itself is the target + ifIndex. Its
 * series follow each other in time and the store numbers series in creation order, so sorted by id the
 * last one is the port as it is now.
 */
const byId = (a: SeriesInfo, b: SeriesInfo) => a.id - b.id;

/** Every series of a metric for one port (target + ifIndex), oldest first; the last is the current one. */
export function portSeries(store: Store, metric: string, target: string, ifIndex: string): SeriesInfo[] {
  return store.findSeries(metric, { target, if_index: ifIndex }).sort(byId);
}

/**
 * The series of the port an uplink names by ifName: the port (ifIndex) of the newest series with that
 * name, with all of that port's series (older ones under another ifAlias included), oldest first.
 */
export function uplinkPortSeries(store: Store, metric: string, u: UplinkConfig): SeriesInfo[] {
  const named = store.findSeries(metric, { target: u.target }).filter((s) => isUplinkPort(u, s.labels)).sort(byId);
  const newest = named.at(-1);
  const ifIndex = newest?.labels.if_index;
  return ifIndex === undefined ? named : portSeries(store, metric, u.target, ifIndex);
}

/**
 * Rates of series that follow each other in time (one port across a label change) on one bucket column:
 * the store's buckets of one window start at the same instants for every series, so they are merged by
 * start; the bucket of the change holds both series' parts (min of the mins, max of the maxes, mean of the means).
 */
export function rateRangeAcross(store: Store, ids: readonly [number, ...number[]] | readonly number[], from: number, to: number, points: number): RangeResult {
  const parts = ids.map((id) => store.rateRange(id, from, to, points));
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const at = new Map<number, { min: number; max: number; sum: number; n: number }>();
  for (const r of parts) {
    for (let i = 0; i < r.ts.length; i++) {
      const b = at.get(r.ts[i]!);
      if (!b) at.set(r.ts[i]!, { min: r.min[i]!, max: r.max[i]!, sum: r.mean[i]!, n: 1 });
      else {
        b.min = Math.min(b.min, r.min[i]!);
        b.max = Math.max(b.max, r.max[i]!);
        b.sum += r.mean[i]!;
        b.n++;
      }
    }
  }
  const ts = [...at.keys()].sort((a, b) => a - b);
  const cols = ts.map((t) => at.get(t)!);
  return { stepMs: first.stepMs, resolution: first.resolution, ts, min: cols.map((c) => c.min), mean: cols.map((c) => c.sum / c.n), max: cols.map((c) => c.max) };
}
