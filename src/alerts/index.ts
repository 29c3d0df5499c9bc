/**
 * Alerting: rules evaluated on every probe result (engine.ts, one module per rule kind in kinds/), state
 * and history in SQLite (db.ts), notifications to Alertmanager and webhooks (notifier.ts), silences and
 * acknowledgements, /metrics families (metrics.ts). The daemon creates one `Alerting`, subscribes `accept`
 * to the pipeline and reports reloads with `reloadResult`; the HTTP API (src/http/alerts.ts) adapts its
 * plain query and action methods, so nothing here depends on express or the HTTP server.
 */
import type client from 'prom-client';
import type { LoadedConfig } from '../config/model.js';
import type { AlertingConfig } from '../config/schema.js';
import type { ProbeResult } from '../scheduler.js';
import { AlertsDb, alertsDbPath, type HistoryQuery } from './db.js';
import { DbGuard } from '../db-guard.js';
import { AlertEngine, type Transition } from './engine.js';
import { registerAlertMetrics, type AlertMetrics } from './metrics.js';
import { Notifier, type ReceiverStatus } from './notifier.js';
import { inMaintenance } from '../reports/maintenance.js';
import { reloadObservation } from './kinds/config-reload-failed.js';
import { compileRule, type CompiledRule } from './rules.js';
import { checkText, Rejected, Silences, type SilenceInput } from './silences.js';
import type { Ack, AlertInstance, HistoryEvent, Silence } from './types.js';
import type { AlertView } from '../http/contract.js';

export type { AlertInstance, Silence, Ack, HistoryEvent } from './types.js';
export { Rejected, type SilenceInput } from './silences.js';
/** The API's view of an alert instance (the HTTP contract owns its shape). */
export type { AlertView };

const HISTORY_RETENTION_MS = 180 * 86_400_000;
const EMPTY: AlertingConfig = {
  resend_interval: 60_000,
  defaults: { severity: 'warning', for: 0, keep_firing_for: 0 },
  retry: { initial_backoff: 1000, max_backoff: 300_000 },
  max_queue: 10_000,
  limits: { silences: 1000, matchers: 64, value_bytes: 1024, comment_bytes: 4096, total_bytes: 4 << 20, keep_expired: 5 * 86_400_000, acknowledgements: 1000 },
  receivers: [],
  rules: [],
};

export interface AlertingOptions {
  config: LoadedConfig;
  /** prom-client registry for the alerting families (the exporter's). */
  registry?: client.Registry;
  /** Default: next to the store, see alertsDbPath(). */
  dbPath?: string;
  /** Used for generatorURL when alerting.external_url is not set. */
  externalUrl?: string;
  now?: () => number;
  /** How often time-driven work runs (keep_firing_for, staleness, re-sends); 0 = never (tests call tick()). Default 1000 ms. */
  tickMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** The daemon's error boundary for background writes (its metrics on /metrics); default: one of its own that logs to `log`. */
  guard?: DbGuard;
}

export class Alerting {
  readonly db: AlertsDb;
  readonly engine: AlertEngine;
  readonly notifier: Notifier;
  private cfg: AlertingConfig;
  private config: LoadedConfig;
  private compiled: CompiledRule[] = [];
  private readonly silenceStore: Silences;
  private readonly acks = new Map<string, Ack>();
  private readonly metrics?: AlertMetrics;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private lastPrune = 0;
  private lastFlush = 0;
  private closed = false;
  private ctxKey = '';

