import { describe, expect, it } from 'vitest';
import { OpenChunk } from '../../src/store/open-chunk.js';
import { EDGE, gen, rng, sameValues } from '../helpers/values.js';

const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);

/** Timestamps every `stepMs` with up to ±`jitterMs` of jitter, strictly increasing. */
function times(r: () => number, n: number, stepMs: number, jitterMs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(T0 + i * stepMs + Math.round((r() - 0.5) * 2 * jitterMs));
  return out;
}

function fill(ts: number[], vals: number[]): OpenChunk {
  const c = new OpenChunk();
  for (let i = 0; i < ts.length; i++) expect(c.add(ts[i]!, vals[i]!)).toBe(true);
  return c;
}

describe('OpenChunk: the open hour encoded as samples arrive', () => {
  it('round-trips every kind of value bit-exactly (counters, decimals, any double, -0, 2^53+)', () => {
    const r = rng(11);
    for (let kind = 0; kind <= 5; kind++) {
      const ts = times(r, 360, 10_000, 40);
      const vals = gen(r, kind, 360).map((v) => (Number.isFinite(v) ? v : 0));
      const c = fill(ts, vals);
      const d = c.decode();
      expect(d.ts).toEqual(ts);
      sameValues(d.vals, vals);
      expect(c.length).toBe(360);
      expect(c.lastTs).toBe(ts.at(-1));
      expect(Object.is(c.lastValue, vals.at(-1))).toBe(true);
    }
    const edges = EDGE.filter(Number.isFinite);
    const c = fill(edges.map((_, i) => T0 + i), edges);
    sameValues(c.decode().vals, edges);
  });

  it('merges late samples in order and refuses duplicate timestamps', () => {
    const c = new OpenChunk();
    const order = [5, 1, 9, 3, 7, 2, 8];
    for (const i of order) expect(c.add(T0 + i * 1000, i * 1.5)).toBe(true);
    expect(c.add(T0 + 9000, 0)).toBe(false); // duplicate of the last
    expect(c.add(T0 + 3000, 0)).toBe(false); // duplicate in the middle
    expect(c.add(T0 + 10_000, 15)).toBe(true); // appends after a merge keep the delta chain right
    const d = c.decode();
    expect(d.ts).toEqual([1, 2, 3, 5, 7, 8, 9, 10].map((i) => T0 + i * 1000));
    expect(d.vals).toEqual([1, 2, 3, 5, 7, 8, 9, 10].map((i) => i * 1.5));
    expect(c.lastTs).toBe(T0 + 10_000);
  });

  it('costs a few bytes per sample for the shapes probes produce', () => {
    const r = rng(3);
    const n = 360; // one hour at a 10 s interval
    const ts = times(r, n, 10_000, 30);
    let octets = 1e12;
    const shapes: Record<string, number[]> = {
      counter: Array.from({ length: n }, () => (octets += Math.floor(r() * 60e6))),
      status: Array.from({ length: n }, () => 1),
      rtt_seconds: Array.from({ length: n }, () => Math.round((0.002 + r() * 0.03) * 1e6) / 1e6),
      dbm: gen(r, 1, n),
    };
    for (const [name, vals] of Object.entries(shapes)) {
      const c = fill(ts, vals);
      sameValues(c.decode().vals, vals);
      const perSample = c.byteLength / n;
      // 16 B per sample is what two arrays of doubles cost; the limits are what this format should beat
      expect(perSample, name).toBeLessThan(name === 'status' ? 2.5 : name === 'counter' ? 6.5 : 6);
    }
  });
});
