/**
 * Benchmark: the daemon's ping path (the icmp probe's runMany, one fping for all targets, then every
 * target's result through the daemon's pipeline into store, exporter and live state: daemon-wiring.ts)
 * beside bare fping with the very same arguments on the same 1,000 loopback targets. Interleaved (the
 * order alternates), one warm-up round of each, then medians of the repetitions (default 5). Needs root
 * (or fping with cap_net_raw). Run: tsx bench/ping.ts [targets] [echoes] [repetitions]
 *
 * CPU, honestly: bare fping = the fping child's user+sys (from /proc/self/stat cutime/cstime, which
 * counts reaped children). netmon = that child cost + ALL of this Node process's CPU during the
 * run (spawn, piping, parsing, statistics, samples, pipeline, store commit), via process.cpuUsage().
 * Last line: one JSON object.
 */
import { execSync, spawn } from 'node:child_process';
import { createPingProbe } from '../probes/icmp/index.js';
import { findExecutable, fpingArgs, planCycle } from '../probes/icmp/fping.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTargets } from '../src/config/model.js';
import { ProbeError } from '../src/types.js';
import { wireDaemon } from './daemon-wiring.js';
import type { PingSpec } from '../probes/icmp/kind.js';

const TARGETS = Number(process.argv[2] ?? 1000);
const ECHOES = Number(process.argv[3] ?? 20);
const REPS = Number(process.argv[4] ?? 5);
// A 20 s cycle: 20 echoes at a 500 ms period (half the cycle), -i 0.25 ms for 1,000 targets; ~10 s per run.
const hosts = Array.from({ length: TARGETS }, (_, i) => `127.20.${Math.floor(i / 250)}.${(i % 250) + 1}`);
const dir = mkdtempSync(join(tmpdir(), 'netmon-bench-ping-'));
const daemon = wireDaemon(
  dir,
  [
    `defaults: { ping: { interval: 20s, timeout: 500ms, count: ${ECHOES} } }`,
    // A site per target, as the reference network's units have (one site of 1,000 targets costs the
    // status module ~0.7 ms per result: each result re-decides its whole site).
    'sites:',
    ...hosts.map((_, i) => `  - { id: s${i}, name: S${i}, group: ward }`),
    'targets:',
    ...hosts.map((h, i) => `  - { name: "${h}", address: ${h}, site: s${i}, role: server, ping: {} }`),
    '',
  ].join('\n'),
);
const targets = buildTargets(daemon.config);
const spec = targets[0]!.probes[0] as PingSpec;
const fping = findExecutable('fping');
if (!fping) {
  console.error('bench/ping: fping not found (Debian package "fping")');
  process.exit(2);
}
const TICK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** user+sys seconds of this process's reaped children. */
function childCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 on
  return (Number(f[13]) + Number(f[14])) / TICK; // #16 cutime, #17 cstime
}
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const plan = planCycle(ECHOES, spec.intervalMs, spec.timeoutMs, hosts.length);
const args = fpingArgs(plan);

