/** The JSON API against a real listening server, a real SQLite store and a real LiveState (see api-fixture.ts). */
import { testSpec } from '../kit/specs.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startFixture, type Fixture } from './api-fixture.js';
import { buildTargets } from '../../src/config/model.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

const api = (path: string) => getJson(`${f.url}/api/v1${path}`);

describe('GET /api/v1/overview', () => {
  it('has the language, zone, simulation flag, uplinks with capacity and current rates, site counts', async () => {
    const { status, body } = await api('/overview');
    expect(status).toBe(200);
    expect(body).toMatchObject({ version: 'test', simulated: false, language: 'en', timezone: 'Asia/Ho_Chi_Minh' });
    expect(body.uplinks.map((u: any) => [u.name, u.capacity_bps, u.warn_utilization])).toEqual([['domestic', 100e6, 0.8], ['international', 2e6, 0.8]]);
    expect(body.uplinks[1]).toMatchObject({ display_name: 'Quốc tế', in_bps: 1.9e6, out_bps: 0.5e6 });
    expect(body.sites).toEqual({ up: 2, degraded: 1, down: 1, unknown: 1 });
    expect(typeof body.last_result_at).toBe('number');
  });
  it('rejects unknown parameters', async () => {
    const r = await api('/overview?foo=1');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/unknown parameter foo/);
  });
});

