/** CounterTracker: wraps, gaps (never zeros) and where a plausibility limit applies, without the network. */
import { describe, expect, it } from 'vitest';
import { AGENT_CACHE_SLACK_S, CounterTracker, judgeInterval, SPEED_FACTOR } from '../../probes/snmp/counters.js';

const W = 2n ** 32n;
const T0 = 1_000_000;
const MBIT = 125_000; // octets/s per Mbit/s

describe('judgeInterval', () => {
  it('Counter64: any increase is believed, whatever the speed; a decrease is a reset', () => {
    expect(judgeInterval(0n, 10n ** 15n, 64, 1, 10 * MBIT)).toEqual({ delta: 10n ** 15n, wrapped: false });
    expect(judgeInterval(5n, 4n, 64, 60)).toEqual({ discard: 'reset' });
  });

  it('Counter32 at a known speed: the limit is speed × 4 × (Δt + slack), and ambiguity starts where two wraps fit at the port speed', () => {
    const speed = 10 * MBIT; // 10 Mbit/s
    const limit = speed * SPEED_FACTOR * (10 + AGENT_CACHE_SLACK_S); // 75 MB in 10 s
    expect(limit).toBe(75_000_000);
    expect(judgeInterval(0n, BigInt(limit), 32, 10, speed)).toEqual({ delta: BigInt(limit), wrapped: false });
    expect(judgeInterval(0n, BigInt(limit) + 1n, 32, 10, speed)).toEqual({ discard: 'implausible_rate' });
    // a wrap that fits the limit is unfolded; one that does not is a reset
    expect(judgeInterval(W - 1000n, 5000n, 32, 10, speed)).toEqual({ delta: 6000n, wrapped: true });
    expect(judgeInterval(W - 1000n, BigInt(limit), 32, 10, speed)).toEqual({ discard: 'reset' });
    // 1 Gbit/s carries at most 125 MB/s: at 20 s (3.1 GB with the slack) one wrap at most, at 30 s
    // (4.4 GB) maybe two
    const g = 1000 * MBIT;
    expect(judgeInterval(100n, 200n, 32, 20, g)).toEqual({ delta: 100n, wrapped: false });
    expect(judgeInterval(100n, 200n, 32, 30, g)).toEqual({ discard: 'ambiguous_wrap' });
    expect(judgeInterval(W - 100n, 100n, 32, 30, g)).toEqual({ discard: 'ambiguous_wrap' });
    expect(judgeInterval(200n, 100n, 32, 30, g)).toEqual({ delta: W - 100n, wrapped: true }); // a second wrap would be 8.6 GB
  });

  it('Counter32 without a speed: serial-number arithmetic (a wrap only under 2^31)', () => {
    expect(judgeInterval(W - 10n, 10n, 32, 60)).toEqual({ delta: 20n, wrapped: true });
    expect(judgeInterval(3_000_000_000n, 2_000_000_000n, 32, 60)).toEqual({ discard: 'reset' });
    expect(judgeInterval(0n, W - 1n, 32, 60)).toEqual({ delta: W - 1n, wrapped: false });
  });

  it('Counter32 on a port of unknown speed (0): a decrease is a reset, never a wrap (a cleared counter looks the same)', () => {
    expect(judgeInterval(3_500_000_000n, 0n, 32, 20, 0)).toEqual({ discard: 'reset' });
    expect(judgeInterval(W - 10n, 10n, 32, 20, 0)).toEqual({ discard: 'reset' });
    expect(judgeInterval(10n, 20n, 32, 20, 0)).toEqual({ delta: 10n, wrapped: false });
  });
});

