/**
 * The compiled daemon (a child process) with alerts firing and re-sent every second to an Alertmanager
 * stub, so the alert timer writes a delivery row every second, while its data directory's disk is full
 * (a tmpfs taken by a filler file) or its alerts database is write-locked by another process. Before
 * issue 24 the first failed write was thrown out of the timer and killed the process (SQLITE_FULL), and
 * a locked database blocked the event loop 2 s per write. Now: the process stays up, /-/healthy and
 * /metrics answer fast, polling goes on without a skipped cycle, the errors are counted, the alert
 * history made meanwhile is written once the fault is gone, and SIGTERM exits 0 even on a full disk.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimBlock } from '../kit/refnet.js';
import { metricValue, scrape, spawnDaemon, type DaemonChild } from '../kit/proc.js';
import { requireTool } from '../helpers/requireTool.js';
import { fill, holdWriteLock, mountTmpfs, until, type Tmpfs } from './helpers.js';

const root = requireTool({ root: true, commands: ['mount', 'umount'] }, 'full-disk test of the daemon (tmpfs mount)');
const built = existsSync(join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js'));
if (!built && process.env.CI === 'true') throw new Error('run `npm run build` first: these tests spawn the compiled daemon');

/** How long the daemon is watched on the full disk (FULL_DISK_WATCH_S=600 for a 10-minute soak). */
const FULL_WATCH_MS = Number(process.env.FULL_DISK_WATCH_S ?? 12) * 1000;

const cleanups: (() => unknown)[] = [];
let block: number;
let amPosts = 0;
let am: Server;
let amUrl: string;
beforeAll(async () => {
  const claim = claimBlock();
  block = claim.block;
  cleanups.push(claim.release);
  am = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      amPosts++;
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => am.listen(0, '127.0.0.1', r));
  amUrl = `http://127.0.0.1:${(am.address() as { port: number }).port}`;
  cleanups.push(() => new Promise((r) => am.close(r)));
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function config(dataDir: string): string {
  return `server: { listen_address: 127.0.0.1, language: en }
storage: { path: ${join(dataDir, 'netmon.db')} }
simulate: { enabled: true, seed: 7 }
credentials:
  sim: { version: "2c", community: public }
sites:
  - { id: lab, name: Lab, group: datacentre }
targets:
  - name: lab-srv
    address: 127.${block}.0.11
    site: lab
    role: server
    snmp: { credential: sim, port: 1161, interval: 2s, timeout: 500ms }
alerting:
  resend_interval: 1s
  receivers:
    - { name: am, type: alertmanager, url: "${amUrl}" }
  rules:
    - { name: AgentUp, kind: threshold, metric: netmon_probe_success, above: 0.5 }
    - { name: ConfigReloadFailed, kind: config_reload_failed }
`;
}

/** A config dir (outside the data dir, which may be full) with the daemon's main file. */
function configDir(dataDir: string): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-alertsdb-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'netmon.yaml');
  writeFileSync(file, config(dataDir));
  return { file, dir };
}

async function timed(url: string): Promise<{ ms: number; status: number; text: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { ms: performance.now() - t0, status: res.status, text };
}

const num = (text: string, name: string, labels = '') => metricValue(text, name, labels) ?? 0;

/** Alert history rows of a rule and event in the alerts database (read by a connection of the test). */
function historyRows(file: string, rule: string, event: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM alert_history WHERE rule = ? AND event = ?').pluck().get(rule, event) as number;
  } finally {
    db.close();
  }
}

/**
 * Watch the daemon for `ms`: /-/healthy and /metrics every 250 ms must answer 200, each in under 1 s,
 * and the process must stay up. Returns the slowest answers and the first and last scrape.
 */
