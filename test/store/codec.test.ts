import { describe, expect, it } from 'vitest';
import { gen, rng, sameValues } from '../helpers/values.js';
import { ByteReader, ByteWriter, decodeBlock, decodeColumn, decodeChunk, encodeBlock, encodeChunk, encodeColumnBoth } from '../../src/store/codec.js';

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
