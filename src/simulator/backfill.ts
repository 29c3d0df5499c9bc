/**
 * History for the simulated network: N days of the polls netmon would have made of the built-in
 * simulator, computed from its model (model.ts, state.ts, traffic.ts, scenarios.ts) instead of waited
 * for, and written through the daemon's own path: each poll becomes a ProbeResult that crosses the same
 * Pipeline (fanout.ts: health series, uplink deriver, status module) into Store.write, so raw chunks,
 * 5-minute and hourly rollups, target and site states are what polling would have produced.
 *
 * What a poll yields here:
 * - ping: the cycle the scheduler plans (one batch job per interval, planCycle's echo spacing): an echo is
 *   answered unless the site is cut off at its instant; loss and median RTT (the echo service's delay),
 *   the two figures the status module reads.
 * - snmp: success, or a timeout while the site is cut off (what the status module reads); on the uplink
 *   target the uplink ports' byte counters (the agent's integrals, Counter64 exported as numbers, as
 *   probes/snmp does). Other tables (optics, host resources, access ports) are not backfilled: they
 *   only fill in once the daemon polls.
 * Outages: the flapping site's schedule, plus seeded fibre cuts (fibreCuts, about one per 16 site-weeks,
 * 10 min to 6 h) and one stretch with netmon itself down (no polls: unknown in the reports).
 */
import type { LoadedConfig } from '../config/model.js';
import { inventory } from '../domain/inventory.js';
import { createFanout } from '../fanout.js';
import { planCycle } from '../../probes/icmp/fping.js';
import type { ProbeResult } from '../scheduler.js';
import { slotOffset } from '../scheduler.js';
import type { Store } from '../store/types.js';
import { ProbeError, type ProbeSpec, type Sample, type Target } from '../types.js';
import { createClock } from './clock.js';
import { buildDevice } from './model.js';
import { hash32, rand01 } from './random.js';
import { pickScenarios } from './scenarios.js';
import { DeviceState } from './state.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Fibre cuts: chance per site and week, and the shortest and longest cut. */
const CUT_PER_WEEK = 0.06;
const CUT_MIN_MS = 10 * 60_000;
const CUT_MAX_MS = 6 * 3_600_000;
/** netmon itself stopped once (an upgrade gone long): no polls, unknown time in the reports. */
const NETMON_DOWN_MS = 40 * 60_000;

export interface Interval {
  from: number;
  to: number;
}

/** Seeded fibre cuts of the fibre targets over [from, to): per site, per epoch week, at most one. */
export function fibreCuts(config: LoadedConfig, seed: number, from: number, to: number, except?: string): Map<string, Interval[]> {
  const out = new Map<string, Interval[]>();
  for (const t of config.targets) {
    if (t.role !== 'fibre' || !t.snmp || t.name === except) continue;
    const cuts: Interval[] = [];
    for (let w = Math.floor(from / WEEK); w * WEEK < to; w++) {
      if (rand01(seed, 'cut', t.name, w) >= CUT_PER_WEEK) continue;
      // Log-uniform length: most cuts are short, a few last hours (a backhoe, a splice crew's drive).
      const len = CUT_MIN_MS * Math.pow(CUT_MAX_MS / CUT_MIN_MS, rand01(seed, 'cut-len', t.name, w));
      const start = w * WEEK + Math.floor(rand01(seed, 'cut-at', t.name, w) * (WEEK - len));
      if (start + len > from && start < to) cuts.push({ from: start, to: start + len });
    }
    if (cuts.length) out.set(t.name, cuts);
  }
  return out;
}

export interface BackfillOptions {
  config: LoadedConfig;
  store: Store;
  /** How far back, ms (e.g. 35 days). */
  spanMs: number;
  /** End of the history (default now): the daemon's first poll continues from here. */
  end?: number;
  /** Progress lines. */
  log?: (msg: string) => void;
}

export interface BackfillSummary {
  from: number;
  to: number;
  results: number;
  samples: number;
  cuts: number;
  netmonDown: Interval;
  flapping: string | null;
}

interface Run {
  start: number;
  end: number;
  result: () => ProbeResult;
}

/** One target's view of the model: is it cut off at an instant, and its device state (if simulated). */
interface Sim {
  target: Target;
  state: DeviceState | undefined;
  cuts: Interval[];
}

