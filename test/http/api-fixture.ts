/**
 * A small, fully known network for the API tests: a config with four sites, an uplink router, three edge
 * switches and a server; two hours of history written into a real SQLite store; the newest results through
 * a real Pipeline into the real status module and LiveState; the real express app on a free loopback port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { loadConfig } from '../../src/config/loader.js';
import { buildTargets, type LoadedConfig } from '../../src/config/model.js';
import { Exporter } from '../../src/exporter.js';
import type { AlertsApi } from '../../src/http/alerts.js';
import { createApp } from '../../src/http/app.js';
import type { AlertSource } from '../../src/domain/problems.js';
import { LiveState } from '../../src/live.js';
import { Pipeline } from '../../src/pipeline.js';
import { StatusModule } from '../../src/status/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { ProbeError, type ProbeKindName, type Sample, type Target } from '../../src/types.js';

export const CONFIG = `
server: { language: en, timezone: Asia/Ho_Chi_Minh }
storage: { path: netmon.db }
simulate: { enabled: false }
credentials:
  sim: { version: 2c, community: public }
sites:
  - { id: dc, name: Trung tâm Thông tin Dữ liệu điện tử, group: datacentre }
  - { id: so-tttt, name: Sở Thông tin và Truyền thông, short_name: Sở TT&TT, group: provincial }
  - { id: phuong-vy-da, name: Phường Vỹ Dạ, group: ward }
  - { id: a-luoi, name: Huyện A Lưới, group: district }
  - { id: nam-dong, name: Huyện Nam Đông, group: district }
uplinks:
  - { name: domestic, display_name: Trong nước, target: dc-core, interface: Gi0/1, capacity: 100Mbps, warn_utilization: 0.8 }
  - { name: international, display_name: Quốc tế, target: dc-core, interface: Gi0/2, capacity: 2Mbps, warn_utilization: 0.8 }
targets:
  - { name: dc-core, address: 127.0.0.1, site: dc, role: uplink, snmp: { credential: sim } }
  - { name: sw-so-tttt, address: 127.0.0.2, site: so-tttt, role: fibre, snmp: { credential: sim }, ping: {} }
  - { name: sw-vy-da, address: 127.0.0.3, site: phuong-vy-da, role: switch, snmp: { credential: sim }, ping: {} }
  - { name: sw-a-luoi, address: 127.0.0.4, site: a-luoi, role: switch, snmp: { credential: sim }, ping: {} }
  - { name: sw-nam-dong, address: 127.0.0.5, site: nam-dong, role: switch, snmp: { credential: sim }, ping: {} }
  - { name: srv-web, address: 127.0.0.10, site: dc, role: server, description: Cổng thông tin điện tử, snmp: { credential: sim } }
`;

export const STEP = 60_000;
export const DEFAULT_HOURS = 2;

export interface Fixture {
  url: string;
  now: number;
  config: LoadedConfig;
  live: LiveState;
  status: StatusModule;
  store: Store;
  close(): Promise<void>;
}

const g = (metric: string, labels: Record<string, string>, value: number, ts: number, type: 'gauge' | 'counter' = 'gauge'): Sample => ({ metric, labels, value, ts, type });

/** `hours` of history (default 2) at one sample a minute; `port` 0 for a free one; `alerting` feeds /problems; `alerts` is served at /api/v1/alerts. */
export async function startFixture(opts: { hours?: number; port?: number; alerting?: AlertSource; alerts?: AlertsApi } = {}): Promise<Fixture> {
  const HOURS = opts.hours ?? DEFAULT_HOURS;
  const dir = mkdtempSync(join(tmpdir(), 'netmon-api-'));
  writeFileSync(join(dir, 'netmon.yaml'), CONFIG);
  const config = loadConfig(join(dir, 'netmon.yaml'));
  const store = openStore(config.storage.path, { jobs: false });
  const live = new LiveState();
  const status = new StatusModule(() => config);
  const pipeline = new Pipeline((name, err) => console.error(`consumer ${name} failed`, err));
  pipeline.derive(status.derive);
  pipeline.subscribe('live', (r) => live.accept(r));
  const targets = new Map(buildTargets(config).map((t) => [t.name, t]));
  const now = Math.floor(Date.now() / STEP) * STEP;
  const start = now - HOURS * 3600e3;

  const iface = (target: string, site: string, ifIndex: number, ifName: string, alias: string) => ({ target, site, if_index: String(ifIndex), if_name: ifName, if_alias: alias });
  const dom = iface('dc-core', 'dc', 1, 'Gi0/1', 'VNPT trong nước');
  const intl = iface('dc-core', 'dc', 2, 'Gi0/2', 'Quốc tế');
  const fibre = iface('sw-so-tttt', 'so-tttt', 25, 'Gi1/0/25', 'Cáp quang về TTDL');
  const access = iface('sw-so-tttt', 'so-tttt', 1, 'Gi1/0/1', 'Phòng họp');

  // Byte counters at constant rates: domestic 50 Mbps in / 20 Mbps out, international 1.9 / 0.5 Mbps (saturated), fibre 10 / 5 Mbps.
  const rates: [Record<string, string>, number, number][] = [
    [dom, 50e6, 20e6],
    [intl, 1.9e6, 0.5e6],
    [fibre, 10e6, 5e6],
    [access, 1e6, 1e6],
  ];
  // As the optical profiles label them: Rx and Tx are separate sensors (entities) of the same port.
  const sfpRx = { target: 'sw-so-tttt', site: 'so-tttt', ent_physical_index: '1025', if_index: '25', if_name: 'Gi1/0/25' };
  const sfpTx = { ...sfpRx, ent_physical_index: '1026' };
  const history: Sample[] = [];
  for (let ts = start; ts <= now; ts += STEP) {
    const k = (ts - start) / 1000;
    for (const [labels, inBps, outBps] of rates) {
      history.push(g('netmon_interface_receive_bytes_total', labels, 1e9 + (k * inBps) / 8, ts, 'counter'));
      history.push(g('netmon_interface_transmit_bytes_total', labels, 2e9 + (k * outBps) / 8, ts, 'counter'));
    }
    history.push(g('netmon_interface_receive_errors_total', fibre, (k * 0.5), ts, 'counter')); // a dirty fibre: 0.5 errored packets/s in
    history.push(g('netmon_optical_rx_power_dbm', sfpRx, -20 - (7 * (ts - start)) / (HOURS * 3600e3), ts));
    history.push(g('netmon_optical_tx_power_dbm', sfpTx, -3, ts));
    for (const [t, rtt, loss] of [['sw-so-tttt', 0.004, 0], ['sw-vy-da', 0.006, 0], ['sw-a-luoi', 0.25, 0.2]] as const) {
      const l = { target: t, method: 'fping' };
      history.push(g('netmon_ping_rtt_min_seconds', l, rtt * 0.8, ts), g('netmon_ping_rtt_median_seconds', l, rtt, ts), g('netmon_ping_rtt_max_seconds', l, rtt * 1.5, ts), g('netmon_ping_loss_ratio', l, loss, ts));
      for (const q of ['0.1', '0.25', '0.75', '0.9']) history.push(g('netmon_ping_rtt_quantile_seconds', { ...l, smoke_quantile: q }, rtt * (0.8 + Number(q) * 0.5), ts));
    }
  }
  store.write(history);
  store.flush();

  // The newest results, through the pipeline (health samples, the status module's states) to the live state.
  const feed = (target: Target, kind: ProbeKindName, samples: Sample[], ok = true) => {
    const t = now - 1000;
    pipeline.publish({ target, kind, spec: target.probes.find((p) => p.kind === kind)!, samples, scheduledAt: t, startedAt: t, durationMs: 5, ...(ok ? {} : { error: new ProbeError('timeout', 'no answer') }) });
  };
  const T = (n: string) => targets.get(n)!;
  const ifStatus = (labels: Record<string, string>, oper: number, admin = 1, speed = 1e9) => [
    g('netmon_interface_oper_up', labels, oper, now), g('netmon_interface_admin_up', labels, admin, now), g('netmon_interface_speed_bytes_per_second', labels, speed / 8, now),
  ];
  feed(T('dc-core'), 'snmp', [
    ...ifStatus(dom, 1), ...ifStatus(intl, 1),
    g('netmon_uplink_traffic_bytes_per_second', { uplink: 'domestic', direction: 'in' }, 50e6 / 8, now),
    g('netmon_uplink_traffic_bytes_per_second', { uplink: 'domestic', direction: 'out' }, 20e6 / 8, now),
    g('netmon_uplink_traffic_bytes_per_second', { uplink: 'international', direction: 'in' }, 1.9e6 / 8, now),
    g('netmon_uplink_traffic_bytes_per_second', { uplink: 'international', direction: 'out' }, 0.5e6 / 8, now),
  ]);
  feed(T('sw-so-tttt'), 'snmp', [
    ...ifStatus(fibre, 1), ...ifStatus(access, 1),
    ...ifStatus(iface('sw-so-tttt', 'so-tttt', 2, 'Gi1/0/2', 'Máy in'), 0),
    ...ifStatus(iface('sw-so-tttt', 'so-tttt', 3, 'Gi1/0/3', ''), 0, 0),
    g('netmon_optical_rx_power_dbm', sfpRx, -27, now),
    g('netmon_optical_tx_power_dbm', sfpTx, -3, now),
    g('netmon_optical_rx_power_low_alarm_dbm', sfpRx, -28, now),
    g('netmon_optical_rx_power_low_warning_dbm', sfpRx, -25, now),
    g('netmon_optical_rx_power_high_warning_dbm', sfpRx, -3, now),
    g('netmon_optical_rx_power_high_alarm_dbm', sfpRx, 0, now),
    g('netmon_optical_tx_power_low_alarm_dbm', sfpTx, -11, now),
    g('netmon_optical_tx_power_high_alarm_dbm', sfpTx, 2, now),
  ]);
  const ping = (t: string, loss: number, rtt: number) => [
    g('netmon_ping_loss_ratio', { target: t, method: 'fping' }, loss, now),
    ...(loss < 1 ? [g('netmon_ping_rtt_median_seconds', { target: t, method: 'fping' }, rtt, now)] : []),
  ];
  feed(T('sw-so-tttt'), 'ping', ping('sw-so-tttt', 0, 0.004));
  feed(T('sw-vy-da'), 'ping', ping('sw-vy-da', 1, 0)); // no reply: down
  feed(T('sw-vy-da'), 'snmp', [], false);
  feed(T('sw-a-luoi'), 'ping', ping('sw-a-luoi', 0.2, 0.25)); // 20 % loss, 250 ms: degraded
  feed(T('sw-a-luoi'), 'snmp', []);
  // sw-nam-dong: never answered anything yet → unknown.
  feed(T('srv-web'), 'snmp', [
    // As the host-resources and ucd-snmp profiles name them.
    g('netmon_host_cpu_load_ratio', { target: 'srv-web', site: 'dc', cpu: '196608' }, 0.98, now),
    g('netmon_host_cpu_load_ratio', { target: 'srv-web', site: 'dc', cpu: '196609' }, 0.92, now),
    g('netmon_host_memory_total_bytes', { target: 'srv-web', site: 'dc' }, 16e9, now),
    g('netmon_host_memory_available_bytes', { target: 'srv-web', site: 'dc' }, 4e9, now),
    g('netmon_host_storage_size_bytes', { target: 'srv-web', site: 'dc', storage_index: '1', storage: 'Physical memory', storage_type: 'ram' }, 16e9, now),
    g('netmon_host_storage_used_bytes', { target: 'srv-web', site: 'dc', storage_index: '1', storage: 'Physical memory', storage_type: 'ram' }, 15e9, now),
    g('netmon_host_storage_size_bytes', { target: 'srv-web', site: 'dc', storage_index: '31', storage: '/', storage_type: 'fixed_disk' }, 100e9, now),
    g('netmon_host_storage_used_bytes', { target: 'srv-web', site: 'dc', storage_index: '31', storage: '/', storage_type: 'fixed_disk' }, 40e9, now),
    g('netmon_host_load_average', { target: 'srv-web', site: 'dc', period: '1m' }, 3.5, now),
    g('netmon_host_load_average', { target: 'srv-web', site: 'dc', period: '5m' }, 2.25, now),
    g('netmon_host_load_average', { target: 'srv-web', site: 'dc', period: '15m' }, 1.5, now),
  ]);

  const app = createApp({
    config: () => config,
    store: () => store,
    live,
    status,
    version: 'test',
    exporter: new Exporter(),
    alerting: opts.alerting,
    alerts: opts.alerts,
    ready: () => true,
    log: (err) => console.error('HTTP handler failed', err),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(opts.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    url,
    now,
    config,
    live,
    status,
    store,
    async close() {
      live.closeClients();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function getJson(url: string): Promise<{ status: number; body: any; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.json();
  return { status: res.status, body, ms: performance.now() - t0 };
}
