/**
 * "Who is using it now" on the uplink cards, in headless Chromium against the daemon on the shipped
 * reference network (its simulator exports NetFlow v9 from dc-core): the international card names the
 * top site of the flows API, with its share of capacity, in Vietnamese and in English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FlowTopResponse } from '../../src/http/contract.js';
import { requireTool } from '../helpers/requireTool.js';
import { startReferenceDaemon, type RunningDaemon } from '../kit/reference-daemon.js';
import { until } from '../traps/tools.js';
import { CHROMIUM, launchChromium, openWatched } from './harness.js';

const ok = requireTool({ commands: [CHROMIUM.split('/').pop()!] }, 'dashboard flows in Chromium (Debian package "chromium" at /usr/bin/chromium)');

describe.runIf(ok)('uplink cards: who is using it now', () => {
  let d: RunningDaemon;
  let browser: Browser;

  beforeAll(async () => {
    [d, browser] = await Promise.all([startReferenceDaemon(), launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('names the top site of the international link, as the API does', async () => {
    const top = async () => (await (await fetch(`${d.url}/api/v1/flows/top?uplink=international&direction=out&by=site&range=5m&limit=3`)).json()) as FlowTopResponse;
    await until(async () => (await top()).rows.length > 0, 45_000, 'flows on the international uplink');
    const { page, problems } = await openWatched(browser, `${d.url}/`, { width: 1440, height: 1000 });
    const line = page.locator('.uplink[data-uplink="international"] .who-line[data-dir="out"][data-by="site"]');
    await line.locator('.who-item').first().waitFor({ timeout: 20_000 });
    const shown = await line.locator('.who-item b').allInnerTexts();
    const api = (await top()).rows.map((r) => r.key);
    // The card and this request read the same minutes (a 5-second export may land in between: same sites).
    expect(new Set(shown)).toEqual(new Set(api.slice(0, shown.length)));
    expect(await page.locator('.uplink[data-uplink="international"] .who h4').innerText()).toContain('Ai đang dùng');
    await page.click('#lang');
    await until(async () => (await page.locator('.uplink[data-uplink="international"] .who h4').innerText()).startsWith('Who is using it now'), 10_000, 'the English label');
    expect(problems).toEqual([]);
  }, 90_000);
});
