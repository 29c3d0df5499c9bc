/**
 * Notifications to real HTTP receivers on loopback: Alertmanager's API v2 payload, the webhook payload,
 * credentials from the URL, re-sends, retries with backoff after a receiver was down, no re-notification
 * across a restart, silences, acknowledgements, the bounded queue, and polling never waiting for delivery.
 */
import client from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Alerting } from '../../src/alerts/index.js';
import { amAlerts, configWith, failed, ok, ProbeError, startReceiver, target, tempDir, webhookAlerts, type TestReceiver } from './helpers.js';

const MIN = 60_000;
let clock = Date.UTC(2024, 9, 15, 1, 0, 0);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(): Promise<TestReceiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

function make(alerting: unknown, dir = tempDir(), registry?: client.Registry) {
  const a = new Alerting({ config: configWith(alerting, dir.dir), now: () => clock, tickMs: 0, registry, externalUrl: 'http://netmon.example:9300/' });
  cleanups.push(dir.cleanup, () => a.close());
  return a;
}

const sw = target('sw-so-noi-vu');
const down = (a: Alerting) => a.accept(failed(sw, 'snmp', clock, new ProbeError('timeout', 'no answer')));
const up = (a: Alerting) => a.accept(ok(sw, 'snmp', clock, []));
const rules = [{ name: 'ProbeFailing', kind: 'probe_failing', severity: 'critical', labels: { team: 'noc' } }];

