/** Helpers that turn store ranges into the column arrays the dashboard hands to uPlot. */
import type { RangeResult, Store } from '../store/types.js';

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
