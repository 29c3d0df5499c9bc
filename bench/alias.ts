/**
 * Utilisation against snmpd's counter cache (issue 16, item 3), repeated: the lab of
 * test/kit/alias-lab.ts (Debian snmpd with its default 3 s cache in a namespace, a tbf-shaped veth
 * carrying exactly its rate, the kernel's byte counter as reference), polled by the SNMP probe and the
 * uplink deriver at 5, 10 and 60 s at once, refresh-aligned and (control) stamped with the poll time.
 * BENCH_REPS repetitions (default 5) of BENCH_DURATION_S (default 120) each; medians over repetitions of
 * each repetition's worst per-poll error, and the worst overall. Needs root, iproute2, tc, snmpd, snmp.
 *
 *   npm run bench:alias    → progress on stderr, ONE JSON object on the last stdout line
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { pollLab, withAliasLab, worst, type IntervalRun } from '../test/kit/alias-lab.js';
import { median, missing, round } from '../test/kit/snmp-lab.js';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 120) * 1000;
const INTERVALS = [5000, 10_000, 60_000];
const log = (msg: string) => process.stderr.write(`[bench:alias] ${msg}\n`);

const why = missing() ?? (spawnSync('sh', ['-c', 'command -v tc']).status === 0 ? undefined : 'needs tc');
if (why) {
  console.log(JSON.stringify({ bench: 'alias', skipped: why }));
  process.exit(0);
}

const reps: IntervalRun[][] = [];
const load: number[] = [];
for (let i = 0; i < REPS; i++) {
  const runs = await withAliasLab({ maxMs: DURATION_MS + 20_000 }, (lab) => {
    const start = Date.now() + 500;
    return Promise.all(INTERVALS.flatMap((intervalMs) => [true, false].map((aligned) => pollLab(lab, { intervalMs, durationMs: DURATION_MS, aligned, start }))));
  });
  load.push(loadavg()[0]!);
  reps.push(runs);
  log(`rep ${i + 1}/${REPS}: ${runs.map((r) => `${r.intervalMs / 1000}s ${r.aligned ? 'aligned' : 'poll-time'} worst ${worst(r.steadyErrors).toFixed(2)} peak ${(Math.max(...r.saturated) * 100).toFixed(1)}%`).join(', ')}`);
}

function summary(aligned: boolean) {
  const out: Record<string, unknown> = {};
  for (const intervalMs of INTERVALS) {
    const runs = reps.map((rs) => rs.find((r) => r.intervalMs === intervalMs && r.aligned === aligned)!);
    const worsts = runs.map((r) => Math.abs(worst(r.steadyErrors)));
    const peaks = runs.map((r) => Math.max(...r.saturated) * 100);
    out[`${intervalMs / 1000}s`] = {
      worst_error_pct_median: round(median(worsts), 2),
      worst_error_pct_max: round(Math.max(...worsts), 2),
      saturated_peak_pct_median: round(median(peaks), 2),
      saturated_peak_pct_max: round(Math.max(...peaks), 2),
      rates_per_rep: runs[0]!.steadyErrors.length,
      stamped_share: round(runs.reduce((n, r) => n + r.stamped, 0) / runs.reduce((n, r) => n + r.polls, 0), 3),
    };
  }
  return out;
}

console.log(
  JSON.stringify({
    bench: 'alias',
    reps: REPS,
    duration_s: DURATION_MS / 1000,
    agent: 'Debian snmpd, default 3 s interface cache',
    refresh_aligned: summary(true),
    poll_time_control: summary(false),
    loadavg_1m_median: round(median(load), 2),
  }),
);
