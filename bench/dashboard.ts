/**
 * Dashboard figures for the closing note (run: npx tsx bench/dashboard.ts):
 *   - time to the first complete draw of the main view on localhost (cold browser cache), goal ≤ 1 s;
 *   - bytes transferred for it;
 *   - API time of a 24-hour two-uplink query (domestic + international, range=24h), goal ≤ 20 ms.
 * The daemon runs on the simulated reference network (117 sites, 8 servers) with 24 hours of 10-second
 * uplink history seeded into its store before it starts. Prints ONE JSON object on its last line.
 */
import { chromium } from 'playwright-core';
import { startReferenceDaemon } from '../test/kit/reference-daemon.js';
import { seedUplinkHistory as seed } from '../test/kit/uplink-history.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const API_RUNS = Number(process.env.BENCH_API_RUNS ?? 30);
/** What the dashboard asks for a 24-hour chart (pointsFor in dashboard/src/main.ts): 5-minute buckets. */
const POINTS_24H = 289;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : NaN;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const r2 = (v: number) => Math.round(v * 100) / 100;

async function main() {
  let seeded = 0;
  const d = await startReferenceDaemon({ beforeStart: (db) => void (seeded = seed(db)) });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    // Let the first round of polls land (sites, servers), as on a running system.
    await new Promise((r) => setTimeout(r, Number(process.env.BENCH_WARMUP_MS ?? 20_000)));

    // API: the two 24-hour uplink queries the main view makes, one after the other, over HTTP.
    const api = async (name: string) => {
      const t0 = performance.now();
      const res = await fetch(`${d.url}/api/v1/uplinks/${name}/traffic?range=24h&points=${POINTS_24H}`);
      const body = (await res.json()) as { query_ms: number; in: { series: { ts: number[] } | null } };
      return { ms: performance.now() - t0, server: body.query_ms, points: body.in.series?.ts.length ?? 0, bytes: Number(res.headers.get('content-length') ?? 0) };
    };
    await api('domestic');
    await api('international');
    const wall: number[] = [];
    const server: number[] = [];
    let points = 0;
    let apiBytes = 0;
    for (let i = 0; i < API_RUNS; i++) {
      const a = await api('domestic');
      const b = await api('international');
      wall.push(a.ms + b.ms);
      server.push(a.server + b.server);
      points = a.points;
      apiBytes = a.bytes + b.bytes;
    }

    // Browser: cold loads (a fresh context each: empty cache) until the main view is completely drawn.
    const loads: { ready: number; bytes: number; requests: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${d.url}/`);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
      // Runs in the browser. This file is compiled without the DOM lib, so the part of the browser's
      // Performance API it reads is spelled out here.
      const m = await page.evaluate(() => {
        interface BrowserPerformance {
          getEntriesByName(name: string): { startTime: number }[];
          getEntriesByType(type: 'navigation' | 'resource'): { name: string; transferSize: number }[];
        }
        const perf = (globalThis as unknown as { performance: BrowserPerformance }).performance;
        const ready = perf.getEntriesByName('netmon-ready')[0]!.startTime;
        const entries = [...perf.getEntriesByType('navigation'), ...perf.getEntriesByType('resource')];
        const done = entries.filter((e) => !e.name.endsWith('/api/v1/events'));
        return { ready, bytes: done.reduce((s, e) => s + e.transferSize, 0), requests: done.length };
      });
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      loads.push(m);
      await ctx.close();
    }
    const readyMs = loads.map((l) => l.ready);
    const result = {
      bench: 'dashboard',
      sites: 117,
      seeded_samples: seeded,
      first_complete_draw_ms: { median: r2(median(readyMs)), min: r2(Math.min(...readyMs)), max: r2(Math.max(...readyMs)), runs: RUNS, goal: 1000 },
      main_view_bytes: median(loads.map((l) => l.bytes)),
      main_view_requests: median(loads.map((l) => l.requests)),
      api_24h_two_uplinks_ms: { median: r2(median(wall)), p95: r2(pct(wall, 95)), server_query_median: r2(median(server)), runs: API_RUNS, points_per_series: points, response_bytes: apiBytes, goal: 20 },
    };
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    await d.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
