/**
 * Smokeping-grade ping probe: N echoes per target per cycle, all targets of a cycle in ONE fping.
 *
 * Metrics (all gauges, one value per target per cycle, labels {target, method}; method is
 * "fping", "ping"/"tcp" when fping was missing at start-up, or "udp" for targets the caller sends UDP
 * echoes to (`udpEcho`, e.g. the simulator's agents)):
 *   netmon_ping_sent_packets            echoes sent this cycle
 *   netmon_ping_received_packets        echo replies received within the timeout (duplicates not counted)
 *   netmon_ping_loss_ratio              (sent - received) / sent, 0..1
 *   netmon_ping_rtt_min_seconds         fastest reply            ┐
 *   netmon_ping_rtt_median_seconds      median reply             │ only when ≥ 1 reply
 *   netmon_ping_rtt_max_seconds         slowest reply            │
 *   netmon_ping_rtt_mean_seconds        arithmetic mean          │
 *   netmon_ping_rtt_stddev_seconds      population std deviation ┘
 *   netmon_ping_jitter_seconds          mean |RTT[i]-RTT[i-1]| of consecutive replies (needs ≥ 2)
 *   netmon_ping_rtt_quantile_seconds{smoke_quantile="0.1"|"0.25"|"0.75"|"0.9"} (not `quantile`: that label is reserved for summaries)
 *                                       smoke bands; with min/median/max a graph draws the Smokeping
 *                                       smoke from 7 fixed series per target, whatever N is
 * The probe only measures: whether a target is up is decided once, by the status module (src/status/),
 * which also emits netmon_ping_reachability_state from those decisions.
 * The full sorted RTT list of the last cycle is in PingBatchResult.results (PingResult.stats.sorted).
 */
import type { Probe, Sample, Target } from '../../src/types.js';
import type { PingSpec } from './kind.js';
import { ProbeError } from '../../src/types.js';
import { findExecutable, fpingArgs, planCycle, runFping, type FpingPlan, type PlanOptions } from './fping.js';
import { parseFping } from './parse.js';
import { computeStats, quantile, type PingStats } from './stats.js';
import { Resolver } from './resolve.js';
import { systemPing, tcpPing, udpPing, type EchoMap } from './fallback.js';
import { pushTo } from '../../src/multimap.js';

export type PingMethod = 'fping' | 'ping' | 'tcp' | 'udp';
export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

export interface PingProbeOptions extends PlanOptions {
  /** fping binary (default: `fping` on PATH). */
  fpingPath?: string;
  log?: LogFn;
  /** Force a method (tests); default: fping, else system ping, else TCP connect. */
  method?: PingMethod;
  pingPath?: string;
  /** Port for the TCP-connect fallback (default 80); a refused connection still proves the host is up. */
  tcpPort?: number;
  /**
   * The UDP echo (RFC 862) port of a target that is to be pinged that way instead (method="udp"), or
   * undefined for the normal method. The daemon uses it for the targets its simulator serves.
   */
  udpEcho?: (target: Target) => number | undefined;
  /** Smoke quantiles emitted besides min/median/max (default 0.1, 0.25, 0.75, 0.9). */
  smokeQuantiles?: number[];
  resolver?: Resolver;
}

export interface PingResult {
  target: string;
  address: string;
  method: PingMethod;
  /** Cycle start, ms since epoch. */
  ts: number;
  stats: PingStats;
  duplicates: number;
  icmpErrors: string[];
}

/** A Map<target name, Sample[]> (what the scheduler consumes) that also carries per-target failures and the raw results. */
export class PingBatchResult extends Map<string, Sample[]> {
  readonly errors = new Map<string, ProbeError>();
  readonly results = new Map<string, PingResult>();
}

export interface PingProbe extends Probe<PingSpec> {
  readonly method: PingMethod;
  runMany(items: { target: Target; spec: PingSpec }[], signal: AbortSignal): Promise<PingBatchResult>;
}

const M = {
  sent: ['netmon_ping_sent_packets', 'packets', 'Echo requests sent to the target in the last cycle.'],
  received: ['netmon_ping_received_packets', 'packets', 'Echo replies received within the timeout in the last cycle (duplicates excluded).'],
  loss: ['netmon_ping_loss_ratio', 'ratio', 'Fraction of echo requests of the last cycle without a timely reply.'],
  min: ['netmon_ping_rtt_min_seconds', 'seconds', 'Smallest round-trip time of the last cycle.'],
  median: ['netmon_ping_rtt_median_seconds', 'seconds', 'Median round-trip time of the last cycle.'],
  max: ['netmon_ping_rtt_max_seconds', 'seconds', 'Largest round-trip time of the last cycle.'],
  mean: ['netmon_ping_rtt_mean_seconds', 'seconds', 'Mean round-trip time of the last cycle.'],
  stddev: ['netmon_ping_rtt_stddev_seconds', 'seconds', 'Population standard deviation of the round-trip times of the last cycle.'],
  jitter: ['netmon_ping_jitter_seconds', 'seconds', 'Mean absolute difference of consecutive round-trip times of the last cycle.'],
  quantile: ['netmon_ping_rtt_quantile_seconds', 'seconds', 'Round-trip time quantiles of the last cycle (smoke bands).'],
} as const;

