/**
 * The one fan-out point: every probe result crosses it once, gains its health samples
 * (netmon_probe_success, netmon_probe_duration_seconds) and derived samples, and reaches every consumer
 * (store, exporter, live feed, alerts) as the same object.
 */
import type { ProbeResult } from './scheduler.js';
import type { Sample, Target } from './types.js';

/**
 * The labels every series of a target carries: its name, site and configured labels (site_group and the
 * admin's `labels:`). CONTRACT.md: the lead's pipeline attaches them to every probe sample; until that is
 * merged this is only the helper derivers use for their own series.
 */
export function targetLabels(t: Target): Record<string, string> {
  return { target: t.name, site: t.site, ...t.labels };
}

export type Consumer = (result: ProbeResult) => void;
/** Adds samples computed from a result (e.g. uplink utilisation from interface counters). */
export type Deriver = (result: ProbeResult) => Sample[];

export class Pipeline {
  private readonly consumers: { name: string; fn: Consumer }[] = [];
  private readonly derivers: Deriver[] = [];

  constructor(private readonly onConsumerError: (name: string, err: unknown) => void = () => undefined) {}

  subscribe(name: string, fn: Consumer): void {
    this.consumers.push({ name, fn });
  }

  derive(fn: Deriver): void {
    this.derivers.push(fn);
  }

  publish(result: ProbeResult): void {
    result.samples.push(...healthSamples(result));
    for (const d of this.derivers) result.samples.push(...d(result));
    for (const c of this.consumers) {
      try {
        c.fn(result);
      } catch (err) {
        // One failing consumer (say, a full disk in the store) must not starve the others.
        this.onConsumerError(c.name, err);
      }
    }
  }
}

export function healthSamples(r: ProbeResult): Sample[] {
  const labels = { target: r.target.name, site: r.target.site, probe: r.kind };
  const ts = r.startedAt + r.durationMs;
  return [
    { metric: 'netmon_probe_success', labels, value: r.error ? 0 : 1, ts, type: 'gauge', help: 'Whether the last run of the probe succeeded (1) or failed (0); see netmon_probe_failure_info for why.' },
    { metric: 'netmon_probe_duration_seconds', labels, value: r.durationMs / 1000, ts, type: 'gauge', unit: 'seconds', help: 'How long the last run of the probe took.' },
  ];
}
