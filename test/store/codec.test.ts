import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, decodeBlock, decodeColumn, decodeChunk, encodeBlock, encodeChunk, encodeColumnBoth } from '../../src/store/codec.js';

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EDGE = [0, -0, 1, -1, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 2 ** 52 + 0.5, 1e300, -1e-300,
  Number.MIN_VALUE, Number.MAX_VALUE, 0.1, -7.25, 0.000123, 123456789.123, 2 ** 64, 18446744073709552000];

function sameValues(a: number[], b: number[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) throw new Error(`value ${i}: expected ${b[i]} got ${a[i]}`);
  }
}

function gen(r: () => number, kind: number, n: number): number[] {
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

describe('codec', () => {
  it('varints round-trip up to 2^53, signed', () => {
    const vals = [0, 1, -1, 127, 128, -129, 2 ** 31, -(2 ** 31), 2 ** 32 + 5, 2 ** 52, -(2 ** 52), 2 ** 53];
    const w = new ByteWriter(4);
    for (const v of vals) w.svarint(v);
    w.uvarint(2 ** 53);
    const r = new ByteReader(w.finish());
    for (const v of vals) expect(r.svarint()).toBe(v);
    expect(r.uvarint()).toBe(2 ** 53);
  });

  it('columns and timestamps round-trip bit-exactly (property style)', () => {
    const r = rng(42);
    for (let iter = 0; iter < 600; iter++) {
      const n = Math.floor(r() * 200);
      const kind = iter % 6;
      const values = gen(r, kind, n);
      const ts: number[] = [];
      let t = 1_700_000_000_000 + Math.floor(r() * 1e9);
      for (let i = 0; i < n; i++) {
        t += iter % 3 === 0 ? 60_000 : 1 + Math.floor(r() * (r() < 0.1 ? 1e8 : 70_000)); // regular and irregular
        ts.push(t);
      }
      const c = decodeChunk(encodeChunk(ts, values));
      expect(c.ts).toEqual(ts);
      sameValues(c.values, values);
      // both encodings are valid on their own
      const [asInt, asGorilla] = encodeColumnBoth(values);
      for (const enc of [asInt, asGorilla]) {
        if (!enc) continue;
        const out: number[] = [];
        decodeColumn(new ByteReader(enc), n, out);
        sameValues(out, values);
      }
    }
  });

  it('multi-column blocks round-trip', () => {
    const r = rng(7);
    for (let iter = 0; iter < 100; iter++) {
      const n = 1 + Math.floor(r() * 50);
      const ts = Array.from({ length: n }, (_, i) => i * 300_000 + 1_700_000_000_000);
      const cols = [0, 1, 2, 3, 4, 5].map((k) => gen(r, k, n));
      const b = decodeBlock(encodeBlock(ts, cols));
      expect(b.ts).toEqual(ts);
      cols.forEach((c, k) => sameValues(b.cols[k]!, c));
    }
  });

  it('compresses typical data well and picks the smaller encoding', () => {
    const n = 60;
    const ts = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 60_000 + ((i * 7919) % 30));
    const counter = gen(rng(1), 0, n).map((_, i) => 1e12 + i * 3_000_000 + ((i * 104729) % 500_000));
    const status = Array.from({ length: n }, () => 1);
    const dbm = gen(rng(2), 1, n);
    expect(encodeChunk(ts, counter).length / n).toBeLessThan(5);
    expect(encodeChunk(ts, status).length / n).toBeLessThan(1.5);
    expect(encodeChunk(ts, dbm).length / n).toBeLessThan(2.5);
    const [i, g] = encodeColumnBoth(status);
    expect(g.length).toBeLessThan(i!.length); // constant: Gorilla's 1 bit beats a varint byte
  });

  it('rejects truncated input instead of returning garbage', () => {
    const blk = encodeChunk([1, 2, 3], [1.5, 2.5, 3.25]);
    expect(() => decodeChunk(blk.subarray(0, blk.length - 2))).toThrow();
  });
});
