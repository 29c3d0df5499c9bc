/**
 * HTTP basic auth against the bcrypt hashes of the web config (`basic_auth_users`), as Prometheus
 * exporter-toolkit does it:
 *
 * - bcrypt is slow on purpose (2^cost rounds; ~60 ms at cost 10 in pure JS), so a successful check is
 *   cached for a minute (keyed by an HMAC of user, password and hash under a per-process random key: the
 *   cache never holds a password), and Prometheus scraping every 15 s costs one bcrypt a minute, not 4;
 * - an unknown user still costs a bcrypt comparison, against a dummy hash of the cost most configured
 *   hashes have (not a fixed cost: 10 against users at 12 told which names exist, 85 vs 317 ms), so the
 *   answer time does not tell which user names exist;
 * - at most `maxConcurrent` comparisons run at once and `maxWaiting` wait; beyond that the answer is 429
 *   at once, so a flood of wrong passwords cannot queue up unbounded CPU work (cached users pass anyway);
 * - per client (remote address; IPv6 by /64, what one host can easily hold): at most
 *   `maxPendingPerClient` different checks in the queue (the same credentials, as a browser sends on
 *   several requests at once, share one check), and failures spend a budget of `failureBurst` that refills
 *   one per `failureRefillMs`; spent, the client gets 429 with Retry-After and no bcrypt. So one flooding
 *   address can neither guess fast nor crowd out the queue: a user elsewhere still logs in;
 * - failures are logged without user name or password, at most once a minute with a count.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import bcrypt from 'bcryptjs';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler, Response } from 'express';
import type { ErrorResponse } from './contract.js';

export interface BasicAuthOptions {
  /** How long a successful check is remembered. Default 60 s. */
  cacheTtlMs?: number;
  /** Entries in that cache at most (oldest dropped first). Default 256. */
  cacheMax?: number;
  maxConcurrent?: number;
  maxWaiting?: number;
  /** Different checks one client may have queued or running. Default 2. */
  maxPendingPerClient?: number;
  /** Failures a client may make in a burst. Default 10. */
  failureBurst?: number;
  /** One more failure allowed every this many ms (sustained guessing rate). Default 6000 (10 a minute). */
  failureRefillMs?: number;
  /** Clients remembered at most (oldest dropped first). Default 10 000. */
  clientsMax?: number;
  realm?: string;
  now?: () => number;
  /** Called for the first failure, then at most once a minute, with the number of failures since the last call. */
  onFailures?: (count: number, lastFrom: string | undefined) => void;
}

