/**
 * The one fan-out point: every probe result crosses it once. Here, and nowhere else, a result's samples get
 * the target's identity (`target`, `site` and the target's configured labels) and the result gains its
 * health series; then derivers add computed samples (uplink utilisation, target and site state) and every
 * consumer (store, exporter, live feed, alerts) receives the same object.
 */
import type { ProbeResult } from './scheduler.js';
import type { SeriesGuard } from './limits.js';
import type { Sample, Target } from './types.js';

export type Consumer = (result: ProbeResult) => void;

/**
 * News about a target that is not a probe run (an SNMP trap: src/traps/). Its samples get the target's
 * identity here like any result's, but no health series (nothing was probed: a trap must not make
 * netmon_probe_success look like a run) and no derivers (the status module judges probe runs, uplink
 * rates need counters): the trap's effect on the target's state comes from the poll it triggers.
 * Only consumers subscribed with subscribeEvents see it.
 */
export interface TargetEvent {
  target: Target;
  /** What produced it, e.g. `snmp_trap`. */
  source: string;
  samples: Sample[];
  at: number;
}
export type EventConsumer = (event: TargetEvent) => void;
/** Adds samples computed from a result (e.g. uplink utilisation from interface counters); they carry complete label sets. */
export type Deriver = (result: ProbeResult) => Sample[];

/** The identity every series of a target carries. Probe labels of the same name lose to it. */
export function targetLabels(t: Target): Record<string, string> {
  return { target: t.name, site: t.site, ...t.labels };
}

/** The health series, made once for every probe kind and consumer. */
export const HEALTH_METRICS = {
  success: 'netmon_probe_success',
  duration: 'netmon_probe_duration_seconds',
  failure: 'netmon_probe_failure_info',
  partial: 'netmon_probe_partial_info',
  lastSuccess: 'netmon_probe_last_success_timestamp_seconds',
} as const;
export const HEALTH_METRIC_NAMES: ReadonlySet<string> = new Set(Object.values(HEALTH_METRICS));

export class Pipeline {
  private readonly consumers: { name: string; fn: Consumer }[] = [];
  private readonly derivers: Deriver[] = [];
  private readonly eventConsumers: { name: string; fn: EventConsumer }[] = [];
  /** (target, probe) → when it last succeeded (ms), for netmon_probe_last_success_timestamp_seconds. */
  private readonly lastSuccess = new Map<string, number>();

  constructor(
    private readonly onConsumerError: (name: string, err: unknown) => void = () => undefined,
    /** Label length and series limits (src/limits.ts), applied to the probe's own samples first. */
    private readonly guard?: SeriesGuard,
  ) {}

  subscribe(name: string, fn: Consumer): void {
    this.consumers.push({ name, fn });
  }

  derive(fn: Deriver): void {
    this.derivers.push(fn);
  }

  subscribeEvents(name: string, fn: EventConsumer): void {
    this.eventConsumers.push({ name, fn });
  }

  /** Deliver a target event (see TargetEvent): labelled like a result, no health series, no derivers. */
  publishEvent(event: TargetEvent): void {
    const identity = targetLabels(event.target);
    this.guard?.truncate(event.samples);
    for (const s of event.samples) s.labels = { ...s.labels, ...identity };
    this.deliver(this.eventConsumers, event);
  }

  publish(result: ProbeResult): void {
    const identity = targetLabels(result.target);
    if (this.guard && !result.error) this.guard.admit(result.target.name, result.kind, result.samples, identity);
    else for (const s of result.samples) s.labels = { ...s.labels, ...identity };
    const key = `${result.target.name}\u0000${result.kind}`;
    const endedAt = result.startedAt + result.durationMs;
    if (!result.error) this.lastSuccess.set(key, endedAt);
    result.samples.push(...healthSamples(result, identity, this.lastSuccess.get(key)));
    for (const d of this.derivers) result.samples.push(...d(result));
    this.deliver(this.consumers, result);
  }

  private deliver<T>(consumers: readonly { name: string; fn: (x: T) => void }[], x: T): void {
    for (const c of consumers) {
      try {
        c.fn(x);
      } catch (err) {
        // One failing consumer (say, a full disk in the store) must not starve the others.
        this.onConsumerError(c.name, err);
      }
    }
  }

  /** Forget the health history of targets no longer configured (after a reload). */
  retainTargets(names: ReadonlySet<string>): void {
    for (const key of this.lastSuccess.keys()) if (!names.has(key.slice(0, key.indexOf('\u0000')))) this.lastSuccess.delete(key);
    this.guard?.retainTargets(names);
  }
}

function healthSamples(r: ProbeResult, identity: Record<string, string>, lastSuccessMs: number | undefined): Sample[] {
  const labels = { ...identity, probe: r.kind };
  const ts = r.startedAt + r.durationMs;
  const out: Sample[] = [
    { metric: HEALTH_METRICS.success, labels, value: r.error ? 0 : 1, ts, type: 'gauge', help: 'Whether the last run of the probe succeeded (1) or failed (0); see netmon_probe_failure_info for why.' },
    { metric: HEALTH_METRICS.duration, labels, value: r.durationMs / 1000, ts, type: 'gauge', unit: 'seconds', help: 'How long the last run of the probe took.' },
  ];
  if (r.error) {
    out.push({
      metric: HEALTH_METRICS.failure,
      labels: { ...labels, reason: r.error.reason },
      value: 1,
      ts,
      type: 'gauge',
      help: 'Present (value 1) while a probe fails, with the failure reason (timeout, unreachable, auth, protocol, config, internal).',
    });
  }
  if (r.partial && !r.error) {
    out.push({
      metric: HEALTH_METRICS.partial,
      labels: { ...labels, reason: r.partial.reason },
      value: 1,
      ts,
      type: 'gauge',
      help: "Present (value 1) while a probe succeeds only partly: the device's answers contradict themselves (reason row_count, broken_column) or a table walk was cut at a limit (row_limit, request_limit); see the log for what.",
    });
  }
  if (lastSuccessMs !== undefined) {
    out.push({
      metric: HEALTH_METRICS.lastSuccess,
      labels,
      value: lastSuccessMs / 1000,
      ts,
      type: 'gauge',
      unit: 'seconds',
      help: 'When the probe last succeeded, Unix seconds (since this netmon started).',
    });
  }
  return out;
}
