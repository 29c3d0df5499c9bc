/**
 * Ingestion: series interning, the open chunk of each series (in memory, made durable by head_log),
 * folding closed hours into compressed chunks and rollups, all inside the batch's transaction.
 */
import type { Statement } from 'better-sqlite3';
import type { MetricType, Sample } from '../types.js';
import type { SeriesInfo } from './types.js';
import type { DB } from './schema.js';
import { ByteReader, ByteWriter, decodeBlock, decodeChunk, encodeBlock, encodeChunk } from './codec.js';
import { OpenChunk, type ChunkMark } from './open-chunk.js';
import { hash53 } from '../hash.js';
import { combineCounterBuckets, computeBuckets, concatBuckets, DAY, decimalScale, emptyBuckets, mergeBuckets, RES_1H, RES_5M, sliceBuckets, type Buckets } from './rollups.js';

const CHUNK_MS = RES_1H;

export interface SeriesState {
  id: number;
  counter: boolean;
  /** Start of the open chunk's hour, NaN when there is none. */
  hour: number;
  /** The open hour's samples, null when there are none. */
  open: OpenChunk | null;
  /** head_log seq holding the oldest sample of the open chunk. */
  openSeq: number;
  /** Hours before this are closed (chunked): later samples for them are rejected. */
  closedUntil: number;
  /** Last sample of the newest closed chunk (for the first counter interval of the next one). */
  prev: { ts: number; value: number } | null;
}

export type Reject = 'out_of_order' | 'duplicate' | 'invalid';

/**
 * What a write transaction changed in memory, to take back if SQLite rolls it back (disk full, database
 * locked): a series' fields and open-chunk position as they were before its first change, the series the
 * transaction created, the metadata it changed. Undoing this is exact and costs nothing of the head log
 * (re-reading it to rebuild memory took 0.65 s per retry on the event loop, growing with the hour).
 */
interface Undo {
  states: Map<SeriesState, { hour: number; open: OpenChunk | null; mark: ChunkMark | null; openSeq: number; closedUntil: number; prev: SeriesState['prev'] }>;
  created: { info: SeriesInfo; canon: string }[];
  meta: { info: SeriesInfo; unit: string; help: string }[];
  nextSeq: number;
  chunksClosed: number;
}

export interface WriterCounters {
  samplesWritten: number;
  samplesRejected: Record<string, number>;
  lastCommitSeconds: number;
}

export class Writer {
  readonly series = new Map<number, SeriesInfo>();
  readonly byMetric = new Map<string, SeriesInfo[]>();
  readonly states = new Map<number, SeriesState>();
  readonly counters: WriterCounters = {
    samplesWritten: 0,
    samplesRejected: { out_of_order: 0, duplicate: 0, invalid: 0 },
    lastCommitSeconds: 0,
  };
  /** Probes that reuse their label objects skip key building entirely (labels are treated as immutable). */
  private labelCache = new WeakMap<object, { metric: string; id: number }>();
  /**
   * Series ids by the hash of their canonical key (metric + sorted labels JSON), several on a collision:
   * a number per series instead of the ~250-character key (checked against the series on every lookup).
   */
  private readonly canonKeys = new Map<number, number | number[]>();
  private nextSeq = 1;
  private readonly st: Record<string, Statement>;

  constructor(private readonly db: DB) {
    this.st = {
      insertSeries: db.prepare('INSERT INTO series (metric, labels, type, unit, help) VALUES (?, ?, ?, ?, ?)'),
      updateMeta: db.prepare('UPDATE series SET unit = ?, help = ? WHERE id = ?'),
      insertLog: db.prepare('INSERT INTO head_log (seq, data) VALUES (?, ?)'),
      truncateLog: db.prepare('DELETE FROM head_log WHERE seq < ?'),
      insertChunk: db.prepare('INSERT OR REPLACE INTO chunks (series_id, start_ts, end_ts, data) VALUES (?, ?, ?, ?)'),
      lastChunk: db.prepare('SELECT start_ts, data FROM chunks WHERE series_id = ? ORDER BY start_ts DESC LIMIT 1'),
      get5m: db.prepare('SELECT data FROM rollup_5m WHERE series_id = ? AND start_ts = ?'),
      put5m: db.prepare('INSERT OR REPLACE INTO rollup_5m (series_id, start_ts, data) VALUES (?, ?, ?)'),
      get1h: db.prepare('SELECT data FROM rollup_1h WHERE series_id = ? AND start_ts = ?'),
      put1h: db.prepare('INSERT OR REPLACE INTO rollup_1h (series_id, start_ts, data) VALUES (?, ?, ?)'),
    };
    this.load();
  }

