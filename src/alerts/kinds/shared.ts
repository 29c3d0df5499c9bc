/**
 * Helpers every rule kind observes with: verdicts with hysteresis, the identity of an instance, one
 * observation per sample or per target, and the row key of a table (interfaces, filesystems).
 */
import type { ProbeResult } from '../../scheduler.js';
import type { Sample, Target } from '../../types.js';
import type { BaselinePersistence } from '../baseline.js';
import type { Observation, Verdict } from '../types.js';

/** What a rule kind may know of the config (structural, so the kinds need not import the config schema). */
export interface KindContext {
  uplinks: readonly { name: string; display_name?: string | undefined }[];
  sites: readonly { id: string; name: string }[];
  baselines?: BaselinePersistence;
}

/** One compiled rule's view: the config context, its name, and its `match`/`exclude` selection. */
export interface RuleScope extends KindContext {
  ruleName: string;
  /** Whether the rule's `match`/`exclude` select a series with these labels (a missing label is ""). */
  selects(labels: Record<string, string>): boolean;
  siteName(id: string): string;
}

/** What a kind says of one series: an observation without what the helpers below fill in. */
export type Judgement = Omit<Observation, 'labels' | 'ts' | 'staleAfterMs'>;

/** Past `fire`, fire; before `clear`, clear; in between, hold. For "above" rules fire > clear. */
export function aboveVerdict(v: number, fire: number, clear = fire): Verdict {
  if (v > fire) return 'fire';
  if (v < clear || clear >= fire) return 'clear';
  return 'hold';
}

export function belowVerdict(v: number, fire: number, clear = fire): Verdict {
  return aboveVerdict(-v, -fire, -clear);
}

/** Labels that describe rather than identify a series: kept for templates, not in the alert's identity. */
const DESCRIPTIVE = new Set(['if_alias', 'if_descr', 'method']);

/**
 * The identifying labels of an instance: the target's (target, site, its configured labels), then the
 * sample's own. The pipeline attaches the target's labels to every sample already; composing them here as
 * well keeps identities (and so fingerprints in SQLite) the same whether or not a sample carries them.
 */
function identity(labels: Record<string, string>, target: Target): Record<string, string> {
  const out: Record<string, string> = { target: target.name, site: target.site, ...target.labels };
  for (const [k, v] of Object.entries(labels)) if (!DESCRIPTIVE.has(k)) out[k] = v;
  return out;
}

/** An instance not observed for three intervals and a timeout has lost its series. */
const staleAfter = (res: ProbeResult) => 3 * res.spec.intervalMs + res.spec.timeoutMs;

/** One observation per selected sample of `metric` (a name or a predicate) that `judge` has a word on. */
export function perSample(
  scope: RuleScope,
  res: ProbeResult,
  metric: string | ((s: Sample) => boolean),
  judge: (s: Sample, labels: Record<string, string>) => Judgement | undefined,
): Observation[] {
  const out: Observation[] = [];
  for (const s of res.samples) {
    if (typeof metric === 'string' ? s.metric !== metric : !metric(s)) continue;
    const labels = identity(s.labels, res.target);
    if (!scope.selects({ ...s.labels, ...labels })) continue;
    const j = judge(s, labels);
    if (!j) continue;
    out.push({ ...j, labels, ts: s.ts, staleAfterMs: staleAfter(res), vars: { site_name: scope.siteName(res.target.site), ...s.labels, ...j.vars } });
  }
  return out;
}

/** One observation per target from a value computed over the whole result (undefined: no word). */
export function perTarget(scope: RuleScope, res: ProbeResult, value: number | undefined, verdict: (v: number) => Verdict, threshold: number, vars: Record<string, string | number> = {}): Observation[] {
  if (value === undefined || !Number.isFinite(value)) return [];
  const labels = identity({}, res.target);
  if (!scope.selects(labels)) return [];
  const ts = res.startedAt + res.durationMs;
  return [{ labels, value, verdict: verdict(value), ts, threshold, staleAfterMs: staleAfter(res), vars: { site_name: scope.siteName(res.target.site), ...vars } }];
}

/** Which row of a table a sample belongs to: if_index, else if_name, else the filesystem, else all its labels. */
export function rowKey(labels: Record<string, string>): string {
  return labels.if_index ?? labels.if_name ?? labels.mountpoint ?? labels.storage_index ?? labels.storage ?? JSON.stringify(sortedEntries(labels));
}

export function sortedEntries(labels: Record<string, string>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
