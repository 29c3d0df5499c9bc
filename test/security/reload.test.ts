/**
 * Config reload from outside: `POST /-/reload` (as Prometheus: 200 with the message, 500 with the reason,
 * 405 for other methods, refused cross-site), `server.watch_config` (debounced, only on real changes,
 * included files and new files matching an include pattern too), and how a rejected change shows: the
 * log, /metrics, and `config_reload` in /api/v1/overview for the dashboard's banner.
 */
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { minimalConfig, request, tempDir, waitFor, type TempDir } from './helpers.js';

let tmp: TempDir;
let daemon: Daemon;
const logs: string[] = [];

const site = (id: string) => `  - { id: ${id}, name: "Site ${id}", group: ward }\n`;
const sitesFile = (...ids: string[]) => `sites:\n${ids.map(site).join('')}`;

function writeMain(watch: boolean) {
  writeFileSync(path.join(tmp.dir, 'netmon.yaml'), minimalConfig(`  watch_config: ${watch}\n`, 'include: [sites/*.yaml]\n'));
}
const writeSites = (name: string, text: string) => writeFileSync(path.join(tmp.dir, 'sites', name), text);

async function overview() {
  const r = await request(daemon.url, '/api/v1/overview');
  return JSON.parse(r.body) as { config_reload: { ok: boolean; at: number; last_success_at: number; trigger: string; error: string | null } };
}
const siteCount = async () => (JSON.parse((await request(daemon.url, '/api/v1/sites')).body) as { sites: unknown[] }).sites.length;
const reloadGauge = async () => /^netmon_config_last_reload_successful (\d)$/m.exec((await request(daemon.url, '/metrics')).body)?.[1];

beforeAll(async () => {
  tmp = tempDir();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(path.join(tmp.dir, 'sites'));
  writeMain(false);
  writeSites('a.yaml', sitesFile('a1', 'a2'));
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  daemon = await startDaemon({ configFile: path.join(tmp.dir, 'netmon.yaml'), log: pino({ level: 'info' }, sink), port: 0, watchDebounceMs: 100 });
});
afterAll(async () => {
  await daemon?.stop();
  tmp?.cleanup();
});

