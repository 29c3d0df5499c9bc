/**
 * Issue 24, items 2, 4 and 10 (silence texts), over real HTTP on a real SQLite file: regex matchers run
 * on RE2 (linear, full match), silences and acknowledgements are bounded in count and size with 409/413/422
 * and a message, GET /silences is paged, the stored bytes stay within limits.total_bytes, and what an
 * older netmon stored is checked again on load. NUL, control characters and ANSI escapes are refused;
 * Vietnamese text is stored as sent.
 */
import Database from 'better-sqlite3';
import express from 'express';
import { statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Alerting } from '../../src/alerts/index.js';
import { AlertsDb, alertsDbPath } from '../../src/alerts/db.js';
import { alertsRouter } from '../../src/http/alerts.js';
import { configWith, failed, ProbeError, target, tempDir } from './helpers.js';

const HOSTILE = '(?:.|.|.|.)+!';
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Api {
  alerting: Alerting;
  dir: string;
  logs: { level: string; msg: string; extra?: Record<string, unknown> }[];
  get(path: string): Promise<{ status: number; body: any; bytes: number }>;
  send(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** An Alerting with a probe_failing rule (one failing target each) on a temp dir or `dir`, its router on a loopback port. */
async function start(limits: Record<string, unknown> = {}, opts: { dir?: string; targets?: string[] } = {}): Promise<Api> {
  const tmp = opts.dir ? undefined : tempDir();
  const dir = opts.dir ?? tmp!.dir;
  const logs: Api['logs'] = [];
  const alerting = new Alerting({
    config: configWith({ rules: [{ name: 'ProbeFailing', kind: 'probe_failing', severity: 'critical' }], ...(Object.keys(limits).length ? { limits } : {}) }, dir),
    tickMs: 0,
    log: (level, msg, extra) => logs.push({ level, msg, extra }),
  });
  for (const name of opts.targets ?? ['sw-so-noi-vu']) alerting.accept(failed(target(name), 'snmp', Date.now(), new ProbeError('timeout', 'no answer')));
  const app = express();
  app.use('/api/v1/alerts', alertsRouter(alerting));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/alerts`;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await alerting.close();
    tmp?.cleanup();
  });
  return {
    alerting,
    dir,
    logs,
    async get(path) {
      const res = await fetch(base + path);
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text), bytes: Buffer.byteLength(text) };
    },
    async send(method, path, body) {
      const res = await fetch(base + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
  };
}

const silence = (over: Record<string, unknown> = {}) => ({ matchers: { alertname: 'ProbeFailing' }, duration: '2h', comment: 'bảo trì', created_by: 'lan', ...over });
/** Size of the alerts DB file once its WAL is checkpointed into it (the WAL itself is reused at up to ~4 MB, whatever is stored). */
const dbBytes = (dir: string) => {
  const file = alertsDbPath(`${dir}/netmon.db`);
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return statSync(file).size;
};

describe('regex matchers run on RE2', () => {
  it('accepts the ReDoS pattern and matches it in linear time; full match as Alertmanager; RE2-only syntax', async () => {
    const api = await start();
    const created = await api.send('POST', '/silences', silence({ matchers: [{ name: 'target', value: HOSTILE, regex: true }] }));
    expect(created.status).toBe(201);
    // JavaScript's RegExp takes ~1.4 s on 14 characters of this and 4x more per character; RE2: linear.
    const long = 'x'.repeat(100_000);
    const t0 = performance.now();
    expect(api.alerting.silencedBy({ target: long })).toEqual([]);
    expect(api.alerting.silencedBy({ target: `${long}!` })).toEqual([created.body.silence.id]);
    expect(performance.now() - t0).toBeLessThan(500);
    const list = await api.get('/');
    expect(list.body.alerts).toHaveLength(1);

    const partial = await api.send('POST', '/silences', silence({ matchers: [{ name: 'target', value: 'sw-so', regex: true }] }));
    const whole = await api.send('POST', '/silences', silence({ matchers: [{ name: 'target', value: 'sw-so-.*|core', regex: true }] }));
    expect((await api.get('/')).body.alerts[0].silenced_by).toEqual([whole.body.silence.id]);
    expect(partial.status).toBe(201);

    for (const [value, why] of [
      ['(?=sw)sw.*', /RE2 syntax/],
      ['(sw)\\1', /RE2 syntax/],
      ['(', /RE2 syntax/],
      ['(?:.{999}x)'.repeat(20), /too large/],
    ] as const) {
      const r = await api.send('POST', '/silences', silence({ matchers: [{ name: 'target', value, regex: true }] }));
      expect(r, value).toMatchObject({ status: 422, body: { error: expect.stringMatching(why) } });
    }
  });
});

describe('bounds', () => {
  it('1,001st silence: 409 with a message; ending one makes room; GET is paged', async () => {
    const api = await start();
    for (let i = 0; i < 1000; i++) expect((await api.send('POST', '/silences', silence({ comment: `c${i}` }))).status).toBe(201);
    const over = await api.send('POST', '/silences', silence());
    expect(over).toMatchObject({ status: 409, body: { error: expect.stringMatching(/1000 silences are active or pending, at most 1000/) } });
    const page = await api.get('/silences');
    expect(page.body.total).toBe(1000);
    expect(page.body.silences).toHaveLength(500);
    expect(page.body.silences[0].comment).toBe('c999');
    const last = await api.get('/silences?limit=1000&offset=999');
    expect(last.body.silences.map((s: { comment: string }) => s.comment)).toEqual(['c0']);
    expect((await api.get('/silences?limit=1001')).status).toBe(400);
    expect((await api.send('DELETE', `/silences/${last.body.silences[0].id}`)).status).toBe(200);
    expect((await api.send('POST', '/silences', silence())).status).toBe(201);
  }, 60_000);

  it('matcher count and sizes: 413; a flood stays within total_bytes on disk and in GET', async () => {
    const api = await start({ total_bytes: 256 * 1024 });
    expect(await api.send('POST', '/silences', silence({ matchers: Array.from({ length: 65 }, (_, i) => ({ name: `l${i}`, value: 'x' })) }))).toMatchObject({ status: 413, body: { error: 'matchers: 65, at most 64' } });
    // 342 characters, 1,026 bytes: the limit is in bytes
    expect(await api.send('POST', '/silences', silence({ matchers: { site: 'ệ'.repeat(342) } }))).toMatchObject({ status: 413, body: { error: 'matchers.0.value: 1026 bytes, at most 1024' } });
    expect((await api.send('POST', '/silences', silence({ comment: 'x'.repeat(4097) }))).status).toBe(413);

    // ~7 KB each: 4 values of 1 KiB and a 3 KiB comment
    const big = () => silence({ matchers: Object.fromEntries(['a', 'b', 'c', 'd'].map((k) => [k, k.repeat(1024)])), comment: 'y'.repeat(3000) });
    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 40; i++) statuses.push((await api.send('POST', '/silences', big())).status);
      // end them all: ended silences are dropped, oldest first, to make room for new ones
      const { body } = await api.get('/silences?limit=1000');
      for (const s of body.silences.filter((x: { active: boolean }) => x.active)) await api.send('DELETE', `/silences/${s.id}`);
    }
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(300);
    expect(statuses).toContain(413);
    const all = await api.get('/silences?limit=1000');
    expect(all.bytes).toBeLessThan(256 * 1024 + 64 * all.body.total);
    // the 300+ accepted silences of ~7 KB would be over 2 MB in the file
    expect(dbBytes(api.dir)).toBeLessThan(512 * 1024);
  }, 60_000);

  it('acknowledgements: bounded in count (409) and size (413)', async () => {
    const api = await start({ acknowledgements: 1 }, { targets: ['sw-a', 'sw-b'] });
    const [a, b] = (await api.get('/')).body.alerts.map((x: { fingerprint: string }) => x.fingerprint);
    expect((await api.send('POST', `/${a}/ack`, { by: 'lan', comment: 'x'.repeat(4097) })).status).toBe(413);
    expect((await api.send('POST', `/${a}/ack`, { by: 'lan', comment: 'đang xử lý' })).status).toBe(200);
    expect((await api.send('POST', `/${a}/ack`, { by: 'lan', comment: 'vẫn đang xử lý' })).status).toBe(200);
    expect(await api.send('POST', `/${b}/ack`, { by: 'lan' })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/at most 1 \(limits.acknowledgements\)/) } });
  });
});

describe('silence and acknowledgement texts', () => {
  it('refuses NUL, control characters and ANSI escapes (422); keeps Vietnamese as sent', async () => {
    const api = await start();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ comment: 'bảo trì\u0000' }, /comment: contains NUL U\+0000 at offset 7/],
      [{ comment: '\u001b[31mđỏ\u001b[0m' }, /comment: contains ESC \(an ANSI escape sequence\) U\+001B at offset 0/],
      [{ comment: 'csi \u009b2J' }, /U\+009B/],
      [{ comment: 'rtl \u202e' }, /U\+202E/],
      [{ created_by: 'lan\nadmin' }, /created_by: .*U\+000A/],
      [{ matchers: { target: 'sw\u0007' } }, /matchers.0.value: .*U\+0007/],
    ];
    for (const [over, why] of bad) expect(await api.send('POST', '/silences', silence(over)), JSON.stringify(over)).toMatchObject({ status: 422, body: { error: expect.stringMatching(why) } });

    // precomposed and decomposed (NFD) Vietnamese, tabs and line breaks in a comment
    const comment = 'Chờ nâng cấp đường truyền\nPhường Hướng Long\tcáp quang — xong 17h';
    const nfd = 'Nguyễn Thị Lan'.normalize('NFD');
    const ok = await api.send('POST', '/silences', silence({ comment, created_by: nfd, matchers: { site: 'Sở Nội vụ' } }));
    expect(ok.status).toBe(201);
    const stored = (await api.get('/silences')).body.silences[0];
    expect(stored).toMatchObject({ comment, createdBy: nfd, matchers: [{ name: 'site', value: 'Sở Nội vụ', regex: false }] });

    const fp = (await api.get('/')).body.alerts[0].fingerprint;
    expect((await api.send('POST', `/${fp}/ack`, { by: 'lan\u001b[2J' })).status).toBe(422);
    expect((await api.send('POST', `/${fp}/ack`, { by: 'lan', comment: 'x\u0000' })).status).toBe(422);
    expect((await api.send('POST', `/${fp}/ack`, { by: nfd, comment })).body.alert.acknowledged).toMatchObject({ by: nfd, comment });
  });
});

describe('what an older netmon stored', () => {
  it('is checked again on load: invalid and excess silences are dropped and counted, the rest kept', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const db = new AlertsDb(alertsDbPath(`${dir.dir}/netmon.db`));
    const now = Date.now();
    const base = { startsAt: now - 1000, endsAt: now + 3_600_000, createdBy: 'old', comment: 'from before', createdAt: now - 1000 };
    const m = (value: string) => [{ name: 'alertname', value, regex: true }];
    db.saveSilence({ ...base, id: 'hostile-but-linear', matchers: m(HOSTILE) });
    db.saveSilence({ ...base, id: 'lookahead', createdAt: now - 1001, matchers: m(`(?=P)${HOSTILE}`) });
    db.saveSilence({ ...base, id: 'nul', createdAt: now - 1002, matchers: m('x'), comment: 'a\u0000b' });
    db.saveSilence({ ...base, id: 'huge', createdAt: now - 1003, matchers: m('x'), comment: 'z'.repeat(1 << 20) });
    for (let i = 0; i < 5; i++) db.saveSilence({ ...base, id: `many-${i}`, createdAt: now - 2000 - i, matchers: [{ name: 'target', value: `t${i}` }] });
    db.close();

    const api = await start({ silences: 3 }, { dir: dir.dir, targets: ['sw-so-noi-vu'] });
    const kept = (await api.get('/silences')).body.silences.map((s: { id: string }) => s.id);
    expect(kept).toEqual(['hostile-but-linear', 'many-0', 'many-1']);
    expect(api.logs.filter((l) => l.msg === 'dropped a stored silence that fails validation').map((l) => l.extra?.id)).toEqual(['lookahead', 'nul', 'huge']);
    const summary = api.logs.find((l) => l.msg.startsWith('dropped 6 stored silence'));
    expect(summary?.extra).toMatchObject({ dropped: { 'invalid (422)': 2, 'invalid (413)': 1, 'over limits.silences (3)': 3 }, kept: 3 });
    // dropped from the file too
    const again = new AlertsDb(alertsDbPath(`${dir.dir}/netmon.db`));
    expect(again.silences().map((s) => s.id).sort()).toEqual(['hostile-but-linear', 'many-0', 'many-1']);
    again.close();
  });
});