/** `Authorization: Basic base64(user:password)` → its parts; undefined when absent or malformed. */
export function parseBasicAuth(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const h = headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(h);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The throttling key of a remote address: IPv4 as it is (an IPv4-mapped IPv6 address too), IPv6 by its /64. */
export function clientKey(address: string | undefined): string {
  if (!address) return '';
  const a = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!isIPv6(a)) return a;
  const [head = '', tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** A client's failure budget and queued checks. */
interface Client {
  tokens: number;
  at: number;
  pending: number;
}

/** The most common cost among the hashes (ties: the higher); 10 without any. */
function usualCost(hashes: Iterable<string>): number {
  const counts = new Map<number, number>();
  for (const h of hashes) {
    const c = bcrypt.getRounds(h);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best = 10;
  let n = 0;
  for (const [c, k] of counts) if (k > n || (k === n && c > best)) [best, n] = [c, k];
  return best;
}

export class BasicAuth {
  private users = new Map<string, string>();
  private dummyHash = '';
  private readonly cache = new Map<string, number>();
  private readonly key = randomBytes(32);
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly inflight = new Map<string, Promise<boolean>>();
  private readonly clients = new Map<string, Client>();
  private failures = 0;
  private lastFailureLog = 0;
  private readonly ttl: number;
  private readonly cacheMax: number;
  private readonly maxConcurrent: number;
  private readonly maxWaiting: number;
  private readonly now: () => number;
  /** bcrypt comparisons run so far (tests check that the cache spares them). */
  comparisons = 0;

  constructor(private readonly opts: BasicAuthOptions = {}) {
    this.ttl = opts.cacheTtlMs ?? 60_000;
    this.cacheMax = opts.cacheMax ?? 256;
    this.maxConcurrent = opts.maxConcurrent ?? 2;
    this.maxWaiting = opts.maxWaiting ?? 32;
    this.now = opts.now ?? Date.now;
  }

  private client(key: string): Client {
    let c = this.clients.get(key);
    const now = this.now();
    const burst = this.opts.failureBurst ?? 10;
    if (!c) {
      if (this.clients.size >= (this.opts.clientsMax ?? 10_000)) this.clients.delete(this.clients.keys().next().value!);
      c = { tokens: burst, at: now, pending: 0 };
      this.clients.set(key, c);
    }
    const refill = this.opts.failureRefillMs ?? 6000;
    const earned = Math.floor((now - c.at) / refill);
    if (earned > 0) {
      c.tokens = Math.min(burst, c.tokens + earned);
      c.at = c.tokens === burst ? now : c.at + earned * refill;
    }
    return c;
  }

  /** Seconds until `address` may try again after spending its failure budget (0: it may now). */
  retryAfterS(address: string | undefined): number {
    const key = clientKey(address);
    const c = this.clients.has(key) ? this.client(key) : undefined;
    if (!c || c.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((c.at + (this.opts.failureRefillMs ?? 6000) - this.now()) / 1000));
  }

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** Replace the users (a reload); forgets every cached check. An empty map turns auth off. */
  setUsers(users: ReadonlyMap<string, string>): void {
    this.users = new Map(users);
    this.cache.clear();
    // A well-formed hash no password matches: a random salt of the usual configured cost + 31 filler characters.
    this.dummyHash = bcrypt.genSaltSync(usualCost(users.values())) + 'A'.repeat(31);
  }

  /**
   * True when `user` exists and `password` matches its hash; 'busy' when too many checks are already
   * waiting; 'throttled' when `address` (the client) has spent its failure budget or has too many checks
   * pending. Without an address only the global bounds apply.
   */
  async verify(user: string, password: string, address?: string): Promise<boolean | 'busy' | 'throttled'> {
    const hash = this.users.get(user);
    const key = createHmac('sha256', this.key).update(user).update('\0').update(password).update('\0').update(hash ?? '').digest('base64');
    const now = this.now();
    if (hash !== undefined) {
      const until = this.cache.get(key);
      if (until !== undefined && until > now) return true;
      if (until !== undefined) this.cache.delete(key);
    }
    const same = this.inflight.get(key);
    if (same) return same;
    const client = address === undefined ? undefined : this.client(clientKey(address));
    if (client && (client.tokens < 1 || client.pending >= (this.opts.maxPendingPerClient ?? 2))) return 'throttled';
    if (this.running >= this.maxConcurrent && this.waiting.length >= this.maxWaiting) return 'busy';
    if (client) client.pending++;
    const check = this.limited(async () => {
      this.comparisons++;
      const ok = await bcrypt.compare(password, hash ?? this.dummyHash);
      return ok && hash !== undefined && this.users.get(user) === hash;
    }).finally(() => {
      this.inflight.delete(key);
      if (client) client.pending--;
    });
    this.inflight.set(key, check);
    const ok = await check;
    if (!ok) {
      if (client) client.tokens--;
      return false;
    }
    if (this.cache.size >= this.cacheMax) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, this.now() + this.ttl);
    return true;
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private noteFailure(from: string | undefined): void {
    this.failures++;
    const now = this.now();
    if (this.opts.onFailures && now - this.lastFailureLog >= 60_000) {
      this.opts.onFailures(this.failures, from);
      this.failures = 0;
      this.lastFailureLog = now;
    }
  }

  private deny(res: Response): void {
    res.setHeader('WWW-Authenticate', `Basic realm="${this.opts.realm ?? 'netmon'}", charset="UTF-8"`);
    res.setHeader('Cache-Control', 'no-store');
    res.status(401).json({ error: 'authentication required' } satisfies ErrorResponse);
  }

  /** Express middleware: passes every request when no user is configured. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      if (!this.enabled) return next();
      const creds = parseBasicAuth(req.headers);
      if (!creds) return this.deny(res);
      const from = req.socket.remoteAddress;
      this.verify(creds.user, creds.password, from ?? '').then(
        (ok) => {
          if (ok === true) return next();
          if (ok === 'busy') {
            res.setHeader('Retry-After', '1');
            return void res.status(429).json({ error: 'too many authentication attempts at once; try again' } satisfies ErrorResponse);
          }
          if (ok === 'throttled') {
            res.setHeader('Retry-After', String(this.retryAfterS(from ?? '') || 1));
            return void res.status(429).json({ error: 'too many failed or pending logins from this address; try again later' } satisfies ErrorResponse);
          }
          this.noteFailure(from);
          this.deny(res);
        },
        (err: unknown) => next(err),
      );
    };
  }
}