async function watch(d: DaemonChild, ms: number): Promise<{ healthyMaxMs: number; metricsMaxMs: number; first: string; last: string }> {
  const end = Date.now() + ms;
  let healthyMaxMs = 0;
  let metricsMaxMs = 0;
  let first = '';
  let last = '';
  while (Date.now() < end) {
    expect(d.child.exitCode, d.stderr().slice(-2000)).toBeNull();
    const h = await timed(`${d.url}-/healthy`);
    const m = await timed(`${d.url}metrics`);
    expect(h.status).toBe(200);
    expect(m.status).toBe(200);
    healthyMaxMs = Math.max(healthyMaxMs, h.ms);
    metricsMaxMs = Math.max(metricsMaxMs, m.ms);
    first ||= m.text;
    last = m.text;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(healthyMaxMs).toBeLessThan(1000);
  expect(metricsMaxMs).toBeLessThan(1000);
  return { healthyMaxMs, metricsMaxMs, first, last };
}

/** SIGHUP with a broken main file: the ConfigReloadFailed alert fires (a history row to write); then the good file back. */
async function failReload(d: DaemonChild, file: string, dataDir: string): Promise<void> {
  writeFileSync(file, 'targets: [ { name: broken\n');
  d.child.kill('SIGHUP');
  await until('the reload failed', async () => num(await scrape(d.url), 'netmon_config_last_reload_successful') === 0 && d.stderr().split('\n').some((l) => l.includes('"alert firing"') && l.includes('ConfigReloadFailed')), 10_000);
  writeFileSync(file, config(dataDir));
}

describe.runIf(root && built)('the daemon when its alerts database cannot be written', () => {
  it('full disk: stays up, answers fast, keeps polling, counts the errors, catches up when space returns, and SIGTERM exits 0', async () => {
    const fs: Tmpfs = mountTmpfs('8m');
    cleanups.push(() => fs.cleanup());
    const data = join(fs.dir, 'data');
    mkdirSync(data);
    const { file } = configDir(data);
    const alertsDb = join(data, 'netmon.alerts.db');
    const d = await spawnDaemon(file);
    cleanups.push(() => d.stop(3000));
    // Alerts firing, delivered and recorded: the timer writes to the alerts database every second.
    await until('deliveries recorded', async () => amPosts >= 3 && num(await scrape(d.url), 'netmon_store_samples_written_total') > 0, 30_000);

    const filler = fill(fs.dir);
    const fullAt = Date.now();
    await until('an alerts write failed', async () => num(await scrape(d.url), 'netmon_db_write_errors_total', 'db="alerts"') > 0, 20_000);
    await failReload(d, file, data); // history made while the disk is full
    const full = await watch(d, FULL_WATCH_MS);
    const upFullS = (Date.now() - fullAt) / 1000;
    // Polling went on; the alert timer's writes kept failing and are counted, the store's too.
    expect(num(full.last, 'netmon_scheduler_runs_total')).toBeGreaterThanOrEqual(num(full.first, 'netmon_scheduler_runs_total') + 5);
    expect(num(full.last, 'netmon_scheduler_skipped_total')).toBe(num(full.first, 'netmon_scheduler_skipped_total'));
    expect(num(full.last, 'netmon_db_write_errors_total', 'db="alerts"')).toBeGreaterThan(num(full.first, 'netmon_db_write_errors_total', 'db="alerts"'));
    expect(num(full.last, 'netmon_db_writes_pending', 'db="alerts"')).toBeGreaterThan(0);
    expect(num(full.last, 'netmon_store_write_errors_total')).toBeGreaterThan(0);
    expect(historyRows(alertsDb, 'ConfigReloadFailed', 'firing')).toBe(0);
    // Logged once for the episode (then a summary line every 5 min), not once per write.
    const lines = d.stderr().split('\n').filter((l) => /alerts database: \w+ failed \(SQLITE_FULL\)/.test(l));
    expect(lines.filter((l) => !l.includes('still happening'))).toHaveLength(1);
    expect(lines.length).toBeLessThanOrEqual(1 + Math.ceil(upFullS / 300));
    console.log(`full disk: up ${upFullS.toFixed(0)} s on it, /-/healthy max ${full.healthyMaxMs.toFixed(0)} ms, /metrics max ${full.metricsMaxMs.toFixed(0)} ms`);

    // Space returns: what waited is written, by itself.
    unlinkSync(filler);
    await until('pending alert writes written', async () => num(await scrape(d.url), 'netmon_db_writes_pending', 'db="alerts"') === 0, 40_000);
    expect(historyRows(alertsDb, 'ConfigReloadFailed', 'firing')).toBe(1);
    expect(d.stderr()).toMatch(/alerts database: writes succeed again/);
    await until('store caught up', async () => num(await scrape(d.url), 'netmon_store_queued_samples') === 0, 40_000);

    // Full again, then SIGTERM: a clean stop (exit 0, store closed), the unwritable counted in the log.
    const filler2 = fill(fs.dir);
    const errs = num(await scrape(d.url), 'netmon_db_write_errors_total', 'db="alerts"');
    await until('full again', async () => num(await scrape(d.url), 'netmon_db_write_errors_total', 'db="alerts"') > errs, 20_000);
    const exit = await d.stop(8000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(d.stderr()).toMatch(/"msg":"stopped"/);
    expect(d.stderr()).toMatch(/pending writes could not be made before shutdown; lost/);

    // A restart on the still-full disk (systemd's Restart=): it starts, polls and alerts, and stays up;
    // before, it died ~1 s in, again and again.
    const again = await spawnDaemon(file);
    cleanups.push(() => again.stop(3000));
    const errsAgain = async () => num(await scrape(again.url), 'netmon_db_write_errors_total', 'db="alerts"');
    await until('alert writes failing after the restart', async () => (await errsAgain()) > 0, 30_000);
    const restarted = await watch(again, 5_000);
    expect(num(restarted.last, 'netmon_scheduler_runs_total')).toBeGreaterThan(num(restarted.first, 'netmon_scheduler_runs_total'));
    expect(await again.stop(8000)).toEqual({ code: 0, signal: null });
    unlinkSync(filler2);
    for (const f of [alertsDb, join(data, 'netmon.db')]) {
      const db = new Database(f, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    }
  }, 150_000 + FULL_WATCH_MS);

  it('alerts database write-locked by another process: /-/healthy under 1 s throughout, no skipped cycle, history written after the release', async () => {
    const data = mkdtempSync(join(tmpdir(), 'netmon-alertsdb-data-'));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    const { file } = configDir(data);
    const alertsDb = join(data, 'netmon.alerts.db');
    const d = await spawnDaemon(file);
    cleanups.push(() => d.stop(3000));
    const posts = amPosts;
    await until('deliveries recorded', () => amPosts >= posts + 3, 30_000);

    const lock = await holdWriteLock(alertsDb);
    cleanups.push(() => lock.release());
    await until('an alerts write failed', async () => num(await scrape(d.url), 'netmon_db_write_errors_total', 'db="alerts",op="delivery",code="SQLITE_BUSY"') > 0, 20_000);
    await failReload(d, file, data);
    // Deliveries every second, each a write against the lock: before, 2 s of blocked event loop each.
    const locked = await watch(d, 15_000);
    expect(num(locked.last, 'netmon_scheduler_skipped_total')).toBe(num(locked.first, 'netmon_scheduler_skipped_total'));
    expect(num(locked.last, 'netmon_scheduler_runs_total')).toBeGreaterThanOrEqual(num(locked.first, 'netmon_scheduler_runs_total') + 5);
    expect(num(locked.last, 'netmon_db_writes_pending', 'db="alerts"')).toBeGreaterThan(0);
    expect(amPosts).toBeGreaterThan(posts + 6); // re-sends go on: notifications are not held up by their bookkeeping
    expect(historyRows(alertsDb, 'ConfigReloadFailed', 'firing')).toBe(0);
    console.log(`write lock: /-/healthy max ${locked.healthyMaxMs.toFixed(0)} ms, /metrics max ${locked.metricsMaxMs.toFixed(0)} ms over 15 s`);

    await lock.release();
    await until('pending alert writes written', async () => num(await scrape(d.url), 'netmon_db_writes_pending', 'db="alerts"') === 0, 40_000);
    expect(historyRows(alertsDb, 'ConfigReloadFailed', 'firing')).toBe(1);
    expect(await d.stop(8000)).toEqual({ code: 0, signal: null });
  }, 120_000);
});
