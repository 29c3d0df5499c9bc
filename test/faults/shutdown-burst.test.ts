/**
 * Ctrl-C during a ping burst: the runs cancelled by the shutdown are not failures of their targets, so no
 * consumer hears of them. Nothing pending is left in the alert database, and after a restart the problems
 * list has no ProbeFailing (before issue 15, every in-flight probe became a timeout: 127 pending alerts).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { makeRefnetConfig } from '../kit/refnet.js';
import { spawnDaemon, type DaemonChild } from '../kit/proc.js';
import { requireTool } from '../helpers/requireTool.js';
import { until } from './helpers.js';

const haveFping = requireTool({ commands: ['fping', 'pgrep'] }, 'ping burst through fping (apt-get install fping procps)');

const cfg = makeRefnetConfig();
// Bursts that keep fping busy for most of each 10 s cycle, and one target pinged by a real fping (the
// simulated ones answer the simulator's UDP echo).
const main = join(cfg.dir, 'netmon.yaml');
writeFileSync(main, readFileSync(main, 'utf8').replace(/(\n {2}ping:\n {4})interval: 60s\n {4}count: 10/, '$1interval: 10s\n    count: 20'));
appendFileSync(join(cfg.dir, 'targets', 'datacentre.yaml'), '\n  - { name: noc-pc, address: 127.0.0.1, site: ttdl, role: server, ping: {} }\n');
const alertsDb = join(cfg.dir, '..', 'data', 'netmon.alerts.db');
const daemons: DaemonChild[] = [];
afterAll(async () => {
  for (const d of daemons) await d.stop(2000);
  cfg.cleanup();
});

const fpingRunning = (pid: number) => {
  try {
    return execFileSync('pgrep', ['-P', String(pid), 'fping'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
};

it.runIf(haveFping)('Ctrl-C in the middle of a ping burst leaves no pending alert behind, before or after a restart', async () => {
  const a = await spawnDaemon(cfg.file);
  daemons.push(a);
  // A first cycle done (so the alert engine is live), then the next burst in flight.
  await until('a ping result', async () => (await (await fetch(`${a.url}metrics`)).text()).includes('netmon_ping_loss_ratio{'), 30_000);
  await until('fping in flight', () => fpingRunning(a.pid), 30_000);
  a.child.kill('SIGINT');
  const exit = await a.exited;
  expect(exit.code).toBe(0);
  expect(a.stderr()).toMatch(/"msg":"stopped"/);

  // A run that really failed before the Ctrl-C (an agent slow on a loaded machine) is a failure and is
  // logged as one; a cancelled run is neither logged nor alerted. So the alerts may name only those targets.
  const reallyFailed = new Set(
    a
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"msg":"probe failed"'))
      .map((l) => (JSON.parse(l) as { target?: string }).target),
  );
  const db = new Database(alertsDb, { readonly: true });
  const targetsOf = (table: string) =>
    (db.prepare(`SELECT labels FROM ${table} WHERE rule = 'ProbeFailing'`).all() as { labels: string }[]).map((r) => (JSON.parse(r.labels) as { target?: string }).target);
  const pending = targetsOf('alert_instances');
  const history = targetsOf('alert_history');
  db.close();
  expect(reallyFailed.size).toBeLessThan(5); // before issue 15 every in-flight run failed: 127
  expect(pending.filter((t) => !reallyFailed.has(t))).toEqual([]);
  expect(history.filter((t) => !reallyFailed.has(t))).toEqual([]);

  const b = await spawnDaemon(cfg.file);
  daemons.push(b);
  await until('ready', async () => (await fetch(`${b.url}-/ready`)).status === 200, 30_000);
  const problems = (await (await fetch(`${b.url}api/v1/problems`)).json()) as { problems: { target: string | null; alert: { alertname: string } | null }[] };
  expect(problems.problems.filter((p) => p.alert?.alertname === 'ProbeFailing' && !reallyFailed.has(p.target ?? undefined))).toEqual([]);
}, 90_000);
