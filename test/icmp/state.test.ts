import { describe, expect, it } from 'vitest';
import { classify, DEFAULT_THRESHOLDS as T, ReachabilityTracker } from '../../probes/icmp/state.js';

describe('classify (threshold hysteresis)', () => {
  it('enter and exit levels differ', () => {
    expect(classify('up', 0.1, 10, T)).toBe('up'); // between exit 0.05 and enter 0.15
    expect(classify('degraded', 0.1, 10, T)).toBe('degraded');
    expect(classify('degraded', 0.05, 10, T)).toBe('up');
    expect(classify('up', 0.15, 10, T)).toBe('degraded');
    expect(classify('up', 0, 200, T)).toBe('degraded');
    expect(classify('degraded', 0, 170, T)).toBe('degraded'); // above rtt exit 150
    expect(classify('up', 1, undefined, T)).toBe('down');
    expect(classify('down', 0, 10, T)).toBe('up');
  });
});

describe('ReachabilityTracker (time hysteresis)', () => {
  it('first cycle is adopted at once', () => {
    const t = new ReachabilityTracker();
    expect(t.update('a', 1, undefined)).toBe('down');
    expect(t.update('b', 0, 1)).toBe('up');
  });

  it('one lost echo of 20 never flaps, even repeatedly', () => {
    const t = new ReachabilityTracker();
    t.update('a', 0, 5);
    for (let i = 0; i < 10; i++) expect(t.update('a', i % 2 ? 0.05 : 0, 5)).toBe('up');
  });

  it('a single bad cycle (1 of 5 lost = 20 %) does not flap; two in a row do', () => {
    const t = new ReachabilityTracker();
    t.update('a', 0, 5);
    expect(t.update('a', 0.2, 5)).toBe('up');
    expect(t.update('a', 0, 5)).toBe('up');
    expect(t.update('a', 0.2, 5)).toBe('up');
    expect(t.update('a', 0.2, 5)).toBe('degraded');
    // recovery needs loss ≤ 5 % twice
    expect(t.update('a', 0.1, 5)).toBe('degraded');
    expect(t.update('a', 0, 5)).toBe('degraded');
    expect(t.update('a', 0, 5)).toBe('up');
  });

  it('down after two silent cycles; one silent cycle is not enough', () => {
    const t = new ReachabilityTracker();
    t.update('a', 0, 5);
    expect(t.update('a', 1, undefined)).toBe('up');
    expect(t.update('a', 0, 5)).toBe('up');
    expect(t.update('a', 1, undefined)).toBe('up');
    expect(t.update('a', 1, undefined)).toBe('down');
    expect(t.update('a', 0.5, 5)).toBe('down'); // pending degraded (1)
    expect(t.update('a', 0, 5)).toBe('down'); // pending changes to up (1)
    expect(t.update('a', 0, 5)).toBe('up');
  });

  it('confirmCycles is configurable; retain() forgets removed targets', () => {
    const t = new ReachabilityTracker({ confirmCycles: 1 });
    t.update('a', 0, 5);
    expect(t.update('a', 1, undefined)).toBe('down');
    t.retain(['b']);
    expect(t.get('a')).toBeUndefined();
  });
});
