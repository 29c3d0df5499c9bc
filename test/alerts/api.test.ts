/** The alerts API over real HTTP: listing, history, rules, receivers (no secrets), silences and acknowledgements, validation. */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerting } from '../../src/alerts/index.js';
import { alertsRouter } from '../../src/http/alerts.js';
import { configWith, failed, ProbeError, target, tempDir } from './helpers.js';

let alerting: Alerting;
let server: Server;
let base: string;
const dir = tempDir();
const SECRET = 'tok-5up3r-s3cret';

beforeAll(async () => {
  alerting = new Alerting({
    config: configWith(
      {
        rules: [{ name: 'ProbeFailing', kind: 'probe_failing', severity: 'critical' }],
        receivers: [{ name: 'chat', type: 'webhook', url: `http://user:${SECRET}@127.0.0.1:9/x?key=${SECRET}`, headers: { Authorization: `Bearer ${SECRET}` }, timeout: '100ms' }],
        retry: { initial_backoff: '1h' },
      },
      dir.dir,
    ),
    tickMs: 0,
  });
  const t = target('sw-so-noi-vu');
  alerting.accept(failed(t, 'snmp', Date.now(), new ProbeError('auth', 'wrong community')));
  const app = express();
  app.use('/api/v1/alerts', alertsRouter(alerting));
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/alerts`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await alerting?.close();
  dir.cleanup();
});

const get = async (path: string) => {
  const res = await fetch(base + path);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const send = async (method: string, path: string, body?: unknown, type = 'application/json') => {
  const res = await fetch(base + path, { method, headers: body === undefined ? {} : { 'content-type': type }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe('alerts API', () => {
  it('lists firing alerts, filters them, and shows history and rules', async () => {
    const { status, body } = await get('/');
    expect(status).toBe(200);
    expect(body.alerts).toHaveLength(1);
    expect(body.alerts[0]).toMatchObject({ alertname: 'ProbeFailing', severity: 'critical', state: 'firing', labels: { target: 'sw-so-noi-vu' }, silenced_by: [], acknowledged: null });
    expect((await get('/?state=pending')).body.alerts).toEqual([]);
    expect((await get('/?target=sw-so-noi-vu')).body.alerts).toHaveLength(1);
    expect((await get('/history?alertname=ProbeFailing')).body.events.map((e: { event: string }) => e.event)).toEqual(['firing']);
    expect((await get('/rules')).body.rules[0]).toMatchObject({ name: 'ProbeFailing', kind: 'probe_failing', severity: 'critical', for_ms: 0 });
  });

  it('never shows receiver URLs or headers', async () => {
    for (let i = 0; i < 100 && alerting.receivers()[0]!.consecutive_failures === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const { body } = await get('/receivers');
    expect(body.receivers[0]).toMatchObject({ name: 'chat', type: 'webhook', queued: 1, consecutive_failures: 1 });
    for (const path of ['/', '/receivers', '/rules', '/history', '/silences']) expect(JSON.stringify((await get(path)).body)).not.toContain(SECRET);
  });

  it('creates, lists and ends silences', async () => {
    const created = await send('POST', '/silences', { matchers: { alertname: 'ProbeFailing' }, duration: '2h', comment: 'maintenance window', created_by: 'lan' });
    expect(created.status).toBe(201);
    const id = created.body.silence.id as string;
    expect((await get('/')).body.alerts[0].silenced_by).toEqual([id]);
    expect((await get('/silences')).body.silences[0]).toMatchObject({ id, active: true, comment: 'maintenance window', createdBy: 'lan' });
    expect((await send('DELETE', `/silences/${id}`)).status).toBe(200);
    expect((await get('/')).body.alerts[0].silenced_by).toEqual([]);
    expect((await send('DELETE', '/silences/nope')).status).toBe(404);
  });

  it('acknowledges and un-acknowledges', async () => {
    const fp = (await get('/')).body.alerts[0].fingerprint as string;
    const acked = await send('POST', `/${fp}/ack`, { by: 'lan', comment: 'đang xử lý' });
    expect(acked.status).toBe(200);
    expect(acked.body.alert.acknowledged).toMatchObject({ by: 'lan', comment: 'đang xử lý' });
    expect((await send('DELETE', `/${fp}/ack`)).body.alert.acknowledged).toBeNull();
    expect((await send('POST', '/0123456789abcdef/ack', { by: 'x' })).status).toBe(404);
  });

  it('rejects bad input with 400/415/422 and a message', async () => {
    expect((await get('/?state=bogus')).status).toBe(400);
    expect((await get('/history?limit=0')).status).toBe(400);
    expect((await get('/history?unknown=1')).status).toBe(400);
    const r1 = await send('POST', '/silences', { matchers: { alertname: 'X' }, comment: 'c', created_by: 'me' });
    expect(r1).toMatchObject({ status: 400, body: { error: expect.stringMatching(/duration/) } });
    expect((await send('POST', '/silences', { matchers: [{ name: 'a', value: '(', regex: true }], duration: '1h', comment: 'c', created_by: 'me' })).status).toBe(422);
    expect((await send('POST', '/silences', 'matchers=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await send('POST', '/silences', '{not json')).status).toBe(400);
    expect((await send('POST', '/bad/ack', { by: 'x' })).status).toBe(400);
    expect((await get('/nope/nothing')).status).toBe(404);
  });
});
