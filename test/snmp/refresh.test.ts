/**
 * Rates against a simulated agent whose counters refresh every 3 s (like Debian snmpd's interface cache),
 * no network: the refresh wait (probes/snmp/refresh-wait.ts) on a virtual clock, its stamps fed to the
 * uplink deriver. Polls stamped with the poll time alias (the control); stamped with the refresh they
 * do not, at 5, 10 and 60 s.
 */
import { describe, expect, it } from 'vitest';
import { planCache } from '../../probes/snmp/plan.js';
import { loadProfiles } from '../../probes/snmp/profile.js';
import { noteWalk, refreshPeriod, refreshStateOf, sameRefreshAsLast } from '../../probes/snmp/refresh.js';
import { awaitRefresh, refreshedSince } from '../../probes/snmp/refresh-wait.js';
import type { RawValue } from '../../probes/snmp/walk.js';
import { uplinkDeriver } from '../../src/uplinks.js';
import type { ProbeResult } from '../../src/scheduler.js';
import type { Target } from '../../src/types.js';
import { testSpec } from '../kit/specs.js';

const CELL = '1.3.6.1.2.1.31.1.1.1.10.2';
const target: Target = { name: 'dc-core', address: '127.0.0.1', site: 'dc', role: 'uplink', labels: {}, probes: [] };

