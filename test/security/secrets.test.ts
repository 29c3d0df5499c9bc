/**
 * No secret ever leaves netmon. A config whose SNMP community, SNMPv3 auth and priv pass phrases, alert
 * receiver password and token, and dashboard password are unique random markers (some given through
 * `${ENV}` substitution, some written in the file) runs as a user runs it (`netmon run`, compiled, a
 * child process, HTTPS with basic auth) against the simulator for a few poll cycles, through a failed
 * reload (errors inside the credentials block) and a good one. Then every marker is looked for in:
 * stdout and stderr (debug level), every API answer, /metrics, the dashboard's HTML, CSS and JS, the SSE
 * stream, `/-/reload` answers, `netmon check-config` on the valid config and on broken copies (schema
 * errors, a YAML syntax error, a missing and a too-short environment value, a password written where its
 * hash belongs, all inside the secret-bearing blocks), and `netmon probe TARGET --json` with the right
 * and with wrong credentials. One hit anywhere fails the test.
 *
 * Needs `npm run build` first (it runs bin/netmon.js).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type DaemonChild } from '../kit/proc.js';
import { DASHBOARD_DIR, ROOT } from '../../src/paths.js';
import { makeRefnetConfig, type RefnetConfig } from '../kit/refnet.js';
import { requireTool } from '../helpers/requireTool.js';
import { hash, makeCert, readStream, request, waitFor } from './helpers.js';

const ok = requireTool({ commands: ['openssl'] }, 'secrets test (HTTPS with a self-signed certificate)');

const marker = (tag: string) => `${tag}${randomBytes(8).toString('hex')}`;
/** Every secret, by what it is. Each is unique, so a hit says exactly what leaked. */
const M = {
  community: marker('COMM'), // env
  authKey: marker('AUTH'), // in the file
  privKey: marker('PRIV'), // env
  webPassword: marker('WEBPW'), // the dashboard user's password (the file holds only its bcrypt hash)
  wrongWebPassword: marker('BADPW'), // a wrong password a client tries
  hookPassword: marker('HOOKPW'), // receiver URL user:password@ (in the file)
  hookToken: marker('TOKEN'), // receiver header (env)
  // Only in the broken copies:
  shortKey: marker('S').slice(0, 7), // too short for SNMPv3: a validation error on its line
  typoValue: marker('TYPO'), // the value of a misspelt key
  numCommunity: String(randomInt(100_000_000, 999_999_999)), // a community YAML reads as a number
  yamlBroken: marker('YAML'), // on a line with a YAML syntax error
  shortEnv: marker('E').slice(0, 7), // too short, from the environment
  hashLike: marker('PLAIN'), // a password written where its bcrypt hash belongs
  // Only in the wrong-credentials copy used with `netmon probe`:
  wrongCommunity: marker('WCOMM'),
  wrongAuth: marker('WAUTH'),
  wrongPriv: marker('WPRIV'),
};
const ENV = { NETMON_TEST_COMMUNITY: M.community, NETMON_TEST_PRIV: M.privKey, NETMON_TEST_TOKEN: M.hookToken, NETMON_TEST_SHORT: M.shortEnv };
/** Encodings a leak could take: as is, and inside a basic-auth header. */
const NEEDLES: [string, string][] = [
  ...Object.entries(M).map(([k, v]) => [k, v] as [string, string]),
  ['webPassword (basic auth header)', Buffer.from(`admin:${M.webPassword}`).toString('base64')],
  ['wrongWebPassword (basic auth header)', Buffer.from(`admin:${M.wrongWebPassword}`).toString('base64')],
  ['hookPassword (basic auth header)', Buffer.from(`netmon:${M.hookPassword}`).toString('base64')],
];

let cfg: RefnetConfig;
let daemon: DaemonChild;
let ca: Buffer;
let goodMain = '';
const seen: [string, string][] = [];
const AUTH = `admin:${M.webPassword}`;

