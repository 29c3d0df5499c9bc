/**
 * The SNMP reply path under hostile input: bench/fuzz-snmp.ts in a child process (so a crash is a crash,
 * and GC is exposed for the memory check) with ~8,000 mutated replies. `npm run bench:fuzz-snmp` runs the
 * same with 100,000. See docs/reliability.md.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';

it('survives 8,000 mutated SNMP replies: no crash, no hang past the deadline, typed errors or valid samples, bounded memory', async () => {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench', 'fuzz-snmp.ts'), '--packets', '8000', '--seed', String(Date.now() % 100_000)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(code, err.slice(-2000)).toBe(0);
  const r = JSON.parse(out.trim().split('\n').pop()!);
  const seed = `(seed ${r.seed}: rerun with --seed ${r.seed})`;
  expect(r.packets).toBe(8000);
  expect(r.crashes, `${r.first_crash} ${seed}`).toBe(0);
  expect(r.untyped_errors, `${r.first_untyped_error} ${seed}`).toBe(0);
  expect(r.invalid_samples, `${r.first_invalid} ${seed}`).toBe(0);
  expect(r.deadline_overruns, seed).toBe(0);
  expect(r.max_poll_ms).toBeLessThan(r.deadline_ms + 250);
  // both outcomes were exercised: polls that failed with a typed error, and polls that returned samples
  expect(r.polls_ok).toBeGreaterThan(0);
  expect(Object.values(r.polls_failed as Record<string, number>).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  // once the agent answers correctly again, every poller reads every gauge right
  expect(r.recovery_polls_failed).toBe(0);
  expect(r.recovery_gauge_mismatches, r.recovery_first_mismatch).toBe(0);
  // memory after GC: no growth beyond noise
  expect(r.gc_exposed).toBe(true);
  expect(r.heap_mb_after - r.heap_mb_before).toBeLessThan(8);
}, 60_000);
