/** The sender against a tiny Node receiver: wire headers, retry of 503/429 honouring Retry-After, drop on 400, order. */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uncompress } from 'snappyjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteWriteConfig } from '../../src/remote-write/config.js';
import { RemoteWriteSender } from '../../src/remote-write/sender.js';
import type { Sample } from '../../src/types.js';
import { decodeWriteRequest } from './decode.js';

interface Req {
  at: number;
  headers: http.IncomingHttpHeaders;
  targets: string[];
}

async function receiver(answers: Array<[number, Record<string, string>?]>) {
  const reqs: Req[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.from(uncompress(Buffer.concat(chunks)));
      reqs.push({ at: Date.now(), headers: req.headers, targets: decodeWriteRequest(body).map((t) => t.labels.find(([n]) => n === 'target')![1]) });
      const [status, headers] = answers.shift() ?? [204];
      res.writeHead(status, headers).end(status >= 400 ? 'nope' : '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { reqs, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write` };
}

const sample = (i: number): Sample => ({ metric: 'm', labels: { target: `t${i}` }, value: i, ts: 1_700_000_000_000 + i, type: 'gauge' });
const config = (url: string, extra: Partial<RemoteWriteConfig> = {}): RemoteWriteConfig => ({
  name: 'r',
  url,
  tls: { insecure_skip_verify: false },
  timeout: 5000,
  queue: { max_bytes: 1e7, batch_size: 2, flush_interval: 50, min_backoff: 50, max_backoff: 200 },
  external_labels: {},
  ...extra,
});
async function until(fn: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('remote write sender', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const start = async (answers: Array<[number, Record<string, string>?]>, extra?: Partial<RemoteWriteConfig>) => {
    const rx = await receiver(answers);
    const dir = mkdtempSync(join(tmpdir(), 'netmon-rws-'));
    const logs: string[] = [];
    const s = new RemoteWriteSender({ config: config(rx.url, extra), queueRoot: dir, log: (_l, m, x) => logs.push(m + JSON.stringify(x ?? {})) });
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => rx.server.close(), () => s.close());
    return { rx, s, logs };
  };

  it('sends protocol 1.0 headers and a bearer token, retries 503 and 429 honouring Retry-After, in order', async () => {
    const { rx, s, logs } = await start([[503, { 'Retry-After': '1' }], [429]], { bearer_token: 'sekrit-token' });
    for (let i = 0; i < 4; i++) s.accept([sample(i)]);
    await until(() => s.stats.sent === 4);
    expect(rx.reqs[0]!.headers).toMatchObject({
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'x-prometheus-remote-write-version': '0.1.0',
      authorization: 'Bearer sekrit-token',
    });
    expect(rx.reqs[1]!.at - rx.reqs[0]!.at).toBeGreaterThanOrEqual(950); // Retry-After: 1
    expect(rx.reqs.map((r) => r.targets)).toEqual([['t0', 't1'], ['t0', 't1'], ['t0', 't1'], ['t2', 't3']]);
    expect(s.stats).toMatchObject({ sent: 4, failed: 4, retried: 4, dropped: { http_4xx: 0 } });
    expect(logs.join('\n')).not.toContain('sekrit');
  });

  it('drops a batch refused with 400 (counted) and goes on with the next', async () => {
    const { rx, s, logs } = await start([[400]], { basic_auth: { username: 'u', password: 'sekrit-pass' } });
    for (let i = 0; i < 4; i++) s.accept([sample(i)]);
    await until(() => s.stats.sent === 2);
    expect(rx.reqs.map((r) => r.targets)).toEqual([['t0', 't1'], ['t2', 't3']]);
    expect(rx.reqs[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:sekrit-pass').toString('base64')}`);
    expect(s.stats).toMatchObject({ sent: 2, failed: 2, retried: 0, dropped: { http_4xx: 2 } });
    expect(s.queue.samples).toBe(0);
    expect(logs.join('\n')).toMatch(/HTTP 400.*nope/);
    expect(logs.join('\n')).not.toContain('sekrit');
  });
});
