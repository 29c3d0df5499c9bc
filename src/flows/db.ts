/**
 * The flow store: per-minute top-N aggregates (aggregate.ts) in their own SQLite file beside the store's
 * (`flows.db` in the data directory), so flow writes never compete with the time-series writer.
 *
 * Compact by layout: key strings live once in a dictionary (flow_keys); a series (uplink, direction,
 * dimension) is an integer; each minute of a series is ONE row holding a packed block of (key id, bytes,
 * packets) entries (block.ts). Completed hours are rolled up into hourly blocks (top N of the hour + other,
 * so totals stay exact); per-minute blocks are kept for `minuteRetention`, hourly ones for the retention of
 * their dimension. Queries read hourly blocks for the whole hours of a range and minutes for its edges.
 * Per-host dimensions (src, dst, pair) have their own, shorter retention (privacy: flows.host_retention),
 * and so do their dictionary keys: a host address leaves the file, not just the rows.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { addBlock, encodeBlock, topWithOther, type Entries } from './block.js';
import { MINUTE, OTHER, type Dimension, type FlowRow } from './aggregate.js';
import type { Direction } from './attribute.js';

export const HOUR = 3600_000;
const HOST_DIMS: ReadonlySet<Dimension> = new Set(['src', 'dst', 'pair']);

// ts columns are minutes (flow_minute_blocks) and hours (flow_hour_blocks) since the epoch: 4-byte integers.
// `until` of a key is the end of the last hour a minute block used it, `kept` of the last hour block (ms), so
// pruning by them never orphans a row, and a key that never made an hour's top N leaves with its minutes.
const DDL = `
CREATE TABLE IF NOT EXISTS flow_keys (id INTEGER PRIMARY KEY, host INTEGER NOT NULL, key TEXT NOT NULL, until INTEGER NOT NULL, kept INTEGER NOT NULL DEFAULT 0, UNIQUE (host, key));
CREATE TABLE IF NOT EXISTS flow_series (id INTEGER PRIMARY KEY, uplink TEXT NOT NULL, direction TEXT NOT NULL, dim TEXT NOT NULL, UNIQUE (uplink, direction, dim));
CREATE TABLE IF NOT EXISTS flow_minute_blocks (series INTEGER NOT NULL, ts INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series, ts));
CREATE TABLE IF NOT EXISTS flow_hour_blocks (series INTEGER NOT NULL, ts INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series, ts));
`;

export interface TopQuery {
  uplink: string;
  direction: Direction;
  dim: Dimension;
  from: number;
  to: number;
  limit: number;
}

export interface TopAnswer {
  rows: Array<{ key: string; bytes: number; packets: number }>;
  totalBytes: number;
  totalPackets: number;
}

export interface Retention {
  /** Everything (hourly blocks of sites, services, apps). */
  retention: number;
  /** Per-host dimensions, minutes and hours. */
  hostRetention: number;
  /** Per-minute detail; older ranges are answered from hourly blocks. */
  minuteRetention: number;
}

interface Series {
  id: number;
  host: boolean;
}

/** The key cache is a memo of flow_keys, dropped whole past this size (a scan of spoofed sources). */
const KEY_CACHE_MAX = 200_000;

export class FlowDb {
  private readonly db: Database.Database;
  private readonly series = new Map<string, Series>();
  private readonly keys = new Map<string, { id: number; until: number }>();
  /** Hours whose minutes changed since their hourly block was built (the block was deleted): roll up again. */
  private readonly pending = new Set<number>();
  private readonly s: Record<string, Database.Statement>;
  private readonly writeTx: (rows: FlowRow[]) => void;

