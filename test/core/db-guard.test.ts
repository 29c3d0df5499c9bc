/**
 * The database error boundary on its own: a failing write never throws, is logged once per episode, counted
 * by db/op/code on /metrics, retried in order with exponential backoff (capped, jittered), bounded, and the
 * episode's end is logged once. Real SQLite for the error codes (a second connection holding the lock).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import client from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DbGuard, isTransient } from '../../src/db-guard.js';

interface Line {
  level: string;
  msg: string;
  extra: Record<string, unknown>;
}

function setup(opts: { maxPending?: number } = {}) {
  const lines: Line[] = [];
  const guard = new DbGuard({ log: (level, msg, extra) => lines.push({ level, msg, extra }), random: () => 1 });
  guard.configure('alerts', { initialBackoffMs: 100, maxBackoffMs: 1000, maxPending: opts.maxPending });
  const registry = new client.Registry();
  guard.register(registry);
  return { guard, lines, registry };
}

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netmon-guard-'));
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('DbGuard', () => {
  it('retries a locked database in order with doubling, capped backoff; logs the episode once and its end once', async () => {
    const { guard, lines, registry } = setup();
    const file = join(dir, 'a.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 0');
    db.exec('CREATE TABLE t (v INTEGER)');
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');

    const attempts: number[] = [];
    const tryInsert = (v: number) => () => {
      attempts.push(Date.now());
      ins.run(v);
    };
    expect(guard.write('alerts', 'history', tryInsert(1))).toBe(false);
    for (let v = 2; v <= 5; v++) expect(guard.write('alerts', 'history', () => ins.run(v))).toBe(false); // queued, not tried
    expect(guard.pending('alerts')).toBe(5);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/alerts database: history failed \(SQLITE_BUSY\)/);

    // Delays with random() = 1 are the full base: 100, 200, 400, 800, 1000 (cap), 1000.
    const t0 = Date.now();
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 800 + 1000 + 1000);
    expect(attempts.map((t) => t - t0)).toEqual([0, 100, 300, 700, 1500, 2500, 3500]);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1); // once per episode
    const text = await registry.metrics();
    expect(text).toMatch(/^netmon_db_write_errors_total\{db="alerts",op="history",code="SQLITE_BUSY"\} 7$/m);
    expect(text).toMatch(/^netmon_db_writes_pending\{db="alerts"\} 5$/m);

    other.exec('COMMIT');
    await vi.advanceTimersByTimeAsync(1000);
    expect(guard.pending('alerts')).toBe(0);
    expect(db.prepare('SELECT v FROM t').pluck().all()).toEqual([1, 2, 3, 4, 5]); // in order
    const end = lines.filter((l) => l.level === 'info');
    expect(end).toHaveLength(1);
    expect(end[0]!.msg).toMatch(/writes succeed again/);
    expect(end[0]!.extra.total).toBe(7);

    // A new episode after the end starts with the shortest delay again, and is logged again.
    other.exec('BEGIN IMMEDIATE');
    const t1 = Date.now();
    guard.write('alerts', 'history', tryInsert(6));
    await vi.advanceTimersByTimeAsync(100);
    expect(attempts.slice(-2).map((t) => t - t1)).toEqual([0, 100]);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(2);
    other.exec('COMMIT');
    await vi.advanceTimersByTimeAsync(200);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(6);
    other.close();
    db.close();
  });

  it('never throws; replaces a queued write of the same row; bounds the queue and counts what it drops', async () => {
    const { guard, registry } = setup({ maxPending: 3 });
    let failing = true;
    const done: string[] = [];
    const w = (name: string) => () => {
      if (failing) throw busy();
      done.push(name);
    };
    expect(() => guard.write('alerts', 'instance', w('a1'), 'instance:a')).not.toThrow();
    guard.write('alerts', 'instance', w('a2'), 'instance:a'); // replaces a1 (same row, newest wins)
    guard.write('alerts', 'history', w('h1'));
    guard.write('alerts', 'instance', w('a3'), 'instance:a'); // not adjacent to a2: kept in order
    expect(guard.pending('alerts')).toBe(3);
    guard.write('alerts', 'history', w('h2')); // over the bound: the oldest (a2) is dropped
    expect(guard.pending('alerts')).toBe(3);
    expect(await registry.metrics()).toMatch(/^netmon_db_writes_lost_total\{db="alerts",op="instance"\} 1$/m);
    failing = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toEqual(['h1', 'a3', 'h2']);
  });

  it('gives up a write whose error is not transient (counted as lost) without blocking the ones behind it', async () => {
    const { guard, lines, registry } = setup();
    let failing = true;
    const done: string[] = [];
    guard.write('alerts', 'history', () => {
      if (failing) throw busy();
      done.push('h1');
    });
    guard.write('alerts', 'delivery', () => {
      throw Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
    });
    guard.write('alerts', 'history', () => done.push('h2'));
    failing = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toEqual(['h1', 'h2']);
    expect(guard.pending('alerts')).toBe(0);
    expect(lines.some((l) => /delivery failed \(SQLITE_CONSTRAINT_UNIQUE\); not retried/.test(l.msg))).toBe(true);
    expect(await registry.metrics()).toMatch(/^netmon_db_writes_lost_total\{db="alerts",op="delivery"\} 1$/m);
    expect(isTransient(busy())).toBe(true);
    expect(isTransient(Object.assign(new Error('full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isTransient(new TypeError('The database connection is not open'))).toBe(false);
  });

  it('failed()/succeeded() for callers with their own queue: jittered backoff within [base/2, base], one line per episode', () => {
    const lines: Line[] = [];
    let r = 0;
    const guard = new DbGuard({ log: (level, msg, extra) => lines.push({ level, msg, extra }), random: () => r });
    guard.configure('store', { initialBackoffMs: 1000, maxBackoffMs: 8000, note: 'samples are kept in memory' });
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const delays = [0, 1, 0, 1, 0.5, 1].map((x) => {
      r = x;
      return guard.failed('store', 'commit', full);
    });
    expect(delays).toEqual([500, 2000, 2000, 8000, 6000, 8000]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe('store database: commit failed (SQLITE_FULL); samples are kept in memory');
    guard.succeeded('store', 'commit');
    guard.succeeded('store', 'commit');
    expect(lines.map((l) => l.level)).toEqual(['error', 'info']);
    r = 1;
    expect(guard.failed('store', 'commit', full)).toBe(1000); // a new episode backs off from the start
  });

  it('drain() at shutdown: one last try, what still fails is counted as lost and logged with its count', async () => {
    const { guard, lines, registry } = setup();
    guard.write('alerts', 'history', () => {
      throw busy();
    });
    guard.write('alerts', 'history', () => undefined);
    guard.write('alerts', 'flush', () => undefined);
    expect(guard.drain('alerts')).toBe(3); // the head still fails, so nothing behind it goes first
    expect(guard.pending('alerts')).toBe(0);
    expect(lines.at(-1)!.msg).toMatch(/3 pending writes could not be made before shutdown; lost/);
    expect(await registry.metrics()).toMatch(/^netmon_db_writes_lost_total\{db="alerts",op="history"\} 2$/m);
    guard.close();
    await vi.advanceTimersByTimeAsync(60_000); // no timer left behind
    expect(vi.getTimerCount()).toBe(0);
  });
});
