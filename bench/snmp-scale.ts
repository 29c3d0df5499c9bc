/**
 * Scale: one netmon scheduler polling ≥ 50,000 interfaces (IF-MIB) on a fixed interval for a few cycles.
 *
 * Devices: BENCH_AGENTS (default 4) Debian snmpd instances inside a network namespace this benchmark
 * creates, all seeing the namespace's BENCH_IF_PAIRS (default 500) veth pairs = 1,001 interfaces each;
 * BENCH_TARGETS (default 50) targets spread over them = 50,050 interfaces. The production interval is
 * 60 s; accelerated here to BENCH_INTERVAL_S (default 15 s) for BENCH_CYCLES (default 4) measured cycles
 * after one warm-up cycle (the label walk). The measuring half runs inside the namespace (loopback only).
 * Namespace and snmpd instances are removed in `finally`. Needs root, iproute2, snmpd, snmp.
 *
 *   npx tsx bench/snmp-scale.ts    → progress on stderr, ONE JSON object on the last stdout line
 */
import { fileURLToPath } from 'node:url';
import { createSnmpProbe } from '../probes/snmp/index.js';
import { Scheduler, type ProbeResult } from '../src/scheduler.js';
import type { SnmpProbeOptions } from '../probes/snmp/kind.js';
import { probeSet } from '../test/kit/specs.js';
import type { Target } from '../src/types.js';
import { missing, round, runInner, withLab } from '../test/kit/snmp-lab.js';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 4);
const PAIRS = Number(process.env.BENCH_IF_PAIRS ?? 500);
const TARGETS = Number(process.env.BENCH_TARGETS ?? 50);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 15);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 4);
const log = (msg: string) => process.stderr.write(`[bench:snmp-scale] ${msg}\n`);

async function outer(): Promise<void> {
  const why = missing();
  if (why) {
    console.log(JSON.stringify({ bench: 'snmp-scale', skipped: why }));
    process.exitCode = 1;
    return;
  }
  const t0 = Date.now();
  const result = await withLab({ pairs: PAIRS, agents: AGENTS }, async (lab) => {
    log(`namespace ${lab.ns}: ${lab.interfaces} interfaces, ${lab.agents.length} snmpd on ports ${lab.agents.map((a) => a.port).join(', ')}`);
    const line = await runInner(lab.ns, fileURLToPath(import.meta.url), [lab.agents.map((a) => a.port).join(','), String(lab.interfaces)], (CYCLES + 3) * INTERVAL_S * 1000 + 60_000);
    return JSON.parse(line) as Record<string, unknown>;
  });
  console.log(JSON.stringify({ ...result, bench_wall_s: round((Date.now() - t0) / 1000, 1) }));
}

async function inner(ports: number[], interfacesPerAgent: number): Promise<void> {
  const intervalMs = INTERVAL_S * 1000;
  const probe = createSnmpProbe();
  const targets: Target[] = Array.from({ length: TARGETS }, (_, i) => {
    const options: SnmpProbeOptions = { port: ports[i % ports.length]!, credentialName: 'bench', credential: { version: '2c', community: 'public' }, retries: 1, maxRepetitions: 25, profiles: ['system', 'if-mib'] };
    return {
      name: `sw-${String(i).padStart(3, '0')}`,
      address: '127.0.0.1',
      site: `site-${i}`,
      role: 'switch',
      labels: {},
      probes: [{ kind: 'snmp', intervalMs, timeoutMs: 2000, options }],
    };
  });
  const results: { r: ProbeResult; values: number; requests: number }[] = [];
  const scheduler = new Scheduler(probeSet({ snmp: probe }), {
    maxConcurrency: 64,
    onResult: (r) => {
      const info = probe.lastPoll(r.target.name);
      results.push({ r, values: info?.walk.values ?? 0, requests: info?.walk.requests ?? 0 });
    },
  });
  scheduler.setTargets(targets);
  const start = Date.now();
  // Slots are aligned to the epoch: the first full cycle starts at the next interval boundary.
  const warmFrom = Math.ceil(start / intervalMs) * intervalMs;
  const measureFrom = warmFrom + intervalMs;
  const measureTo = measureFrom + CYCLES * intervalMs;
  scheduler.start();
  log(`${TARGETS} targets × ${interfacesPerAgent} interfaces, interval ${INTERVAL_S} s: warm-up cycle, then ${CYCLES} measured cycles`);
  await new Promise((r) => setTimeout(r, measureFrom - Date.now()));
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const elu0 = performance.eventLoopUtilization();
  await new Promise((r) => setTimeout(r, measureTo - Date.now()));
  // Runs scheduled inside the window may still be going: let them finish (stop() would abort them).
  const inWindowCount = () => results.filter((x) => x.r.scheduledAt >= measureFrom && x.r.scheduledAt < measureTo).length;
  for (let waited = 0; inWindowCount() < TARGETS * CYCLES && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  await scheduler.stop();
  const wall = (Date.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const stats = scheduler.getStats();
  await probe.close?.();

  const inWindow = results.filter((x) => x.r.scheduledAt >= measureFrom && x.r.scheduledAt < measureTo);
  const ok = inWindow.filter((x) => !x.r.error);
  const warm = results.filter((x) => x.r.scheduledAt < measureFrom && !x.r.error);
  const expected = TARGETS * CYCLES;
  const values = ok.reduce((a, x) => a + x.values, 0);
  const cpuS = (c.user + c.system) / 1e6;
  const durations = ok.map((x) => x.r.durationMs).sort((a, b) => a - b);
  const errors = [...new Set(inWindow.filter((x) => x.r.error).map((x) => x.r.error!.message.slice(0, 120)))].slice(0, 3);
  const ifaces = TARGETS * interfacesPerAgent;
  console.log(
    JSON.stringify({
      bench: 'snmp-scale',
      targets: TARGETS,
      agents: ports.length,
      interfaces: ifaces,
      interval_s: INTERVAL_S,
      production_interval_s: 60,
      cycles_measured: CYCLES,
      polls_expected: expected,
      polls_ok: ok.length,
      polls_failed: inWindow.length - ok.length,
      missed_cycles: expected - ok.length,
      scheduler_skipped: stats.skipped.snmp ?? 0,
      max_start_lag_ms: stats.maxLagMs,
      poll_duration_ms: { p50: durations[durations.length >> 1] ?? null, p95: durations[Math.floor(durations.length * 0.95)] ?? null, max: durations.at(-1) ?? null },
      values_per_cycle: Math.round(values / CYCLES),
      poller_cpu_s: round(cpuS),
      poller_cpu_share_of_core: round(cpuS / wall),
      poller_cpu_share_of_core_at_60s: round((cpuS / wall) * (INTERVAL_S / 60)),
      event_loop_utilization: round(elu.utilization),
      cpu_us_per_interface_per_cycle: round((cpuS * 1e6) / (ifaces * CYCLES), 2),
      cpu_us_per_value: round((cpuS * 1e6) / values, 2),
      polls_ok_before_window: warm.length,
      errors,
    }),
  );
}

if (process.argv.includes('--inner')) {
  const i = process.argv.indexOf('--inner');
  await inner(process.argv[i + 1]!.split(',').map(Number), Number(process.argv[i + 2]));
} else {
  await outer();
}
