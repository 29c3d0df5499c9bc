/**
 * SNMP agents misbehaving in time: silent (timeout), slow, gone and back, rebooted (sysUpTime and
 * counters back to small values: a counted gap, never a zero, a decrease or a rate spike, all the way into the store), and
 * one slow device among healthy ones in one scheduler (it must never delay the others).
 * A UDP fault proxy (test/kit/udp-proxy.ts) sits between the probe and net-snmp's agent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSnmpProbe, type SnmpProbe } from '../../probes/snmp/index.js';
import { Scheduler, type ProbeResult } from '../../src/scheduler.js';
import { openStore } from '../../src/store/index.js';
import { ProbeError, type Sample } from '../../src/types.js';
import { snmpTarget, startModuleAgent, withTargetLabels, type TestAgent } from '../kit/snmp-agent.js';
import { probeSet } from '../kit/specs.js';
import { advance, ifModule, makeDevice, reboot, type Device } from '../kit/if-device.js';
import { FaultProxy } from '../kit/udp-proxy.js';
import { sleep } from './helpers.js';

const PROFILES = ['system', 'if-mib'];
let closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function rig(d: Device = makeDevice()) {
  const agent: TestAgent = await startModuleAgent(ifModule(d));
  const proxy = await FaultProxy.start(agent.port);
  closers.push(() => agent.close(), () => proxy.close());
  return { d, agent, proxy };
}

function newProbe(now?: () => number): SnmpProbe {
  const p = createSnmpProbe(now ? { now } : {});
  closers.push(() => p.close?.());
  return p;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - t0, value };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

const rx = (s: Sample[], i: string) => s.find((x) => x.metric === 'netmon_interface_receive_bytes_total' && x.labels.if_index === i)?.value;

describe('SNMP agent faults', () => {
  it('a silent agent: a typed timeout error after timeout x tries, nothing longer', async () => {
    const { proxy } = await rig();
    proxy.mode = { kind: 'drop' };
    const probe = newProbe();
    const { target, spec } = snmpTarget(proxy.port, PROFILES, { timeoutMs: 300, retries: 1 });
    const r = await timed(() => probe.run(target, spec, AbortSignal.timeout(5000)));
    expect(r.error).toBeInstanceOf(ProbeError);
    expect((r.error as ProbeError).reason).toBe('timeout');
    expect((r.error as ProbeError).message).toMatch(/no answer from 127\.0\.0\.1:\d+ within 300 ms \(2 tries\)/);
    expect(r.ms).toBeGreaterThanOrEqual(550);
    expect(r.ms).toBeLessThan(1200);
  });

  it('a slow agent: answers within the timeout are used; slower ones end at the deadline, not later', async () => {
    const { proxy } = await rig();
    const probe = newProbe();
    proxy.mode = { kind: 'delay', ms: 150 };
    const { target, spec } = snmpTarget(proxy.port, PROFILES, { timeoutMs: 1000, retries: 0 });
    const ok = await timed(() => probe.run(target, spec, AbortSignal.timeout(5000)));
    expect(ok.error).toBeUndefined();
    expect(rx(ok.value!, '1')).toBe(1_000_000);

    // slower than the timeout but the deadline comes first: the poll ends at its deadline
    proxy.mode = { kind: 'delay', ms: 3000 };
    const slow = await timed(() => probe.run(target, spec, AbortSignal.timeout(700)));
    expect(slow.error).toBeInstanceOf(ProbeError);
    expect((slow.error as ProbeError).reason).toBe('timeout');
    expect(slow.ms).toBeLessThan(700 + 150);
    // the late answers that arrive afterwards do no harm; the agent is fast again and polls work
    proxy.mode = { kind: 'pass' };
    await sleep(50);
    const again = await probe.run(target, spec, AbortSignal.timeout(5000));
    expect(rx(again, '1')).toBe(1_000_000);
  });

  it('an agent that vanishes and returns: timeouts while gone, samples again when back, counters continue', async () => {
    const { d, proxy } = await rig();
    const probe = newProbe();
    const { target, spec } = snmpTarget(proxy.port, PROFILES, { timeoutMs: 250, retries: 0 });
    const first = await probe.run(target, spec, AbortSignal.timeout(5000));
    expect(rx(first, '2')).toBe(2_000_000);
    await proxy.vanish();
    for (let k = 0; k < 3; k++) {
      const r = await timed(() => probe.run(target, spec, AbortSignal.timeout(5000)));
      expect((r.error as ProbeError).reason).toBe('timeout');
    }
    advance(d, 60_000, 1e6);
    await proxy.appear();
    const back = await probe.run(target, spec, AbortSignal.timeout(5000));
    // the agent did not restart: the counter continues from where it was (no reset, no gap in the total)
    expect(rx(back, '2')).toBe(2_000_000 + 7_500_000);
  });

  it('an agent that reboots: a counted gap, the total carries on (never backwards), no rate spike in the store', async () => {
    const { d, proxy } = await rig(makeDevice(2, 100));
    let clock = Date.UTC(2025, 0, 6, 9, 0, 0);
    const probe = newProbe(() => clock);
    const store = openStore(':memory:', { jobs: false, now: () => clock });
    closers.push(() => store.close());
    const { target, spec } = snmpTarget(proxy.port, PROFILES, { timeoutMs: 1000 });
    const BPS = 50e6;
    const totals: (number | undefined)[] = [];
    for (let k = 0; k < 12; k++) {
      if (k === 6) reboot(d); // uptime back to 15 s, counters back to a few kB
      const s = await probe.run(target, spec, AbortSignal.timeout(5000));
      store.write(withTargetLabels(target, s)); // as the pipeline would hand them to the store
      totals.push(rx(s, '1'));
      clock += 60_000;
      advance(d, 60_000, BPS);
    }
    store.flush();
    expect(probe.lastPoll('dut')?.rebooted).toBe(false);
    // the poll after the reboot exports nothing (its interval spans the restart: a gap, counted), and the
    // total then carries on from where it was: never a zero, never a decrease, never a guess
    expect(totals[6]).toBeUndefined();
    expect(totals[7]).toBe(totals[5]! + (BPS / 8) * 60);
    expect(probe.lastPoll('dut')?.counters.discarded.discontinuity).toBeGreaterThan(0);
    const [series] = store.findSeries('netmon_interface_receive_bytes_total', { if_index: '1' });
    const rates = store.rateRange(series!.id, Date.UTC(2025, 0, 6, 9, 0, 0), clock, 1000);
    expect(rates.max.length).toBeGreaterThan(8);
    // 50 Mbit/s each minute, never more: no spike across the reboot (and none below zero)
    for (const v of rates.max) expect(v).toBeLessThanOrEqual((BPS / 8) * 1.001);
    for (const v of rates.min) expect(v).toBeGreaterThanOrEqual(0);
  });
});

describe('one slow device in a scheduler', () => {
  it('never delays the others: they run on their slots and finish fast; the slow one ends at its deadline, no cycle skipped', async () => {
    const probe = newProbe();
    const fast = await Promise.all([1, 2, 3].map(() => rig()));
    const slow = await rig();
    slow.proxy.mode = { kind: 'delay', ms: 5000 }; // far past the deadline (0.9 x 1 s)
    const targets = [...fast.map((r, i) => ({ r, name: `fast-${i}` })), { r: slow, name: 'slow' }].map(({ r, name }) => {
      const { target, spec } = snmpTarget(r.proxy.port, PROFILES, { name, timeoutMs: 2000, retries: 0 });
      spec.intervalMs = 1000;
      return { ...target, probes: [spec] };
    });
    const results: ProbeResult[] = [];
    const scheduler = new Scheduler(probeSet({ snmp: probe }), { maxConcurrency: 4, onResult: (r) => results.push(r) });
    closers.push(() => scheduler.stop());
    scheduler.setTargets(targets);
    scheduler.start();
    await sleep(5500);
    await scheduler.stop();

    const by = (name: string) => results.filter((r) => r.target.name === name);
    for (let i = 0; i < 3; i++) {
      const rs = by(`fast-${i}`);
      expect(rs.length).toBeGreaterThanOrEqual(4);
      for (const r of rs) {
        expect(r.error).toBeUndefined();
        expect(r.samples.length).toBeGreaterThan(10);
        expect(r.startedAt - r.scheduledAt).toBeLessThan(150);
        expect(r.durationMs).toBeLessThan(300);
      }
    }
    const rs = by('slow').filter((r) => !/stopping/.test(r.error?.message ?? '')); // the run stop() aborted
    expect(rs.length).toBeGreaterThanOrEqual(4);
    for (const r of rs) {
      expect(r.error?.reason).toBe('timeout');
      expect(r.durationMs).toBeLessThan(900 + 150);
    }
    expect(scheduler.getStats().skipped).toEqual({});
  }, 20_000);
});
