/** turns.ts: queued requests run a budget's worth per turn of the event loop, timers run between turns, and a full queue or a long wait answers 503. */
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { turns } from '../../src/http/turns.js';

function fakeRes() {
  const r = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown, headersSent: false };
  const res = {
    get headersSent() {
      return r.headersSent;
    },
    setHeader: (k: string, v: string) => void (r.headers[k] = v),
    status: (s: number) => ({ json: (b: unknown) => void Object.assign(r, { status: s, body: b, headersSent: true }) }),
  } as unknown as Response;
  return { r, res };
}
const req = { destroyed: false } as Request;
const busyWait = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('turns', () => {
  it('runs at most a budget of handlers per turn, lets timers in between, refuses beyond the queue', async () => {
    const shed: string[] = [];
    const mw = turns({ budgetMs: 10, maxQueued: 4, maxWaitMs: 60_000 }, (reason) => shed.push(reason));
    const order: string[] = [];
    const refused: ReturnType<typeof fakeRes>['r'][] = [];
    for (let i = 0; i < 6; i++) {
      const { r, res } = fakeRes();
      mw(req, res, (() => {
        order.push(`req${i}`);
        busyWait(6);
      }) as NextFunction);
      if (r.status) refused.push(r);
    }
    expect(refused.map((r) => r.status)).toEqual([503, 503]);
    expect(shed).toEqual(['queue_full', 'queue_full']); // counted on /metrics by the app
    expect(refused[0]!.headers['Retry-After']).toBe('1');
    expect(order).toEqual([]); // nothing runs in the turn it arrived in
    setTimeout(() => order.push('timer'), 0);
    await new Promise<void>((resolve) => setTimeout(resolve, 100));
    // Two handlers (6 ms each) fill a 10 ms turn; the timer ran before the rest.
    expect(order.slice(0, 2)).toEqual(['req0', 'req1']);
    expect(order.indexOf('timer')).toBeLessThan(order.indexOf('req3'));
    expect(order.filter((o) => o.startsWith('req'))).toEqual(['req0', 'req1', 'req2', 'req3']);
  });

  it('answers 503 to a request that waited longer than maxWaitMs, and skips a closed one', async () => {
    const shed: string[] = [];
    const mw = turns({ budgetMs: 10, maxQueued: 10, maxWaitMs: 5 }, (reason) => shed.push(reason));
    let ran = 0;
    const first = fakeRes();
    mw(req, first.res, (() => {
      ran++;
      busyWait(15); // the next one has now waited 15 ms
    }) as NextFunction);
    const late = fakeRes();
    mw(req, late.res, (() => ran++) as NextFunction);
    const gone = fakeRes();
    mw({ destroyed: true } as Request, gone.res, (() => ran++) as NextFunction);
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(ran).toBe(1);
    expect(late.r.status).toBe(503);
    expect(JSON.stringify(late.r.body)).toMatch(/waited too long/);
    expect(gone.r.status).toBe(0);
    expect(shed).toEqual(['waited_too_long']);
  });
});