describe('CounterTracker', () => {
  it('exports Counter64 values exactly as read while nothing odd happens', () => {
    const c = new CounterTracker();
    expect(c.update('k', 2n ** 63n, 64, T0)).toBe(2n ** 63n);
    expect(c.update('k', 2n ** 63n + 5n, 64, T0 + 60_000)).toBe(2n ** 63n + 5n);
  });

  it('a Counter64 far above its port speed is exact (lo says 10 Mbit/s and carries 40): no limit without a discontinuity', () => {
    const c = new CounterTracker();
    const lo = 10 * MBIT;
    c.update('k', 1_000n, 64, T0, lo);
    // 40 Mbit/s for 10 s, then 10 TB in a minute on the same "10 Mbit/s" port
    expect(c.update('k', 1_000n + 50_000_000n, 64, T0 + 10_000, lo)).toBe(50_001_000n);
    expect(c.update('k', 50_001_000n + 10n ** 13n, 64, T0 + 70_000, lo)).toBe(50_001_000n + 10n ** 13n);
    expect(c.stats.discarded).toEqual({ ambiguous_wrap: 0, implausible_rate: 0, reset: 0, discontinuity: 0 });
  });

  it('unfolds one Counter32 wrap when one wrap at the modelled speed explains it', () => {
    const c = new CounterTracker();
    c.update('k', W - 1000n, 32, T0, 12_500_000); // 100 Mbit/s in octets/s
    expect(c.update('k', 500n, 32, T0 + 60_000, 12_500_000)).toBe(W + 500n);
    expect(c.stats.wraps).toBe(1);
    expect(c.update('k', 9_000n, 32, T0 + 120_000, 12_500_000)).toBe(W + 9_000n);
  });

  it('an ambiguous Counter32 interval is a gap, not a zero: no sample, and the total carries on from where it was', () => {
    const c = new CounterTracker();
    const oneG = 1000 * MBIT;
    expect(c.update('k', 100n, 32, T0, oneG)).toBe(100n);
    expect(c.update('k', 300n, 32, T0 + 60_000, oneG)).toBeUndefined();
    expect(c.stats.discarded.ambiguous_wrap).toBe(1);
    // polled fast enough again (2 s), the next interval adds its own increase to the carried total
    expect(c.update('k', 1_300n, 32, T0 + 62_000, oneG)).toBe(1_100n);
    expect(c.update('k', 2_300n, 32, T0 + 64_000, oneG)).toBe(2_100n);
  });

  it('a Counter32 rising faster than 4× its speed is a gap (implausible_rate), then counting continues', () => {
    const c = new CounterTracker();
    const lo = 10 * MBIT;
    c.update('k', 0n, 32, T0, lo);
    // 200 Mbit/s for 10 s = 250 MB, on a port that says 10 Mbit/s: how many wraps were there? unknown
    expect(c.update('k', 250_000_000n, 32, T0 + 10_000, lo)).toBeUndefined();
    expect(c.stats.discarded.implausible_rate).toBe(1);
    expect(c.update('k', 260_000_000n, 32, T0 + 20_000, lo)).toBe(10_000_000n);
  });

  it('a decrease no single wrap explains is a reset gap: the total never goes backwards', () => {
    const c = new CounterTracker();
    c.update('k', 10n ** 15n, 64, T0);
    expect(c.update('k', 5n, 64, T0 + 1000)).toBeUndefined();
    expect(c.update('k', 15n, 64, T0 + 2000)).toBe(10n ** 15n + 10n);
    c.update('j', 3_000_000_000n, 32, T0);
    expect(c.update('j', 2_000_000_000n, 32, T0 + 60_000)).toBeUndefined();
    expect(c.update('j', 2_000_000_100n, 32, T0 + 120_000)).toBe(3_000_000_100n);
    expect(c.stats.discarded.reset).toBe(2);
  });

  it('resetAll (sysUpTime went back) and a discontinuity make the next interval a gap', () => {
    const c = new CounterTracker();
    c.update('a', 100n, 64, T0);
    c.update('b', 100n, 64, T0);
    c.resetAll();
    expect(c.update('a', 150n, 64, T0 + 1000)).toBeUndefined();
    expect(c.update('a', 170n, 64, T0 + 2000)).toBe(120n);
    expect(c.update('b', 300n, 64, T0 + 3000, undefined, true)).toBeUndefined();
    expect(c.update('b', 301n, 64, T0 + 4000)).toBe(101n);
    expect(c.stats.discarded.discontinuity).toBe(2);
  });

  it('whatever the readings, the exported total never decreases', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const bits of [32, 64] as const) {
      const c = new CounterTracker();
      let last = -1n;
      let t = T0;
      for (let i = 0; i < 5000; i++) {
        t += 1000 + Math.floor(rnd() * 60_000);
        const raw = BigInt(Math.floor(rnd() * 2 ** 32));
        const total = c.update('k', raw, bits, t, rnd() < 0.5 ? 10 * MBIT : undefined, rnd() < 0.01);
        if (total === undefined) continue;
        expect(total >= last).toBe(true);
        last = total;
      }
    }
  });

  it('forgets series that disappear', () => {
    const c = new CounterTracker();
    c.update('a', 1n, 64, T0);
    c.update('b', 1n, 64, T0);
    c.retain(new Set(['a']));
    expect(c.size).toBe(1);
  });
});