describe('GET /api/v1/uplinks/:name/traffic', () => {
  it('returns bits/s envelopes, peak, 95th percentile and volume', async () => {
    const { status, body } = await api('/uplinks/domestic/traffic?range=1h&points=60');
    expect(status).toBe(200);
    expect(body).toMatchObject({ uplink: 'domestic', capacity_bps: 100e6, capped: false });
    expect(body.to - body.from).toBe(3600e3);
    for (const [dir, bps] of [['in', 50e6], ['out', 20e6]] as const) {
      const d = body[dir];
      expect(d.direction).toBe(dir);
      expect(d.series.ts.length).toBeGreaterThan(30);
      expect(d.series.ts.length).toBeLessThanOrEqual(60);
      for (const k of ['min', 'mean', 'max']) expect(d.series[k].every((v: number) => Math.abs(v - bps) < bps * 0.01)).toBe(true);
      expect(d.stats.peak_bps).toBeCloseTo(bps, -3);
      expect(d.stats.p95_bps).toBeCloseTo(bps, -3);
      // one hour at bps/8 bytes per second (± one minute of bucket edges)
      expect(Math.abs(d.stats.volume_bytes - (bps / 8) * 3600)).toBeLessThan((bps / 8) * 61);
    }
  });
  it('accepts from/to and caps a range longer than a year', async () => {
    const ok = await api(`/uplinks/international/traffic?from=${f.now - 1800e3}&to=${f.now}`);
    expect(ok.status).toBe(200);
    expect(ok.body.in.series.mean.every((v: number) => Math.abs(v - 1.9e6) < 2e4)).toBe(true);
    const capped = await api(`/uplinks/international/traffic?from=0&to=${f.now}`);
    expect(capped.status).toBe(200);
    expect(capped.body.capped).toBe(true);
    expect(capped.body.to - capped.body.from).toBe(365 * 86400e3);
  });
  it('names the poll interval of the counters, so a chart can tell a missing poll from an empty raw bucket', async () => {
    // Ten minutes at 600 points: a raw bucket of ~1 s, one in sixty with data (polled every minute).
    const r = await api(`/uplinks/domestic/traffic?from=${f.now - 600e3}&to=${f.now}&points=600`);
    expect(r.body.in.resolution).toBe('raw');
    expect(r.body.in.step_ms).toBeLessThan(2000);
    const snmpInterval = (name: string) => buildTargets(f.config).find((t) => t.name === name)!.probes.find((p) => p.kind === 'snmp')!.intervalMs;
    expect(r.body.in.poll_interval_ms).toBe(snmpInterval('dc-core'));
    expect(r.body.in.poll_interval_ms).toBeGreaterThan(r.body.in.step_ms * 10);
    const port = await api('/targets/sw-so-tttt/interfaces/25/traffic?range=1h');
    expect(port.body.in.poll_interval_ms).toBe(snmpInterval('sw-so-tttt'));
  });
  it('answers long windows from rollups: points lowered until a bucket is at least 5 minutes', async () => {
    const r = await api(`/uplinks/domestic/traffic?from=${f.now - 3 * 86400e3}&to=${f.now}&points=2000`);
    expect(r.status).toBe(200);
    expect(r.body.points).toBe(3 * 288 + 1);
    expect(r.body.in.resolution).not.toBe('raw');
    const short = await api('/uplinks/domestic/traffic?range=24h&points=2000');
    expect(short.body.points).toBe(2000);
  });
  it.each([
    ['range=2h', /parameter range/],
    ['points=5', /parameter points/],
    ['points=100000', /parameter points/],
    ['points=abc', /parameter points/],
    ['from=abc', /parameter from/],
    ['from=-5', /parameter from/],
    ['range=1h&from=1', /either range or from\/to/],
    ['range=1h&range=6h', /given once/],
    ['bogus=1', /unknown parameter bogus/],
    [`from=${Date.now()}&to=${Date.now() - 1000}`, /from must be before to/],
  ])('400 for %s', async (q, msg) => {
    const r = await api(`/uplinks/domestic/traffic?${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(msg);
  });
  it('404 with the known names for an unknown uplink', async () => {
    const r = await api('/uplinks/satellite/traffic');
    expect(r.status).toBe(404);
    expect(r.body.error).toMatch(/domestic, international/);
  });
  it('answers a 24-hour two-uplink query quickly', async () => {
    await api('/uplinks/domestic/traffic?range=24h'); // warm
    const t0 = performance.now();
    await Promise.all([api('/uplinks/domestic/traffic?range=24h'), api('/uplinks/international/traffic?range=24h')]);
    expect(performance.now() - t0).toBeLessThan(500); // generous on a shared 2-core box; the bench measures the real figure
  });
});

describe('GET /api/v1/sites', () => {
  it('classifies every site: up, degraded (loss/latency), down, unknown; optics flagged', async () => {
    const { status, body } = await api('/sites');
    expect(status).toBe(200);
    expect(body.counts).toEqual({ up: 2, degraded: 1, down: 1, unknown: 1 });
    const by = Object.fromEntries(body.sites.map((s: any) => [s.id, s]));
    expect(by['so-tttt']).toMatchObject({ name: 'Sở Thông tin và Truyền thông', group: 'provincial', state: 'up', rtt_ms: 4, loss_ratio: 0, optical: 'warn' });
    expect(by['phuong-vy-da']).toMatchObject({ state: 'down', group: 'ward' });
    expect(by['phuong-vy-da'].reasons).toEqual(['ping_down', 'snmp_silent']); // no ping reply, agent silent
    expect(by['a-luoi']).toMatchObject({ state: 'degraded', rtt_ms: 250, loss_ratio: 0.2 });
    expect(by['a-luoi'].reasons).toEqual(expect.arrayContaining(['loss', 'latency']));
    expect(by['nam-dong']).toMatchObject({ state: 'unknown', reasons: ['no_data'] });
    expect(by.dc).toMatchObject({ state: 'up', group: 'datacentre' });
  });
  it('filters by group and validates it', async () => {
    const d = await api('/sites?group=district');
    expect(d.body.sites.map((s: any) => s.id).sort()).toEqual(['a-luoi', 'nam-dong']);
    const bad = await api('/sites?group=commune');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/parameter group/);
    const two = await api('/sites?group=district,ward');
    expect(two.body.sites.map((s: any) => s.id).sort()).toEqual(['a-luoi', 'nam-dong', 'phuong-vy-da']);
    expect(two.body.counts).toEqual({ up: 0, degraded: 1, down: 1, unknown: 1 });
  });
  it('names each site for its tile: the configured short name, else the name', async () => {
    const by = Object.fromEntries((await api('/sites')).body.sites.map((s: any) => [s.id, s]));
    expect(by['so-tttt'].short_name).toBe('Sở TT&TT');
    expect(by['a-luoi'].short_name).toBe('Huyện A Lưới');
  });
  it('searches by words in the id, name, short name or target names, ignoring case and diacritics', async () => {
    const ids = async (q: string) => (await api(`/sites?q=${encodeURIComponent(q)}`)).body.sites.map((s: any) => s.id).sort();
    expect(await ids('vỹ dạ')).toEqual(['phuong-vy-da']);
    expect(await ids('VY DA')).toEqual(['phuong-vy-da']); // typed without Vietnamese input
    expect(await ids('huyen dong')).toEqual(['nam-dong']); // every word must match
    expect(await ids('tt&tt')).toEqual(['so-tttt']); // the short name
    expect(await ids('sw-a-luoi')).toEqual(['a-luoi']); // a target
    expect(await ids('nowhere')).toEqual([]);
    expect(await ids('')).toHaveLength(5);
  });
  it('filters by state and sorts by state, RTT, loss and name', async () => {
    const order = async (query: string) => (await api(`/sites?${query}`)).body.sites.map((s: any) => s.id);
    expect((await order('state=down,degraded')).sort()).toEqual(['a-luoi', 'phuong-vy-da']);
    expect(await order('sort=state')).toEqual(['phuong-vy-da', 'a-luoi', 'nam-dong', 'so-tttt', 'dc']);
    // Highest first; the unmeasured (down: no reply; unknown; the data centre has no ping) last, by name.
    expect((await order('sort=rtt')).slice(0, 2)).toEqual(['a-luoi', 'so-tttt']);
    expect((await order('sort=loss')).slice(0, 2)).toEqual(['phuong-vy-da', 'a-luoi']); // down: 100 % loss
    expect(await order('sort=name')).toEqual(['a-luoi', 'nam-dong', 'phuong-vy-da', 'so-tttt', 'dc']);
    expect(await order('state=up&sort=name&group=provincial')).toEqual(['so-tttt']);
  });
  it('rejects bad filter and sort values with a 400 naming the parameter', async () => {
    for (const [query, param] of [['sort=colour', 'sort'], ['state=sleeping', 'state'], ['state=up,up', 'state'], ['state=', 'state'], [`q=${'x'.repeat(101)}`, 'q'], ['q=a&q=b', 'q'], ['order=name', 'order']] as const) {
      const r = await api(`/sites?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error, query).toMatch(new RegExp(param));
    }
  });
});

