/**
 * Bucket crediting (issue 16, item 9): a counter interval that straddles a 5-minute or 1-hour bucket is
 * split across the buckets it spans, proportionally to time, on every path (bucketing, stored rollups
 * across an hour's chunk and across midnight, the open hour, p95).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { C_DT, C_INC, computeBuckets, increaseBetween, mergeBuckets, MAX_SPLIT_MS, RES_1H, RES_5M } from '../../src/store/rollups.js';
import { openStore, type TimeSeriesStore } from '../../src/store/index.js';
import { rng } from '../helpers/values.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const T0 = Date.UTC(2025, 2, 3, 0, 0, 0);

const cols = (b: ReturnType<typeof computeBuckets>) => b.ts.map((t, i) => ({ t: (t - T0) / S, n: b.cols[0]![i], inc: b.cols[C_INC]![i], dt: b.cols[C_DT]![i]! / S }));

describe('computeBuckets (counters)', () => {
  it('splits an interval across the boundary it straddles, proportionally to time, in whole shares that add up', () => {
    // 290 s → 310 s: 200 B, 10 s on each side of the 300 s boundary; then 310 s → 320 s: 50 B
    const b = computeBuckets([T0 + 290 * S, T0 + 310 * S, T0 + 320 * S], [1000, 1200, 1250], true, RES_5M, null);
    expect(cols(b)).toEqual([
      { t: 0, n: 1, inc: 100, dt: 10 },
      { t: 300, n: 2, inc: 150, dt: 20 },
    ]);
    // 7 B over 3 buckets of 100 s each: 2.33.. per bucket as whole shares 2, 3, 2 (cumulative rounding), sum 7
    const c = computeBuckets([T0 + 0, T0 + 900 * S], [0, 7], true, RES_5M, null);
    expect(cols(c)).toEqual([
      { t: 0, n: 1, inc: 2, dt: 300 },
      { t: 300, n: 0, inc: 3, dt: 300 },
      { t: 600, n: 0, inc: 2, dt: 300 },
      { t: 900, n: 1, inc: 0, dt: 0 },
    ]);
  });

  it('a bucket covered by an interval but holding no sample has time and increase; a reset credits nothing', () => {
    const b = computeBuckets([T0 + 200 * S, T0 + 700 * S, T0 + 750 * S], [0, 500, 10], true, RES_5M, null);
    expect(cols(b)).toEqual([
      { t: 0, n: 1, inc: 100, dt: 100 },
      { t: 300, n: 0, inc: 300, dt: 300 },
      { t: 600, n: 2, inc: 100, dt: 100 },
    ]);
  });

  it('finer than 5 minutes, shares are exact fractions (0.6 B per 361 ms bucket, not 0 or 1)', () => {
    const b = computeBuckets([T0, T0 + 60 * S], [0, 100], true, 361, null);
    for (let i = 0; i < b.ts.length; i++) if (b.cols[C_DT]![i]! > 0) expect((b.cols[C_INC]![i]! / b.cols[C_DT]![i]!) * S).toBeCloseTo(100 / 60, 9);
  });

  it('an interval longer than an hour is credited wholly to its end (a silent series), as an average', () => {
    const b = computeBuckets([T0, T0 + MAX_SPLIT_MS + 5 * MIN], [0, 1300], true, RES_5M, null);
    expect(cols(b).at(-1)).toEqual({ t: 3900, n: 1, inc: 1300, dt: 3900 });
    expect(b.ts).toHaveLength(2);
  });

  it('merges 5-minute buckets into the hour with the same totals, and increaseBetween agrees at any window', () => {
    const ts = [T0 + 3500 * S, T0 + 3700 * S, T0 + 7300 * S];
    const vals = [0, 2000, 38_000];
    const h = mergeBuckets(computeBuckets(ts, vals, true, RES_5M, null), true, RES_1H);
    expect(cols(h)).toEqual([
      { t: 0, n: 1, inc: 1000, dt: 100 },
      { t: 3600, n: 1, inc: 1000 + 36_000 * (3500 / 3600), dt: 3600 },
      { t: 7200, n: 1, inc: 36_000 * (100 / 3600), dt: 100 },
    ]);
    expect(increaseBetween(ts, vals, T0 + 3600 * S, T0 + 7200 * S)).toBe(36_000 * (3500 / 3600) + 1000);
  });
});

describe('stored rollups', () => {
  let store: TimeSeriesStore | undefined;
  afterEach(() => store?.close());
  const counter = (ts: number, value: number) => ({ metric: 'rx_bytes_total', labels: { target: 'a' }, type: 'counter' as const, ts, value });

  it('an interval straddling an hour (and midnight) credits the hour before, before and after the hour is closed', () => {
    let now = T0;
    store = openStore(':memory:', { jobs: false, now: () => now });
    const D = T0 + 24 * H; // the next midnight: the early share goes into the previous day's row
    for (const base of [T0 + 5 * H, D]) {
      store.write([counter(base - 30 * S, 1_000_000), counter(base + 30 * S, 1_000_600)]);
      store.flush();
      const id = store.findSeries('rx_bytes_total')[0]!.id;
      now = base + 2 * MIN;
      // open hour: answered from raw, the hour before's last bucket holds the first 30 s (300 B)
      const open5 = store.rateRange(id, base - 5 * MIN, base + 5 * MIN - 1, 3);
      expect(open5.resolution).toBe('5m');
      expect(open5.ts).toEqual([base - 5 * MIN, base]);
      expect(open5.mean).toEqual([10, 10]); // 300 B in 30 s, each side
      // closed: the same from the stored rollups (5 m and 1 h)
      store.write([counter(base + H + 10 * S, 1_000_700)]);
      store.flush();
      const closed5 = store.rateRange(id, base - 5 * MIN, base + 5 * MIN - 1, 3);
      expect(closed5.mean[0]).toBe(10);
      expect(store.increase(id, base - H, base)).toBe(300);
      now = base + 500 * 24 * H; // only 1 h rollups are left
      expect(store.increase(id, base - H, base)).toBe(300);
      now = base + 2 * MIN;
    }
  });

  it('p95 of 5-minute rates equals a reference built from the traffic itself, where crediting the later bucket is off', () => {
    // A link up to 2 Mbit/s whose rate changes at each poll (so proportional splitting is exactly right),
    // polled every 60 s at :30, so every 5-minute boundary falls inside an interval.
    const r = rng(16);
    const polls: number[] = [];
    const rates: number[] = []; // bytes/s over (polls[i-1], polls[i]]
    for (let t = T0 + 30 * S; t < T0 + 6 * H; t += MIN) polls.push(t);
    const vals: number[] = [0];
    for (let i = 1; i < polls.length; i++) {
      rates.push(Math.floor(r() < 0.1 ? 250_000 : r() * 60_000)); // bursts at 2 Mbit/s, else below 0.5
      vals.push(vals[i - 1]! + rates[i - 1]! * 60);
    }
    store = openStore(':memory:', { jobs: false, now: () => T0 + 6 * H });
    store.write(polls.map((t, i) => counter(t, vals[i]!)));
    store.flush();
    const id = store.findSeries('rx_bytes_total')[0]!.id;
    // the reference: bytes that crossed the link in each whole bucket, from the traffic (like the kernel's)
    const buckets = new Map<number, number>();
    for (let i = 1; i < polls.length; i++) {
      for (let s = polls[i - 1]!; s < polls[i]!; s += S) {
        const b = Math.floor(s / RES_5M) * RES_5M;
        buckets.set(b, (buckets.get(b) ?? 0) + rates[i - 1]!);
      }
    }
    const whole = [...buckets].filter(([b]) => b >= T0 + 5 * MIN && b < T0 + 6 * H - 5 * MIN).map(([, bytes]) => bytes / 300);
    const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.95 * xs.length) - 1]!;
    const got = store.percentileRate(id, T0 + 5 * MIN, T0 + 6 * H - 5 * MIN, 95)!;
    expect(Math.abs(got - p95(whole))).toBeLessThanOrEqual(1 / 300); // whole-byte shares
    // crediting each interval to its end's bucket (the old rule) misses it by far more
    const late = new Map<number, { inc: number; dt: number }>();
    for (let i = 1; i < polls.length; i++) {
      const b = Math.floor(polls[i]! / RES_5M) * RES_5M;
      const e = late.get(b) ?? { inc: 0, dt: 0 };
      e.inc += rates[i - 1]! * 60;
      e.dt += 60;
      late.set(b, e);
    }
    const old = p95([...late].filter(([b]) => b >= T0 + 5 * MIN && b < T0 + 6 * H - 5 * MIN).map(([, e]) => e.inc / e.dt));
    expect(Math.abs(old - p95(whole)) / p95(whole)).toBeGreaterThan(0.01);
  });
});
