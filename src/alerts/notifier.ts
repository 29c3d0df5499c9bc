/**
 * Delivery to receivers (Alertmanager, webhooks), off the polling path. What each receiver must be told is
 * derived from the alert state and what it was last told (persisted, so a restart neither loses nor repeats
 * a notification): a firing alert it has not heard of, a resolution of one it has, a periodic re-send. Each
 * receiver has a bounded queue (one entry per alert: a newer state replaces an older one), one request in
 * flight at a time, and exponential backoff with jitter after a failure. Polling never waits for any of it.
 *
 * Receiver URLs and headers may carry credentials: they appear in no log line, error or API answer.
 */
import type { AlertingConfig, AlertReceiverConfig } from '../config/schema.js';
import type { AlertsDb, Delivery } from './db.js';
import type { ReceiverStatus } from '../http/contract.js';
import { alertmanagerPayload, webhookPayload, type Outgoing } from './payload.js';
import type { AlertInstance } from './types.js';

export type DeliveryResult = 'success' | 'failure' | 'dropped';

export interface NotifierOptions {
  db: AlertsDb;
  config: AlertingConfig;
  externalUrl: string;
  instances: () => Iterable<AlertInstance>;
  silenced: (a: AlertInstance) => boolean;
  acked: (fingerprint: string) => boolean;
  /** Every receiver is done with this resolved alert. */
  done: (fingerprint: string) => void;
  count?: (receiver: string, result: DeliveryResult, n: number) => void;
  log?: (level: 'info' | 'warn', msg: string, extra: Record<string, unknown>) => void;
  now?: () => number;
  /** Alerts per request (default 64). */
  batchSize?: number;
}

/** Delivery status of a receiver, as GET /api/v1/alerts/receivers answers it (the HTTP contract owns its shape). */
export type { ReceiverStatus };

interface Runtime {
  cfg: AlertReceiverConfig;
  /** Target URL without user info. */
  url: string;
  headers: Record<string, string>;
  queue: Map<string, true>;
  sending: boolean;
  failures: number;
  backoffUntil: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
}

