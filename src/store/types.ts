/** The contract between the time-series store and its users (pipeline, HTTP API, exporter, alerts). */
import type { MetricType, Sample } from '../types.js';

export interface SeriesInfo {
  id: number;
  metric: string;
  labels: Record<string, string>;
  type: MetricType;
  unit: string;
  help: string;
}

/**
 * A downsampled range: one bucket per `ts` (bucket start, ms). For gauges the values are the samples'
 * min/mean/max in the bucket; for rates they are the per-second rates' min/mean/max, so a short spike
 * survives downsampling. Buckets without data are absent (not zero).
 */
export interface RangeResult {
  stepMs: number;
  /** Which resolution answered: raw samples or a rollup. */
  resolution: 'raw' | '5m' | '1h';
  ts: number[];
  min: number[];
  mean: number[];
  max: number[];
}

export interface StoreStats {
  /** Size of the database files (main + WAL) in bytes. */
  fileBytes: number;
  series: number;
  /** Samples accepted since open. */
  samplesWritten: number;
  /** Samples rejected since open, by reason (`out_of_order`, `duplicate`, `invalid`). */
  samplesRejected: Record<string, number>;
  /** Duration of the last commit, seconds. */
  lastCommitSeconds: number;
  /** Commits (or maintenance writes) that failed since open: disk full, database locked, read-only file... */
  writeErrors: number;
  /** Samples thrown away because the in-memory queue was full while writes were failing (oldest first). */
  samplesDropped: number;
  /** Samples waiting in memory for a commit (grows while writes fail, up to the queue bound). */
  pending: number;
}

export interface Store {
  /** Queue samples; they are committed in batches (see `flush`). Never throws on a bad sample: it is counted. */
  write(samples: readonly Sample[]): void;
  /** Commit everything queued now. */
  flush(): void;
  /** Series of a metric whose labels include every pair of `match`. */
  findSeries(metric: string, match?: Record<string, string>): SeriesInfo[];
  /** Gauge values over [from, to] in at most `maxPoints` buckets, at the coarsest resolution that still fills them. */
  range(seriesId: number, fromMs: number, toMs: number, maxPoints: number): RangeResult;
  /** Per-second rate of a counter over [from, to]; wraps already unfolded by the probe, a decrease is a reset (no rate across it). */
  rateRange(seriesId: number, fromMs: number, toMs: number, maxPoints: number): RangeResult;
  /** 95th percentile of the counter's 5-minute average rates over [from, to] (the billing standard), of one series or several in sequence; null without data. */
  percentileRate(seriesId: number | readonly number[], fromMs: number, toMs: number, percentile: number): number | null;
  /** Total increase of a counter over [from, to] (e.g. bytes transferred), resets honoured. */
  increase(seriesId: number, fromMs: number, toMs: number): number;
  /**
   * Every stored sample with ts in [from, to] and the last before `from` (within the hour before), exactly
   * as written; null when `from` is past the raw retention (then only rollups hold the range).
   */
  samples(seriesId: number, fromMs: number, toMs: number): { ts: number[]; values: number[] } | null;
  /** The newest sample of a series, or null. */
  latest(seriesId: number): { ts: number; value: number } | null;
  stats(): StoreStats;
  close(): void;
}
