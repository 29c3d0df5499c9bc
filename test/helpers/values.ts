/** Deterministic value generators shared by the codec and open-chunk tests. */
import { expect } from 'vitest';

/** mulberry32: a seeded PRNG, so a failing case can be replayed. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const EDGE = [0, -0, 1, -1, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 2 ** 52 + 0.5, 1e300, -1e-300,
  Number.MIN_VALUE, Number.MAX_VALUE, 0.1, -7.25, 0.000123, 123456789.123, 2 ** 64, 18446744073709552000];

export function sameValues(a: number[], b: number[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) throw new Error(`value ${i}: expected ${b[i]} got ${a[i]}`);
  }
}

/** Series of kind 0 counter, 1 decimal gauge, 2 random doubles, 3 repeats, 4 edge values, 5 near 2^53. */
export function gen(r: () => number, kind: number, n: number): number[] {
  const out: number[] = [];
  let c = Math.floor(r() * 2 ** 50);
  let g = -5 - r() * 5;
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case 0: // counter, occasional reset
        c = r() < 0.02 ? Math.floor(r() * 1000) : c + Math.floor(r() * 1e7);
        out.push(c);
        break;
      case 1: // decimal gauge (dBm)
        g += (r() - 0.5) * 0.1;
        out.push(Math.round(g * 100) / 100);
        break;
      case 2: // random doubles of any magnitude and sign
        out.push((r() - 0.5) * 10 ** Math.floor(r() * 40 - 20));
        break;
      case 3: // repeated values
        out.push(r() < 0.1 ? Math.floor(r() * 3) : (out[i - 1] ?? 1));
        break;
      case 4: // edge values mixed in
        out.push(r() < 0.5 ? EDGE[Math.floor(r() * EDGE.length)]! : Math.floor(r() * 100));
        break;
      default: // huge counters near 2^53
        out.push(2 ** 53 - Math.floor(r() * 1e6));
    }
  }
  return out;
}
