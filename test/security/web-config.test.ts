/**
 * `server.web_config` (TLS, basic auth; Prometheus exporter-toolkit's format): validation with positioned
 * errors, then the real daemon over HTTPS with a certificate made by openssl at test time: basic auth on
 * every endpoint but /-/healthy (the SSE stream and /metrics included), the bcrypt cache, and a reload
 * that swaps the certificate and the passwords without a restart.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/config/check.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { BasicAuth, clientKey, parseBasicAuth } from '../../src/http/auth.js';
import { loadError, removeTrees, writeTree } from '../config/helpers.js';
import { requireTool } from '../helpers/requireTool.js';
import { hash, makeCert, minimalConfig, readStream, request, tempDir, write, type TempDir } from './helpers.js';

const hasOpenssl = requireTool({ commands: ['openssl'] }, 'TLS tests (self-signed certificate)');

afterAll(() => removeTrees());

const lines = (dir: string) =>
  loadError(dir)
    .format()
    .split('\n')
    .map((l) => l.replace(`${dir}${path.sep}`, ''));

describe('web config validation', () => {
  it('reports bad hashes, unknown keys and bad user names with file, line and field, never the value', () => {
    const secretish = 'not-a-hash-but-maybe-a-password';
    const dir = writeTree({
      'netmon.yaml': minimalConfig('  web_config: web.yml\n'),
      'web.yml': `tls_config:\n  cert_file: x\nbasic_auth_users:\n  admin: ${secretish}\n  "a:b": ${hash('x')}\n  heavy: "$2y$15$${'a'.repeat(53)}"\n`,
    });
    const out = lines(dir);
    expect(out).toContain('web.yml:1:1: unknown key "tls_config"');
    expect(out).toContain('web.yml:4:10: basic_auth_users.admin: expected a bcrypt hash such as $2y$10$... (make one with `htpasswd -nBC 10 USER`)');
    expect(out.some((l) => /^web\.yml:5:\d+: basic_auth_users: key "a:b": expected a user name without `:`/.test(l))).toBe(true);
    expect(out.some((l) => /^web\.yml:6:\d+: basic_auth_users\.heavy: expected a bcrypt cost from 4 to 14/.test(l))).toBe(true);
    expect(out).toHaveLength(4);
    expect(out.join('\n')).not.toContain(secretish);
  });

  it('reports a missing web config file at the main file', () => {
    const dir = writeTree({ 'netmon.yaml': minimalConfig('  web_config: nowhere/web.yml\n') });
    expect(lines(dir).join('\n')).toMatch(/nowhere\/web\.yml: cannot read file: no such file/);
  });

  it('checks with the main file in one run: problems of both files are listed', () => {
    const dir = writeTree({
      'netmon.yaml': minimalConfig('  web_config: web.yml\n  prot: 1\n'),
      'web.yml': 'basic_auth_users: { admin: nope }\n',
    });
    const out = lines(dir);
    expect(out[0]).toMatch(/^netmon\.yaml:5:3: server: unknown key "prot", did you mean "port"\?/);
    expect(out[1]).toMatch(/^web\.yml:1:28: basic_auth_users\.admin: expected a bcrypt hash/);
  });

  describe.runIf(hasOpenssl)('certificates', () => {
    it('reads the certificate and key relative to the web config; a missing one or a mismatched pair is a positioned problem', () => {
      const dir = writeTree({ 'netmon.yaml': minimalConfig('  web_config: web/web.yml\n'), 'web/web.yml': '' });
      const webDir = path.join(dir, 'web');
      makeCert(webDir, { cert: 'a.crt', key: 'a.key' });
      makeCert(webDir, { cert: 'b.crt', key: 'b.key' });
      const cfg = (cert: string, key: string) => write(webDir, 'web.yml', `tls_server_config:\n  cert_file: ${cert}\n  key_file: ${key}\n`);

      cfg('a.crt', 'a.key');
      const ok = checkConfig(path.join(dir, 'netmon.yaml'), {});
      expect(ok).toMatchObject({ ok: true });
      expect(ok.text).toMatch(/; web config: HTTPS \(TLSv1\.2 or newer\)$/);

      cfg('missing.crt', 'a.key');
      expect(lines(dir)).toEqual([expect.stringMatching(/^web\/web\.yml:2:14: tls_server_config\.cert_file: cannot read .*missing\.crt: no such file$/)]);

      cfg('a.crt', 'b.key');
      const mismatch = lines(dir);
      expect(mismatch).toEqual([expect.stringMatching(/^web\/web\.yml:3:13: tls_server_config\.key_file: the key does not go with the certificate: /)]);
      // The key's content never appears.
      const keyBody = readFileSync(path.join(webDir, 'b.key'), 'utf8').split('\n')[1]!;
      expect(mismatch.join('\n')).not.toContain(keyBody);

      cfg('a.key', 'a.key');
      expect(lines(dir)).toEqual([expect.stringMatching(/^web\/web\.yml:2:14: tls_server_config\.cert_file: not a usable PEM certificate/)]);
    });
  });
});

describe('BasicAuth', () => {
  const users = new Map([['admin', hash('right')]]);

  it('parses the Authorization header strictly', () => {
    const b = (s: string) => ({ authorization: `Basic ${Buffer.from(s).toString('base64')}` });
    expect(parseBasicAuth(b('admin:pa:ss'))).toEqual({ user: 'admin', password: 'pa:ss' });
    expect(parseBasicAuth(b('no-colon'))).toBeUndefined();
    expect(parseBasicAuth({ authorization: 'Bearer x' })).toBeUndefined();
    expect(parseBasicAuth({ authorization: 'Basic !!!' })).toBeUndefined();
    expect(parseBasicAuth({})).toBeUndefined();
  });

  it('caches a success for its TTL (one bcrypt per minute for a scraper), never a failure; unknown users still cost a comparison', async () => {
    let now = 1_000_000;
    const auth = new BasicAuth({ now: () => now, cacheTtlMs: 60_000 });
    auth.setUsers(users);
    for (let i = 0; i < 5; i++) expect(await auth.verify('admin', 'right')).toBe(true);
    expect(countingCompare(auth)).toBe(1);
    now += 61_000;
    expect(await auth.verify('admin', 'right')).toBe(true);
    expect(countingCompare(auth)).toBe(2);
    expect(await auth.verify('admin', 'wrong')).toBe(false);
    expect(await auth.verify('admin', 'wrong')).toBe(false);
    expect(countingCompare(auth)).toBe(4);
    expect(await auth.verify('nobody', 'right')).toBe(false);
    expect(await auth.verify('__proto__', 'right')).toBe(false);
    expect(countingCompare(auth)).toBe(6);
    // A reload with new users forgets the cache.
    auth.setUsers(new Map([['admin', hash('new')]]));
    expect(await auth.verify('admin', 'right')).toBe(false);
    expect(await auth.verify('admin', 'new')).toBe(true);
  });

  it('throttles by client: IPv4 by address (mapped or not), IPv6 by /64', () => {
    expect(clientKey('127.0.0.1')).toBe('127.0.0.1');
    expect(clientKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey(undefined)).toBe('');
  });

  it('a client that spent its failure budget is throttled, without bcrypt, until it refills; others are not', async () => {
    let now = 1_000_000;
    const auth = new BasicAuth({ now: () => now, failureBurst: 3, failureRefillMs: 5000 });
    auth.setUsers(new Map([['admin', hash('right')]]));
    for (let i = 0; i < 3; i++) expect(await auth.verify('admin', `guess-${i}`, '10.0.0.1')).toBe(false);
    const spent = auth.comparisons;
    expect(await auth.verify('admin', 'right', '10.0.0.1')).toBe('throttled');
    expect(auth.comparisons).toBe(spent);
    expect(auth.retryAfterS('10.0.0.1')).toBe(5);
    expect(await auth.verify('admin', 'right', '10.0.0.2')).toBe(true);
    now += 5000;
    expect(auth.retryAfterS('10.0.0.1')).toBe(0);
    expect(await auth.verify('admin', 'right', '10.0.0.1')).toBe(true);
  });

  it('answers "busy" instead of queueing unbounded bcrypt work', async () => {
    const auth = new BasicAuth({ maxConcurrent: 1, maxWaiting: 2 });
    auth.setUsers(new Map([['admin', hash('right', 8)]]));
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => auth.verify('admin', `wrong-${i}`)));
    expect(results.filter((r) => r === 'busy').length).toBe(3);
    expect(results.filter((r) => r === false).length).toBe(3);
    // The same credentials on several requests at once (a browser loading a page) share one check.
    const before = auth.comparisons;
    expect(await Promise.all(Array.from({ length: 6 }, () => auth.verify('admin', 'right')))).toEqual(Array(6).fill(true));
    expect(auth.comparisons - before).toBe(1);
  });
});

/** bcrypt comparisons made so far (BasicAuth counts them). */
function countingCompare(auth: BasicAuth): number {
  return auth.comparisons;
}

