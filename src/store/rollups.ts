/**
 * Bucket statistics, used both for stored rollups (5 m, 1 h) and for answering queries from raw data,
 * so a query gives the same numbers whichever resolution answers it.
 *
 * Gauge bucket columns:   [n, min, max, sum, last]             mean = sum / n
 * Counter bucket columns: [n, last, inc, dt, rmin, rmax]        average rate = inc / dt (per ms)
 * A counter interval (previous sample -> sample) belongs to the bucket of its end sample. A decrease is a
 * reset: that interval contributes neither increase, time nor rate. Percentiles use the 5-minute average
 * rates inc/dt, which are exact (integer inc and dt), so p95 from rollups equals p95 from raw data.
 * Per-interval rate extremes (rmin/rmax) are kept at float32 precision, on every path alike.
 */
import type { RangeResult } from './types.js';

export const RES_5M = 300_000;
export const RES_1H = 3_600_000;
export const DAY = 86_400_000;

// Column indexes of a gauge bucket (G_) and a counter bucket (C_); queries.ts reads increase and time.
const G_N = 0, G_MIN = 1, G_MAX = 2, G_SUM = 3, G_LAST = 4;
const C_N = 0, C_LAST = 1, C_RMIN = 4, C_RMAX = 5;
export const C_INC = 2, C_DT = 3;

export interface Buckets {
  ts: number[];
  cols: number[][];
}

export const emptyBuckets = (counter: boolean): Buckets => ({
  ts: [],
  cols: Array.from({ length: counter ? 6 : 5 }, () => []),
});

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** Keep sums of k-decimal values on the k-decimal grid so they stay cheap to encode as scaled integers. */
const snap = (x: number, scale: number): number => {
  const p = POW10[scale];
  return p === undefined ? x : Math.round(x * p) / p;
};

/** Decimal scale of a set of values (0..9), or -1 when they are not short decimals. */
export function decimalScale(vals: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    for (;;) {
      const p = POW10[k]!;
      if (Math.round(v * p) / p === v) break;
      if (++k >= POW10.length) return -1;
    }
  }
  return k;
}

/**
 * Bucket samples (sorted by ts) at resolution `res`. `prev` is the sample before ts[0] (for the first
 * counter interval). Only samples with from <= ts < to are bucketed.
 */
export function computeBuckets(
  ts: ArrayLike<number>,
  vals: ArrayLike<number>,
  counter: boolean,
  res: number,
  prev: { ts: number; value: number } | null,
  scale = -1,
  from = -Infinity,
  to = Infinity,
): Buckets {
  const out = emptyBuckets(counter);
  const c = out.cols as [number[], number[], number[], number[], number[], number[]];
  let cur = NaN;
  let pTs = prev ? prev.ts : NaN;
  let pV = prev ? prev.value : NaN;
  let n = 0, a = 0, b = 0, s = 0, last = 0, inc = 0, dt = 0;
  const close = () => {
    out.ts.push(cur);
    if (counter) {
      c[0].push(n); c[1].push(last); c[2].push(inc); c[3].push(dt);
      c[4].push(dt > 0 ? a : 0); c[5].push(dt > 0 ? b : 0);
    } else {
      c[0].push(n); c[1].push(a); c[2].push(b); c[3].push(snap(s, scale)); c[4].push(last);
    }
  };
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const v = vals[i]!;
    if (t < from || t >= to) {
      pTs = t;
      pV = v;
      continue;
    }
    const bt = Math.floor(t / res) * res;
    if (bt !== cur) {
      if (n > 0) close();
      cur = bt;
      n = 0; s = 0; inc = 0; dt = 0;
      a = Infinity; b = -Infinity;
    }
    n++;
    last = v;
    if (counter) {
      if (pTs === pTs && v >= pV && t > pTs) {
        const d = v - pV;
        const iv = t - pTs;
        inc += d;
        dt += iv;
        // float32 precision (7 digits) is plenty for an envelope and halves the rollup's Gorilla bits.
        const r = Math.fround(d / iv);
        if (r < a) a = r;
        if (r > b) b = r;
      }
    } else {
      if (v < a) a = v;
      if (v > b) b = v;
      s += v;
    }
    pTs = t;
    pV = v;
  }
  if (n > 0) close();
  return out;
}

