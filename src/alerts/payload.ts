/**
 * Wire formats. Alertmanager's API v2 (`POST /api/v2/alerts`: an array of postable alerts) and, for generic
 * webhooks, the payload Alertmanager itself sends to webhook receivers (version 4), which chat bridges and
 * ticketing tools already understand.
 */
import type { AlertReceiverConfig } from '../config/schema.js';
import type { AlertInstance } from './types.js';

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export interface Outgoing {
  alert: AlertInstance;
  state: 'firing' | 'resolved';
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Alertmanager's "no end" timestamp in webhook payloads. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function generatorUrl(externalUrl: string, a: AlertInstance): string {
  return `${externalUrl.replace(/\/?$/, '/')}api/v1/alerts?alertname=${encodeURIComponent(a.labels.alertname ?? a.rule)}`;
}

/**
 * A firing alert is valid until 4 re-send intervals from now (what Prometheus sends as endsAt): if netmon
 * dies, Alertmanager resolves it by itself. A resolved one ends when it resolved.
 */
export function alertmanagerPayload(items: Outgoing[], externalUrl: string, resendMs: number, now: number): PostableAlert[] {
  return items.map(({ alert: a, state }) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: iso(a.firedAt ?? a.activeSince),
    endsAt: iso(state === 'resolved' ? (a.resolvedAt ?? now) : now + 4 * resendMs),
    generatorURL: generatorUrl(externalUrl, a),
  }));
}

function common(list: Record<string, string>[]): Record<string, string> {
  if (list.length === 0) return {};
  const out: Record<string, string> = { ...list[0] };
  for (const l of list.slice(1)) for (const k of Object.keys(out)) if (l[k] !== out[k]) delete out[k];
  return out;
}

export function webhookPayload(items: Outgoing[], receiver: AlertReceiverConfig, externalUrl: string) {
  const alerts = items.map(({ alert: a, state }) => ({
    status: state,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: iso(a.firedAt ?? a.activeSince),
    endsAt: state === 'resolved' && a.resolvedAt !== null ? iso(a.resolvedAt) : ZERO_TIME,
    generatorURL: generatorUrl(externalUrl, a),
    fingerprint: a.fingerprint,
  }));
  return {
    version: '4',
    groupKey: `netmon:${receiver.name}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: receiver.name,
    groupLabels: {},
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: externalUrl,
    alerts,
  };
}