const cutOff = (s: Sim, wall: number): boolean => (s.state?.linkDown(wall) ?? false) || s.cuts.some((c) => wall >= c.from && wall < c.to);

function pingRuns(items: { sim: Sim; spec: ProbeSpec }[], intervalMs: number, start: number): Run[] {
  const spec = items[0]!.spec as Extract<ProbeSpec, { kind: 'ping' }>;
  const plan = planCycle(spec.options.count, intervalMs, spec.timeoutMs, items.length);
  return items.map(({ sim, spec: sp }, i) => {
    const sendAt = (k: number) => start + k * plan.periodMs + i * plan.packetIntervalMs;
    const durationMs = (plan.count - 1) * plan.periodMs + plan.timeoutMs;
    return {
      start,
      end: start + durationMs,
      result: (): ProbeResult => {
        const rtts: number[] = [];
        for (let k = 0; k < plan.count; k++) {
          const t = sendAt(k);
          if (cutOff(sim, t)) continue;
          const ms = sim.state ? sim.state.echoDelayMs(t) : 0.2;
          if (ms !== null && ms < plan.timeoutMs) rtts.push(ms);
        }
        rtts.sort((a, b) => a - b);
        const n = rtts.length;
        const labels = { method: 'udp' };
        const samples: Sample[] = [{ metric: 'netmon_ping_loss_ratio', labels, value: (plan.count - n) / plan.count, ts: start, type: 'gauge', unit: 'ratio' }];
        if (n) {
          const median = n % 2 ? rtts[(n - 1) / 2]! : (rtts[n / 2 - 1]! + rtts[n / 2]!) / 2;
          samples.push({ metric: 'netmon_ping_rtt_median_seconds', labels, value: median / 1000, ts: start, type: 'gauge', unit: 'seconds' });
        }
        return { target: sim.target, kind: 'ping', spec: sp, samples, scheduledAt: start, startedAt: start, durationMs };
      },
    };
  });
}

function snmpRun(sim: Sim, spec: ProbeSpec, uplinkPorts: number[], start: number): Run {
  const silent = cutOff(sim, start);
  const durationMs = silent ? spec.timeoutMs * 2 : 15;
  return {
    start,
    end: start + durationMs,
    result: (): ProbeResult => {
      const base = { target: sim.target, kind: 'snmp' as const, spec, scheduledAt: start, startedAt: start, durationMs };
      if (silent) return { ...base, samples: [], error: new ProbeError('timeout', 'no response (simulated history)') };
      const samples: Sample[] = [];
      for (const ifIndex of uplinkPorts) {
        const port = sim.state!.device.ports.find((p) => p.ifIndex === ifIndex)!;
        const c = sim.state!.counters(ifIndex, start);
        const labels = { if_index: String(ifIndex), if_name: port.ifName, if_alias: port.ifAlias };
        samples.push(
          { metric: 'netmon_interface_receive_bytes_total', labels, value: Number(c.inOctets), ts: start, type: 'counter', unit: 'bytes' },
          { metric: 'netmon_interface_transmit_bytes_total', labels, value: Number(c.outOctets), ts: start, type: 'counter', unit: 'bytes' },
        );
      }
      return { ...base, samples };
    },
  };
}

