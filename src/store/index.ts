/** The SQLite time-series store: `openStore(path)` gives a `Store` (see types.ts). */
import fs from 'node:fs';
import cron, { type ScheduledTask } from 'node-cron';
import type { Sample } from '../types.js';
import type { RangeResult, SeriesInfo, Store, StoreStats } from './types.js';
import { openConnections, type Connections } from './schema.js';
import { Writer } from './writer.js';
import { Queries, type Retention } from './queries.js';
import { applyRetention, type RetentionResult } from './jobs.js';
import { DbGuard } from '../db-guard.js';

interface StoreLogger {
  /** Optional: routine events (a job done every minute) go here. */
  debug?(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface StoreOptions {
  retention?: Partial<Retention>;
  /** Queue length that triggers a commit (default 5000). */
  batchSize?: number;
  /** Longest a queued sample waits for its commit (default 1000 ms). */
  flushIntervalMs?: number;
  log?: StoreLogger;
  /** Run the maintenance jobs on node-cron schedules (default true). */
  jobs?: boolean;
  /** Clock for retention and idle-chunk closing (tests and benchmarks use a synthetic one). */
  now?: () => number;
  /** 'NORMAL' (default, see schema.ts) or 'FULL'. */
  synchronous?: 'NORMAL' | 'FULL';
  /** An open hour with no sample for this long after its end is closed anyway (default 10 min). */
  idleCloseMs?: number;
  /**
   * While commits fail (disk full, database locked, read-only file) samples wait in memory, at most this
   * many (default 100,000: ~15 min of the reference network); beyond it the oldest are dropped and counted.
   */
  maxQueue?: number;
  /** Longest wait between two commit attempts while commits fail (default 10 s; the first retry is after flushIntervalMs). */
  retryMaxMs?: number;
  /** The daemon's error boundary for background writes (counts and logs failures); default: one of its own logging to `log`. */
  guard?: DbGuard;
}

const DEFAULT_RETENTION: Retention = {
  rawMs: 35 * 86_400_000,
  rollup5mMs: 400 * 86_400_000,
  rollup1hMs: 5 * 365 * 86_400_000,
};

/** Everything in `Store`, plus maintenance hooks for the daemon, tests and benchmarks. */
export interface TimeSeriesStore extends Store {
  /** Close idle open chunks (writing their rollups) and trim the head log. */
  maintain(now?: number): void;
  /** Drop data past retention and give pages back (incremental vacuum). */
  retention(now?: number): RetentionResult;
  startJobs(): void;
  stopJobs(): void;
  /** Samples waiting for a commit. */
  readonly pending: number;
}

class SqliteStore implements TimeSeriesStore {
  private readonly conns: Connections;
  private readonly writer: Writer;
  private readonly queries: Queries;
  private queue: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private tasks: ScheduledTask[] = [];
  private closed = false;
  private readonly retentionCfg: Retention;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly now: () => number;
  private readonly maxQueue: number;
  private readonly retryMaxMs: number;
  /**
   * Write-failure state: errors, drops, the retry delay, and whether commits are failing. A failed commit
   * leaves memory as it was (the writer undoes its changes), so a retry is just the commit again.
   */
  private writeErrors = 0;
  private dropped = 0;
  private retryMs = 0;
  private failing = false;
  private readonly guard: DbGuard;

  constructor(
    private readonly path: string,
    private readonly opts: StoreOptions,
  ) {
    this.retentionCfg = { ...DEFAULT_RETENTION, ...opts.retention };
    this.batchSize = opts.batchSize ?? 5000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 1000;
    this.now = opts.now ?? Date.now;
    this.maxQueue = Math.max(1, opts.maxQueue ?? 100_000);
    this.retryMaxMs = opts.retryMaxMs ?? 10_000;
    const log = opts.log;
    this.guard = opts.guard ?? new DbGuard({ log: (level, msg, extra) => log?.[level](extra, msg) });
    this.guard.configure('store', {
      initialBackoffMs: this.flushIntervalMs,
      maxBackoffMs: this.retryMaxMs,
      note: `samples are kept in memory (at most ${this.maxQueue}) and the write is retried`,
    });
    try {
      this.conns = openConnections(path, opts.synchronous);
    } catch (e) {
      throw new Error(`store: cannot open the database ${path}: ${(e as Error).message} (check that the file and its directory exist and are writable, and that the disk is not full)`, { cause: e });
    }
    try {
      this.writer = new Writer(this.conns.writer);
      this.queries = new Queries(this.conns.reader, this.writer, this.retentionCfg, this.now);
    } catch (e) {
      this.closeDbs();
      throw e;
    }
    const ic = this.conns.writer.pragma('quick_check', { simple: true });
    if (ic !== 'ok') opts.log?.error({ quickCheck: ic }, 'store: quick_check failed');
    if (opts.jobs ?? true) this.startJobs();
  }

  get pending(): number {
    return this.queue.length;
  }

  write(samples: readonly Sample[]): void {
    if (this.closed) return;
    for (const s of samples) this.queue.push(s);
    // While commits fail, the retry timer (with its backoff) decides when to try again.
    if (this.queue.length >= this.batchSize && !this.failing) this.safeFlush();
    else {
      this.bound();
      this.arm(this.failing ? this.retryMs : this.flushIntervalMs);
    }
  }

  private arm(ms: number): void {
    if (this.timer || this.queue.length === 0 || this.closed) return;
    this.timer = setTimeout(() => this.safeFlush(), ms);
    this.timer.unref();
  }

  /** Keep the queue within maxQueue: drop the oldest samples, counted. */
  private bound(): void {
    const over = this.queue.length - this.maxQueue;
    if (over > 0) {
      this.queue.splice(0, over);
      this.dropped += over;
    }
  }

  private safeFlush(): void {
    try {
      this.flush();
    } catch {
      /* counted and logged by flush(); retried by the timer it armed */
    }
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.closed) return;
    while (this.queue.length > 0) {
      // While commits fail, a retry tries one batch: failing again costs one batch's work, not the backlog's.
      const n = this.failing ? Math.min(this.batchSize, this.queue.length) : this.queue.length;
      try {
        this.writer.commit(n === this.queue.length ? this.queue : this.queue.slice(0, n));
      } catch (e) {
        // Nothing of the batch is on disk nor in memory: it stays queued, oldest first, within the bound.
        this.bound();
        this.failed(e, 'commit');
        this.arm(this.retryMs);
        throw e;
      }
      if (n === this.queue.length) this.queue = [];
      else this.queue.splice(0, n);
      if (this.failing) {
        this.failing = false;
        this.retryMs = 0;
        this.guard.succeeded('store', 'commit');
      }
    }
  }

  /** A write failed: count it (store stats and the guard's families), log once per episode, back off. */
  private failed(e: unknown, op: string): void {
    this.writeErrors++;
    this.failing = true;
    this.retryMs = this.guard.failed('store', op, e, { queued: this.queue.length, samplesDropped: this.dropped, path: this.path });
  }

  findSeries(metric: string, match?: Record<string, string>): SeriesInfo[] {
    const list = this.writer.byMetric.get(metric) ?? [];
    const pairs = Object.entries(match ?? {});
    return list
      .filter((s) => pairs.every(([k, v]) => s.labels[k] === v))
      .map((s) => ({ ...s, labels: { ...s.labels } }));
  }

  range(seriesId: number, fromMs: number, toMs: number, maxPoints: number): RangeResult {
    return this.queries.range(seriesId, fromMs, toMs, maxPoints, false);
  }

  rateRange(seriesId: number, fromMs: number, toMs: number, maxPoints: number): RangeResult {
    return this.queries.range(seriesId, fromMs, toMs, maxPoints, true);
  }

  percentileRate(seriesId: number | readonly number[], fromMs: number, toMs: number, percentile: number): number | null {
    return this.queries.percentileRate(seriesId, fromMs, toMs, percentile);
  }

  increase(seriesId: number, fromMs: number, toMs: number): number {
    return this.queries.increase(seriesId, fromMs, toMs);
  }

  samples(seriesId: number, fromMs: number, toMs: number): { ts: number[]; values: number[] } | null {
    if (fromMs < this.now() - this.retentionCfg.rawMs) return null;
    const r = this.queries.raw(seriesId, fromMs, toMs);
    // raw() reads from the hour before `from`: keep one sample before it, as documented.
    let i = 0;
    while (i + 1 < r.ts.length && r.ts[i + 1]! < fromMs) i++;
    return i === 0 ? { ts: r.ts, values: r.vals } : { ts: r.ts.slice(i), values: r.vals.slice(i) };
  }

  latest(seriesId: number): { ts: number; value: number } | null {
    return this.queries.latest(seriesId);
  }

  stats(): StoreStats {
    let fileBytes = 0;
    for (const f of [this.path, this.path + '-wal']) {
      try {
        fileBytes += fs.statSync(f).size;
      } catch {
        /* absent (e.g. :memory: or no WAL yet) */
      }
    }
    const c = this.writer.counters;
    return {
      fileBytes,
      series: this.writer.series.size,
      samplesWritten: c.samplesWritten,
      samplesRejected: { ...c.samplesRejected },
      lastCommitSeconds: c.lastCommitSeconds,
      writeErrors: this.writeErrors,
      samplesDropped: this.dropped,
      pending: this.queue.length,
    };
  }

  maintain(now = this.now()): void {
    this.flush();
    try {
      this.writer.closeIdle(now, this.opts.idleCloseMs ?? 600_000);
    } catch (e) {
      this.failed(e, 'fold');
      throw e;
    }
    this.guard.succeeded('store', 'fold');
  }

  retention(now = this.now()): RetentionResult {
    try {
      const r = applyRetention(this.conns.writer, this.retentionCfg, now);
      this.guard.succeeded('store', 'retention');
      return r;
    } catch (e) {
      this.guard.failed('store', 'retention', e);
      throw e;
    }
  }

  startJobs(): void {
    if (this.tasks.length > 0 || this.closed) return;
    const job = (name: string, fn: () => void) => () => {
      try {
        const t0 = performance.now();
        fn();
        // Every minute: debug, or it is 1,440 lines a day that say nothing.
        this.opts.log?.debug?.({ job: name, ms: Math.round(performance.now() - t0) }, 'store: job done');
      } catch {
        /* counted and logged (once per episode) by the guard where it failed; the job runs again on schedule */
      }
    };
    // Every minute: fold idle hours (chunks + rollups). Hourly: retention and incremental vacuum.
    this.tasks.push(cron.schedule('* * * * *', job('fold', () => this.maintain()), { noOverlap: true }));
    this.tasks.push(cron.schedule('17 * * * *', job('retention', () => this.retention()), { noOverlap: true }));
  }

  stopJobs(): void {
    for (const t of this.tasks) void t.destroy();
    this.tasks = [];
  }

  /** Commit what is queued and close. Never throws: samples that cannot be written (disk still full) are logged and counted as dropped. */
  close(): void {
    if (this.closed) return;
    this.stopJobs();
    this.safeFlush();
    if (this.queue.length > 0) {
      this.dropped += this.queue.length;
      this.opts.log?.error({ lost: this.queue.length, path: this.path }, `store: ${this.queue.length} samples could not be written before shutdown; lost (everything committed before is in the file)`);
      this.queue = [];
    }
    this.closed = true;
    this.closeDbs();
  }

  private closeDbs(): void {
    if (this.conns.reader !== this.conns.writer) this.conns.reader.close();
    try {
      this.conns.writer.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      /* best effort */
    }
    this.conns.writer.close();
  }
}

export function openStore(path: string, opts: StoreOptions = {}): TimeSeriesStore {
  return new SqliteStore(path, opts);
}
