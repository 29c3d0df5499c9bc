/**
 * Reads, on the reader connection (its own WAL snapshot, so a long read never blocks a commit),
 * plus the writer's in-memory open chunk for the newest hour.
 */
import type { Statement } from 'better-sqlite3';
import type { RangeResult } from './types.js';
import type { DB } from './schema.js';
import type { Writer } from './writer.js';
import { decodeBlock, decodeChunk } from './codec.js';
import {
  C_DT, C_INC, combineCounterBuckets, computeBuckets, concatBuckets, DAY, decimalScale, emptyBuckets, increaseBetween, MAX_SPLIT_MS, mergeBuckets,
  RES_1H, RES_5M, sliceBuckets, toRange, type Buckets,
} from './rollups.js';

export interface Retention {
  rawMs: number;
  rollup5mMs: number;
  rollup1hMs: number;
}

type Res = RangeResult['resolution'];

export class Queries {
  private readonly st: Record<string, Statement>;

  constructor(
    db: DB,
    private readonly writer: Writer,
    private readonly retention: Retention,
    private readonly now: () => number,
  ) {
    this.st = {
      chunks: db.prepare('SELECT data FROM chunks WHERE series_id = ? AND start_ts >= ? AND start_ts <= ? ORDER BY start_ts').pluck(),
      r5m: db.prepare('SELECT data FROM rollup_5m WHERE series_id = ? AND start_ts >= ? AND start_ts <= ? ORDER BY start_ts').pluck(),
      r1h: db.prepare('SELECT data FROM rollup_1h WHERE series_id = ? AND start_ts >= ? AND start_ts <= ? ORDER BY start_ts').pluck(),
    };
  }

  /** Raw samples with ts in [from - 1 h, to] (the extra hour supplies the sample before `from`). */
  raw(id: number, from: number, to: number): { ts: number[]; vals: number[] } {
    const ts: number[] = [];
    const vals: number[] = [];
    const lo = Math.floor(from / RES_1H) * RES_1H - RES_1H;
    for (const data of this.st.chunks!.all(id, lo, to) as Uint8Array[]) {
      const c = decodeChunk(data);
      for (let i = 0; i < c.ts.length; i++) {
        if (c.ts[i]! > to) break;
        ts.push(c.ts[i]!);
        vals.push(c.values[i]!);
      }
    }
    const st = this.writer.state(id);
    if (st?.open && st.hour <= to) {
      const open = st.open.decode();
      for (let i = 0; i < open.ts.length; i++) {
        const t = open.ts[i]!;
        if (t > to) break;
        if (t >= lo) {
          ts.push(t);
          vals.push(open.vals[i]!);
        }
      }
    }
    return { ts, vals };
  }

  /** Stored rollup buckets at `res` with bucket start in [from, to], plus the open hour computed from raw. */
  rollup(id: number, res: number, from: number, to: number): Buckets {
    const counter = this.writer.series.get(id)?.type === 'counter';
    let out = emptyBuckets(counter);
    const rowSpan = DAY;
    const stmt = res === RES_5M ? this.st.r5m! : this.st.r1h!;
    for (const data of stmt.all(id, Math.floor(from / rowSpan) * rowSpan, to) as Uint8Array[]) {
      concatBuckets(out, decodeBlock(data));
    }
    const st = this.writer.state(id);
    // The open hour's first interval may credit the hour before it, so it matters up to an hour before.
    if (st?.open && st.hour - (counter ? MAX_SPLIT_MS : 0) <= to) {
      const open = st.open.decode();
      const scale = counter ? -1 : decimalScale(open.vals);
      const b = computeBuckets(open.ts, open.vals, counter, res, st.prev, scale);
      // A counter's first open interval may credit the last stored hour: add, not append.
      if (counter) out = combineCounterBuckets(out, b);
      else concatBuckets(out, b);
    }
    return sliceBuckets(out, from, to);
  }

  private pickResolution(step: number, from: number): Res {
    const now = this.now();
    const rawOk = from >= now - this.retention.rawMs;
    const r5Ok = from >= now - this.retention.rollup5mMs;
    if (step >= RES_1H) return '1h';
    if (step >= RES_5M) return r5Ok ? '5m' : '1h';
    return rawOk ? 'raw' : r5Ok ? '5m' : '1h';
  }

  range(id: number, from: number, to: number, maxPoints: number, rate: boolean): RangeResult {
    const info = this.writer.series.get(id);
    const span = Math.max(1, to - from);
    const step0 = Math.max(1, Math.ceil(span / Math.max(1, Math.floor(maxPoints) - 1)));
    const resolution = this.pickResolution(step0, from);
    if (!info || !(to >= from)) return { stepMs: step0, resolution, ts: [], min: [], mean: [], max: [] };
    const counter = info.type === 'counter';
    if (resolution === 'raw') {
      const { ts, vals } = this.raw(id, from, to);
      const b = computeBuckets(ts, vals, counter, step0, null, -1, from, to + 1, rate);
      return toRange(b, counter, rate, step0, 'raw');
    }
    const res = resolution === '5m' ? RES_5M : RES_1H;
    const step = Math.ceil(step0 / res) * res;
    const b = this.rollup(id, res, Math.floor(from / res) * res, to);
    return toRange(mergeBuckets(b, counter, step), counter, rate, step, resolution);
  }

  /**
   * Nearest-rank percentile of the 5-minute average rates of buckets starting in [from, to), of one series
   * or of several that follow each other in time (one port across an ifAlias change).
   */
  percentileRate(ids: number | readonly number[], from: number, to: number, p: number): number | null {
    const found: number[] = [];
    for (const id of typeof ids === 'number' ? [ids] : ids) {
      if (this.writer.series.get(id)?.type !== 'counter' || !(to > from)) continue;
      const b = this.rollup(id, RES_5M, from, to - 1);
      const inc = b.cols[C_INC]!;
      const dt = b.cols[C_DT]!;
      for (let i = 0; i < b.ts.length; i++) if (dt[i]! > 0) found.push((inc[i]! / dt[i]!) * 1000);
    }
    if (found.length === 0) return null;
    const rates = Float64Array.from(found).sort();
    const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * rates.length);
    return rates[Math.min(rates.length - 1, Math.max(0, rank - 1))]!;
  }

  /**
   * Increase over (from, to]: each interval's share of the window, proportional to time (the counter's
   * value at `to` minus its value at `from`, interpolated between samples); a reset interval adds nothing. Older than raw retention: summed from 5 m (or 1 h) buckets.
   */
  increase(id: number, from: number, to: number): number {
    if (!(to > from) || !this.writer.series.has(id)) return 0;
    const now = this.now();
    if (from >= now - this.retention.rawMs) {
      // Samples up to an hour past `to`: the interval straddling `to` contributes its share before it.
      const { ts, vals } = this.raw(id, from, to + MAX_SPLIT_MS);
      return increaseBetween(ts, vals, from, to);
    }
    const res = from >= now - this.retention.rollup5mMs ? RES_5M : RES_1H;
    const b = this.rollup(id, res, from, to - 1);
    let sum = 0;
    for (const v of b.cols[C_INC] ?? []) sum += v;
    return sum;
  }

  latest(id: number): { ts: number; value: number } | null {
    const st = this.writer.state(id);
    if (!st) return null;
    if (st.open) return { ts: st.open.lastTs, value: st.open.lastValue };
    return st.prev ? { ...st.prev } : null;
  }
}