describe('GET /api/v1/sites/:id', () => {
  it('lists targets with probe status, interfaces with current rates, optics with thresholds', async () => {
    const { status, body } = await api('/sites/so-tttt');
    expect(status).toBe(200);
    const sw = body.targets[0];
    expect(sw.name).toBe('sw-so-tttt');
    expect(sw.probes.map((p: any) => [p.kind, p.ok])).toEqual([['snmp', true], ['ping', true]]);
    expect(sw).toMatchObject({ state: 'up', reasons: [] });
    const down = (await api('/sites/phuong-vy-da')).body;
    expect(down).toMatchObject({ state: 'down', reasons: ['ping_down', 'snmp_silent'] });
    expect(down.targets[0]).toMatchObject({ name: 'sw-vy-da', state: 'down', reasons: ['ping_down', 'snmp_silent'] });
    const fibre = sw.interfaces.find((i: any) => i.if_name === 'Gi1/0/25');
    expect(fibre).toMatchObject({ if_alias: 'Cáp quang về TTDL', admin_up: true, oper_up: true, speed_bps: 1e9 });
    expect(fibre.in_bps).toBeCloseTo(10e6, -4);
    expect(fibre.out_bps).toBeCloseTo(5e6, -4);
    expect(fibre.optical).toMatchObject({ rx_dbm: -27, tx_dbm: -3, level: 'warn' });
    expect(fibre.optical.labels).toEqual({ target: 'sw-so-tttt', site: 'so-tttt', if_index: '25', if_name: 'Gi1/0/25' });
    expect(fibre.optical.thresholds).toMatchObject({ rx_low_alarm_dbm: -28, rx_low_warn_dbm: -25, tx_low_alarm_dbm: -11, tx_high_alarm_dbm: 2 });
    expect(sw.interfaces.find((i: any) => i.if_index === '2')).toMatchObject({ admin_up: true, oper_up: false });
  });
  it('404 for an unknown site, 400 for a malformed id or parameter', async () => {
    expect((await api('/sites/nowhere')).status).toBe(404);
    const bad = await api(`/sites/${encodeURIComponent('../etc')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/site id/);
    expect((await api(`/sites/${'x'.repeat(200)}`)).status).toBe(400);
    expect((await api('/sites/so-tttt?range=1h')).status).toBe(400);
  });
});

describe('site history', () => {
  it('GET /sites/:id/ping gives smoke columns in seconds and the loss', async () => {
    const { status, body } = await api('/sites/a-luoi/ping?range=1h&points=30');
    expect(status).toBe(200);
    const p = body.targets[0];
    expect(p.target).toBe('sw-a-luoi');
    expect(p.ts.length).toBeGreaterThan(10);
    for (const k of ['min', 'q10', 'q25', 'median', 'q75', 'q90', 'max', 'loss']) expect(p[k]).toHaveLength(p.ts.length);
    expect(p.median.every((v: number) => Math.abs(v - 0.25) < 1e-6)).toBe(true);
    expect(p.loss.every((v: number) => Math.abs(v - 0.2) < 1e-6)).toBe(true);
    expect(p.min[0]).toBeLessThan(p.q25[0]);
    expect(p.q75[0]).toBeLessThan(p.max[0]);
  });
  it('GET /sites/:id/optical gives Rx/Tx history with thresholds', async () => {
    const { status, body } = await api('/sites/so-tttt/optical?range=6h&points=50');
    expect(status).toBe(200);
    expect(body.ports).toHaveLength(1);
    const p = body.ports[0];
    expect(p.labels.if_name).toBe('Gi1/0/25');
    expect(p.tx_dbm.every((v: number) => v === -3)).toBe(true);
    expect(p.rx_dbm[0]).toBeGreaterThan(p.rx_dbm[p.rx_dbm.length - 1]); // losing light
    expect(p.thresholds.rx_low_warn_dbm).toBe(-25);
    expect(p.level).toBe('warn');
    expect((await api('/sites/so-tttt/optical?range=forever')).status).toBe(400);
    expect((await api('/sites/nowhere/ping')).status).toBe(404);
  });
});

describe('GET /api/v1/targets/:target/interfaces/:ifIndex/traffic', () => {
  it('returns the interface traffic like an uplink', async () => {
    const { status, body } = await api('/targets/sw-so-tttt/interfaces/25/traffic?range=1h&points=20');
    expect(status).toBe(200);
    expect(body).toMatchObject({ target: 'sw-so-tttt', if_index: '25', if_name: 'Gi1/0/25' });
    expect(body.in.stats.peak_bps).toBeCloseTo(10e6, -4);
  });
  it('validates the target and the ifIndex', async () => {
    expect((await api('/targets/sw-so-tttt/interfaces/0/traffic')).status).toBe(400);
    expect((await api('/targets/sw-so-tttt/interfaces/abc/traffic')).status).toBe(400);
    expect((await api('/targets/sw-so-tttt/interfaces/99999999999/traffic')).status).toBe(400);
    expect((await api('/targets/sw-so-tttt/interfaces/77/traffic')).status).toBe(404);
    expect((await api('/targets/nobody/interfaces/1/traffic')).status).toBe(404);
  });
});

describe('GET /api/v1/servers', () => {
  it('gives CPU, memory, disks and warnings per server', async () => {
    const { status, body } = await api('/servers');
    expect(status).toBe(200);
    expect(body.servers).toHaveLength(1);
    expect(body.servers[0]).toMatchObject({ target: 'srv-web', description: 'Cổng thông tin điện tử', ok: true, cpu_ratio: 0.95, cpus: 2, memory_used_ratio: 0.75, load1: 3.5, load5: 2.25, load15: 1.5, warnings: ['cpu'] });
    expect(body.servers[0].disks).toEqual([{ name: '/', size_bytes: 100e9, used_bytes: 40e9, used_ratio: 0.4 }]);
  });
});

describe('GET /api/v1/problems', () => {
  it('lists what needs attention, critical first', async () => {
    const { status, body } = await api('/problems');
    expect(status).toBe(200);
    const kinds = body.problems.map((p: any) => `${p.kind}:${p.subject}`);
    expect(kinds).toEqual([
      'site_down:phuong-vy-da',
      'uplink_saturated:international',
      'optical_low:sw-so-tttt Gi1/0/25',
      'interface_down:sw-so-tttt Gi1/0/2',
      'server:srv-web',
      'site_degraded:a-luoi',
    ]);
    const up = body.problems[1];
    expect(up).toMatchObject({ severity: 'critical', value: 0.95, threshold: 0.8, detail: ['in', 'Quốc tế'] });
    // an admin-down port is not a problem
    expect(kinds.join()).not.toContain('Gi1/0/3');
  });
});

describe('misc', () => {
  it('unknown endpoints are JSON 404s', async () => {
    const r = await api('/nothing');
    expect(r.status).toBe(404);
    expect(r.body.error).toBeTruthy();
  });
  it('/events streams results as server-sent events', async () => {
    const ac = new AbortController();
    const res = await fetch(`${f.url}/api/v1/events`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const target = { name: 'dc-core', address: '127.0.0.1', site: 'dc', role: 'uplink' as const, labels: {}, probes: [] };
    setTimeout(() => f.live.accept({ target, kind: 'snmp', spec: testSpec('snmp', 60e3), samples: [{ metric: 'netmon_uplink_traffic_bytes_per_second', labels: { uplink: 'domestic', direction: 'in' }, value: 42e6 / 8, ts: Date.now(), type: 'gauge' }], scheduledAt: Date.now(), startedAt: Date.now(), durationMs: 1 }), 50);
    let text = '';
    while (!text.includes('event: result')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    expect(text).toMatch(/"uplink":"domestic"/);
  });
});
