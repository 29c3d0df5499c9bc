/**
 * /api/v1/problems with the alert engine (issue 8): pending and firing alerts are the problems, with their
 * acknowledgement and silences; the dashboard's threshold checks stay only for what no configured rule
 * watches. Real Alerting (SQLite), real express app, the known network of api-fixture.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerting } from '../../src/alerts/index.js';
import { buildTargets } from '../../src/config/model.js';
import { alerting as alertingSchema } from '../../src/config/schema.js';
import { alertsRouter } from '../../src/http/alerts.js';
import { problems } from '../../src/domain/problems.js';
import { failed, ok, ProbeError, targetState, tempDir } from '../alerts/helpers.js';
import { compileRule } from '../../src/alerts/rules.js';
import { getJson, startFixture, type Fixture } from './api-fixture.js';

let f: Fixture;
let alerting: Alerting;
const dir = tempDir();
const RULES = {
  rules: [
    { name: 'SiteUnreachable', kind: 'site_unreachable', severity: 'critical' },
    { name: 'UplinkSaturated', kind: 'uplink_utilization', above: 0.9, clear_below: 0.8 },
    { name: 'ServerCpuHigh', kind: 'host_cpu', above: 0.9, summary: 'CPU của {{ target }}: {{ value | percent }}' },
    { name: 'SitePacketLoss', kind: 'ping_loss', above: 0.15, for: '5m' },
    // selects only ports described "Cáp…": the printer port (Gi1/0/2, "Máy in") stays a threshold problem
    { name: 'FibrePortDown', kind: 'interface_down', match: { if_alias: 'Cáp.*' } },
  ],
};

beforeAll(async () => {
  // The fixture's app gets the engine through a late-bound source (the engine needs the fixture's config).
  const source = { alerts: () => alerting.alerts(), rules: () => alerting.rules(), silences: () => alerting.silences() };
  f = await startFixture({ alerting: source });
  alerting = new Alerting({ config: { ...f.config, alerting: alertingSchema.parse(RULES) }, dbPath: `${dir.dir}/alerts.db`, tickMs: 0 });
  const T = new Map(buildTargets(f.config).map((t) => [t.name, t]));
  const now = Date.now();
  const lbl = (t: string, extra: Record<string, string> = {}) => ({ target: t, ...extra });
  alerting.accept(ok(T.get('dc-core')!, 'snmp', now, [{ metric: 'netmon_uplink_utilization_ratio', labels: { uplink: 'international', direction: 'in' }, value: 0.95 }]));
  // the status module decided sw-vy-da is down (ping lost every echo): that is what SiteUnreachable reads
  const vyDa = T.get('sw-vy-da')!;
  alerting.accept(ok(vyDa, 'ping', now, [{ metric: 'netmon_ping_reachability_state', labels: lbl('sw-vy-da', { method: 'fping' }), value: 0 }, ...targetState(vyDa, 0, ['ping_down'])]));
  alerting.accept(ok(T.get('sw-a-luoi')!, 'ping', now, [{ metric: 'netmon_ping_loss_ratio', labels: lbl('sw-a-luoi', { method: 'fping' }), value: 0.2 }]));
  alerting.accept(
    ok(T.get('srv-web')!, 'snmp', now, [
      { metric: 'netmon_host_cpu_load_ratio', labels: lbl('srv-web', { cpu: '1' }), value: 0.98 },
      { metric: 'netmon_host_cpu_load_ratio', labels: lbl('srv-web', { cpu: '2' }), value: 0.92 },
    ]),
  );
});
afterAll(async () => {
  await f?.close();
  await alerting?.close();
  dir.cleanup();
});

const line = (p: any) => (p.source === 'alert' ? `alert:${p.alert.alertname}:${p.alert.state}:${p.subject}` : `${p.kind}:${p.subject}:${p.detail.join('+')}`);

describe('problems from the alert engine', () => {
  it('alerts replace the threshold checks they cover; what no rule watches stays; critical, then firing, then pending', async () => {
    const { status, body } = await getJson(`${f.url}/api/v1/problems`);
    expect(status).toBe(200);
    expect(body.problems.map(line)).toEqual([
      'alert:SiteUnreachable:firing:sw-vy-da',
      'alert:ServerCpuHigh:firing:srv-web',
      'alert:UplinkSaturated:firing:Quốc tế',
      'optical_low:sw-so-tttt Gi1/0/25:rx', // no rule watches Rx at the warning level
      'interface_down:sw-so-tttt Gi1/0/2:Máy in', // FibrePortDown's match does not select it
      'site_degraded:a-luoi:latency', // loss is SitePacketLoss's; latency has no rule
      'alert:SitePacketLoss:pending:sw-a-luoi',
    ]);
    const down = body.problems[0];
    expect(down).toMatchObject({ kind: 'alert', source: 'alert', severity: 'critical', site: 'phuong-vy-da', site_name: 'Phường Vỹ Dạ', target: 'sw-vy-da', value: 1, threshold: null, detail: [] });
    expect(down.alert).toMatchObject({ alertname: 'SiteUnreachable', state: 'firing', summary: 'Site Phường Vỹ Dạ (sw-vy-da) is unreachable', acknowledged: null, silenced_by: [], silenced_until: null, rule_kind: 'site_unreachable', default_summary: true });
    expect(down.alert.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(down.alert.labels).toMatchObject({ alertname: 'SiteUnreachable', severity: 'critical', target: 'sw-vy-da', site: 'phuong-vy-da', site_group: 'ward' });
    expect(down.ts).toBe(down.alert.starts_at);
    // an operator's own summary is not netmon's default text (the dashboard translates only the latter)
    expect(body.problems[1].alert).toMatchObject({ summary: 'CPU của srv-web: 95%', rule_kind: 'host_cpu', default_summary: false });
    // threshold problems say where they come from, and have no alert
    expect(body.problems[3]).toMatchObject({ source: 'threshold', alert: null, severity: 'warning' });
  });

  it('shows acknowledgements and silences; a silenced alert goes to the end of its severity', async () => {
    const list = () => problems(f.config, f.live, f.status, Date.now(), alerting);
    const up = list().find((p) => p.alert?.alertname === 'UplinkSaturated')!;
    const down = list().find((p) => p.alert?.alertname === 'SiteUnreachable')!;
    alerting.acknowledge(down.alert!.fingerprint, 'lan', 'đang xử lý');
    const s = alerting.addSilence({ matchers: Object.entries(up.alert!.labels).map(([name, value]) => ({ name, value })), endsAt: Date.now() + 3600e3, createdBy: 'lan', comment: 'bảo trì' });
    const { body } = await getJson(`${f.url}/api/v1/problems`);
    const acked = body.problems.find((p: any) => p.alert?.alertname === 'SiteUnreachable');
    expect(acked.alert.acknowledged).toMatchObject({ by: 'lan', comment: 'đang xử lý' });
    const muted = body.problems.at(-1);
    expect(muted.alert).toMatchObject({ alertname: 'UplinkSaturated', silenced_by: [s.id], silenced_until: s.endsAt });
    alerting.expireSilence(s.id);
    alerting.unacknowledge(down.alert!.fingerprint);
    expect(list().find((p) => p.alert?.alertname === 'UplinkSaturated')!.alert!.silenced_by).toEqual([]);
  });

  it('without rules, the threshold checks are the whole list (as before alerting)', () => {
    const none = { alerts: () => [], rules: () => [], silences: () => [] };
    expect(problems(f.config, f.live, f.status, Date.now(), none).map(line)).toEqual(problems(f.config, f.live, f.status).map(line));
    expect(problems(f.config, f.live, f.status).map((p) => p.kind)).toEqual(['site_down', 'uplink_saturated', 'optical_low', 'interface_down', 'server', 'site_degraded']);
  });
});

describe('GET /api/v1/alerts/history?event=', () => {
  it('filters by event kind, several comma-separated', async () => {
    const app = await import('express');
    const srv = app.default().use('/api/v1/alerts', alertsRouter(alerting));
    const server = await new Promise<import('node:http').Server>((r) => {
      const s = srv.listen(0, '127.0.0.1', () => r(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/api/v1/alerts/history`;
      const firing = (await getJson(`${base}?event=firing`)).body.events;
      expect(firing.map((e: any) => e.rule).sort()).toEqual(['ServerCpuHigh', 'SiteUnreachable', 'UplinkSaturated']);
      expect(firing.every((e: any) => e.event === 'firing')).toBe(true);
      const both = (await getJson(`${base}?event=pending,acknowledged&limit=10`)).body.events.map((e: any) => e.event);
      expect(new Set(both)).toEqual(new Set(['pending', 'acknowledged']));
      expect((await getJson(`${base}?event=exploded`)).status).toBe(400);
      expect((await getJson(`${base}?event=`)).status).toBe(400);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('a site whose SNMP agent rejects the credentials', () => {
  it('is degraded (misconfigured), never down; the reason stays a threshold problem unless a probe_failing rule watches SNMP', async () => {
    const t = buildTargets(f.config).find((x) => x.name === 'sw-a-luoi')!;
    const now = Date.now();
    // twice: a new SNMP verdict must be confirmed (hysteresis)
    for (const dt of [1, 2]) f.status.derive(failed(t, 'snmp', now + dt, new ProbeError('auth', 'authentication failed')));
    const site = (await getJson(`${f.url}/api/v1/sites`)).body.sites.find((s: any) => s.id === 'a-luoi');
    expect(site).toMatchObject({ state: 'degraded', reasons: ['loss', 'latency', 'snmp_auth'] });
    const none = { alerts: () => [], rules: () => [], silences: () => [] };
    expect(problems(f.config, f.live, f.status, now + 3, none).map(line)).toContain('site_degraded:a-luoi:loss+latency+snmp_auth');
    const cfg = alertingSchema.parse({ rules: [{ name: 'ProbeFailing', kind: 'probe_failing', probes: ['snmp'] }, { name: 'Loss', kind: 'ping_loss', above: 0.15 }] });
    const rules = cfg.rules.map((r) => compileRule(r, cfg, { uplinks: f.config.uplinks, sites: f.config.sites }));
    expect(problems(f.config, f.live, f.status, now + 3, { ...none, rules: () => rules }).map(line)).toContain('site_degraded:a-luoi:latency');
  });
});