  private load(): void {
    for (const row of this.db.prepare('SELECT id, metric, labels, type, unit, help FROM series').all() as {
      id: number; metric: string; labels: string; type: MetricType; unit: string; help: string;
    }[]) {
      const info: SeriesInfo = { id: row.id, metric: row.metric, labels: JSON.parse(row.labels) as Record<string, string>, type: row.type, unit: row.unit, help: row.help };
      this.addSeries(info, canonKey(row.metric, row.labels));
    }
    this.replay();
  }

  private addSeries(info: SeriesInfo, canon: string): void {
    this.series.set(info.id, info);
    const h = hash53(canon);
    const had = this.canonKeys.get(h);
    this.canonKeys.set(h, had === undefined ? info.id : [...(typeof had === 'number' ? [had] : had), info.id]);
    let list = this.byMetric.get(info.metric);
    if (!list) this.byMetric.set(info.metric, (list = []));
    list.push(info);
  }

  /** Undo addSeries' key entry: remove this id from its hash's candidates. */
  private dropCanon(canon: string, id: number): void {
    const h = hash53(canon);
    const had = this.canonKeys.get(h);
    const rest = had === undefined ? [] : (typeof had === 'number' ? [had] : had).filter((x) => x !== id);
    if (rest.length === 0) this.canonKeys.delete(h);
    else this.canonKeys.set(h, rest.length === 1 ? rest[0]! : rest);
  }

  /** Series id for a sample; creates the series (inside the caller's transaction) if new. */
  private intern(s: Sample): number {
    const hit = this.labelCache.get(s.labels);
    if (hit !== undefined && hit.metric === s.metric) return hit.id;
    const id = this.internSlow(s);
    this.labelCache.set(s.labels, { metric: s.metric, id });
    return id;
  }

  private internSlow(s: Sample): number {
    // One canonical key per series (sorted labels as JSON), no second "unsorted" key map: sorting a
    // handful of labels costs microseconds per sample whose label object is new, while a second map of
    // keys cost ~3 MB (300 bytes per series: Vietnamese site names are two-byte strings).
    const sorted: Record<string, string> = {};
    for (const k of Object.keys(s.labels).sort()) sorted[k] = String(s.labels[k]);
    const labelsJson = JSON.stringify(sorted);
    const canon = canonKey(s.metric, labelsJson);
    let id = this.lookup(canon, s.metric, labelsJson);
    if (id === undefined) {
      const r = this.st.insertSeries!.run(s.metric, labelsJson, s.type, s.unit ?? '', s.help ?? '');
      id = Number(r.lastInsertRowid);
      const info: SeriesInfo = { id, metric: s.metric, labels: sorted, type: s.type, unit: s.unit ?? '', help: s.help ?? '' };
      this.addSeries(info, canon);
      this.undo?.created.push({ info, canon });
    } else {
      const info = this.series.get(id)!;
      if ((s.unit && s.unit !== info.unit) || (s.help && s.help !== info.help)) {
        this.undo?.meta.push({ info, unit: info.unit, help: info.help });
        info.unit = s.unit || info.unit;
        info.help = s.help || info.help;
        this.st.updateMeta!.run(info.unit, info.help, id);
      }
    }
    return id;
  }

  /** The id of the series with this canonical key, if any: the hash's candidates, checked for real. */
  private lookup(canon: string, metric: string, labelsJson: string): number | undefined {
    const hit = this.canonKeys.get(hash53(canon));
    if (hit === undefined) return undefined;
    for (const id of typeof hit === 'number' ? [hit] : hit) {
      const info = this.series.get(id);
      if (info && info.metric === metric && JSON.stringify(info.labels) === labelsJson) return id;
    }
    return undefined;
  }

  /** In-memory state of a series, loading the tail of its newest chunk on first use. */
  state(id: number): SeriesState | undefined {
    let st = this.states.get(id);
    if (st) return st;
    const info = this.series.get(id);
    if (!info) return undefined;
    st = { id, counter: info.type === 'counter', hour: NaN, open: null, openSeq: 0, closedUntil: -Infinity, prev: null };
    const row = this.st.lastChunk!.get(id) as { start_ts: number; data: Uint8Array } | undefined;
    if (row) {
      const c = decodeChunk(row.data);
      st.closedUntil = row.start_ts + CHUNK_MS;
      const n = c.ts.length;
      if (n > 0) st.prev = { ts: c.ts[n - 1]!, value: c.values[n - 1]! };
    }
    this.states.set(id, st);
    return st;
  }

