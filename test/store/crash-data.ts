import type { Sample } from '../../src/types.js';

export const CRASH_T0 = Date.UTC(2025, 0, 1);
export const CRASH_SERIES = 40;
/** Samples per series per batch; one a minute, so a series closes an hourly chunk every 6 batches. */
export const CRASH_PER_BATCH = 10;

export function crashSample(batch: number, series: number, j: number): Sample {
  const minute = batch * CRASH_PER_BATCH + j;
  return {
    metric: 'crash_bytes_total',
    labels: { target: `t${series}` },
    type: 'counter',
    ts: CRASH_T0 + minute * 60_000 + series,
    value: minute * 1000 + series,
  };
}
