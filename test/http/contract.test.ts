/**
 * Server and dashboard cannot drift apart (issue 15): real answers of every /api/v1 endpoint, from the real
 * app over HTTP (the known network of api-fixture.ts, a real alert engine with a webhook receiver on
 * loopback), are type-checked against the one HTTP contract the dashboard is compiled against
 * (dashboard/src/api-contract.ts; see contract-check.ts). Every route the routers register must have been
 * called here, so a new endpoint cannot skip the contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router } from 'express';
import { Alerting } from '../../src/alerts/index.js';
import { buildTargets } from '../../src/config/model.js';
import { alerting as alertingSchema } from '../../src/config/schema.js';
import { apiRouter, type ApiContext } from '../../src/http/api.js';
import type { AckRequest, ProblemsResponse, SilenceRequest, SiteDetailResponse } from '../../dashboard/src/api-contract.js';
import { ok as result, startReceiver, targetState, tempDir, type TestReceiver } from '../alerts/helpers.js';
import { alertsRouter, type AlertsApi } from '../../src/http/alerts.js';
import { startFixture, STEP, type Fixture } from './api-fixture.js';
import { checkAnswers, type Answer, type ContractType } from './contract-check.js';

let f: Fixture;
let alerting: Alerting;
let rx: TestReceiver;
const dir = tempDir();
const answers: Answer[] = [];
/** Route patterns called, as `METHOD /path` of the routers (`/alerts` prefix for the alerts router). */
const called = new Set<string>();

