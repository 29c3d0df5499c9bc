/** Per-cycle statistics of one target's echoes. All times in seconds (Prometheus base unit). */

export interface PingStats {
  sent: number;
  received: number;
  /** (sent - received) / sent; 1 when nothing was sent. */
  loss: number;
  /** Received RTTs, ascending: the smoke a graph draws. */
  sorted: number[];
  /** Undefined when nothing came back. */
  min?: number;
  max?: number;
  mean?: number;
  median?: number;
  /** Population standard deviation (like ping's mdev): the cycle is the whole population we describe. */
  stddev?: number;
  /** Mean |RTT[i] - RTT[i-1]| over consecutive received echoes in send order; needs two replies. */
  jitter?: number;
}

/** Linear interpolation between closest ranks (R type 7 / numpy default). `sorted` must be ascending and non-empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of empty list');
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

/** @param rtts one entry per echo sent, in send order: RTT in seconds, or null when lost. */
export function computeStats(rtts: readonly (number | null)[]): PingStats {
  const sent = rtts.length;
  const got: number[] = [];
  let jitterSum = 0;
  let pairs = 0;
  let prev: number | undefined;
  for (const r of rtts) {
    if (r === null || !Number.isFinite(r)) continue;
    got.push(r);
    if (prev !== undefined) {
      jitterSum += Math.abs(r - prev);
      pairs++;
    }
    prev = r;
  }
  const received = got.length;
  const loss = sent === 0 ? 1 : (sent - received) / sent;
  const sorted = got.slice().sort((x, y) => x - y);
  const s: PingStats = { sent, received, loss, sorted };
  if (received === 0) return s;
  let sum = 0;
  for (const v of got) sum += v;
  const mean = sum / received;
  let sq = 0;
  for (const v of got) sq += (v - mean) * (v - mean);
  s.min = sorted[0]!;
  s.max = sorted[received - 1]!;
  s.mean = mean;
  s.median = quantile(sorted, 0.5);
  s.stddev = Math.sqrt(sq / received);
  if (pairs > 0) s.jitter = jitterSum / pairs;
  return s;
}
