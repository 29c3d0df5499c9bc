import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import express from 'express';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { apiErrorHandler } from '../../src/http/api.js';
import { reportsRouter } from '../../src/http/reports.js';
import { openStore, type TimeSeriesStore } from '../../src/store/index.js';
import type { Sample } from '../../src/types.js';
import type { AvailabilityReportResponse, UplinkReportResponse } from '../../src/http/contract.js';
import { checkAnswers } from '../http/contract-check.js';
import { requireTool } from '../helpers/requireTool.js';
import { htmlToPdf } from '../../src/reports/pdf.js';
import { reportCommand } from '../../src/reports/command.js';
import { dailyForecasts, uplinkForecast } from '../../src/reports/forecast.js';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, statSync } from 'node:fs';

const MIN = 60_000;
const DAY = 86_400_000;
const u = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);
const NOW = u(2026, 12, 2, 0);
const NOV = { from: u(2026, 10, 31, 17), to: u(2026, 11, 30, 17) };
const NAME_A = 'Sở Tài nguyên và Môi trường, "Chi cục" Biển đảo';

const CONFIG = `
server: { timezone: Asia/Ho_Chi_Minh }
storage: { path: netmon.db }
credentials:
  sim: { version: 2c, community: public }
sites:
  - { id: dc, name: Trung tâm Thông tin Dữ liệu điện tử, group: datacentre }
  - { id: so-tnmt, name: '${NAME_A.replace(/'/g, "''")}', group: provincial }
  - { id: phuong-vy-da, name: Phường Vỹ Dạ, group: ward }
uplinks:
  - { name: international, display_name: Quốc tế, target: dc-core, interface: Gi0/2, capacity: 2Mbps, warn_utilization: 0.8 }
targets:
  - { name: dc-core, address: 127.0.0.1, site: dc, role: uplink, snmp: { credential: sim, interval: 60s, timeout: 2s } }
  - { name: sw-tnmt, address: 127.0.0.2, site: so-tnmt, role: switch, snmp: { credential: sim, interval: 60s, timeout: 2s }, ping: { interval: 60s } }
  - { name: sw-vy-da, address: 127.0.0.3, site: phuong-vy-da, role: switch, ping: { interval: 30s } }
maintenance:
  - { name: Bảo trì định kỳ, weekdays: [sun], from: "02:00", to: "04:00", groups: [provincial] }
`;

