/**
 * One IF-MIB poll of a device with ≥ 1,000 interfaces, end to end: the daemon's own path (scheduler
 * runOnce → snmp probe → pipeline from createFanout → store commit + exporter + live, plus one /metrics
 * render per poll) beside Net-SNMP's `snmpbulkwalk -Cr<max_repetitions>` of the same columns (one process
 * per column: snmpbulkwalk walks one root), interleaved, after a warm-up, medians.
 *
 * CPU: netmon's is process.cpuUsage() of this process around the poll (every thread: V8, GC, SQLite). The
 * children's is the cutime+cstime of this process (/proc/self/stat), which the kernel accumulates in ns
 * for every waited-for child and shows in 10 ms ticks: one reading spans a whole rep (BENCH_WALK_ROUNDS,
 * default 5, walks of the column set, one process per column: ~0.4 s of CPU), so the tick costs ≤ 3 %.
 * snmpbulkwalk's process start (exec, libnetsnmp init, one session) is measured the same way on
 * BENCH_START_RUNS (default 100) walks of sysUpTime (one value) and reported
 * beside it; `snmpbulkwalk_walk_us_per_value` is its per-value CPU with those starts subtracted.
 *
 * The device: Debian snmpd inside a network namespace this benchmark creates, holding BENCH_IF_PAIRS
 * (default 500) veth pairs = 1,000 interfaces + lo. The measuring half runs inside the namespace too
 * (re-executed with `ip netns exec`), so all traffic is on the namespace's loopback. Namespace and
 * snmpd are removed in `finally`. Needs root, iproute2, snmpd, snmp.
 *
 *   npm run bench:snmp             → progress on stderr, ONE JSON object on the last stdout line
 *   BENCH_CPU_PROF=dir npm run bench:snmp   → also a V8 CPU profile of the daemon's measured polls in dir
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeProbes } from '../probes/registry.js';
import { createSnmpProbe } from '../probes/snmp/index.js';
import { loadProfiles } from '../probes/snmp/profile.js';
import { buildTargets } from '../src/config/model.js';
import { Scheduler } from '../src/scheduler.js';
import { probeSet } from '../test/kit/specs.js';
import { childrenCpuSeconds, median, missing, round, runInner, withLab } from '../test/kit/snmp-lab.js';
import { cpuProfiler } from './cpu-profile.js';
import { cpuOf, wireDaemon } from './daemon-wiring.js';

const REPS = Number(process.env.BENCH_REPS ?? 7);
const PAIRS = Number(process.env.BENCH_IF_PAIRS ?? 500);
const START_RUNS = Number(process.env.BENCH_START_RUNS ?? 100);
/** Column-set walks per rep: children's CPU is read in 10 ms ticks, so a reading must span several. */
const WALK_ROUNDS = Number(process.env.BENCH_WALK_ROUNDS ?? 5);
const MAX_REP = 25;
const log = (msg: string) => process.stderr.write(`[bench:snmp] ${msg}\n`);

async function outer(): Promise<void> {
  const why = missing();
  if (why) {
    console.log(JSON.stringify({ bench: 'snmp', skipped: why }));
    process.exitCode = 1;
    return;
  }
  const t0 = Date.now();
  const result = await withLab({ pairs: PAIRS, agents: 1 }, async (lab) => {
    log(`namespace ${lab.ns}: ${lab.interfaces} interfaces, snmpd on 127.0.0.1:${lab.agents[0]!.port}`);
    const line = await runInner(lab.ns, fileURLToPath(import.meta.url), [String(lab.agents[0]!.port)], 300_000);
    return { ...(JSON.parse(line) as Record<string, unknown>), interfaces_in_namespace: lab.interfaces };
  });
  console.log(JSON.stringify({ ...result, bench_wall_s: round((Date.now() - t0) / 1000, 1) }));
}

