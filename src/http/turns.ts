/**
 * Polling shares the event loop with HTTP, so HTTP must take turns. Node runs every ready socket's
 * callbacks in one pass of the loop: with 1000 connections each asking for a 20 ms range query, one pass
 * is 20 s of work during which no poll timer fires and no SNMP answer is read (issue 24: 136 skipped
 * cycles). Here a request joins a queue instead of running at once, and each turn of the loop runs queued
 * requests for at most `budgetMs` (at least one), leaving the rest for the next turn, after the timers and
 * the sockets have had theirs. Beyond `maxQueued` waiting, or after `maxWaitMs` in the queue, the answer
 * is 503 with Retry-After: the client is told to come back rather than the daemon falling behind.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ErrorResponse } from './contract.js';

export interface TurnLimits {
  /** Handler time per turn of the event loop, ms (one request always runs, however long it takes). */
  budgetMs: number;
  /** Requests waiting at most; more get 503 at once. */
  maxQueued: number;
  /** A request that waited this long gets 503 instead of running (its client has probably given up). */
  maxWaitMs: number;
}

// maxQueued as LIMITS.maxConnections: a client with one request in flight per connection (every browser, wrk) waits its turn rather than being refused.
export const TURN_LIMITS: TurnLimits = { budgetMs: 10, maxQueued: 1024, maxWaitMs: 5_000 };
/** The scrape lane (/metrics, /-/ready): a few scrapers at most, each worth waiting longer for than a page. */
export const SCRAPE_TURN_LIMITS: TurnLimits = { budgetMs: 10, maxQueued: 16, maxWaitMs: 10_000 };

interface Waiting {
  req: Request;
  res: Response;
  next: NextFunction;
  at: number;
}

function busy(res: Response, why: string): void {
  res.setHeader('Retry-After', '1');
  res.setHeader('Cache-Control', 'no-store');
  res.status(503).json({ error: `netmon is busy (${why}); try again in a second` } satisfies ErrorResponse);
}

/** Why a request was answered 503 instead of run. */
export type ShedReason = 'queue_full' | 'waited_too_long';

/** `onShed`: told of every request answered 503 (the app counts them on /metrics). */
export function turns(limits: TurnLimits = TURN_LIMITS, onShed?: (reason: ShedReason) => void): RequestHandler {
  // A plain array used as a FIFO with a moving head: shift() would copy up to maxQueued entries per request.
  let queue: Waiting[] = [];
  let head = 0;
  let scheduled = false;

  const drain = () => {
    scheduled = false;
    const start = performance.now();
    while (head < queue.length) {
      const w = queue[head++]!;
      if (w.req.destroyed || w.res.headersSent) continue;
      if (start - w.at > limits.maxWaitMs) {
        busy(w.res, 'the request waited too long');
        onShed?.('waited_too_long');
        continue;
      }
      w.next();
      if (performance.now() - start >= limits.budgetMs) break;
    }
    if (head >= queue.length || head > 4096) {
      queue = queue.slice(head);
      head = 0;
    }
    if (queue.length) {
      scheduled = true;
      setImmediate(drain); // queued during this turn: runs in the next one, after timers and I/O
    }
  };

  return (req, res, next) => {
    if (queue.length - head >= limits.maxQueued) {
      onShed?.('queue_full');
      return busy(res, `${limits.maxQueued} requests are waiting`);
    }
    queue.push({ req, res, next, at: performance.now() });
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };
}
