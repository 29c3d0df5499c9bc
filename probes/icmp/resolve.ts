/** Name resolution with a small TTL cache, so 1,000 targets don't hit the resolver every cycle. */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ProbeError } from '../../src/types.js';

export interface ResolverOptions {
  /** How long a good answer is reused (default 300 s). */
  ttlMs?: number;
  /** How long a failure is remembered, so a dead name does not stall each cycle (default 30 s). */
  negativeTtlMs?: number;
  /** Give up on one lookup after this long (getaddrinfo cannot be cancelled; default 5 s). */
  timeoutMs?: number;
  lookupFn?: (name: string) => Promise<string>;
}

interface Entry {
  expires: number;
  address?: string;
  error?: ProbeError;
  pending?: Promise<string>;
}

/** Strip brackets of "[::1]" and an IPv6 zone-less literal stays as is; returns the literal or undefined. */
export function ipLiteral(address: string): string | undefined {
  const a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  return isIP(a) ? a : undefined;
}

export class Resolver {
  private readonly cache = new Map<string, Entry>();
  private readonly ttl: number;
  private readonly negTtl: number;
  private readonly timeout: number;
  private readonly lookupFn: (name: string) => Promise<string>;

  constructor(o: ResolverOptions = {}) {
    this.ttl = o.ttlMs ?? 300_000;
    this.negTtl = o.negativeTtlMs ?? 30_000;
    this.timeout = o.timeoutMs ?? 5_000;
    this.lookupFn = o.lookupFn ?? (async (name) => (await lookup(name)).address);
  }

  /** Address literal → itself; name → cached or fresh lookup. Rejects with ProbeError('config'|'timeout'). */
  async resolve(address: string): Promise<string> {
    const lit = ipLiteral(address);
    if (lit) return lit;
    const now = Date.now();
    const e = this.cache.get(address);
    if (e?.pending) return e.pending;
    if (e && e.expires > now) {
      if (e.error) throw e.error;
      return e.address!;
    }
    const pending = this.lookupOnce(address).then(
      (addr) => {
        this.cache.set(address, { address: addr, expires: Date.now() + this.ttl });
        return addr;
      },
      (err: unknown) => {
        const pe = toProbeError(address, err);
        // A stale good answer beats no answer when the resolver hiccups.
        if (e?.address && pe.reason === 'timeout') {
          this.cache.set(address, { address: e.address, expires: Date.now() + this.negTtl });
          return e.address;
        }
        this.cache.set(address, { error: pe, expires: Date.now() + this.negTtl });
        throw pe;
      },
    );
    this.cache.set(address, { ...(e ?? { expires: 0 }), pending });
    return pending;
  }

  private lookupOnce(name: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(Object.assign(new Error('lookup timed out'), { code: 'ETIMEOUT' })), this.timeout);
      this.lookupFn(name).then(
        (a) => (clearTimeout(t), resolve(a)),
        (err: unknown) => (clearTimeout(t), reject(err instanceof Error ? err : new Error(String(err)))),
      );
    });
  }
}

function toProbeError(name: string, err: unknown): ProbeError {
  const code = (err as { code?: string }).code ?? '';
  const reason = code === 'EAI_AGAIN' || code === 'ETIMEOUT' ? 'timeout' : 'config';
  return new ProbeError(reason, `cannot resolve ${name}: ${code || (err as Error).message}`);
}
