/**
 * Storage faults: a full disk (the store on a 3 MB tmpfs, written until SQLITE_FULL), a database another
 * process holds locked, and a read-only filesystem. Write errors are counted and logged, write() never
 * throws, samples wait in a bounded queue (the excess counted as dropped), the file stays intact, and
 * writes resume by themselves when the fault goes away.
 */
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, type TimeSeriesStore } from '../../src/store/index.js';
import { COMMIT_BUSY_TIMEOUT_MS } from '../../src/store/schema.js';
import { registerSelfMetrics } from '../../src/self-metrics.js';
import client from 'prom-client';
import { requireTool } from '../helpers/requireTool.js';
import { captureLog, fill, holdWriteLock, mountTmpfs, round, sleep, until, type Tmpfs, cleanupAfterEach } from './helpers.js';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

/** What /metrics says about a store, through the daemon's own self-metrics. */
async function selfMetrics(store: TimeSeriesStore): Promise<string> {
  const registry = new client.Registry();
  registerSelfMetrics(registry, { version: 'test', scheduler: () => undefined, store: () => store, reload: () => ({ successful: true, lastSuccessMs: 0 }), exportedSeries: () => 0 });
  return registry.metrics();
}
const SERIES = 200;

const cleanups = cleanupAfterEach();

/** Raw samples of the test's series with from <= ts <= to (through the store's own raw reader: chunks + open hour). */
function countSamples(store: TimeSeriesStore, from: number, to: number): number {
  const q = (store as unknown as { queries: { raw(id: number, from: number, to: number): { ts: number[] } } }).queries;
  let n = 0;
  for (const s of store.findSeries('fault_bytes_total')) n += q.raw(s.id, from, to).ts.filter((t) => t >= from && t <= to).length;
  return n;
}

const root = requireTool({ root: true, commands: ['mount', 'umount'] }, 'storage fault tests (tmpfs mounts)');