/** Split user:password@ off a URL into a basic-auth header (fetch refuses URLs with credentials). */
export function prepareTarget(cfg: AlertReceiverConfig): { url: string; headers: Record<string, string> } {
  const u = new URL(cfg.url);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'netmon-alerts' };
  if (u.username || u.password) {
    const creds = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    headers.authorization = `Basic ${Buffer.from(creds).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  for (const [k, v] of Object.entries(cfg.headers)) headers[k.toLowerCase()] = v;
  let url = u.toString();
  if (cfg.type === 'alertmanager' && !/\/api\/v2\/alerts\/?$/.test(u.pathname)) url = url.replace(/\/?(\?|#|$)/, '/api/v2/alerts$1');
  return { url, headers };
}

/** A failure described without anything from the URL or headers. */
function describeFailure(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  const code = e?.cause?.code ?? e?.code;
  return code ? `connection failed (${code})` : 'request failed';
}

export class Notifier {
  private receivers = new Map<string, Runtime>();
  /** fingerprint → receiver → last delivery. */
  private readonly delivered = new Map<string, Map<string, Delivery>>();
  private cfg: AlertingConfig;
  private externalUrl: string;
  private readonly now: () => number;
  private readonly abort = new AbortController();
  private kickTimer: NodeJS.Immediate | null = null;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly opts: NotifierOptions) {
    this.now = opts.now ?? Date.now;
    this.cfg = opts.config;
    this.externalUrl = opts.externalUrl;
    for (const d of opts.db.loadDeliveries()) this.remember(d);
    this.configure(opts.config, opts.externalUrl);
  }

  configure(cfg: AlertingConfig, externalUrl: string): void {
    this.cfg = cfg;
    this.externalUrl = externalUrl;
    const next = new Map<string, Runtime>();
    for (const rc of cfg.receivers) {
      const old = this.receivers.get(rc.name);
      const { url, headers } = prepareTarget(rc);
      if (old) Object.assign(old, { cfg: rc, url, headers });
      next.set(rc.name, old ?? { cfg: rc, url, headers, queue: new Map(), sending: false, failures: 0, backoffUntil: 0, lastSuccessAt: null, lastFailureAt: null, lastError: null });
    }
    this.receivers = next;
    this.kick();
  }

  status(): ReceiverStatus[] {
    return [...this.receivers.values()].map((r) => ({
      name: r.cfg.name,
      type: r.cfg.type,
      queued: r.queue.size,
      consecutive_failures: r.failures,
      last_success_at: r.lastSuccessAt,
      last_failure_at: r.lastFailureAt,
      last_error: r.lastError,
      next_attempt_at: r.failures > 0 ? r.backoffUntil : null,
    }));
  }

  /** Look for work soon (after the current evaluation). */
  kick(): void {
    if (this.stopped || this.kickTimer) return;
    this.kickTimer = setImmediate(() => {
      this.kickTimer = null;
      this.scan();
    });
  }

  /** Queue what is due and start requests where a receiver is free. */
  scan(now = this.now()): void {
    if (this.stopped) return;
    const instances = [...this.opts.instances()];
    for (const a of instances) {
      let anyDue = false;
      for (const rc of this.receivers.values()) {
        if (this.due(a, rc, now)) {
          anyDue = true;
          if (!rc.queue.has(a.fingerprint)) rc.queue.set(a.fingerprint, true);
        } else rc.queue.delete(a.fingerprint);
      }
      if (!anyDue && a.state === 'resolved') {
        this.delivered.delete(a.fingerprint);
        this.opts.done(a.fingerprint);
      }
    }
    const byFp = new Map(instances.map((a) => [a.fingerprint, a]));
    for (const rc of this.receivers.values()) {
      for (const fp of rc.queue.keys()) if (!byFp.has(fp)) rc.queue.delete(fp);
      this.trim(rc, byFp, now);
      if (!rc.sending && rc.queue.size > 0 && now >= rc.backoffUntil) void this.send(rc, byFp, now);
    }
  }

  /** No new requests; give those in flight up to `graceMs` to finish (and be recorded), then abort them. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopped = true;
    if (this.kickTimer) clearImmediate(this.kickTimer);
    for (const t of this.retryTimers) clearTimeout(t);
    const end = Date.now() + graceMs;
    while (this.busy && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    this.abort.abort();
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
  }

  /** In flight: true while any receiver has a request going (tests wait on it). */
  get busy(): boolean {
    return [...this.receivers.values()].some((r) => r.sending);
  }

  private due(a: AlertInstance, rc: Runtime, now: number): 'firing' | 'resolved' | null {
    const d = this.delivered.get(a.fingerprint)?.get(rc.cfg.name);
    const known = d !== undefined && d.startsAt === a.firedAt;
    if (a.state === 'firing') {
      if (this.opts.silenced(a)) return null;
      if (!known || d.state !== 'firing') return 'firing';
      if (rc.cfg.type === 'alertmanager') return now - d.at >= this.cfg.resend_interval ? 'firing' : null;
      if (rc.cfg.repeat_interval > 0 && !this.opts.acked(a.fingerprint) && now - d.at >= rc.cfg.repeat_interval) return 'firing';
      return null;
    }
    if (a.state === 'resolved') {
      if (!known || d.state !== 'firing' || d.dropped) return null;
      if (rc.cfg.type === 'webhook' && !rc.cfg.send_resolved) return null;
      return 'resolved';
    }
    return null;
  }

  /** Bounded queue: past max_queue, the oldest alerts are given up (and counted). */
  private trim(rc: Runtime, byFp: Map<string, AlertInstance>, now: number): void {
    let excess = rc.queue.size - this.cfg.max_queue;
    if (excess <= 0) return;
    let dropped = 0;
    for (const fp of rc.queue.keys()) {
      if (excess-- <= 0) break;
      rc.queue.delete(fp);
      const a = byFp.get(fp);
      if (a && a.firedAt !== null) this.record({ fingerprint: fp, receiver: rc.cfg.name, state: a.state === 'resolved' ? 'resolved' : 'firing', startsAt: a.firedAt, at: now, dropped: true });
      dropped++;
    }
    this.opts.count?.(rc.cfg.name, 'dropped', dropped);
    this.opts.log?.('warn', 'alert receiver queue full: oldest notifications dropped', { receiver: rc.cfg.name, dropped });
  }

  private async send(rc: Runtime, byFp: Map<string, AlertInstance>, now: number): Promise<void> {
    const items: Outgoing[] = [];
    for (const fp of rc.queue.keys()) {
      const a = byFp.get(fp);
      const state = a && this.due(a, rc, now);
      if (!a || !state) {
        rc.queue.delete(fp);
        continue;
      }
      items.push({ alert: { ...a, labels: { ...a.labels }, annotations: { ...a.annotations } }, state });
      if (items.length >= (this.opts.batchSize ?? 64)) break;
    }
    if (items.length === 0) return;
    rc.sending = true;
    const body =
      rc.cfg.type === 'alertmanager'
        ? JSON.stringify(alertmanagerPayload(items, this.externalUrl, this.cfg.resend_interval, now))
        : JSON.stringify(webhookPayload(items, rc.cfg, this.externalUrl));
    let ok = false;
    let error = '';
    try {
      const res = await fetch(rc.url, {
        method: 'POST',
        headers: rc.headers,
        body,
        redirect: 'error',
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(rc.cfg.timeout)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      ok = res.ok;
      if (!ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = describeFailure(err);
    }
    const at = this.now();
    if (ok) {
      for (const it of items) {
        rc.queue.delete(it.alert.fingerprint);
        this.record({ fingerprint: it.alert.fingerprint, receiver: rc.cfg.name, state: it.state, startsAt: it.alert.firedAt ?? it.alert.activeSince, at, dropped: false });
      }
      if (rc.failures > 0) this.opts.log?.('info', 'alert receiver reachable again', { receiver: rc.cfg.name, after_failures: rc.failures });
      rc.failures = 0;
      rc.backoffUntil = 0;
      rc.lastSuccessAt = at;
      this.opts.count?.(rc.cfg.name, 'success', items.length);
      rc.sending = false;
      this.kick();
    } else {
      rc.sending = false;
      if (this.stopped) return; // aborted at shutdown: it stays due, and goes out after the restart
      rc.failures++;
      const r = this.cfg.retry;
      const base = Math.min(r.max_backoff, r.initial_backoff * 2 ** Math.min(rc.failures - 1, 30));
      const wait = Math.round(base * (0.5 + Math.random() * 0.5));
      rc.backoffUntil = at + wait;
      rc.lastFailureAt = at;
      rc.lastError = error;
      this.opts.count?.(rc.cfg.name, 'failure', items.length);
      this.opts.log?.('warn', 'alert notification failed; will retry', { receiver: rc.cfg.name, error, failures: rc.failures, retry_in_ms: wait });
      const t = setTimeout(() => {
        this.retryTimers.delete(t);
        this.kick();
      }, wait);
      t.unref();
      this.retryTimers.add(t);
    }
  }

  private record(d: Delivery): void {
    this.remember(d);
    this.opts.db.saveDelivery(d);
  }

  private remember(d: Delivery): void {
    let m = this.delivered.get(d.fingerprint);
    if (!m) this.delivered.set(d.fingerprint, (m = new Map<string, Delivery>()));
    m.set(d.receiver, d);
  }
}
