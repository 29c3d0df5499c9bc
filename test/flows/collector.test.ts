/**
 * The collector over real UDP on loopback, with a config loaded from YAML: every format reaches the right
 * uplink, direction, site, service and application, scaled by its sampling rate; an unknown exporter is
 * dropped and counted; the per-minute top-N keeps exact totals; /api/v1/flows/top answers per the contract.
 */
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { FlowService } from '../../src/flows/collector.js';
import { encodeIpfix, encodeNetflowV5, encodeNetflowV9, encodeSflow, type FlowSpec } from '../../src/flows/encode.js';
import { apiErrorHandler } from '../../src/http/api.js';
import { flowsRouter } from '../../src/http/flows.js';
import type { FlowTopResponse } from '../../src/http/contract.js';
import { tempDir } from '../alerts/helpers.js';
import { metricValue } from '../kit/proc.js';
import { checkAnswers } from '../http/contract-check.js';
import { until } from '../traps/tools.js';

const tmp = tempDir();
const registry = new client.Registry();
let svc: FlowService;
let url = '';
let server: ReturnType<ReturnType<typeof express>['listen']>;
const IF = { international: 1, domestic: 2, lan: 5 };

const f = (o: Partial<FlowSpec>): FlowSpec => ({ src: '', dst: '', srcPort: 40000, dstPort: 443, proto: 6, bytes: 0, packets: 1, inIf: IF.lan, outIf: IF.lan, ...o });

async function send(buf: Buffer, port: number, from = '127.0.0.1'): Promise<void> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, from, () => r()));
  await new Promise<void>((r, j) => s.send(buf, port, '127.0.0.1', (e) => (e ? j(e) : r())));
  s.close();
}

async function top(q: string): Promise<FlowTopResponse> {
  const res = await fetch(`${url}/top?${q}`);
  expect(res.status).toBe(200);
  return (await res.json()) as FlowTopResponse;
}

beforeAll(async () => {
  const file = join(tmp.dir, 'netmon.yaml');
  writeFileSync(
    file,
    `storage: { path: data/netmon.db }
sites:
  - { id: dc, name: Data centre, group: datacentre }
  - { id: so-y-te, name: Sở Y tế, group: provincial }
credentials:
  lab: { version: 2c, community: public }
targets:
  - { name: dc-core, address: 127.0.0.1, site: dc, role: uplink, snmp: { credential: lab } }
  - { name: srv-dich-vu-cong, address: 10.10.0.20, site: dc, role: server }
uplinks:
  - { name: international, target: dc-core, interface: ge-0/0/1, capacity: 2Mbps }
  - { name: domestic, target: dc-core, interface: ge-0/0/2, capacity: 100Mbps }
flows:
  listen_address: 127.0.0.1
  top_n: 2
  site_prefixes: { so-y-te: [10.20.0.0/16], dc: [10.10.0.0/24, "2001:db8:10::/48"] }
`,
  );
  const config = loadConfig(file);
  const ifIndex: Record<string, number> = { 'ge-0/0/1': IF.international, 'ge-0/0/2': IF.domestic };
  svc = await FlowService.start({
    config: { ...config, flows: config.flows! },
    registry,
    log: () => undefined,
    // as the daemon's live state answers for dc-core's polled interface table
    snmpIfIndex: (target, name) => (target === 'dc-core' ? ifIndex[name] : undefined),
    netflowPort: 0,
    sflowPort: 0,
  });
  const app = express();
  app.use('/', flowsRouter(svc));
  app.use(apiErrorHandler(() => undefined));
  await new Promise<void>((r) => (server = app.listen(0, '127.0.0.1', () => r())));
  server.keepAliveTimeout = 60_000; // a slow machine must not race fetch's reuse of an idle connection
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server?.close();
  await svc?.close();
  tmp.cleanup();
});

