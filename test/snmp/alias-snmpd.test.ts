/**
 * Utilisation against a real agent's counter cache (issue 16, item 3): Debian snmpd (default 3 s
 * interface cache) in a network namespace, a tbf-shaped veth carrying real traffic, polled by netmon's
 * SNMP probe and the uplink deriver at 5, 10 and 60 s at once, compared with the kernel's byte counter.
 * The same polls by the probe stamping with the poll time (how netmon worked before) are the control:
 * they alias, so this test fails on the old behaviour. Needs root, ip, tc, snmpd (skipped loudly without,
 * a failure under CI=true). bench/alias.ts repeats the measurement (npm run bench:alias).
 */
import { describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/requireTool.js';
import { pollLab, withAliasLab, worst } from '../kit/alias-lab.js';

const ok = requireTool({ root: true, commands: ['ip', 'tc', 'snmpd', 'snmpget'], netns: true }, 'utilisation against snmpd counter cache');

describe.runIf(ok)('utilisation against snmpd’s 3 s counter cache', () => {
  // One retry: the watch reads the agent every 20 ms, and a CI machine running the browser tests beside it
  // can starve one read for a whole refresh; the old poll-time stamping fails every run (-33 points).
  it('per-poll utilisation of steady traffic within ±2 % at 5, 10 and 60 s; a saturated link ≤ 100 % + 2 %', { retry: 1, timeout: 240_000 }, async () => {
    const durationMs = 60_000;
    const runs = await withAliasLab({ maxMs: durationMs + 15_000 }, (lab) => {
      const start = Date.now() + 500;
      return Promise.all([
        ...[5000, 10_000, 60_000].map((intervalMs) => pollLab(lab, { intervalMs, durationMs, aligned: true, start })),
        ...[5000, 10_000].map((intervalMs) => pollLab(lab, { intervalMs, durationMs, aligned: false, start })),
      ]);
    });
    const summary = runs.map((r) => ({
      intervalS: r.intervalMs / 1000,
      stamp: r.aligned ? 'refresh' : 'poll time',
      polls: r.polls,
      stamped: r.stamped,
      worstSteadyErrorPct: Number(worst(r.steadyErrors).toFixed(2)),
      peakSaturatedPct: Number((Math.max(...r.saturated) * 100).toFixed(2)),
      kernelSaturatedPct: Number((Math.max(...r.kernelSaturated) * 100).toFixed(2)),
    }));
    console.log(JSON.stringify(summary));
    for (const r of runs) console.log(`${r.intervalMs / 1000}s ${r.aligned ? 'refresh' : 'poll-time'}: ${r.log.join(' ')} | ${r.steadyErrors.map((e) => e.toFixed(1)).join(' ')}`);
    for (const r of runs.filter((x) => x.aligned)) {
      expect(r.steadyErrors.length, `${r.intervalMs} ms: rates`).toBe(Math.floor(durationMs / r.intervalMs));
      expect(r.stamped, `${r.intervalMs} ms: polls stamped with a refresh`).toBe(r.polls);
      expect(Math.abs(worst(r.steadyErrors)), `${r.intervalMs} ms: worst error`).toBeLessThanOrEqual(2);
      expect(Math.max(...r.saturated), `${r.intervalMs} ms: saturated peak`).toBeLessThanOrEqual(1.02);
      // the link really is saturated: the kernel saw the tbf rate (a sender starved on a busy machine dips)
      expect(Math.max(...r.kernelSaturated)).toBeGreaterThan(0.99);
    }
    // the control aliases: the lab does reproduce the issue
    for (const r of runs.filter((x) => !x.aligned)) expect(Math.abs(worst(r.steadyErrors)), `${r.intervalMs} ms control`).toBeGreaterThan(5);
  });
});
