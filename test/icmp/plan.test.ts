import { describe, expect, it } from 'vitest';
import { fpingArgs, planCycle } from '../../probes/icmp/fping.js';
import { Resolver } from '../../probes/icmp/resolve.js';
import { ProbeError } from '../../src/types.js';

describe('planCycle', () => {
  it('spreads N echoes over half the interval; -i keeps a round within half a period', () => {
    const p = planCycle(20, 60_000, 1000, 1000);
    expect(p.periodMs).toBe(1500);
    expect(p.packetIntervalMs).toBe(0.75);
    expect(19 * p.periodMs + p.timeoutMs).toBeLessThan(60_000 * 0.9);
  });
  it('small batches keep fping\'s 10 ms -i; the last timeout must fit in the cycle', () => {
    const p = planCycle(20, 10_000, 5000, 3);
    expect(p.packetIntervalMs).toBe(10);
    expect(19 * p.periodMs + p.timeoutMs).toBeLessThanOrEqual(9000);
    expect(planCycle(5, 100, 50, 1).periodMs).toBe(20); // floor
  });
  it('args always carry -t explicitly (fping 5 would use the period otherwise)', () => {
    const a = fpingArgs(planCycle(20, 60_000, 800, 10));
    expect(a.slice(a.indexOf('-t'), a.indexOf('-t') + 2)).toEqual(['-t', '800']);
    expect(a).toContain('-q');
    expect(a.slice(0, 2)).toEqual(['-C', '20']);
  });
});

describe('Resolver', () => {
  it('literals pass through, names are cached, failures are typed and cached briefly', async () => {
    let calls = 0;
    const r = new Resolver({
      lookupFn: (n) => {
        calls++;
        if (n === 'bad.invalid') return Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
        return Promise.resolve('192.0.2.7');
      },
    });
    expect(await r.resolve('::1')).toBe('::1');
    expect(await r.resolve('[fd00::1]')).toBe('fd00::1');
    expect(calls).toBe(0);
    const [a, b] = await Promise.all([r.resolve('sw1.example'), r.resolve('sw1.example')]);
    expect([a, b]).toEqual(['192.0.2.7', '192.0.2.7']);
    await r.resolve('sw1.example');
    expect(calls).toBe(1);
    await expect(r.resolve('bad.invalid')).rejects.toMatchObject({ reason: 'config' });
    await expect(r.resolve('bad.invalid')).rejects.toBeInstanceOf(ProbeError);
    expect(calls).toBe(2);
  });
  it('a hanging lookup times out', async () => {
    const r = new Resolver({ timeoutMs: 50, lookupFn: () => new Promise(() => {}) });
    await expect(r.resolve('slow.example')).rejects.toMatchObject({ reason: 'timeout' });
  });
});
