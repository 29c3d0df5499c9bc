/** Shapes shared by the alerting modules: what a rule observes, and the state of one alert instance. */
import type { AlertHistoryEvent, Silence, SilenceMatcher } from '../http/contract.js';

// Silences and history events are answered by the API as they are: the HTTP contract owns their shape.
export type { Silence, SilenceMatcher };
export type HistoryEvent = AlertHistoryEvent;

export type Severity = 'critical' | 'warning' | 'info';

/**
 * What a rule makes of one observation of one series: `fire` (past the firing threshold), `clear` (past
 * the clearing threshold) or `hold` (between the two: a firing alert keeps firing, an inactive one stays
 * inactive; this band is the hysteresis that stops a value hovering at the threshold from flapping).
 */
export type Verdict = 'fire' | 'hold' | 'clear';

export interface Observation {
  /** Identifying labels of the instance (without alertname/severity/rule labels). */
  labels: Record<string, string>;
  value: number;
  verdict: Verdict;
  /** When the observation was made (the sample's timestamp), ms. */
  ts: number;
  /** The threshold the value is compared with (for templates). */
  threshold?: number;
  /** Extra template variables (site_name, baseline_dbm, reason...). */
  vars?: Record<string, string | number>;
  /** An instance not observed for this long is resolved as stale (its series stopped). Default: never. */
  staleAfterMs?: number;
}

export type AlertState = 'pending' | 'firing' | 'resolved';

/** One alert instance: a rule and one set of labels. */
export interface AlertInstance {
  fingerprint: string;
  rule: string;
  /** Full label set: alertname, severity, rule labels, instance labels. */
  labels: Record<string, string>;
  state: AlertState;
  /** When the condition became true (start of pending). */
  activeSince: number;
  /** When it started firing: Alertmanager's startsAt. */
  firedAt: number | null;
  resolvedAt: number | null;
  /** Last observation at which the condition held (keep_firing_for counts from here). */
  lastTrueAt: number;
  lastSeenAt: number;
  lastVerdict: Verdict;
  staleAfterMs: number | null;
  value: number;
  annotations: Record<string, string>;
}

export interface Ack {
  fingerprint: string;
  by: string;
  comment: string;
  at: number;
}