async function bareFping(): Promise<{ wall: number; cpu: number; replies: number }> {
  const c0 = childCpu();
  const t0 = performance.now();
  const stderr = await new Promise<string>((resolve, reject) => {
    const c = spawn(fping!, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    c.on('error', reject);
    c.on('close', () => resolve(err));
    c.stdin.end(hosts.join('\n') + '\n');
  });
  const wall = (performance.now() - t0) / 1000;
  let replies = 0;
  for (const line of stderr.split('\n')) {
    const i = line.indexOf(' : ');
    if (i < 0) continue;
    for (const tok of line.slice(i + 3).trim().split(/\s+/)) if (tok !== '-' && tok !== '') replies++;
  }
  return { wall, cpu: childCpu() - c0, replies };
}

const probe = createPingProbe();
async function netmon(): Promise<{ wall: number; cpu: number; replies: number; parts: Record<string, number> }> {
  const c0 = childCpu();
  const s0 = selfCpu();
  const t0 = performance.now();
  const startedAt = Date.now();
  const res = await probe.runMany(targets.map((t) => ({ target: t, spec })), AbortSignal.timeout(120_000));
  let replies = 0;
  for (const samples of res.values()) replies += samples.find((s) => s.metric === 'netmon_ping_received_packets')?.value ?? 0;
  // As the scheduler hands a batch run's results on (src/scheduler.ts): one result per target.
  const durationMs = Date.now() - startedAt;
  daemon.resetSpent();
  const p0 = selfCpu();
  for (const target of targets) {
    const samples = res.get(target.name);
    const error = samples ? undefined : (res.errors.get(target.name) ?? new ProbeError('internal', 'no result for target'));
    daemon.pipeline.publish({ target, kind: 'ping', spec, samples: samples ?? [], error, scheduledAt: startedAt, startedAt, durationMs });
  }
  daemon.store.flush();
  const pipeline = selfCpu() - p0;
  const { store, exporter, live } = daemon.spent;
  const wall = (performance.now() - t0) / 1000;
  const cpu = childCpu() - c0 + (selfCpu() - s0);
  if (res.errors.size) console.error(`netmon: ${res.errors.size} target errors, e.g. ${[...res.errors.values()][0]?.message}`);
  return { wall, cpu, replies, parts: { pipeline: pipeline - store - exporter - live, store, exporter, live } };
}

const runs: { kind: 'fping' | 'netmon'; wall: number; cpu: number; replies: number; parts?: Record<string, number> }[] = [];
const load0 = loadavg();
console.log(`bench/ping: ${TARGETS} loopback targets × ${ECHOES} echoes, warm-up + ${REPS} repetitions; fping ${args.join(' ')}`);
await bareFping();
await netmon();
for (let r = 0; r < REPS; r++) {
  const order = r % 2 === 0 ? (['fping', 'netmon'] as const) : (['netmon', 'fping'] as const);
  for (const kind of order) {
    const m = kind === 'fping' ? await bareFping() : await netmon();
    runs.push({ kind, ...m });
    console.log(`  ${kind.padEnd(6)} wall ${m.wall.toFixed(2)} s  cpu ${m.cpu.toFixed(3)} s  replies ${m.replies}`);
  }
}
daemon.close();
rmSync(dir, { recursive: true, force: true });
const median = (ys: number[]) => {
  const xs = [...ys].sort((a, b) => a - b);
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
};
const med = (k: 'fping' | 'netmon', f: 'wall' | 'cpu') => median(runs.filter((x) => x.kind === k).map((x) => x[f]));
const minReplies = (k: 'fping' | 'netmon') => Math.min(...runs.filter((x) => x.kind === k).map((x) => x.replies));
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const out = {
  bench: 'ping',
  path: 'daemon (icmp probe runMany + pipeline + store + exporter + live)',
  targets: TARGETS,
  echoes: ECHOES,
  repetitions: REPS,
  statistic: 'median after one warm-up round',
  period_ms: plan.periodMs,
  packet_interval_ms: plan.packetIntervalMs,
  timeout_ms: plan.timeoutMs,
  fping_wall_s: r3(med('fping', 'wall')),
  netmon_wall_s: r3(med('netmon', 'wall')),
  wall_ratio: r3(med('netmon', 'wall') / med('fping', 'wall')),
  fping_cpu_s: r3(med('fping', 'cpu')),
  netmon_cpu_s: r3(med('netmon', 'cpu')),
  cpu_ratio: r3(med('netmon', 'cpu') / med('fping', 'cpu')),
  // Of netmon's CPU, after fping's answers are parsed: medians of each consumer (and the pipeline itself).
  netmon_after_probe_cpu_s: Object.fromEntries(
    ['pipeline', 'store', 'exporter', 'live'].map((k) => [k, r3(median(runs.filter((x) => x.parts).map((x) => x.parts![k]!)))]),
  ),
  goal_cpu_ratio: 1.2,
  replies_fping: minReplies('fping'),
  replies_netmon: minReplies('netmon'),
  replies_expected: TARGETS * ECHOES,
  load_average: { start: load0.map((x) => r3(x)), end: loadavg().map((x) => r3(x)) },
};
console.log(JSON.stringify(out));
