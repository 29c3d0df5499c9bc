/**
 * Steady-state cost of the daemon on the shipped reference network (simulator included, since it runs
 * in the same process): CPU share of one core and RSS, sampled from /proc over a measurement window
 * after a warm-up, plus scheduler health read from /metrics. One JSON object on the last line.
 *
 *   npm run bench:daemon -- [--warmup 60] [--seconds 180]
 */
import { parseArgs } from 'node:util';
import { makeRefnetConfig } from '../test/kit/refnet.js';
import { metric, procStat, sleep, spawnDaemon } from '../test/kit/proc.js';

const { values } = parseArgs({ options: { warmup: { type: 'string', default: '60' }, seconds: { type: 'string', default: '180' } } });
const warmupS = Number(values.warmup);
const seconds = Number(values.seconds);

const cfg = makeRefnetConfig();
const daemon = await spawnDaemon(cfg.file);
try {
  const { pid, url } = daemon;
  console.error(`daemon ${pid} at ${url}; warming up ${warmupS} s, then measuring ${seconds} s`);
  await sleep(warmupS * 1000);
  const a = procStat(pid);
  const skippedA = await metric(url, 'netmon_scheduler_skipped_total');
  const runsA = await metric(url, 'netmon_scheduler_runs_total');
  const rss: number[] = [];
  const t0 = Date.now();
  while (Date.now() - t0 < seconds * 1000) {
    await sleep(5000);
    rss.push(procStat(pid).rssBytes);
  }
  const b = procStat(pid);
  const elapsedS = (Date.now() - t0) / 1000;
  const result = {
    bench: 'daemon',
    targets: 127,
    measured_s: Math.round(elapsedS),
    cpu_share_of_core: Number(((b.cpuS - a.cpuS) / elapsedS).toFixed(4)),
    rss_mb_start: Math.round(a.rssBytes / 1e6),
    rss_mb_end: Math.round(b.rssBytes / 1e6),
    rss_mb_max: Math.round(Math.max(...rss) / 1e6),
    heap_used_mb: Math.round((await metric(url, 'nodejs_heap_size_used_bytes')) / 1e6),
    probe_runs: (await metric(url, 'netmon_scheduler_runs_total')) - runsA,
    skipped_cycles: (await metric(url, 'netmon_scheduler_skipped_total')) - skippedA,
    probes_failing_now: await metric(url, 'netmon_probe_failure_info'),
    goal: { cpu_share_of_core: 0.05, rss_mb: 200 },
  };
  console.log(JSON.stringify(result));
} finally {
  await daemon.stop();
  cfg.cleanup();
}
