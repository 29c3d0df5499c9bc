/**
 * HTTP load on a polling daemon: the compiled CLI as a child on the shipped reference network (simulated,
 * its own loopback block), warmed up, then `wrk` drives each endpoint in turn (bounded: --seconds per
 * endpoint, 2 threads, 16 connections). Reported per endpoint: requests/s, p50/p99 latency, errors, the
 * event-loop lag (prom-client's nodejs_eventloop_lag_p99_seconds, read every 2 s during the run; prom-client
 * resets it at each scrape, so during the /metrics run it covers the gaps between wrk's own scrapes);
 * overall: poll cycles skipped during the load (must be 0), scheduler lag, RSS before/after.
 * One JSON object on the last line. Needs `npm run build` and wrk.
 *
 *   npm run bench:load -- [--warmup 20] [--seconds 20] [--threads 2] [--connections 16]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { makeRefnetConfig } from '../test/kit/refnet.js';
import { metricSum, metricValue, procStat, scrape, sleep, spawnDaemon } from '../test/kit/proc.js';

const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16' },
  },
});
const WARMUP_S = Number(values.warmup);
const SECONDS = Number(values.seconds);
const THREADS = Number(values.threads);
const CONNECTIONS = Number(values.connections);

const ENDPOINTS = ['metrics', 'api/v1/overview', 'api/v1/uplinks/domestic/traffic?range=24h', 'api/v1/sites'];

interface WrkResult {
  requests_per_s: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  non_2xx: number;
  socket_errors: number;
}

function toMs(v: string, unit: string): number {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

function runWrk(url: string): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--timeout', '10s', '--latency', url];
    const w = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    w.stdout.on('data', (d) => (out += d));
    w.stderr.on('data', (d) => (out += d));
    const kill = setTimeout(() => w.kill('SIGKILL'), (SECONDS + 30) * 1000);
    w.once('error', reject);
    w.once('exit', (code) => {
      clearTimeout(kill);
      if (code !== 0) return reject(new Error(`wrk exited ${code}: ${out}`));
      const lat = (p: string) => {
        const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
        return m ? Number(toMs(m[1]!, m[2]!).toFixed(2)) : NaN;
      };
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        requests_per_s: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
        p50_ms: lat('50'),
        p99_ms: lat('99'),
        requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
        non_2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
        socket_errors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      });
    });
  });
}

const t0 = Date.now();
const cfg = makeRefnetConfig();
const daemon = await spawnDaemon(cfg.file);
try {
  console.error(`daemon ${daemon.pid} at ${daemon.url}; warming up ${WARMUP_S} s`);
  await sleep(WARMUP_S * 1000);
  const m0 = await scrape(daemon.url);
  const rssBefore = procStat(daemon.pid).rssBytes;
  const cpuBefore = procStat(daemon.pid).cpuS;
  const skipped0 = metricSum(m0, 'netmon_scheduler_skipped_total');
  const runs0 = metricSum(m0, 'netmon_scheduler_runs_total');
  let rssMax = rssBefore;

  const endpoints: Record<string, WrkResult & { eventloop_lag_p99_ms_max: number; scheduler_lag_ms_max: number }> = {};
  for (const ep of ENDPOINTS) {
    console.error(`wrk ${SECONDS} s on /${ep}`);
    await scrape(daemon.url); // resets prom-client's event-loop histogram
    let lagMax = 0;
    let schedLagMax = 0;
    let running = true;
    const watcher = (async () => {
      while (running) {
        await sleep(2000);
        if (!running) break;
        try {
          const text = await scrape(daemon.url);
          lagMax = Math.max(lagMax, (metricValue(text, 'nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000);
          schedLagMax = Math.max(schedLagMax, (metricValue(text, 'netmon_scheduler_lag_seconds') ?? 0) * 1000);
          rssMax = Math.max(rssMax, procStat(daemon.pid).rssBytes);
        } catch {
          /* a scrape that fails under load is seen in wrk's errors too */
        }
      }
    })();
    const r = await runWrk(`${daemon.url}${ep}`);
    running = false;
    await watcher;
    endpoints[`/${ep}`] = { ...r, eventloop_lag_p99_ms_max: Number(lagMax.toFixed(2)), scheduler_lag_ms_max: Math.round(schedLagMax) };
  }

  const m1 = await scrape(daemon.url);
  const after = procStat(daemon.pid);
  const result = {
    bench: 'load',
    targets: 127,
    seconds_per_endpoint: SECONDS,
    threads: THREADS,
    connections: CONNECTIONS,
    endpoints,
    probe_runs_during_load: metricSum(m1, 'netmon_scheduler_runs_total') - runs0,
    skipped_cycles_during_load: metricSum(m1, 'netmon_scheduler_skipped_total') - skipped0,
    scheduler_max_lag_ms_since_start: Math.round((metricValue(m1, 'netmon_scheduler_max_lag_seconds') ?? NaN) * 1000),
    cpu_share_of_core_during_load: Number(((after.cpuS - cpuBefore) / (ENDPOINTS.length * SECONDS)).toFixed(3)),
    rss_mb_before: Math.round(rssBefore / 1e6),
    rss_mb_after: Math.round(after.rssBytes / 1e6),
    rss_mb_max: Math.round(Math.max(rssMax, after.rssBytes) / 1e6),
    total_s: Math.round((Date.now() - t0) / 1000),
  };
  console.log(JSON.stringify(result));
} finally {
  await daemon.stop();
  cfg.cleanup();
}
