/**
 * A disk-full retry of the store must not stall the event loop with the size of the head log. Before
 * issue 24, every retry after a failed commit rebuilt memory by re-reading the whole head log (0.65 s per
 * retry on the reference network, growing through the hour). Now a failed commit undoes its own changes
 * in memory, and a retry is one batch's commit. The test fills a store with half an hour of open-hour
 * samples (all in the head log), fills the disk, lets the store's own retry timer run against it while
 * an event-loop delay histogram watches, and checks that what was queued (across an hour boundary, with
 * series created during the outage) is all there, exactly, once space returns.
 *
 * Figures: STALL_SERIES=2000 (default) npx vitest run test/faults/store-retry-stall.test.ts
 */
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { openStore, type TimeSeriesStore } from '../../src/store/index.js';
import type { Sample } from '../../src/types.js';
import { requireTool } from '../helpers/requireTool.js';
import { captureLog, fill, mountTmpfs, round, until, type Tmpfs, cleanupAfterEach } from './helpers.js';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const SERIES = Number(process.env.STALL_SERIES ?? 2000);
const ROUNDS = 180; // 30 minutes at 10 s: all of it in the open hour, so in the head log

const cleanups = cleanupAfterEach();

/** Raw samples of every series of `metric` within [from, to] (chunks + the open hour). */
function countSamples(store: TimeSeriesStore, metric: string, from: number, to: number): number {
  const q = (store as unknown as { queries: { raw(id: number, from: number, to: number): { ts: number[] } } }).queries;
  let n = 0;
  for (const s of store.findSeries(metric)) n += q.raw(s.id, from, to).ts.filter((t) => t >= from && t <= to).length;
  return n;
}

const newSeries = (ts: number, n: number): Sample[] =>
  Array.from({ length: n }, (_, k) => ({ metric: 'fault_new_total', labels: { target: `n${k}` }, value: ts / 1000, ts, type: 'counter' as const }));

const root = requireTool({ root: true, commands: ['mount', 'umount'] }, 'store retry stall (tmpfs mount)');

describe.runIf(root)('store retry on a full disk', () => {
  it('stalls the event loop for one batch, not for the head log; what waited is committed exactly', async () => {
    const fs: Tmpfs = mountTmpfs('96m');
    cleanups.push(() => fs.cleanup());
    const file = join(fs.dir, 'netmon.db');
    const log = captureLog();
    const store = openStore(file, { jobs: false, flushIntervalMs: 50, retryMaxMs: 200, log });
    cleanups.push(() => store.close());
    for (let r = 0; r < ROUNDS; r++) {
      store.write(round(T0 + r * 10_000, SERIES));
      store.flush();
    }
    const before = store.stats().samplesWritten;
    expect(before).toBe(ROUNDS * SERIES);

    // What a re-read of the head log costs: opening the file replays it.
    let t = performance.now();
    openStore(file, { jobs: false }).close();
    const replayMs = performance.now() - t;

    const filler = fill(fs.dir);
    // The outage: 10 more rounds, then the next hour starts (its first samples close every open chunk
    // inside the failing transaction) and new series appear.
    const outage: Sample[][] = [];
    for (let r = ROUNDS; r < ROUNDS + 10; r++) outage.push(round(T0 + r * 10_000, SERIES));
    const nextHour = T0 + 3_600_000;
    outage.push([...round(nextHour, SERIES), ...newSeries(nextHour, 50)]);
    const h = monitorEventLoopDelay({ resolution: 5 });
    for (const batch of outage) store.write(batch);
    await until('a failed commit', () => store.stats().writeErrors > 0, 10_000);
    h.enable();
    t = Date.now();
    await until('retries against the full disk', () => store.stats().writeErrors >= 12, 30_000);
    h.disable();
    const stallMs = h.max / 1e6;
    const retries = store.stats().writeErrors;
    console.log(
      `head log ${before} samples (${SERIES} series x ${ROUNDS}); replay at open ${replayMs.toFixed(0)} ms; ` +
        `${retries} failed commits in ${Date.now() - t} ms, longest event-loop stall ${stallMs.toFixed(0)} ms (p99 ${(h.percentile(99) / 1e6).toFixed(0)} ms)`,
    );
    expect(store.stats().samplesWritten).toBe(before);
    expect(stallMs).toBeLessThan(Math.max(200, replayMs / 4)); // before: 1,366 ms on this test
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(1); // one line for the episode

    unlinkSync(filler);
    await until('queued samples committed', () => store.stats().pending === 0, 20_000);
    const queued = outage.reduce((n, b) => n + b.length, 0);
    expect(store.stats()).toMatchObject({ samplesWritten: before + queued, samplesDropped: 0, samplesRejected: { out_of_order: 0, duplicate: 0, invalid: 0 } });
    // Exactly what was written, once: the closed hour as chunks, the new hour and the new series open.
    expect(countSamples(store, 'fault_bytes_total', T0, nextHour - 1)).toBe((ROUNDS + 10) * SERIES);
    expect(countSamples(store, 'fault_bytes_total', nextHour, nextHour)).toBe(SERIES);
    expect(store.findSeries('fault_new_total')).toHaveLength(50);
    expect(countSamples(store, 'fault_new_total', nextHour, nextHour)).toBe(50);
    store.close();
    const again = openStore(file, { jobs: false });
    cleanups.push(() => again.close());
    expect(countSamples(again, 'fault_bytes_total', T0, nextHour)).toBe((ROUNDS + 11) * SERIES);
    expect(again.findSeries('fault_new_total').map((s) => s.labels.target).sort()).toEqual(Array.from({ length: 50 }, (_, k) => `n${k}`).sort());
  }, 90_000);
});
