/**
 * Remote write benchmark: netmon's encoder + disk queue + sender vs Debian's vmagent, both writing the same
 * series to one local VictoriaMetrics.
 *
 *   npm run bench:remote-write [-- --series 50000 --rounds 10 --reps 5 --window 8]
 *
 * netmon: `rounds` poll rounds of `series` interface series (labels as the SNMP probe makes them) handed to a
 * RemoteWriteSender as probe results; wall time until VictoriaMetrics acknowledged every sample, and this
 * process's CPU over it (encode, queue append, read back, snappy, HTTP). The samples are built beforehand.
 * vmagent: scrapes the same series from netmon's Exporter on /metrics every second and remote-writes them;
 * its CPU (from /proc) over a `window`-second window after a warm-up, per sample it pushed. vmagent's
 * samples/s is the offered scrape load (series per second), not its ceiling: compare CPU per sample.
 * Interleaved (netmon, vmagent, netmon, ...), one warm-up of each, medians of `reps`; `samples_per_cpu_s` is
 * 1 / CPU per sample, what one fully busy core would move. Progress on stderr, ONE JSON line on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Exporter } from '../src/exporter.js';
import { RemoteWriteSender } from '../src/remote-write/sender.js';
import type { RemoteWriteConfig } from '../src/remote-write/config.js';
import type { ProbeResult } from '../src/scheduler.js';
import type { Sample, Target } from '../src/types.js';
import { testSpec } from '../test/kit/specs.js';

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '10' },
    reps: { type: 'string', default: '5' },
    window: { type: 'string', default: '8' },
  },
});
const SERIES = Number(args.series);
const ROUNDS = Number(args.rounds);
const REPS = Number(args.reps);
const WINDOW_S = Number(args.window);
const METRICS = ['receive_bytes_total', 'transmit_bytes_total', 'receive_unicast_packets_total', 'transmit_unicast_packets_total', 'receive_errors_total',
  'transmit_errors_total', 'receive_discards_total', 'transmit_discards_total', 'oper_up', 'admin_up'].map((m) => `netmon_interface_${m}`);
const IFACES = 10;
const TARGETS = Math.ceil(SERIES / (IFACES * METRICS.length));
const targets: Target[] = Array.from({ length: TARGETS }, (_, i) => ({
  name: `edge-${String(i).padStart(5, '0')}`, address: `127.1.${i >> 8}.${i & 255}`, site: `Phường Bến Nghé ${i}`, role: 'switch', labels: { site_group: 'ward' }, probes: [],
}));
const spec = testSpec('snmp', 60_000, 5_000);
let counter = 1e9;
function samplesOf(t: Target, ts: number): Sample[] {
  const out: Sample[] = [];
  for (let i = 1; i <= IFACES; i++) {
    const labels = { target: t.name, site: t.site, site_group: 'ward', if_index: String(i), if_name: `GigabitEthernet0/${i}`, if_alias: `Đường truyền ${t.site} #${i}` };
    for (const metric of METRICS) out.push({ metric, labels, value: metric.endsWith('_total') ? (counter += 1234567) : 1, ts, type: metric.endsWith('_total') ? 'counter' : 'gauge', help: 'h' });
  }
  return out;
}
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const r2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  s.close();
  return port;
}
async function until(what: string, fn: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await Promise.resolve().then(fn).catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}
const procs: ChildProcess[] = [];
async function stop(p: ChildProcess) {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const e = once(p, 'exit');
  p.kill('SIGTERM');
  await e;
}
/** user+system CPU seconds of a child process, from /proc/PID/stat. */
function procCpu(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const vmPort = await freePort();
const vm = spawn('victoria-metrics', [`-storageDataPath=${tmp('netmon-bench-vm-')}`, `-httpListenAddr=127.0.0.1:${vmPort}`, '-retentionPeriod=1y'], { stdio: 'ignore' });
procs.push(vm);
await until('VictoriaMetrics', async () => (await fetch(`http://127.0.0.1:${vmPort}/health`)).ok, 20_000);

let base = Date.now() - 3_600_000;
async function netmonRun(rep: string): Promise<{ samplesPerSec: number; cpuUsPerSample: number }> {
  const rounds = Array.from({ length: ROUNDS }, () => {
    base += 1000;
    return targets.map((t) => samplesOf(t, base));
  });
  const total = rounds.reduce((n, r) => n + r.reduce((m, s) => m + s.length, 0), 0);
  const config: RemoteWriteConfig = {
    name: `bench-${rep}`, url: `http://127.0.0.1:${vmPort}/api/v1/write`, tls: { insecure_skip_verify: false }, timeout: 30_000,
    queue: { max_bytes: 4 * 1024 ** 3, batch_size: 10_000, flush_interval: 100, min_backoff: 100, max_backoff: 1000 }, external_labels: { bench: 'netmon' },
  };
  const root = tmp('netmon-bench-q-');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const sender = new RemoteWriteSender({ config, queueRoot: root, log: (l, m) => l !== 'info' && log(m) });
  for (const round of rounds) {
    for (const samples of round) sender.accept(samples);
    await sleep(0); // a poll round ends: let the sender run, as the event loop does between probe results
  }
  await until('every sample acknowledged', () => sender.stats.sent >= total, 120_000);
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  await sender.close();
  rmSync(root, { recursive: true, force: true });
  return { samplesPerSec: Math.round(total / wall), cpuUsPerSample: r2((c.user + c.system) / total) };
}

// vmagent scrapes the same series from netmon's Exporter (/metrics text as the daemon serves it).
const exporter = new Exporter();
for (const t of targets) {
  const now = Date.now();
  const r: ProbeResult = { target: t, kind: 'snmp', spec, samples: samplesOf(t, now), scheduledAt: now, startedAt: now, durationMs: 1 };
  exporter.accept(r);
}
const metricsServer = http.createServer((_req, res) => {
  void exporter.render().then((body) => res.writeHead(200, { 'Content-Type': exporter.contentType }).end(body));
});
metricsServer.listen(0, '127.0.0.1');
await once(metricsServer, 'listening');
const metricsPort = (metricsServer.address() as AddressInfo).port;

async function vmagentRun(): Promise<{ samplesPerSec: number; cpuUsPerSample: number }> {
  const dir = tmp('netmon-bench-vmagent-');
  writeFileSync(join(dir, 'scrape.yml'), `scrape_configs:\n  - job_name: netmon\n    scrape_interval: 1s\n    static_configs: [{ targets: ["127.0.0.1:${metricsPort}"] }]\n`);
  const port = await freePort();
  const p = spawn('vmagent', [`-promscrape.config=${join(dir, 'scrape.yml')}`, `-remoteWrite.url=http://127.0.0.1:${vmPort}/api/v1/write`, `-remoteWrite.tmpDataPath=${join(dir, 'q')}`, `-httpListenAddr=127.0.0.1:${port}`, '-remoteWrite.label=bench=vmagent'], { stdio: 'ignore' });
  procs.push(p);
  const pushed = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith('vmagent_remotewrite_rows_pushed_after_relabel_total')).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };
  await until('vmagent pushing', async () => (await pushed()) > SERIES * 2, 30_000); // warm-up: two scrapes done
  const s0 = await pushed();
  const c0 = procCpu(p.pid!);
  const t0 = performance.now();
  await sleep(WINDOW_S * 1000); // a measuring window over a steady 1 s scrape loop
  const s1 = await pushed();
  const c1 = procCpu(p.pid!);
  const wall = (performance.now() - t0) / 1000;
  await stop(p);
  return { samplesPerSec: Math.round((s1 - s0) / wall), cpuUsPerSample: r2(((c1 - c0) * 1e6) / (s1 - s0)) };
}

