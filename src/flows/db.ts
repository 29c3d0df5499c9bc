/**
 * The flow store: per-minute top-N rows (aggregate.ts) in their own SQLite file beside the store's
 * (`flows.db` in the data directory), so flow writes never compete with the time-series writer, and
 * retention is an indexed DELETE. Per-host dimensions (src, dst, pair) have their own, shorter retention
 * (privacy: flows.host_retention).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { OTHER, type Dimension, type FlowRow } from './aggregate.js';
import type { Direction } from './attribute.js';

const DDL = `
CREATE TABLE IF NOT EXISTS flow_minutes (
  uplink TEXT NOT NULL,
  direction TEXT NOT NULL,
  dim TEXT NOT NULL,
  ts INTEGER NOT NULL,
  key TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  packets INTEGER NOT NULL,
  PRIMARY KEY (uplink, direction, dim, ts, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS flow_minutes_ts ON flow_minutes (ts);
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

export class FlowDb {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly writeTx: (rows: FlowRow[]) => void;
  private readonly topStmt: Database.Statement;
  private readonly totalStmt: Database.Statement;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(DDL);
    // A restart within a minute writes that minute twice: the halves add up.
    this.insert = this.db.prepare(
      `INSERT INTO flow_minutes (uplink, direction, dim, ts, key, bytes, packets) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET bytes = bytes + excluded.bytes, packets = packets + excluded.packets`,
    );
    this.writeTx = this.db.transaction((rows: FlowRow[]) => {
      for (const r of rows) this.insert.run(r.uplink, r.direction, r.dim, r.ts, r.key, Math.round(r.bytes), Math.round(r.packets));
    });
    const where = 'uplink = ? AND direction = ? AND dim = ? AND ts >= ? AND ts < ?';
    this.topStmt = this.db.prepare(`SELECT key, SUM(bytes) AS bytes, SUM(packets) AS packets FROM flow_minutes WHERE ${where} AND key != '${OTHER}' GROUP BY key ORDER BY SUM(bytes) DESC LIMIT ?`);
    this.totalStmt = this.db.prepare(`SELECT COALESCE(SUM(bytes), 0) AS bytes, COALESCE(SUM(packets), 0) AS packets FROM flow_minutes WHERE ${where}`);
  }

  write(rows: FlowRow[]): void {
    if (rows.length) this.writeTx(rows);
  }

  /** Top keys over [from, to) of the stored minutes (minutes are stored by their start). */
  top(q: TopQuery): TopAnswer {
    const args = [q.uplink, q.direction, q.dim, q.from, q.to] as const;
    const rows = this.topStmt.all(...args, q.limit) as TopAnswer['rows'];
    const t = this.totalStmt.get(...args) as { bytes: number; packets: number };
    return { rows, totalBytes: t.bytes, totalPackets: t.packets };
  }

  prune(now: number, retentionMs: number, hostRetentionMs: number): void {
    this.db.prepare('DELETE FROM flow_minutes WHERE ts < ?').run(now - retentionMs);
    this.db.prepare("DELETE FROM flow_minutes WHERE dim IN ('src', 'dst', 'pair') AND ts < ?").run(now - hostRetentionMs);
  }

  /** Bytes of the file (bench: storage per uplink-minute). */
  sizeBytes(): number {
    const { page_count, page_size } = this.db.prepare('SELECT * FROM pragma_page_count(), pragma_page_size()').get() as { page_count: number; page_size: number };
    return page_count * page_size;
  }

  close(): void {
    this.db.close();
  }
}
