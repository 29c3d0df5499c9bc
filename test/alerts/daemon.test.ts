/**
 * The daemon wiring: alerting runs inside netmon on the shipped (simulated) config, its API is mounted at
 * /api/v1/alerts, its families are on /metrics, and a failed config reload raises ConfigReloadFailed,
 * delivered to a webhook on loopback, resolved by the next good reload.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { makeRefnetConfig, type RefnetConfig } from '../kit/refnet.js';
import { startReceiver, webhookAlerts, type TestReceiver } from './helpers.js';

let cfg: RefnetConfig;
let daemon: Daemon;
let hook: TestReceiver;

beforeAll(async () => {
  hook = await startReceiver();
  cfg = makeRefnetConfig({
    transform: (text) => text.replace(/^alerting:\n/m, `alerting:\n  receivers:\n    - { name: chat, type: webhook, url: "${hook.url}/hook" }\n`),
  });
  daemon = await startDaemon({ configFile: cfg.file, log: pino({ level: 'silent' }), port: 0 });
});
afterAll(async () => {
  await daemon?.stop();
  await hook?.close();
  cfg?.cleanup();
});

describe('alerting in the daemon', () => {
  it('serves the API and the metrics', async () => {
    const rules = (await (await fetch(`${daemon.url}api/v1/alerts/rules`)).json()) as { rules: { name: string }[] };
    expect(rules.rules.map((r) => r.name)).toContain('SiteUnreachable');
    const list = await fetch(`${daemon.url}api/v1/alerts`);
    expect(list.status).toBe(200);
    const metrics = await (await fetch(`${daemon.url}metrics`)).text();
    expect(metrics).toContain('# TYPE netmon_alerts gauge');
    expect(metrics).toMatch(/netmon_alerts\{alertname="UplinkSaturated",severity="warning",state="firing"\} \d/);
    expect(metrics).toContain('netmon_alert_notifications_total{receiver="chat",result="success"} 0');
    expect(metrics).not.toContain(hook.url);
  });

  it('a failed reload fires ConfigReloadFailed; the next good one resolves it', async () => {
    const good = readFileSync(cfg.file, 'utf8');
    writeFileSync(cfg.file, good.replace('max_concurrency: 64', 'max_concurency: 64'));
    expect(daemon.reload().ok).toBe(false);
    await hook.waitFor((r) => webhookAlerts(r).some((a) => a.labels.alertname === 'ConfigReloadFailed'));
    const fired = webhookAlerts(hook.received).find((a) => a.labels.alertname === 'ConfigReloadFailed')!;
    expect(fired.status).toBe('firing');
    expect(fired.annotations.description).toMatch(/max_concurency/);
    writeFileSync(cfg.file, good);
    expect(daemon.reload().ok).toBe(true);
    await hook.waitFor((r) => webhookAlerts(r).some((a) => a.labels.alertname === 'ConfigReloadFailed' && a.status === 'resolved'));
    const hist = (await (await fetch(`${daemon.url}api/v1/alerts/history?alertname=ConfigReloadFailed`)).json()) as { events: { event: string }[] };
    expect(hist.events.map((e) => e.event)).toEqual(['resolved', 'firing']);
  });
});
