/** flows.db: a minute written twice adds up (restart within a minute), retention, and the shorter per-host retention. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dimension, FlowRow } from '../../src/flows/aggregate.js';
import { FlowDb } from '../../src/flows/db.js';
import { tempDir } from '../alerts/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const MIN = 60e3;
const T = Date.UTC(2026, 11, 1);
const row = (ts: number, dim: Dimension, key: string, bytes: number): FlowRow => ({ ts, uplink: 'international', direction: 'out', dim, key, bytes, packets: 1 });
const top = (db: FlowDb, dim: Dimension, from = T - 400 * 86400e3) => db.top({ uplink: 'international', direction: 'out', dim, from, to: T + 10 * MIN, limit: 10 });

describe('flow store', () => {
  const db = new FlowDb(join(tmp.dir, 'data', 'flows.db'));
  afterAll(() => db.close());

  it('adds a minute written twice, and keeps "other" out of the rows but in the total', () => {
    db.write([row(T, 'site', 'so-y-te', 100), row(T, 'site', 'other', 5)]);
    db.write([row(T, 'site', 'so-y-te', 50)]);
    expect(top(db, 'site')).toEqual({ rows: [{ key: 'so-y-te', bytes: 150, packets: 2 }], totalBytes: 155, totalPackets: 3 });
  });

  it('deletes per-host dimensions after host_retention and everything after retention', () => {
    const old = T - 10 * 86400e3;
    const ancient = T - 40 * 86400e3;
    db.write([row(old, 'src', '10.20.16.9', 7), row(old, 'site', 'so-y-te', 7), row(ancient, 'site', 'so-y-te', 9), row(T, 'src', '10.20.16.9', 3)]);
    db.prune(T, 35 * 86400e3, 7 * 86400e3);
    expect(top(db, 'src').totalBytes).toBe(3); // the 10-day-old host row is gone, today's stays
    expect(top(db, 'site').totalBytes).toBe(155 + 7); // the 40-day-old site row is gone, the 10-day-old stays
  });
});
