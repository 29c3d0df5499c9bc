import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore, type StoreOptions, type TimeSeriesStore } from '../../src/store/index.js';
import type { Sample } from '../../src/types.js';
import { rng } from '../helpers/values.js';

const MIN = 60_000;
const H = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 3, 0, 0, 0); // a Monday, UTC midnight

let dir: string;
let now = T0;
const stores: TimeSeriesStore[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netmon-store-'));
  now = T0;
});
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(opts: StoreOptions = {}, file = 'ts.db'): TimeSeriesStore {
  const s = openStore(path.join(dir, file), { jobs: false, now: () => now, ...opts });
  stores.push(s);
  return s;
}
function closeStore(s: TimeSeriesStore): void {
  s.close();
  stores.splice(stores.indexOf(s), 1);
}

const ctr = (ts: number, value: number, target = 'a'): Sample => ({ metric: 'bytes_total', labels: { target }, type: 'counter', ts, value, unit: 'bytes' });
const gauge = (ts: number, value: number, target = 'a'): Sample => ({ metric: 'rtt_seconds', labels: { target }, type: 'gauge', ts, value });

/** Counter with jittered 60 s polls and a few resets. */
function counterData(hours: number, seed = 1): { ts: number[]; vals: number[] } {
  const r = rng(seed);
  const ts: number[] = [];
  const vals: number[] = [];
  let v = 1e9;
  for (let t = T0; t < T0 + hours * H; t += MIN) {
    v = r() < 0.01 ? Math.floor(r() * 1e4) : v + Math.floor(r() * 5e6 * (1 + Math.sin(t / 7e6)));
    ts.push(t + Math.floor(r() * 2000));
    vals.push(v);
  }
  return { ts, vals };
}

/**
 * Brute force: 5-minute average rates (per s) from raw samples, each interval's increase spread evenly
 * over its time and credited to the 5-minute buckets it overlaps (buckets starting in [from, to)).
 */
function bruteRates(ts: number[], vals: number[], from: number, to: number): number[] {
  const B = 300_000;
  const inc = new Map<number, number>();
  const dt = new Map<number, number>();
  for (let i = 1; i < ts.length; i++) {
    const d = vals[i]! - vals[i - 1]!;
    if (d < 0) continue;
    const t0 = ts[i - 1]!;
    const t1 = ts[i]!;
    for (let b = Math.floor(t0 / B) * B; b < t1; b += B) {
      const overlap = Math.min(t1, b + B) - Math.max(t0, b);
      if (b < from || b >= to || overlap <= 0) continue;
      inc.set(b, (inc.get(b) ?? 0) + (d * overlap) / (t1 - t0));
      dt.set(b, (dt.get(b) ?? 0) + overlap);
    }
  }
  return [...inc.keys()].sort((a, b) => a - b).filter((b) => dt.get(b)! > 0).map((b) => (inc.get(b)! / dt.get(b)!) * 1000);
}
const nearestRank = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
};