/** Metric name → {unit, help}: for the exporter's HELP and the store's metadata. */
export const PING_METRICS: Record<string, { unit: string; help: string }> = Object.fromEntries(
  Object.values(M).map(([name, unit, help]) => [name, { unit, help }]),
);

export const DEFAULT_SMOKE_QUANTILES = [0.1, 0.25, 0.75, 0.9];

export function pingSamples(r: PingResult, smokeQuantiles: number[] = DEFAULT_SMOKE_QUANTILES): Sample[] {
  const labels = { method: r.method };
  const out: Sample[] = [];
  const add = (m: readonly [string, string, string], value: number | undefined, extra?: Record<string, string>) => {
    if (value === undefined) return;
    out.push({ metric: m[0], labels: extra ? { ...labels, ...extra } : labels, value, ts: r.ts, type: 'gauge', unit: m[1], help: m[2] });
  };
  const s = r.stats;
  add(M.sent, s.sent);
  add(M.received, s.received);
  add(M.loss, s.loss);
  add(M.min, s.min);
  add(M.median, s.median);
  add(M.max, s.max);
  add(M.mean, s.mean);
  add(M.stddev, s.stddev);
  add(M.jitter, s.jitter);
  if (s.received > 0) for (const q of smokeQuantiles) add(M.quantile, quantile(s.sorted, q), { smoke_quantile: String(q) });
  return out;
}