function credentialsBlock(c: { community: string; auth: string; priv: string }): string {
  return `credentials:
  sim:
    version: "2c"
    community: ${c.community}
  sim-v3:
    version: "3"
    username: netmon
    security_level: authPriv
    auth_protocol: sha256
    auth_key: ${c.auth}
    priv_protocol: aes
    priv_key: ${c.priv}
`;
}

/** Replace the shipped credentials block (from `credentials:` to the blank line before `sites:`). */
function withCredentials(main: string, block: string): string {
  const start = main.indexOf('\ncredentials:\n') + 1;
  const end = main.indexOf('\nsites:\n');
  if (start <= 0 || end < start) throw new Error('credentials block not found in the shipped config');
  return `${main.slice(0, start)}${block}${main.slice(end)}`;
}

function netmon(args: string[], env: Record<string, string> = ENV): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'netmon.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const api = async (path: string, opts: { method?: string; auth?: string } = {}) => {
  const r = await request(daemon.url, path, { ca, auth: opts.auth ?? AUTH, method: opts.method, timeoutMs: 10_000 });
  seen.push([`${opts.method ?? 'GET'} ${path} (${r.status})`, `${JSON.stringify(r.headers)}\n${r.body}`]);
  return r;
};

beforeAll(async () => {
  if (!ok) return;
  cfg = makeRefnetConfig({
    dcCoreInterval: '2s',
    transform: (text) => {
      let t = withCredentials(text, credentialsBlock({ community: '"${NETMON_TEST_COMMUNITY}"', auth: `"${M.authKey}"`, priv: '"${NETMON_TEST_PRIV}"' }));
      t = t.replace(/(defaults:\n {2}snmp:\n {4}interval: )60s/, '$110s');
      t = t.replace(/^server:\n/m, 'server:\n  web_config: web.yml\n');
      t = t.replace(
        /^alerting:\n/m,
        `alerting:\n  receivers:\n    - name: chat\n      type: webhook\n      url: "http://netmon:${M.hookPassword}@127.0.0.1:9/hook"\n      headers: { Authorization: "Bearer \${NETMON_TEST_TOKEN}" }\n      timeout: 1s\n`,
      );
      return t;
    },
  });
  ca = makeCert(cfg.dir).cert;
  writeFileSync(join(cfg.dir, 'web.yml'), `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  admin: ${hash(M.webPassword)}\n`);
  goodMain = readFileSync(cfg.file, 'utf8');
  expect(goodMain).toContain(M.authKey);
  expect(goodMain).toContain('${NETMON_TEST_COMMUNITY}');
  daemon = await spawnDaemon(cfg.file, { env: { ...ENV, NETMON_LOG_LEVEL: 'debug' } });
}, 90_000);

afterAll(async () => {
  await daemon?.stop();
  cfg?.cleanup();
});

