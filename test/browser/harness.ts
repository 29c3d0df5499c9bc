/**
 * What the browser tests share: headless Chromium as Debian ships it, a page that records every console
 * error or warning, page error, failed request and HTTP error, and the wait for every simulated site's
 * first poll (for README screenshots that show states rather than "unknown").
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.js';
import { waitFor } from '../kit/wait.js';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** `extraArgs`: more Chromium switches, e.g. `--host-resolver-rules=...` to point a test name at loopback. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs] });
}

export interface Watched {
  page: Page;
  problems: string[];
}

/**
 * Open `url` and wait for the dashboard's "ready" mark. `allowAborted`: a request the page itself
 * aborted (a newer view replacing the one in flight) is not a problem.
 */
export async function openWatched(browser: Browser, url: string, viewport: { width: number; height: number }, allowAborted = false): Promise<Watched> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // The SSE stream is cut when a page closes; that is not a failure of the page.
    if (r.url().endsWith('/api/v1/events') || (allowAborted && r.failure()?.errorText === 'net::ERR_ABORTED')) return;
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url);
  try {
    await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
  } catch (e) {
    // Say what the page saw, so a page that never got ready can be told from a slow machine.
    throw new Error(`${(e as Error).message}\npage problems so far: ${problems.join('; ') || 'none'}`, { cause: e });
  }
  return { page, problems };
}

/** Until every site has had its first poll (about a minute on the reference network), at most 90 s. */
export async function waitForAllSitesPolled(base: string): Promise<void> {
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    const s = (await (await fetch(`${base}/api/v1/sites`)).json()) as { counts: { unknown: number } };
    if (s.counts.unknown === 0) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Until `path` (a traffic answer) has at least `n` buckets of inbound traffic: the charts then draw lines. */
export async function waitForTrafficBuckets(base: string, path: () => string, what: string, n = 4): Promise<void> {
  await waitFor(`${n} traffic buckets on ${what}`, async () => {
    const r = (await (await fetch(`${base}${path()}`)).json()) as { in: { series: { ts: number[] } | null } };
    return (r.in.series?.ts.length ?? 0) >= n ? true : undefined;
  }, 60_000, 1000);
}

/**
 * Where a browser test's screenshots go: docs/screenshots with NETMON_SCREENSHOTS=1 (the README's), else a
 * temporary folder that done() removes, so ordinary runs leave the checkout alone.
 */
export function screenshotDir(): { dir: string; forReadme: boolean; done(): void } {
  const forReadme = process.env.NETMON_SCREENSHOTS === '1';
  const dir = forReadme ? join(ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'netmon-shots-'));
  mkdirSync(dir, { recursive: true });
  return { dir, forReadme, done: () => void (forReadme || rmSync(dir, { recursive: true, force: true })) };
}
