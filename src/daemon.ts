/**
 * The daemon: loads the config, starts the simulator (if configured), the store, the scheduler with its
 * probes, the pipeline and its consumers, and the HTTP server; reloads on SIGHUP; stops cleanly.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from './config/loader.js';
import { describeConfigChange } from './config/diff.js';
import { buildTargets, type LoadedConfig } from './config/model.js';
import { Scheduler } from './scheduler.js';
import { createFanout } from './fanout.js';
import { registerLimitMetrics } from './limits.js';
import { Exporter } from './exporter.js';
import { LiveState } from './live.js';
import { registerSelfMetrics, type ReloadStatus } from './self-metrics.js';
import { createApp } from './http/app.js';
import { BasicAuth } from './http/auth.js';
import { listen } from './http/server.js';
import { ConfigWatcher } from './config/watch.js';
import { checkWatchedChange } from './config/shrink.js';
import { describeLoadError } from './config/errors.js';
import { Alerting } from './alerts/index.js';
import { openStore } from './store/index.js';
import { DbGuard } from './db-guard.js';
import { startRemoteWrite } from './remote-write/index.js';
import { applyShard, shardFor, type Shard } from './shard.js';
import type { Store } from './store/types.js';
import { simulatedEchoPort, startSimulator, type Simulator } from './simulator/index.js';
import { closeProbes, createProbes } from '../probes/registry.js';
import { TrapService } from './traps/index.js';
import { eventAsResult } from './traps/effects.js';
import { flowsNeedRestart, startFlows } from './flows/start.js';
import type { Logger } from './log.js';

import { VERSION } from './version.js';
import { startMonthlyDelivery } from './reports/delivery.js';

export { VERSION };

export interface Daemon {
  url: string;
  /** The UDP port receiving SNMP traps; absent without `traps:`. */
  trapPort?: number;
  /** The UDP ports of the flow collector; absent without `flows:`. */
  flowPorts?: { netflow: number; sflow: number };
  config(): LoadedConfig;
  /** Load the config files again; an invalid config is rejected and the running one kept. */
  reload(trigger?: ReloadTrigger): { ok: boolean; message: string };
  stop(): Promise<void>;
}

export type ReloadTrigger = NonNullable<ReloadStatus['trigger']>;

export interface DaemonOptions {
  configFile: string;
  log: Logger;
  /** Override the configured port (tests use 0 for a free one). */
  port?: number;
  /** Debounce of `server.watch_config` (tests shorten it). Default 500 ms. */
  watchDebounceMs?: number;
  /** Override `traps.port` (tests use 0 for a free one). */
  trapPort?: number;
  /** Override `flows.netflow_port` / `flows.sflow_port` (tests use 0 for free ones). */
  flowPorts?: { netflow?: number; sflow?: number };
  /** `--shard I/N`: overrides the config's `cluster:`. */
  shard?: Shard;
}

/** The config files, narrowed to this shard's targets when sharded (`--shard` or `cluster:`). */
function loadShardConfig(opts: DaemonOptions): LoadedConfig {
  const all = loadConfig(opts.configFile);
  return applyShard(all, shardFor(all, opts.shard));
}

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const config = loadShardConfig(opts);
  // What started so far, so that a failure later in start-up (port in use, unwritable data folder) does
  // not leave the simulator's UDP agents or the database open behind the error.
  const started: Array<() => unknown> = [];
  try {
    return await startParts(opts, config, started);
  } catch (err) {
    for (const close of started.reverse()) {
      try {
        await close();
      } catch {
        // the original error is the one worth reporting
      }
    }
    throw err;
  }
}

