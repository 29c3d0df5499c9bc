/**
 * The "own baseline" of a slowly changing series (a fibre's Rx power): hourly means over a sliding window,
 * the baseline being the highest of them. A link that loses 1 dB a day is then N dB below its baseline
 * after N days, whatever level it started at; noise is averaged away within each hour. Buckets are saved
 * when an hour starts (through `persist`), so a restart keeps the baseline.
 */
const HOUR = 3_600_000;

/** [hour start ms, sum, count] */
export type Bucket = [number, number, number];

export interface BaselinePersistence {
  load(key: string): Bucket[] | undefined;
  save(key: string, buckets: Bucket[]): void;
}

export class BaselineTracker {
  private readonly series = new Map<string, Bucket[]>();

  constructor(
    private readonly windowMs: number,
    private readonly persist?: BaselinePersistence,
  ) {}

  /** Add an observation and return the baseline (highest hourly mean in the window, this hour included). */
  update(key: string, ts: number, value: number): number {
    let buckets = this.series.get(key);
    if (!buckets) {
      buckets = this.persist?.load(key) ?? [];
      this.series.set(key, buckets);
    }
    const hour = Math.floor(ts / HOUR) * HOUR;
    const last = buckets[buckets.length - 1];
    if (last && last[0] === hour) {
      last[1] += value;
      last[2] += 1;
    } else if (!last || last[0] < hour) {
      buckets.push([hour, value, 1]);
      while (buckets.length > 0 && buckets[0]![0] < ts - this.windowMs) buckets.shift();
      this.persist?.save(key, buckets);
    }
    // (an observation older than the newest bucket is ignored: out of order)
    let best = -Infinity;
    for (const [, sum, n] of buckets) best = Math.max(best, sum / n);
    return best;
  }

  forget(keep: (key: string) => boolean): void {
    for (const k of this.series.keys()) if (!keep(k)) this.series.delete(k);
  }
}