describe.runIf(ok)('secrets never leave netmon', () => {
  it('runs over HTTPS and polls the simulator with the marker credentials for a few cycles', async () => {
    expect(daemon.url).toMatch(/^https:\/\//);
    expect(daemon.stdout()).toMatch(/Dashboard: https:\/\/127\.0\.0\.1:\d+\//);
    // SNMPv3 (dc-core) and v2c targets answer: the markers really are the credentials in use.
    const metrics = await waitFor(
      'a few poll cycles',
      async () => {
        const text = (await request(daemon.url, '/metrics', { ca, auth: AUTH })).body;
        const runs = /^netmon_scheduler_runs_total\{probe="snmp"\} (\d+)/m.exec(text);
        return runs && Number(runs[1]) >= 300 ? text : undefined;
      },
      60_000,
      1000,
    );
    expect(metrics).toMatch(/netmon_probe_success\{[^}]*probe="snmp"[^}]*target="dc-core"[^}]*\} 1/);
    expect(metrics).toMatch(/netmon_probe_success\{[^}]*probe="snmp"[^}]*target="sw-so-noi-vu"[^}]*\} 1/);
    // A client with a wrong password (a marker too) is refused.
    for (let i = 0; i < 3; i++) expect((await api('/metrics', { auth: `admin:${M.wrongWebPassword}` })).status).toBe(401);
  }, 90_000);

  it('a reload that fails inside the credentials block, then a good one', async () => {
    const broken = withCredentials(goodMain, credentialsBlock({ community: '"${NETMON_TEST_COMMUNITY}"', auth: `"${M.shortKey}"`, priv: '"${NETMON_TEST_PRIV}"' }).replace('    version: "2c"\n', `    version: "2c"\n    comunity: "${M.typoValue}"\n`));
    writeFileSync(cfg.file, broken);
    const bad = await api('/-/reload', { method: 'POST' });
    expect(bad.status).toBe(500);
    expect(bad.body).toMatch(/credentials\.sim: unknown key "comunity"/);
    expect(bad.body).toMatch(/credentials\.sim-v3\.auth_key: must be at least 8 characters/);
    const o = JSON.parse((await api('/api/v1/overview')).body) as { config_reload: { ok: boolean; error: string } };
    expect(o.config_reload.ok).toBe(false);
    expect(o.config_reload.error).toMatch(/auth_key: must be at least 8 characters/);
    // The ConfigReloadFailed alert goes to the (unreachable) receiver: its failure is recorded.
    await waitFor('a delivery failure', async () => {
      const r = JSON.parse((await api('/api/v1/alerts/receivers')).body) as { receivers: { last_error: string | null }[] };
      return r.receivers[0]?.last_error ? true : undefined;
    }, 20_000, 500);
    writeFileSync(cfg.file, goodMain);
    const good = await api('/-/reload', { method: 'POST' });
    expect(good.status).toBe(200);
    expect(JSON.parse((await api('/api/v1/overview')).body).config_reload.ok).toBe(true);
  }, 60_000);

  it('collects every API answer, /metrics, the dashboard and the SSE stream', async () => {
    const paths = [
      '/-/healthy', '/-/ready', '/metrics', '/api/v1/overview', '/api/v1/sites', '/api/v1/sites/ttdl', '/api/v1/sites/so-noi-vu',
      '/api/v1/sites/ttdl/ping?range=1h', '/api/v1/sites/so-noi-vu/optical?range=1h', '/api/v1/uplinks/domestic/traffic?range=1h',
      '/api/v1/uplinks/international/traffic?range=1h', '/api/v1/targets/dc-core/interfaces/1/traffic?range=1h', '/api/v1/servers',
      '/api/v1/problems', '/api/v1/alerts', '/api/v1/alerts/rules', '/api/v1/alerts/history', '/api/v1/alerts/receivers', '/api/v1/alerts/silences',
      '/api/v1/sites/nowhere', '/api/v1/nope', '/', '/index.html', '/style.css', '/favicon.svg',
      ...readdirSync(join(DASHBOARD_DIR, 'dist')).filter((f) => f.endsWith('.js')).map((f) => `/js/${f}`),
    ];
    for (const p of paths) {
      const r = await api(p);
      expect(r.status, p).toBeLessThan(500);
    }
    const sse = await readStream(daemon.url, '/api/v1/events', 4000, { ca, auth: AUTH });
    expect(sse.status).toBe(200);
    expect(sse.text).toMatch(/event: result/);
    seen.push(['SSE /api/v1/events', sse.text]);
  }, 60_000);

  it('collects check-config on the valid config and on broken copies, and netmon probe --json', () => {
    const valid = netmon(['check-config', cfg.file]);
    expect(valid.code).toBe(0);
    expect(valid.out).toMatch(/config OK: .*; web config: HTTPS \(TLSv1\.2 or newer\), basic auth for 1 user/);
    seen.push(['check-config (valid)', valid.out]);

    const copies: [string, string, string, RegExp][] = [
      [
        'schema errors in credentials',
        withCredentials(goodMain, credentialsBlock({ community: M.numCommunity, auth: `"${M.shortKey}"`, priv: '"${NETMON_TEST_PRIV}"' }).replace('    username: netmon\n', `    username: netmon\n    comunity: "${M.typoValue}"\n`)),
        'web.yml',
        /credentials\.sim\.community: expected a string, got an integer; put it in quotes/,
      ],
      ['YAML syntax error on a secret line', withCredentials(goodMain, credentialsBlock({ community: `[${M.yamlBroken}, "x`, auth: `"${M.authKey}"`, priv: '"${NETMON_TEST_PRIV}"' })), 'web.yml', /YAML: /],
      [
        'environment: unset, and too short',
        withCredentials(goodMain, credentialsBlock({ community: '"${NETMON_TEST_UNSET_VARIABLE}"', auth: '"${NETMON_TEST_SHORT}"', priv: '"${NETMON_TEST_PRIV}"' })),
        'web.yml',
        /environment variable NETMON_TEST_UNSET_VARIABLE is not set[\s\S]*credentials\.sim-v3\.auth_key: must be at least 8 characters/,
      ],
      ['a password where its hash belongs', goodMain.replace('web_config: web.yml', 'web_config: web-bad.yml'), 'web-bad.yml', /basic_auth_users\.admin: expected a bcrypt hash/],
    ];
    writeFileSync(join(cfg.dir, 'web-bad.yml'), `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  admin: ${M.hashLike}\n`);
    copies.forEach(([what, text, , expected], i) => {
      const file = join(cfg.dir, `broken-${i}.yaml`);
      writeFileSync(file, text);
      const r = netmon(['check-config', file]);
      expect(r.code, what).toBe(1);
      expect(r.out, what).toMatch(expected);
      seen.push([`check-config (${what})`, r.out]);
    });

    for (const target of ['dc-core', 'sw-so-noi-vu']) {
      const r = netmon(['probe', target, '--config', cfg.file, '--json']);
      expect(r.code, r.out.slice(0, 2000)).toBe(0);
      expect(JSON.parse(r.out.slice(0, r.out.lastIndexOf('}') + 1)).results[0].samples.length).toBeGreaterThan(0);
      seen.push([`probe ${target} --json`, r.out]);
    }
    // Wrong credentials against the daemon's agents: the failures are reported without the values tried.
    const wrong = join(cfg.dir, 'wrong.yaml');
    writeFileSync(wrong, withCredentials(goodMain, credentialsBlock({ community: `"${M.wrongCommunity}"`, auth: `"${M.wrongAuth}"`, priv: `"${M.wrongPriv}"` })));
    for (const target of ['dc-core', 'sw-so-noi-vu']) {
      const r = netmon(['probe', target, '--config', wrong, '--json']);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/"ok": false/);
      seen.push([`probe ${target} --json (wrong credentials)`, r.out]);
      const text = netmon(['probe', target, '--config', wrong]);
      seen.push([`probe ${target} (wrong credentials, text)`, text.out]);
    }
  }, 180_000);

  it('finds no marker anywhere: logs, answers, pages, stream, CLI output', async () => {
    const stop = await daemon.stop();
    expect(stop.code).toBe(0);
    seen.push(['daemon stdout', daemon.stdout()], ['daemon stderr (debug log)', daemon.stderr()]);
    expect(daemon.stderr()).toMatch(/config reload failed, keeping the running config/);
    expect(daemon.stderr()).toMatch(/HTTP basic auth: wrong or unknown user name or password/);
    const search = (corpus: [string, string][]) => {
      const hits: string[] = [];
      for (const [where, text] of corpus) for (const [what, needle] of NEEDLES) if (text.includes(needle)) hits.push(`${what} found in ${where}: …${text.slice(Math.max(0, text.indexOf(needle) - 120), text.indexOf(needle) + 40)}…`);
      return hits;
    };
    // The search itself works: the config file does hold a marker.
    expect(search([['config', goodMain]]).map((h) => h.split(' ')[0]).sort()).toEqual(['authKey', 'hookPassword']);
    const hits = search(seen);
    expect(hits, hits.join('\n')).toEqual([]);
    // The search covered what it should.
    expect(seen.length).toBeGreaterThan(50);
    expect(seen.reduce((n, [, t]) => n + t.length, 0)).toBeGreaterThan(200_000);
  }, 30_000);
});
