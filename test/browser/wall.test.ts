/**
 * Issue 17 in headless Chromium, against the daemon on the shipped simulated reference network (118 sites):
 * the wall view (`?kiosk=1`) at 1920×1080 and 1366×768 shows every site tile and both uplinks at once, no
 * tile name cut, all names distinct; search, filter and sort; charts zoomed to 10 minutes draw lines; range,
 * zoom and the open site are in the URL and the back button walks back through them; the phone view at
 * 390 px does not overflow and puts the uplinks' utilisation first.
 * Screenshots go to docs/screenshots only with NETMON_SCREENSHOTS=1 (as in dashboard.test.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { requireTool } from '../helpers/requireTool.js';
import { startReferenceDaemon, type RunningDaemon } from '../kit/reference-daemon.js';
import { launchChromium, openWatched, waitForAllSitesPolled, waitForTrafficBuckets, type Watched, screenshotDir } from './harness.js';

const ok = requireTool({ commands: ['chromium'] }, 'wall, zoom, URL and phone browser tests (Debian package "chromium" at /usr/bin/chromium)');
const SHOTS_DIR = screenshotDir();
const README_SHOTS = SHOTS_DIR.forReadme;
const SHOTS = SHOTS_DIR.dir;

/** What the browser sees of the tiles (runs in the page; this file is compiled without the DOM lib). */
interface TileFacts {
  id: string;
  name: string;
  title: string;
  inside: boolean;
  clipped: boolean;
}

