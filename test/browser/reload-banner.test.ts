/**
 * The dashboard's config-reload banner in headless Chromium: shown with the daemon's reason while the last
 * reload failed (`config_reload.ok` false in /api/v1/overview), in Vietnamese and English, gone once a
 * reload succeeds. A daemon with no targets is enough: the banner depends on the overview only.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { requireTool } from '../helpers/requireTool.js';
import { minimalConfig, tempDir, type TempDir } from '../security/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ok = requireTool({ commands: ['chromium'] }, 'reload banner browser test (Debian package "chromium")');

describe.runIf(ok)('config reload banner', () => {
  let tmp: TempDir;
  let daemon: Daemon;
  let browser: Browser;
  const main = () => path.join(tmp.dir, 'netmon.yaml');
  const good = minimalConfig().replace('language: en', 'language: vi');

  beforeAll(async () => {
    tmp = tempDir();
    writeFileSync(main(), good);
    daemon = await startDaemon({ configFile: main(), log: pino({ level: 'silent' }), port: 0 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    tmp?.cleanup();
  });

  it('is hidden while the config is fine, shows the reason after a failed reload, in both languages, and goes away after a good one', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(daemon.url);
    await page.waitForSelector('body[data-ready="1"]');
    expect(await page.locator('#config-reload:visible').count()).toBe(0);

    writeFileSync(main(), good.replace('simulate:', 'simulat:'));
    expect(daemon.reload().ok).toBe(false);
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    const banner = page.locator('#config-reload');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent()).toMatch(/^Tải lại cấu hình thất bại lúc .*netmon vẫn chạy theo cấu hình trước đó/);
    expect(await banner.locator('pre').textContent()).toMatch(/netmon\.yaml:\d+:1: unknown key "simulat", did you mean "simulate"\?/);
    await page.screenshot({ path: path.join(process.env.NETMON_SCREENSHOT_DIR ?? tmp.dir, 'reload-banner.png') });
    await page.click('#lang');
    expect(await banner.textContent()).toMatch(/^Configuration reload failed at .*netmon keeps running the previous configuration/);

    writeFileSync(main(), good);
    expect(daemon.reload().ok).toBe(true);
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    expect(await page.locator('#config-reload:visible').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