let dir: string;
let store: TimeSeriesStore;
let config: ReturnType<typeof loadConfig>;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netmon-reports-api-'));
  writeFileSync(join(dir, 'netmon.yaml'), CONFIG);
  config = loadConfig(join(dir, 'netmon.yaml'));
  store = openStore(config.storage.path, { jobs: false, now: () => NOW });
  const batch: Sample[] = [];
  const flush = () => store.write(batch.splice(0));
  for (let t = NOV.from - 2 * MIN; t < NOW; t += MIN) {
    const down = t >= u(2026, 11, 10, 16, 50) && t < u(2026, 11, 10, 17, 20);
    batch.push({ metric: 'netmon_site_state', labels: { site: 'so-tnmt', site_group: 'provincial' }, type: 'gauge', ts: t, value: down ? 0 : 2 });
    if (down) batch.push({ metric: 'netmon_site_state_reason_info', labels: { site: 'so-tnmt', site_group: 'provincial', reason: 'ping_down' }, type: 'gauge', ts: t, value: 1 });
    // Vỹ Dạ: 30 s pings, so 2 × 30 s + 1 s = 61 s of freshness; every other minute's sample is missing: half unknown.
    if (t % (2 * MIN) === 0) batch.push({ metric: 'netmon_site_state', labels: { site: 'phuong-vy-da', site_group: 'ward' }, type: 'gauge', ts: t, value: 2 });
    if (batch.length > 4000) flush();
  }
  // The uplink's transmit counter every 5 minutes: 1.2 Mbit/s with a weekly rhythm, growing.
  let v = 0;
  for (let t = NOW - 40 * DAY; t < NOW; t += 5 * MIN) {
    v += Math.round((150_000 + ((t - (NOW - 40 * DAY)) / DAY) * 2000 + ((t / 3_600_000) % 24 < 12 ? 20_000 : 0)) * 300);
    batch.push({ metric: 'netmon_interface_transmit_bytes_total', labels: { target: 'dc-core', if_name: 'Gi0/2', if_index: '2' }, type: 'counter', ts: t, value: v });
    if (batch.length > 4000) flush();
  }
  flush();
  store.flush();
  store.maintain(NOW);
  const app = express();
  app.use('/api/v1/reports', reportsRouter({ config: () => config, store: () => store }, () => NOW));
  app.use(apiErrorHandler((e) => console.error(e)));
  await new Promise<void>((resolve) => (server = app.listen(0, '127.0.0.1', () => resolve())));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/v1/reports`;
}, 60_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** CSV rows as objects keyed by the header, through csv-parse (BOM stripped by it). */
const rowsOf = (bytes: Buffer): Record<string, string>[] => parse<Record<string, string>>(bytes, { bom: true, columns: true });

const get = async (path: string) => {
  const res = await fetch(base + path);
  return { status: res.status, type: res.headers.get('content-type') ?? '', bytes: new Uint8Array(await res.arrayBuffer()) };
};
const json = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const r = await get(path);
  return { status: r.status, body: JSON.parse(new TextDecoder().decode(r.bytes)) as T };
};

describe('GET /api/v1/reports/*', () => {
  it('availability for a month: JSON per the contract, freshness from the configured intervals, maintenance from the config', async () => {
    const { status, body } = await json<AvailabilityReportResponse>('/availability?month=2026-11');
    expect(status).toBe(200);
    expect(checkAnswers([{ label: 'availability', type: 'AvailabilityReportResponse', body }]).get('availability')).toEqual([]);
    expect([body.from, body.to]).toEqual([NOV.from, NOV.to]);
    const a = body.sites.find((s) => s.site === 'so-tnmt')!;
    expect(a.name).toBe(NAME_A);
    expect(a.maintenance_ms).toBe(5 * 2 * 3_600_000);
    expect(a.down_ms).toBe(30 * MIN);
    expect(a.outages).toEqual([{ start: u(2026, 11, 10, 16, 50), end: u(2026, 11, 10, 17, 20), duration_ms: 30 * MIN, causes: ['ping_down'] }]);
    const v = body.sites.find((s) => s.site === 'phuong-vy-da')!;
    // Each sample holds 61 s of its 120 s: the rest is unknown, not up.
    expect(v.up_ms / (v.up_ms + v.unknown_ms)).toBeCloseTo(61 / 120, 3);
    const dc = body.sites.find((s) => s.site === 'dc')!;
    expect(dc.unknown).toBe(1);
    expect(dc.availability).toBe(0);
  });

  it('availability as CSV: UTF-8 with BOM, read back by a real CSV parser with the Vietnamese names intact', async () => {
    const r = await get('/availability?month=2026-11&format=csv');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/csv; charset=utf-8/);
    expect([...r.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = rowsOf(Buffer.from(r.bytes));
    expect(rows.map((x) => x.site)).toEqual(['dc', 'so-tnmt', 'phuong-vy-da']);
    const a = rows.find((x) => x.site === 'so-tnmt')!;
    expect(a.name).toBe(NAME_A);
    expect(Number(a.down_minutes)).toBe(30);
    expect(Number(a.maintenance_hours)).toBe(10);
    expect(Number(a.outages)).toBe(1);
    const out = rowsOf(Buffer.from((await get('/availability?month=2026-11&format=csv&table=outages')).bytes));
    expect(out).toEqual([{ site: 'so-tnmt', name: NAME_A, group: 'provincial', start_utc: '2026-11-10T16:50:00.000Z', end_utc: '2026-11-10T17:20:00.000Z', duration_minutes: '30', causes: 'ping_down' }]);
    const groups = rowsOf(Buffer.from((await get('/availability?month=2026-11&format=csv&table=groups')).bytes));
    expect(groups.map((g) => g.group)).toEqual(['datacentre', 'provincial', 'ward', 'overall']);
  });

  it('uplinks: JSON per the contract with a forecast, and CSV rows matching the JSON', async () => {
    const { status, body } = await json<UplinkReportResponse>('/uplinks?month=2026-11');
    expect(status).toBe(200);
    expect(checkAnswers([{ label: 'uplinks', type: 'UplinkReportResponse', body }]).get('uplinks')).toEqual([]);
    const out = body.uplinks[0]!.out;
    expect(out.samples).toBeGreaterThan(7000);
    expect(out.p95_bps!).toBeGreaterThan(1.2e6);
    expect(body.forecasts[0]!.out.days).toBeGreaterThanOrEqual(39);
    expect(body.forecasts[0]!.out.slope_per_day!).toBeGreaterThan(0);
    const rows = rowsOf(Buffer.from((await get('/uplinks?month=2026-11&format=csv')).bytes));
    const row = rows.find((x) => x.period === '2026-11' && x.direction === 'out')!;
    expect(row.display_name).toBe('Quốc tế');
    expect(Number(row.p95_bps)).toBe(Math.round(body.months[0]!.uplinks[0]!.out.p95_bps!));
    expect(Number(row.volume_bytes)).toBe(body.months[0]!.uplinks[0]!.out.volume_bytes);
  });

  it("the uplink cards' forecast is the report's, computed once per local day", () => {
    const forecastOf = dailyForecasts();
    const u = config.uplinks[0]!;
    const tz = config.server.timezone;
    const today = forecastOf(store, u, NOW + 3_600_000, tz);
    expect(today).toEqual(uplinkForecast(store, u, NOW + 3_600_000, tz));
    expect(today.out.slope_per_day!).toBeGreaterThan(0);
    expect(forecastOf(store, u, NOW + 5 * 3_600_000, tz)).toBe(today);
    const tomorrow = forecastOf(store, u, NOW + DAY + 3_600_000, tz);
    expect(tomorrow).not.toBe(today);
    expect(tomorrow.to).toBe(today.to + DAY);
  });

  it('rejects bad parameters with 400 naming them', async () => {
    for (const [q, msg] of [
      ['?month=2026-13', /month/],
      ['?month=2026-11&from=1', /either month or from/],
      ['?from=10&to=5', /before/],
      [`?from=0&to=${400 * DAY}`, /366 days/],
      ['?bogus=1', /unknown parameter bogus/],
      ['?format=xml', /format/],
    ] as const) {
      const r = await json<{ error: string }>(`/availability${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error, q).toMatch(msg);
    }
  });
});

