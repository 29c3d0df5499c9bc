/**
 * The netmon side of bench/flows.ts, in its own process (pinned to one core by the parent): the real
 * FlowService (UDP, decoding, sampling, attribution to an uplink and sites, per-minute aggregation into
 * flows.db) on loopback ports. Prints `{"netflow":N,"sflow":M}` when listening; then answers every stdin
 * line with the number of flow records decoded so far.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import client from 'prom-client';
import { loadConfig } from '../src/config/loader.js';
import { FlowService } from '../src/flows/collector.js';

const dir = mkdtempSync(join(tmpdir(), 'netmon-bench-flows-'));
const file = join(dir, 'netmon.yaml');
writeFileSync(
  file,
  `storage: { path: data/netmon.db }
credentials: { c: { version: 2c, community: public } }
sites: [{ id: a, name: A, group: district }, { id: b, name: B, group: district }]
targets: [{ name: r1, address: 127.0.0.1, site: a, role: uplink, snmp: { credential: c } }]
uplinks: [{ name: wan, target: r1, interface: ge0, capacity: 1Gbps }]
flows:
  listen_address: 127.0.0.1
  exporters: [{ address: 127.0.0.1, interfaces: { 1: wan } }]
  site_prefixes: { a: [10.1.0.0/16], b: [10.2.0.0/16] }
`,
);
const config = loadConfig(file);
const registry = new client.Registry();
const svc = await FlowService.start({ config: { ...config, flows: config.flows! }, registry, log: () => undefined, snmpIfIndex: () => undefined, netflowPort: 0, sflowPort: 0 });
process.stdout.write(`${JSON.stringify({ netflow: svc.netflowPort, sflow: svc.sflowPort })}\n`);
const records = registry.getSingleMetric('netmon_flow_records_total') as client.Counter;
const rl = createInterface({ input: process.stdin });
rl.on('line', () => {
  void records.get().then((m) => process.stdout.write(`${m.values.reduce((a, v) => a + v.value, 0)}\n`));
});
rl.on('close', () => void svc.close().then(() => process.exit(0)));
