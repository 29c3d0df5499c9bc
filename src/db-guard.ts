/**
 * The one error boundary for database writes made outside a request (alert state, history and
 * deliveries, pruning, the store's commits and jobs, the trap log). A failing write (disk full, database
 * locked by another process, read-only file) must degrade what is kept, never polling, /metrics or
 * /-/healthy: so a guarded write never throws, is logged once per episode (RepeatLog: a first line, a
 * summary every 5 min, one line when it is over), counted on /metrics (`netmon_db_write_errors_total`
 * {db, op, code}) and, for the queued kind, retried from a timer with exponential backoff. Nothing here
 * waits synchronously: the only time spent blocked is one attempt against the connection's short
 * busy timeout, once per retry, not once per write.
 *
 * Two ways in:
 * - `write()`: run now, or queue behind writes already waiting (order is kept: a history row never lands
 *   before the state change it follows). The queue is bounded; past it the oldest are dropped and counted
 *   (`netmon_db_writes_lost_total`). Consecutive writes with the same key replace each other (they are
 *   idempotent upserts of the same row, the newest wins).
 * - `attempt()` / `failed()` / `succeeded()`: for callers that keep their own pending data (the store's
 *   sample queue) or whose job simply runs again (retention): counted and logged the same way, no queue.
 */
import client from 'prom-client';
import { RepeatLog, type RepeatLogFn } from './repeat-log.js';

export interface ChannelOptions {
  /** First retry after this long (doubling per failure, with jitter). Default 500 ms. */
  initialBackoffMs?: number;
  /** Longest wait between two retries. Default 30 s. */
  maxBackoffMs?: number;
  /** Writes waiting at most; beyond, the oldest are dropped (counted). Default 10,000. */
  maxPending?: number;
  /** Appended to the first log line of an episode (what is kept meanwhile, what is retried). */
  note?: string;
}

export interface DbGuardOptions {
  log?: RepeatLogFn;
  now?: () => number;
  /** Jitter source (tests pin it). */
  random?: () => number;
  /** Log summaries of a continuing episode this often (RepeatLog's default: 5 min). */
  summaryMs?: number;
}

interface Pending {
  op: string;
  key: string | undefined;
  fn: () => void;
}

interface Channel {
  opts: Required<Omit<ChannelOptions, 'note'>> & { note: string };
  queue: Pending[];
  failures: number;
  timer: NodeJS.Timeout | null;
}

/**
 * SQLite result codes worth retrying: the condition goes away by itself (space freed, lock released).
 * Anything else (a constraint, a closed connection, a bug) would fail the same way forever: counted,
 * logged and given up, so one bad write cannot block every write queued behind it.
 */
const TRANSIENT = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|READONLY|CANTOPEN|PROTOCOL|NOLFS)/;

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'error';
}

export function isTransient(err: unknown): boolean {
  return TRANSIENT.test(errorCode(err));
}

export class DbGuard {
  private readonly channels = new Map<string, Channel>();
  private readonly repeat: RepeatLog;
  private readonly random: () => number;
  private readonly counts = { errors: new Map<string, number>(), lost: new Map<string, number>() };
  private errorsMetric: client.Counter<'db' | 'op' | 'code'> | undefined;
  private lostMetric: client.Counter<'db' | 'op'> | undefined;
  private closed = false;

  constructor(private readonly opts: DbGuardOptions = {}) {
    this.random = opts.random ?? Math.random;
    this.repeat = new RepeatLog(opts.log ?? (() => undefined), opts.summaryMs, opts.now);
  }

