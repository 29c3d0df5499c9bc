import { describe, expect, it } from 'vitest';
import { computeStats, quantile } from '../../probes/icmp/stats.js';

describe('computeStats vs hand computation', () => {
  it('5 echoes, one lost', () => {
    // RTTs (s) in send order: 10, lost, 30, 20, 40 ms
    const s = computeStats([0.01, null, 0.03, 0.02, 0.04]);
    expect(s.sent).toBe(5);
    expect(s.received).toBe(4);
    expect(s.loss).toBeCloseTo(0.2, 12);
    expect(s.sorted).toEqual([0.01, 0.02, 0.03, 0.04]);
    expect(s.min).toBe(0.01);
    expect(s.max).toBe(0.04);
    expect(s.mean).toBeCloseTo(0.025, 12); // 100/4 ms
    expect(s.median).toBeCloseTo(0.025, 12); // (20+30)/2
    // population variance: (15²+5²+5²+15²)/4 = 125 ms² → 11.1803 ms
    expect(s.stddev).toBeCloseTo(Math.sqrt(125) / 1000, 12);
    // consecutive received in send order: 10→30→20→40: |20|+|10|+|20| / 3 = 16.667 ms
    expect(s.jitter).toBeCloseTo(50 / 3 / 1000, 12);
  });

  it('odd count median, constant RTTs have zero stddev and jitter', () => {
    const s = computeStats([0.005, 0.005, 0.005]);
    expect(s.median).toBe(0.005);
    expect(s.stddev).toBe(0);
    expect(s.jitter).toBe(0);
  });

  it('one reply: no jitter; no reply: no RTT stats, loss 1', () => {
    const one = computeStats([null, 0.002, null]);
    expect(one.jitter).toBeUndefined();
    expect(one.stddev).toBe(0);
    expect(one.loss).toBeCloseTo(2 / 3, 12);
    const none = computeStats([null, null]);
    expect(none).toEqual({ sent: 2, received: 0, loss: 1, sorted: [] });
    expect(computeStats([]).loss).toBe(1);
  });

  it('quantile interpolates linearly between ranks', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 1)).toBe(10);
    expect(quantile(xs, 0.5)).toBe(5.5);
    expect(quantile(xs, 0.1)).toBeCloseTo(1.9, 12); // pos 0.9
    expect(quantile(xs, 0.25)).toBeCloseTo(3.25, 12); // pos 2.25
    expect(quantile([7], 0.9)).toBe(7);
    expect(() => quantile([], 0.5)).toThrow();
  });
});