async function startParts(opts: DaemonOptions, initialConfig: LoadedConfig, started: Array<() => unknown>): Promise<Daemon> {
  const { log } = opts;
  let config = initialConfig;
  const startedAt = Date.now();
  const reloadStatus: ReloadStatus = { successful: true, lastSuccessMs: startedAt, lastAttemptMs: startedAt, lastError: null, trigger: 'startup' };

  let simulator: Simulator | undefined;
  if (config.simulate.enabled) {
    simulator = await startSimulator(config, { log: (msg) => log.info({ component: 'simulator' }, msg) });
    started.push(() => simulator?.close());
    log.warn('simulated network: every SNMP agent in this config is served by netmon itself (simulate.enabled: true)');
  }

  mkdirSync(dirname(config.storage.path), { recursive: true });
  // One error boundary for every background database write (store, alerts, traps): see src/db-guard.ts.
  const dbGuard = new DbGuard({ log: (level, msg, extra) => log[level]({ component: 'db', ...extra }, msg) });
  started.push(() => dbGuard.close());
  const r = config.storage.retention;
  const store: Store = openStore(config.storage.path, {
    retention: { rawMs: r.raw, rollup5mMs: r.rollup_5m, rollup1hMs: r.rollup_1h },
    log: log.child({ component: 'store' }),
    guard: dbGuard,
  });
  started.push(() => store.close());

  const probes = createProbes({ log: (level, msg) => log[level]({ component: 'probe' }, msg), echoPort: (t) => simulatedEchoPort(config, t.address) });

  const exporter = new Exporter({ warn: (msg) => log.warn({ component: 'exporter' }, msg) });
  dbGuard.register(exporter.registry);
  const live = new LiveState();
  const fanout = createFanout(
    config,
    (name, err) => log.error({ consumer: name, err: String(err) }, 'pipeline consumer failed'),
    (msg, extra) => log.warn({ component: 'limits', ...extra }, msg),
  );
  registerLimitMetrics(exporter.registry, fanout.guard);
  const { pipeline } = fanout;
  pipeline.subscribe('store', (res) => store.write(res.samples));
  pipeline.subscribe('exporter', (res) => exporter.accept(res));
  pipeline.subscribe('live', (res) => live.accept(res));
  // generatorURL of alerts: the alerting default assumes http://, which is wrong behind the web config's TLS.
  const tlsUrl = config.web?.tls ? `https://${config.server.listen_address.includes(':') ? `[${config.server.listen_address}]` : config.server.listen_address}:${config.server.port}/` : undefined;
  const alerting = new Alerting({ config, registry: exporter.registry, externalUrl: tlsUrl, guard: dbGuard, log: (level, msg, extra) => log[level]({ component: 'alerts', ...extra }, msg) });
  pipeline.subscribe('alerts', (res) => alerting.accept(res));
  started.push(() => alerting.close());
  const delivery = startMonthlyDelivery({ config: () => config, log: (level, msg, extra) => log[level]({ component: 'reports', ...extra }, msg) });
  started.push(() => delivery.stop());
  // Remote write appends to its disk queues here and sends from its own loop: polling never waits on a receiver.
  const shard = shardFor(config, opts.shard);
  // Each shard's series carry shard="I" (unless a receiver sets its own), so shards never overwrite each other.
  const shardLabels: Record<string, string> = shard && shard.count > 1 ? { shard: String(shard.index) } : {};
  const receivers = (config.remoteWrite ?? []).map((rw) => ({ ...rw, external_labels: { ...shardLabels, ...rw.external_labels } }));
  const remoteWrite = startRemoteWrite(config.storage.path, config.file, receivers, exporter.registry, (level, msg, extra) =>
    log[level]({ component: 'remote-write', ...extra }, msg),
  );
  started.push(() => remoteWrite.close());
  pipeline.subscribe('remote_write', (res) => remoteWrite.accept(res.samples));

  const scheduler = new Scheduler(probes, {
    maxConcurrency: config.scheduler.max_concurrency,
    onResult: (res) => pipeline.publish(res),
    log: (level, msg, extra) => log[level](extra ?? {}, msg),
  });
  registerSelfMetrics(exporter.registry, {
    version: VERSION,
    scheduler: () => scheduler,
    store: () => store,
    reload: () => reloadStatus,
    exportedSeries: () => exporter.seriesCount(),
  });
  scheduler.setTargets(buildTargets(config));
  scheduler.start();
  started.push(() => scheduler.stop());

  // Traps: interface samples reach the store, the live state and the alert engine as target events (no
  // probe health series; the exporter keeps the polled values, which the immediate poll refreshes).
  pipeline.subscribeEvents('store', (e) => store.write(e.samples));
  pipeline.subscribeEvents('live', (e) => live.acceptEvent(e));
  pipeline.subscribeEvents('alerts', (e) => {
    const r = eventAsResult(e);
    if (r) alerting.accept(r);
  });
  const trapsConfig = config.traps;
  const traps = trapsConfig
    ? await TrapService.start({
        config: { ...config, traps: trapsConfig },
        pipeline,
        interfaceLabels: (t, metric, ifIndex) => live.find(metric, { target: t.name, if_index: ifIndex })[0]?.labels,
        pollNow: (name) => scheduler.runOnce(name),
        registry: exporter.registry,
        log: (level, msg, extra) => log[level]({ component: 'traps', ...extra }, msg),
        port: opts.trapPort,
        guard: dbGuard,
      })
    : undefined;
  if (traps) started.push(() => traps.close());
  const flows = await startFlows(config, { registry: exporter.registry, live, ports: opts.flowPorts, log: (level, msg, extra) => log[level]({ component: 'flows', ...extra }, msg) });
  if (flows) started.push(() => flows.close());

  // Always in the chain, so a reload can turn basic auth on or off; it passes everything while no user is configured.
  const auth = new BasicAuth({
    onFailures: (failures, from) => log.warn({ failures, last_from: from }, 'HTTP basic auth: wrong or unknown user name or password'),
  });
  auth.setUsers(config.web?.users ?? new Map());

  const app = createApp({
    config: () => config,
    store: () => store,
    live,
    status: fanout.status,
    version: VERSION,
    exporter,
    alerts: alerting,
    alerting,
    ...(traps ? { traps } : {}),
    ...(flows ? { flows } : {}),
    ready: () => live.lastResultAt > 0,
    log: (err) => log.error({ err: String(err) }, 'HTTP handler failed'),
    auth: auth.middleware(),
    reload: () => reload('http'),
    reloadStatus: () => reloadStatus,
  });
  const listening = await listen(app, { host: config.server.listen_address, port: opts.port ?? config.server.port, tls: config.web?.tls });
  const { server, url } = listening;
  log.info({ url, targets: config.targets.length, ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}), config: config.file, https: listening.https, basic_auth: auth.enabled }, 'netmon started');

  const watcher = new ConfigWatcher({
    onChange: () => void reload('watch'),
    debounceMs: opts.watchDebounceMs,
    log: (level, msg, extra) => log[level]({ component: 'config', ...extra }, msg),
  });
  const configFiles = (c: LoadedConfig) => [...c.files, ...(c.web ? [c.web.file, ...c.web.files] : [])];
  const syncWatch = (extra: readonly string[] = []) => watcher.setFiles(config.server.watch_config ? [...new Set([...configFiles(config), ...extra])] : []);
  syncWatch();
  if (config.server.watch_config) log.info({ directories: watcher.directories }, 'watching the config files: a change reloads them');

  /** What a reload cannot change in a running server: said in the answer and the log. */
  function needsRestart(next: LoadedConfig): string[] {
    const notes: string[] = [];
    if (next.server.listen_address !== config.server.listen_address || (opts.port === undefined && next.server.port !== config.server.port)) {
      notes.push('server.listen_address/port');
    }
    if (!!next.web?.tls !== listening.https) notes.push(`HTTPS ${next.web?.tls ? 'on' : 'off'}`);
    const [a, b] = [config.traps, next.traps];
    if (!!a !== !!b || (a && b && (a.listen_address !== b.listen_address || (opts.trapPort === undefined && a.port !== b.port)))) notes.push('traps on/off, listen_address/port');
    if (JSON.stringify(next.remoteWrite ?? []) !== JSON.stringify(config.remoteWrite ?? [])) notes.push('remote_write');
    if (flowsNeedRestart(config.flows, next.flows)) notes.push('flows on/off, listen_address/ports/top_n');
    return notes;
  }

  function reload(trigger: ReloadTrigger = 'api'): { ok: boolean; message: string } {
    reloadStatus.lastAttemptMs = Date.now();
    reloadStatus.trigger = trigger;
    try {
      const next = loadShardConfig(opts);
      if (trigger === 'watch') checkWatchedChange(config, next);
      const targets = buildTargets(next);
      const diff = scheduler.setTargets(targets);
      fanout.reconfigure(next);
      const names = new Set(targets.map((t) => t.name));
      pipeline.retainTargets(names);
      exporter.retainTargets(names);
      live.retainTargets(names);
      const restart = needsRestart(next);
      const change = describeConfigChange(config, next);
      // A renewed certificate or changed users apply at once (new connections / the next request).
      if (next.web?.tls && listening.https) listening.setTls(next.web.tls);
      auth.setUsers(next.web?.users ?? new Map());
      config = next;
      alerting.reconfigure(next);
      traps?.reconfigure(next);
      flows?.reconfigure(next);
      syncWatch();
      reloadStatus.successful = true;
      reloadStatus.lastSuccessMs = reloadStatus.lastAttemptMs;
      reloadStatus.lastError = null;
      const message =
        `config reloaded: ${change}` +
        (restart.length ? `; ${restart.join(' and ')} take effect at the next restart` : '');
      log.info({ ...diff, trigger }, message);
      for (const w of next.warnings ?? []) log.warn({ component: 'config', file: w.file }, `config: ${w.message}`);
      return { ok: true, message };
    } catch (err) {
      reloadStatus.successful = false;
      // ConfigError messages name files, lines and fields, never values (they may be secrets).
      const reason = describeLoadError(err);
      reloadStatus.lastError = reason;
      const message = `config reload failed, keeping the running config: ${reason}`;
      log.error({ trigger }, message);
      alerting.reloadResult(false, message);
      // Keep watching what the failed attempt read too: fixing a newly included file must trigger a reload.
      syncWatch((err as { files?: string[] }).files ?? []);
      return { ok: false, message };
    }
  }

  let stopping: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopping ??= (async () => {
      log.info('stopping: no new polls, finishing those in flight');
      watcher.close();
      live.closeClients();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await traps?.close();
      await flows?.close();
      await scheduler.stop();
      await alerting.close();
      delivery.stop();
      await remoteWrite.close(); // what is not yet delivered stays in the queue files for the next start
      await closeProbes(probes);
      await simulator?.close();
      store.close(); // commits what is queued; what a full disk refuses is logged and counted, never thrown
      dbGuard.close();
      await closed;
      log.info('stopped');
    })();
    return stopping;
  }

  return { url, ...(traps ? { trapPort: traps.port } : {}), ...(flows ? { flowPorts: { netflow: flows.netflowPort, sflow: flows.sflowPort } } : {}), config: () => config, reload, stop };
}