export function createPingProbe(opts: PingProbeOptions = {}): PingProbe {
  const log: LogFn = opts.log ?? ((level, msg) => (level === 'warn' || level === 'error' ? console.warn(`[ping] ${msg}`) : undefined));
  const resolver = opts.resolver ?? new Resolver();
  const smoke = opts.smokeQuantiles ?? DEFAULT_SMOKE_QUANTILES;
  const tcpPort = opts.tcpPort ?? 80;

  let method: PingMethod;
  let fpingPath: string | undefined;
  let pingPath: string | undefined;
  if (opts.method === 'tcp') method = 'tcp';
  else if (opts.method === 'ping') {
    pingPath = findExecutable(opts.pingPath ?? 'ping');
    method = pingPath ? 'ping' : 'tcp';
  } else {
    fpingPath = findExecutable(opts.fpingPath ?? 'fping');
    if (fpingPath) method = 'fping';
    else {
      pingPath = findExecutable(opts.pingPath ?? 'ping');
      method = pingPath ? 'ping' : 'tcp';
      log('warn', `fping not found (${opts.fpingPath ?? 'fping on PATH'}): install the Debian package "fping". ` +
        `Falling back to ${method === 'ping' ? `system ping (${pingPath}), one process per target` : `TCP connect to port ${tcpPort}`}; samples carry method="${method}".`);
    }
  }

  async function echoes(hosts: string[], plan: FpingPlan, signal: AbortSignal, fail: (host: string, e: ProbeError) => void, udpPorts?: Map<string, number>): Promise<{ echo: EchoMap; dups: Map<string, number>; icmp: Map<string, string[]> }> {
    const dups = new Map<string, number>();
    const icmp = new Map<string, string[]>();
    if (udpPorts) return { echo: await udpPing(hosts.map((host) => ({ host, port: udpPorts.get(host)! })), plan, signal), dups, icmp };
    if (method === 'tcp') return { echo: await tcpPing(hosts, tcpPort, plan, signal), dups, icmp };
    if (method === 'ping') return { echo: await systemPing(pingPath!, hosts, plan, signal), dups, icmp };
    const run = await runFping(fpingPath!, fpingArgs(plan), hosts, plan.expectedMs + Math.max(2000, plan.expectedMs * 0.2), signal);
    if (run.interrupted) log('warn', `fping overran its ${Math.round(plan.expectedMs)} ms budget; interrupted, partial results kept`);
    const parsed = parseFping(run.stderr, run.stdout);
    const echo: EchoMap = new Map();
    for (const [h, r] of parsed.hosts) {
      if (r.rttsMs.length > 0 || parsed.summarised.has(h)) echo.set(h, r.rttsMs);
      if (r.duplicates) dups.set(h, r.duplicates);
      if (r.icmpErrors.length) icmp.set(h, r.icmpErrors);
    }
    if (run.code !== null && run.code > 2) {
      const why = (parsed.unparsed[0] ?? run.stderr.trim().split('\n')[0] ?? '').slice(0, 200);
      for (const h of hosts) if (!echo.has(h)) fail(h, new ProbeError('internal', `fping exited with ${run.code}: ${why}`));
    }
    for (const h of hosts) {
      if (echo.has(h)) continue;
      const r = parsed.hosts.get(h);
      fail(h, new ProbeError(r?.error ? 'unreachable' : 'protocol', r?.error ? `fping: ${r.error}` : `no fping result for ${h}`));
    }
    return { echo, dups, icmp };
  }

  async function runMany(items: { target: Target; spec: PingSpec }[], signal: AbortSignal): Promise<PingBatchResult> {
    const out = new PingBatchResult();
    const ts = Date.now();
    // Resolve first; one bad name fails only its own target.
    type Job = { target: Target; address: string; count: number; spec: PingSpec; udpPort?: number };
    const jobs: Job[] = [];
    await Promise.all(items.map(async ({ target, spec }) => {
      try {
        const udpPort = opts.udpEcho?.(target);
        jobs.push({ target, spec, count: spec.options.count, address: await resolver.resolve(target.address), ...(udpPort === undefined ? {} : { udpPort }) });
      } catch (e) {
        out.errors.set(target.name, e instanceof ProbeError ? e : new ProbeError('internal', String(e)));
      }
    }));
    // Normally one group (the scheduler batches one interval); differing count/timeout need their own fping,
    // and UDP echo targets their own cycle.
    const groups = new Map<string, Job[]>();
    for (const j of jobs) {
      const k = `${j.count}/${j.spec.timeoutMs}/${j.spec.intervalMs}/${j.udpPort === undefined ? '' : 'udp'}`;
      pushTo(groups, k, j);
    }
    await Promise.all([...groups.values()].map(async (group) => {
      const hosts = [...new Set(group.map((j) => j.address))];
      const g = group[0]!;
      const udpPorts = g.udpPort === undefined ? undefined : new Map(group.map((j) => [j.address, j.udpPort!]));
      const m: PingMethod = udpPorts ? 'udp' : method;
      const plan = planCycle(g.count, g.spec.intervalMs, g.spec.timeoutMs, hosts.length, opts);
      if (plan.expectedMs > g.spec.intervalMs) {
        log('warn', `ping cycle of ${hosts.length} targets × ${g.count} echoes needs ~${Math.round(plan.expectedMs)} ms, longer than its ${g.spec.intervalMs} ms interval: lower count or timeout`);
      }
      const failed = new Map<string, ProbeError>();
      let res: Awaited<ReturnType<typeof echoes>>;
      try {
        res = await echoes(hosts, plan, signal, (h, e) => failed.set(h, e), udpPorts);
      } catch (e) {
        if (signal.aborted) throw new ProbeError('timeout', 'ping cycle aborted');
        const pe = new ProbeError('internal', `${m} failed: ${(e as Error).message}`);
        for (const j of group) out.errors.set(j.target.name, pe);
        return;
      }
      if (signal.aborted) throw new ProbeError('timeout', 'ping cycle aborted');
      const { echo, dups, icmp } = res;
      for (const j of group) {
        const err = failed.get(j.address);
        const rtts = echo.get(j.address);
        if (err || !rtts) {
          out.errors.set(j.target.name, err ?? new ProbeError('protocol', `no result for ${j.address}`));
          continue;
        }
        const stats = computeStats(rtts.map((v) => (v === null ? null : v / 1000)));
        const r: PingResult = { target: j.target.name, address: j.address, method: m, ts, stats, duplicates: dups.get(j.address) ?? 0, icmpErrors: icmp.get(j.address) ?? [] };
        out.results.set(j.target.name, r);
        out.set(j.target.name, pingSamples(r, smoke));
      }
    }));
    return out;
  }

  return {
    kind: 'ping',
    get method() {
      return method;
    },
    runMany,
    async run(target, spec, signal) {
      const r = await runMany([{ target, spec }], signal);
      const err = r.errors.get(target.name);
      if (err) throw err;
      return r.get(target.name) ?? [];
    },
    async close() {
      /* children are bounded by their deadline and the caller's AbortSignal; nothing pooled */
    },
  };
}

export { Resolver } from './resolve.js';
