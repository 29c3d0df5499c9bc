/**
 * The dashboard in headless Chromium against the daemon on the simulated reference network.
 * Needs /usr/bin/chromium: skipped with a loud warning without it, a failure when CI=true.
 * Screenshots for the README land in docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../../src/paths.js';
import { requireTool } from '../helpers/requireTool.js';
import { startReferenceDaemon, type RunningDaemon } from './daemon.js';

export const CHROMIUM = '/usr/bin/chromium';
const ok = requireTool({ commands: [CHROMIUM.split('/').pop()!] }, 'dashboard browser tests (Debian package "chromium" at /usr/bin/chromium)');
const SHOTS = join(ROOT, 'docs', 'screenshots');

interface Watched {
  page: Page;
  problems: string[];
}

describe.runIf(ok)('dashboard in Chromium', () => {
  let d: RunningDaemon;
  let browser: Browser;

  async function open(path: string, viewport = { width: 1440, height: 1000 }): Promise<Watched> {
    const page = await browser.newPage({ viewport });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      // The SSE stream is cut when a page closes; that is not a failure of the page.
      if (!r.url().endsWith('/api/v1/events')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await page.goto(`${d.url}${path}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
    return { page, problems };
  }

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    mkdirSync(SHOTS, { recursive: true });
    [d, browser] = await Promise.all([
      startReferenceDaemon(),
      chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
    ]);
    // dc-core is polled every 10 s: the uplinks have a rate after two polls.
    const deadline = Date.now() + 45_000;
    for (;;) {
      const o = (await (await fetch(`${d.url}/api/v1/overview`)).json()) as { uplinks: { in_bps: number | null }[] };
      if (o.uplinks.every((u) => u.in_bps !== null)) break;
      if (Date.now() > deadline) throw new Error('no uplink traffic from the simulated network within 45 s');
      await new Promise((r) => setTimeout(r, 1000));
    }
    // README screenshots: NETMON_SCREENSHOTS=1 waits for every site's first poll (about a minute) first.
    if (process.env.NETMON_SCREENSHOTS === '1') {
      const until = Date.now() + 90_000;
      while (Date.now() < until) {
        const s = (await (await fetch(`${d.url}/api/v1/sites`)).json()) as { counts: { unknown: number } };
        if (s.counts.unknown === 0) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('loads with no console errors and no failed requests; both uplink charts draw against their capacity', async () => {
    const { page, problems } = await open('/');
    for (const [name, capacity, label] of [['domestic', 100e6, '100 Mbps'], ['international', 2e6, '2 Mbps']] as const) {
      const chart = page.locator(`#uplink-${name}`);
      await expect.poll(() => chart.getAttribute('data-points'), { timeout: 10_000 }).not.toBe('0');
      expect(Number(await chart.getAttribute('data-capacity-bps'))).toBe(capacity);
      expect(Number(await chart.getAttribute('data-drawn'))).toBeGreaterThan(0);
      expect(await chart.locator('canvas').count()).toBe(1);
      expect(await chart.locator('.u-legend').innerText()).toContain(label);
      expect(await page.locator(`article.uplink[data-uplink="${name}"] .uplink-title`).innerText()).toContain(label);
      // The canvas is not blank: some pixels carry the capacity line's colour (Okabe-Ito vermillion, #D55E00).
      const vermillion = await chart.locator('canvas').evaluate((c: any) => {
        const px: Uint8ClampedArray = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i]! - 0xd5) < 12 && Math.abs(px[i + 1]! - 0x5e) < 12 && px[i + 2]! < 20) n++;
        return n;
      });
      expect(vermillion).toBeGreaterThan(40);
    }
    expect(await page.locator('.tile').count()).toBe(117 + 1); // 117 WAN sites and the data centre
    expect(await page.locator('#simulated').isVisible()).toBe(true);
    expect(await page.locator('#updated').innerText()).toMatch(/\d/);
    await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a site tile opens its detail', async () => {
    const { page, problems } = await open('/');
    const tile = page.locator(`.site-group[data-group="provincial"] .tile[data-state="up"]`).first();
    const id = await tile.getAttribute('data-site');
    // Tiles are re-rendered (and re-sorted) as results arrive: click the one with this id.
    await page.locator(`.tile[data-site="${id}"]`).click();
    await page.waitForSelector(`#site-dialog[data-loaded="${id}"]`, { timeout: 15_000 });
    expect(await page.locator('#site-dialog').isVisible()).toBe(true);
    expect(await page.locator('#site-title').innerText()).not.toBe('');
    expect(await page.locator('#site-dialog table.ifaces tbody tr').count()).toBeGreaterThan(0);
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(SHOTS, 'site.png') });
    await page.locator('#site-close').click();
    expect(await page.locator('#site-dialog').isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the language switch changes the labels', async () => {
    const { page, problems } = await open('/');
    // The shipped config says server.language: vi.
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    expect(await page.locator('#uplinks-h').innerText()).toBe('Đường truyền Internet');
    await page.locator('#lang').click();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('#uplinks-h').innerText()).toBe('Uplinks');
    expect(await page.locator('#problems-h').innerText()).toContain('Problems now');
    expect(await page.locator('#uplink-international .u-legend').innerText()).toContain('Capacity 2 Mbps');
    await page.screenshot({ path: join(SHOTS, 'dashboard-en.png') });
    // The choice sticks across a reload, and switches back.
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    expect(await page.locator('#uplinks-h').innerText()).toBe('Uplinks');
    await page.locator('#lang').click();
    expect(await page.locator('#uplinks-h').innerText()).toBe('Đường truyền Internet');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('kiosk mode is dark, large and has no controls', async () => {
    const { page, problems } = await open('/?kiosk=1', { width: 1920, height: 1080 });
    expect(await page.locator('body').getAttribute('class')).toContain('kiosk');
    expect(await page.locator('.controls').isVisible()).toBe(false);
    expect(await page.locator('#lang').isVisible()).toBe(false);
    // (page.evaluate runs in the browser; this file is compiled without the DOM lib)
    const bg = await page.evaluate(() => (globalThis as any).getComputedStyle((globalThis as any).document.body).backgroundColor as string);
    expect(bg).toBe('rgb(11, 13, 16)');
    expect(await page.evaluate(() => parseFloat((globalThis as any).getComputedStyle((globalThis as any).document.body).fontSize))).toBeGreaterThanOrEqual(20);
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(SHOTS, 'kiosk.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('new samples appear without a reload', async () => {
    const { page, problems } = await open('/?range=1h');
    const chart = page.locator('#uplink-domestic');
    const before = Number(await chart.getAttribute('data-drawn'));
    // dc-core reports every 10 s; the page refetches at most every 5 s after an event.
    await expect.poll(async () => Number(await chart.getAttribute('data-drawn')), { timeout: 30_000, interval: 1000 }).toBeGreaterThan(before);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('warns when the daemon stops answering', async () => {
    const { page } = await open('/?stale=3');
    expect(await page.locator('#stale').isVisible()).toBe(false);
    await d.daemon.stop();
    await page.waitForSelector('#stale:not([hidden])', { timeout: 20_000 });
    expect(await page.locator('#stale').innerText()).toMatch(/DỮ LIỆU CŨ|STALE/);
    await page.close();
  }, 40_000);
});
