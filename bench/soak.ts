/**
 * Soak: the daemon on the reference network with the simulated clock accelerated (simulate.speed) and
 * short poll intervals, for a bounded time, RSS sampled from /proc every 10 s. Reported: RSS start/end/max,
 * the RSS slope (MB per hour, least squares after the warm-up), V8 heap (nodejs_heap_size_used_bytes from
 * /metrics) start/end/slope, store size, skipped cycles and probe failures. Goal: flat. One JSON object
 * on the last line. Needs `npm run build`.
 *
 *   npm run bench:soak -- [--minutes 5] [--speed 60] [--interval 10s] [--warmup 60]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeRefnetConfig } from '../test/kit/refnet.js';
import { metricSum, metricValue, procStat, scrape, sleep, slope, spawnDaemon } from '../test/kit/proc.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    speed: { type: 'string', default: '60' },
    interval: { type: 'string', default: '10s' },
    warmup: { type: 'string', default: '60' },
  },
});
const MINUTES = Number(values.minutes);
const SPEED = Number(values.speed);
const INTERVAL = values.interval;
const WARMUP_S = Math.min(Number(values.warmup), (MINUTES * 60) / 3);
const EVERY_MS = 10_000;

const cfg = makeRefnetConfig({ dcCoreInterval: '5s' });
let text = readFileSync(cfg.file, 'utf8');
text = text.replace(/^(\s*)speed:\s*\S+/m, `$1speed: ${SPEED}`);
// the defaults block's intervals (SNMP and ping) become short; dc-core's were set above
text = text.replace(/^(defaults:\n(?:[ \t].*\n|\n)*)/m, (block) => block.replace(/interval:\s*\S+/g, `interval: ${INTERVAL}`));
writeFileSync(cfg.file, text);

const t0 = Date.now();
const daemon = await spawnDaemon(cfg.file);
const points: { s: number; rss: number; heap: number }[] = [];
let first: string | undefined;
try {
  console.error(`daemon ${daemon.pid} at ${daemon.url}; speed ${SPEED}, interval ${INTERVAL}, ${MINUTES} min`);
  while (Date.now() - t0 < MINUTES * 60_000) {
    await sleep(EVERY_MS);
    const m = await scrape(daemon.url);
    first ??= m;
    const s = (Date.now() - t0) / 1000;
    points.push({ s, rss: procStat(daemon.pid).rssBytes, heap: metricValue(m, 'nodejs_heap_size_used_bytes') ?? NaN });
    process.stderr.write(`\r${Math.round(s)} s: RSS ${(points.at(-1)!.rss / 1e6).toFixed(1)} MB, heap ${(points.at(-1)!.heap / 1e6).toFixed(1)} MB   `);
  }
  process.stderr.write('\n');
  const last = await scrape(daemon.url);
  const steady = points.filter((p) => p.s >= WARMUP_S);
  const hours = steady.map((p) => p.s / 3600);
  const mb = (n: number) => Number((n / 1e6).toFixed(1));
  const result = {
    bench: 'soak',
    minutes: MINUTES,
    simulate_speed: SPEED,
    interval: INTERVAL,
    samples_every_s: EVERY_MS / 1000,
    warmup_s: WARMUP_S,
    rss_mb_start: mb(points[0]!.rss),
    rss_mb_after_warmup: mb(steady[0]?.rss ?? NaN),
    rss_mb_end: mb(points.at(-1)!.rss),
    rss_mb_max: mb(Math.max(...points.map((p) => p.rss))),
    rss_slope_mb_per_hour: Number((slope(hours, steady.map((p) => p.rss)) / 1e6).toFixed(1)),
    heap_mb_start: mb(points[0]!.heap),
    heap_mb_end: mb(points.at(-1)!.heap),
    heap_slope_mb_per_hour: Number((slope(hours, steady.map((p) => p.heap)) / 1e6).toFixed(1)),
    probe_runs: metricSum(last, 'netmon_scheduler_runs_total'),
    skipped_cycles: metricSum(last, 'netmon_scheduler_skipped_total') - metricSum(first ?? last, 'netmon_scheduler_skipped_total'),
    samples_written: metricSum(last, 'netmon_store_samples_written_total'),
    store_mb: mb(metricSum(last, 'netmon_store_size_bytes')),
    store_series: metricSum(last, 'netmon_store_series'),
    rss_trace_mb: points.map((p) => mb(p.rss)),
  };
  console.log(JSON.stringify(result));
} finally {
  await daemon.stop();
  cfg.cleanup();
}
