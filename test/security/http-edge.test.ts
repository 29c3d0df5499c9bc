/**
 * The HTTP edge of issue 24 (items 5 and 10) against the daemon over HTTPS with basic auth: the Host
 * allowlist and same-origin JSON writes for non-browser and browser-like clients, HSTS, forward-secret
 * TLS 1.2 suites only (openssl s_client), per-client brute-force throttling (a second client address,
 * 127.0.0.2, logs in during a flood from 127.0.0.1), and the same bcrypt cost for unknown and known users.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { requireTool } from '../helpers/requireTool.js';
import { hash, makeCert, minimalConfig, request, tempDir, write, type RawRequest, type TempDir } from './helpers.js';

const ok = requireTool({ commands: ['openssl'] }, 'HTTPS edge tests (openssl)');

// Cost 8: slow enough that a dummy hash of another cost shows in the timing (cost 10: 4x as long).
const COST = 8;
const AUTH = 'admin:right';
/** One user per login during the flood, so each login is a real bcrypt check, not a cached success. */
const VIEWERS = Array.from({ length: 10 }, (_, i) => `viewer${i}`);

describe.runIf(ok)('the HTTP edge over HTTPS with basic auth', () => {
  let tmp: TempDir;
  let daemon: Daemon;
  let ca: Buffer;
  let port: string;
  const get = (p: string, opts: RawRequest = {}) => request(daemon.url, p, { ca, auth: AUTH, ...opts });

  beforeAll(async () => {
    tmp = tempDir();
    // RSA: with an ECDSA key the static-RSA suites (AES128-SHA) could not be negotiated anyway.
    ca = makeCert(tmp.dir, undefined, undefined, 'rsa').cert;
    write(tmp.dir, 'web.yml', `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  admin: ${hash('right', COST)}\n${VIEWERS.map((v) => `  ${v}: ${hash('other', COST)}\n`).join('')}`);
    write(tmp.dir, 'netmon.yaml', minimalConfig('  web_config: web.yml\n  allowed_hosts: [netmon.example.org]\n'));
    daemon = await startDaemon({ configFile: path.join(tmp.dir, 'netmon.yaml'), log: pino({ level: 'silent' }), port: 0 });
    port = new URL(daemon.url).port;
  }, 60_000);
  afterAll(async () => {
    await daemon?.stop();
    tmp?.cleanup();
  });

  it('answers only to its own names: 421 with the fix for any other Host', async () => {
    // servername: the certificate is checked against localhost whatever the Host header says.
    const bad = await get('/api/v1/overview', { headers: { host: `attacker.test:${port}` }, servername: 'localhost' });
    expect(bad.status).toBe(421);
    expect(JSON.parse(bad.body).error).toMatch(/server\.allowed_hosts/);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `NETMON.example.org.:${port}`, `192.0.2.7:${port}`]) {
      expect((await get('/api/v1/overview', { headers: { host }, servername: 'localhost' })).status, host).toBe(200);
    }
  });

  it('takes writes from non-browser clients as before, and refuses foreign or non-JSON ones', async () => {
    // curl -X POST https://.../-/reload: no Origin, no Sec-Fetch-*, no body.
    expect((await get('/-/reload', { method: 'POST' })).status).toBe(200);
    const silence = JSON.stringify({ matchers: { alertname: 'X' }, duration: '1h', created_by: 'script', comment: 'test' });
    expect((await get('/api/v1/alerts/silences', { method: 'POST', headers: { 'content-type': 'application/json' }, body: silence })).status).toBe(201);
    // The same body as a form could send it: refused before it is parsed.
    const form = await get('/api/v1/alerts/silences', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: silence });
    expect(form.status).toBe(415);
    const foreign = { 'content-type': 'application/json', origin: 'https://attacker.test' };
    expect((await get('/api/v1/alerts/silences', { method: 'POST', headers: foreign, body: silence })).status).toBe(403);
    expect((await get('/-/reload', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await get('/-/reload', { method: 'POST', headers: { origin: 'null' } })).status).toBe(403);
    // netmon's own page: Origin is its own address.
    expect((await get('/-/reload', { method: 'POST', headers: { origin: `https://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  });

  it('sends HSTS over HTTPS', async () => {
    for (const p of ['/-/healthy', '/api/v1/overview']) expect((await get(p)).headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('accepts only forward-secret suites on TLS 1.2 (AES128-SHA refused), and TLS 1.3', async () => {
    // Not spawnSync: the daemon runs in this process and must answer meanwhile.
    const handshake = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const c = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let [stdout, stderr] = ['', ''];
        c.stdout.on('data', (d) => (stdout += d));
        c.stderr.on('data', (d) => (stderr += d));
        const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
        c.once('error', reject);
        c.once('exit', (status) => {
          clearTimeout(kill);
          resolve({ status, stdout, stderr });
        });
      });
    for (const weak of ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA']) {
      const r = await handshake('-tls1_2', '-cipher', weak);
      expect(r.status, `${weak}: ${r.stdout.slice(-300)}`).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/handshake failure|no cipher|Cipher is \(NONE\)|alert/i);
    }
    const good = await handshake('-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256');
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/Cipher is ECDHE-RSA-AES128-GCM-SHA256/);
    const t13 = await handshake('-tls1_3');
    expect(t13.status, t13.stderr).toBe(0);
    expect(t13.stdout).toMatch(/TLSv1\.3/);
  });

  it('throttles a guessing client by its address: another address still logs in during the flood', async () => {
    // Bounded: 500 wrong guesses from 127.0.0.1, 50 at a time (more than the 32 checks that may wait), while 127.0.0.2 logs in (another user each time) once a batch.
    const statuses = new Map<number, number>();
    const legit: number[] = [];
    let retryAfter: string | undefined;
    for (let batch = 0; batch < 10; batch++) {
      const guesses = Array.from({ length: 50 }, (_, i) => get('/api/v1/overview', { auth: `admin:guess-${batch}-${i}`, localAddress: '127.0.0.1' }));
      const login = get('/api/v1/overview', { auth: `${VIEWERS[batch]}:other`, localAddress: '127.0.0.2' }).then((r) => r.status);
      for (const r of await Promise.all(guesses)) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 429) retryAfter = r.headers['retry-after'];
      }
      legit.push(await login);
    }
    expect(legit.every((s) => s === 200), `the other client's logins: ${legit.join(', ')}`).toBe(true);
    // The guesser got its burst of 10 answers (401) and then 429s: not 13 guesses a second.
    expect(statuses.get(401) ?? 0).toBeLessThanOrEqual(12);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(480);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('takes as long for an unknown user as for a known one with a wrong password', async () => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so a change in the machine's load hits both alike; 9 tries each from an address of its
    // own (the failure budget is 10 per address).
    for (let i = 0; i < 9; i++) {
      for (const [user, address, ms] of [['admin', '127.0.0.3', known], ['nobody', '127.0.0.4', unknown]] as const) {
        const r = await get('/-/ready', { auth: `${user}:wrong-${i}`, localAddress: address });
        expect(r.status).toBe(401);
        ms.push(r.ms);
      }
    }
    const [k, u] = [median(known), median(unknown)];
    const ratio = Math.max(k, u) / Math.min(k, u);
    expect(ratio, `known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`).toBeLessThan(1.5);
  });
});
