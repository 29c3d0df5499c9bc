/**
 * The shipped demo end to end: the daemon on (a private copy of) config/netmon.yaml, its simulator exporting
 * NetFlow v9 from dc-core, the collector mapping dc-core's ifIndex to the uplinks through the polled
 * interface table: /api/v1/flows/top names sites of the shipped address plan on the international link.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import type { FlowTopResponse } from '../../src/http/contract.js';
import { makeRefnetConfig, type RefnetConfig } from '../kit/refnet.js';
import { until } from '../traps/tools.js';

let net: RefnetConfig;
let daemon: Daemon;

beforeAll(async () => {
  net = makeRefnetConfig({ dcCoreInterval: '2s' });
  daemon = await startDaemon({ configFile: net.file, log: pino({ level: 'silent' }), port: 0 });
}, 60_000);
afterAll(async () => {
  await daemon?.stop();
  net?.cleanup();
});

describe('shipped config with flows', () => {
  it('shows who uses the international uplink, by site and by application', async () => {
    const top = async (q: string) => (await (await fetch(`${daemon.url}api/v1/flows/top?uplink=international&direction=out&range=5m&${q}`)).json()) as FlowTopResponse;
    const bySite = await until(async () => {
      const t = await top('by=site');
      return t.rows.length >= 3 && t;
    }, 40_000, 'flows attributed to the international uplink');
    const sites = new Set(daemon.config().sites.map((s) => s.id));
    for (const r of bySite.rows) expect(sites.has(r.key) || r.key === 'unknown', r.key).toBe(true);
    expect(bySite.total_bytes).toBeGreaterThan(0);
    expect(bySite.share_of_capacity).toBeGreaterThan(0);
    const apps = await top('by=app');
    expect(apps.rows.length).toBeGreaterThan(0);
    const metrics = await (await fetch(`${daemon.url}metrics`)).text();
    expect(metrics).toMatch(/netmon_flow_bytes_total\{uplink="international",direction="out",site="[a-z-]+"\} [1-9]/);
    expect(metrics).toMatch(/netmon_flow_packets_dropped_total\{reason="unknown_exporter"\} 0/);
  }, 60_000);
});
