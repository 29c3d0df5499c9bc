/**
 * The daemon: loads the config, starts the simulator (if configured), the store, the scheduler with its
 * probes, the pipeline and its consumers, and the HTTP server; reloads on SIGHUP; stops cleanly.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Server } from 'node:http';
import { loadConfig } from './config/loader.js';
import { buildTargets, type LoadedConfig } from './config/model.js';
import { Scheduler } from './scheduler.js';
import { Pipeline } from './pipeline.js';
import { Exporter } from './exporter.js';
import { LiveState } from './live.js';
import { uplinkDeriver } from './uplinks.js';
import { registerSelfMetrics, type ReloadStatus } from './self-metrics.js';
import { createApp } from './http/app.js';
import { Alerting } from './alerts/index.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';
import { startSimulator, type Simulator } from './simulator/index.js';
import { createSnmpProbe } from '../probes/snmp/index.js';
import { createPingProbe } from '../probes/icmp/index.js';
import { createHostProbe } from '../probes/host/index.js';
import type { Probe } from './types.js';
import type { Logger } from './log.js';
import { ROOT } from './paths.js';

export const VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

export interface Daemon {
  url: string;
  config(): LoadedConfig;
  reload(): { ok: boolean; message: string };
  stop(): Promise<void>;
}

export interface DaemonOptions {
  configFile: string;
  log: Logger;
  /** Override the configured port (tests use 0 for a free one). */
  port?: number;
}

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const config = loadConfig(opts.configFile);
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
  const reloadStatus: ReloadStatus = { successful: true, lastSuccessMs: Date.now() };

  let simulator: Simulator | undefined;
  if (config.simulate.enabled) {
    simulator = await startSimulator(config, { log: (msg) => log.info({ component: 'simulator' }, msg) });
    started.push(() => simulator?.close());
    log.warn('simulated network: every SNMP agent in this config is served by netmon itself (simulate.enabled: true)');
  }

  mkdirSync(dirname(config.storage.path), { recursive: true });
  const r = config.storage.retention;
  const store: Store = openStore(config.storage.path, {
    retention: { rawMs: r.raw, rollup5mMs: r.rollup_5m, rollup1hMs: r.rollup_1h },
    log: log.child({ component: 'store' }),
  });
  started.push(() => store.close());

  const probes = new Map<string, Probe>([
    ['snmp', createSnmpProbe()],
    ['ping', createPingProbe({ log: (level, msg) => log[level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'info']({ component: 'ping' }, msg) })],
    ['host', createHostProbe()],
  ]);

  const exporter = new Exporter({ warn: (msg) => log.warn({ component: 'exporter' }, msg) });
  const live = new LiveState();
  const pipeline = new Pipeline((name, err) => log.error({ consumer: name, err: String(err) }, 'pipeline consumer failed'));
  let deriveUplinks = uplinkDeriver(config.uplinks);
  pipeline.derive((res) => deriveUplinks(res));
  pipeline.subscribe('store', (res) => store.write(res.samples));
  pipeline.subscribe('exporter', (res) => exporter.accept(res));
  pipeline.subscribe('live', (res) => live.accept(res));
  const alerting = new Alerting({ config, registry: exporter.registry, log: (level, msg, extra) => log[level]({ component: 'alerts', ...extra }, msg) });
  pipeline.subscribe('alerts', (res) => alerting.accept(res));
  started.push(() => alerting.close());

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

  const app = createApp({
    config: () => config,
    store: () => store,
    live,
    version: VERSION,
    exporter,
    alerts: alerting.router(),
    ready: () => live.lastResultAt > 0,
    log: (err) => log.error({ err: String(err) }, 'HTTP handler failed'),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? config.server.port, config.server.listen_address, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
  const host = config.server.listen_address.includes(':') ? `[${config.server.listen_address}]` : config.server.listen_address;
  const url = `http://${host}:${port}/`;
  log.info({ url, targets: config.targets.length, config: config.file }, 'netmon started');

  function reload(): { ok: boolean; message: string } {
    try {
      const next = loadConfig(opts.configFile);
      const targets = buildTargets(next);
      const diff = scheduler.setTargets(targets);
      deriveUplinks = uplinkDeriver(next.uplinks);
      const names = new Set(targets.map((t) => t.name));
      exporter.retainTargets(names);
      live.retainTargets(names);
      config = next;
      alerting.reconfigure(next);
      reloadStatus.successful = true;
      reloadStatus.lastSuccessMs = Date.now();
      const message = `config reloaded: ${diff.added} jobs added, ${diff.removed} removed, ${diff.kept} unchanged`;
      log.info(diff, message);
      return { ok: true, message };
    } catch (err) {
      reloadStatus.successful = false;
      const message = `config reload failed, keeping the running config: ${(err as { format?: () => string }).format?.() ?? String(err)}`;
      log.error(message);
      alerting.reloadResult(false, message);
      return { ok: false, message };
    }
  }

  let stopping: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopping ??= (async () => {
      log.info('stopping: no new polls, finishing those in flight');
      live.closeClients();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await scheduler.stop();
      await alerting.close();
      for (const p of probes.values()) await p.close?.();
      await simulator?.close();
      store.close(); // commits what is queued; a failure (disk still full) is logged by the store and loses only that batch
      await closed;
      log.info('stopped');
    })();
    return stopping;
  }

  return { url, config: () => config, reload, stop };
}
