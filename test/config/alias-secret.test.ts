/**
 * Issue 24 item 8: `community: *Secr3t` (an unquoted YAML alias) made the YAML library throw a ReferenceError
 * quoting the value, which bypassed netmon's formatting and reached the /-/reload answer, the overview, the
 * alerts and problems APIs, the log, the alerts database and the Alertmanager and webhook payloads, with no
 * file or line. A daemon with both receivers on a local HTTP server is reloaded with that mistake: the
 * answer is the positioned message, and the value is found nowhere.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsDbPath } from '../../src/alerts/db.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { request, tempDir, waitFor, type TempDir } from '../security/helpers.js';

const SECRET = `Secr3t${randomBytes(6).toString('hex')}`;
let tmp: TempDir;
let daemon: Daemon | undefined;
let hooks: http.Server;
const payloads: string[] = [];
const logs: string[] = [];

const config = (community: string, port: number) => `server:
  listen_address: 127.0.0.1
credentials:
  sim:
    version: 2c
    community: ${community}
storage: { path: data/netmon.db }
sites: [{ id: w, name: Ward, group: ward }]
targets: [{ name: t1, address: 127.0.0.1, site: w, role: switch }]
alerting:
  receivers:
    - { name: hook, type: webhook, url: "http://127.0.0.1:${port}/hook", timeout: 2s }
    - { name: am, type: alertmanager, url: "http://127.0.0.1:${port}", timeout: 2s }
  rules:
    - { name: ConfigReloadFailed, kind: config_reload_failed, description: "{{ error }}" }
`;

beforeAll(async () => {
  tmp = tempDir('netmon-alias-');
  hooks = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      payloads.push(`${req.url}\n${body}`);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const port = (hooks.address() as AddressInfo).port;
  writeFileSync(path.join(tmp.dir, 'netmon.yaml'), config('public', port));
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  daemon = await startDaemon({ configFile: path.join(tmp.dir, 'netmon.yaml'), log: pino({ level: 'debug' }, sink), port: 0 });
  writeFileSync(path.join(tmp.dir, 'netmon.yaml'), config(`*${SECRET}`, port));
});
afterAll(async () => {
  await daemon?.stop();
  await new Promise((r) => hooks?.close(r));
  tmp?.cleanup();
});

describe('an unquoted value starting with * (a YAML alias)', () => {
  const seen: [string, string][] = [];

  it('the reload answer names the file and line, in netmon words', async () => {
    const r = await request(daemon!.url, '/-/reload', { method: 'POST' });
    seen.push(['/-/reload', r.body]);
    expect(r.status).toBe(500);
    expect(r.body).toBe(`config reload failed, keeping the running config: ${path.join(tmp.dir, 'netmon.yaml')}:6:16: unknown YAML alias (a value starting with * must be quoted)\n`);
  });

  it('the ConfigReloadFailed alert reaches both receivers, with the message', async () => {
    await waitFor('both receivers', () => (payloads.some((p) => p.startsWith('/hook')) && payloads.some((p) => p.startsWith('/api/v2/alerts')) ? true : undefined), 20_000);
    expect(payloads.join('\n')).toContain('unknown YAML alias (a value starting with * must be quoted)');
    for (const p of ['/api/v1/overview', '/api/v1/alerts', '/api/v1/problems', '/api/v1/alerts/history']) {
      const r = await request(daemon!.url, p);
      expect(r.status, p).toBe(200);
      seen.push([p, r.body]);
    }
    expect(seen.find(([p]) => p === '/api/v1/overview')![1]).toContain('unknown YAML alias');
  });

  it('the value is in no answer, payload, log line or alerts database row', async () => {
    await daemon!.stop();
    daemon = undefined;
    const db = new Database(alertsDbPath(path.join(tmp.dir, 'data', 'netmon.db')), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    const rows = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all()));
    db.close();
    expect(rows.join('\n')).toContain('unknown YAML alias'); // the history holds the alert
    seen.push(['alerts database', rows.join('\n')], ['payloads', payloads.join('\n')], ['log', logs.join('')]);
    // The search works: the file holds the value.
    expect(readFileSync(path.join(tmp.dir, 'netmon.yaml'), 'utf8')).toContain(SECRET);
    expect(seen.filter(([, text]) => text.includes(SECRET)).map(([where]) => where)).toEqual([]);
  });
});