  /** Add one sample to its series' open chunk, closing the previous hour if this one starts a new hour. */
  private ingest(st: SeriesState, t: number, v: number, seq: number): Reject | null {
    if (t < st.closedUntil) return 'out_of_order';
    this.touch(st);
    const hour = Math.floor(t / CHUNK_MS) * CHUNK_MS;
    if (hour !== st.hour) {
      if (st.open) {
        if (hour < st.hour) return 'out_of_order';
        this.closeChunk(st);
      }
      st.hour = hour;
      st.openSeq = seq;
    }
    // Late but inside the open hour is still fine: the open chunk merges it in order.
    return (st.open ??= new OpenChunk()).add(t, v) ? null : 'duplicate';
  }

  private chunksClosed = 0;
  private undo: Undo | null = null;

  /** Remember a series' state before the running transaction first changes it. */
  private touch(st: SeriesState): void {
    const u = this.undo;
    if (!u || u.states.has(st)) return;
    u.states.set(st, { hour: st.hour, open: st.open, mark: st.open?.mark() ?? null, openSeq: st.openSeq, closedUntil: st.closedUntil, prev: st.prev });
  }

  /**
   * Run a write transaction; if it throws (SQLite rolled it back), put memory back as it was before it,
   * so the caller can keep the samples and simply try again later.
   */
  private transact(fn: () => void): void {
    this.undo = { states: new Map(), created: [], meta: [], nextSeq: this.nextSeq, chunksClosed: this.chunksClosed };
    try {
      this.db.transaction(fn)();
    } catch (e) {
      this.rollback(this.undo);
      throw e;
    } finally {
      this.undo = null;
    }
  }

  private rollback(u: Undo): void {
    for (const [st, b] of u.states) {
      st.hour = b.hour;
      st.open = b.open;
      if (b.open && b.mark) b.open.restore(b.mark);
      st.openSeq = b.openSeq;
      st.closedUntil = b.closedUntil;
      st.prev = b.prev;
    }
    for (const m of u.meta) Object.assign(m.info, { unit: m.unit, help: m.help });
    for (const { info, canon } of u.created) {
      // SQLite hands the rolled-back ids out again: nothing in memory may point at them.
      this.series.delete(info.id);
      this.states.delete(info.id);
      this.dropCanon(canon, info.id);
      const list = this.byMetric.get(info.metric);
      const i = list?.indexOf(info) ?? -1;
      if (i >= 0) list!.splice(i, 1);
      if (list?.length === 0) this.byMetric.delete(info.metric);
    }
    if (u.created.length > 0) this.labelCache = new WeakMap();
    this.nextSeq = u.nextSeq;
    this.chunksClosed = u.chunksClosed;
  }

  private loadDay(stmt: Statement, id: number, day: number, counter: boolean): Buckets {
    const row = stmt.get(id, day) as { data: Uint8Array } | undefined;
    return row ? decodeBlock(row.data) : emptyBuckets(counter);
  }

  /** Encode the open chunk, write it with its 5 m and 1 h rollups. Caller holds a transaction. */
  closeChunk(st: SeriesState): void {
    if (!st.open) return;
    const { ts, vals } = st.open.decode();
    const { hour, counter } = st;
    const n = ts.length;
    this.st.insertChunk!.run(st.id, hour, ts[n - 1]!, encodeChunk(ts, vals));
    const scale = counter ? -1 : decimalScale(vals);
    const b5 = computeBuckets(ts, vals, counter, RES_5M, st.prev, scale);
    const b1 = mergeBuckets(b5, counter, RES_1H, scale);
    this.writeRollups(st.id, counter, hour, b5, this.st.get5m!, this.st.put5m!);
    this.writeRollups(st.id, counter, hour, b1, this.st.get1h!, this.st.put1h!);
    st.prev = { ts: ts[n - 1]!, value: vals[n - 1]! };
    st.closedUntil = hour + CHUNK_MS;
    st.open = null;
    st.hour = NaN;
    this.chunksClosed++;
  }

  /**
   * Store the buckets of hour `hour` (read-modify-write of the day's row: not cached, 288 buckets x 6
   * columns x 6,000 series would be ~90 MB). A counter's first interval may straddle the hour's start:
   * its share before the hour is added to the buckets already stored for the hour before (at most an
   * hour back, see MAX_SPLIT_MS, so in this day's row or, at midnight, the previous day's).
   */
  private writeRollups(id: number, counter: boolean, hour: number, b: Buckets, get: Statement, put: Statement): void {
    const day = Math.floor(hour / DAY) * DAY;
    let rows = this.loadDay(get, id, day, counter);
    appendAfter(rows, sliceBuckets(b, hour, Infinity), hour);
    const early = sliceBuckets(b, -Infinity, hour - 1);
    if (early.ts.length > 0) {
      if (early.ts[0]! >= day) rows = combineCounterBuckets(rows, early);
      else {
        const prevRows = combineCounterBuckets(this.loadDay(get, id, day - DAY, counter), early);
        put.run(id, day - DAY, encodeBlock(prevRows.ts, prevRows.cols));
      }
    }
    put.run(id, day, encodeBlock(rows.ts, rows.cols));
  }

