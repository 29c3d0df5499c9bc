/**
 * netmon's own health on /metrics: build, scheduler, store, config reloads, process and Node.js.
 * Every family here passes `promtool check metrics` (see test/exporter/promtool.test.ts).
 */
import client from 'prom-client';
import type { Scheduler } from './scheduler.js';
import type { Store } from './store/types.js';

export interface ReloadStatus {
  successful: boolean;
  lastSuccessMs: number;
  /** Time of the last (re)load attempt, successful or not. */
  lastAttemptMs?: number;
  /** Why the last attempt failed (config problems, file:line:col: field: message; never a value); null after a success. */
  lastError?: string | null;
  /** What asked for it. */
  trigger?: 'startup' | 'signal' | 'http' | 'watch' | 'api';
}

export interface SelfMetricsSources {
  version: string;
  scheduler: () => Scheduler | undefined;
  store: () => Store | undefined;
  reload: () => ReloadStatus;
  exportedSeries: () => number;
}

/**
 * prom-client's default metrics that break the Prometheus naming rules (`promtool check metrics`:
 * "non-counter metrics should not have "_total" suffix"). Nothing is lost: `nodejs_active_handles`,
 * `nodejs_active_requests` and `nodejs_active_resources` (by type) carry the same totals, `sum()` them.
 */
const DROPPED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Feed a prom-client counter (which only goes up by inc()) a source's running totals, by label value. */
function syncer(c: client.Counter<string>, label: string) {
  const last: Record<string, number> = {};
  return (now: Record<string, number>) => {
    for (const [v, n] of Object.entries(now)) {
      const d = n - (last[v] ?? 0);
      if (d > 0) c.inc({ [label]: v }, d);
      last[v] = n;
    }
  };
}

export function registerSelfMetrics(registry: client.Registry, src: SelfMetricsSources): void {
  client.collectDefaultMetrics({ register: registry });
  for (const name of DROPPED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  const r = [registry];
  /** A gauge read from a source at scrape time; `undefined` leaves it as it was. */
  const gauge = (name: string, help: string, read: () => number | undefined) =>
    new client.Gauge({
      name,
      help,
      registers: r,
      collect() {
        const v = read();
        if (v !== undefined) this.set(v);
      },
    });

  new client.Gauge({ name: 'netmon_build_info', help: 'Build information (value is always 1).', labelNames: ['version', 'nodejs_version'], registers: r }).set(
    { version: src.version, nodejs_version: process.version },
    1,
  );

  // prom-client collects in registration order: the first family of a source pulls the source's numbers
  // for all of its families, so none of them lags a scrape behind.
  let syncRuns: (n: Record<string, number>) => void = () => undefined;
  let syncSkipped: (n: Record<string, number>) => void = () => undefined;
  const runs = new client.Counter({
    name: 'netmon_scheduler_runs_total',
    help: 'Probe runs started, by probe kind.',
    labelNames: ['probe'],
    registers: r,
    collect() {
      const s = src.scheduler()?.getStats();
      if (!s) return;
      syncRuns(s.runs);
      syncSkipped(s.skipped);
    },
  });
  const skipped = new client.Counter({
    name: 'netmon_scheduler_skipped_total',
    help: 'Poll cycles skipped because the previous run of the same job was still going or the event loop was blocked, by probe kind.',
    labelNames: ['probe'],
    registers: r,
  });
  syncRuns = syncer(runs, 'probe');
  syncSkipped = syncer(skipped, 'probe');
  gauge('netmon_scheduler_lag_seconds', 'Delay between a job slot and the start of its run, most recent run.', () => {
    const v = src.scheduler()?.getStats().lastLagMs;
    return v === undefined ? undefined : v / 1000;
  });
  gauge('netmon_scheduler_max_lag_seconds', 'Largest delay between a job slot and the start of its run since netmon started.', () => {
    const v = src.scheduler()?.getStats().maxLagMs;
    return v === undefined ? undefined : v / 1000;
  });
  gauge('netmon_scheduler_in_flight', 'Probe runs in progress.', () => src.scheduler()?.getStats().inFlight ?? 0);

  // One read of the store's stats (two stat() calls) per scrape feeds all of its families.
  let storeRead: { at: number; stats: ReturnType<Store['stats']> | undefined } = { at: 0, stats: undefined };
  const storeStats = () => {
    const now = Date.now();
    if (now - storeRead.at > 250) storeRead = { at: now, stats: src.store()?.stats() };
    return storeRead.stats;
  };
  let syncRejected: (n: Record<string, number>) => void = () => undefined;
  const storeTotals = { written: 0, writeErrors: 0, dropped: 0 };
  const advance = (c: client.Counter, key: keyof typeof storeTotals, now: number) => {
    if (now > storeTotals[key]) c.inc(now - storeTotals[key]);
    storeTotals[key] = now;
  };
  new client.Counter({
    name: 'netmon_store_samples_written_total',
    help: 'Samples committed to the store.',
    registers: r,
    collect() {
      const s = storeStats();
      if (!s) return;
      advance(this, 'written', s.samplesWritten);
      advance(writeErrors, 'writeErrors', s.writeErrors);
      advance(dropped, 'dropped', s.samplesDropped);
      syncRejected(s.samplesRejected);
    },
  });
  const writeErrors = new client.Counter({
    name: 'netmon_store_write_errors_total',
    help: 'Store commits that failed (disk full, database locked or read-only); the samples stay queued and are retried.',
    registers: r,
  });
  const dropped = new client.Counter({
    name: 'netmon_store_samples_dropped_total',
    help: 'Samples thrown away because the write queue overflowed while commits kept failing.',
    registers: r,
  });
  const rejected = new client.Counter({ name: 'netmon_store_samples_rejected_total', help: 'Samples the store refused, by reason.', labelNames: ['reason'], registers: r });
  syncRejected = syncer(rejected, 'reason');
  gauge('netmon_store_queued_samples', 'Samples waiting in memory for a commit (grows while writes fail).', () => storeStats()?.pending);
  gauge('netmon_store_size_bytes', 'Size of the SQLite database files (main + WAL).', () => storeStats()?.fileBytes);
  gauge('netmon_store_series', 'Series known to the store.', () => storeStats()?.series);
  gauge('netmon_store_commit_duration_seconds', 'Duration of the most recent store commit (write latency).', () => storeStats()?.lastCommitSeconds);

  gauge('netmon_exporter_series', 'Probe series currently exposed on /metrics.', () => src.exportedSeries());

  gauge('netmon_config_last_reload_successful', 'Whether the last configuration (re)load succeeded (1) or failed (0).', () => src.reload().successful ? 1 : 0);
  gauge('netmon_config_last_reload_success_timestamp_seconds', 'Time of the last successful configuration (re)load, Unix seconds.', () => src.reload().lastSuccessMs / 1000);
}
