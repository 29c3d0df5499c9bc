import { describe, expect, it } from 'vitest';
import { classify, DEFAULT_THRESHOLDS as T, latencyLimits, ReachabilityTracker, type PingHistory } from '../../src/status/reachability.js';

const fresh = (): PingHistory => ({ lossHigh: false, rttHigh: false });

describe('classify (threshold hysteresis per cause)', () => {
  it('loss: enters at 15 %, leaves at 5 %', () => {
    const h = fresh();
    expect(classify(h, 0.1, 10, T).state).toBe('up'); // between exit 0.05 and enter 0.15
    expect(classify(h, 0.15, 10, T)).toEqual({ state: 'degraded', reasons: ['loss'] });
    expect(classify(h, 0.1, 10, T)).toEqual({ state: 'degraded', reasons: ['loss'] }); // above the exit level
    expect(classify(h, 0.05, 10, T).state).toBe('up');
  });
  it('no reply at all is down; coming back with some loss is degraded until the loss is low', () => {
    const h = fresh();
    expect(classify(h, 1, undefined, T)).toEqual({ state: 'down', reasons: ['ping_down'] });
    expect(classify(h, 0.1, 10, T)).toEqual({ state: 'degraded', reasons: ['loss'] });
    expect(classify(h, 0, 10, T).state).toBe('up');
  });
  it('latency: absolute levels (200 / 150 ms) until a baseline exists', () => {
    expect(latencyLimits(undefined, T)).toEqual({ enterMs: 200, exitMs: 150 });
    const h = fresh();
    expect(classify(h, 0, 200, T)).toEqual({ state: 'degraded', reasons: ['latency'] });
  });
  it('latency levels follow the baseline: max(200, 2B) to enter, max(150, 1.5B) to leave', () => {
    expect(latencyLimits(5, T)).toEqual({ enterMs: 200, exitMs: 150 });
    expect(latencyLimits(151, T)).toEqual({ enterMs: 302, exitMs: 226.5 });
  });
});

describe('the baseline', () => {
  it('falls fast toward lower medians and rises slowly toward higher ones', () => {
    const t = new ReachabilityTracker();
    t.update('a', 0, 100);
    expect(t.baselineMs('a')).toBe(100);
    t.update('a', 0, 50);
    expect(t.baselineMs('a')).toBeCloseTo(85, 6); // 100 + 0.3 × (50 − 100)
    t.update('a', 0, 185);
    expect(t.baselineMs('a')).toBeCloseTo(85.5, 6); // 85 + 0.005 × (185 − 85)
  });

  it('a site whose normal RTT is 151 ms is up again after a congestion episode (issue 15)', () => {
    const t = new ReachabilityTracker();
    for (let i = 0; i < 30; i++) expect(t.update('far', 0, 151 + (i % 3)).state).toBe('up'); // above the old absolute exit of 150 ms
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) seen.push(t.update('far', 0, 420).state); // congestion
    expect(seen.at(-1)).toBe('degraded');
    expect(t.get('far')!.reasons).toEqual(['latency']);
    const after: string[] = [];
    for (let i = 0; i < 3; i++) after.push(t.update('far', 0, 152).state);
    expect(after).toEqual(['degraded', 'up', 'up']); // two cycles to confirm, then up for good
    expect(t.baselineMs('far')).toBeLessThan(160);
  });

  it('a congestion episode of a few hours does not become the normal', () => {
    const t = new ReachabilityTracker();
    for (let i = 0; i < 30; i++) t.update('a', 0, 20);
    for (let i = 0; i < 180; i++) t.update('a', 0, 300); // 3 h at 60 s
    expect(t.get('a')!.state).toBe('degraded');
    expect(t.baselineMs('a')).toBeLessThan(50);
  });
});

describe('ReachabilityTracker (time hysteresis)', () => {
  it('first cycle is adopted at once, with its reasons', () => {
    const t = new ReachabilityTracker();
    expect(t.update('a', 1, undefined)).toEqual({ state: 'down', reasons: ['ping_down'] });
    expect(t.update('b', 0, 1)).toEqual({ state: 'up', reasons: [] });
    expect(t.update('c', 0.2, 250)).toEqual({ state: 'degraded', reasons: ['loss', 'latency'] });
  });

  it('one lost echo of 20 never flaps, even repeatedly', () => {
    const t = new ReachabilityTracker();
    t.update('a', 0, 5);
    for (let i = 0; i < 10; i++) expect(t.update('a', i % 2 ? 0.05 : 0, 5).state).toBe('up');
  });

  it('a single bad cycle (1 of 5 lost = 20 %) does not flap; two in a row do', () => {
    const t = new ReachabilityTracker();
    const st = (loss: number) => t.update('a', loss, 5).state;
    st(0);
    expect(st(0.2)).toBe('up');
    expect(st(0)).toBe('up');
    expect(st(0.2)).toBe('up');
    expect(st(0.2)).toBe('degraded');
    // recovery needs loss ≤ 5 % twice
    expect(st(0.1)).toBe('degraded');
    expect(st(0)).toBe('degraded');
    expect(st(0)).toBe('up');
  });

  it('down after two silent cycles; one silent cycle is not enough; the reasons stay those of the confirmed state', () => {
    const t = new ReachabilityTracker();
    t.update('a', 0, 5);
    expect(t.update('a', 1, undefined)).toEqual({ state: 'up', reasons: [] });
    expect(t.update('a', 0, 5).state).toBe('up');
    expect(t.update('a', 1, undefined).state).toBe('up');
    expect(t.update('a', 1, undefined)).toEqual({ state: 'down', reasons: ['ping_down'] });
    expect(t.update('a', 0.5, 5)).toEqual({ state: 'down', reasons: ['ping_down'] }); // pending degraded (1)
    expect(t.update('a', 0, 5).state).toBe('down'); // pending changes to up (1)
    expect(t.update('a', 0, 5)).toEqual({ state: 'up', reasons: [] });
  });

  it('confirmCycles is configurable; retain() forgets removed targets', () => {
    const t = new ReachabilityTracker({ confirmCycles: 1 });
    t.update('a', 0, 5);
    expect(t.update('a', 1, undefined).state).toBe('down');
    t.retain(['b']);
    expect(t.get('a')).toBeUndefined();
  });
});
