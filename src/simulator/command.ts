/**
 * `netmon simulate [--config FILE] [--backfill DAYS]`: the built-in simulated network on its own (its SNMP
 * agents and echo services, for another netmon or snmpwalk to poll), or, with --backfill, DAYS of its
 * history written into the config's store (backfill.ts) before the daemon's first start.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '../config/loader.js';
import { STATE_METRICS } from '../status/samples.js';
import { openStore } from '../store/index.js';
import { backfill } from './backfill.js';
import { startSimulator } from './index.js';

export async function simulateCommand(o: { configFile: string; backfillDays?: number }): Promise<number> {
  const config = loadConfig(o.configFile);
  if (o.backfillDays === undefined) {
    const sim = await startSimulator(config, { log: (msg) => process.stderr.write(`${msg}\n`) });
    process.stdout.write(`simulator running: ${sim.devices.length} agents; Ctrl-C stops it\n`);
    const stop = () => void sim.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return -1; // keep running
  }
  mkdirSync(dirname(config.storage.path), { recursive: true });
  const r = config.storage.retention;
  const store = openStore(config.storage.path, { jobs: false, batchSize: 50_000, retention: { rawMs: r.raw, rollup5mMs: r.rollup_5m, rollup1hMs: r.rollup_1h } });
  try {
    // The writer rejects samples older than what it holds: history goes into a store netmon never ran on.
    if (store.findSeries(STATE_METRICS.site[0]).length > 0) {
      throw new Error(`${config.storage.path} already holds data: backfill fills an empty store (stop netmon, move the file away, run again)`);
    }
    const t0 = performance.now();
    const s = backfill({ config, store, spanMs: o.backfillDays * 86_400_000, log: (msg) => process.stderr.write(`${msg}\n`) });
    store.maintain(s.to);
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16) + 'Z';
    process.stdout.write(
      `backfilled ${config.storage.path}: ${iso(s.from)} to ${iso(s.to)}, ${s.results} poll results, ${s.samples} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s\n` +
        `outages: flapping site ${s.flapping ?? 'none'}, ${s.cuts} fibre cuts, netmon down ${iso(s.netmonDown.from)} to ${iso(s.netmonDown.to)}\n`,
    );
  } finally {
    store.close();
  }
  return 0;
}
