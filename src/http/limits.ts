/**
 * Limits on what a client may send, and the server timeouts against slow clients (slowloris). None of
 * netmon's legitimate requests comes near them: the longest dashboard URL is ~150 bytes with 3 parameters,
 * the largest valid JSON body (a silence with 20 matchers) ~22 KB.
 */
import type { RequestHandler, Response } from 'express';
import type { ErrorResponse } from './contract.js';

export const LIMITS = {
  /** Request target (path + query), bytes. Longer: 414. (Node itself answers 431 past 16 KB of headers.) */
  maxUrlBytes: 4096,
  /** Query parameters per request. More: 400. */
  maxQueryParams: 32,
  /** Request bodies, bytes (the JSON parsers use the same limit for chunked bodies). Larger: 413. */
  maxBodyBytes: 32 * 1024,
  /** Header lines per request (Node's default is 2000); more: 431. Browsers send about 20. */
  maxHeadersCount: 64,
  /** The whole header block must arrive within this (slowloris). */
  headersTimeoutMs: 10_000,
  /** The whole request, body included, must arrive within this. Long answers (SSE) are not affected. */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** A connection with no traffic either way for this long is closed (SSE sends a comment every 15 s). */
  socketIdleTimeoutMs: 60_000,
  /** A TLS handshake must complete within this. */
  tlsHandshakeTimeoutMs: 10_000,
  /** Open connections at once; beyond, new ones are refused. Dashboards hold one SSE connection each. */
  maxConnections: 1024,
  /** How often Node checks headersTimeout/requestTimeout (its default, 30 s, would triple the effective timeout). */
  connectionsCheckingIntervalMs: 1_000,
};

function refuse(res: Response, status: number, error: string): void {
  // Whatever body follows is not read: close the connection rather than drain it.
  res.setHeader('Connection', 'close');
  res.status(status).json({ error } satisfies ErrorResponse);
}

/** Rejects oversized URLs, too many query parameters and declared bodies over the limit, before any route runs. */
export function requestLimits(limits = LIMITS): RequestHandler {
  return (req, res, next) => {
    const url = req.originalUrl;
    if (Buffer.byteLength(url) > limits.maxUrlBytes) return refuse(res, 414, `URL longer than ${limits.maxUrlBytes} bytes`);
    const q = url.indexOf('?');
    if (q >= 0) {
      let n = 0;
      for (const part of url.slice(q + 1).split('&')) if (part) n++;
      if (n > limits.maxQueryParams) return refuse(res, 400, `more than ${limits.maxQueryParams} query parameters`);
    }
    // Counted here rather than by Node's maxHeadersCount (see server.ts), so the answer is the documented 431.
    if (req.rawHeaders.length / 2 > limits.maxHeadersCount) return refuse(res, 431, `more than ${limits.maxHeadersCount} header lines`);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limits.maxBodyBytes) return refuse(res, 413, `request body larger than ${limits.maxBodyBytes / 1024} KB`);
    next();
  };
}
