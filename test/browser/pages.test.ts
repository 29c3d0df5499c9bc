/**
 * Issue 17's port page in headless Chromium, against the daemon on the shipped simulated reference network:
 * `?port=target/ifIndex` opens a page of its own that graphs the port against its capacity with the 95th
 * percentile, its error and discard counters, with numbers equal to the API's for the same window; its
 * range buttons and the date-range picker are in the URL, a reload shows the same, the back button walks
 * back through them; no horizontal overflow at 1366 and 390 px; no console errors; Vietnamese and English.
 * Screenshots go to docs/screenshots only with NETMON_SCREENSHOTS=1 (as in dashboard.test.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { requireTool } from '../helpers/requireTool.js';
import { startReferenceDaemon, type RunningDaemon } from '../kit/reference-daemon.js';
import { waitFor } from '../kit/wait.js';
import { launchChromium, openWatched, waitForAllSitesPolled, waitForTrafficBuckets, type Watched, screenshotDir } from './harness.js';

const ok = requireTool({ commands: ['chromium'] }, 'port page browser tests (Debian package "chromium" at /usr/bin/chromium)');
const SHOTS_DIR = screenshotDir();
const README_SHOTS = SHOTS_DIR.forReadme;
const SHOTS = SHOTS_DIR.dir;

describe.runIf(ok)('port page in Chromium', () => {
  let d: RunningDaemon;
  let browser: Browser;
  /** The domestic uplink's port (dc-core Gi0/1), as `target/ifIndex`. */
  let uplinkPort = '';

  const open = (path: string, viewport = { width: 1366, height: 768 }): Promise<Watched> => openWatched(browser, `${d.url}${path}`, viewport, true);
  const json = async (path: string): Promise<any> => (await fetch(`${d.url}${path}`)).json();
  const search = async (page: Page) => Object.fromEntries(new URLSearchParams(await page.evaluate(() => (globalThis as any).location.search as string)));
  const loaded = (page: Page, port: string) => page.waitForSelector(`#port-dialog[data-loaded="${port}"]`, { timeout: 15_000 });
  /** Widest content against the viewport: the document and the open page itself. */
  const overflow = (page: Page) =>
    page.evaluate(() => {
      const doc = (globalThis as any).document;
      const dlg = doc.querySelector('#port-dialog');
      return { doc: doc.documentElement.scrollWidth, dlg: dlg.scrollWidth - dlg.clientWidth, vw: (globalThis as any).innerWidth as number };
    });

  beforeAll(async () => {
    [d, browser] = await Promise.all([startReferenceDaemon(), launchChromium()]);
    // dc-core is polled every 10 s: its ports, then a few buckets of traffic and a 95th percentile.
    const ifIndex = await waitFor('dc-core Gi0/1 in the data centre\'s interfaces', async () => {
      const dc = await json('/api/v1/sites/ttdl');
      return dc.targets.find((t: any) => t.name === 'dc-core')?.interfaces.find((i: any) => i.if_name === 'Gi0/1')?.if_index as string | undefined;
    }, 60_000, 1000);
    uplinkPort = `dc-core/${ifIndex}`;
    await waitForTrafficBuckets(d.url, () => `/api/v1/targets/dc-core/interfaces/${ifIndex}/traffic?range=1h`, 'the domestic uplink port');
    if (README_SHOTS) await waitForAllSitesPolled(d.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await d?.stop();
    SHOTS_DIR.done();
  });

  it('graphs a port against its configured capacity, with the same numbers as the API for the same window', async () => {
    const { page, problems } = await open(`/?port=${encodeURIComponent(uplinkPort)}&range=1h`);
    await loaded(page, uplinkPort);
    const chart = page.locator('#port-traffic');
    expect(Number(await chart.getAttribute('data-capacity-bps'))).toBe(100e6); // the uplink's configured 100 Mbps
    await expect.poll(() => chart.getAttribute('data-segments'), { timeout: 10_000 }).not.toBe('0');
    expect(await chart.locator('.u-legend').innerText()).toMatch(/95/);
    // The API asked for the page's window (its from, to and points): the numbers the page shows are the API's.
    const [from, to, points] = await Promise.all(['data-from', 'data-to', 'data-asked-points'].map((a) => chart.getAttribute(a)));
    const base = `/api/v1/targets/${uplinkPort.replace('/', '/interfaces/')}`;
    const api = await json(`${base}/traffic?from=${from}&to=${to}&points=${points}`);
    for (const dir of ['in', 'out'] as const) {
      for (const [stat, key] of [['peak', 'peak_bps'], ['p95', 'p95_bps'], ['volume', 'volume_bytes']] as const) {
        const cell = page.locator(`.port-stats tr[data-dir="${dir}"] td[data-stat="${stat}"]`);
        expect(Number(await cell.getAttribute('data-value'))).toBe(api[dir].stats[key]);
        expect(await cell.innerText()).not.toBe('–');
      }
    }
    const errs = await json(`${base}/errors?from=${from}&to=${to}&points=${points}`);
    for (const c of errs.counters) {
      const cell = page.locator(`.port-counters tr[data-counter="${c.counter}"] td`);
      expect(await cell.getAttribute('data-value')).toBe(c.total === null ? '' : String(c.total));
    }
    expect(await page.locator('#port-title').innerText()).toBe('Cổng: dc-core Gi0/1');
    const o = await overflow(page);
    expect(o.doc).toBeLessThanOrEqual(o.vw);
    expect(o.dlg).toBeLessThanOrEqual(0);
    if (README_SHOTS) await page.locator('#port-dialog').screenshot({ path: join(SHOTS, 'port.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps range and date range in the URL; reload and the back button show the same views', async () => {
    const { page, problems } = await open(`/?port=${encodeURIComponent(uplinkPort)}&range=1h&lang=en`);
    await loaded(page, uplinkPort);
    expect(await page.locator('#port-title').innerText()).toBe('Port: dc-core Gi0/1');
    await page.locator('#port-dialog button[data-range="6h"]').click();
    await expect.poll(() => search(page)).toEqual({ port: uplinkPort, range: '6h', lang: 'en' });
    await loaded(page, uplinkPort);
    await expect.poll(() => page.locator('#port-dialog button[data-range="6h"]').getAttribute('aria-pressed')).toBe('true');
    // The date-range picker speaks the network's zone (Asia/Ho_Chi_Minh, UTC+7), not the browser's.
    const to = Math.floor(Date.now() / 60e3) * 60e3;
    const from = to - 20 * 60e3;
    const wall = (ms: number) => new Date(ms + 7 * 3600e3).toISOString().slice(0, 16);
    await page.fill('#port-dialog .range-from', wall(from));
    await page.fill('#port-dialog .range-to', wall(to));
    const zoomedAsk = page.waitForRequest((r) => r.url().includes('/errors') && r.url().includes(`from=${from}`));
    await page.locator('#port-dialog .range-picker button[type="submit"]').click();
    await expect.poll(() => search(page)).toMatchObject({ port: uplinkPort, from: String(from), to: String(to) });
    expect(new URL((await zoomedAsk).url()).searchParams.get('to')).toBe(String(to));
    await loaded(page, uplinkPort);
    await expect.poll(() => page.locator('#port-traffic').getAttribute('data-from')).toBe(String(from));
    // Reload: the same port, the same window.
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    await loaded(page, uplinkPort);
    expect(await page.locator('#port-traffic').getAttribute('data-from')).toBe(String(from));
    expect(await page.inputValue('#port-dialog .range-from')).toBe(wall(from));
    // An end before the start is refused, in words, and the URL stays.
    await page.fill('#port-dialog .range-to', wall(from - 60e3));
    await page.locator('#port-dialog .range-picker button[type="submit"]').click();
    expect(await page.locator('#port-dialog .range-msg').innerText()).toContain('at least a minute');
    expect((await search(page)).from).toBe(String(from));
    // Back: 6 h; back: 1 h; close by hand, then back reopens the page.
    await page.goBack();
    await expect.poll(() => page.locator('#port-dialog button[data-range="6h"]').getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    await page.goBack();
    await expect.poll(() => page.locator('#port-dialog button[data-range="1h"]').getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    await page.locator('#port-close').click();
    expect(await search(page)).toEqual({ range: '1h', lang: 'en' });
    await page.goBack();
    await loaded(page, uplinkPort);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens from a site dialog row, and an access port at 390 px has no horizontal overflow', async () => {
    const { page, problems } = await open('/?site=ttdl', { width: 390, height: 844 });
    await page.waitForSelector('#site-dialog[data-loaded="ttdl"]', { timeout: 15_000 });
    const link = page.locator('#site-traffic-port a.port-link');
    const href = (await link.getAttribute('href'))!;
    const port = new URLSearchParams(href.slice(1)).get('port')!;
    expect(new URLSearchParams(href.slice(1)).has('site')).toBe(false);
    await link.click();
    await page.waitForSelector('body[data-ready="1"]');
    await loaded(page, port);
    expect(await page.locator('#site-dialog').isVisible()).toBe(false);
    const o = await overflow(page);
    expect(o.doc).toBeLessThanOrEqual(390);
    expect(o.dlg).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the header date-range picker zooms the overview', async () => {
    const { page, problems } = await open('/?range=6h');
    const to = Math.floor(Date.now() / 60e3) * 60e3;
    const from = to - 30 * 60e3;
    const wall = (ms: number) => new Date(ms + 7 * 3600e3).toISOString().slice(0, 16);
    await page.fill('#range-pick .range-from', wall(from));
    await page.fill('#range-pick .range-to', wall(to));
    await page.locator('#range-pick button[type="submit"]').click();
    await expect.poll(() => search(page)).toEqual({ range: '6h', from: String(from), to: String(to) });
    expect(await page.locator('#reset-zoom').isVisible()).toBe(true);
    await page.goBack();
    await expect.poll(() => page.locator('#reset-zoom').isVisible()).toBe(false);
    const o = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
    expect(o).toBeLessThanOrEqual(1366);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the device page lists the API\'s interfaces, resources and inventory; a port links to its page and back returns', async () => {
    const api = await json('/api/v1/targets/dc-core');
    const { page, problems } = await open('/?device=dc-core');
    await page.waitForSelector('#device-dialog[data-loaded="dc-core"]', { timeout: 15_000 });
    expect(await page.locator('#device-title').innerText()).toContain('Thiết bị: dc-core');
    const names = await page.locator('#device-dialog .device-ifaces tbody tr td:first-child').allInnerTexts();
    expect(names).toEqual(api.interfaces.map((i: any) => i.if_name ?? i.if_index));
    const resources = page.locator('#device-dialog .device-resources');
    const nRes = api.cpu.length + api.memory_ratio.length + api.memory_pools.length;
    if (nRes) expect(await resources.locator('li').count()).toBe(nRes);
    else expect(await resources.innerText()).toContain('không thu thập');
    if (api.inventory) expect(await page.locator('#device-dialog table.inventory tbody tr').count()).toBe(api.inventory.entities.length);
    else expect(await page.locator('#device-dialog').innerText()).toContain('chưa có danh mục');
    const o = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
    expect(o).toBeLessThanOrEqual(1366);
    await page.locator(`#device-dialog tr[data-port="${uplinkPort}"] a`).click();
    await page.waitForSelector('body[data-ready="1"]');
    await loaded(page, uplinkPort);
    expect(await search(page)).toEqual({ port: uplinkPort });
    await page.goBack();
    await page.waitForSelector('#device-dialog[data-loaded="dc-core"]', { timeout: 15_000 });
    await page.locator('#device-close').click();
    expect(await search(page)).toEqual({});
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the data-centre site dialog groups its interfaces by device, each linking to the device page (390 px, no overflow)', async () => {
    const dc = await json('/api/v1/sites/ttdl');
    const { page, problems } = await open('/?site=ttdl', { width: 390, height: 844 });
    await page.waitForSelector('#site-dialog[data-loaded="ttdl"]', { timeout: 15_000 });
    const blocks = await page.locator('#site-dialog .device-block').evaluateAll((bs) => bs.map((b: any) => b.dataset.target as string));
    expect(blocks).toEqual(dc.targets.filter((t: any) => t.interfaces.length).map((t: any) => t.name));
    expect(blocks.length).toBeGreaterThan(1);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number)).toBeLessThanOrEqual(390);
    await page.locator(`#site-dialog .device-block[data-target="${blocks[0]}"] a.device-link`).click();
    await page.waitForSelector(`#device-dialog[data-loaded="${blocks[0]}"]`, { timeout: 15_000 });
    const dlg = await page.evaluate(() => {
      const e = (globalThis as any).document.querySelector('#device-dialog');
      return e.scrollWidth - e.clientWidth;
    });
    expect(dlg).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('memory is in IEC units with the Vietnamese decimal comma', async () => {
    const { page } = await open('/');
    // A string, not a function: the test runner would rewrite a dynamic import() in a function's body.
    const out = await page.evaluate(`(async () => {
      const f = await import('/js/format.js');
      f.setTimeContext('Asia/Ho_Chi_Minh', 'vi');
      const vi = [f.iec(32 * 2 ** 30), f.iec(1536), f.iec(512), f.iec(1.5 * 2 ** 20), f.iec(null)];
      f.setTimeContext('Asia/Ho_Chi_Minh', 'en');
      return { vi, en: f.iec(2.25 * 2 ** 30) };
    })()`);
    expect(out).toEqual({ vi: ['32 GiB', '1,5 KiB', '512 B', '1,5 MiB', '–'], en: '2.25 GiB' });
    await page.close();
  });

  it('the fibres view lists every optical port as the API orders them, with margins, trends and level charts that show the alarm level', async () => {
    await waitFor('optical readings in /fibres', async () => {
      const r = await json('/api/v1/fibres');
      return r.ports.length > 0 && r.ports.some((p: any) => p.margin_db !== null) ? true : undefined;
    }, 60_000, 1000);
    for (const [width, height] of [[1366, 768], [390, 844]] as const) {
      const { page, problems } = await open('/', { width, height });
      const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/fibres');
      await page.locator('#fibres-link').click();
      const api = await (await answer).json();
      await page.waitForSelector('#fibres-dialog[data-loaded="1"]', { timeout: 15_000 });
      expect(await search(page)).toEqual({ fibres: '1' });
      // The rows are the API's answer, in its order (smallest margin first).
      const rows = await page.locator('#fibres-dialog table.fibres tbody tr').evaluateAll((rs) => rs.map((r: any) => r.dataset.port as string));
      expect(rows).toEqual(api.ports.map((p: any) => `${p.target}/${p.labels.if_index}`));
      const first = api.ports[0];
      const firstRow = page.locator('#fibres-dialog table.fibres tbody tr').first();
      expect(await firstRow.locator('.fibre-margin').innerText()).toMatch(/^[+-]?\d+,\d\d dB$/);
      const trend = await firstRow.locator('.fibre-trend').innerText();
      if (first.trend_db_per_week === null) expect(trend).toContain('chưa đủ dữ liệu');
      else expect(trend).toContain('dB/tuần');
      // Charts of the closest ports; the alarm level is inside the y range (drawn, not clipped off).
      const charts = page.locator('#fibres-dialog .fibre-charts .chart.optical');
      await expect.poll(() => charts.count(), { timeout: 15_000 }).toBeGreaterThan(0);
      const c0 = charts.first();
      // The first chart is the closest port with a site (its history comes from the site's optical answer).
      const port0 = api.ports.find((p: any) => p.labels.site);
      expect(await c0.getAttribute('data-port')).toBe(`${port0.target}/${port0.labels.if_index}`);
      if (port0.alarm_dbm !== null) expect(Number(await c0.getAttribute('data-y-min'))).toBeLessThan(port0.alarm_dbm);
      expect(Number(await c0.getAttribute('data-drawn'))).toBeGreaterThan(0);
      const o = await page.evaluate(() => {
        const doc = (globalThis as any).document;
        const dlg = doc.querySelector('#fibres-dialog');
        return { doc: doc.documentElement.scrollWidth, dlg: dlg.scrollWidth - dlg.clientWidth };
      });
      expect(o.doc).toBeLessThanOrEqual(width);
      expect(o.dlg).toBeLessThanOrEqual(0);
      if (README_SHOTS && width === 1366) await page.locator('#fibres-dialog').screenshot({ path: join(SHOTS, 'fibres.png') });
      await page.goBack();
      await expect.poll(() => page.locator('#fibres-dialog').isVisible()).toBe(false);
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});
