import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextSlot, Scheduler, slotOffset, type ProbeResult } from '../../src/scheduler.js';
import { probeSet } from '../kit/specs.js';
import type { HostSpec } from '../../probes/host/kind.js';
import type { PingSpec } from '../../probes/icmp/kind.js';
import type { Probe, Sample, Target } from '../../src/types.js';

/** The fake probes below stand in for the `host` kind (one run per target); `ping` is the batch kind. */
function target(name: string, intervalMs = 10_000, kind: 'host' | 'ping' = 'host'): Target {
  const spec: HostSpec | PingSpec = kind === 'host' ? { kind, intervalMs, timeoutMs: 1000, options: {} } : { kind, intervalMs, timeoutMs: 1000, options: { count: 1 } };
  return { name, address: '127.0.0.1', site: 's', role: 'switch', labels: {}, probes: [spec] };
}

/** A probe set whose `host` probe is `host` (and `ping`, when given, the batch one). */
const probes = (host: Probe<HostSpec>, ping?: Probe<PingSpec>) => probeSet({ host, ping });

/** A probe whose runs take `durationMs` of (fake) time and record when they started. */
function fakeProbe(durationMs: number) {
  const starts: { target: string; at: number }[] = [];
  let running = 0;
  let maxRunning = 0;
  const probe: Probe<HostSpec> = {
    kind: 'host',
    async run(t: Target, _spec: HostSpec, signal: AbortSignal): Promise<Sample[]> {
      starts.push({ target: t.name, at: Date.now() });
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, durationMs);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason as Error);
          });
        });
      } finally {
        running--;
      }
      return [{ metric: 'x', labels: { target: t.name }, value: 1, ts: Date.now(), type: 'gauge' }];
    },
  };
  return { probe, starts, maxRunning: () => maxRunning };
}

