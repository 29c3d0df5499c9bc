/**
 * Request limits and server timeouts: oversized bodies (413, before they are read), long URLs (414), too
 * many query parameters (400), too many headers; slowloris (headers dribbled in), a body that never
 * finishes, a TLS handshake that never starts: all cut off by the server's timeouts, while a long-lived
 * answer (the SSE stream) is not.
 */
import { connect } from 'node:net';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { LIMITS } from '../../src/http/limits.js';
import { listen, type HttpServer } from '../../src/http/server.js';
import { minimalConfig, request, tempDir, write, type TempDir } from './helpers.js';

let tmp: TempDir;
let daemon: Daemon;

beforeAll(async () => {
  tmp = tempDir();
  write(tmp.dir, 'netmon.yaml', minimalConfig());
  daemon = await startDaemon({ configFile: path.join(tmp.dir, 'netmon.yaml'), log: pino({ level: 'silent' }), port: 0 });
});
afterAll(async () => {
  await daemon?.stop();
  tmp?.cleanup();
});

const json = { 'content-type': 'application/json' };
const silence = (comment: string) => JSON.stringify({ matchers: { alertname: 'X' }, duration: '1h', comment, created_by: 'test' });

describe('request limits (the daemon)', () => {
  it('a JSON body over 32 KB gets 413 with a JSON error, declared or chunked; one under it is accepted', async () => {
    const big = silence('x'.repeat(40_000));
    const declared = await request(daemon.url, '/api/v1/alerts/silences', { method: 'POST', headers: json, body: big });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error).toMatch(/larger than 32 KB/);
    expect(declared.headers.connection).toBe('close');
    // Chunked (no Content-Length): the JSON parser's own limit.
    const chunked = await request(daemon.url, '/api/v1/alerts/silences', { method: 'POST', headers: { ...json, 'transfer-encoding': 'chunked' }, body: big });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toEqual({ error: 'body too large' });
    const ok = await request(daemon.url, '/api/v1/alerts/silences', { method: 'POST', headers: json, body: silence('x'.repeat(900)) });
    expect(ok.status).toBe(201);
    // Any route: the limit is checked before routing.
    expect((await request(daemon.url, '/-/reload', { method: 'POST', headers: { 'content-length': String(10 * 1024 * 1024) }, body: '' }).catch(() => ({ status: 413 }))).status).toBe(413);
  });

  it('a URL over 4 KB gets 414; more than 32 query parameters 400; both JSON', async () => {
    const long = await request(daemon.url, `/api/v1/sites?group=${'a'.repeat(5000)}`);
    expect(long.status).toBe(414);
    expect(JSON.parse(long.body).error).toMatch(/URL longer than 4096 bytes/);
    const many = await request(daemon.url, `/api/v1/overview?${Array.from({ length: 40 }, (_, i) => `p${i}=1`).join('&')}`);
    expect(many.status).toBe(400);
    expect(JSON.parse(many.body).error).toMatch(/more than 32 query parameters/);
    // Within the limits, the endpoint's own validation answers.
    expect((await request(daemon.url, `/api/v1/overview?${Array.from({ length: 5 }, (_, i) => `p${i}=1`).join('&')}`)).status).toBe(400);
    expect((await request(daemon.url, '/api/v1/overview')).status).toBe(200);
  });

  it('headers beyond Node\'s 16 KB get 431; more than 64 header lines 431, as documented', async () => {
    const huge = await request(daemon.url, '/-/healthy', { headers: { 'x-pad': 'a'.repeat(20_000) } });
    expect(huge.status).toBe(431);
    const lines = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, 'v']));
    // The client adds Host and Connection: lines(62) is 64 header lines in all.
    expect((await request(daemon.url, '/api/v1/overview', { headers: lines(62) })).status).toBe(200);
    for (const n of [63, 70, 200]) {
      const r = await request(daemon.url, '/api/v1/overview', { headers: lines(n) });
      expect(r.status, `${n + 2} header lines`).toBe(431);
      expect(JSON.parse(r.body).error).toMatch(/more than 64 header lines/);
    }
    expect((await request(daemon.url, '/-/healthy', { headers: lines(40) })).status).toBe(200);
  });

  it('the daemon uses the documented timeouts', () => {
    expect(LIMITS).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxBodyBytes: 32 * 1024 });
  });
});

describe('server timeouts (slow clients)', () => {
  let srv: HttpServer;
  const limits = { ...LIMITS, headersTimeoutMs: 800, requestTimeoutMs: 1500, keepAliveTimeoutMs: 500, connectionsCheckingIntervalMs: 100, socketIdleTimeoutMs: 3000 };

  beforeAll(async () => {
    const app = express();
    app.get('/ok', (_req, res) => void res.send('ok'));
    app.post('/body', express.text(), (req, res) => void res.send(`got ${String(req.body).length}`));
    // Like the SSE stream: answers at once, then writes now and then for longer than requestTimeout.
    app.get('/stream', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const t = setInterval(() => {
        res.write(`data: ${n++}\n\n`);
        if (n === 6) {
          clearInterval(t);
          res.end();
        }
      }, 400);
    });
    srv = await listen(app, { host: '127.0.0.1', port: 0, limits });
  });
  afterAll(async () => {
    srv?.server.closeAllConnections();
    await new Promise<void>((r) => srv.server.close(() => r()));
  });

  /** Opens a raw connection, sends `parts` with `gapMs` between them, and resolves when the server closes it. */
  function dribble(parts: string[], gapMs: number): Promise<{ closedAfterMs: number; reply: string }> {
    const u = new URL(srv.url);
    return new Promise((resolve, reject) => {
      const t0 = Date.now();
      let reply = '';
      const s = connect(Number(u.port), u.hostname);
      let i = 0;
      const timer = setInterval(() => {
        if (i < parts.length && !s.destroyed) s.write(parts[i++]!);
      }, gapMs);
      s.on('data', (d: Buffer) => (reply += d.toString()));
      s.on('close', () => {
        clearInterval(timer);
        resolve({ closedAfterMs: Date.now() - t0, reply });
      });
      s.on('error', () => undefined);
      setTimeout(() => {
        clearInterval(timer);
        s.destroy();
        reject(new Error('the server never closed the connection'));
      }, 10_000);
    });
  }

  it('slowloris: headers dribbled in one line at a time are cut off after headersTimeout with 408', async () => {
    const parts = ['GET /ok HTTP/1.1\r\n', 'Host: x\r\n', ...Array.from({ length: 50 }, (_, i) => `X-Slow-${i}: y\r\n`)];
    const r = await dribble(parts, 200);
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(700);
    expect(r.closedAfterMs).toBeLessThan(2000);
    expect(r.reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a body that never completes is cut off after requestTimeout', async () => {
    const head = 'POST /body HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n';
    const r = await dribble([head, ...Array.from({ length: 40 }, () => 'a'.repeat(10))], 150);
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(1300);
    expect(r.closedAfterMs).toBeLessThan(3500);
  });

  it('an idle connection (no request at all) is closed too', async () => {
    const r = await dribble([], 1000);
    expect(r.closedAfterMs).toBeLessThan(3500);
  });

  it('a long answer is not cut by requestTimeout', async () => {
    const r = await request(srv.url, '/stream', { timeoutMs: 5000 });
    expect(r.status).toBe(200);
    expect(r.body).toContain('data: 5');
    expect(r.ms).toBeGreaterThan(limits.requestTimeoutMs);
  });
});
