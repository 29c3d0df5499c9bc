/**
 * What a browser page of another site must not be able to make netmon do, with or without basic auth:
 *
 * - DNS rebinding: a page from attacker.test whose name is re-pointed at netmon's address is, to the
 *   browser, same-origin with netmon, so Origin and Sec-Fetch-Site look innocent. What gives it away is
 *   the Host header (`attacker.test:9300`): only names netmon is known by are served (421 otherwise).
 *   IP literals are always accepted: with an address in the URL the page's origin *is* that address, so
 *   there is no foreign name to rebind.
 * - Cross-site writes (CSRF): a write (any method but GET/HEAD/OPTIONS) from a browser must come from
 *   netmon's own pages (Sec-Fetch-Site, Origin), and a body must be JSON, which a foreign page cannot
 *   send without a CORS preflight that netmon never grants. Clients that are not browsers (curl,
 *   promtool, scripts) send neither Origin nor Sec-Fetch-Site and are not affected.
 */
import { isIP } from 'node:net';
import type { Request, RequestHandler } from 'express';
import type { ErrorResponse } from './contract.js';

/** The host name of a Host header (`[::1]:9300` → `::1`, `Example.org.:80` → `example.org`); undefined when malformed. */
export function hostName(host: string): string | undefined {
  const h = host.trim().toLowerCase();
  let name: string;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return undefined;
    name = h.slice(1, end);
  } else {
    const colon = h.indexOf(':');
    name = colon < 0 ? h : h.slice(0, colon);
  }
  name = name.replace(/\.$/, '');
  return name === '' ? undefined : name;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * Host check. `names()` gives the names configured now (listen address, `server.allowed_hosts`), read on
 * every request so a reload applies at once.
 */
export function hostAllowlist(names: () => readonly string[]): RequestHandler {
  return (req, res, next) => {
    const host = req.headers.host;
    // HTTP/1.0 clients may send none; a browser always does.
    if (host === undefined) return next();
    const name = hostName(host);
    if (name !== undefined && (isIP(name) !== 0 || name.endsWith('.localhost') || LOOPBACK_NAMES.includes(name) || names().some((n) => hostName(n) === name))) return next();
    res.setHeader('Cache-Control', 'no-store');
    res.status(421).json({
      error: `this netmon server is not known as ${JSON.stringify(host.slice(0, 100))} (a protection against DNS rebinding); if that is a name of this server, add it to server.allowed_hosts`,
    } satisfies ErrorResponse);
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a browser request came from another site or origin, or undefined when it did not (or is not from a browser). */
function foreign(req: Request): string | undefined {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `a ${site} request`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  try {
    if (new URL(origin).host === req.headers.host) return undefined;
  } catch {
    // "null" (sandboxed frames, file://) or garbage
  }
  return 'a request from another origin';
}

const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/** Writes only from netmon's own pages or from non-browser clients; bodies only as JSON. */
export function sameOriginWrites(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    res.setHeader('Cache-Control', 'no-store');
    const why = foreign(req);
    if (why) return void res.status(403).json({ error: `${why} may not change anything here: use netmon's own dashboard or a non-browser client` } satisfies ErrorResponse);
    if (hasBody(req) && !req.is('application/json')) return void res.status(415).json({ error: 'a request body must be JSON (Content-Type: application/json)' } satisfies ErrorResponse);
    next();
  };
}
