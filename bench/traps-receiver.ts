/**
 * The netmon side of bench/traps.ts, in its own process (pinned to one core by the parent): the real
 * TrapService (net-snmp Receiver, source and community checks, decoding, the SQLite trap log) on a
 * loopback port. Prints `{"port":N}` when listening; then answers every stdin line with the count of
 * traps accepted so far.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import client from 'prom-client';
import { loadConfig } from '../src/config/loader.js';
import { Pipeline } from '../src/pipeline.js';
import { TrapService } from '../src/traps/index.js';

const dir = mkdtempSync(join(tmpdir(), 'netmon-bench-traps-'));
const file = join(dir, 'netmon.yaml');
writeFileSync(file, 'allow_empty: true\nstorage: { path: data/netmon.db }\ntraps: { listen_address: 127.0.0.1, allow: [127.0.0.1] }\ncredentials: { c: { version: 2c, community: public } }\n');
const config = loadConfig(file);
const registry = new client.Registry();
const svc = await TrapService.start({
  config: { ...config, traps: config.traps! },
  pipeline: new Pipeline(),
  interfaceLabels: () => undefined,
  pollNow: () => Promise.resolve(),
  registry,
  log: () => undefined,
  port: 0,
  dbPath: join(dir, 'traps.db'),
});
process.stdout.write(`${JSON.stringify({ port: svc.port })}\n`);
const received = registry.getSingleMetric('netmon_snmp_traps_received_total') as client.Counter;
const rl = createInterface({ input: process.stdin });
rl.on('line', () => {
  void received.get().then((m) => process.stdout.write(`${m.values.reduce((a, v) => a + v.value, 0)}\n`));
});
rl.on('close', () => void svc.close().then(() => process.exit(0)));
