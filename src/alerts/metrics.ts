/** Alerting on /metrics: alert counts by name, severity and state, and notification outcomes per receiver. */
import client from 'prom-client';
import type { DeliveryResult, ReceiverStatus } from './notifier.js';
import type { AlertInstance } from './types.js';

export interface AlertMetricsSource {
  instances: () => Iterable<AlertInstance>;
  /** (alertname, severity) of every configured rule: reported as 0 when nothing fires. */
  rules: () => { name: string; severity: string }[];
  receivers: () => ReceiverStatus[];
}

export interface AlertMetrics {
  count(receiver: string, result: DeliveryResult, n: number): void;
  /** Make each receiver's counters exist (at 0) so rate() works from the first scrape. */
  initReceivers(names: string[]): void;
}

export function registerAlertMetrics(registry: client.Registry, src: AlertMetricsSource): AlertMetrics {
  const r = [registry];
  new client.Gauge({
    name: 'netmon_alerts',
    help: 'Alert instances by alert name, severity and state (pending or firing).',
    labelNames: ['alertname', 'severity', 'state'],
    registers: r,
    collect() {
      this.reset();
      for (const rule of src.rules()) for (const state of ['pending', 'firing']) this.set({ alertname: rule.name, severity: rule.severity, state }, 0);
      for (const a of src.instances()) {
        if (a.state === 'resolved') continue;
        this.inc({ alertname: a.labels.alertname ?? a.rule, severity: a.labels.severity ?? '', state: a.state });
      }
    },
  });
  const notifications = new client.Counter({
    name: 'netmon_alert_notifications_total',
    help: 'Alert notifications per receiver by result: success (delivered), failure (attempt failed, will retry), dropped (queue full).',
    labelNames: ['receiver', 'result'],
    registers: r,
  });
  new client.Gauge({
    name: 'netmon_alert_notification_queue_length',
    help: 'Alerts waiting for delivery, per receiver.',
    labelNames: ['receiver'],
    registers: r,
    collect() {
      this.reset();
      for (const s of src.receivers()) this.set({ receiver: s.name }, s.queued);
    },
  });
  return {
    count: (receiver, result, n) => notifications.inc({ receiver, result }, n),
    initReceivers: (names) => {
      for (const receiver of names) for (const result of ['success', 'failure', 'dropped']) notifications.inc({ receiver, result }, 0);
    },
  };
}
