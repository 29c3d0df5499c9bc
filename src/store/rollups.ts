/**
 * Bucket statistics, used both for stored rollups (5 m, 1 h) and for answering queries from raw data,
 * so a query gives the same numbers whichever resolution answers it.
 *
 * Gauge bucket columns:   [n, min, max, sum, last]             mean = sum / n
 * Counter bucket columns: [n, last, inc, dt, rmin, rmax]        average rate = inc / dt (per ms)
 * A counter interval (previous sample -> sample) is split across the buckets it spans, proportionally to
 * time (n and last count the sample in its own bucket only). A decrease is a reset: that interval
 * contributes neither increase, time nor rate. Percentiles use the 5-minute average rates inc/dt, with
 * integer inc (whole shares) and dt, so p95 from rollups equals p95 from raw data.
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
 * counter interval). Only samples with from <= ts < to are bucketed (and only the part of a counter
 * interval inside [from, to) is credited). `split` false credits each counter interval wholly to its end
 * sample's bucket: enough for a counter read as a gauge (its last values), and far cheaper at fine steps.
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
  split = true,
): Buckets {
  return counter ? counterBuckets(ts, vals, res, prev, from, to, split) : gaugeBuckets(ts, vals, res, scale, from, to);
}

function gaugeBuckets(ts: ArrayLike<number>, vals: ArrayLike<number>, res: number, scale: number, from: number, to: number): Buckets {
  const out = emptyBuckets(false);
  const c = out.cols as [number[], number[], number[], number[], number[]];
  let cur = NaN;
  let n = 0, a = 0, b = 0, s = 0, last = 0;
  const close = () => {
    out.ts.push(cur);
    c[G_N].push(n); c[G_MIN].push(a); c[G_MAX].push(b); c[G_SUM].push(snap(s, scale)); c[G_LAST].push(last);
  };
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const v = vals[i]!;
    if (t < from || t >= to) continue;
    const bt = Math.floor(t / res) * res;
    if (bt !== cur) {
      if (n > 0) close();
      cur = bt;
      n = 0; s = 0;
      a = Infinity; b = -Infinity;
    }
    n++;
    last = v;
    if (v < a) a = v;
    if (v > b) b = v;
    s += v;
  }
  if (n > 0) close();
  return out;
}

/**
 * Intervals longer than this are credited wholly to the bucket of their end sample (a series that was
 * silent for hours, a store that was down), as an average over their whole length: splitting them
 * would write buckets far in the past.
 */
export const MAX_SPLIT_MS = 60 * 60_000;

/** A counter bucket being filled; see the column list in the header. */
interface CounterAcc { ts: number; n: number; last: number; inc: number; dt: number; rmin: number; rmax: number }

/**
 * Counter buckets: each interval's increase is split across the buckets it spans, proportionally to
 * time (traffic between two polls is assumed steady, the only assumption two readings allow), so an
 * interval straddling a boundary no longer lands wholly in the later bucket (issue 16, item 9). Whole
 * integer increases are split into whole shares at stored resolutions; the sample itself (n, last) counts
 * in its own bucket only, so a bucket can be covered by an interval (dt > 0) without holding a sample.
 */
function counterBuckets(
  ts: ArrayLike<number>,
  vals: ArrayLike<number>,
  res: number,
  prev: { ts: number; value: number } | null,
  from: number,
  to: number,
  split: boolean,
): Buckets {
  const accs: CounterAcc[] = [];
  const at = (bt: number, lastValue: number): CounterAcc => {
    const top = accs[accs.length - 1];
    if (top && top.ts === bt) return top;
    const acc = { ts: bt, n: 0, last: lastValue, inc: 0, dt: 0, rmin: Infinity, rmax: -Infinity };
    accs.push(acc);
    return acc;
  };
  let pTs = prev ? prev.ts : NaN;
  let pV = prev ? prev.value : NaN;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const v = vals[i]!;
    if (t < from || t >= to) {
      pTs = t;
      pV = v;
      continue;
    }
    // A decrease is a reset, an unknown start has no interval: neither credits anything.
    if (pTs === pTs && v >= pV && t > pTs) creditInterval(at, pTs, pV, t, v, res, split ? from : NaN);
    const own = at(Math.floor(t / res) * res, v);
    own.n++;
    own.last = v;
    pTs = t;
    pV = v;
  }
  return toColumns(accs);
}

