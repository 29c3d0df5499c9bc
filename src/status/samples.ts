/** The series the status module adds to every probe result (CONTRACT.md, "Target/site state samples"). */
import { targetLabels } from '../pipeline.js';
import type { Sample, Target } from '../types.js';
import type { Decision } from './decide.js';
import { REACHABILITY_VALUE, type Reachability } from './reachability.js';

export const STATE_METRICS = {
  target: ['netmon_target_state', 'Reachability of the target, from ping and SNMP with hysteresis: 0 down, 1 degraded, 2 up (absent while unknown).'],
  targetReason: ['netmon_target_state_reason_info', 'Why the target is not up: 1 per active reason (ping_down, snmp_silent, snmp_auth, snmp_error, loss, latency, no_data).'],
  site: ['netmon_site_state', 'Reachability of the site, the worst of its targets: 0 down, 1 degraded, 2 up (absent while unknown).'],
  siteReason: ['netmon_site_state_reason_info', 'Why the site is not up: 1 per active reason of its targets.'],
  ping: ['netmon_ping_reachability_state', 'The ping part of netmon_target_state, with hysteresis: 0 down, 1 degraded, 2 up.'],
} as const;

const TARGET_SERIES = new Set<string>([STATE_METRICS.target[0], STATE_METRICS.targetReason[0]]);
const SITE_SERIES = new Set<string>([STATE_METRICS.site[0], STATE_METRICS.siteReason[0]]);

/**
 * Whose current decision a sample is part of: a target's or a site's, else undefined. The exporter keeps
 * each such set whole and replaces it with every result (a failed poll included: a silent agent is what
 * makes a target down), so a cleared reason disappears at once, whichever probe's result cleared it.
 */
export function stateOwner(s: Sample): { target: string } | { site: string } | undefined {
  if (TARGET_SERIES.has(s.metric)) return { target: s.labels.target ?? '' };
  if (SITE_SERIES.has(s.metric)) return { site: s.labels.site ?? '' };
  return undefined;
}

const gauge = ([metric, help]: readonly [string, string], labels: Record<string, string>, value: number, ts: number, unit?: string): Sample =>
  ({ metric, labels, value, ts, type: 'gauge', help, ...(unit ? { unit } : {}) });

function stateAndReasons(names: readonly [readonly [string, string], readonly [string, string]], labels: Record<string, string>, d: Decision, ts: number): Sample[] {
  const out: Sample[] = [];
  if (d.state !== 'unknown') out.push(gauge(names[0], labels, REACHABILITY_VALUE[d.state], ts, 'state'));
  for (const reason of d.reasons) out.push(gauge(names[1], { ...labels, reason }, 1, ts));
  return out;
}

export interface StateSampleInput {
  target: Target;
  decision: Decision;
  site: { labels: Record<string, string>; decision: Decision; ts: number };
  /** The ping verdict this result confirmed (ping results only), and the method the echoes used. */
  ping?: { state: Reachability; method: string };
  ts: number;
}

export function stateSamples(x: StateSampleInput): Sample[] {
  const labels = targetLabels(x.target);
  const out = [
    ...stateAndReasons([STATE_METRICS.target, STATE_METRICS.targetReason], labels, x.decision, x.ts),
    ...stateAndReasons([STATE_METRICS.site, STATE_METRICS.siteReason], x.site.labels, x.site.decision, x.site.ts),
  ];
  if (x.ping) out.push(gauge(STATE_METRICS.ping, { ...labels, method: x.ping.method }, REACHABILITY_VALUE[x.ping.state], x.ts, 'state'));
  return out;
}