/** Merge buckets (sorted) into coarser buckets of `res` (a multiple of theirs). */
export function mergeBuckets(src: Buckets, counter: boolean, res: number, scale = -1): Buckets {
  const out = emptyBuckets(counter);
  const sc = src.cols;
  const oc = out.cols;
  const ncol = oc.length;
  let cur = NaN;
  let acc: number[] = [];
  const start = (bt: number, i: number) => {
    cur = bt;
    acc = sc.map((col) => col[i]!);
  };
  const close = () => {
    out.ts.push(cur);
    for (let k = 0; k < ncol; k++) oc[k]!.push(k === G_SUM && !counter ? snap(acc[k]!, scale) : acc[k]!);
  };
  for (let i = 0; i < src.ts.length; i++) {
    const bt = Math.floor(src.ts[i]! / res) * res;
    if (bt !== cur) {
      if (acc.length) close();
      start(bt, i);
      continue;
    }
    if (counter) {
      acc[C_N]! += sc[C_N]![i]!;
      acc[C_LAST] = sc[C_LAST]![i]!;
      const dt = sc[C_DT]![i]!;
      if (dt > 0) {
        const hadDt = acc[C_DT]! > 0;
        acc[C_INC]! += sc[C_INC]![i]!;
        acc[C_DT]! += dt;
        acc[C_RMIN] = hadDt ? Math.min(acc[C_RMIN]!, sc[C_RMIN]![i]!) : sc[C_RMIN]![i]!;
        acc[C_RMAX] = hadDt ? Math.max(acc[C_RMAX]!, sc[C_RMAX]![i]!) : sc[C_RMAX]![i]!;
      }
    } else {
      acc[G_N]! += sc[G_N]![i]!;
      acc[G_MIN] = Math.min(acc[G_MIN]!, sc[G_MIN]![i]!);
      acc[G_MAX] = Math.max(acc[G_MAX]!, sc[G_MAX]![i]!);
      acc[G_SUM]! += sc[G_SUM]![i]!;
      acc[G_LAST] = sc[G_LAST]![i]!;
    }
  }
  if (acc.length) close();
  return out;
}

/** Append `b` to `a` (b later than a). */
export function concatBuckets(a: Buckets, b: Buckets): void {
  for (let i = 0; i < b.ts.length; i++) a.ts.push(b.ts[i]!);
  for (let k = 0; k < a.cols.length; k++) {
    const dst = a.cols[k]!;
    const src = b.cols[k]!;
    for (let i = 0; i < src.length; i++) dst.push(src[i]!);
  }
}

/** Keep buckets with from <= ts <= to. */
export function sliceBuckets(b: Buckets, from: number, to: number): Buckets {
  let i = 0;
  while (i < b.ts.length && b.ts[i]! < from) i++;
  let j = b.ts.length;
  while (j > i && b.ts[j - 1]! > to) j--;
  if (i === 0 && j === b.ts.length) return b;
  return { ts: b.ts.slice(i, j), cols: b.cols.map((c) => c.slice(i, j)) };
}

export function toRange(b: Buckets, counter: boolean, rate: boolean, stepMs: number, resolution: RangeResult['resolution']): RangeResult {
  const r: RangeResult = { stepMs, resolution, ts: [], min: [], mean: [], max: [] };
  const c = b.cols;
  for (let i = 0; i < b.ts.length; i++) {
    if (rate) {
      if (!counter) continue;
      const dt = c[C_DT]![i]!;
      if (!(dt > 0)) continue;
      r.ts.push(b.ts[i]!);
      r.min.push(c[C_RMIN]![i]! * 1000);
      r.mean.push((c[C_INC]![i]! / dt) * 1000);
      r.max.push(c[C_RMAX]![i]! * 1000);
    } else if (counter) {
      // A counter asked for as a gauge: its value at the end of each bucket.
      const v = c[C_LAST]![i]!;
      r.ts.push(b.ts[i]!);
      r.min.push(v);
      r.mean.push(v);
      r.max.push(v);
    } else {
      r.ts.push(b.ts[i]!);
      r.min.push(c[G_MIN]![i]!);
      r.mean.push(c[G_SUM]![i]! / c[G_N]![i]!);
      r.max.push(c[G_MAX]![i]!);
    }
  }
  return r;
}