try {
  log(`series ${SERIES} (targets ${TARGETS}), netmon ${ROUNDS} rounds per rep, vmagent ${WINDOW_S} s window, ${REPS} reps`);
  log(`warm-up: netmon ${JSON.stringify(await netmonRun('warm'))}, vmagent ${JSON.stringify(await vmagentRun())}`);
  const n: { samplesPerSec: number; cpuUsPerSample: number }[] = [];
  const v: { samplesPerSec: number; cpuUsPerSample: number }[] = [];
  for (let i = 0; i < REPS; i++) {
    n.push(await netmonRun(String(i)));
    v.push(await vmagentRun());
    log(`rep ${i + 1}: netmon ${JSON.stringify(n.at(-1))} vmagent ${JSON.stringify(v.at(-1))}`);
  }
  const load = loadavg().map(r2);
  const nm = { samples_per_s: median(n.map((x) => x.samplesPerSec)), cpu_us_per_sample: median(n.map((x) => x.cpuUsPerSample)) };
  const va = { samples_per_s: median(v.map((x) => x.samplesPerSec)), cpu_us_per_sample: median(v.map((x) => x.cpuUsPerSample)) };
  // One core's worth: samples a fully busy core would move at the measured CPU cost per sample.
  const perCore = (us: number) => Math.round(1e6 / us);
  process.stdout.write(
    JSON.stringify({
      bench: 'remote-write',
      series: SERIES,
      reps: REPS,
      netmon: { ...nm, samples_per_cpu_s: perCore(nm.cpu_us_per_sample) },
      vmagent: { ...va, samples_per_cpu_s: perCore(va.cpu_us_per_sample), note: 'samples/s is the offered 1 s scrape load' },
      goal: { samples_per_cpu_s_500k: perCore(nm.cpu_us_per_sample) >= 500_000, cpu_le_vmagent: nm.cpu_us_per_sample <= va.cpu_us_per_sample },
      loadavg: load,
    }) + '\n',
  );
} finally {
  metricsServer.close();
  for (const p of procs) await stop(p);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
