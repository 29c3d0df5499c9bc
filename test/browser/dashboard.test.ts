/**
 * The dashboard in headless Chromium against the daemon on the simulated reference network.
 * Needs /usr/bin/chromium: skipped with a loud warning without it, a failure when CI=true.
 * Screenshots are taken on every run (a page that cannot be captured fails); they land in docs/screenshots/
 * for the README only with NETMON_SCREENSHOTS=1, so ordinary runs leave the checkout alone.
 * Two test alert rules (TEST_RULES) fire at once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { requireTool } from '../helpers/requireTool.js';
import { startReferenceDaemon, type RunningDaemon } from '../kit/reference-daemon.js';
import { CHROMIUM, launchChromium, openWatched, waitForAllSitesPolled, type Watched, screenshotDir } from './harness.js';
import { waitFor } from '../kit/wait.js';

const ok = requireTool({ commands: [CHROMIUM.split('/').pop()!] }, 'dashboard browser tests (Debian package "chromium" at /usr/bin/chromium)');
const SHOTS_DIR = screenshotDir();
const README_SHOTS = SHOTS_DIR.forReadme;
const SHOTS = SHOTS_DIR.dir;

/**
 * Two alert rules that fire within the first polls of dc-core (every 10 s), so the alert panel has
 * something to show without waiting for office hours or the flapping site's outage: the international
 * uplink carrying any traffic at all (warning) and dc-core's agent having booted within a year (info).
 */
export const TEST_RULES = [
  { name: 'InternationalUplinkInUse', kind: 'uplink_utilization', uplinks: ['international'], directions: ['in'], above: 0.0001, for: '0s', severity: 'warning', summary: 'Test rule: {{ uplink_name }} carries traffic ({{ value | percent }})' },
  { name: 'CoreAgentUptime', kind: 'agent_restarted', window: '1y', match: { target: 'dc-core' }, severity: 'info', summary: 'Test rule: the SNMP agent of {{ target }} started {{ value | duration }} ago' },
];
function addTestRules(doc: ReturnType<typeof import('yaml').parseDocument>): void {
  for (const r of TEST_RULES) doc.addIn(['alerting', 'rules'], doc.createNode(r));
}
const ALERT = '#problems-list li[data-alertname="InternationalUplinkInUse"]';

