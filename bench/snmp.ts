/**
 * One IF-MIB poll of a device with ≥ 1,000 interfaces: netmon's walker (the snmp probe, if-mib profile)
 * beside Net-SNMP's `snmpbulkwalk -Cr25` of the same columns, alternating, several repetitions, medians.
 *
 * The device: Debian snmpd inside a network namespace this benchmark creates, holding BENCH_IF_PAIRS
 * (default 500) veth pairs = 1,000 interfaces + lo. The measuring half runs inside the namespace too
 * (re-executed with `ip netns exec`), so all traffic is on the namespace's loopback. Namespace and
 * snmpd are removed in `finally`. Needs root, iproute2, snmpd, snmp.
 *
 *   npx tsx bench/snmp.ts          → progress on stderr, ONE JSON object on the last stdout line
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSnmpProbe } from '../probes/snmp/index.js';
import { loadProfiles } from '../probes/snmp/profile.js';
import type { SnmpProbeOptions, SnmpSpec } from '../probes/snmp/kind.js';
import type { Target } from '../src/types.js';
import { childrenCpuSeconds, median, missing, round, runInner, withLab } from '../test/kit/snmp-lab.js';

const REPS = Number(process.env.BENCH_REPS ?? 7);
const PAIRS = Number(process.env.BENCH_IF_PAIRS ?? 500);
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
    const line = await runInner(lab.ns, fileURLToPath(import.meta.url), [String(lab.agents[0]!.port)], 150_000);
    return { ...(JSON.parse(line) as Record<string, unknown>), interfaces_in_namespace: lab.interfaces };
  });
  console.log(JSON.stringify({ ...result, bench_wall_s: round((Date.now() - t0) / 1000, 1) }));
}

async function inner(port: number): Promise<void> {
  const profiles = loadProfiles();
  const ifmib = profiles.get('if-mib')!.tables[0]!;
  // The columns of a steady-state poll: value columns + ifCounterDiscontinuityTime (labels are cached).
  const columns = [...ifmib.metrics.map((m) => m.oid), ifmib.discontinuity_oid!];
  const probe = createSnmpProbe({ profiles, labelRefreshMs: 1e12 });
  const options: SnmpProbeOptions = { port, credentialName: 'bench', credential: { version: '2c', community: 'public' }, retries: 1, maxRepetitions: MAX_REP, profiles: ['system', 'if-mib'] };
  const target: Target = { name: 'bench', address: '127.0.0.1', site: 'lab', role: 'switch', labels: {}, probes: [] };
  const spec: SnmpSpec = { kind: 'snmp', intervalMs: 60_000, timeoutMs: 5000, options };

  const netmonPoll = async () => {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const samples = await probe.run(target, spec, AbortSignal.timeout(60_000));
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    const info = probe.lastPoll('bench')!;
    return { wall, cpu: (c.user + c.system) / 1e6, values: info.walk.values, requests: info.walk.requests, samples: samples.length, labels: info.labelRefresh };
  };
  // snmpbulkwalk must not write its persistent state under /var/lib/snmp
  const persist = mkdtempSync(join(tmpdir(), 'netmon-bench-snmp-'));
  const cPoll = () => {
    const c0 = childrenCpuSeconds();
    const t0 = process.hrtime.bigint();
    let values = 0;
    for (const col of columns) {
      const r = spawnSync('snmpbulkwalk', ['-v2c', '-c', 'public', '-m', '', '-On', `-Cr${MAX_REP}`, '-t', '5', `127.0.0.1:${port}`, col], {
        encoding: 'utf8',
        env: { ...process.env, MIBS: '', MIBDIRS: '/nonexistent', SNMP_PERSISTENT_DIR: persist },
        maxBuffer: 64 << 20,
      });
      if (r.status !== 0) throw new Error(`snmpbulkwalk ${col}: ${r.stderr}`);
      values += r.stdout.split('\n').filter((l) => l.startsWith('.1.3.6')).length;
    }
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    return { wall, cpu: childrenCpuSeconds() - c0, values };
  };

  const first = await netmonPoll(); // labels + JIT warm-up
  log(`first poll (with label columns): ${first.values} values, ${first.requests} requests, ${first.wall.toFixed(3)} s, cpu ${first.cpu.toFixed(3)} s`);
  await netmonPoll();
  cPoll();
  const n: Awaited<ReturnType<typeof netmonPoll>>[] = [];
  const c: ReturnType<typeof cPoll>[] = [];
  for (let i = 0; i < REPS; i++) {
    if (i % 2 === 0) {
      n.push(await netmonPoll());
      c.push(cPoll());
    } else {
      c.push(cPoll());
      n.push(await netmonPoll());
    }
    log(`rep ${i + 1}/${REPS}: netmon ${n.at(-1)!.wall.toFixed(3)} s / cpu ${n.at(-1)!.cpu.toFixed(3)} s; snmpbulkwalk ${c.at(-1)!.wall.toFixed(3)} s / cpu ${c.at(-1)!.cpu.toFixed(3)} s`);
  }
  await probe.close?.();
  rmSync(persist, { recursive: true, force: true });
  const nw = median(n.map((x) => x.wall));
  const nc = median(n.map((x) => x.cpu));
  const cw = median(c.map((x) => x.wall));
  const cc = median(c.map((x) => x.cpu));
  const nv = median(n.map((x) => x.values));
  const cv = median(c.map((x) => x.values));
  console.log(
    JSON.stringify({
      bench: 'snmp',
      device_interfaces: Math.round(nv / columns.length),
      columns: columns.length,
      max_repetitions: MAX_REP,
      repetitions: REPS,
      netmon: {
        wall_s: round(nw),
        cpu_s: round(nc),
        values: nv,
        requests: median(n.map((x) => x.requests)),
        samples: median(n.map((x) => x.samples)),
        cpu_us_per_value: round((nc * 1e6) / nv, 2),
        first_poll_with_labels: { wall_s: round(first.wall), cpu_s: round(first.cpu), values: first.values, requests: first.requests },
      },
      snmpbulkwalk: { wall_s: round(cw), cpu_s: round(cc), values: cv, invocations: columns.length, cpu_us_per_value: round((cc * 1e6) / cv, 2) },
      ratio_wall_netmon_over_c: round(nw / cw),
      ratio_cpu_netmon_over_c: round(nc / cc),
      goal_cpu_us_per_value: 10,
      goal_met: (nc * 1e6) / nv <= 10 && nw <= cw,
    }),
  );
}

if (process.argv.includes('--inner')) {
  await inner(Number(process.argv[process.argv.indexOf('--inner') + 1]));
} else {
  await outer();
}