describe.runIf(hasOpenssl)('the daemon over HTTPS with basic auth', () => {
  let tmp: TempDir;
  let daemon: Daemon;
  let ca: Buffer;
  const AUTH = 'admin:s3cret-Pässword';

  beforeAll(async () => {
    tmp = tempDir();
    ca = makeCert(tmp.dir).cert;
    write(tmp.dir, 'web.yml', `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  admin: ${hash('s3cret-Pässword')}\n  other: ${hash('other')}\n`);
    write(tmp.dir, 'netmon.yaml', minimalConfig('  web_config: web.yml\n'));
    daemon = await startDaemon({ configFile: path.join(tmp.dir, 'netmon.yaml'), log: pino({ level: 'silent' }), port: 0 });
  });
  afterAll(async () => {
    await daemon?.stop();
    tmp?.cleanup();
  });

  it('listens on https:// with the configured certificate', async () => {
    expect(daemon.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await request(daemon.url, '/-/healthy', { ca });
    expect(r.status).toBe(200);
    expect(r.peerCN).toBe('netmon-test');
    // Without trusting the self-signed certificate, the client refuses: it really is that certificate.
    await expect(request(daemon.url, '/-/healthy')).rejects.toThrow(/self.signed|certificate/i);
  });

  it('leaves /-/healthy open and asks for credentials everywhere else', async () => {
    for (const path of ['/', '/js/main.js', '/metrics', '/-/ready', '/api/v1/overview', '/api/v1/sites', '/api/v1/alerts', '/api/v1/nope', '/nope']) {
      const r = await request(daemon.url, path, { ca });
      expect(r.status, path).toBe(401);
      expect(r.headers['www-authenticate'], path).toBe('Basic realm="netmon", charset="UTF-8"');
      expect(JSON.parse(r.body), path).toEqual({ error: 'authentication required' });
    }
    expect((await request(daemon.url, '/-/reload', { ca, method: 'POST' })).status).toBe(401);
  });

  it('rejects a wrong password, an unknown user and a malformed header', async () => {
    expect((await request(daemon.url, '/metrics', { ca, auth: 'admin:wrong' })).status).toBe(401);
    expect((await request(daemon.url, '/metrics', { ca, auth: 'nobody:s3cret-Pässword' })).status).toBe(401);
    expect((await request(daemon.url, '/metrics', { ca, auth: 'other:s3cret-Pässword' })).status).toBe(401);
    expect((await request(daemon.url, '/metrics', { ca, headers: { authorization: 'Basic' } })).status).toBe(401);
    expect((await request(daemon.url, '/metrics', { ca, headers: { authorization: 'Digest admin' } })).status).toBe(401);
  });

  it('serves /metrics, the API, the dashboard and the SSE stream to the right user', async () => {
    const m = await request(daemon.url, '/metrics', { ca, auth: AUTH });
    expect(m.status).toBe(200);
    expect(m.body).toMatch(/^netmon_build_info\{/m);
    const o = await request(daemon.url, '/api/v1/overview', { ca, auth: AUTH });
    expect(o.status).toBe(200);
    expect(JSON.parse(o.body)).toMatchObject({ config_reload: { ok: true, error: null, trigger: 'startup' } });
    expect((await request(daemon.url, '/', { ca, auth: AUTH })).body).toContain('<html');
    expect((await request(daemon.url, '/api/v1/overview', { ca, auth: 'other:other' })).status).toBe(200);

    const denied = await readStream(daemon.url, '/api/v1/events', 300, { ca, auth: 'admin:wrong' });
    expect(denied.status).toBe(401);
    expect(denied.text).not.toContain('retry:');
    const sse = await readStream(daemon.url, '/api/v1/events', 500, { ca, auth: AUTH });
    expect(sse.status).toBe(200);
    expect(sse.text).toContain('retry: 3000');
  });

  it('a scrape with cached credentials is fast (no bcrypt on every request)', async () => {
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) expect((await request(daemon.url, '/-/ready', { ca, auth: AUTH })).status).toBe(503);
    // 20 bcrypt comparisons at cost 4 would still be quick; the point is the bound: no request waits on bcrypt.
    expect((performance.now() - t0) / 20).toBeLessThan(100);
  });

  it('a reload swaps the certificate and the users without a restart', async () => {
    // New certificate (different CN) and new password for admin.
    const web = tempDir();
    try {
      const c2 = makeCert(web.dir, { cert: 'cert2.pem', key: 'key2.pem' }, 'netmon-test-2');
      copyFileSync(c2.certFile, path.join(tmp.dir, 'cert.pem'));
      copyFileSync(c2.keyFile, path.join(tmp.dir, 'key.pem'));
      write(tmp.dir, 'web.yml', `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  admin: ${hash('changed')}\n`);
      const r = await request(daemon.url, '/-/reload', { ca, method: 'POST', auth: AUTH });
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/^config reloaded: /);
      expect(r.body).not.toMatch(/restart/);
      // The old certificate is no longer served: only the new CA is trusted now.
      await expect(request(daemon.url, '/-/healthy', { ca })).rejects.toThrow();
      const ca2 = c2.cert;
      const h = await request(daemon.url, '/-/healthy', { ca: ca2 });
      expect(h.peerCN).toBe('netmon-test-2');
      expect((await request(daemon.url, '/metrics', { ca: ca2, auth: AUTH })).status).toBe(401);
      expect((await request(daemon.url, '/metrics', { ca: ca2, auth: 'admin:changed' })).status).toBe(200);
      ca = ca2;
    } finally {
      web.cleanup();
    }
  });

  it('a reload that breaks the web config keeps TLS and the old users, and says where', async () => {
    write(tmp.dir, 'web.yml', `tls_server_config:\n  cert_file: gone.pem\n  key_file: key.pem\nbasic_auth_users:\n  admin: ${hash('third')}\n`);
    const r = await request(daemon.url, '/-/reload', { ca, method: 'POST', auth: 'admin:changed' });
    expect(r.status).toBe(500);
    expect(r.body).toMatch(/web\.yml:2:14: tls_server_config\.cert_file: cannot read .*gone\.pem: no such file/);
    expect((await request(daemon.url, '/metrics', { ca, auth: 'admin:changed' })).status).toBe(200);
    expect((await request(daemon.url, '/metrics', { ca, auth: 'admin:third' })).status).toBe(401);
  });
});