  /**
   * Commit a batch: one transaction holding the series it creates, one head_log row with its accepted
   * samples, and the chunks/rollups of any hour it closes. Returns the number accepted. If it throws,
   * nothing of it is on disk nor in memory (counters included): the same batch can be committed again.
   */
  commit(batch: readonly Sample[]): number {
    if (batch.length === 0) return 0;
    const t0 = performance.now();
    const seq = this.nextSeq;
    const rej = this.counters.samplesRejected;
    const rejBefore = { ...rej };
    const closedBefore = this.chunksClosed;
    let accepted = 0;
    try {
      this.transact(() => {
        const w = new ByteWriter(batch.length * 14 + 16);
        let prevTs = 0;
        for (const s of batch) {
          const t = validSample(s) ? Math.round(s.ts) : NaN;
          if (!Number.isFinite(t)) {
            rej.invalid = (rej.invalid ?? 0) + 1;
            continue;
          }
          const st = this.state(this.intern(s))!;
          const r = this.ingest(st, t, s.value, seq);
          if (r) {
            rej[r] = (rej[r] ?? 0) + 1;
            continue;
          }
          w.uvarint(st.id);
          w.svarint(t - prevTs);
          prevTs = t;
          w.f64(s.value);
          accepted++;
        }
        if (accepted > 0) {
          this.st.insertLog!.run(seq, w.finish());
          this.nextSeq++;
        }
        if (this.chunksClosed !== closedBefore) this.truncateLog();
      });
    } catch (e) {
      Object.assign(rej, rejBefore); // the batch is retried: its rejections would count twice
      throw e;
    }
    this.counters.samplesWritten += accepted;
    this.counters.lastCommitSeconds = (performance.now() - t0) / 1000;
    return accepted;
  }

  /** Drop head_log rows whose samples are all in chunks now. */
  private truncateLog(): void {
    let min = this.nextSeq;
    for (const st of this.states.values()) if (st.open && st.openSeq < min) min = st.openSeq;
    this.st.truncateLog!.run(min);
  }

  /** Close open chunks whose hour ended more than `graceMs` before `now` (series that stopped reporting). */
  closeIdle(now: number, graceMs: number): number {
    let closed = 0;
    this.transact(() => {
      for (const st of this.states.values()) {
        if (st.open && st.hour + CHUNK_MS + graceMs <= now) {
          this.touch(st);
          this.closeChunk(st);
          closed++;
        }
      }
      this.truncateLog();
    });
    return closed;
  }

  /** Rebuild the open chunks from head_log after a restart or crash. */
  private replay(): void {
    const rows = this.db.prepare('SELECT seq, data FROM head_log ORDER BY seq').all() as { seq: number; data: Uint8Array }[];
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const row of rows) {
        const r = new ByteReader(row.data);
        let t = 0;
        while (r.pos < row.data.length) {
          const id = r.uvarint();
          t += r.svarint();
          const v = r.f64();
          const st = this.state(id);
          if (st) this.ingest(st, t, v, row.seq); // already-folded samples are rejected here, silently
        }
        this.nextSeq = row.seq + 1;
      }
      this.truncateLog();
    })();
  }
}

/** Identity of a series, hashed into canonKeys. */
function canonKey(metric: string, labelsJson: string): string {
  return [metric, labelsJson].join('\0');
}

/** Append buckets of hour `hour` to a day's buckets, replacing any already there for that hour or later. */
function appendAfter(day: Buckets, add: Buckets, hour: number): void {
  while (day.ts.length > 0 && day.ts[day.ts.length - 1]! >= hour) {
    day.ts.pop();
    for (const c of day.cols) c.pop();
  }
  concatBuckets(day, add);
}

function validSample(s: Sample): boolean {
  return (
    s !== null &&
    typeof s === 'object' &&
    typeof s.metric === 'string' &&
    s.metric.length > 0 &&
    typeof s.labels === 'object' &&
    s.labels !== null &&
    (s.type === 'counter' || s.type === 'gauge') &&
    typeof s.value === 'number' &&
    Number.isFinite(s.value) &&
    typeof s.ts === 'number'
  );
}