/** Credit the interval (t0, t1] of increase v1 - v0 to the buckets it spans, from `from` on (NaN: wholly to its end). */
function creditInterval(at: (bt: number, last: number) => CounterAcc, t0: number, v0: number, t1: number, v1: number, res: number, from: number): void {
  const d = v1 - v0;
  const iv = t1 - t0;
  // float32 precision (7 digits) is plenty for an envelope and halves the rollup's Gorilla bits.
  const r = Math.fround(d / iv);
  const add = (acc: CounterAcc, inc: number, dt: number) => {
    acc.inc += inc;
    acc.dt += dt;
    if (r < acc.rmin) acc.rmin = r;
    if (r > acc.rmax) acc.rmax = r;
  };
  if (iv > MAX_SPLIT_MS || from !== from) {
    add(at(Math.floor(t1 / res) * res, v0), d, iv);
    return;
  }
  // Increase credited up to time x, from the cumulative fraction: the shares add up to d exactly. Stored
  // resolutions get whole shares (cheap integer columns, exact sums when 5 m merge into 1 h); finer query
  // buckets get exact fractions (a 100-byte minute split into 361 ms buckets is 0.6 B each, not 0 or 1).
  const whole = res >= RES_5M && Number.isInteger(d);
  const upTo = (x: number): number => (x >= t1 ? d : whole ? Math.round((d * (x - t0)) / iv) : (d * (x - t0)) / iv);
  const start = Math.max(t0, from);
  let done = upTo(start);
  for (let b = Math.floor(start / res) * res; b < t1; b += res) {
    const lo = Math.max(start, b);
    const hi = Math.min(t1, b + res);
    const next = upTo(hi);
    add(at(b, v0), next - done, hi - lo);
    done = next;
  }
}

/**
 * Increase of a counter over (from, to] from its raw samples, crediting each interval's share of the
 * window proportionally to time, as the buckets do (so the raw and rollup answers agree); a decrease
 * (a reset) adds nothing.
 */
export function increaseBetween(ts: ArrayLike<number>, vals: ArrayLike<number>, from: number, to: number): number {
  let sum = 0;
  for (let i = 1; i < ts.length; i++) {
    const t0 = ts[i - 1]!;
    const t1 = ts[i]!;
    const d = vals[i]! - vals[i - 1]!;
    if (!(d >= 0) || t1 <= from || t0 >= to || t1 <= t0) continue;
    const iv = t1 - t0;
    if (iv > MAX_SPLIT_MS || from !== from) {
      if (t1 <= to) sum += d;
    } else sum += (d * (Math.min(t1, to) - Math.max(t0, from))) / iv;
  }
  return sum;
}

function toColumns(accs: readonly CounterAcc[]): Buckets {
  const out = emptyBuckets(true);
  const c = out.cols as [number[], number[], number[], number[], number[], number[]];
  for (const a of accs) {
    out.ts.push(a.ts);
    c[C_N].push(a.n); c[C_LAST].push(a.last); c[C_INC].push(a.inc); c[C_DT].push(a.dt);
    c[C_RMIN].push(a.dt > 0 ? a.rmin : 0); c[C_RMAX].push(a.dt > 0 ? a.rmax : 0);
  }
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
      addCounterBucket(acc, sc, i);
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

/** Add source bucket `i` (same coarse bucket) to a counter accumulator. */
function addCounterBucket(acc: number[], sc: readonly number[][], i: number): void {
  const n = sc[C_N]![i]!;
  // `last` is the value of the latest sample: a bucket only covered by an interval (n = 0) has none.
  if (n > 0 || acc[C_N] === 0) acc[C_LAST] = sc[C_LAST]![i]!;
  acc[C_N]! += n;
  const dt = sc[C_DT]![i]!;
  if (dt > 0) {
    const hadDt = acc[C_DT]! > 0;
    acc[C_INC]! += sc[C_INC]![i]!;
    acc[C_DT]! += dt;
    acc[C_RMIN] = hadDt ? Math.min(acc[C_RMIN]!, sc[C_RMIN]![i]!) : sc[C_RMIN]![i]!;
    acc[C_RMAX] = hadDt ? Math.max(acc[C_RMAX]!, sc[C_RMAX]![i]!) : sc[C_RMAX]![i]!;
  }
}

/**
 * `a` and `b` (each sorted) as one sorted set of counter buckets, buckets of the same start added up:
 * an interval straddling the start of an hour credits part of its increase to a bucket of the hour before,
 * which the stored rollups (or the open hour's buckets) already hold.
 */
export function combineCounterBuckets(a: Buckets, b: Buckets): Buckets {
  if (b.ts.length === 0) return a;
  const out = emptyBuckets(true);
  let i = 0;
  let j = 0;
  const push = (src: Buckets, k: number) => {
    out.ts.push(src.ts[k]!);
    for (let c = 0; c < out.cols.length; c++) out.cols[c]!.push(src.cols[c]![k]!);
  };
  while (i < a.ts.length || j < b.ts.length) {
    const ta = i < a.ts.length ? a.ts[i]! : Infinity;
    const tb = j < b.ts.length ? b.ts[j]! : Infinity;
    if (ta < tb) push(a, i++);
    else if (tb < ta) push(b, j++);
    else {
      const acc = a.cols.map((col) => col[i]!);
      addCounterBucket(acc, b.cols, j);
      out.ts.push(ta);
      for (let c = 0; c < out.cols.length; c++) out.cols[c]!.push(acc[c]!);
      i++;
      j++;
    }
  }
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
      // A counter asked for as a gauge: its value at the end of each bucket (that holds a sample).
      if (!(c[C_N]![i]! > 0)) continue;
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
