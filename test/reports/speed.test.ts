/**
 * The availability report's cost on the shipped network's scale: 118 sites, a state sample a minute each
 * (as their one-minute polls write), one site flapping (down 150 s of every 600 s: thousands of outages,
 * each with its causes) over 10 days in a real store. The report reads each site's series once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import type { LoadedConfig } from '../../src/config/model.js';
import { openStore, type TimeSeriesStore } from '../../src/store/index.js';
import { availabilityInput, availabilityReport } from '../../src/reports/availability.js';
import type { Sample } from '../../src/types.js';
import { monthlyHtml } from '../../src/reports/monthly-html.js';

const MIN = 60_000;
const DAY = 86_400_000;
const SITES = 118;
const FROM = Date.UTC(2026, 10, 1);
const TO = FROM + 10 * DAY;
const site = (i: number) => `s${i}`;

let dir: string;
let config: LoadedConfig;
let store: TimeSeriesStore;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'netmon-report-speed-'));
  const ids = Array.from({ length: SITES }, (_, i) => i);
  writeFileSync(
    join(dir, 'netmon.yaml'),
    `server: { timezone: Asia/Ho_Chi_Minh }\nstorage: { path: netmon.db }\ndefaults: { ping: { interval: 60s, timeout: 1s } }\nsites:\n` +
      ids.map((i) => `  - { id: ${site(i)}, name: Đơn vị ${i}, group: ${i % 2 ? 'district' : 'ward'} }\n`).join('') +
      'targets:\n' +
      ids.map((i) => `  - { name: t${i}, address: 127.1.${i >> 8}.${i & 255}, site: ${site(i)}, role: fibre, ping: {} }\n`).join(''),
  );
  config = loadConfig(join(dir, 'netmon.yaml'));
  store = openStore(config.storage.path, { jobs: false, now: () => TO, batchSize: 50_000 });
  const batch: Sample[] = [];
  const labels = ids.map((i) => ({ site: site(i), site_group: i % 2 ? 'district' : 'ward' }));
  const reason = { ...labels[0]!, reason: 'ping_down' };
  for (let t = FROM - 2 * MIN; t < TO; t += MIN) {
    for (const i of ids) {
      const down = i === 0 && t % (10 * MIN) < 150_000;
      batch.push({ metric: 'netmon_site_state', labels: labels[i]!, type: 'gauge', ts: t + i * 100, value: down ? 0 : 2 });
      if (down) batch.push({ metric: 'netmon_site_state_reason_info', labels: reason, type: 'gauge', ts: t, value: 1 });
    }
    if (batch.length >= 50_000) store.write(batch.splice(0));
  }
  store.write(batch.splice(0));
  store.flush();
  store.maintain(TO);
}, 120_000);

afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reports 118 sites over 10 days of one-minute samples in well under the time the printed report allows', () => {
  const t0 = performance.now();
  const rep = availabilityReport(store, availabilityInput(config), FROM, TO, TO);
  const ms = performance.now() - t0;
  console.log(`availability: ${SITES} sites × 10 days in ${ms.toFixed(0)} ms`);
  expect(rep.sites).toHaveLength(SITES);
  const flap = rep.sites[0]!;
  // Samples at 0, 1 and 2 min of each 10 are down (each held until the next): 3 of 10 minutes.
  expect(flap.outages).toHaveLength(10 * 144);
  expect(flap.down_ms).toBe(10 * 144 * 3 * MIN);
  expect(flap.outages.every((o) => o.causes.join() === 'ping_down')).toBe(true);
  expect(rep.sites.slice(1).every((s) => s.availability === 1)).toBe(true);
  // Printed, the 1440 outages are the 40 longest (here all 3 min) and a line counting the rest.
  const html = monthlyHtml({ month: '2026-11', lang: 'en', centre: 'x', availability: rep, uplinks: { from: FROM, to: TO, timezone: rep.timezone, uplinks: [], months: [], forecasts: [] } });
  const start = html.indexOf('<h2>Outages</h2>');
  const table = html.slice(start, html.indexOf('</p>', html.indexOf('</table>', start)) + 4);
  expect(table.match(/<tr><td>Đơn vị 0<\/td>/g)).toHaveLength(40);
  expect(table).toContain('… and 1400 shorter ones (4,200 min in all): see the outages CSV.');
  // A month is three of these; the whole printed report must take under 10 s on the shipped config.
  expect(ms).toBeLessThan(2500);
});