  constructor(
    path: string,
    private readonly topN = 100,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(DDL);
    const p = (sql: string) => this.db.prepare(sql);
    this.s = {
      seriesGet: p('SELECT id FROM flow_series WHERE uplink = ? AND direction = ? AND dim = ?'),
      seriesAdd: p('INSERT INTO flow_series (uplink, direction, dim) VALUES (?, ?, ?)'),
      seriesAll: p('SELECT id, dim FROM flow_series'),
      keyUpsert: p('INSERT INTO flow_keys (host, key, until) VALUES (?, ?, ?) ON CONFLICT (host, key) DO UPDATE SET until = max(until, excluded.until) RETURNING id, until'),
      keyName: p('SELECT key FROM flow_keys WHERE id = ?').pluck(),
      keyKept: p('UPDATE flow_keys SET kept = max(kept, ?) WHERE id = ?'),
      keyPrune: p('DELETE FROM flow_keys WHERE host = ? AND until < ? AND kept < ?'),
      minutePrune: p('DELETE FROM flow_minute_blocks WHERE series = ? AND ts < ?'),
      hourPrune: p('DELETE FROM flow_hour_blocks WHERE series = ? AND ts < ?'),
      minuteGet: p('SELECT data FROM flow_minute_blocks WHERE series = ? AND ts = ?'),
      minutePut: p('INSERT OR REPLACE INTO flow_minute_blocks (series, ts, data) VALUES (?, ?, ?)'),
      minuteRange: p('SELECT data FROM flow_minute_blocks WHERE series = ? AND ts >= ? AND ts < ?').raw(),
      minuteSeriesOfHour: p('SELECT DISTINCT series FROM flow_minute_blocks WHERE ts >= ? AND ts < ?').pluck(),
      hourDelete: p('DELETE FROM flow_hour_blocks WHERE series = ? AND ts = ?'),
      hourPut: p('INSERT OR REPLACE INTO flow_hour_blocks (series, ts, data) VALUES (?, ?, ?)'),
      hourRange: p('SELECT ts, data FROM flow_hour_blocks WHERE series = ? AND ts >= ? AND ts < ?').raw(),
      unrolled: p('SELECT DISTINCT m.ts / 60 FROM flow_minute_blocks m WHERE NOT EXISTS (SELECT 1 FROM flow_hour_blocks h WHERE h.series = m.series AND h.ts = m.ts / 60)').pluck(),
    };
    this.writeTx = this.db.transaction((rows: FlowRow[]) => this.writeRows(rows));
    // flows.db of the first release: one row per key; converted once (its minutes become blocks)
    if (this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'flow_minutes'").get())
      this.db.transaction(() => {
        this.writeRows(this.db.prepare('SELECT uplink, direction, dim, ts, key, bytes, packets FROM flow_minutes').all() as FlowRow[]);
        this.db.exec('DROP TABLE flow_minutes');
      })();
    // hours left without their rollup by a stop: built at the next rollup()
    for (const h of this.s.unrolled!.all() as number[]) this.pending.add(h * HOUR);
  }

  private seriesOf(uplink: string, direction: Direction, dim: Dimension, create: boolean): Series | undefined {
    const k = `${uplink}\t${direction}\t${dim}`;
    let s = this.series.get(k);
    if (s) return s;
    let row = this.s.seriesGet!.get(uplink, direction, dim) as { id: number } | undefined;
    if (!row && !create) return undefined;
    row ??= { id: Number(this.s.seriesAdd!.run(uplink, direction, dim).lastInsertRowid) };
    this.series.set(k, (s = { id: row.id, host: HOST_DIMS.has(dim) }));
    return s;
  }

  private keyId(host: boolean, key: string, ts: number): number {
    if (key === OTHER) return 0;
    const until = Math.floor(ts / HOUR) * HOUR + HOUR;
    const k = (host ? 'h' : 'n') + key;
    const c = this.keys.get(k);
    if (c && c.until >= until) return c.id;
    const r = this.s.keyUpsert!.get(host ? 1 : 0, key, until) as { id: number; until: number };
    if (this.keys.size >= KEY_CACHE_MAX) this.keys.clear();
    this.keys.set(k, r);
    return r.id;
  }

  /** Adds rows into their minute blocks: a minute written twice (restart within a minute) adds up. */
  write(rows: FlowRow[]): void {
    if (rows.length) this.writeTx(rows);
  }

  private writeRows(rows: FlowRow[]): void {
    const blocks = new Map<string, { series: Series; ts: number; entries: Entries }>();
    for (const r of rows) {
      const series = this.seriesOf(r.uplink, r.direction, r.dim, true)!;
      const g = `${series.id}\t${r.ts}`;
      let b = blocks.get(g);
      if (!b) blocks.set(g, (b = { series, ts: r.ts, entries: new Map() }));
      const id = this.keyId(series.host, r.key, r.ts);
      const c = b.entries.get(id);
      if (c) {
        c[0] += r.bytes;
        c[1] += r.packets;
      } else b.entries.set(id, [r.bytes, r.packets]);
    }
    for (const { series, ts, entries } of blocks.values()) {
      const minute = Math.floor(ts / MINUTE);
      const old = this.s.minuteGet!.get(series.id, minute) as { data: Buffer } | undefined;
      if (old) addBlock(old.data, entries);
      this.s.minutePut!.run(series.id, minute, encodeBlock(entries));
      const hour = Math.floor(ts / HOUR);
      // the hour's block (if built) no longer matches its minutes: queries fall back to them until rebuilt
      this.s.hourDelete!.run(series.id, hour);
      this.pending.add(hour * HOUR);
    }
  }

  /** Builds the hourly blocks of every changed hour that ended by `now` (the collector calls it per minute closed). */
  rollup(now: number): void {
    const due = [...this.pending].filter((h) => h + HOUR <= now);
    if (!due.length) return;
    this.db.transaction(() => {
      for (const h of due) {
        const m0 = h / MINUTE;
        for (const series of this.s.minuteSeriesOfHour!.all(m0, m0 + 60) as number[]) {
          const entries: Entries = new Map();
          for (const [data] of this.s.minuteRange!.all(series, m0, m0 + 60) as Array<[Buffer]>) addBlock(data, entries);
          const kept = topWithOther(entries, this.topN);
          this.s.hourPut!.run(series, h / HOUR, encodeBlock(kept));
          for (const id of kept.keys()) if (id) this.s.keyKept!.run(h + HOUR, id);
        }
        this.pending.delete(h);
      }
    })();
  }

  /** Top keys over [from, to): whole hours from hourly blocks where built, the rest from minute blocks. */
  top(q: TopQuery): TopAnswer {
    const series = this.seriesOf(q.uplink, q.direction, q.dim, false);
    if (!series) return { rows: [], totalBytes: 0, totalPackets: 0 };
    const entries: Entries = new Map();
    const minutes = (fromMs: number, toMs: number) => {
      if (toMs <= fromMs) return;
      for (const [data] of this.s.minuteRange!.all(series.id, Math.ceil(fromMs / MINUTE), Math.ceil(toMs / MINUTE)) as Array<[Buffer]>) addBlock(data, entries);
    };
    const h0 = Math.ceil(q.from / HOUR);
    const h1 = Math.floor(q.to / HOUR);
    if (h1 <= h0) minutes(q.from, q.to);
    else {
      minutes(q.from, h0 * HOUR);
      let next = h0;
      for (const [h, data] of this.s.hourRange!.all(series.id, h0, h1) as Array<[number, Buffer]>) {
        minutes(next * HOUR, h * HOUR); // hours not rolled up (yet): their minutes
        addBlock(data, entries);
        next = h + 1;
      }
      minutes(next * HOUR, q.to);
    }
    let totalBytes = 0;
    let totalPackets = 0;
    for (const [b, p] of entries.values()) {
      totalBytes += b;
      totalPackets += p;
    }
    const rows = [...topWithOther(entries, q.limit)]
      .filter(([id]) => id !== 0)
      .flatMap(([id, [bytes, packets]]) => {
        const key = this.s.keyName!.get(id) as string | undefined;
        return key === undefined ? [] : [{ key, bytes, packets }];
      });
    return { rows, totalBytes, totalPackets };
  }

  /** Builds due rollups, then deletes minute blocks, hour blocks and dictionary keys past their retention. */
  prune(now: number, r: Retention): void {
    this.rollup(now);
    // minutes go by whole hours and not before their hour is rolled up, unless the dimension's retention says so
    const pendingMin = Math.min(Infinity, ...this.pending);
    const cuts = (keep: number) => ({ minutes: Math.max(now - keep, Math.min(Math.floor((now - r.minuteRetention) / HOUR) * HOUR, pendingMin)), hours: now - keep });
    const host = cuts(r.hostRetention);
    const other = cuts(r.retention);
    this.db.transaction(() => {
      for (const { id, dim } of this.s.seriesAll!.all() as Array<{ id: number; dim: Dimension }>) {
        const cut = HOST_DIMS.has(dim) ? host : other;
        this.s.minutePrune!.run(id, Math.floor(cut.minutes / MINUTE));
        this.s.hourPrune!.run(id, Math.floor(cut.hours / HOUR));
      }
      this.s.keyPrune!.run(1, host.minutes, host.hours);
      this.s.keyPrune!.run(0, other.minutes, other.hours);
    })();
    this.keys.clear();
  }

  /** Bytes of the file after a WAL checkpoint (bench: storage per uplink-minute). */
  sizeBytes(): number {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    const { page_count, page_size } = this.db.prepare('SELECT * FROM pragma_page_count(), pragma_page_size()').get() as { page_count: number; page_size: number };
    return page_count * page_size;
  }

  /** Gives the pages freed by pruning back to the file system (bench; the daemon reuses them instead). */
  vacuum(): void {
    this.db.exec('VACUUM');
  }

  close(): void {
    this.db.close();
  }
}