describe.runIf(root)('store on a full disk', () => {
  it('counts and logs write errors, keeps a bounded queue, never corrupts, resumes when space returns', async () => {
    const fs: Tmpfs = mountTmpfs('3m');
    cleanups.push(() => fs.cleanup());
    const log = captureLog();
    const file = join(fs.dir, 'netmon.db');
    const MAX_QUEUE = 5 * SERIES * 10;
    const store = openStore(file, { jobs: false, flushIntervalMs: 50, retryMaxMs: 200, maxQueue: MAX_QUEUE, log });
    cleanups.push(() => store.close());

    // half the disk is taken by something else; then poll (write) until the store hits SQLITE_FULL
    const filler = fill(fs.dir, 1.5 * 1024 * 1024);
    let ts = T0;
    let accepted = 0;
    let rounds = 0;
    for (; rounds < 20_000 && store.stats().writeErrors === 0; rounds++) {
      ts += 1000;
      expect(() => store.write(round(ts, SERIES))).not.toThrow();
      if (rounds % 10 === 9) {
        // commit every 10 rounds, as the 1 s timer would; the failing commit throws to the caller who asked
        try {
          store.flush();
        } catch (e) {
          expect((e as { code?: string }).code).toBe('SQLITE_FULL');
        }
      }
      if (store.stats().writeErrors === 0) accepted = store.stats().samplesWritten;
    }
    const st = store.stats();
    expect(st.writeErrors).toBeGreaterThan(0);
    const lastGood = accepted;
    expect(lastGood).toBeGreaterThan(0);
    const err = log.lines.find((l) => l.level === 'error');
    expect(err?.msg).toMatch(/commit failed \(SQLITE_FULL\).*kept in memory/);

    // polling goes on during the outage: write() never throws, the queue stays within its bound
    const outageStart = ts;
    for (let k = 0; k < 60; k++) {
      ts += 1000;
      store.write(round(ts, SERIES));
    }
    await sleep(300); // a few retries fail meanwhile
    const during = store.stats();
    expect(during.pending).toBe(MAX_QUEUE);
    expect(during.samplesDropped).toBeGreaterThan(0);
    expect(during.writeErrors).toBeGreaterThan(st.writeErrors);
    expect(during.samplesWritten).toBe(lastGood);

    // nothing corrupted while full
    const check = new Database(file, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();

    // space returns: the queued samples are committed without anyone asking
    unlinkSync(filler);
    await until('queued samples committed', () => store.stats().pending === 0, 10_000);
    const after = store.stats();
    expect(after.samplesWritten).toBe(lastGood + MAX_QUEUE);
    expect(after.samplesDropped).toBe(during.samplesDropped);
    expect(log.lines.some((l) => l.level === 'info' && /writes succeed again/.test(l.msg ?? ''))).toBe(true);

    // what is in the file: everything before the outage, the newest MAX_QUEUE samples of it, nothing else
    store.write(round(ts + 1000, SERIES));
    store.flush();
    const newestKept = ts - (MAX_QUEUE / SERIES - 1) * 1000;
    expect(countSamples(store, newestKept, ts)).toBe(MAX_QUEUE);
    expect(countSamples(store, T0, ts + 1000)).toBe(after.samplesWritten + SERIES);
    expect(outageStart).toBeLessThan(newestKept);
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});

describe.runIf(root)('store on a read-only filesystem', () => {
  it('fails to open with an error that names the file and the cause', () => {
    const fs: Tmpfs = mountTmpfs('4m');
    cleanups.push(() => fs.cleanup());
    const file = join(fs.dir, 'netmon.db');
    const s = openStore(file, { jobs: false });
    s.write(round(T0, 10));
    s.close();
    fs.remount('ro');
    let msg = '';
    try {
      openStore(file, { jobs: false }).close();
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain(file);
    expect(msg).toMatch(/readonly|read-only|unable to open/i);
    fs.remount('rw');
  });
});

describe('store on a database another process holds locked', () => {
  it('waits out a short lock (busy_timeout), and retries after a long one without losing samples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmon-lock-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'netmon.db');
    const log = captureLog();
    const store = openStore(file, { jobs: false, flushIntervalMs: 50, retryMaxMs: 300, log });
    cleanups.push(() => store.close());
    store.write(round(T0, SERIES));
    store.flush();

    // another process takes the write lock for `ms`, then commits
    const holdLock = async (ms: number) => {
      const lock = await holdWriteLock(file, ms);
      return () => lock.release();
    };

    // short (100 ms < the commit busy timeout): the commit waits for the lock and succeeds, no error
    let done = await holdLock(100);
    store.write(round(T0 + 1000, SERIES));
    store.flush();
    expect(store.stats()).toMatchObject({ writeErrors: 0, pending: 0, samplesWritten: 2 * SERIES });
    await done();

    // long (3 s): the commit gives up after the busy timeout, so the event loop (and every probe) is held
    // only briefly; the failure is counted, polling goes on and the samples are committed once the lock is gone
    done = await holdLock(3000);
    store.write(round(T0 + 2000, SERIES));
    const t0 = Date.now();
    expect(() => store.flush()).toThrow(/locked|busy/i);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(COMMIT_BUSY_TIMEOUT_MS - 50);
    expect(Date.now() - t0).toBeLessThan(COMMIT_BUSY_TIMEOUT_MS + 500);
    expect(store.stats()).toMatchObject({ writeErrors: 1, pending: SERIES });
    const exposition = await selfMetrics(store);
    expect(exposition).toMatch(/^netmon_store_write_errors_total 1$/m);
    expect(exposition).toMatch(new RegExp(`^netmon_store_queued_samples ${SERIES}$`, 'm'));
    expect(exposition).toMatch(/^netmon_store_samples_dropped_total 0$/m);
    store.write(round(T0 + 3000, SERIES)); // polling goes on
    await done();
    await until('retry after the lock', () => store.stats().pending === 0, 15_000);
    expect(store.stats().samplesWritten).toBe(4 * SERIES);
    expect(countSamples(store, T0, T0 + 3000)).toBe(4 * SERIES);
  }, 40_000);
});
