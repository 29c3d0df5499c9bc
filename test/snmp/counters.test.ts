/** CounterTracker: wraps, resets and the rate ceiling, without the network. */
import { describe, expect, it } from 'vitest';
import { CounterTracker } from '../../probes/snmp/counters.js';

const W = 2n ** 32n;
const T0 = 1_000_000;

describe('CounterTracker', () => {
  it('exports Counter64 values exactly as read while nothing odd happens', () => {
    const c = new CounterTracker();
    expect(c.update('k', 2n ** 63n, 64, T0)).toBe(2n ** 63n);
    expect(c.update('k', 2n ** 63n + 5n, 64, T0 + 60_000)).toBe(2n ** 63n + 5n);
  });

  it('unfolds one Counter32 wrap when one wrap at the ceiling explains it', () => {
    const c = new CounterTracker();
    c.update('k', W - 1000n, 32, T0, 12_500_000); // 100 Mbit/s in octets/s
    expect(c.update('k', 500n, 32, T0 + 60_000, 12_500_000)).toBe(W + 500n);
    expect(c.stats.wraps).toBe(1);
    expect(c.update('k', 9_000n, 32, T0 + 120_000, 12_500_000)).toBe(W + 9_000n);
  });

  it('without a ceiling, a wrap must be under half the counter space (RFC 1982), else it is a reset', () => {
    const c = new CounterTracker();
    c.update('k', W - 10n, 32, T0);
    expect(c.update('k', 10n, 32, T0 + 60_000)).toBe(W + 10n);
    c.update('j', 3_000_000_000n, 32, T0);
    expect(c.update('j', 2_000_000_000n, 32, T0 + 60_000)).toBe(0n);
    expect(c.stats.resets).toBe(1);
  });

  it('a Counter32 at 1 Gbit/s polled every minute is ambiguous: no sample, and no rate drawn across it', () => {
    const c = new CounterTracker();
    const oneG = 1.25e8;
    expect(c.update('k', 100n, 32, T0, oneG)).toBe(100n);
    expect(c.update('k', 200n, 32, T0 + 60_000, oneG)).toBeUndefined();
    expect(c.stats.ambiguous).toBe(1);
    // polled fast enough (20 s: 2.5e9 < 2^32) it is usable again, restarting from 0
    expect(c.update('k', 300n, 32, T0 + 80_000, oneG)).toBe(0n);
    expect(c.update('k', 400n, 32, T0 + 100_000, oneG)).toBe(100n);
  });

  it('an increase faster than the ceiling is a reset: the total restarts at 0 (a counter reset, never a spike)', () => {
    const c = new CounterTracker();
    c.update('k', 1_000n, 64, T0, 125_000_000);
    expect(c.update('k', 1_000n + 10n ** 12n, 64, T0 + 60_000, 125_000_000)).toBe(0n);
    expect(c.stats.implausible).toBe(1);
    expect(c.update('k', 2_000n + 10n ** 12n, 64, T0 + 120_000, 125_000_000)).toBe(1_000n);
  });

  it('a Counter64 that goes down is a reset', () => {
    const c = new CounterTracker();
    c.update('k', 10n ** 15n, 64, T0);
    expect(c.update('k', 5n, 64, T0 + 1000)).toBe(0n);
    expect(c.update('k', 15n, 64, T0 + 2000)).toBe(10n);
  });

  it('resetAll (sysUpTime went back) and a discontinuity restart counters at their next reading', () => {
    const c = new CounterTracker();
    c.update('a', 100n, 64, T0);
    c.update('b', 100n, 64, T0);
    c.resetAll();
    expect(c.update('a', 150n, 64, T0 + 1000)).toBe(0n);
    expect(c.update('a', 170n, 64, T0 + 2000)).toBe(20n);
    expect(c.update('b', 300n, 64, T0 + 3000, undefined, true)).toBe(0n);
  });

  it('forgets series that disappear', () => {
    const c = new CounterTracker();
    c.update('a', 1n, 64, T0);
    c.update('b', 1n, 64, T0);
    c.retain(new Set(['a']));
    expect(c.size).toBe(1);
  });
});
