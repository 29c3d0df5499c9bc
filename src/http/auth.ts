/**
 * HTTP basic auth against the bcrypt hashes of the web config (`basic_auth_users`), as Prometheus
 * exporter-toolkit does it:
 *
 * - bcrypt is slow on purpose (2^cost rounds; ~60 ms at cost 10 in pure JS), so a successful check is
 *   cached for a minute (keyed by an HMAC of user, password and hash under a per-process random key: the
 *   cache never holds a password), and Prometheus scraping every 15 s costs one bcrypt a minute, not 4;
 * - an unknown user still costs a bcrypt comparison (against a dummy hash of the same cost), so the
 *   answer time does not tell which user names exist;
 * - at most `maxConcurrent` comparisons run at once and `maxWaiting` wait; beyond that the answer is 429
 *   at once, so a flood of wrong passwords cannot queue up unbounded CPU work (cached users pass anyway);
 * - failures are logged without user name or password, at most once a minute with a count.
 */
import { createHmac, randomBytes } from 'node:crypto';
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

export class BasicAuth {
  private users = new Map<string, string>();
  private dummyHash = '';
  private readonly cache = new Map<string, number>();
  private readonly key = randomBytes(32);
  private running = 0;
  private readonly waiting: (() => void)[] = [];
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

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** Replace the users (a reload); forgets every cached check. An empty map turns auth off. */
  setUsers(users: ReadonlyMap<string, string>): void {
    this.users = new Map(users);
    this.cache.clear();
    let cost = 10;
    for (const h of users.values()) cost = Math.max(cost, bcrypt.getRounds(h));
    // A well-formed hash no password matches: a random salt of the highest configured cost + 31 filler characters.
    this.dummyHash = bcrypt.genSaltSync(cost) + 'A'.repeat(31);
  }

  /** True when `user` exists and `password` matches its hash; 'busy' when too many checks are already waiting. */
  async verify(user: string, password: string): Promise<boolean | 'busy'> {
    const hash = this.users.get(user);
    const key = createHmac('sha256', this.key).update(user).update('\0').update(password).update('\0').update(hash ?? '').digest('base64');
    const now = this.now();
    if (hash !== undefined) {
      const until = this.cache.get(key);
      if (until !== undefined && until > now) return true;
      if (until !== undefined) this.cache.delete(key);
    }
    if (this.running >= this.maxConcurrent && this.waiting.length >= this.maxWaiting) return 'busy';
    const ok = await this.limited(() => {
      this.comparisons++;
      return bcrypt.compare(password, hash ?? this.dummyHash);
    });
    if (!ok || hash === undefined || this.users.get(user) !== hash) return false;
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
      this.verify(creds.user, creds.password).then(
        (ok) => {
          if (ok === true) return next();
          if (ok === 'busy') {
            res.setHeader('Retry-After', '1');
            return void res.status(429).json({ error: 'too many authentication attempts at once; try again' } satisfies ErrorResponse);
          }
          this.noteFailure(req.socket.remoteAddress);
          this.deny(res);
        },
        (err: unknown) => next(err),
      );
    };
  }
}
