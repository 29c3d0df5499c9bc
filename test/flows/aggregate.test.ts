/**
 * The minute aggregator counts a flow once per src → dst pair and derives the single dimensions when the
 * minute closes; flows of a pair with another app (or site) are counted directly. Both paths must add up to
 * the same exact totals, with top N + other per dimension, and the open minute must not be changed by reading it.
 */
import { describe, expect, it } from 'vitest';
import { MinuteAggregator, type FlowRow } from '../../src/flows/aggregate.js';
import type { Attributed } from '../../src/flows/attribute.js';

const T = Date.UTC(2026, 11, 1, 9);
const flow = (src: string, dst: string, app: string, bytes: number, site = 'so-y-te'): Attributed => ({ uplink: 'international', direction: 'out', site, service: 'unknown', app, src, dst, bytes, packets: 1 });
const of = (rows: FlowRow[], dim: FlowRow['dim']) => Object.fromEntries(rows.filter((r) => r.dim === dim).map((r) => [r.key, r.bytes]));

describe('minute aggregator', () => {
  it('derives site, app, src and dst from the pairs, counts a pair\'s other apps directly, and keeps top N + other exact', () => {
    const closed: FlowRow[][] = [];
    const agg = new MinuteAggregator(2, (rows) => closed.push(rows));
    agg.add(T, flow('10.20.16.9', '203.113.1.1', 'HTTPS', 100));
    agg.add(T, flow('10.20.16.9', '203.113.1.1', 'HTTPS', 50));
    agg.add(T, flow('10.20.16.9', '203.113.1.1', 'DNS', 7)); // same pair, another app: the direct path
    agg.add(T, flow('10.20.16.9', '203.113.1.1', 'HTTPS', 3, 'ttdl')); // a reload moved its site
    agg.add(T, flow('10.20.16.10', '203.113.1.2', 'SMTP', 40));
    agg.add(T, flow('10.20.16.11', '203.113.1.3', 'HTTPS', 20));
    const open = agg.open();
    expect(of(agg.open(), 'app')).toEqual(of(open, 'app')); // reading the open minute changed nothing
    agg.roll(T + 60e3);
    const rows = closed[0]!;
    expect(rows).toEqual(open);
    expect(of(rows, 'app')).toEqual({ HTTPS: 173, SMTP: 40, other: 7 });
    expect(of(rows, 'site')).toEqual({ 'so-y-te': 217, ttdl: 3 });
    expect(of(rows, 'src')).toEqual({ '10.20.16.9': 160, '10.20.16.10': 40, other: 20 });
    expect(of(rows, 'dst')).toEqual({ '203.113.1.1': 160, '203.113.1.2': 40, other: 20 });
    expect(of(rows, 'pair')).toEqual({ '10.20.16.9 > 203.113.1.1': 160, '10.20.16.10 > 203.113.1.2': 40, other: 20 });
  });

  it('past maxKeys pairs, new pairs go to other and their single dimensions stay exact', () => {
    const closed: FlowRow[][] = [];
    const agg = new MinuteAggregator(10, (rows) => closed.push(rows), 3);
    for (let i = 0; i < 6; i++) agg.add(T, flow(`10.20.16.${i}`, '203.113.1.1', i < 3 ? 'HTTPS' : 'DNS', 10));
    agg.flush();
    const rows = closed[0]!;
    expect(agg.overflowed).toBeGreaterThanOrEqual(3);
    expect(of(rows, 'app')).toEqual({ HTTPS: 30, DNS: 30 });
    expect(Object.values(of(rows, 'pair')).reduce((a, b) => a + b)).toBe(60);
    expect(of(rows, 'pair').other).toBe(30);
  });
});
