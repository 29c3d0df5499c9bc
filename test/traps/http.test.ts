/** GET /api/v1/traps in the app: parameters validated (400 naming the bad one), passed on, JSON answered. */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import type { Server } from 'node:http';
import { apiErrorHandler } from '../../src/http/api.js';
import { trapsRouter } from '../../src/traps/http.js';
import type { TrapQuery } from '../../src/traps/db.js';

describe('GET /api/v1/traps', () => {
  let server: Server;
  let base: string;
  const asked: TrapQuery[] = [];
  beforeAll(async () => {
    const app = express();
    app.use('/api/v1/traps', trapsRouter({ query: (q) => (asked.push(q), { traps: [], next_before_id: null }) }));
    app.use(apiErrorHandler(() => undefined));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/traps`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('passes the filters on and answers JSON', async () => {
    const r = await fetch(`${base}?target=sw1&trap=linkDown&from=5&to=9&before_id=40&limit=7`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ traps: [], next_before_id: null });
    expect(asked.at(-1)).toEqual({ target: 'sw1', trap: 'linkDown', from: 5, to: 9, beforeId: 40, limit: 7 });
    await fetch(base);
    expect(asked.at(-1)?.limit).toBe(100);
  });

  it('rejects bad and unknown parameters with 400', async () => {
    for (const q of ['limit=0', 'limit=5000', 'from=x', 'before_id=-1', 'colour=red']) {
      const r = await fetch(`${base}?${q}`);
      expect(r.status, q).toBe(400);
      expect(((await r.json()) as { error: string }).error, q).toMatch(q.startsWith('colour') ? /unknown parameter colour/ : new RegExp(q.split('=')[0]!));
    }
  });
});
