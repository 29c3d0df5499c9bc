/**
 * The dashboard's reports page in Chromium, on the shipped network with three hours of backfilled history
 * (netmon simulate --backfill's code, run before the daemon starts): opened by the URL and by the header
 * link, every site in the availability table with the flapping site's outages, both uplinks' figures
 * and heatmaps, the forecast's "not enough history", working CSV links, and English on request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../src/config/loader.js';
import { openStore } from '../../src/store/index.js';
import { backfill } from '../../src/simulator/backfill.js';
import { requireTool } from '../helpers/requireTool.js';
import { startReferenceDaemon, type RunningDaemon } from '../kit/reference-daemon.js';
import { CHROMIUM, launchChromium, openWatched } from './harness.js';

const ok = requireTool({ commands: [CHROMIUM.split('/').pop()!] }, 'reports page browser test (Debian package "chromium" at /usr/bin/chromium)');

describe.runIf(ok)('reports page in Chromium', () => {
  let d: RunningDaemon;
  let browser: Browser;
  let month: string;
  let flapping: string | null = null;

  beforeAll(async () => {
    [d, browser] = await Promise.all([
      startReferenceDaemon({
        beforeStart: (db) => {
          const config = loadConfig(db.replace(/netmon\.db$/, 'config/netmon.yaml'));
          const store = openStore(db, { jobs: false, batchSize: 50_000 });
          try {
            flapping = backfill({ config, store, spanMs: 3 * 3_600_000 }).flapping;
          } finally {
            store.close();
          }
        },
      }),
      launchChromium(),
    ]);
    const now = new Date(Date.now() + 7 * 3_600_000); // the shipped zone, UTC+7 all year
    month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('shows availability per site with outages, the uplinks with heatmaps, the forecast and the downloads', async () => {
    const { page, problems } = await openWatched(browser, `${d.url}/?reports=${month}&lang=vi`, { width: 1440, height: 1000 });
    await page.waitForSelector(`#reports-body[data-month="${month}"]`, { timeout: 30_000 });
    expect(await page.locator('#reports-dialog').evaluate((e) => (e as unknown as { open: boolean }).open)).toBe(true);
    expect(await page.locator('table.report-sites > tbody > tr').count()).toBe(118);
    // The flapping site was down in the backfilled hours: its row lists outages, and it sorts first (worst).
    const first = page.locator('table.report-sites > tbody > tr').first();
    expect(Number(await first.locator('summary').textContent())).toBeGreaterThan(3);
    expect(flapping).not.toBeNull();
    expect(await page.locator('#reports-body').textContent()).toContain('Mức sẵn sàng chung');
    expect(await page.locator('article.report-uplink').count()).toBe(2);
    // Three hours of 5-minute averages: some heatmap cells coloured, both directions.
    expect(await page.locator('article.report-uplink[data-uplink="international"] table.report-heat[data-dir="in"] td[style]').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('article.report-uplink[data-uplink="international"] .report-usage tbody tr').first().textContent()).toMatch(/bps/);
    expect(await page.locator('article.report-uplink[data-uplink="international"] .report-forecast').textContent()).toContain('chưa đủ dữ liệu');
    const hrefs = await page.locator('.report-links a').evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
    expect(hrefs).toHaveLength(5);
    for (const href of hrefs.filter((x) => x.includes('format=csv'))) {
      const r = await fetch(href);
      expect(r.status, href).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/text\/csv/);
    }
    // Closed (the URL forgets it), switched to English, reopened from the header link at the same month.
    await page.click('#reports-close');
    expect(new URL(page.url()).searchParams.has('reports')).toBe(false);
    await page.click('#lang');
    await page.click('#reports-link');
    await page.waitForSelector(`#reports-body[data-month="${month}"]`);
    expect(await page.locator('#reports-body').textContent()).toContain('Overall availability');
    expect(new URL(page.url()).searchParams.get('reports')).toBe(month);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