describe('GET /api/v1/reports/monthly.pdf without Chromium', () => {
  it('answers 503 naming the missing browser, and 400 without a month', async () => {
    const app = express();
    app.use('/r', reportsRouter({ config: () => loadConfig(join(dir, 'netmon.yaml')), store: () => store }, () => NOW, { executable: join(dir, 'no-chromium'), print: () => Promise.reject(new Error('not called')) }));
    app.use(apiErrorHandler(() => {}));
    const srv = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    try {
      const port = (srv.address() as { port: number }).port;
      const r = await fetch(`http://127.0.0.1:${port}/r/monthly.pdf?month=2026-11`);
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: string }).error).toMatch(/Chromium, not found at .*no-chromium: install the Debian package "chromium"/);
      expect((await fetch(`http://127.0.0.1:${port}/r/monthly.pdf`)).status).toBe(400);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});

describe('GET /api/v1/reports/monthly.html', () => {
  it('an A4 page in Vietnamese with the centre name, every site, the outage, the uplink and its heatmap; English on request', async () => {
    const r = await get('/monthly.html?month=2026-11&lang=vi');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/html; charset=utf-8/);
    const html = new TextDecoder().decode(r.bytes);
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('size: A4');
    expect(html).toContain('<h1>Trung tâm Thông tin Dữ liệu điện tử</h1>');
    expect(html).toContain('Báo cáo vận hành tháng <b>2026-11</b>');
    // The site name is escaped (it holds quotes), once in the site table and once in the outage list.
    expect(html.split('Sở Tài nguyên và Môi trường, &#34;Chi cục&#34; Biển đảo').length - 1).toBe(2);
    expect(html).not.toContain('"Chi cục"');
    expect(html).toContain('<td>2026-11-10 23:50</td><td>2026-11-11 00:20</td><td>30</td><td>ping_down</td>');
    const sitesTable = html.slice(html.indexOf('<table class="sites">'));
    expect(sitesTable.match(/<tr><td>/g)).toHaveLength(3);
    expect(html).toContain('<h3>Quốc tế — 2 Mbit/s</h3>');
    expect(html.match(/<table class="heat">/g)).toHaveLength(1);
    expect(html.slice(html.indexOf('<table class="heat">')).match(/<tr><th>(T2|T3|T4|T5|T6|T7|CN)<\/th>/g)).toHaveLength(7);
    const en = new TextDecoder().decode((await get('/monthly.html?month=2026-11&lang=en')).bytes);
    expect(en).toContain('Monthly operations report <b>2026-11</b>');
    expect(en).toContain('<th>Availability</th>');
    expect((await get('/monthly.html')).status).toBe(400);
  });
});