describe.runIf(ok)('wall view, search, zoom, URL and phone view in Chromium', () => {
  let d: RunningDaemon;
  let browser: Browser;
  let siteCount = 0;

  const open = (path: string, viewport = { width: 1440, height: 1000 }): Promise<Watched> => openWatched(browser, `${d.url}${path}`, viewport, true);

  const search = (page: Page) => page.evaluate(() => (globalThis as any).location.search as string);

  beforeAll(async () => {
    [d, browser] = await Promise.all([startReferenceDaemon(), launchChromium()]);
    siteCount = ((await (await fetch(`${d.url}/api/v1/sites`)).json()) as { sites: unknown[] }).sites.length;
    // dc-core is polled every 10 s: four buckets of uplink traffic make a line of three segments.
    await waitForTrafficBuckets(d.url, () => `/api/v1/uplinks/domestic/traffic?from=${Date.now() - 600e3}&to=${Date.now()}&points=600`, 'the domestic uplink');
    if (README_SHOTS) await waitForAllSitesPolled(d.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await d?.stop();
    SHOTS_DIR.done();
  });

  for (const [width, height] of [
    [1920, 1080],
    [1366, 768],
  ] as const) {
    it(`the wall view at ${width}×${height} shows every site, whole and distinct, and both uplinks, without scrolling`, async () => {
      const { page, problems } = await open('/?kiosk=1', { width, height });
      expect(siteCount).toBe(118);
      const facts = async (): Promise<TileFacts[]> =>
        page.evaluate(() => {
          const g = globalThis as any;
          return [...g.document.querySelectorAll('.tile')].map((t: any) => {
            const r = t.getBoundingClientRect();
            const name = t.querySelector('.tile-name');
            const texts = [...t.querySelectorAll('.tile-name, .tile-figures')];
            return {
              id: t.dataset.site,
              name: name.textContent,
              title: t.title,
              inside: r.top >= 0 && r.left >= 0 && r.bottom <= g.innerHeight && r.right <= g.innerWidth && r.width > 0 && r.height > 0,
              clipped: texts.some((e: any) => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight + 1),
            };
          });
        });
      const tiles = await facts();
      expect(tiles).toHaveLength(siteCount);
      expect(tiles.filter((t) => !t.inside).map((t) => t.id)).toEqual([]);
      expect(tiles.filter((t) => t.clipped).map((t) => t.name)).toEqual([]);
      const names = tiles.map((t) => t.name);
      expect(new Set(names).size).toBe(names.length);
      // Short on the tile, the full name on hover.
      const tnmt = tiles.find((t) => t.id === 'phong-dien-tai-nguyen-moi-truong')!;
      expect(tnmt.name).toBe('TN&MT Phong Điền');
      expect(tnmt.title).toMatch(/^Phòng Tài nguyên và Môi trường huyện Phong Điền: /);
      // No scrolling: the page is the screen.
      const doc = await page.evaluate(() => {
        const e = (globalThis as any).document.documentElement;
        return { h: e.scrollHeight, w: e.scrollWidth };
      });
      expect(doc.h).toBeLessThanOrEqual(height);
      expect(doc.w).toBeLessThanOrEqual(width);
      // Both uplink charts, with their current utilisation, on screen too.
      for (const name of ['domestic', 'international']) {
        const box = (await page.locator(`#uplink-${name}`).boundingBox())!;
        expect(box.y + box.height).toBeLessThanOrEqual(height);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
        expect(box.height).toBeGreaterThan(60);
        expect(await page.locator(`article.uplink[data-uplink="${name}"] .util-value`).first().isVisible()).toBe(true);
      }
      // Problems first within a tier: a tile that is not up never follows an up one in its group.
      const order = await page.evaluate(() =>
        [...(globalThis as any).document.querySelectorAll('.site-group')].map((g: any) => [...g.querySelectorAll('.tile')].map((t: any) => t.dataset.state as string)),
      );
      for (const states of order) expect(states.indexOf('up') === -1 || states.slice(states.indexOf('up')).every((s) => s === 'up')).toBe(true);
      await page.screenshot({ path: join(SHOTS, `wall-${width}x${height}.png`) });
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it('searches, filters and sorts the sites, and keeps the choice in the URL', async () => {
    const { page, problems } = await open('/');
    const ids = () => page.locator('#sites-groups .tile').evaluateAll((ts) => ts.map((t: any) => t.dataset.site as string));
    await page.fill('#site-q', 'a luoi'); // "A Lưới" typed without diacritics
    await expect.poll(ids, { timeout: 5000 }).toHaveLength(6);
    expect((await ids()).every((id) => id.startsWith('a-luoi-'))).toBe(true);
    expect(new URLSearchParams(await search(page)).get('q')).toBe('a luoi');
    // The server sorts (one implementation, tested in test/http): the page asks it to, and keeps its order.
    const sorted = page.waitForResponse((r) => r.url().includes('/api/v1/sites?') && new URL(r.url()).searchParams.get('sort') === 'name');
    await page.selectOption('#site-sort', 'name');
    const answer = (await (await sorted).json()) as { sites: { short_name: string }[] };
    expect(new URL((await sorted).url()).searchParams.get('q')).toBe('a luoi');
    expect(new URLSearchParams(await search(page)).get('sort')).toBe('name');
    const names = () => page.locator('#sites-groups .tile .tile-name').allTextContents();
    const collate = new Intl.Collator('vi').compare;
    await expect.poll(names, { timeout: 5000 }).toEqual(answer.sites.map((x) => x.short_name));
    expect(await names()).toEqual([...(await names())].sort(collate));
    await page.fill('#site-q', '');
    await page.selectOption('#site-group', 'ward');
    await expect.poll(ids, { timeout: 5000 }).toHaveLength(27);
    expect(await page.locator('.site-group').evaluateAll((gs) => gs.map((g: any) => g.dataset.group as string))).toEqual(['ward']);
    await page.selectOption('#site-state', 'down');
    await expect.poll(async () => new URLSearchParams(await search(page)).get('state')).toBe('down');
    const down = ((await (await fetch(`${d.url}/api/v1/sites?group=ward&state=down`)).json()) as { sites: { id: string }[] }).sites.map((s) => s.id);
    await expect.poll(async () => (await ids()).sort(), { timeout: 5000 }).toEqual(down.sort());
    // Back: the previous filter, from the URL.
    await page.goBack();
    await expect.poll(ids, { timeout: 5000 }).toHaveLength(27);
    expect(await page.inputValue('#site-state')).toBe('');
    expect(problems).toEqual([]);
    await page.close();
    // A shared URL opens with the same filters.
    const shared = await open('/?group=district&q=hue');
    expect(await shared.page.inputValue('#site-q')).toBe('hue');
    expect(await shared.page.inputValue('#site-group')).toBe('district');
    const sharedIds = await shared.page.locator('#sites-groups .tile').evaluateAll((ts) => ts.map((t: any) => t.dataset.site as string));
    expect(sharedIds.sort()).toEqual(['hue-giao-duc-dao-tao', 'hue-mot-cua', 'hue-noi-vu', 'hue-quan-ly-do-thi', 'hue-tai-chinh-ke-hoach', 'hue-tai-nguyen-moi-truong', 'hue-ubnd', 'hue-van-hoa-thong-tin']);
    expect(shared.problems).toEqual([]);
    await shared.page.close();
  });

  it('zoomed to the last 10 minutes, both uplink charts draw lines (gaps only where polls are missing)', async () => {
    const now = Date.now();
    const { page, problems } = await open(`/?from=${now - 600e3}&to=${now}`);
    expect(await page.locator('#reset-zoom').isVisible()).toBe(true);
    expect(await page.locator('#zoom-label').innerText()).not.toBe('');
    for (const name of ['domestic', 'international']) {
      const chart = page.locator(`#uplink-${name}`);
      // Polled every 10 s, a raw bucket of ~1 s: before the fix every bucket was an island (0 segments).
      await expect.poll(async () => Number(await chart.getAttribute('data-segments')), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('range, zoom and the open site are in the URL; reload and the back button restore them', async () => {
    const { page, problems } = await open('/?range=6h');
    expect(await page.locator('#ranges button[data-range="6h"]').getAttribute('aria-pressed')).toBe('true');
    await page.locator('#ranges button[data-range="1h"]').click();
    expect(new URLSearchParams(await search(page)).get('range')).toBe('1h');
    // Drag across the domestic chart: a zoom, in the URL.
    const over = (await page.locator('#uplink-domestic .u-over').boundingBox())!;
    await page.mouse.move(over.x + over.width * 0.5, over.y + over.height / 2);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.9, over.y + over.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect.poll(async () => new URLSearchParams(await search(page)).has('from')).toBe(true);
    const zoomed = new URLSearchParams(await search(page));
    const [from, to] = [Number(zoomed.get('from')), Number(zoomed.get('to'))];
    expect(to - from).toBeGreaterThan(60e3);
    expect(to - from).toBeLessThan(3600e3);
    expect(await page.locator('#reset-zoom').isVisible()).toBe(true);
    // A reload (or the URL shared) shows the same window: the traffic request asks for exactly it.
    const asked = page.waitForRequest((r) => r.url().includes('/uplinks/domestic/traffic'));
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    const q = new URL((await asked).url()).searchParams;
    expect([Number(q.get('from')), Number(q.get('to'))]).toEqual([from, to]);
    expect(await page.locator('#reset-zoom').isVisible()).toBe(true);
    // Back: the 1 h range without zoom; back again: 6 h.
    await page.goBack();
    await expect.poll(() => page.locator('#reset-zoom').isVisible()).toBe(false);
    expect(await page.locator('#ranges button[data-range="1h"]').getAttribute('aria-pressed')).toBe('true');
    await page.goBack();
    await expect.poll(() => page.locator('#ranges button[data-range="6h"]').getAttribute('aria-pressed')).toBe('true');

    // The open site: in the URL, closed by back, reopened by forward; its range control changes the range.
    const id = 'phong-dien-tai-nguyen-moi-truong';
    await page.locator(`.tile[data-site="${id}"]`).click();
    await page.waitForSelector(`#site-dialog[data-loaded="${id}"]`, { timeout: 15_000 });
    expect(new URLSearchParams(await search(page)).get('site')).toBe(id);
    expect(await page.locator('#site-title').innerText()).toContain('Phòng Tài nguyên và Môi trường huyện Phong Điền');
    expect(await page.locator('#site-dialog .site-ranges button[data-range="6h"]').getAttribute('aria-pressed')).toBe('true');
    await page.locator('#site-dialog .site-ranges button[data-range="7d"]').click();
    await expect.poll(() => page.locator('#site-dialog .site-ranges button[data-range="7d"]').getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    await page.waitForSelector(`#site-dialog[data-loaded="${id}"]`, { timeout: 15_000 });
    expect(Object.fromEntries(new URLSearchParams(await search(page)))).toEqual({ range: '7d', site: id });
    await page.goBack(); // the range back to 6 h, the dialog still open
    await expect.poll(() => page.locator('#site-dialog .site-ranges button[data-range="6h"]').getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    await page.goBack(); // the dialog closed
    await expect.poll(() => page.locator('#site-dialog').isVisible()).toBe(false);
    await page.goForward();
    await page.waitForSelector(`#site-dialog[data-loaded="${id}"]`, { timeout: 15_000 });
    await page.locator('#site-close').click();
    expect(new URLSearchParams(await search(page)).has('site')).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
    // Opened straight from a shared URL.
    const shared = await open(`/?site=${id}&range=7d`);
    await shared.page.waitForSelector(`#site-dialog[data-loaded="${id}"]`, { timeout: 15_000 });
    expect(await shared.page.locator('#site-dialog .site-ranges button[data-range="7d"]').getAttribute('aria-pressed')).toBe('true');
    expect(shared.problems).toEqual([]);
    await shared.page.close();
  }, 90_000);

  it('an interface row graphs its port; the port is in the URL', async () => {
    const id = 'phong-dien-tai-nguyen-moi-truong';
    // Its switch is polled every 60 s, at a slot of its own: wait until its ports are known.
    const deadline = Date.now() + 75_000;
    for (;;) {
      const r = (await (await fetch(`${d.url}/api/v1/sites/${id}`)).json()) as { targets: { interfaces: unknown[] }[] };
      if (r.targets.some((t) => t.interfaces.length >= 2)) break;
      if (Date.now() > deadline) throw new Error(`no ports of ${id} within 75 s`);
      await new Promise((res) => setTimeout(res, 1000));
    }
    const { page, problems } = await open(`/?site=${id}`);
    await page.waitForSelector(`#site-dialog[data-loaded="${id}"]`, { timeout: 15_000 });
    const first = await page.locator('#site-traffic').getAttribute('data-port');
    const other = page.locator(`#site-dialog tr.pickable:not([data-port="${first}"])`).first();
    const port = (await other.getAttribute('data-port'))!;
    await other.click();
    await expect.poll(() => page.locator('#site-traffic').getAttribute('data-port'), { timeout: 10_000 }).toBe(port);
    expect(new URLSearchParams(await search(page)).get('port')).toBe(port);
    expect(await page.locator(`#site-dialog tr[data-port="${port}"]`).getAttribute('class')).toContain('selected');
    await expect.poll(async () => Number(await page.locator('#site-traffic').getAttribute('data-drawn')), { timeout: 10_000 }).toBeGreaterThan(0);
    // Back: the port shown before.
    await page.goBack();
    await expect.poll(() => page.locator('#site-traffic').getAttribute('data-port'), { timeout: 10_000 }).toBe(first);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('in Vietnamese, numbers have a decimal comma and the charts’ hover time is 24-hour', async () => {
    const { page, problems } = await open('/');
    const rates = await page.locator('.util-bps').allTextContents();
    expect(rates.length).toBeGreaterThan(0);
    for (const r of rates) expect(r).toMatch(/^\d+(,\d+)? [kMG]?bps$/);
    expect(rates.some((r) => r.includes(','))).toBe(true); // 41,9 Mbps, not 41.9 Mbps
    const over = (await page.locator('#uplink-domestic .u-over').boundingBox())!;
    await page.mouse.move(over.x + over.width * 0.98, over.y + over.height / 2);
    const row = page.locator('#uplink-domestic .u-legend tr.u-series').first();
    expect(await row.locator('.u-label').textContent()).toBe('Thời gian');
    await expect.poll(() => row.locator('.u-value').textContent()).toMatch(/\b([01]\d|2[0-3]):[0-5]\d:[0-5]\d\b/);
    expect(await row.locator('.u-value').textContent()).not.toMatch(/am|pm|SA|CH/i);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the phone view at 390 px does not overflow and shows the uplinks’ utilisation first, then the problems', async () => {
    const { page, problems } = await open('/', { width: 390, height: 844 });
    await page.waitForTimeout(300); // the charts re-size to their column after the first layout
    const m = await page.evaluate(() => {
      const g = globalThis as any;
      const e = g.document.documentElement;
      const wide = [...g.document.querySelectorAll('body *')].filter((x: any) => x.getBoundingClientRect().right > g.innerWidth + 0.5 && x.getClientRects().length > 0 && !x.closest('dialog'));
      const top = (sel: string) => g.document.querySelector(sel).getBoundingClientRect().top as number;
      return { scrollWidth: e.scrollWidth as number, wide: wide.slice(0, 5).map((x: any) => `${x.tagName}.${x.className}`), uplinks: top('#uplinks'), problems: top('#problems'), sites: top('#sites') };
    });
    expect(m.scrollWidth).toBeLessThanOrEqual(390);
    expect(m.wide).toEqual([]);
    expect(m.uplinks).toBeLessThan(m.problems);
    expect(m.problems).toBeLessThan(m.sites);
    // The current "Out" percentage of both uplinks is on the first screen, whole.
    for (const name of ['domestic', 'international']) {
      const value = page.locator(`article.uplink[data-uplink="${name}"] .util[data-dir="out"] .util-value`);
      const v = (await value.boundingBox())!;
      expect(v.x + v.width).toBeLessThanOrEqual(390);
      // On one line: "66 %", never "66" above "%" (the distinct tops of the text's line boxes).
      const lines = await value.evaluate((e: any) => {
        const r = (globalThis as any).document.createRange();
        r.selectNodeContents(e);
        return new Set([...r.getClientRects()].map((b: any) => Math.round(b.top))).size;
      });
      expect(lines).toBe(1);
    }
    const first = (await page.locator('article.uplink[data-uplink="domestic"] .utils').boundingBox())!;
    expect(first.y + first.height).toBeLessThanOrEqual(844);
    await page.screenshot({ path: join(SHOTS, 'phone.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