describe('flow collector', () => {
  it('attributes NetFlow v5/v9, IPFIX and sFlow to uplink, direction, site, service and app, scaled by sampling', async () => {
    const n = svc.netflowPort;
    // v9, 1 in 10 sampled: an HTTPS download to Sở Y tế over the international link
    await send(encodeNetflowV9([f({ src: '203.0.113.5', srcPort: 443, dst: '10.20.1.7', dstPort: 50000, bytes: 1000, packets: 2, inIf: IF.international })], { samplingInterval: 10 }), n);
    // IPFIX: the public-services server answers a citizen abroad (out), with enterprise and variable fields
    await send(encodeIpfix([f({ src: '10.10.0.20', srcPort: 443, dst: '198.51.100.9', dstPort: 40001, bytes: 7000, packets: 7, outIf: IF.international })], { extras: true }), n);
    // v5: SSH into the province's network
    await send(encodeNetflowV5([f({ src: '203.0.113.6', dst: '10.20.1.9', dstPort: 22, bytes: 500, packets: 5, inIf: IF.international })]), n);
    // a LAN-to-LAN flow crosses no uplink
    await send(encodeNetflowV5([f({ src: '10.20.1.9', dst: '10.10.0.20', bytes: 999, packets: 1 })]), n);
    // sFlow, 1 in 100: a DNS query from Sở Y tế leaving by the domestic link
    await send(encodeSflow([{ flow: f({ src: '10.20.1.8', dst: '8.8.8.8', proto: 17, dstPort: 53, bytes: 100, outIf: IF.domestic }), samplingRate: 100 }]), svc.sflowPort);
    // the same v5 datagram from an address that is no exporter
    await send(encodeNetflowV5([f({ src: '203.0.113.6', dst: '10.20.1.9', bytes: 1e6, inIf: IF.international })]), n, '127.0.0.2');

    const metrics = () => registry.metrics();
    await until(async () => (metricValue(await metrics(), 'netmon_flow_packets_dropped_total', 'reason="unknown_exporter"') ?? 0) >= 1 && (metricValue(await metrics(), 'netmon_flow_packets_total', 'protocol="sflow5"') ?? 0) >= 1, 5000, 'all datagrams processed');
    const text = await metrics();
    expect(metricValue(text, 'netmon_flow_bytes_total', 'uplink="international",direction="in",site="so-y-te"')).toBe(10_500);
    expect(metricValue(text, 'netmon_flow_bytes_total', 'uplink="international",direction="out",site="dc"')).toBe(7000);
    expect(metricValue(text, 'netmon_flow_app_bytes_total', 'uplink="domestic",direction="out",app="DNS"')).toBe(10_000);
    expect(metricValue(text, 'netmon_flow_unattributed_bytes_total')).toBe(999);
    expect(metricValue(text, 'netmon_flow_records_total', 'protocol="ipfix"')).toBe(1);

    const byApp = await top('uplink=international&direction=in&by=app&range=5m');
    expect(byApp.rows.map((r) => [r.key, r.bytes, r.packets])).toEqual([['HTTPS', 10_000, 20], ['SSH', 500, 5]]);
    expect(byApp.total_bytes).toBe(10_500);
    // 10,500 bytes in 5 minutes of a 2 Mbit/s link
    expect(byApp.share_of_capacity).toBeCloseTo((10_500 * 8) / 300 / 2e6, 9);
    const service = await top('uplink=international&direction=out&by=service&range=5m');
    expect(service.rows[0]).toMatchObject({ key: 'srv-dich-vu-cong', bytes: 7000, share_of_total: 1 });
    const dns = await top('uplink=domestic&direction=out&by=pair&range=1m');
    expect(dns.rows).toMatchObject([{ key: '10.20.1.8 > 8.8.8.8', bytes: 10_000, packets: 100 }]);
    const diagnostics = checkAnswers([byApp, service, dns].map((body, i) => ({ label: `top #${i}`, type: 'FlowTopResponse' as const, body })));
    expect([...diagnostics.values()].flat()).toEqual([]);
  });

  it('keeps the top N per minute and the rest as "other", so totals stay exact', async () => {
    const before = await top('uplink=domestic&direction=in&by=dst&range=5m');
    const flows = [5000, 4000, 3000, 2000, 1000].map((bytes, i) => f({ src: '192.0.2.1', dst: `10.20.2.${i + 1}`, bytes, inIf: IF.domestic }));
    await send(encodeNetflowV9(flows, { domain: 9 }), svc.netflowPort);
    const after = await until(async () => {
      const t = await top('uplink=domestic&direction=in&by=dst&range=5m&limit=5');
      return t.total_bytes - before.total_bytes === 15_000 ? t : undefined;
    }, 5000, 'the five flows aggregated');
    // top_n is 2: the open minute keeps 10.20.2.1 and .2 by name; the others are in the remainder
    expect(after.rows.map((r) => r.key)).toEqual(['10.20.2.1', '10.20.2.2']);
    expect(after.other.bytes).toBe(6000);
  });

  it('answers 400 for bad parameters and 404 for an unknown uplink', async () => {
    expect((await fetch(`${url}/top?uplink=international&by=host`)).status).toBe(400);
    expect((await fetch(`${url}/top?uplink=international&range=1m&from=5`)).status).toBe(400);
    expect((await fetch(`${url}/top?uplink=nope`)).status).toBe(404);
  });
});