/** The daemon's path for one SNMP target: its scheduler's runOnce, its snmp probe, its consumers (daemon-wiring.ts). */
function daemonPath(dir: string, port: number) {
  const { config, pipeline, store, exporter, spent, resetSpent, close } = wireDaemon(
    dir,
    [
      `defaults: { snmp: { max_repetitions: ${MAX_REP}, timeout: 5s, retries: 1 } }`,
      'credentials: { bench: { version: "2c", community: public } }',
      'sites: [{ id: lab, name: Lab, group: datacentre }]',
      'targets:',
      `  - { name: bench, address: 127.0.0.1, site: lab, role: switch, snmp: { credential: bench, port: ${port}, profiles: [system, if-mib] } }`,
      '',
    ].join('\n'),
  );
  // The daemon's snmp probe as probes/snmp/kind.ts creates it, kept typed for its lastPoll() counts.
  const snmp = createSnmpProbe({ log: (level, msg) => log(`${level}: ${msg}`) });
  const probes = probeSet({ snmp });
  let publishCpu = 0;
  let samples = 0;
  const scheduler = new Scheduler(probes, {
    maxConcurrency: 4,
    onResult: (res) => {
      publishCpu = cpuOf(() => pipeline.publish(res));
      samples = res.samples.length;
      if (res.error) throw new Error(`daemon poll failed: ${res.error.message}`);
    },
  });
  scheduler.setTargets(buildTargets(config));
  return {
    /** One poll through the whole path; the store commits and /metrics is rendered once inside the window. */
    async poll() {
      const s = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
      resetSpent();
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await scheduler.runOnce('bench');
      const flush = cpuOf(() => store.flush());
      const cRender = process.cpuUsage();
      await exporter.render();
      const render = s(process.cpuUsage(cRender));
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = s(process.cpuUsage(c0));
      const info = snmp.lastPoll('bench')!;
      const parts = {
        probe: cpu - publishCpu - flush - render,
        pipeline: publishCpu - spent.store - spent.exporter - spent.live,
        store: spent.store + flush,
        exporter: spent.exporter,
        live: spent.live,
        metrics_render: render,
      };
      return { wall, cpu, values: info.walk.values, requests: info.walk.requests, samples, parts };
    },
    async close() {
      await scheduler.stop();
      await closeProbes(probes);
      close();
    },
  };
}

