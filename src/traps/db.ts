/**
 * The trap log: every trap received (authenticated, known and unknown alike) in its own SQLite file beside
 * the store's (`traps.db` in the data directory), so a trap storm never competes with the time-series
 * writer's transactions and retention is one indexed DELETE. Writes are queued and committed once per
 * event-loop turn in one transaction: thousands of traps per second cost one fsync-less commit each turn.
 */
import Database from 'better-sqlite3';
import { DbGuard } from '../db-guard.js';
import type { TrapEvent, TrapsResponse } from '../http/contract.js';

const DDL = `
CREATE TABLE IF NOT EXISTS traps (
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  source TEXT NOT NULL,
  target TEXT,
  site TEXT,
  version TEXT NOT NULL,
  pdu TEXT NOT NULL,
  trap_oid TEXT NOT NULL,
  trap_name TEXT,
  user TEXT,
  uptime_ticks INTEGER,
  if_index TEXT,
  if_name TEXT,
  varbinds TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS traps_ts ON traps (ts);
CREATE INDEX IF NOT EXISTS traps_target ON traps (target, id);
`;

export type NewTrap = Omit<TrapEvent, 'id'>;

export interface TrapQuery {
  target?: string;
  /** trap_name or trap_oid */
  trap?: string;
  from?: number;
  to?: number;
  beforeId?: number;
  limit?: number;
}

export class TrapLog {
  private readonly db: Database.Database;
  private queue: NewTrap[] = [];
  private scheduled = false;
  private readonly insert: Database.Statement;
  private readonly flushTx: (rows: NewTrap[]) => void;

  constructor(
    path: string,
    private retentionMs: number,
    /** Background writes (the per-turn commit, pruning) fail here, counted and logged, never thrown. */
    private readonly guard = new DbGuard(),
  ) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Commits run on the event loop: another process's lock fails them fast (the batch is counted as lost).
    this.db.pragma('busy_timeout = 50');
    this.db.exec(DDL);
    this.insert = this.db.prepare(
      `INSERT INTO traps (ts, source, target, site, version, pdu, trap_oid, trap_name, user, uptime_ticks, if_index, if_name, varbinds)
       VALUES (@ts, @source, @target, @site, @version, @pdu, @trap_oid, @trap_name, @user, @uptime_ticks, @if_index, @if_name, @varbinds)`,
    );
    this.flushTx = this.db.transaction((rows: NewTrap[]) => {
      for (const r of rows) this.insert.run({ ...r, varbinds: JSON.stringify(r.varbinds) });
    });
    this.prune();
  }

  setRetention(ms: number): void {
    this.retentionMs = ms;
  }

  add(t: NewTrap): void {
    this.queue.push(t);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const rows = this.queue;
    this.queue = [];
    // Not retried: a trap storm on a full disk must not pile up in memory. The loss is counted.
    if (!this.guard.attempt('traps', 'insert', () => this.flushTx(rows))) this.guard.lost('traps', 'insert', rows.length);
  }

  /** Drop traps older than the retention; returns how many went (0 when the write failed: counted, retried next time). */
  prune(now = Date.now()): number {
    let n = 0;
    this.guard.attempt('traps', 'prune', () => {
      n = this.db.prepare('DELETE FROM traps WHERE ts < ?').run(now - this.retentionMs).changes;
    });
    return n;
  }

  query(q: TrapQuery): TrapsResponse {
    this.flush(); // what was received is what is served
    const conditions: [string, (string | number)[], boolean][] = [
      ['target = ?', [q.target ?? ''], q.target !== undefined],
      ['(trap_name = ? OR trap_oid = ?)', [q.trap ?? '', q.trap ?? ''], q.trap !== undefined],
      ['ts >= ?', [q.from ?? 0], q.from !== undefined],
      ['ts <= ?', [q.to ?? 0], q.to !== undefined],
      ['id < ?', [q.beforeId ?? 0], q.beforeId !== undefined],
    ];
    const used = conditions.filter((c) => c[2]);
    const where = used.map((c) => c[0]);
    const args = used.flatMap((c) => c[1]);
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const rows = this.db
      .prepare(`SELECT * FROM traps ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...args, limit + 1) as (Omit<TrapEvent, 'varbinds'> & { varbinds: string })[];
    const more = rows.length > limit;
    const page = rows.slice(0, limit).map((r) => ({ ...r, varbinds: JSON.parse(r.varbinds) as TrapEvent['varbinds'] }));
    return { traps: page, next_before_id: more ? page[page.length - 1]!.id : null };
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
