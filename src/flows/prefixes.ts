/**
 * Longest-prefix match of an address to a site (flows.site_prefixes). Prefixes are grouped by length, each
 * group a Map of network number: a lookup is at most one Map probe per distinct length (a handful).
 * Addresses are text from the decoders; IPv6 is matched through BigInt, so results are cached (bounded).
 */
import { isIPv6 } from 'node:net';

function v4(a: string): number {
  const p = a.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

function v6(a: string): bigint {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  let h = head ? head.split(':') : [];
  let t = tail ? tail.split(':') : [];
  const last = (tail === undefined ? h : t).at(-1);
  // ::ffff:a.b.c.d and other embedded IPv4 tails
  if (last?.includes('.')) {
    const n = v4(last);
    const groups = [(n >>> 16).toString(16), (n & 0xffff).toString(16)];
    if (tail === undefined) h = [...h.slice(0, -1), ...groups];
    else t = [...t.slice(0, -1), ...groups];
  }
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

const CACHE_MAX = 65536;

export class PrefixMap {
  private readonly v4 = new Map<number, Map<number, string>>(); // length → network → value
  private readonly v6 = new Map<number, Map<bigint, string>>();
  private v4Lengths: number[] = [];
  private v6Lengths: number[] = [];
  /** Lookups done: null for an address in no prefix. */
  private readonly cache = new Map<string, string | null>();

  constructor(entries: Iterable<[prefix: string, value: string]>) {
    for (const [p, value] of entries) {
      const [addr, lenText] = p.split('/') as [string, string];
      const len = Number(lenText);
      if (isIPv6(addr)) {
        const m = this.v6.get(len) ?? new Map<bigint, string>();
        m.set(len === 0 ? 0n : (v6(addr) >> BigInt(128 - len)) << BigInt(128 - len), value);
        this.v6.set(len, m);
      } else {
        const m = this.v4.get(len) ?? new Map<number, string>();
        m.set(len === 0 ? 0 : (v4(addr) & (~0 << (32 - len))) >>> 0, value);
        this.v4.set(len, m);
      }
    }
    this.v4Lengths = [...this.v4.keys()].sort((a, b) => b - a);
    this.v6Lengths = [...this.v6.keys()].sort((a, b) => b - a);
  }

  lookup(addr: string): string | undefined {
    const hit = this.cache.get(addr);
    if (hit !== undefined) return hit ?? undefined;
    let found: string | undefined;
    if (addr.includes(':')) {
      const n = v6(addr);
      for (const len of this.v6Lengths) {
        found = this.v6.get(len)!.get(len === 0 ? 0n : (n >> BigInt(128 - len)) << BigInt(128 - len));
        if (found !== undefined) break;
      }
    } else {
      const n = v4(addr);
      for (const len of this.v4Lengths) {
        found = this.v4.get(len)!.get(len === 0 ? 0 : (n & (~0 << (32 - len))) >>> 0);
        if (found !== undefined) break;
      }
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(addr, found ?? null);
    return found;
  }
}