describe('scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('slots are stable per key and inside the interval', () => {
    expect(slotOffset('a/snmp', 60_000)).toBe(slotOffset('a/snmp', 60_000));
    for (const k of ['a', 'b', 'c', 'd']) {
      const off = slotOffset(k, 60_000);
      expect(off).toBeGreaterThanOrEqual(0);
      expect(off).toBeLessThan(60_000);
      const next = nextSlot(1_000_000, 60_000, off);
      expect(next).toBeGreaterThanOrEqual(1_000_000);
      expect(next - 1_000_000).toBeLessThan(60_000);
      expect((next - off) % 60_000).toBe(0);
    }
  });

  it('spreads starts across the interval and runs each job once per interval', async () => {
    const fake = fakeProbe(10);
    const results: ProbeResult[] = [];
    const s = new Scheduler(probes(fake.probe), { maxConcurrency: 100, onResult: (r) => results.push(r) });
    const targets = Array.from({ length: 50 }, (_, i) => target(`t${i}`));
    s.setTargets(targets);
    const t0 = Date.now();
    s.start();
    await vi.advanceTimersByTimeAsync(30_000);
    await s.stop();
    // 3 intervals of 10 s: every target ran 3 times (±1 depending on its slot against t0)
    for (const t of targets) {
      const n = fake.starts.filter((x) => x.target === t.name).length;
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(3);
    }
    // first starts fall in many different tenths of the interval, not all at once
    const firstStarts = targets.map((t) => fake.starts.find((x) => x.target === t.name)!.at - t0);
    const buckets = new Set(firstStarts.map((ms) => Math.floor(ms / 1000)));
    expect(buckets.size).toBeGreaterThanOrEqual(7);
    expect(results.every((r) => !r.error)).toBe(true);
  });

  it('never overlaps a job with itself: a slow run skips the next slot and counts it', async () => {
    const fake = fakeProbe(25_000); // longer than the 10 s interval, shorter than... the 9 s deadline aborts it
    const results: ProbeResult[] = [];
    const s = new Scheduler(probes(fake.probe), { maxConcurrency: 10, onResult: (r) => results.push(r) });
    s.setTargets([target('slow')]);
    s.start();
    await vi.advanceTimersByTimeAsync(60_000);
    await s.stop();
    expect(fake.maxRunning()).toBe(1);
    // each run hits the 9 s deadline (0.9 × interval), so it ends before the next slot: no skips, only timeouts
    expect(results.length).toBeGreaterThanOrEqual(5);
    // (a run cancelled by stop() produces no result at all)
    expect(results.every((r) => r.error?.reason === 'timeout')).toBe(true);
    expect(s.getStats().skipped.host ?? 0).toBe(0);
  });

  it('counts a skipped cycle when a run ignores its deadline', async () => {
    // A probe that does not honour the abort signal keeps running past its slot.
    let active = 0;
    let maxActive = 0;
    const stubborn: Probe<HostSpec> = {
      kind: 'host',
      async run() {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 25_000));
        active--;
        return [];
      },
    };
    const s = new Scheduler(probes(stubborn), { maxConcurrency: 10, onResult: () => undefined });
    s.setTargets([target('stubborn')]);
    s.start();
    await vi.advanceTimersByTimeAsync(100_000);
    const stopped = s.stop();
    await vi.advanceTimersByTimeAsync(30_000); // the stubborn run ignores the abort and ends on its own
    await stopped;
    expect(maxActive).toBe(1);
    // runs take 25 s at a 10 s interval: of every 3 slots, 2 are skipped
    const { runs, skipped } = s.getStats();
    expect(runs.host).toBeGreaterThanOrEqual(3);
    expect(skipped.host).toBeGreaterThanOrEqual(2 * (runs.host! - 1));
  });

  it('stop() aborts runs in flight instead of waiting for them', async () => {
    const fake = fakeProbe(8000);
    const results: ProbeResult[] = [];
    const s = new Scheduler(probes(fake.probe), { maxConcurrency: 10, onResult: (r) => results.push(r) });
    s.setTargets([target('a')]);
    s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.starts.length).toBe(1);
    await s.stop(); // would hang with fake timers if it waited for the 8 s run
    // Cancelled by the stop: not the target's failure, so no result reaches any consumer.
    expect(results).toEqual([]);
    expect(fake.maxRunning()).toBe(1);
  });

  it('a run whose job a reload removes or changes produces no result', async () => {
    const fake = fakeProbe(8000);
    const results: ProbeResult[] = [];
    const s = new Scheduler(probes(fake.probe), { maxConcurrency: 10, onResult: (r) => results.push(r) });
    s.setTargets([target('a'), target('b')]);
    s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.starts.map((x) => x.target).sort()).toEqual(['a', 'b']);
    // While both runs are in flight: `a` is reconfigured (new interval), `b` kept.
    s.setTargets([target('a', 20_000), target('b')]);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(results.map((r) => r.target.name)).toEqual(['b']);
    expect(results[0]!.error).toBeUndefined();
    await s.stop();
  });

  it('runOnce runs a target now, outside its schedule, through onResult as a scheduled run would', async () => {
    const fake = fakeProbe(100);
    const seen: ProbeResult[] = [];
    const s = new Scheduler(probes(fake.probe), { maxConcurrency: 10, onResult: (r) => seen.push(r) });
    s.setTargets([target('a'), target('b')]);
    const pending = s.runOnce('a');
    await vi.advanceTimersByTimeAsync(200);
    const results = await pending;
    expect(results.map((r) => [r.target.name, r.kind, r.samples.length, r.error])).toEqual([['a', 'host', 1, undefined]]);
    // the same result objects went to the consumer, as from a scheduled run
    expect(seen).toEqual(results);
    expect(seen[0]).toBe(results[0]);
    expect(fake.starts.map((x) => x.target)).toEqual(['a']);
  });

  it('bounds global concurrency', async () => {
    const fake = fakeProbe(3000);
    const s = new Scheduler(probes(fake.probe), { maxConcurrency: 4, onResult: () => undefined });
    s.setTargets(Array.from({ length: 40 }, (_, i) => target(`t${i}`, 10_000)));
    s.start();
    await vi.advanceTimersByTimeAsync(20_000);
    await s.stop();
    expect(fake.maxRunning()).toBe(4);
    expect(fake.starts.length).toBeGreaterThan(10);
  });

  it('a reload keeps unchanged jobs and replaces changed ones', () => {
    const fake = fakeProbe(1);
    const s = new Scheduler(probes(fake.probe), { maxConcurrency: 4, onResult: () => undefined });
    expect(s.setTargets([target('a'), target('b')])).toEqual({ added: 2, removed: 0, kept: 0 });
    expect(s.setTargets([target('a'), target('b', 20_000), target('c')])).toEqual({ added: 2, removed: 1, kept: 1 });
    expect(s.setTargets([target('c')])).toEqual({ added: 0, removed: 2, kept: 1 });
  });

  it('a failing probe becomes an error result, not a crash', async () => {
    const broken: Probe<HostSpec> = {
      kind: 'host',
      run() {
        return Promise.reject(new Error('boom'));
      },
    };
    const results: ProbeResult[] = [];
    const s = new Scheduler(probes(broken), { maxConcurrency: 4, onResult: (r) => results.push(r) });
    s.setTargets([target('x')]);
    s.start();
    await vi.advanceTimersByTimeAsync(25_000);
    await s.stop();
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(results[0]!.error?.reason).toBe('internal');
    expect(results[0]!.error?.message).toBe('boom');
  });

  it('logs a failing target once, then a summary with a count every 5 minutes, and once when it recovers', async () => {
    let failing = true;
    const flaky: Probe<HostSpec> = {
      kind: 'host',
      run() {
        if (failing) return Promise.reject(new Error('no answer'));
        return Promise.resolve([]);
      },
    };
    const lines: { level: string; msg: string; extra?: Record<string, unknown> }[] = [];
    let failedX = 0;
    const onResult = (r: ProbeResult) => void (r.error && r.target.name === 'x' && failedX++);
    const s = new Scheduler(probes(flaky), { maxConcurrency: 4, onResult, log: (level, msg, extra) => lines.push({ level, msg, extra }) });
    s.setTargets([target('x'), target('y')]);
    s.start();
    await vi.advanceTimersByTimeAsync(11 * 60_000); // 66 failed runs per target, one every 10 s
    const forX = () => lines.filter((l) => l.extra?.target === 'x');
    expect(forX().map((l) => l.msg)).toEqual([
      'probe failed',
      expect.stringMatching(/^probe failed \(still happening: 30 more since the last line, 31 in all\)$/),
      expect.stringMatching(/^probe failed \(still happening: 30 more since the last line, 61 in all\)$/),
    ]);
    expect(forX()[0]).toMatchObject({ level: 'warn', extra: { target: 'x', probe: 'host', reason: 'internal', err: 'no answer' } });
    expect(lines.filter((l) => l.extra?.target === 'y')).toHaveLength(3);
    failing = false;
    await vi.advanceTimersByTimeAsync(60_000);
    await s.stop();
    expect(forX().slice(3)).toEqual([{ level: 'info', msg: 'probe recovered', extra: expect.objectContaining({ target: 'x', probe: 'host', total: failedX }) }]);
    expect(failedX).toBe(66);
  });

  it('batches targets of a batch probe into one run per interval', async () => {
    const calls: string[][] = [];
    const batch = {
      kind: 'ping' as const,
      run(): Promise<Sample[]> {
        return Promise.reject(new Error('not used'));
      },
      runMany(items: { target: Target }[]) {
        calls.push(items.map((i) => i.target.name));
        return Promise.resolve(new Map(items.map((i) => [i.target.name, [] as Sample[]])));
      },
    };
    const results: ProbeResult[] = [];
    const s = new Scheduler(probes(fakeProbe(1).probe, batch), { maxConcurrency: 4, onResult: (r) => results.push(r) });
    s.setTargets([target('a', 10_000, 'ping'), target('b', 10_000, 'ping'), target('c', 20_000, 'ping')]);
    s.start();
    await vi.advanceTimersByTimeAsync(20_000);
    await s.stop();
    expect(calls.some((c) => c.length === 2 && c.includes('a') && c.includes('b'))).toBe(true);
    expect(calls.every((c) => c.length === 2 || (c.length === 1 && c[0] === 'c'))).toBe(true);
    expect(results.filter((r) => r.target.name === 'a').every((r) => !r.error)).toBe(true);
  });
});