async function call(route: string, type: ContractType, path: string, init: { method?: string; body?: unknown; status?: number } = {}): Promise<any> {
  const method = init.method ?? 'GET';
  const res = await fetch(`${f.url}/api/v1${path}`, {
    method,
    headers: init.body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body: unknown = await res.json();
  expect(res.status, `${method} ${path}: ${JSON.stringify(body).slice(0, 300)}`).toBe(init.status ?? 200);
  const label = `${method} ${path} (${res.status})`;
  const again = answers.filter((a) => a.label.startsWith(label)).length;
  answers.push({ label: again ? `${label} #${again + 1}` : label, type, body });
  called.add(`${method} ${route}`);
  return body;
}

/** The data of the first `result` event of the SSE feed, once a probe result arrives. */
async function firstResultEvent(): Promise<unknown> {
  const ac = new AbortController();
  const res = await fetch(`${f.url}/api/v1/events`, { signal: ac.signal });
  const reader = res.body!.getReader();
  const t = buildTargets(f.config).find((x) => x.name === 'dc-core')!;
  const ts = Date.now();
  // The feed is open (headers arrived): a result now is broadcast to it.
  f.live.accept(result(t, 'snmp', ts, [{ metric: 'netmon_uplink_traffic_bytes_per_second', labels: { target: t.name, uplink: 'domestic', direction: 'in' }, value: 5e6 }]));
  let text = '';
  const deadline = Date.now() + 5000;
  while (!/event: result\ndata: .*\n\n/.test(text) && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
  ac.abort();
  const data = /event: result\ndata: (.*)\n\n/.exec(text)?.[1];
  if (!data) throw new Error(`no result event in ${text.slice(0, 500)}`);
  called.add('GET /events');
  return JSON.parse(data);
}

beforeAll(async () => {
  rx = await startReceiver();
  // The app is built before the engine (which needs the fixture's config): both reach it late-bound.
  const source = { alerts: () => alerting.alerts(), rules: () => alerting.rules(), silences: () => alerting.silences() };
  // The alerting needs the fixture's config, the fixture its routes: bind them late.
  const alertsApi = new Proxy({}, {
    get: (_t, key) => {
      const v: unknown = Reflect.get(alerting, key);
      return typeof v === 'function' ? v.bind(alerting) : v;
    },
  }) as AlertsApi;
  f = await startFixture({ alerting: source, alerts: alertsApi });
  const config = alertingSchema.parse({
    receivers: [{ name: 'ops', type: 'webhook', url: `${rx.url}/hook` }],
    rules: [
      { name: 'SiteUnreachable', kind: 'site_unreachable', severity: 'critical' },
      { name: 'SitePacketLoss', kind: 'ping_loss', above: 0.15, for: '5m', match: { site: 'a-.*' } },
    ],
  });
  alerting = new Alerting({ config: { ...f.config, alerting: config }, dbPath: `${dir.dir}/alerts.db`, tickMs: 0 });
  const T = new Map(buildTargets(f.config).map((t) => [t.name, t]));
  const now = Date.now();
  const vyDa = T.get('sw-vy-da')!;
  alerting.accept(result(vyDa, 'ping', now, [{ metric: 'netmon_ping_reachability_state', labels: { method: 'fping' }, value: 0 }, ...targetState(vyDa, 0, ['ping_down'])]));
  alerting.accept(result(T.get('sw-a-luoi')!, 'ping', now, [{ metric: 'netmon_ping_loss_ratio', labels: { target: 'sw-a-luoi', site: 'a-luoi', method: 'fping' }, value: 0.2 }]));
  // A delivery, so the receiver's status has times in it.
  await rx.waitFor((r) => r.length > 0);

  // An interface of which only the receive counter was ever seen: its `out` is the "never seen" form.
  const half = { target: 'sw-vy-da', site: 'phuong-vy-da', if_index: '7', if_name: 'Gi0/7', if_alias: '' };
  f.store.write([0, 1, 2].map((i) => ({ metric: 'netmon_interface_receive_bytes_total', labels: half, value: 1e6 * i, ts: f.now - (3 - i) * STEP, type: 'counter' as const })));
  f.store.flush();

  await call('/overview', 'OverviewResponse', '/overview');
  await call('/uplinks/:name/traffic', 'UplinkTrafficResponse', '/uplinks/domestic/traffic?range=1h&points=60');
  await call('/uplinks/:name/traffic', 'UplinkTrafficResponse', '/uplinks/international/traffic?range=7d');
  await call('/uplinks/:name/traffic', 'ErrorResponse', '/uplinks/nowhere/traffic', { status: 404 });
  await call('/targets/:target/interfaces/:ifIndex/traffic', 'InterfaceTrafficResponse', '/targets/sw-so-tttt/interfaces/25/traffic?range=1h');
  await call('/targets/:target/interfaces/:ifIndex/traffic', 'InterfaceTrafficResponse', '/targets/sw-vy-da/interfaces/7/traffic?range=1h');
  await call('/targets/:target/interfaces/:ifIndex/traffic', 'ErrorResponse', '/targets/sw-so-tttt/interfaces/0/traffic', { status: 400 });
  const errs = await call('/targets/:target/interfaces/:ifIndex/errors', 'InterfaceErrorsResponse', '/targets/sw-so-tttt/interfaces/25/errors?range=1h');
  expect(errs.counters.map((c: { counter: string }) => c.counter)).toEqual(['in_errors', 'out_errors', 'in_discards', 'out_discards']);
  // The fixture's fibre port counts 0.5 errored packets/s in; it never reported the other three counters.
  const [inErr, ...others] = errs.counters;
  expect(inErr.series.mean.length).toBeGreaterThan(10);
  for (const v of inErr.series.mean) expect(v).toBeCloseTo(0.5, 2);
  expect(inErr.total).toBeGreaterThan(0.5 * 3300);
  expect(inErr.total).toBeLessThanOrEqual(0.5 * 3600);
  expect(others.every((c: { series: unknown; total: unknown }) => c.series === null && c.total === null)).toBe(true);
  // Only the receive byte counter of sw-vy-da 7 was stored: its error counters are unknown (null), not zero.
  const half7 = await call('/targets/:target/interfaces/:ifIndex/errors', 'InterfaceErrorsResponse', '/targets/sw-vy-da/interfaces/7/errors?range=1h');
  expect(half7.counters.every((c: { series: unknown; total: unknown }) => c.series === null && c.total === null)).toBe(true);
  await call('/targets/:target/interfaces/:ifIndex/errors', 'ErrorResponse', '/targets/sw-so-tttt/interfaces/999/errors', { status: 404 });
  await call('/sites', 'SitesResponse', '/sites');
  await call('/sites', 'SitesResponse', '/sites?group=ward');
  await call('/sites', 'ErrorResponse', '/sites?group=moon', { status: 400 });
  for (const id of ['so-tttt', 'dc', 'nam-dong']) await call('/sites/:id', 'SiteDetailResponse', `/sites/${id}`);
  await call('/sites/:id', 'ErrorResponse', '/sites/nowhere', { status: 404 });
  for (const id of ['so-tttt', 'dc']) await call('/sites/:id/ping', 'SitePingResponse', `/sites/${id}/ping?range=1h`);
  for (const id of ['so-tttt', 'dc']) await call('/sites/:id/optical', 'SiteOpticalResponse', `/sites/${id}/optical?range=1h`);
  await call('/servers', 'ServersResponse', '/servers');
  await call('/fibres', 'FibresResponse', '/fibres');
  await call('/fibres', 'ErrorResponse', '/fibres?x=1', { status: 400 });
  await call('/problems', 'ProblemsResponse', '/problems');
  await call('/problems', 'ErrorResponse', '/problems?x=1', { status: 400 });
  await call('/targets/:target/inventory', 'DeviceInventoryResponse', '/targets/dc-core/inventory');
  // As the SNMP probe reports a device (test/snmp/vendor-recordings.test.ts checks the values against a real agent).
  const core = T.get('dc-core')!;
  const chassis = { index: 1, descr: 'Chassis', vendor_type: '1.3.6.1.4.1.9.12.3.1.3.1', contained_in: 0, class: 3, class_name: 'chassis', parent_rel_pos: -1, name: '1', hardware_rev: 'V01', firmware_rev: '', software_rev: '16.12', serial_num: 'FOC1234X0AB', mfg_name: '', model_name: 'C9300-48P', is_fru: true };
  const inventory = { sys_object_id: '1.3.6.1.4.1.9.1.9999', vendor: 'cisco', model: '', vendor_profiles: ['cisco-cpu', 'cisco-memory'], entities: [chassis], read_at: now };
  f.live.accept({ target: core, kind: 'snmp', spec: core.probes.find((p) => p.kind === 'snmp')!, samples: [], inventory, scheduledAt: now, startedAt: now, durationMs: 1 });
  await call('/targets/:target/inventory', 'DeviceInventoryResponse', '/targets/dc-core/inventory');
  await call('/targets/:target/inventory', 'ErrorResponse', '/targets/nowhere/inventory', { status: 404 });
  const dev = await call('/targets/:target', 'DeviceResponse', '/targets/sw-so-tttt');
  expect(dev.site).toBe('so-tttt');
  // The fixture's fibre port counts 0.5 errored packets/s in and never reported transmit errors.
  const gi25 = dev.interfaces.find((i: { if_index: string }) => i.if_index === '25');
  expect(gi25.in_errors_per_s).toBeCloseTo(0.5, 2);
  expect(gi25.out_errors_per_s).toBeNull();
  await call('/targets/:target', 'DeviceResponse', '/targets/dc-core');
  await call('/targets/:target', 'ErrorResponse', '/targets/nowhere', { status: 404 });

  const { alerts } = await call('/alerts/', 'AlertsResponse', '/alerts');
  await call('/alerts/rules', 'AlertRulesResponse', '/alerts/rules');
  await call('/alerts/receivers', 'ReceiversResponse', '/alerts/receivers');
  const down = alerts.find((a: { alertname: string }) => a.alertname === 'SiteUnreachable');
  const ack = { by: 'lan', comment: 'đang xử lý' } satisfies AckRequest;
  await call('/alerts/:fingerprint/ack', 'AlertAckResponse', `/alerts/${down.fingerprint}/ack`, { method: 'POST', body: ack });
  await call('/alerts/:fingerprint/ack', 'ErrorResponse', '/alerts/nothex/ack', { method: 'POST', body: ack, status: 400 });
  const mute = { matchers: { alertname: 'SitePacketLoss' }, duration: '1h', created_by: 'lan', comment: 'bảo trì' } satisfies SilenceRequest;
  const { silence } = await call('/alerts/silences', 'SilenceCreatedResponse', '/alerts/silences', { method: 'POST', body: mute, status: 201 });
  await call('/alerts/silences', 'ErrorResponse', '/alerts/silences', { method: 'POST', body: { ...mute, duration: 'soon' }, status: 400 });
  // Acknowledged and silenced alerts among the problems.
  await call('/problems', 'ProblemsResponse', '/problems');
  await call('/alerts/silences', 'SilencesResponse', '/alerts/silences');
  await call('/alerts/silences/:id', 'OkResponse', `/alerts/silences/${silence.id}`, { method: 'DELETE' });
  await call('/alerts/silences/:id', 'ErrorResponse', '/alerts/silences/nothing', { method: 'DELETE', status: 404 });
  await call('/alerts/:fingerprint/ack', 'AlertAckResponse', `/alerts/${down.fingerprint}/ack`, { method: 'DELETE' });
  await call('/alerts/history', 'AlertHistoryResponse', '/alerts/history');
  await call('/nothing', 'ErrorResponse', '/nothing', { status: 404 });
  answers.push({ label: 'GET /events (result event)', type: 'ResultEvent', body: await firstResultEvent() });
});

afterAll(async () => {
  await f?.close();
  await alerting?.close();
  await rx?.close();
  dir.cleanup();
});

/** `METHOD /path` of every route a router registers (express keeps them in its stack). */
function routes(router: Router, prefix = ''): string[] {
  const stack = (router as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] }).stack;
  return stack.flatMap((l) => (l.route ? Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${prefix}${l.route!.path}`) : []));
}

/** Real answers changed the way a server drifting from the contract would change them. */
function tamper(): (Answer & { shows: RegExp })[] {
  const of = (label: string) => structuredClone(answers.find((a) => a.label === label)!.body) as any;
  const overview = of('GET /overview (200)');
  delete overview.now;
  const sites = of('GET /sites (200)');
  sites.sites[0].colour = 'red';
  const detail = of('GET /sites/so-tttt (200)') as SiteDetailResponse;
  (detail.targets[0]!.interfaces[0] as any).oper_up = 'up';
  const problems = of('GET /problems (200)') as ProblemsResponse;
  (problems.problems.find((p) => p.alert)!.alert as any).rule_kind = 'no_such_rule';
  const traffic = of('GET /uplinks/domestic/traffic?range=1h&points=60 (200)');
  traffic.in.series = null; // but stats, resolution and step_ms still there: neither form of a direction
  return [
    { label: 'tampered: overview without now', type: 'OverviewResponse', body: overview, shows: /Property 'now' is missing/ },
    { label: 'tampered: site with an unknown field', type: 'SitesResponse', body: sites, shows: /'"colour"' does not exist in type 'SiteSummary'/ },
    { label: 'tampered: interface oper_up a string', type: 'SiteDetailResponse', body: detail, shows: /'string' is not assignable to type 'boolean \| null'/ },
    { label: 'tampered: alert of an unknown rule kind', type: 'ProblemsResponse', body: problems, shows: /'"no_such_rule"' is not assignable to type 'AlertRuleKind \| null'/ },
    { label: 'tampered: direction half empty', type: 'UplinkTrafficResponse', body: traffic, shows: /'"resolution"' does not exist in type 'TrafficDirectionEmpty'/ },
  ];
}

// One compilation for the real answers and the tampered ones (a program takes a few seconds).
let checked: { tampered: ReturnType<typeof tamper>; diagnostics: Map<string, string[]> } | undefined;
function check(): NonNullable<typeof checked> {
  if (!checked) {
    const tampered = tamper();
    checked = { tampered, diagnostics: checkAnswers([...answers, ...tampered]) };
  }
  return checked;
}

describe('the HTTP API contract', () => {
  it('covers every route of the API and alerts routers', () => {
    const all = [...routes(apiRouter({} as ApiContext)), ...routes(alertsRouter(alerting), '/alerts')];
    expect(all.length).toBeGreaterThan(15);
    expect(all.filter((r) => !called.has(r))).toEqual([]);
  });

  it('catches drift: a missing or unknown field, a wrong type, a value outside a union, at any depth', () => {
    const { tampered, diagnostics: d } = check();
    for (const t of tampered) expect(d.get(t.label)!.join('\n'), t.label).toMatch(t.shows);
  });

  it('every answer, errors and the live feed included, has the shape the contract (and so the dashboard) expects', () => {
    const d = check().diagnostics;
    const wrong = Object.fromEntries([...d].filter(([label, msgs]) => !label.startsWith('tampered:') && msgs.length));
    expect(wrong).toEqual({});
    // Not vacuous: the answers are real, with the parts the dashboard draws.
    expect(answers.length).toBeGreaterThan(30);
    const problems = answers.find((a) => a.label === 'GET /problems (200)')!.body as ProblemsResponse;
    expect(problems.problems.some((p) => p.alert?.state === 'firing') && problems.problems.some((p) => p.alert?.state === 'pending')).toBe(true);
  });
});