describe('POST /-/reload', () => {
  it('answers 405 with Allow: POST to other methods', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await request(daemon.url, '/-/reload', { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe('POST');
    }
  });

  it('reloads: 200 with the message; the overview says ok', async () => {
    writeSites('a.yaml', sitesFile('a1', 'a2', 'a3'));
    const r = await request(daemon.url, '/-/reload', { method: 'POST' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body).toMatch(/^config reloaded: sites: 1 added \(a3\)\n$/);
    expect(await siteCount()).toBe(3);
    const o = await overview();
    expect(o.config_reload).toMatchObject({ ok: true, trigger: 'http', error: null });
    expect(o.config_reload.last_success_at).toBe(o.config_reload.at);
  });

  it('rejects an invalid config: 500 with the reason; the running config stays; log, /metrics and the overview say why', async () => {
    const before = (await overview()).config_reload.last_success_at;
    writeSites('a.yaml', `${sitesFile('a1', 'a2', 'a3')}  - id: a4\n    name: x\n    grup: ward\n`);
    const r = await request(daemon.url, '/-/reload', { method: 'POST' });
    expect(r.status).toBe(500);
    expect(r.body).toMatch(/^config reload failed, keeping the running config: .*sites\/a\.yaml:7:5: sites\[3\]: unknown key "grup", did you mean "group"\?\n/s);
    expect(await siteCount()).toBe(3);
    const o = await overview();
    expect(o.config_reload).toMatchObject({ ok: false, trigger: 'http', last_success_at: before });
    expect(o.config_reload.error).toMatch(/sites\/a\.yaml:7:5: sites\[3\]: unknown key "grup"/);
    expect(await reloadGauge()).toBe('0');
    expect(logs.some((l) => /"level":50/.test(l) && /config reload failed, keeping the running config: .*unknown key \\"grup\\"/.test(l))).toBe(true);
    // Fixed again: everything back to ok.
    writeSites('a.yaml', sitesFile('a1', 'a2', 'a3', 'a4'));
    expect((await request(daemon.url, '/-/reload', { method: 'POST' })).status).toBe(200);
    expect(await reloadGauge()).toBe('1');
    expect((await overview()).config_reload).toMatchObject({ ok: true, error: null });
    expect(await siteCount()).toBe(4);
  });

  it('refuses a request a browser makes for another site (CSRF), accepts a same-origin one', async () => {
    const host = new URL(daemon.url).host;
    const evil = await request(daemon.url, '/-/reload', { method: 'POST', headers: { origin: 'http://evil.example' } });
    expect(evil.status).toBe(403);
    expect((await request(daemon.url, '/-/reload', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await request(daemon.url, '/-/reload', { method: 'POST', headers: { origin: 'null' } })).status).toBe(403);
    expect((await request(daemon.url, '/-/reload', { method: 'POST', headers: { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect((await overview()).config_reload.trigger).toBe('http');
  });

  it('SIGHUP-style programmatic reloads report their trigger', async () => {
    expect(daemon.reload('signal').ok).toBe(true);
    expect((await overview()).config_reload.trigger).toBe('signal');
  });
});

describe('server.watch_config', () => {
  it('is off by default: a change does nothing until asked', async () => {
    const at = (await overview()).config_reload.at;
    writeSites('a.yaml', sitesFile('a1'));
    await new Promise((r) => setTimeout(r, 600));
    expect((await overview()).config_reload.at).toBe(at);
    expect(await siteCount()).toBe(4);
  });

  it('turned on by a reload, it reloads on a change of an included file, debounced into one reload', async () => {
    writeMain(true);
    writeSites('a.yaml', sitesFile('a1', 'a2'));
    expect((await request(daemon.url, '/-/reload', { method: 'POST' })).status).toBe(200);
    expect(await siteCount()).toBe(2);
    const n0 = logs.filter((l) => l.includes('"trigger":"watch"')).length;
    // A burst of writes, as an editor or `git pull` makes: one reload after it settles.
    for (const ids of [['a1'], ['a1', 'b'], ['a1', 'b', 'c']]) writeSites('a.yaml', sitesFile(...ids));
    await waitFor('the watched change', async () => ((await siteCount()) === 3 ? true : undefined), 5000);
    expect((await overview()).config_reload).toMatchObject({ ok: true, trigger: 'watch' });
    await new Promise((r) => setTimeout(r, 400));
    expect(logs.filter((l) => l.includes('"trigger":"watch"')).length - n0).toBe(1);
  });

  it('sees a new file matching an include pattern, and a removed one', async () => {
    writeSites('b.yaml', sitesFile('b1', 'b2'));
    await waitFor('the new file', async () => ((await siteCount()) === 5 ? true : undefined), 5000);
    rmSync(path.join(tmp.dir, 'sites', 'b.yaml'));
    await waitFor('the removed file', async () => ((await siteCount()) === 3 ? true : undefined), 5000);
  });

  it('ignores editor droppings and writes that change nothing', async () => {
    const at = (await overview()).config_reload.at;
    writeSites('.a.yaml.swp', 'garbage');
    writeSites('a.yaml~', 'garbage');
    writeSites('a.yaml', sitesFile('a1', 'b', 'c')); // same content
    writeFileSync(path.join(tmp.dir, 'notes.txt'), 'x');
    await new Promise((r) => setTimeout(r, 600));
    expect((await overview()).config_reload.at).toBe(at);
  });

  it('an invalid change keeps the running config and says why; fixing it reloads', async () => {
    writeSites('a.yaml', 'sites:\n  - { id: a1, name: "x", group: nowhere }\n');
    const o = await waitFor('the failed reload', async () => {
      const v = await overview();
      return v.config_reload.ok ? undefined : v;
    }, 5000);
    expect(o.config_reload.trigger).toBe('watch');
    expect(o.config_reload.error).toMatch(/sites\/a\.yaml:2:33: sites\[0\]\.group: expected one of: datacentre, provincial, district, ward/);
    expect(await siteCount()).toBe(3);
    expect(await reloadGauge()).toBe('0');
    writeSites('a.yaml', sitesFile('a1'));
    await waitFor('the fixed file', async () => ((await overview()).config_reload.ok ? true : undefined), 5000);
    expect(await siteCount()).toBe(1);
  });

  it('watching stops when the config turns it off', async () => {
    const before = (await overview()).config_reload.at;
    writeMain(false);
    await waitFor('the reload that turns watching off', async () => ((await overview()).config_reload.at > before ? true : undefined), 5000).catch((err: Error) => {
      throw new Error(`${err.message}; log tail:\n${logs.slice(-5).join('\n')}`);
    });
    const at = (await overview()).config_reload.at;
    writeSites('a.yaml', sitesFile('z1', 'z2'));
    await new Promise((r) => setTimeout(r, 600));
    expect((await overview()).config_reload.at).toBe(at);
    expect(await siteCount()).toBe(1);
  });
});
