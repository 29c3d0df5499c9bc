/**
 * The daemon killed with SIGKILL mid-polling (the compiled CLI as a child on the reference network),
 * then restarted on the same data directory: the database checks ok, every sample committed before the
 * kill is there, and the restarted daemon serves the old history and keeps writing.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { makeRefnetConfig } from '../kit/refnet.js';
import { metric, sleep, spawnDaemon, type DaemonChild } from '../kit/proc.js';
import { until } from './helpers.js';

const cfg = makeRefnetConfig({ dcCoreInterval: '2s' });
const dbFile = join(cfg.dir, '..', 'data', 'netmon.db');
const daemons: DaemonChild[] = [];
afterAll(async () => {
  for (const d of daemons) await d.stop(2000);
  cfg.cleanup();
});

/** Every raw sample in the file (chunks + the open hour replayed from head_log), over all series. */
function countStored(): { samples: number; series: number } {
  const store = openStore(dbFile, { jobs: false });
  try {
    const inner = store as unknown as { writer: { series: Map<number, unknown> }; queries: { raw(id: number, from: number, to: number): { ts: number[] } } };
    let samples = 0;
    for (const id of inner.writer.series.keys()) samples += inner.queries.raw(id, 0, Date.now() + 3_600_000).ts.length;
    return { samples, series: inner.writer.series.size };
  } finally {
    store.close();
  }
}

it('SIGKILL mid-polling, restart on the same data: integrity ok, committed samples present, history served, writing resumes', async () => {
  const a = await spawnDaemon(cfg.file);
  daemons.push(a);
  await until('a few commits', async () => (await metric(a.url, 'netmon_store_samples_written_total').catch(() => 0)) > 3000, 30_000);
  await sleep(2500 + Math.random() * 2000); // somewhere in the middle of polling and committing
  const committed = await metric(a.url, 'netmon_store_samples_written_total');
  const killedAt = Date.now();
  a.child.kill('SIGKILL');
  expect((await a.exited).signal).toBe('SIGKILL');

  const db = new Database(dbFile, { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();
  const stored = countStored();
  // everything acknowledged before the last scrape is on disk (commits after it may be too)
  expect(stored.samples).toBeGreaterThanOrEqual(committed);
  expect(stored.series).toBeGreaterThan(100);

  const b = await spawnDaemon(cfg.file);
  daemons.push(b);
  await until('writes after restart', async () => (await metric(b.url, 'netmon_store_samples_written_total').catch(() => 0)) > 0, 30_000);
  const traffic = (await (await fetch(`${b.url}api/v1/uplinks/domestic/traffic?range=1h`)).json()) as { in: { series: { ts: number[] } | null } };
  const ts = traffic.in.series?.ts ?? [];
  expect(ts.some((t) => t < killedAt - 2000)).toBe(true); // history from before the kill is served
  const { code, signal } = await b.stop();
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  const after = countStored();
  expect(after.samples).toBeGreaterThan(stored.samples);
}, 60_000);