const pdfTools = requireTool({ commands: ['chromium', 'pdftoppm', 'pdftotext', 'pdfinfo'] }, 'monthly report PDF');
describe.runIf(pdfTools)('monthly report as PDF', () => {
  it('prints to A4 pages that pdftoppm renders and whose text holds the tables', async () => {
    const html = new TextDecoder().decode((await get('/monthly.html?month=2026-11&lang=vi')).bytes);
    const pdf = await htmlToPdf(html);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const s of ['Trung tâm Thông tin Dữ liệu điện tử', 'Mức sẵn sàng kết nối', 'Phường Vỹ Dạ', 'Phân vị 95', 'Dự báo dung lượng', 'ping_down']) expect(text).toContain(s);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts/); // A4: 595 × 842 pt
    execFileSync('pdftoppm', ['-png', '-r', '60', file, join(dir, 'page')]);
    const pages = readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f)).sort();
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const p of pages) expect(statSync(join(dir, p)).size).toBeGreaterThan(5000);
    // `netmon report` asks the daemon for the same page and prints it.
    const out = join(dir, 'cli.pdf');
    expect(await reportCommand({ configFile: join(dir, 'netmon.yaml'), month: '2026-11', lang: 'en', out, url: base.replace('/api/v1/reports', '/') })).toBe(0);
    const cliText = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
    expect(cliText).toContain('Monthly operations report');
    expect(cliText).toContain('95th percentile');
    expect(cliText).toContain('ping_down');
    // The daemon prints it too: GET monthly.pdf, one render at a time.
    const [a, b] = await Promise.all([get('/monthly.pdf?month=2026-11&lang=en'), get('/monthly.pdf?month=2026-11&lang=en')]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 429]);
    const ok = a.status === 200 ? a : b;
    expect(ok.type).toBe('application/pdf');
    writeFileSync(join(dir, 'api.pdf'), ok.bytes);
    expect(execFileSync('pdftotext', ['-layout', join(dir, 'api.pdf'), '-'], { encoding: 'utf8' })).toContain('95th percentile');
    if (process.env.NETMON_SCREENSHOTS === '1') pages.forEach((p, i) => copyFileSync(join(dir, p), join('docs', 'screenshots', `report-${i + 1}.png`)));
  }, 60_000);
});
