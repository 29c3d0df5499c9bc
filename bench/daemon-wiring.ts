/**
 * The daemon's wiring of a probe result's consumers (src/daemon.ts): the config's fanout pipeline
 * (createFanout: series guard, identity labels, health series, uplink and status derivers) feeding the
 * store, the exporter and the live state, for benchmarks that measure the whole path in-process. Each
 * consumer's CPU is summed so a bench can say where a poll's CPU went.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/loader.js';
import type { LoadedConfig } from '../src/config/model.js';
import { Exporter } from '../src/exporter.js';
import { createFanout } from '../src/fanout.js';
import { LiveState } from '../src/live.js';
import type { Consumer, Pipeline } from '../src/pipeline.js';
import { openStore, type TimeSeriesStore } from '../src/store/index.js';

export interface DaemonWiring {
  config: LoadedConfig;
  pipeline: Pipeline;
  store: TimeSeriesStore;
  exporter: Exporter;
  /** CPU seconds each consumer spent since the last reset (the store's includes commits inside write()). */
  spent: { store: number; exporter: number; live: number };
  resetSpent: () => void;
  close: () => void;
}

const cpuS = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

/** CPU seconds `fn` took (process.cpuUsage: every thread of this process). */
export function cpuOf(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  return cpuS(process.cpuUsage(c0));
}

/** Write `yaml` as dir/netmon.yaml (storage: dir/netmon.db, no simulator) and wire the daemon's consumers for it. */
export function wireDaemon(dir: string, yaml: string): DaemonWiring {
  const file = join(dir, 'netmon.yaml');
  writeFileSync(file, `storage: { path: ./netmon.db }\nsimulate: { enabled: false }\n${yaml}`);
  const config = loadConfig(file, {});
  const store = openStore(config.storage.path, { jobs: false });
  const exporter = new Exporter();
  const live = new LiveState();
  const { pipeline } = createFanout(config);
  const spent = { store: 0, exporter: 0, live: 0 };
  const timed = (name: keyof typeof spent, fn: Consumer): Consumer => (res) => void (spent[name] += cpuOf(() => fn(res)));
  pipeline.subscribe('store', timed('store', (res) => store.write(res.samples)));
  pipeline.subscribe('exporter', timed('exporter', (res) => exporter.accept(res)));
  pipeline.subscribe('live', timed('live', (res) => live.accept(res)));
  return {
    config,
    pipeline,
    store,
    exporter,
    spent,
    resetSpent: () => void (spent.store = spent.exporter = spent.live = 0),
    close: () => store.close(),
  };
}