describe.runIf(ok)('dashboard in Chromium', () => {
  let d: RunningDaemon;
  let browser: Browser;

  const open = (path: string, viewport = { width: 1440, height: 1000 }): Promise<Watched> => openWatched(browser, `${d.url}${path}`, viewport);

  const json = async (path: string): Promise<any> => (await fetch(`${d.url}${path}`)).json();

  beforeAll(async () => {
    [d, browser] = await Promise.all([startReferenceDaemon({ edit: addTestRules }), launchChromium()]);
    // dc-core is polled every 10 s: the uplinks have a rate after two polls.
    await waitFor('uplink traffic from the simulated network', async () => {
      const o = (await (await fetch(`${d.url}/api/v1/overview`)).json()) as { uplinks: { in_bps: number | null }[] };
      return o.uplinks.every((u) => u.in_bps !== null) ? true : undefined;
    }, 45_000, 1000);
    // README screenshots: NETMON_SCREENSHOTS=1 waits for every site's first poll (about a minute) first.
    if (README_SHOTS) await waitForAllSitesPolled(d.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await d?.stop();
    SHOTS_DIR.done();
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
    // Each card carries the capacity forecast the overview computed (a fresh store: too little history yet).
    const o = (await json('/api/v1/overview')) as { uplinks: { name: string; forecast: { out: { days: number; slope_per_day: number | null } } }[] };
    for (const u of o.uplinks) {
      expect(u.forecast.out.slope_per_day).toBeNull();
      expect(await page.locator(`.uplink[data-uplink="${u.name}"] ul.forecast li[data-dir="out"]`).innerText()).toBe(`Ra: chưa đủ dữ liệu (${u.forecast.out.days}/14 ngày)`);
    }
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
    const beforeReload = problems.length;
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    // A reload cancels the live refreshes in flight (the page refetches as probe results arrive): not a failure.
    problems.splice(beforeReload, Infinity, ...problems.slice(beforeReload).filter((p) => !/^request failed: .* net::ERR_ABORTED$/.test(p)));
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
    // Alerts are on the wall, their controls and the history are not.
    await page.locator(ALERT).waitFor({ timeout: 20_000 });
    expect(await page.locator('#problems-list [data-action]').count()).toBe(0);
    expect(await page.locator('#problems-list .alert-actions').count()).toBe(0);
    expect(await page.locator('#alert-history').isVisible()).toBe(false);
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

  it('shows firing alerts; Acknowledge and Silence work (and the API sees them), and can be undone', async () => {
    const { page, problems } = await open('/');
    const item = page.locator(ALERT);
    await item.waitFor({ timeout: 20_000 });
    expect(await item.getAttribute('data-state')).toBe('firing');
    expect(await item.getAttribute('data-source')).toBe('alert');
    expect(await item.locator('.alert-state').textContent()).toBe('Đang cảnh báo');
    expect(await item.locator('.sev').textContent()).toBe('▲ Cảnh báo');
    expect(await item.locator('.summary').textContent()).toMatch(/^Test rule: Internet quốc tế 2 Mbps carries traffic \([\d.]+%\)$/);
    expect(await item.locator('.problem-meta').textContent()).toMatch(/^Trung tâm Thông tin Dữ liệu điện tử · dc-core · từ \d\d:\d\d:\d\d \(/);
    expect(await page.locator('#problems-list li[data-alertname="CoreAgentUptime"] .sev').textContent()).toBe('● Thông tin');
    const fp = (await item.getAttribute('data-fingerprint'))!;
    // The shipped UplinkSaturated watches this uplink: the dashboard's own threshold check is not repeated.
    expect(await page.locator('#problems-list li[data-kind="uplink_saturated"]').count()).toBe(0);

    // Acknowledge, with who and why
    await item.locator('button[data-action="ack"]').click();
    await page.locator('#alert-dialog[open]').waitFor();
    expect(await page.locator('#alert-dialog-title').textContent()).toBe('Xác nhận cảnh báo');
    await page.fill('#alert-by', 'Lan (NOC)');
    await page.fill('#alert-comment', 'đang kiểm tra với nhà mạng');
    await page.locator('#alert-dialog button[data-action="confirm-ack"]').click();
    await expect.poll(() => item.getAttribute('data-acknowledged'), { timeout: 5000 }).toBe('true');
    expect(await page.locator('#alert-dialog').isVisible()).toBe(false);
    expect(await item.locator('.ack-note').textContent()).toMatch(/^✔ Đã xác nhận bởi Lan \(NOC\) lúc .*: đang kiểm tra với nhà mạng$/);
    const acked = (await json(`/api/v1/alerts?alertname=InternationalUplinkInUse`)).alerts[0];
    expect(acked.fingerprint).toBe(fp);
    expect(acked.acknowledged).toMatchObject({ by: 'Lan (NOC)', comment: 'đang kiểm tra với nhà mạng' });

    // Silence for 4 h: a silence matching exactly this alert's labels
    await item.locator('button[data-action="silence"][data-duration="4h"]').click();
    await page.locator('#alert-dialog[open]').waitFor();
    expect(await page.inputValue('#alert-by')).toBe('Lan (NOC)'); // remembered
    expect(await page.locator('#alert-dialog input[name="duration"]:checked').getAttribute('value')).toBe('4h');
    await page.fill('#alert-comment', 'chờ nâng cấp đường truyền');
    await page.locator('#alert-dialog button[data-action="confirm-silence"]').click();
    await expect.poll(() => item.getAttribute('data-silenced'), { timeout: 5000 }).toBe('true');
    expect(await item.locator('.silence-note').textContent()).toMatch(/^⊘ Tạm tắt đến /);
    const silences = (await json('/api/v1/alerts/silences')).silences.filter((s: any) => s.active);
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({ createdBy: 'Lan (NOC)', comment: 'chờ nâng cấp đường truyền' });
    expect(silences[0].endsAt - silences[0].startsAt).toBe(4 * 3600e3);
    expect(Object.fromEntries(silences[0].matchers.map((m: any) => [m.name, m.value]))).toEqual(acked.labels);
    expect((await json(`/api/v1/alerts?alertname=InternationalUplinkInUse`)).alerts[0].silenced_by).toEqual([silences[0].id]);
    await page.locator('#problems').screenshot({ path: join(SHOTS, 'alerts.png') });

    // The language switch relabels the alert panel
    await page.locator('#lang').click();
    expect(await item.locator('.alert-state').textContent()).toBe('Firing');
    expect(await item.locator('.sev').textContent()).toBe('▲ Warning');
    expect(await item.locator('button[data-action="unack"]').textContent()).toBe('Withdraw acknowledgement');
    expect(await item.locator('button[data-action="unsilence"]').textContent()).toBe('End silence');
    expect(await item.locator('.ack-note').textContent()).toMatch(/^✔ Acknowledged by Lan \(NOC\) at /);
    expect(await item.locator('.silence-note').textContent()).toMatch(/^⊘ Silenced until /);
    expect(await item.locator('.problem-meta').textContent()).toMatch(/ · since \d\d:\d\d:\d\d \(/);
    expect(await page.locator('#alert-history summary').textContent()).toBe('Recent alerts (resolved)');
    const other = page.locator('#problems-list li[data-alertname="CoreAgentUptime"]');
    expect(await other.locator('button[data-action="ack"]').textContent()).toBe('✔ Acknowledge');
    expect(await other.locator('button[data-action="silence"][data-duration="24h"]').textContent()).toBe('24 h');
    await page.locator('#lang').click();
    expect(await other.locator('button[data-action="ack"]').textContent()).toBe('✔ Xác nhận');
    expect(await other.locator('button[data-action="silence"][data-duration="24h"]').textContent()).toBe('24 giờ');

    // Withdraw the acknowledgement, end the silence
    await item.locator('button[data-action="unack"]').click();
    await expect.poll(() => item.getAttribute('data-acknowledged'), { timeout: 5000 }).toBe('false');
    await item.locator('button[data-action="unsilence"]').click();
    await expect.poll(() => item.getAttribute('data-silenced'), { timeout: 5000 }).toBe('false');
    const after = (await json(`/api/v1/alerts?alertname=InternationalUplinkInUse`)).alerts[0];
    expect(after).toMatchObject({ acknowledged: null, silenced_by: [] });
    expect((await json('/api/v1/alerts/silences')).silences.filter((s: any) => s.active)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('new alerts appear without a reload, and resolved ones go to the history', async () => {
    const { page, problems } = await open('/');
    const failed = page.locator('#problems-list li[data-alertname="ConfigReloadFailed"]');
    expect(await failed.count()).toBe(0);
    // A real alert: a config edit that does not load fires ConfigReloadFailed; putting it back resolves it.
    const file = join(d.dir, 'config', 'netmon.yaml');
    const good = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, good.replace('scheduler:', 'scheduler:\n  max_concurrenzy: 64'));
      expect(d.daemon.reload().ok).toBe(false);
      await failed.waitFor({ timeout: 20_000 }); // the page refetches after the next live event
      expect(await failed.getAttribute('data-state')).toBe('firing');
      // netmon's default summary of the rule kind, in the page's language (the API has the English one)
      expect(await failed.locator('.summary').textContent()).toBe('Nạp lại cấu hình thất bại; netmon tiếp tục chạy cấu hình trước đó');
      await page.waitForTimeout(1100); // so that it lasts a second or more
    } finally {
      writeFileSync(file, good);
    }
    expect(d.daemon.reload().ok).toBe(true);
    await failed.waitFor({ state: 'detached', timeout: 20_000 });
    await page.locator('#alert-history summary').click();
    const row = page.locator('#alert-history-body table.history tbody tr', { hasText: 'ConfigReloadFailed' }).first();
    await row.waitFor({ timeout: 5000 });
    expect(await row.locator('td').nth(2).textContent()).toMatch(/^ConfigReloadFailed /);
    expect(await row.locator('td.sev').textContent()).toBe('▲ Cảnh báo');
    expect(await row.locator('td.num').textContent()).toMatch(/^\d+ giây$/);
    expect(await page.locator('#alert-history table.history thead').textContent()).toContain('Kết thúc lúc');
    const events = (await json('/api/v1/alerts/history?alertname=ConfigReloadFailed&event=firing,resolved')).events.map((e: any) => e.event);
    expect(events).toEqual(['resolved', 'firing']);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('warns when the daemon stops answering', async () => {
    const { page } = await open('/?stale=3');
    expect(await page.locator('#stale').isVisible()).toBe(false);
    await d.daemon.stop();
    await page.waitForSelector('#stale:not([hidden])', { timeout: 20_000 });
    expect(await page.locator('#stale').innerText()).toMatch(/DỮ LIỆU CŨ|STALE/);
    await page.close();
  }, 40_000);
});
