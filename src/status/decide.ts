/**
 * "Is this target up?": the one decision, from the newest confirmed word of each probe. Pure: the status
 * module (index.ts) keeps the signals and calls this both when a result arrives (the samples the store,
 * /metrics and the alert engine see) and when the API asks (tiles, /sites, /problems), so they agree.
 *
 *   ping down (no reply, confirmed)                      → down      ping_down
 *   no fresh ping, SNMP silent (timeout, unreachable)    → down      snmp_silent
 *   ping up or degraded, SNMP silent                     → degraded  snmp_silent
 *   SNMP answers but rejects the credentials             → degraded  snmp_auth   (misconfigured, never down)
 *   SNMP answers with another error                      → degraded  snmp_error
 *   ping degraded                                        → degraded  loss and/or latency
 *   no fresh word from any probe                         → unknown   no_data
 * A word is fresh for 2 intervals + the timeout of the probe that gave it.
 */
import type { PingReason, Reachability } from './reachability.js';

export type TargetState = Reachability | 'unknown';
export type Reason = PingReason | 'snmp_silent' | 'snmp_auth' | 'snmp_error' | 'no_data';
/** What an SNMP poll said about the agent. */
export type SnmpVerdict = 'ok' | 'silent' | 'auth' | 'error';

export interface Signal<V> {
  verdict: V;
  /** When the result that confirmed it ended (ms). */
  at: number;
  /** How long it counts: 2 × interval + timeout of its probe. */
  freshMs: number;
}

export interface Signals {
  ping?: Signal<{ state: Reachability; reasons: readonly PingReason[] }>;
  snmp?: Signal<SnmpVerdict>;
}

export interface Decision {
  state: TargetState;
  reasons: Reason[];
}

/** Worst first: how sites combine their targets (unknown only when nothing is known). */
export const STATE_RANK: Record<TargetState, number> = { unknown: 0, up: 1, degraded: 2, down: 3 };
const worse = (a: TargetState, b: TargetState): TargetState => (STATE_RANK[b] > STATE_RANK[a] ? b : a);

export const isFresh = (s: Signal<unknown> | undefined, now: number): boolean => !!s && now - s.at <= s.freshMs;

const SNMP_REASON: Record<Exclude<SnmpVerdict, 'ok'>, Reason> = { silent: 'snmp_silent', auth: 'snmp_auth', error: 'snmp_error' };

export function decideTarget(s: Signals, now: number): Decision {
  const ping = isFresh(s.ping, now) ? s.ping!.verdict : undefined;
  const snmp = isFresh(s.snmp, now) ? s.snmp!.verdict : undefined;
  if (!ping && !snmp) return { state: 'unknown', reasons: ['no_data'] };
  let state: TargetState = ping?.state ?? 'up';
  const reasons: Reason[] = ping ? [...ping.reasons] : [];
  if (snmp && snmp !== 'ok') {
    reasons.push(SNMP_REASON[snmp]);
    // An agent that does not answer, with nothing else to go by, is a site that is gone; one that answers
    // with an error is there (a wrong community is a config problem, not an outage).
    state = worse(state, snmp === 'silent' && !ping ? 'down' : 'degraded');
  }
  return { state, reasons };
}

/** A site: the worst of its targets' states, the reasons of those that are not unknown. */
export function decideSite(targets: readonly Decision[]): Decision {
  let state: TargetState = 'unknown';
  const reasons = new Set<Reason>();
  for (const d of targets) {
    if (d.state === 'unknown') continue;
    state = worse(state, d.state);
    for (const r of d.reasons) reasons.add(r);
  }
  return state === 'unknown' ? { state, reasons: ['no_data'] } : { state, reasons: [...reasons] };
}

/** How a failed SNMP poll reads: a silent agent, a rejected credential, or anything else. */
export function snmpVerdict(error: { reason: string } | undefined): SnmpVerdict {
  if (!error) return 'ok';
  if (error.reason === 'timeout' || error.reason === 'unreachable') return 'silent';
  return error.reason === 'auth' ? 'auth' : 'error';
}