/** Fill `store` with [end − span, end) of the simulated network's polls. The store should hold nothing newer (its writer rejects the past). */
export function backfill(o: BackfillOptions): BackfillSummary {
  const { config, store } = o;
  const log = o.log ?? (() => {});
  const to = Math.floor((o.end ?? Date.now()) / 60_000) * 60_000;
  const from = to - o.spanMs;
  const seed = config.simulate.seed;
  const clock = createClock(() => from, 1);
  const { picks, scenarios } = pickScenarios(config, seed);
  const cuts = fibreCuts(config, seed, from, to, picks.flappingTarget);
  const inv = inventory(config);
  const sims = new Map<string, Sim>();
  for (const t of inv.targets) {
    const tc = config.targets.find((x) => x.name === t.name)!;
    const device = buildDevice({ config, seed, startWall: from }, tc, picks);
    sims.set(t.name, { target: t, state: device ? new DeviceState(device, clock, seed) : undefined, cuts: cuts.get(t.name) ?? [] });
  }
  // netmon down once, at night, somewhere in the first third (so a whole month shows it).
  const downAt = from + Math.floor((0.1 + 0.2 * rand01(seed, 'netmon-down')) * (to - from) / DAY) * DAY + 19 * 3_600_000 + (hash32(seed, 'netmon-down-min') % 60) * 60_000;
  const netmonDown = { from: downAt, to: downAt + NETMON_DOWN_MS };

  // The scheduler's jobs: ping in one batch per interval (key kind@interval), every other probe per target (key name/kind).
  type Job = { intervalMs: number; offsetMs: number; runs: (start: number) => Run[] };
  const jobs: Job[] = [];
  const batches = new Map<number, { sim: Sim; spec: ProbeSpec }[]>();
  for (const sim of sims.values()) {
    for (const spec of sim.target.probes) {
      if (spec.kind === 'ping') {
        let b = batches.get(spec.intervalMs);
        if (!b) batches.set(spec.intervalMs, (b = []));
        b.push({ sim, spec });
      } else if (spec.kind === 'snmp' && sim.state) {
        const ports = config.uplinks.filter((u) => u.target === sim.target.name).map((u) => sim.state!.device.ports.find((p) => p.uplink === u.name)?.ifIndex).filter((x): x is number => x !== undefined);
        jobs.push({ intervalMs: spec.intervalMs, offsetMs: slotOffset(`${sim.target.name}/snmp`, spec.intervalMs), runs: (s) => [snmpRun(sim, spec, ports, s)] });
      }
    }
  }
  for (const [intervalMs, items] of batches) jobs.push({ intervalMs, offsetMs: slotOffset(`ping@${intervalMs}`, intervalMs), runs: (s) => pingRuns(items, intervalMs, s) });

  const { pipeline } = createFanout(config, (name, err) => {
    throw new Error(`backfill: ${name} failed: ${String(err)}`);
  });
  let samples = 0;
  let results = 0;
  // The pipeline gives every sample a fresh label object; the writer recognises a series without building
  // its canonical key only for a label object it has seen (a WeakMap). One shared object per series here
  // (keyed by the values, in the pipeline's fixed order) makes that fast path hit: the same series, ~2× faster.
  const shared = new Map<string, Record<string, string>>();
  pipeline.subscribe('store', (res) => {
    for (const x of res.samples) {
      const key = `${x.metric}\u0000${Object.keys(x.labels).join('\u0001')}\u0000${Object.values(x.labels).join('\u0001')}`;
      const hit = shared.get(key);
      if (hit) x.labels = hit;
      else shared.set(key, (x.labels = { ...x.labels })); // a copy: the pipeline shares one object between metrics
    }
    samples += res.samples.length;
    store.write(res.samples);
  });

  // Walk the span a minute at a time; results are published in order of their end (the instant their
  // samples carry), a run ending past the minute waits for the next one.
  const STEP = 60_000;
  let carry: Run[] = [];
  const next = jobs.map((j) => Math.ceil((from - j.offsetMs) / j.intervalMs) * j.intervalMs + j.offsetMs);
  let lastLog = performance.now();
  for (let w = from; w < to + STEP; w += STEP) {
    const runs = carry;
    jobs.forEach((j, i) => {
      for (; next[i]! < Math.min(w + STEP, to); next[i]! += j.intervalMs) {
        const s = next[i]!;
        if (s >= netmonDown.from && s < netmonDown.to) continue;
        runs.push(...j.runs(s));
      }
    });
    runs.sort((a, b) => a.end - b.end);
    const limit = w + STEP;
    const keep: Run[] = [];
    for (const r of runs) {
      if (r.end >= limit && w < to) keep.push(r);
      else {
        pipeline.publish(r.result());
        results++;
      }
    }
    carry = keep;
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(`backfill: ${new Date(w).toISOString().slice(0, 16)}Z, ${results} results, ${samples} samples`);
    }
  }
  store.flush();
  const nCuts = [...cuts.values()].reduce((n, c) => n + c.length, 0);
  return { from, to, results, samples, cuts: nCuts, netmonDown, flapping: scenarios.flapping?.target ?? null };
}
