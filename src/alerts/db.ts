/**
 * Alert persistence: its own SQLite file next to the time-series store (`data/netmon.db` →
 * `data/netmon.alerts.db`). A separate file, not tables in the store's: the store's writer commits large
 * batches and SQLite allows one writer per database, so alert transitions would queue behind them (or the
 * store behind us); the alert schema migrates and is backed up on its own; and deleting it resets alert
 * state without touching months of samples. Writes happen on transitions, deliveries and API actions
 * only (a few per minute), never per sample.
 *
 * Writes made outside a request (transitions, flushes, deliveries, pruning, baselines) go through the
 * DbGuard: a full disk or another process holding the write lock never throws into a timer or the
 * pipeline; the write waits in memory (in order, bounded) and is retried with backoff.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join, basename, extname } from 'node:path';
import { DbGuard } from '../db-guard.js';
import type { Bucket, BaselinePersistence } from './baseline.js';
import type { Ack, AlertInstance, HistoryEvent, Silence } from './types.js';

export function alertsDbPath(storagePath: string): string {
  const base = basename(storagePath, extname(storagePath) || undefined);
  return join(dirname(storagePath), `${base}.alerts.db`);
}

export interface Delivery {
  fingerprint: string;
  receiver: string;
  state: 'firing' | 'resolved';
  startsAt: number;
  at: number;
  /** Given up (queue overflow): counts as delivered so it is not retried forever. */
  dropped: boolean;
}