  constructor(private readonly opts: AlertingOptions) {
    this.now = opts.now ?? Date.now;
    this.config = opts.config;
    this.cfg = opts.config.alerting ?? EMPTY;
    const guard = opts.guard ?? new DbGuard({ log: (level, msg, extra) => opts.log?.(level, msg, extra) });
    guard.configure('alerts', { note: 'alert state and history wait in memory and are retried (polling is not affected)' });
    this.db = new AlertsDb(opts.dbPath ?? alertsDbPath(opts.config.storage.path), guard);
    try {
      this.compiled = this.compile(this.cfg, []);
      this.silenceStore = new Silences(this.db, this.cfg.limits, (level, msg, extra) => opts.log?.(level, msg, { component: 'alerts', ...extra }));
      this.silenceStore.load(this.now());
      for (const a of this.db.acks()) this.acks.set(a.fingerprint, a);
      this.engine = new AlertEngine({
        db: this.db,
        rules: this.compiled,
        now: this.now,
        onTransition: (a, t) => this.onTransition(a, t),
        onError: (rule, err) => opts.log?.('error', 'alert rule failed', { rule, err: String(err) }),
      });
      if (opts.registry) {
        this.metrics = registerAlertMetrics(opts.registry, {
          instances: () => this.engine.instances(),
          rules: () => this.engine.getRules().map((r) => ({ name: r.name, severity: r.severity })),
          receivers: () => this.notifier.status(),
        });
        this.metrics.initReceivers(this.cfg.receivers.map((r) => r.name));
      }
      this.notifier = new Notifier({
        db: this.db,
        config: this.cfg,
        externalUrl: this.externalUrl(),
        instances: () => this.engine.instances(),
        silenced: (a) => this.silencedBy(a.labels).length > 0 || this.inMaintenance(a.labels),
        acked: (fp) => this.acks.has(fp),
        done: (fp) => this.engine.forget(fp),
        count: (receiver, result, n) => this.metrics?.count(receiver, result, n),
        log: (level, msg, extra) => opts.log?.(level, msg, { component: 'alerts', ...extra }),
        now: this.now,
      });
    } catch (e) {
      this.db.close();
      throw e;
    }
    // netmon runs this config, so it loaded: a "reload failed" alert from before a restart is over.
    this.reloadResult(true);
    const tickMs = opts.tickMs ?? 1000;
    if (tickMs > 0) {
      this.timer = setInterval(() => this.tick(), tickMs);
      this.timer.unref();
    }
    this.notifier.kick();
  }

  /** Pipeline consumer: evaluate every rule on a probe result. Synchronous and cheap; delivery is async. */
  accept(result: ProbeResult): void {
    if (this.closed) return;
    this.engine.accept(result);
    this.notifier.kick();
  }

  /** Report the outcome of a config (re)load: feeds `config_reload_failed` rules. */
  reloadResult(ok: boolean, message = ''): void {
    if (this.closed) return;
    const ts = this.now();
    this.engine.observe('config_reload_failed', () => reloadObservation(ok, message, ts));
    this.notifier.kick();
  }

  /** A reload succeeded: new rules and receivers. Rules whose definition did not change keep their state. */
  reconfigure(config: LoadedConfig): void {
    this.config = config;
    this.cfg = config.alerting ?? EMPTY;
    this.compiled = this.compile(this.cfg, this.compiled);
    this.engine.setRules(this.compiled);
    this.metrics?.initReceivers(this.cfg.receivers.map((r) => r.name));
    this.silenceStore.reconfigure(this.cfg.limits);
    this.notifier.configure(this.cfg, this.externalUrl());
    this.reloadResult(true);
  }

  /** Time-driven work: keep_firing_for, stale series, re-sends, retries, housekeeping. */
  tick(now = this.now()): void {
    if (this.closed) return;
    this.engine.tick(now);
    this.notifier.scan(now);
    if (now - this.lastFlush > 300_000) {
      this.lastFlush = now;
      this.engine.flush();
    }
    if (now - this.lastPrune > 3_600_000) {
      this.lastPrune = now;
      this.db.pruneHistory(now - HISTORY_RETENTION_MS);
      this.silenceStore.prune(now);
    }
  }

  // ---- queries and actions (the API) ----

  alerts(): AlertView[] {
    return this.engine
      .instances()
      .filter((a) => a.state !== 'resolved')
      .sort((x, y) => (x.state === y.state ? y.activeSince - x.activeSince : x.state === 'firing' ? -1 : 1))
      .map((a) => this.view(a));
  }

  view(a: AlertInstance): AlertView {
    const ack = this.acks.get(a.fingerprint);
    return {
      fingerprint: a.fingerprint,
      alertname: a.labels.alertname ?? a.rule,
      severity: a.labels.severity ?? '',
      state: a.state,
      labels: a.labels,
      annotations: a.annotations,
      value: a.value,
      active_since: a.activeSince,
      starts_at: a.firedAt,
      resolved_at: a.resolvedAt,
      silenced_by: this.silencedBy(a.labels),
      acknowledged: ack ? { by: ack.by, comment: ack.comment, at: ack.at } : null,
    };
  }

  rules(): CompiledRule[] {
    return this.engine.getRules();
  }

