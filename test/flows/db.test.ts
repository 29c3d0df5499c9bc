/**
 * flows.db: a minute written twice adds up (restart within a minute), retention and the shorter per-host
 * retention (rows and dictionary keys), hourly rollups (exact totals, top N + other) answering once the
 * minutes are gone, and the conversion of a first-release file.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dimension, FlowRow } from '../../src/flows/aggregate.js';
import { FlowDb, HOUR } from '../../src/flows/db.js';
import { tempDir } from '../alerts/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const MIN = 60e3;
const DAY = 86400e3;
const T = Date.UTC(2026, 11, 1);
const row = (ts: number, dim: Dimension, key: string, bytes: number): FlowRow => ({ ts, uplink: 'international', direction: 'out', dim, key, bytes, packets: 1 });
const top = (db: FlowDb, dim: Dimension, from = T - 400 * DAY, to = T + 10 * MIN) => db.top({ uplink: 'international', direction: 'out', dim, from, to, limit: 10 });

describe('flow store', () => {
  const path = join(tmp.dir, 'data', 'flows.db');
  const db = new FlowDb(path, 3);
  afterAll(() => db.close());

  it('adds a minute written twice, and keeps "other" out of the rows but in the total', () => {
    db.write([row(T, 'site', 'so-y-te', 100), row(T, 'site', 'other', 5)]);
    db.write([row(T, 'site', 'so-y-te', 50)]);
    expect(top(db, 'site')).toEqual({ rows: [{ key: 'so-y-te', bytes: 150, packets: 2 }], totalBytes: 155, totalPackets: 3 });
  });

  it('deletes per-host dimensions (rows and their keys) after host_retention and everything after retention', () => {
    const old = T - 10 * DAY;
    const ancient = T - 40 * DAY;
    db.write([row(old, 'src', '10.20.16.9', 7), row(old, 'site', 'so-y-te', 7), row(ancient, 'site', 'so-y-te', 9), row(T, 'src', '10.20.16.1', 3)]);
    db.prune(T, { retention: 35 * DAY, hostRetention: 7 * DAY, minuteRetention: 35 * DAY });
    expect(top(db, 'src').totalBytes).toBe(3); // the 10-day-old host row is gone, today's stays
    expect(top(db, 'site').totalBytes).toBe(155 + 7); // the 40-day-old site row is gone, the 10-day-old stays
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT key FROM flow_keys WHERE host = 1').pluck().all()).toEqual(['10.20.16.1']);
    raw.close();
  });

  it('rolls complete hours up (top N + other, exact totals) and answers from them once the minutes are gone', () => {
    const h = T + 5 * HOUR;
    // 60 minutes of keys a..d and a little other
    for (let m = 0; m < 60; m++) db.write(['a', 'b', 'c', 'd'].map((k, i) => row(h + m * MIN, 'app', k, 100 - i * 10)).concat(row(h + m * MIN, 'app', 'other', 1)));
    db.write([row(h + HOUR, 'app', 'a', 1000)]); // next hour: open, not rolled up
    const all = top(db, 'app', h, h + 2 * HOUR);
    expect(all.totalBytes).toBe(60 * (100 + 90 + 80 + 70 + 1) + 1000);
    db.prune(h + 2 * HOUR - MIN, { retention: 35 * DAY, hostRetention: 7 * DAY, minuteRetention: 0 });
    // the minutes of hour h are gone, the hour block answers: top 3 of the hour, d and the minutes' other summed
    const after = top(db, 'app', h, h + HOUR);
    expect(after).toEqual({ rows: [{ key: 'a', bytes: 6000, packets: 60 }, { key: 'b', bytes: 5400, packets: 60 }, { key: 'c', bytes: 4800, packets: 60 }], totalBytes: 60 * 341, totalPackets: 300 });
    // an edge minute of a rolled-up hour has no detail any more; the open hour still has its minutes
    expect(top(db, 'app', h, h + 30 * MIN).totalBytes).toBe(0);
    expect(top(db, 'app', h + HOUR, h + 2 * HOUR).totalBytes).toBe(1000);
    // a late write into a rolled-up hour: its minutes answer until the hour is built again
    db.write([row(h + 10 * MIN, 'app', 'e', 50_000)]);
    expect(top(db, 'app', h, h + HOUR).rows[0]).toEqual({ key: 'e', bytes: 50_000, packets: 1 });
  });

  it('converts the first release\'s one-row-per-key table', () => {
    const p = join(tmp.dir, 'old', 'flows.db');
    new FlowDb(p).close();
    const raw = new Database(p);
    raw.exec('CREATE TABLE flow_minutes (uplink TEXT, direction TEXT, dim TEXT, ts INTEGER, key TEXT, bytes INTEGER, packets INTEGER)');
    raw.exec(`INSERT INTO flow_minutes VALUES ('international', 'out', 'site', ${T}, 'so-y-te', 10, 1), ('international', 'out', 'site', ${T + MIN}, 'so-y-te', 5, 1)`);
    raw.close();
    const conv = new FlowDb(p);
    expect(top(conv, 'site')).toEqual({ rows: [{ key: 'so-y-te', bytes: 15, packets: 2 }], totalBytes: 15, totalPackets: 2 });
    conv.close();
  });
});