export interface HistoryQuery {
  from?: number;
  to?: number;
  rule?: string;
  fingerprint?: string;
  target?: string;
  /** Only these events (pending, firing, resolved...). */
  events?: string[];
  limit: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alert_instances (
  fingerprint TEXT PRIMARY KEY, rule TEXT NOT NULL, labels TEXT NOT NULL, state TEXT NOT NULL,
  active_since INTEGER NOT NULL, fired_at INTEGER, resolved_at INTEGER, last_true_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL, last_verdict TEXT NOT NULL, stale_after_ms INTEGER, value REAL NOT NULL,
  annotations TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alert_deliveries (
  fingerprint TEXT NOT NULL, receiver TEXT NOT NULL, state TEXT NOT NULL, starts_at INTEGER NOT NULL,
  at INTEGER NOT NULL, dropped INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (fingerprint, receiver));
CREATE TABLE IF NOT EXISTS alert_history (
  id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, fingerprint TEXT NOT NULL, rule TEXT NOT NULL,
  severity TEXT NOT NULL, event TEXT NOT NULL, value REAL, labels TEXT NOT NULL, summary TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alert_history_ts ON alert_history (ts);
CREATE INDEX IF NOT EXISTS alert_history_rule ON alert_history (rule, ts);
CREATE INDEX IF NOT EXISTS alert_history_fp ON alert_history (fingerprint, ts);
CREATE TABLE IF NOT EXISTS silences (
  id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,
  created_by TEXT NOT NULL, comment TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS acks (fingerprint TEXT PRIMARY KEY, by TEXT NOT NULL, comment TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS baselines (key TEXT PRIMARY KEY, buckets TEXT NOT NULL);
`;

interface InstanceRow {
  fingerprint: string;
  rule: string;
  labels: string;
  state: AlertInstance['state'];
  active_since: number;
  fired_at: number | null;
  resolved_at: number | null;
  last_true_at: number;
  last_seen_at: number;
  last_verdict: AlertInstance['lastVerdict'];
  stale_after_ms: number | null;
  value: number;
  annotations: string;
}

/** Longest a write waits for another process's lock: it runs on the event loop, so it fails fast and is retried later. */
const ALERTS_BUSY_TIMEOUT_MS = 50;

export class AlertsDb {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(
    path: string,
    private readonly guard: DbGuard = new DbGuard(),
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`busy_timeout = ${ALERTS_BUSY_TIMEOUT_MS}`);
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.stmts = {
      upsert: p(`INSERT INTO alert_instances VALUES (@fingerprint, @rule, @labels, @state, @active_since, @fired_at, @resolved_at,
        @last_true_at, @last_seen_at, @last_verdict, @stale_after_ms, @value, @annotations)
        ON CONFLICT(fingerprint) DO UPDATE SET rule=excluded.rule, labels=excluded.labels, state=excluded.state,
        active_since=excluded.active_since, fired_at=excluded.fired_at, resolved_at=excluded.resolved_at,
        last_true_at=excluded.last_true_at, last_seen_at=excluded.last_seen_at, last_verdict=excluded.last_verdict,
        stale_after_ms=excluded.stale_after_ms, value=excluded.value, annotations=excluded.annotations`),
      deleteInstance: p('DELETE FROM alert_instances WHERE fingerprint = ?'),
      deleteDeliveries: p('DELETE FROM alert_deliveries WHERE fingerprint = ?'),
      instances: p('SELECT * FROM alert_instances'),
      deliveries: p('SELECT * FROM alert_deliveries'),
      putDelivery: p(`INSERT INTO alert_deliveries VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(fingerprint, receiver) DO UPDATE SET state=excluded.state, starts_at=excluded.starts_at, at=excluded.at, dropped=excluded.dropped`),
      history: p('INSERT INTO alert_history (ts, fingerprint, rule, severity, event, value, labels, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      pruneHistory: p('DELETE FROM alert_history WHERE ts < ?'),
      silences: p('SELECT * FROM silences ORDER BY starts_at DESC'),
      putSilence: p(`INSERT INTO silences VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET matchers=excluded.matchers, starts_at=excluded.starts_at, ends_at=excluded.ends_at,
        created_by=excluded.created_by, comment=excluded.comment`),
      pruneSilences: p('DELETE FROM silences WHERE ends_at < ?'),
      deleteSilence: p('DELETE FROM silences WHERE id = ?'),
      acks: p('SELECT * FROM acks'),
      putAck: p('INSERT OR REPLACE INTO acks VALUES (?, ?, ?, ?)'),
      deleteAck: p('DELETE FROM acks WHERE fingerprint = ?'),
      getBaseline: p('SELECT buckets FROM baselines WHERE key = ?'),
      putBaseline: p('INSERT OR REPLACE INTO baselines VALUES (?, ?)'),
    };
  }

  /** Guarded (see DbGuard.write); the row is serialised when written, so a retry writes the newest state. */
  saveInstance(a: AlertInstance): void {
    this.write('instance', () => this.upsert(a), `instance:${a.fingerprint}`);
  }

  private upsert(a: AlertInstance): void {
    this.stmts.upsert.run({
      fingerprint: a.fingerprint,
      rule: a.rule,
      labels: JSON.stringify(a.labels),
      state: a.state,
      active_since: a.activeSince,
      fired_at: a.firedAt,
      resolved_at: a.resolvedAt,
      last_true_at: a.lastTrueAt,
      last_seen_at: a.lastSeenAt,
      last_verdict: a.lastVerdict,
      stale_after_ms: a.staleAfterMs,
      value: Number.isFinite(a.value) ? a.value : 0,
      annotations: JSON.stringify(a.annotations),
    });
  }

  saveInstances(list: Iterable<AlertInstance>): void {
    const all = [...list];
    this.write('flush', () => this.db.transaction(() => all.forEach((a) => this.upsert(a)))(), 'flush');
  }

  deleteInstance(fingerprint: string): void {
    this.write('delete_instance', () =>
      this.db.transaction(() => {
        this.stmts.deleteInstance.run(fingerprint);
        this.stmts.deleteDeliveries.run(fingerprint);
        this.stmts.deleteAck.run(fingerprint);
      })(),
    );
  }

  loadInstances(): AlertInstance[] {
    return (this.stmts.instances.all() as InstanceRow[]).map((r) => ({
      fingerprint: r.fingerprint,
      rule: r.rule,
      labels: JSON.parse(r.labels) as Record<string, string>,
      state: r.state,
      activeSince: r.active_since,
      firedAt: r.fired_at,
      resolvedAt: r.resolved_at,
      lastTrueAt: r.last_true_at,
      lastSeenAt: r.last_seen_at,
      lastVerdict: r.last_verdict,
      staleAfterMs: r.stale_after_ms,
      value: r.value,
      annotations: JSON.parse(r.annotations) as AlertInstance['annotations'],
    }));
  }

  saveDelivery(d: Delivery): void {
    this.write('delivery', () => this.stmts.putDelivery.run(d.fingerprint, d.receiver, d.state, d.startsAt, d.at, d.dropped ? 1 : 0), `delivery:${d.fingerprint}:${d.receiver}`);
  }

  loadDeliveries(): Delivery[] {
    return (this.stmts.deliveries.all() as { fingerprint: string; receiver: string; state: Delivery['state']; starts_at: number; at: number; dropped: number }[]).map((r) => ({
      fingerprint: r.fingerprint,
      receiver: r.receiver,
      state: r.state,
      startsAt: r.starts_at,
      at: r.at,
      dropped: r.dropped === 1,
    }));
  }

  addHistory(e: HistoryEvent): void {
    const labels = JSON.stringify(e.labels);
    this.write('history', () => this.stmts.history.run(e.ts, e.fingerprint, e.rule, e.severity, e.event, e.value, labels, e.summary));
  }

  history(q: HistoryQuery): HistoryEvent[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const cond = (sql: string, ...values: (string | number)[]) => {
      where.push(sql);
      args.push(...values);
    };
    if (q.from !== undefined) cond('ts >= ?', q.from);
    if (q.to !== undefined) cond('ts <= ?', q.to);
    if (q.rule) cond('rule = ?', q.rule);
    if (q.fingerprint) cond('fingerprint = ?', q.fingerprint);
    if (q.target) cond("json_extract(labels, '$.target') = ?", q.target);
    if (q.events?.length) cond(`event IN (${q.events.map(() => '?').join(', ')})`, ...q.events);
    const sql = `SELECT * FROM alert_history ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ts DESC, id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, q.limit) as (Omit<HistoryEvent, 'labels'> & { labels: string })[];
    return rows.map((r) => ({ ...r, labels: JSON.parse(r.labels) as Record<string, string> }));
  }

  pruneHistory(before: number): void {
    this.write('prune', () => {
      this.stmts.pruneHistory.run(before);
      this.stmts.pruneSilences.run(before);
    }, 'prune');
  }

  silences(): Silence[] {
    return (this.stmts.silences.all() as { id: string; matchers: string; starts_at: number; ends_at: number; created_by: string; comment: string; created_at: number }[]).map((r) => ({
      id: r.id,
      matchers: JSON.parse(r.matchers) as Silence['matchers'],
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      createdBy: r.created_by,
      comment: r.comment,
      createdAt: r.created_at,
    }));
  }

  saveSilence(s: Silence): void {
    this.stmts.putSilence.run(s.id, JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.createdBy, s.comment, s.createdAt);
  }

  deleteSilence(id: string): void {
    this.stmts.deleteSilence.run(id);
  }

  acks(): Ack[] {
    return this.stmts.acks.all() as Ack[];
  }

  saveAck(a: Ack): void {
    this.write('ack', () => this.stmts.putAck.run(a.fingerprint, a.by, a.comment, a.at), `ack:${a.fingerprint}`);
  }

  deleteAck(fingerprint: string): void {
    this.write('ack', () => this.stmts.deleteAck.run(fingerprint), `ack:${fingerprint}`);
  }

  baselines(): BaselinePersistence {
    return {
      load: (key) => {
        const row = this.stmts.getBaseline.get(key) as { buckets: string } | undefined;
        return row ? (JSON.parse(row.buckets) as Bucket[]) : undefined;
      },
      save: (key, buckets) => {
        const json = JSON.stringify(buckets);
        this.write('baseline', () => this.stmts.putBaseline.run(key, json), `baseline:${key}`);
      },
    };
  }

  /** Try what is pending once more (what still fails is counted as lost and logged), then close. Never throws. */
  close(): void {
    if (!this.db.open) return;
    this.guard.drain('alerts');
    try {
      this.db.close();
    } catch {
      /* closing a connection whose last checkpoint failed: the WAL stays for the next start */
    }
  }

  private write(op: string, fn: () => void, key?: string): void {
    this.guard.write('alerts', op, fn, key);
  }
}