  /** Set a database's backoff, bound and log note (before its first write; later calls change it too). */
  configure(db: string, o: ChannelOptions): void {
    const ch = this.channel(db);
    ch.opts = { ...ch.opts, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  }

  /** The families on /metrics (the daemon's registry; one guard per registry). */
  register(registry: client.Registry): void {
    const r = [registry];
    this.errorsMetric = new client.Counter({
      name: 'netmon_db_write_errors_total',
      help: 'Database writes outside a request that failed (disk full, locked, read-only), by database, operation and SQLite code. Alert writes and store samples wait and are retried with backoff; trap rows are counted as lost.',
      labelNames: ['db', 'op', 'code'],
      registers: r,
    });
    this.lostMetric = new client.Counter({
      name: 'netmon_db_writes_lost_total',
      help: 'Database writes given up: the pending queue overflowed, the error was not transient, or netmon stopped before the database took them.',
      labelNames: ['db', 'op'],
      registers: r,
    });
    const channels = this.channels;
    new client.Gauge({
      name: 'netmon_db_writes_pending',
      help: 'Database writes waiting for a retry, by database.',
      labelNames: ['db'],
      registers: r,
      collect() {
        for (const [db, ch] of channels) this.set({ db }, ch.queue.length);
      },
    });
    // What happened before the registry existed (the store opens before the exporter).
    for (const [k, n] of this.counts.errors) this.errorsMetric.inc(JSON.parse(k) as Record<'db' | 'op' | 'code', string>, n);
    for (const [k, n] of this.counts.lost) this.lostMetric.inc(JSON.parse(k) as Record<'db' | 'op', string>, n);
  }

  /** Writes waiting for `db`. */
  pending(db: string): number {
    return this.channels.get(db)?.queue.length ?? 0;
  }

  /**
   * Run `fn` now, or queue it behind the writes already waiting for `db`. True when it was done now.
   * `key` marks an idempotent write of one row: a queued write with the same key right before it is replaced.
   */
  write(db: string, op: string, fn: () => void, key?: string): boolean {
    const ch = this.channel(db);
    if (ch.queue.length > 0) {
      this.enqueue(db, ch, { op, key, fn });
      return false;
    }
    try {
      fn();
      return true;
    } catch (err) {
      if (!this.failure(db, op, err, db)) {
        this.lost(db, op, 1);
        return false;
      }
      this.enqueue(db, ch, { op, key, fn });
      this.schedule(db, ch);
      return false;
    }
  }

  /** Run `fn` once; a failure is counted and logged (per db and op episode), never thrown. True on success. */
  attempt(db: string, op: string, fn: () => void): boolean {
    try {
      fn();
    } catch (err) {
      this.failed(db, op, err);
      return false;
    }
    this.succeeded(db, op);
    return true;
  }

  /** A write the caller keeps and retries itself failed: count, log once per episode, and say when to retry (ms). */
  failed(db: string, op: string, err: unknown, extra: Record<string, unknown> = {}): number {
    const ch = this.channel(db);
    this.failure(db, op, err, `${db}/${op}`, extra);
    const delay = this.backoff(ch);
    ch.failures++;
    return delay;
  }

  /** The caller's write of `op` succeeded: the episode (if any) is over. */
  succeeded(db: string, op: string): void {
    const ch = this.channels.get(db);
    if (ch && ch.queue.length === 0) ch.failures = 0;
    this.repeat.clear(`${db}/${op}`, `${db} database: ${op}: writes succeed again`, { db, op });
  }

  /** Writes given up by their owner (e.g. samples a full queue dropped): counted under netmon_db_writes_lost_total. */
  lost(db: string, op: string, n: number): void {
    if (n <= 0) return;
    const k = JSON.stringify({ db, op });
    this.counts.lost.set(k, (this.counts.lost.get(k) ?? 0) + n);
    this.lostMetric?.inc({ db, op }, n);
  }

  /**
   * Shutdown: try what waits for `db` once more, now; what still fails is counted as lost and logged with
   * its count. Returns how many writes were lost. The channel stays usable (tests reopen).
   */
  drain(db: string): number {
    const ch = this.channels.get(db);
    if (!ch) return 0;
    if (ch.timer) clearTimeout(ch.timer);
    ch.timer = null;
    this.retry(db, ch, false);
    const left = ch.queue.splice(0);
    if (left.length === 0) return 0;
    const byOp = new Map<string, number>();
    for (const p of left) byOp.set(p.op, (byOp.get(p.op) ?? 0) + 1);
    for (const [op, n] of byOp) this.lost(db, op, n);
    this.opts.log?.('error', `${db} database: ${left.length} pending writes could not be made before shutdown; lost`, { db, lost: Object.fromEntries(byOp) });
    return left.length;
  }

  /** No more retries (timers cleared); writes still pending stay (see drain()). */
  close(): void {
    this.closed = true;
    for (const ch of this.channels.values()) {
      if (ch.timer) clearTimeout(ch.timer);
      ch.timer = null;
    }
  }

  private channel(db: string): Channel {
    let ch = this.channels.get(db);
    if (!ch) {
      ch = { opts: { initialBackoffMs: 500, maxBackoffMs: 30_000, maxPending: 10_000, note: '' }, queue: [], failures: 0, timer: null };
      this.channels.set(db, ch);
    }
    return ch;
  }

  /** Count and log a failure; false when it is not worth retrying. */
  private failure(db: string, op: string, err: unknown, episode: string, extra: Record<string, unknown> = { pending: this.pending(db) }): boolean {
    const code = errorCode(err);
    const k = JSON.stringify({ db, op, code });
    this.counts.errors.set(k, (this.counts.errors.get(k) ?? 0) + 1);
    this.errorsMetric?.inc({ db, op, code });
    const transient = isTransient(err);
    const message = (err as Error)?.message ?? String(err);
    const ch = this.channel(db);
    if (!transient) {
      this.opts.log?.('error', `${db} database: ${op} failed (${code}); not retried`, { db, op, code, err: message });
      return false;
    }
    const note = ch.opts.note ? `; ${ch.opts.note}` : '; retried with backoff';
    this.repeat.occur(episode, 'error', `${db} database: ${op} failed (${code})${note}`, { db, op, code, err: message, ...extra });
    return true;
  }

  private backoff(ch: Channel): number {
    const { initialBackoffMs: lo, maxBackoffMs: hi } = ch.opts;
    const base = Math.min(hi, lo * 2 ** Math.min(ch.failures, 30));
    // Jitter in [base/2, base]: two databases failing together do not retry in lockstep.
    return Math.max(1, Math.round(base * (0.5 + this.random() * 0.5)));
  }

  private enqueue(db: string, ch: Channel, p: Pending): void {
    const tail = ch.queue[ch.queue.length - 1];
    if (p.key !== undefined && tail?.key === p.key) {
      ch.queue[ch.queue.length - 1] = p;
      return;
    }
    ch.queue.push(p);
    const over = ch.queue.length - ch.opts.maxPending;
    if (over > 0) for (const d of ch.queue.splice(0, over)) this.lost(db, d.op, 1);
  }

  private schedule(db: string, ch: Channel): void {
    if (ch.timer || this.closed) return;
    const delay = this.backoff(ch);
    ch.failures++;
    ch.timer = setTimeout(() => {
      ch.timer = null;
      this.retry(db, ch, true);
    }, delay);
    ch.timer.unref();
  }

  /** Replay the queue in order until a write fails (then back off again) or it is empty (episode over). */
  private retry(db: string, ch: Channel, reschedule: boolean): void {
    while (ch.queue.length > 0) {
      const p = ch.queue[0]!;
      try {
        p.fn();
      } catch (err) {
        if (this.failure(db, p.op, err, db)) {
          if (reschedule) this.schedule(db, ch);
          return;
        }
        this.lost(db, p.op, 1);
      }
      ch.queue.shift();
    }
    ch.failures = 0;
    this.repeat.clear(db, `${db} database: writes succeed again; the pending ones are written`, { db });
  }
}
