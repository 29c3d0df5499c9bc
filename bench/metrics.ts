/**
 * Exposition benchmark: N series (default 100,000) in the Exporter, scraped through a real HTTP GET of
 * /metrics on the daemon's own express app listening on loopback.
 *
 *   npx tsx bench/metrics.ts [--series 100000] [--scrapes 15]
 *
 * Series: targets × 10 interfaces × 10 interface metrics (labels target, site, if_index, if_name, if_alias,
 * Vietnamese site names), as the SNMP probe produces them. Before each "cold" scrape every group gets a new
 * result (every family changed: the worst case, a scrape right after all targets were polled); "warm" scrapes
 * follow without change (an HA pair of Prometheus servers, or scrape interval < poll interval).
 * Prints progress on stderr and ONE JSON object as the last line of stdout.
 */
import type { AddressInfo } from 'node:net';
import http, { type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { Exporter } from '../src/exporter.js';
import { registerSelfMetrics } from '../src/self-metrics.js';
import { createApp } from '../src/http/app.js';
import { LiveState } from '../src/live.js';
import { StatusModule } from '../src/status/index.js';
import type { ProbeResult } from '../src/scheduler.js';
import type { Sample, Target } from '../src/types.js';
import { testSpec } from '../test/kit/specs.js';

const { values: args } = parseArgs({
  options: { series: { type: 'string', default: '100000' }, scrapes: { type: 'string', default: '15' } },
});
const SERIES = Number(args.series);
const SCRAPES = Number(args.scrapes);
const IFACES = 10;
const METRICS = [
  ['netmon_interface_receive_bytes_total', 'counter'],
  ['netmon_interface_transmit_bytes_total', 'counter'],
  ['netmon_interface_receive_unicast_packets_total', 'counter'],
  ['netmon_interface_transmit_unicast_packets_total', 'counter'],
  ['netmon_interface_receive_errors_total', 'counter'],
  ['netmon_interface_transmit_errors_total', 'counter'],
  ['netmon_interface_receive_discards_total', 'counter'],
  ['netmon_interface_transmit_discards_total', 'counter'],
  ['netmon_interface_oper_up', 'gauge'],
  ['netmon_interface_admin_up', 'gauge'],
] as const;
const TARGETS = Math.ceil(SERIES / (IFACES * METRICS.length));
const SITES = ['Sở Tài chính', 'Phường Bến Nghé', 'Huyện Củ Chi', 'Sở Thông tin và Truyền thông', 'UBND Quận 1'];

const targets: Target[] = Array.from({ length: TARGETS }, (_, i) => ({
  name: `edge-${String(i).padStart(5, '0')}`,
  address: `127.1.${i >> 8}.${i & 255}`,
  site: `${SITES[i % SITES.length]} ${i}`,
  role: 'switch',
  labels: {},
  probes: [],
}));
const spec = testSpec('snmp', 60_000, 5_000);
let counter = 1e9;

function result(t: Target, now: number): ProbeResult {
  const samples: Sample[] = [];
  for (let i = 1; i <= IFACES; i++) {
    const labels = { target: t.name, site: t.site, if_index: String(i), if_name: `GigabitEthernet0/${i}`, if_alias: `Đường truyền ${t.site} #${i}` };
    for (const [metric, type] of METRICS) {
      samples.push({ metric, labels, value: type === 'counter' ? (counter += 1234567) : 1, ts: now, type, help: `${metric} help.` });
    }
  }
  return { target: t, kind: 'snmp', spec, samples, scheduledAt: now, startedAt: now, durationMs: 12 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

const exporter = new Exporter();
registerSelfMetrics(exporter.registry, {
  version: 'bench',
  scheduler: () => undefined,
  store: () => undefined,
  reload: () => ({ successful: true, lastSuccessMs: Date.now() }),
  exportedSeries: () => exporter.seriesCount(),
});

/**
 * Feed one result per target, each built just before it is accepted and dropped right after (as the
 * pipeline does: a result dies young). Returns ms per 10k samples, timing only `accept`.
 */
function updateAll(): number {
  const now = Date.now();
  let n = 0;
  let ms = 0;
  for (const t of targets) {
    const r = result(t, now);
    n += r.samples.length;
    const t0 = performance.now();
    exporter.accept(r);
    ms += performance.now() - t0;
  }
  return (ms * 10_000) / n;
}

const app = createApp({
  config: () => {
    throw new Error('not in the bench');
  },
  store: () => {
    throw new Error('not in the bench');
  },
  live: new LiveState(),
  status: new StatusModule(() => {
    throw new Error('not in the bench');
  }),
  version: 'bench',
  exporter,
  ready: () => true,
  log: () => undefined,
});
const server: Server = await new Promise((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});
const agent = new http.Agent({ keepAlive: true });
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;

/** One GET of /metrics, timed until the last byte arrived (the client only counts bytes: it shares the CPU). */
function scrape(): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t0, bytes }) : reject(new Error(`HTTP ${res.statusCode}`))));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const updates: number[] = [updateAll()];
await scrape(); // warm up the JIT and the connection
const cold: number[] = [];
const warm: number[] = [];
let bytes = 0;
for (let i = 0; i < SCRAPES; i++) {
  updates.push(updateAll());
  const c = await scrape();
  cold.push(c.ms);
  bytes = c.bytes;
  warm.push((await scrape()).ms);
  process.stderr.write(`scrape ${i + 1}/${SCRAPES}: changed ${c.ms.toFixed(1)} ms, unchanged ${warm.at(-1)!.toFixed(1)} ms, ${(c.bytes / 1e6).toFixed(1)} MB\n`);
}
agent.destroy();
server.closeAllConnections();
server.close();

const out = {
  series: exporter.seriesCount(),
  targets: TARGETS,
  scrapes: SCRAPES,
  scrape_median_ms: r2(median(cold)),
  scrape_p95_ms: r2(pct(cold, 95)),
  scrape_unchanged_median_ms: r2(median(warm)),
  bytes,
  update_ms_per_10k_samples: r2(median(updates.slice(1))),
  goal_scrape_median_ms: 150,
  ok: median(cold) <= 150,
  node: process.version,
};
console.log(JSON.stringify(out));
