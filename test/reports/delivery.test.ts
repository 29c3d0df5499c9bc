/**
 * Scheduled delivery of the monthly report's link (src/reports/delivery.ts): an injected clock set just
 * before 07:00 on 1 December (Asia/Ho_Chi_Minh), a real HTTP receiver on loopback. The webhook receiver
 * gets one Alertmanager-format notification about November with the report links, sent the way alert
 * notifications are (basic auth from the URL, configured headers); the Alertmanager receiver gets none;
 * with delivery off nobody does.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { nextDelivery, previousMonth, startMonthlyDelivery } from '../../src/reports/delivery.js';
import { waitFor } from '../kit/wait.js';

const DUE = Date.UTC(2026, 11, 1, 0, 0); // 1 Dec 2026 07:00 UTC+7
let server: Server;
let port: number;
let dir: string;
const got: { path: string; headers: IncomingMessage['headers']; body: any }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netmon-delivery-'));
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const config = (on: boolean) => {
  const f = join(dir, `netmon-${on}.yaml`);
  writeFileSync(f, `
server: { timezone: Asia/Ho_Chi_Minh, language: vi, port: 9300 }
storage: { path: netmon.db }
allow_empty: true
reports: { monthly_delivery: ${on}, public_url: "https://noc.example.vn/netmon" }
alerting:
  receivers:
    - { name: chat, type: webhook, url: "http://bot:s3cret@127.0.0.1:${port}/hook/${on}", headers: { X-Token: abc } }
    - { name: am, type: alertmanager, url: "http://127.0.0.1:${port}/am" }
`);
  return loadConfig(f);
};

/** A clock that reads `start` now and runs at real speed. */
const clockFrom = (start: number) => {
  const t0 = Date.now();
  return () => start + (Date.now() - t0);
};

it('knows when and about which month', () => {
  expect(nextDelivery(Date.UTC(2026, 10, 15), 'Asia/Ho_Chi_Minh')).toBe(DUE);
  expect(nextDelivery(DUE, 'Asia/Ho_Chi_Minh')).toBe(Date.UTC(2027, 0, 1, 0, 0));
  expect(previousMonth(DUE, 'Asia/Ho_Chi_Minh')).toBe('2026-11');
  expect(previousMonth(Date.UTC(2027, 0, 1, 0, 0), 'Asia/Ho_Chi_Minh')).toBe('2026-12');
});

it('posts last month\'s report link to the webhook receiver on the 1st at 07:00', async () => {
  const cfg = config(true);
  const h = startMonthlyDelivery({ config: () => cfg, now: clockFrom(DUE - 300) });
  try {
    expect(h.next).toBe(DUE);
    await waitFor('the monthly report notification', () => Promise.resolve(got.length ? true : undefined), 10_000, 20);
    const [n] = got;
    expect(n!.path).toBe('/hook/true');
    expect(n!.headers.authorization).toBe(`Basic ${Buffer.from('bot:s3cret').toString('base64')}`);
    expect(n!.headers['x-token']).toBe('abc');
    expect(n!.body.version).toBe('4');
    expect(n!.body.alerts).toHaveLength(1);
    const a = n!.body.alerts[0];
    expect(a.labels).toEqual({ alertname: 'NetmonMonthlyReport', month: '2026-11', severity: 'info' });
    expect(a.annotations.summary).toBe('Báo cáo vận hành tháng 2026-11');
    expect(a.annotations.report_url).toBe('https://noc.example.vn/netmon/api/v1/reports/monthly.html?month=2026-11&lang=vi');
    expect(a.annotations.pdf_url).toBe('https://noc.example.vn/netmon/api/v1/reports/monthly.pdf?month=2026-11&lang=vi');
    // Then the next one is January's, and the Alertmanager receiver got nothing.
    await waitFor('the schedule moved on', () => Promise.resolve(h.next > DUE ? true : undefined), 5000, 20);
    expect(h.next).toBe(Date.UTC(2027, 0, 1, 0, 0));
    expect(got.filter((g) => g.path === '/am')).toEqual([]);
  } finally {
    h.stop();
  }
});

it('sends nothing with monthly_delivery off', async () => {
  got.length = 0;
  const cfg = config(false);
  const h = startMonthlyDelivery({ config: () => cfg, now: clockFrom(DUE - 200) });
  try {
    await waitFor('the due time passing', () => Promise.resolve(h.next > DUE ? true : undefined), 5000, 20);
    expect(got).toEqual([]);
  } finally {
    h.stop();
  }
});
