/**
 * Issue 24 item 2 on the real daemon (the compiled CLI as a child on the simulated reference network, so
 * a pinned event loop shows as a slow /-/healthy instead of hanging the test): the ReDoS silence
 * `(?:.|.|.|.)+!` on `alertname` (on 23 characters: hours per match with a backtracking RegExp) is
 * accepted and matched in linear time while alerts are pending; and a database that an older netmon left
 * with a silence RE2 refuses (a lookahead in front of the same pattern) starts, drops it with a counted log
 * line, and stays responsive. Needs `npm run build`.
 */
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { AlertsDb, alertsDbPath } from '../../src/alerts/db.js';
import { spawnDaemon, type DaemonChild } from '../kit/proc.js';
import { makeRefnetConfig } from '../kit/refnet.js';
import { until } from '../faults/helpers.js';

const HOSTILE = '(?:.|.|.|.)+!';
// Any traffic on an uplink makes this rule pending (and keeps it pending for an hour): alerts with a
// 23-character alertname as soon as dc-core's first two polls are in.
const cfg = makeRefnetConfig({
  dcCoreInterval: '2s',
  transform: (text) => text.replace(/^ {2}rules:\n/m, '  rules:\n    - { name: UplinkCarriesAnyTraffic, kind: uplink_utilization, above: 0, clear_below: 0, for: 1h }\n'),
});
const alertsDb = alertsDbPath(join(cfg.dir, '..', 'data', 'netmon.db'));
const daemons: DaemonChild[] = [];
afterAll(async () => {
  for (const d of daemons) await d.stop(2000);
  cfg.cleanup();
});

async function activeAlerts(url: string): Promise<{ state: string; alertname: string; silenced_by: string[] }[]> {
  const res = await fetch(`${url}api/v1/alerts`, { signal: AbortSignal.timeout(2000) });
  return ((await res.json()) as { alerts: { state: string; alertname: string; silenced_by: string[] }[] }).alerts;
}

/**
 * `n` /-/healthy answer times, one every 100 ms, slowest first. A backtracking match costs hours here, so a
 * pinned loop makes every answer time out (5 s); the median must be under 200 ms and the slowest under 1 s,
 * the margin being for this test machine's 2 cores, which other test runs share.
 */
async function healthyTimes(url: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}-/healthy`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  return times.sort((a, b) => b - a);
}

function expectResponsive(times: number[]): void {
  expect(times[times.length >> 1]).toBeLessThan(200);
  expect(times[0]).toBeLessThan(1000);
}

it('the ReDoS silence is matched in linear time: /-/healthy answers in under 200 ms with alerts pending', async () => {
  const d = await spawnDaemon(cfg.file);
  daemons.push(d);
  await until('an alert pending or firing', async () => (await activeAlerts(d.url).catch(() => [])).length > 0, 30_000);
  const res = await fetch(`${d.url}api/v1/alerts/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ matchers: [{ name: 'alertname', value: HOSTILE, regex: true }], duration: '1h', comment: 'ReDoS', created_by: 'red team' }),
    signal: AbortSignal.timeout(5000),
  });
  expect(res.status).toBe(201);
  const alerts = await activeAlerts(d.url);
  expect(alerts.some((a) => a.alertname === 'UplinkCarriesAnyTraffic' && a.state === 'pending')).toBe(true);
  expect(alerts.every((a) => a.silenced_by.length === 0)).toBe(true);
  expectResponsive(await healthyTimes(d.url, 20));
  expect((await d.stop()).code).toBe(0);
}, 90_000);

it('an older database holding a silence RE2 refuses starts, drops it (counted), and stays responsive', async () => {
  for (const old of daemons) await old.stop(2000);
  const db = new AlertsDb(alertsDb);
  const now = Date.now();
  db.saveSilence({ id: 'old-lookahead', matchers: [{ name: 'alertname', value: `(?=[A-Z])${HOSTILE}`, regex: true }], startsAt: now, endsAt: now + 3_600_000, createdBy: 'old', comment: 'x', createdAt: now });
  db.close();
  const d = await spawnDaemon(cfg.file);
  daemons.push(d);
  await until('an alert pending or firing', async () => (await activeAlerts(d.url).catch(() => [])).length > 0, 30_000);
  expectResponsive(await healthyTimes(d.url, 20));
  const log = d.stderr();
  expect(log).toMatch(/"id":"old-lookahead","reason":"matchers: invalid regular expression \(RE2 syntax\).*"msg":"dropped a stored silence that fails validation"/);
  expect(log).toMatch(/"msg":"dropped 1 stored silence\(s\) on load"/);
  // the linear one from the first run is kept
  const silences = (await (await fetch(`${d.url}api/v1/alerts/silences`)).json()) as { silences: { id: string; comment: string }[] };
  expect(silences.silences.map((s) => s.comment)).toEqual(['ReDoS']);
}, 90_000);