/** A virtual clock that moves only when slept on or set: the waits under test cost no real time. */
function virtualClock(start = 0) {
  const clock = {
    t: start,
    now: () => clock.t,
    sleep: (ms: number) => {
      clock.t += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

/** An agent on a virtual clock: its counter is the wire's byte count at its last refresh (3 s ± 10 ms timer). */
function cachedAgent(bytesPerMs: number, periodMs = 3000, phaseMs = 1234) {
  const clock = virtualClock();
  const refreshes = [phaseMs];
  const lastRefresh = (at: number) => {
    while (refreshes[refreshes.length - 1]! + periodMs <= at) {
      const n = refreshes.length;
      refreshes.push(refreshes[n - 1]! + periodMs + ((n * 7919) % 11)); // snmpd's timer runs late by a few ms
    }
    return [...refreshes].reverse().find((r) => r <= at) ?? 0;
  };
  const value = (at: number) => BigInt(Math.floor(bytesPerMs * lastRefresh(at)));
  return {
    now: clock.now,
    advanceTo: (at: number) => (clock.t = Math.max(clock.t, at)),
    sleep: clock.sleep,
    reads: 0,
    /** A GET: the agent answers 0.4 ms after it was sent, 0.6 ms round trip. */
    read(cells: readonly string[]) {
      this.reads++;
      clock.t += 0.4;
      const v = value(clock.t);
      clock.t += 0.2;
      return Promise.resolve(new Map(cells.map((c) => [c, v])));
    },
    value,
  };
}

function result(ts: number, outBytes: bigint): ProbeResult {
  const labels = { target: 'dc-core', site: 'dc', if_index: '2', if_name: 'Gi0/2' };
  const samples = [{ metric: 'netmon_interface_transmit_bytes_total', labels, value: Number(outBytes), ts, type: 'counter' as const }];
  return { target, kind: 'snmp', spec: testSpec('snmp'), samples, scheduledAt: ts, startedAt: ts, durationMs: 1 };
}

/** Per-poll utilisation of the uplink, polled every `intervalMs`, stamped by the refresh wait or by the poll time. */
async function utilisation(intervalMs: number, polls: number, capacityBitsPerSecond: number, stamp: 'refresh' | 'poll') {
  const bytesPerMs = 1e6 / 1000; // 8 Mbit/s on the wire, steady
  const agent = cachedAgent(bytesPerMs);
  const state = refreshStateOf({});
  state.refs = [CELL];
  const derive = uplinkDeriver([{ name: 'intl', target: 'dc-core', interface: 'Gi0/2', capacity: capacityBitsPerSecond, warn_utilization: 0.8 }]);
  const out: number[] = [];
  const readsPerPoll: number[] = [];
  for (let k = 0; k < polls; k++) {
    const scheduled = 5000 + k * intervalMs + ((k * 389) % 97); // the scheduler's jitter
    agent.advanceTo(scheduled);
    const before = agent.reads;
    const refresh =
      stamp === 'refresh'
        ? await awaitRefresh(state, { read: (c) => agent.read(c), now: agent.now, sleep: agent.sleep, spacingMs: 20, maxBracketMs: 60, maxWaitMs: Math.min(0.75 * intervalMs, 15_000) })
        : undefined;
    if (stamp === 'refresh') expect(refresh, `poll ${k} saw no refresh`).toBeDefined();
    readsPerPoll.push(agent.reads - before);
    const walked = (await agent.read([CELL])).get(CELL)!; // the walk, right after
    const util = derive(result(refresh?.at ?? agent.now(), walked)).find((s) => s.metric === 'netmon_uplink_utilization_ratio');
    if (util) out.push(util.value);
  }
  return { util: out, readsPerPoll };
}

const worstError = (xs: number[], expected: number) => Math.max(...xs.map((x) => Math.abs(x - expected)));

describe('refresh-aligned rates against a 3 s counter cache', () => {
  for (const [intervalMs, polls] of [[5000, 40], [10_000, 30], [60_000, 8]] as const) {
    it(`steady 82 % reads 82 % ± 2 % at every ${intervalMs / 1000} s poll; a saturated link never above 100 % + 2 %`, async () => {
      const steady = await utilisation(intervalMs, polls, 8e6 / 0.82, 'refresh');
      expect(steady.util).toHaveLength(polls - 1);
      expect(worstError(steady.util, 0.82)).toBeLessThanOrEqual(0.02);
      const full = await utilisation(intervalMs, polls, 8e6, 'refresh');
      expect(Math.max(...full.util)).toBeLessThanOrEqual(1.02);
      expect(Math.min(...full.util)).toBeGreaterThanOrEqual(0.98);
      // Once the period is learned, the reads start just before the predicted refresh: a few per poll.
      expect(Math.max(...steady.readsPerPoll.slice(4))).toBeLessThanOrEqual(25);
    });
  }

  it('control: the same polls stamped with the poll time alias (as netmon did before)', async () => {
    expect(worstError((await utilisation(10_000, 30, 8e6 / 0.82, 'poll')).util, 0.82)).toBeGreaterThan(0.05);
    expect(Math.max(...(await utilisation(10_000, 30, 8e6, 'poll')).util)).toBeGreaterThan(1.1);
    expect(worstError((await utilisation(5000, 40, 8e6 / 0.82, 'poll')).util, 0.82)).toBeGreaterThan(0.2);
  });

  it('learns the period from gaps that are whole multiples of it', () => {
    expect(refreshPeriod([0, 9000, 21_000])).toBeCloseTo(3000, -1);
    expect(refreshPeriod([0, 6000, 9002, 15_004])).toBeCloseTo(3001, -1);
    expect(refreshPeriod([0, 9000])).toBeUndefined(); // one gap: 9 s, 4.5 s or 3 s?
    expect(refreshPeriod([0, 1000, 2300])).toBeUndefined(); // no common period ≥ 0.5 s
  });

  it('gives up within maxWaitMs when nothing moves, and then forgets the period', async () => {
    const state = refreshStateOf({});
    state.refs = [CELL];
    const clock = virtualClock();
    const r = await awaitRefresh(state, { read: (c) => Promise.resolve(new Map(c.map((x) => [x, 5]))), now: clock.now, sleep: clock.sleep, spacingMs: 20, maxBracketMs: 60, maxWaitMs: 3000 });
    expect(r).toBeUndefined();
    expect(clock.t).toBeLessThanOrEqual(3020);
    state.refs = [];
    expect(await awaitRefresh(state, { read: () => Promise.reject(new Error('not read')), now: clock.now, sleep: clock.sleep, spacingMs: 20, maxBracketMs: 60, maxWaitMs: 3000 })).toBeUndefined();
  });

  it('watches every counter of the interface table first, then the four that moved most, nothing when idle', () => {
    const plan = planCache(loadProfiles())(['system', 'if-mib']);
    const IN = '1.3.6.1.2.1.31.1.1.1.6'; // ifHCInOctets
    const walked = (vals: number[]) => new Map([[IN, new Map(vals.map((v, i) => [String(i + 1), BigInt(v)]))]]);
    const s = refreshStateOf({});
    noteWalk(s, plan, walked([10, 10, 10, 10, 10, 10]));
    expect(s.refs).toHaveLength(6);
    noteWalk(s, plan, walked([11, 500, 10, 20, 30, 12]));
    expect(s.refs).toEqual([`${IN}.2`, `${IN}.5`, `${IN}.4`, `${IN}.6`]);
    noteWalk(s, plan, walked([11, 500, 10, 20, 30, 12]));
    expect(s.refs).toEqual([]);
  });

  it('a bracket widened by a stall is not trusted: the stamp comes from the next refresh', async () => {
    const state = refreshStateOf({});
    state.refs = [CELL];
    state.consecutiveMs = 3000; // the period is known, only the stamp is watched for
    const clock = virtualClock(900);
    let stalled = false;
    const read = (cells: readonly string[]) => {
      const v = clock.t >= 4000 ? 3 : clock.t >= 1000 ? 2 : 1; // refreshes at 1 s and 4 s
      clock.t += 0.5;
      if (v === 2 && !stalled) {
        stalled = true; // the answer that shows the first refresh is handled 150 ms late (a busy event loop)
        clock.t += 150;
      }
      return Promise.resolve(new Map(cells.map((c) => [c, v])));
    };
    const r = await awaitRefresh(state, { read, now: clock.now, sleep: clock.sleep, spacingMs: 20, maxBracketMs: 60, maxWaitMs: 5000 });
    expect(r!.widthMs).toBeLessThanOrEqual(60);
    expect(Math.abs(r!.at - 4000)).toBeLessThanOrEqual(30);
  });

  it('a stalled agent (references unchanged although they were moving) gets the last stamp again: no zero rate', () => {
    const plan = planCache(loadProfiles())(['system', 'if-mib']);
    const OUT = '1.3.6.1.2.1.31.1.1.1.10'; // ifHCOutOctets
    const walked = (v: number) => new Map<string, Map<string, RawValue>>([[OUT, new Map([['2', BigInt(v)]])], ['1.3.6.1.2.1.31.1.1.1.1', new Map([['2', 'up0']])]]);
    const s = refreshStateOf({});
    noteWalk(s, plan, walked(100));
    noteWalk(s, plan, walked(200));
    s.lastStamp = 5000;
    expect(s.refs).toEqual([`${OUT}.2`]);
    expect(sameRefreshAsLast(s, walked(200))).toBe(true);
    expect(sameRefreshAsLast(s, walked(201))).toBe(false);
    const derive = uplinkDeriver([{ name: 'intl', target: 'dc-core', interface: 'Gi0/2', capacity: 8e6, warn_utilization: 0.8 }]);
    derive(result(5000, 200n));
    expect(derive(result(5000, 200n)).some((x) => x.metric === 'netmon_uplink_utilization_ratio')).toBe(false);
  });

  it('a watch that ran to its deadline: a refresh between its last read and the walk is seen in the walk', async () => {
    const state = refreshStateOf({});
    state.refs = [CELL];
    const clock = virtualClock();
    // refreshes at 100 ms and 3100 ms; the first watch (period unknown) waits for a second one until its deadline
    const value = () => (clock.t >= 3100 ? 3n : clock.t >= 100 ? 2n : 1n);
    const read = (cells: readonly string[]) => Promise.resolve(new Map(cells.map((c) => [c, value()])));
    const r = (await awaitRefresh(state, { read, now: clock.now, sleep: clock.sleep, spacingMs: 20, maxBracketMs: 60, maxWaitMs: 3095 }))!;
    expect(Math.abs(r.at - 100)).toBeLessThanOrEqual(20);
    clock.t = 3105; // the walk
    const walk = new Map([['1.3.6.1.2.1.31.1.1.1.10', new Map<string, RawValue>([['2', value()]])]]);
    expect(refreshedSince(r, walk)).toBe(true);
    expect(r.lastSentAt).toBeGreaterThan(3050);
    expect(refreshedSince(r, new Map([['1.3.6.1.2.1.31.1.1.1.10', new Map<string, RawValue>([['2', 2n]])]]))).toBe(false);
  });
});