async function inner(port: number): Promise<void> {
  const ifmib = loadProfiles().get('if-mib')!.tables[0]!;
  // The columns of a steady-state poll: value columns + ifCounterDiscontinuityTime (labels are cached).
  const columns = [...ifmib.metrics.map((m) => m.oid), ifmib.discontinuity_oid!];
  const dir = mkdtempSync(join(tmpdir(), 'netmon-bench-snmp-'));
  const daemon = daemonPath(dir, port);
  // snmpbulkwalk must not write its persistent state under /var/lib/snmp
  const env = { ...process.env, MIBS: '', MIBDIRS: '/nonexistent', SNMP_PERSISTENT_DIR: dir };
  const walk = (oid: string) => {
    const r = spawnSync('snmpbulkwalk', ['-v2c', '-c', 'public', '-m', '', '-On', `-Cr${MAX_REP}`, '-t', '5', `127.0.0.1:${port}`, oid], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`snmpbulkwalk ${oid}: ${r.stderr}`);
    return r.stdout.split('\n').filter((l) => l.startsWith('.1.3.6')).length;
  };
  const cPoll = () => {
    const c0 = childrenCpuSeconds();
    const t0 = process.hrtime.bigint();
    let values = 0;
    for (let r = 0; r < WALK_ROUNDS; r++) for (const col of columns) values += walk(col);
    return { wall: Number(process.hrtime.bigint() - t0) / 1e9 / WALK_ROUNDS, cpu: (childrenCpuSeconds() - c0) / WALK_ROUNDS, values: values / WALK_ROUNDS };
  };
  /** One process start: a walk of sysUpTime (one value, two requests), per process. */
  const cStart = () => {
    const c0 = childrenCpuSeconds();
    for (let i = 0; i < START_RUNS; i++) if (walk('1.3.6.1.2.1.1.3') !== 1) throw new Error('sysUpTime walk: expected one value');
    return (childrenCpuSeconds() - c0) / START_RUNS;
  };
  const load0 = loadavg();
  const first = await daemon.poll(); // labels + JIT warm-up
  log(`first poll (with label columns): ${first.values} values, ${first.requests} requests, ${first.wall.toFixed(3)} s, cpu ${first.cpu.toFixed(3)} s`);
  await daemon.poll();
  cPoll();
  cStart();
  const n: Awaited<ReturnType<typeof daemon.poll>>[] = [];
  const c: ReturnType<typeof cPoll>[] = [];
  const starts: number[] = [];
  const prof = cpuProfiler(process.env.BENCH_CPU_PROF);
  for (let i = 0; i < REPS; i++) {
    const netmon = async () => {
      await prof.start();
      n.push(await daemon.poll());
      await prof.stop();
    };
    if (i % 2 === 0) {
      await netmon();
      c.push(cPoll());
    } else {
      c.push(cPoll());
      await netmon();
    }
    starts.push(cStart());
    log(`rep ${i + 1}/${REPS}: daemon ${n.at(-1)!.wall.toFixed(3)} s / cpu ${n.at(-1)!.cpu.toFixed(3)} s; snmpbulkwalk ${c.at(-1)!.wall.toFixed(3)} s / cpu ${c.at(-1)!.cpu.toFixed(3)} s; start ${(starts.at(-1)! * 1000).toFixed(1)} ms`);
  }
  await prof.write('bench-snmp-daemon');
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
  const med = (f: (x: (typeof n)[number]) => number) => median(n.map(f));
  const nc = med((x) => x.cpu);
  const nv = med((x) => x.values);
  const cc = median(c.map((x) => x.cpu));
  const cv = median(c.map((x) => x.values));
  const start = median(starts);
  const us = (cpu: number) => round((cpu * 1e6) / nv, 2);
  console.log(
    JSON.stringify({
      bench: 'snmp',
      device_interfaces: Math.round(nv / columns.length),
      columns: columns.length,
      max_repetitions: MAX_REP,
      repetitions: REPS,
      daemon_us_per_value: us(nc),
      snmpbulkwalk_us_per_value: round((cc * 1e6) / cv, 2),
      snmpbulkwalk_start_us: round(start * 1e6, 0),
      snmpbulkwalk_walk_us_per_value: round(((cc - columns.length * start) * 1e6) / cv, 2),
      ratio_cpu_daemon_over_snmpbulkwalk: round(nc / cc),
      daemon: {
        wall_s: round(med((x) => x.wall)),
        cpu_s: round(nc),
        values: nv,
        requests: med((x) => x.requests),
        samples: med((x) => x.samples),
        us_per_value: Object.fromEntries(Object.keys(n[0]!.parts).map((k) => [k, us(med((x) => x.parts[k as keyof typeof x.parts]))])),
        first_poll_with_labels: { wall_s: round(first.wall), cpu_s: round(first.cpu), values: first.values, requests: first.requests },
      },
      snmpbulkwalk: { wall_s: round(median(c.map((x) => x.wall))), cpu_s: round(cc), values: cv, processes: columns.length, column_set_walks_per_rep: WALK_ROUNDS, start_walks_per_rep: START_RUNS },
      load_average: { start: load0.map((x) => round(x, 2)), end: loadavg().map((x) => round(x, 2)) },
      goal_us_per_value: 10,
      goal_met: (nc * 1e6) / nv <= 10 && nc <= cc,
    }),
  );
}

if (process.argv.includes('--inner')) {
  await inner(Number(process.argv[process.argv.indexOf('--inner') + 1]));
} else {
  await outer();
}