  history(q: HistoryQuery): HistoryEvent[] {
    return this.db.history(q);
  }

  receivers(): ReceiverStatus[] {
    return this.notifier.status();
  }

  silences(): (Silence & { active: boolean })[] {
    return this.silenceStore.all(this.now());
  }

  /** Throws Rejected (409/413/422) for a silence over the limits or with an unacceptable matcher or text. */
  addSilence(input: SilenceInput): Silence {
    const s = this.silenceStore.add(input, this.now());
    this.notifier.kick();
    return s;
  }

  /** End a silence now. False if there is no such silence. */
  expireSilence(id: string): boolean {
    if (!this.silenceStore.expire(id, this.now())) return false;
    this.notifier.kick();
    return true;
  }

  /** A site's alert during one of its maintenance windows (config `maintenance:`) is held back like a silenced one. */
  private inMaintenance(labels: Record<string, string>): boolean {
    const windows = this.config.maintenance;
    const site = labels.site && windows?.length ? this.config.sites.find((s) => s.id === labels.site) : undefined;
    return site !== undefined && inMaintenance(windows!, site, this.now(), this.config.server.timezone);
  }

  silencedBy(labels: Record<string, string>): string[] {
    return this.silenceStore.matching(labels, this.now());
  }

  /**
   * Acknowledge a pending or firing alert: shown as such, and webhooks stop repeating it. Cleared when it
   * resolves. Throws Rejected for unacceptable text or past limits.acknowledgements.
   */
  acknowledge(fingerprint: string, by: string, comment: string): AlertView | undefined {
    const a = this.engine.get(fingerprint);
    if (!a || a.state === 'resolved') return undefined;
    checkText('by', by, false, 200);
    checkText('comment', comment, true, this.cfg.limits.comment_bytes);
    const max = this.cfg.limits.acknowledgements;
    if (!this.acks.has(fingerprint) && this.acks.size >= max) throw new Rejected(409, `${this.acks.size} alerts are acknowledged, at most ${max} (limits.acknowledgements)`);
    const ack: Ack = { fingerprint, by, comment, at: this.now() };
    this.acks.set(fingerprint, ack);
    this.db.saveAck(ack);
    this.history1(a, 'acknowledged', `${by}: ${comment}`.slice(0, 500));
    return this.view(a);
  }

  unacknowledge(fingerprint: string): AlertView | undefined {
    const a = this.engine.get(fingerprint);
    if (!a || !this.acks.delete(fingerprint)) return undefined;
    this.db.deleteAck(fingerprint);
    this.history1(a, 'unacknowledged', '');
    return this.view(a);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.notifier.stop();
    try {
      this.engine.flush();
    } finally {
      this.db.close();
    }
  }

  private history1(a: AlertInstance, event: HistoryEvent['event'], summary: string): void {
    this.db.addHistory({ ts: this.now(), fingerprint: a.fingerprint, rule: a.rule, severity: a.labels.severity ?? '', event, value: null, labels: a.labels, summary });
  }

  private onTransition(a: AlertInstance, t: Transition): void {
    if ((t === 'resolved' || t === 'inactive') && this.acks.delete(a.fingerprint)) this.db.deleteAck(a.fingerprint);
    this.opts.log?.(t === 'firing' ? 'warn' : 'info', `alert ${t}`, { alertname: a.labels.alertname, fingerprint: a.fingerprint, summary: a.annotations.summary });
  }

  private externalUrl(): string {
    if (this.cfg.external_url) return this.cfg.external_url;
    if (this.opts.externalUrl) return this.opts.externalUrl;
    const { listen_address: h, port } = this.config.server;
    return `http://${h.includes(':') ? `[${h}]` : h}:${port}/`;
  }

  private compile(cfg: AlertingConfig, previous: CompiledRule[]): CompiledRule[] {
    const ctx = { uplinks: this.config.uplinks, sites: this.config.sites, baselines: this.db.baselines() };
    const ctxKey = JSON.stringify([cfg.defaults, ctx.uplinks, ctx.sites]);
    const sameCtx = this.ctxKey === ctxKey;
    this.ctxKey = ctxKey;
    return cfg.rules.map((r) => {
      const old = previous.find((p) => p.name === r.name);
      if (old && sameCtx && JSON.stringify(old.config) === JSON.stringify(r)) return old;
      return compileRule(r, cfg, ctx);
    });
  }
}