async function settle(a: Alerting) {
  for (let i = 0; i < 200 && (a.notifier.busy || a.receivers().some((r) => r.queued > 0 && r.consecutive_failures === 0)); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('notifications', () => {
  it('posts Alertmanager-shaped alerts to /api/v2/alerts and the webhook payload, with credentials from the config', async () => {
    const am = await receiver();
    const hook = await receiver();
    const a = make({
      rules,
      receivers: [
        { name: 'am', type: 'alertmanager', url: `http://netmon:s3cr%40t@127.0.0.1:${am.port}/` },
        { name: 'chat', type: 'webhook', url: `${hook.url}/hooks/netmon?token=abc`, headers: { 'X-Api-Key': 'key-123' } },
      ],
    });
    down(a);
    await am.waitFor((r) => r.length === 1);
    await hook.waitFor((r) => r.length === 1);
    const req = am.received[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v2/alerts');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('netmon:s3cr@t').toString('base64')}`);
    expect(req.headers['content-type']).toBe('application/json');
    const [alert] = amAlerts(am.received);
    expect(alert).toEqual({
      labels: { alertname: 'ProbeFailing', severity: 'critical', team: 'noc', target: 'sw-so-noi-vu', site: 'so-noi-vu', probe: 'snmp' },
      annotations: { summary: 'The snmp probe of sw-so-noi-vu is failing (timeout)' },
      startsAt: new Date(clock).toISOString(),
      endsAt: new Date(clock + 4 * MIN).toISOString(),
      generatorURL: 'http://netmon.example:9300/api/v1/alerts?alertname=ProbeFailing',
    });
    expect(hook.received[0]!.path).toBe('/hooks/netmon?token=abc');
    expect(hook.received[0]!.headers['x-api-key']).toBe('key-123');
    expect(hook.received[0]!.body).toMatchObject({ version: '4', status: 'firing', receiver: 'chat', commonLabels: { alertname: 'ProbeFailing' }, externalURL: 'http://netmon.example:9300/' });
    expect(webhookAlerts(hook.received)[0]).toMatchObject({ status: 'firing', endsAt: '0001-01-01T00:00:00Z', labels: { target: 'sw-so-noi-vu' } });

    // Alertmanager gets a re-send every resend_interval; the webhook does not (repeat_interval 4h)
    await settle(a);
    clock += MIN;
    a.tick();
    await am.waitFor((r) => r.length === 2);
    expect(amAlerts(am.received)[1]!.startsAt).toBe(alert!.startsAt);
    await settle(a);
    // resolution: endsAt = when it resolved
    clock += 30_000;
    up(a);
    await am.waitFor((r) => r.length === 3);
    await hook.waitFor((r) => r.length === 2);
    expect(amAlerts(am.received)[2]!.endsAt).toBe(new Date(clock).toISOString());
    // the resolution still says what was wrong (the successful run has no reason of its own)
    expect(webhookAlerts(hook.received)[1]).toMatchObject({ status: 'resolved', endsAt: new Date(clock).toISOString(), annotations: { summary: 'The snmp probe of sw-so-noi-vu is failing (timeout)' } });
    await settle(a);
    expect(a.engine.instances()).toEqual([]); // told everyone: forgotten (history keeps it)
    expect(hook.received).toHaveLength(2);
  });

  it('retries a receiver that is down with backoff, then delivers; metrics count both', async () => {
    const hook = await receiver();
    hook.mode = 503;
    const registry = new client.Registry();
    const a = make({ rules, retry: { initial_backoff: '20ms', max_backoff: '100ms' }, receivers: [{ name: 'chat', type: 'webhook', url: hook.url }] }, tempDir(), registry);
    down(a);
    // backoff is measured on the alerting clock: let it move with real time for this test
    const t0 = Date.now();
    const base = clock;
    const timer = setInterval(() => {
      clock = base + (Date.now() - t0);
      a.tick();
    }, 10);
    cleanups.push(() => clearInterval(timer));
    await new Promise((r) => setTimeout(r, 300));
    const st = a.receivers()[0]!;
    expect(st.consecutive_failures).toBeGreaterThanOrEqual(2);
    expect(st.last_error).toBe('HTTP 503');
    expect(st.queued).toBe(1);
    hook.mode = 200;
    await hook.waitFor((r) => r.length === 1, 3000);
    await settle(a);
    expect(a.receivers()[0]).toMatchObject({ consecutive_failures: 0, queued: 0 });
    const text = await registry.metrics();
    expect(text).toMatch(/netmon_alert_notifications_total\{receiver="chat",result="success"\} 1/);
    expect(text).toMatch(/netmon_alert_notifications_total\{receiver="chat",result="failure"\} [2-9]/);
    expect(text).toMatch(/netmon_alerts\{alertname="ProbeFailing",severity="critical",state="firing"\} 1/);
    expect(text).not.toContain(hook.url);
  });

  it('a receiver whose port is closed is retried until it listens', async () => {
    const probe = await startReceiver();
    const port = probe.port;
    await probe.close(); // nothing listens here now
    const a = make({ rules, retry: { initial_backoff: '10ms', max_backoff: '50ms' }, receivers: [{ name: 'am', type: 'alertmanager', url: `http://127.0.0.1:${port}` }] });
    down(a);
    for (let i = 0; i < 50 && a.receivers()[0]!.consecutive_failures < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      clock += 100;
      a.tick();
    }
    expect(a.receivers()[0]!.last_error).toMatch(/connection failed \(ECONNREFUSED\)/);
    const am = await startReceiver(port);
    cleanups.push(() => am.close());
    for (let i = 0; i < 100 && am.received.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      clock += 100;
      a.tick();
    }
    expect(amAlerts(am.received)[0]!.labels.alertname).toBe('ProbeFailing');
  });

  it('a restart in the middle of a firing alert does not notify again', async () => {
    const hook = await receiver();
    const am = await receiver();
    const dir = tempDir();
    const cfg = { rules, resend_interval: '1m', receivers: [{ name: 'chat', type: 'webhook', url: hook.url }, { name: 'am', type: 'alertmanager', url: am.url }] };
    const first = new Alerting({ config: configWith(cfg, dir.dir), now: () => clock, tickMs: 0 });
    down(first);
    await hook.waitFor((r) => r.length === 1);
    await am.waitFor((r) => r.length === 1);
    await first.close();

    clock += 30_000;
    const second = make(cfg, dir);
    down(second);
    second.tick();
    await new Promise((r) => setTimeout(r, 200));
    expect(hook.received).toHaveLength(1);
    expect(am.received).toHaveLength(1); // the re-send is not due yet either
    clock += 40_000;
    down(second);
    second.tick();
    await am.waitFor((r) => r.length === 2);
    expect(amAlerts(am.received)[1]!.startsAt).toBe(amAlerts(am.received)[0]!.startsAt); // the same alert, refreshed
    await settle(second);
    expect(hook.received).toHaveLength(1);
    up(second);
    await hook.waitFor((r) => r.length === 2);
    expect(webhookAlerts(hook.received).map((x) => x.status)).toEqual(['firing', 'resolved']);
  });

  it('a notification that was not delivered before a restart is delivered after it', async () => {
    const hook = await receiver();
    hook.mode = 500;
    const dir = tempDir();
    const cfg = { rules, retry: { initial_backoff: '1h' }, receivers: [{ name: 'chat', type: 'webhook', url: hook.url }] };
    const first = new Alerting({ config: configWith(cfg, dir.dir), now: () => clock, tickMs: 0 });
    down(first);
    for (let i = 0; i < 100 && first.receivers()[0]!.consecutive_failures === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await first.close();
    hook.mode = 200;
    make(cfg, dir);
    await hook.waitFor((r) => r.length === 1);
    expect(webhookAlerts(hook.received)[0]!.status).toBe('firing');
  });

  it('silences and acknowledgements', async () => {
    const hook = await receiver();
    const a = make({ rules, receivers: [{ name: 'chat', type: 'webhook', url: hook.url, repeat_interval: '10m' }] });
    const s = a.addSilence({ matchers: [{ name: 'target', value: 'sw-so-.*', regex: true }], endsAt: clock + 30 * MIN, createdBy: 'lan', comment: 'fibre works' });
    down(a);
    a.tick();
    await new Promise((r) => setTimeout(r, 100));
    expect(hook.received).toHaveLength(0);
    expect(a.alerts()[0]!.silenced_by).toEqual([s.id]);
    a.expireSilence(s.id);
    a.tick();
    await hook.waitFor((r) => r.length === 1);
    await settle(a);
    // repeats every 10 minutes until acknowledged
    clock += 10 * MIN;
    down(a); // still failing (a series that stops arriving would resolve as stale)
    a.tick();
    await hook.waitFor((r) => r.length === 2);
    await settle(a);
    const fp = a.alerts()[0]!.fingerprint;
    expect(a.acknowledge(fp, 'lan', 'on it')!.acknowledged).toMatchObject({ by: 'lan', comment: 'on it' });
    clock += 20 * MIN;
    down(a);
    a.tick();
    await new Promise((r) => setTimeout(r, 100));
    expect(hook.received).toHaveLength(2);
    up(a);
    await hook.waitFor((r) => r.length === 3);
    expect(a.history({ limit: 10 }).map((e) => e.event)).toEqual(['resolved', 'acknowledged', 'firing']);
  });

  it('keeps the queue bounded while a receiver is down', async () => {
    const hook = await receiver();
    hook.mode = 503;
    const registry = new client.Registry();
    const a = make({ rules, max_queue: 10, retry: { initial_backoff: '1h' }, receivers: [{ name: 'chat', type: 'webhook', url: hook.url }] }, tempDir(), registry);
    for (let i = 0; i < 30; i++) {
      const t = target(`sw-${i}`);
      a.accept(failed(t, 'snmp', clock, new ProbeError('timeout', 'no answer')));
    }
    for (let i = 0; i < 100 && a.receivers()[0]!.consecutive_failures === 0; i++) await new Promise((r) => setTimeout(r, 10));
    a.tick();
    expect(a.receivers()[0]!.queued).toBeLessThanOrEqual(10);
    expect(await registry.metrics()).toMatch(/netmon_alert_notifications_total\{receiver="chat",result="dropped"\} 2\d/);
  });

  it('a receiver that hangs never slows evaluation', async () => {
    const hook = await receiver();
    hook.mode = 'hang';
    const a = make({ rules: [{ name: 'U', kind: 'uplink_utilization', above: 0.5 }], receivers: [{ name: 'chat', type: 'webhook', url: hook.url, timeout: '30s' }] });
    const core = target('dc-core', 'ttdl');
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) {
      a.accept(ok(core, 'snmp', clock, [{ metric: 'netmon_uplink_utilization_ratio', labels: { uplink: 'international', direction: 'in' }, value: i % 2 ? 0.9 : 0.1 }]));
      clock += MIN;
      await new Promise((r) => setImmediate(r)); // let the notifier start its (hanging) request
    }
    const ms = performance.now() - t0;
    expect(a.notifier.busy).toBe(true);
    expect(ms).toBeLessThan(2000);
  });
});