describe('store', () => {
  it('interns series with metadata and finds them by labels', () => {
    const s = open();
    s.write([ctr(T0, 1, 'a'), ctr(T0, 1, 'b'), gauge(T0, 0.5, 'a'), { ...ctr(T0 + 1, 2, 'a'), labels: { target: 'a' } }]);
    s.flush();
    const found = s.findSeries('bytes_total');
    expect(found).toHaveLength(2);
    expect(found[0]).toMatchObject({ metric: 'bytes_total', type: 'counter', unit: 'bytes' });
    expect(s.findSeries('bytes_total', { target: 'b' })).toHaveLength(1);
    expect(s.findSeries('nope')).toEqual([]);
    // label order does not create a new series
    s.write([{ metric: 'x', labels: { a: '1', b: '2' }, type: 'gauge', ts: T0, value: 1 }, { metric: 'x', labels: { b: '2', a: '1' }, type: 'gauge', ts: T0 + 1, value: 2 }]);
    s.flush();
    expect(s.findSeries('x')).toHaveLength(1);
    expect(s.stats().series).toBe(4);
  });

  it('closes hourly chunks, folds the head log, and reads back every sample after reopen', () => {
    const { ts, vals } = counterData(5);
    let s = open();
    for (let i = 0; i < ts.length; i += 37) s.write(ts.slice(i, i + 37).map((t, k) => ctr(t, vals[i + k]!)));
    s.flush();
    const file = path.join(dir, 'ts.db');
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT COUNT(*) c FROM chunks').get() as { c: number }).c).toBe(4); // 5th hour still open
    expect((db.prepare('SELECT COUNT(*) c FROM head_log').get() as { c: number }).c).toBeLessThan(4);
    db.close();
    const id = s.findSeries('bytes_total')[0]!.id;
    const raw = s.range(id, T0, T0 + 5 * H, 10_000);
    expect(raw.resolution).toBe('raw');
    expect(raw.mean).toEqual(vals); // counter read as gauge: its values
    closeStore(s);
    s = open();
    expect(s.range(id, T0, T0 + 5 * H, 10_000).mean).toEqual(vals);
    expect(s.latest(id)).toEqual({ ts: ts.at(-1), value: vals.at(-1) });
    // idle close folds the open hour too
    s.maintain(T0 + 6 * H + 11 * MIN);
    closeStore(s);
    s = open();
    expect(s.range(id, T0, T0 + 5 * H, 10_000).mean).toEqual(vals);
    const db2 = new Database(file, { readonly: true });
    expect((db2.prepare('SELECT COUNT(*) c FROM chunks').get() as { c: number }).c).toBe(5);
    expect((db2.prepare('SELECT COUNT(*) c FROM head_log').get() as { c: number }).c).toBe(0);
    expect(db2.pragma('integrity_check', { simple: true })).toBe('ok');
    db2.close();
  });

  it('rollups agree with a brute-force computation (gauge envelope, counter rates)', () => {
    const r = rng(5);
    const s = open();
    const g: Sample[] = [];
    for (let t = T0; t < T0 + 30 * H; t += MIN) g.push(gauge(t + Math.floor(r() * 500), Math.round((0.01 + r() * 0.05) * 1e6) / 1e6));
    const c = counterData(30, 9);
    s.write(g);
    s.write(c.ts.map((t, i) => ctr(t, c.vals[i]!)));
    s.flush();
    const gid = s.findSeries('rtt_seconds')[0]!.id;
    const cid = s.findSeries('bytes_total')[0]!.id;
    // 30 h in 30 points -> 1 h buckets from rollup_1h (29 closed hours + the open one from raw)
    const res = s.range(gid, T0, T0 + 30 * H - 1, 31);
    expect(res.resolution).toBe('1h');
    expect(res.ts).toHaveLength(30);
    for (let h = 0; h < 30; h++) {
      const vs = g.filter((x) => x.ts >= T0 + h * H && x.ts < T0 + (h + 1) * H).map((x) => x.value);
      expect(res.min[h]).toBe(Math.min(...vs));
      expect(res.max[h]).toBe(Math.max(...vs));
      expect(res.mean[h]).toBeCloseTo(vs.reduce((a, b) => a + b, 0) / vs.length, 12);
    }
    // 5 m rates: mean = brute-force average rate per bucket
    const rr = s.rateRange(cid, T0, T0 + 10 * H - 1, 121); // step exactly 5 min
    expect(rr.resolution).toBe('5m');
    const brute = bruteRates(c.ts, c.vals, T0, T0 + 10 * H);
    expect(rr.mean.length).toBe(brute.length);
    // (whole-byte shares: within a byte per bucket boundary of the exact split)
    rr.mean.forEach((m, i) => expect(Math.abs(m - brute[i]!)).toBeLessThan(2 / 300));
    // a spike survives downsampling: max over 1 h buckets >= every 5 m mean inside
    const hourly = s.rateRange(cid, T0, T0 + 10 * H - 1, 10);
    expect(Math.max(...hourly.max)).toBeGreaterThanOrEqual(Math.max(...rr.mean) * (1 - 1e-6));
    // raw and rollup paths give the same 1 h numbers
    const perHour = s.rateRange(cid, T0, T0 + 10 * H - 1, 11);
    expect([perHour.resolution, perHour.stepMs, perHour.ts.length]).toEqual(['1h', H, 10]);
    // 3.6 s steps (a divisor of the hour, so no raw bucket straddles two hours): one interval per bucket
    const viaRaw = s.rateRange(cid, T0, T0 + 10 * H - 1, 10_001);
    expect([viaRaw.resolution, viaRaw.stepMs]).toEqual(['raw', 3600]);
    for (let h = 0; h < 10; h++) {
      const inHour = viaRaw.ts.flatMap((t, i) => (t >= T0 + h * H && t < T0 + (h + 1) * H ? [i] : []));
      expect(inHour.length).toBeGreaterThan(50);
      // the per-interval rate envelope (float32 on every path, so exactly equal)
      expect(perHour.ts[h]).toBe(T0 + h * H);
      expect(perHour.min[h]).toBe(Math.min(...inHour.map((i) => viaRaw.min[i]!)));
      expect(perHour.max[h]).toBe(Math.max(...inHour.map((i) => viaRaw.max[i]!)));
    }
    // the hour's increase: read from raw samples while they are within raw retention, from rollup_1h once
    // only that resolution is left (each interval's share of the hour on both paths; whole-byte shares)
    const hourIncrease = () => Array.from({ length: 10 }, (_, h) => s.increase(cid, T0 + h * H, T0 + (h + 1) * H));
    const rawIncrease = hourIncrease();
    expect(rawIncrease.every((x) => x > 0)).toBe(true);
    now = T0 + 401 * DAY; // past raw (35 d) and 5 m (400 d) retention: increase() reads the 1 h rollups
    hourIncrease().forEach((x, h) => expect(Math.abs(x - rawIncrease[h]!)).toBeLessThanOrEqual(1));
  });

  it('draws no rate across a reset and counts increase without it', () => {
    const s = open();
    const vals = [100, 200, 300, 50, 150, 250];
    s.write(vals.map((v, i) => ctr(T0 + i * MIN, v)));
    s.flush();
    const id = s.findSeries('bytes_total')[0]!.id;
    const rr = s.rateRange(id, T0, T0 + 6 * MIN, 1000);
    expect(rr.resolution).toBe('raw');
    expect(rr.min.every((x) => x > 0)).toBe(true);
    // 5 intervals, one of them the reset: the buckets cover 4 minutes, none of them inside the reset's
    const covered = rr.ts.length * rr.stepMs;
    expect(Math.abs(covered - 4 * MIN)).toBeLessThanOrEqual(4 * rr.stepMs);
    expect(rr.ts.some((t) => t >= T0 + 2 * MIN + rr.stepMs && t < T0 + 3 * MIN - rr.stepMs)).toBe(false);
    for (const m of rr.mean) expect(m).toBeCloseTo(100 / 60, 9);
    expect(s.increase(id, T0, T0 + 6 * MIN)).toBe(400);
    expect(s.increase(id, T0 + MIN, T0 + 2 * MIN)).toBe(100);
  });

  it('95th percentile of 5-minute rates is exact against brute force, over rollups and the open hour', () => {
    const c = counterData(49, 3);
    const s = open();
    s.write(c.ts.map((t, i) => ctr(t, c.vals[i]!)));
    s.flush();
    const id = s.findSeries('bytes_total')[0]!.id;
    for (const [from, to, p] of [[T0, T0 + 49 * H, 95], [T0 + 3 * H, T0 + 20 * H, 95], [T0, T0 + 49 * H, 50], [T0 + 47 * H, T0 + 49 * H, 99]] as const) {
      const want = nearestRank(bruteRates(c.ts, c.vals, from, to), p);
      expect(Math.abs(s.percentileRate(id, from, to, p)! - want)).toBeLessThan(2 / 300); // whole-byte shares
    }
    expect(s.percentileRate(id, T0 - 10 * H, T0 - 5 * H, 95)).toBeNull();
    // increase through rollups (after raw retention) equals the raw answer at bucket granularity
    const raw = s.increase(id, T0, T0 + 48 * H);
    now = T0 + 40 * DAY; // raw retention (35 d) passed: answered from 5 m rollups (whole-byte shares)
    expect(Math.abs(s.increase(id, T0, T0 + 48 * H) - raw)).toBeLessThanOrEqual(1);
  });

  it('retention drops raw, 5 m and 1 h data by age and vacuums', () => {
    const s = open({ retention: { rawMs: 2 * H, rollup5mMs: 6 * H, rollup1hMs: 2 * DAY } });
    const c = counterData(30, 4);
    s.write(c.ts.map((t, i) => ctr(t, c.vals[i]!)));
    s.flush();
    const id = s.findSeries('bytes_total')[0]!.id;
    now = T0 + 30 * H;
    const out = s.retention();
    expect(out.chunks).toBe(28); // hours 0..27 end at or before now - 2 h
    expect(out.rollup5m).toBe(1); // day rows: day 0 ended 6 h ago
    expect(out.rollup1h).toBe(0);
    expect(s.range(id, T0, T0 + 30 * H, 100_000).ts.length).toBeGreaterThan(0);
    // raw older than retention is gone; 1 h still answers
    expect(s.rateRange(id, T0, T0 + 3 * H - 1, 4).resolution).toBe('1h');
    expect(s.rateRange(id, T0, T0 + 3 * H - 1, 4).ts.length).toBe(3);
    now = T0 + 5 * DAY;
    expect(s.retention().rollup1h).toBe(2);
  });

  it('rejects out-of-order, duplicate and invalid samples with reasons, merging late ones in the open hour', () => {
    const s = open();
    s.write([gauge(T0 + 10 * MIN, 1), gauge(T0 + 20 * MIN, 2)]);
    s.flush();
    s.write([
      gauge(T0 + 15 * MIN, 1.5), // late but inside the open hour: merged
      gauge(T0 + 20 * MIN, 9), // duplicate timestamp
      gauge(T0 + 70 * MIN, 3), // next hour: closes the first
      gauge(T0 + 30 * MIN, 4), // closed hour: out of order
      gauge(T0 + 71 * MIN, NaN),
      { ...gauge(T0 + 72 * MIN, 1), type: 'histogram' as never },
    ]);
    s.flush();
    expect(s.stats().samplesRejected).toEqual({ out_of_order: 1, duplicate: 1, invalid: 2 });
    expect(s.stats().samplesWritten).toBe(4);
    const id = s.findSeries('rtt_seconds')[0]!.id;
    expect(s.range(id, T0, T0 + 2 * H, 10_000).mean).toEqual([1, 1.5, 2, 3]);
    expect(() => s.write([null as never])).not.toThrow();
    s.flush();
    expect(s.stats().samplesRejected.invalid).toBe(3);
  });

  it('a long read transaction on another connection does not block a commit', () => {
    const s = open();
    s.write([gauge(T0, 1)]);
    s.flush();
    const reader = new Database(path.join(dir, 'ts.db'), { readonly: true });
    reader.exec('BEGIN');
    const before = (reader.prepare('SELECT COUNT(*) c FROM head_log').get() as { c: number }).c;
    const t0 = performance.now();
    for (let i = 1; i <= 50; i++) {
      s.write([gauge(T0 + i * MIN, i)]); // crosses an hour: chunk + rollup writes too
      s.flush();
    }
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(s.latest(s.findSeries('rtt_seconds')[0]!.id)!.value).toBe(50);
    // the reader still sees its snapshot
    expect((reader.prepare('SELECT COUNT(*) c FROM head_log').get() as { c: number }).c).toBe(before);
    reader.exec('COMMIT');
    reader.close();
  });

  it('flushes on its own after flushIntervalMs and on batchSize', async () => {
    const s = open({ flushIntervalMs: 20, batchSize: 3 });
    s.write([gauge(T0, 1)]);
    expect(s.pending).toBe(1);
    await vi.waitFor(() => expect(s.pending).toBe(0), { timeout: 5000, interval: 5 });
    s.write([gauge(T0 + 1, 1), gauge(T0 + 2, 1), gauge(T0 + 3, 1)]);
    expect(s.pending).toBe(0);
    expect(s.stats().samplesWritten).toBe(4);
    expect(s.stats().fileBytes).toBeGreaterThan(0);
    expect(s.stats().lastCommitSeconds).toBeGreaterThan(0);
  });

  it('runs its cron jobs (fold every minute, retention hourly), and stopped jobs do not run', async () => {
    // node-cron schedules on the wall clock (Date and setTimeout), which is faked here and stepped; the
    // store's data clock is `now`. Each run is seen in the job log and in its effect on the database.
    vi.useFakeTimers({ now: Date.UTC(2025, 2, 3, 10, 0, 30) });
    let db: Database.Database | undefined;
    try {
      const runs: string[] = [];
      const log = {
        debug: (o: unknown) => void runs.push(String((o as { job?: string }).job)),
        info: () => undefined,
        warn: () => undefined,
        error: (o: unknown) => void runs.push(`failed ${String((o as { job?: string }).job)}`),
      };
      const s = open({ jobs: true, log, retention: { rawMs: 2 * H } });
      const reader = (db = new Database(path.join(dir, 'ts.db'), { readonly: true }));
      const chunkHours = () => (reader.prepare('SELECT start_ts FROM chunks ORDER BY start_ts').pluck().all() as number[]).map((t) => (t - T0) / H);
      s.write([gauge(T0, 1), gauge(T0 + MIN, 2)]);
      s.flush();
      now = T0 + 2 * H; // hour 0 has been idle for longer than idleCloseMs
      expect(chunkHours()).toEqual([]);
      await vi.advanceTimersByTimeAsync(31_000); // past 10:01:00
      expect(runs).toEqual(['fold']);
      expect(chunkHours()).toEqual([0]);

      s.stopJobs();
      s.write([gauge(T0 + 2 * H, 3)]);
      s.flush();
      now = T0 + 4 * H; // hour 2 idle, hour 0 past raw retention: work for both jobs, were they running
      await vi.advanceTimersByTimeAsync(60 * MIN); // a whole hour, so past a minute :17 as well
      expect(runs).toEqual(['fold']);
      expect(chunkHours()).toEqual([0]);

      s.startJobs();
      await vi.advanceTimersByTimeAsync(MIN);
      expect(runs).toEqual(['fold', 'fold']);
      expect(chunkHours()).toEqual([0, 2]);
      await vi.advanceTimersByTimeAsync(60 * MIN);
      expect(runs.filter((r) => r === 'fold')).toHaveLength(62);
      expect(runs.filter((r) => r !== 'fold')).toEqual(['retention']);
      expect(chunkHours()).toEqual([2]); // hour 0 dropped by retention, hour 2 within it
      closeStore(s);
      await vi.advanceTimersByTimeAsync(5 * MIN);
      expect(runs).toHaveLength(63); // close stopped them too
    } finally {
      db?.close();
      vi.useRealTimers();
    }
  });
});
