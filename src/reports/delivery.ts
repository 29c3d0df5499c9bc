/**
 * Scheduled delivery of the monthly report (`reports.monthly_delivery: true`): on the 1st of each month
 * at 07:00 in server.timezone, every webhook receiver of `alerting.receivers` gets one notification in
 * the Alertmanager webhook format (version 4, what those receivers already take) whose alert
 * `NetmonMonthlyReport` carries the links to last month's report (HTML and PDF) in its annotations.
 * The request goes the way alert notifications go (prepareTarget: basic auth from the URL, headers,
 * timeout; no redirects). Alertmanager receivers are left out: a report is not an alert to route.
 *
 * The clock is injected (tests): the timer re-reads it, sleeping at most an hour at a time, so a long
 * wait neither overflows setTimeout nor misses a clock that jumped. A daemon not running at 07:00 on the
 * 1st does not deliver that month (logged at start: the next delivery's time).
 */
import type { LoadedConfig } from '../config/model.js';
import { prepareTarget } from '../alerts/notifier.js';
import { zonedParts, zonedToUtc } from './tz.js';

const HOUR = 3_600_000;
const AT_HOUR = 7;

export interface DeliveryOptions {
  config: () => LoadedConfig;
  now?: () => number;
  log?: (level: 'info' | 'warn', msg: string, extra?: Record<string, unknown>) => void;
}

/** The first delivery instant after `now`: the next 1st of a month, 07:00 local. */
export function nextDelivery(now: number, tz: string): number {
  const p = zonedParts(now, tz);
  const thisMonth = zonedToUtc(p.year, p.month, 1, AT_HOUR, 0, tz);
  return thisMonth > now ? thisMonth : zonedToUtc(p.year, p.month + 1, 1, AT_HOUR, 0, tz);
}

/** The calendar month (YYYY-MM) before the local month of `at`. */
export function previousMonth(at: number, tz: string): string {
  const p = zonedParts(at, tz);
  const y = p.month === 1 ? p.year - 1 : p.year;
  const m = p.month === 1 ? 12 : p.month - 1;
  return `${y}-${String(m).padStart(2, '0')}`;
}

function baseUrl(config: LoadedConfig): string {
  const pub = config.reports?.public_url;
  if (pub) return pub.endsWith('/') ? pub : `${pub}/`;
  const host = config.server.listen_address.includes(':') ? `[${config.server.listen_address}]` : config.server.listen_address;
  return `${config.web?.tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${config.server.port}/`;
}

/** Send last month's report link to every webhook receiver; resolves with each receiver's outcome. */
export async function deliverMonthly(config: LoadedConfig, at: number): Promise<{ receiver: string; ok: boolean; error?: string }[]> {
  const month = previousMonth(at, config.server.timezone);
  const base = baseUrl(config);
  const html = new URL(`api/v1/reports/monthly.html?month=${month}&lang=${config.server.language}`, base).toString();
  const pdf = new URL(`api/v1/reports/monthly.pdf?month=${month}&lang=${config.server.language}`, base).toString();
  const startsAt = new Date(at).toISOString();
  const summary = config.server.language === 'vi' ? `Báo cáo vận hành tháng ${month}` : `Monthly operations report ${month}`;
  const alert = {
    status: 'firing',
    labels: { alertname: 'NetmonMonthlyReport', month, severity: 'info' },
    annotations: { summary, report_url: html, pdf_url: pdf },
    startsAt,
    endsAt: new Date(at + HOUR).toISOString(),
    generatorURL: html,
    fingerprint: `netmon-monthly-report-${month}`,
  };
  const receivers = (config.alerting?.receivers ?? []).filter((r) => r.type === 'webhook');
  return Promise.all(
    receivers.map(async (rc) => {
      const { url, headers } = prepareTarget(rc);
      const body = {
        version: '4', groupKey: `netmon:${rc.name}:monthly-report`, truncatedAlerts: 0, status: 'firing', receiver: rc.name,
        groupLabels: {}, commonLabels: alert.labels, commonAnnotations: alert.annotations, externalURL: base, alerts: [alert],
      };
      try {
        const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), redirect: 'error', signal: AbortSignal.timeout(rc.timeout) });
        await res.arrayBuffer().catch(() => undefined);
        return res.ok ? { receiver: rc.name, ok: true } : { receiver: rc.name, ok: false, error: `HTTP ${res.status}` };
      } catch (err) {
        // Like alert delivery: the reason, never the URL or headers (they may hold secrets).
        return { receiver: rc.name, ok: false, error: (err as Error).name === 'TimeoutError' ? 'timeout' : 'request failed' };
      }
    }),
  );
}

/** Run the schedule while `reports.monthly_delivery` is on (re-read at every wake-up, so a reload applies). */
export function startMonthlyDelivery(o: DeliveryOptions): { stop(): void; readonly next: number } {
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => {});
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let due = nextDelivery(now(), o.config().server.timezone);
  const wake = () => {
    if (stopped) return;
    const config = o.config();
    const t = now();
    if (t >= due) {
      const at = due;
      due = nextDelivery(t, config.server.timezone);
      if (config.reports?.monthly_delivery) {
        void deliverMonthly(config, at).then((results) => {
          for (const r of results) log(r.ok ? 'info' : 'warn', r.ok ? 'monthly report link delivered' : 'monthly report link not delivered', { receiver: r.receiver, ...(r.error ? { error: r.error } : {}) });
        });
      }
    }
    timer = setTimeout(wake, Math.max(10, Math.min(HOUR, due - now())));
    timer.unref();
  };
  if (o.config().reports?.monthly_delivery) log('info', 'monthly report delivery scheduled', { next: new Date(due).toISOString() });
  wake();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    get next() {
      return due;
    },
  };
}
