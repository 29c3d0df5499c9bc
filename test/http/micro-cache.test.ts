/** micro-cache.ts: an answer serves the same key for ttlMs, no longer, and the cache holds at most `max` keys. */
import { describe, expect, it } from 'vitest';
import { microCache } from '../../src/http/micro-cache.js';

describe('microCache', () => {
  it('computes once per key and TTL, again after it, and drops the oldest key beyond max', () => {
    let now = 1000;
    let computed = 0;
    const cache = microCache<string>(1000, 2, () => now);
    const get = (k: string) => cache(k, () => `${k}#${++computed}`);
    expect(get('a')).toBe('a#1');
    now += 999;
    expect(get('a')).toBe('a#1');
    now += 1;
    expect(get('a')).toBe('a#2');
    expect(get('b')).toBe('b#3');
    expect(get('c')).toBe('c#4'); // 'a' dropped
    expect(get('b')).toBe('b#3');
    expect(get('a')).toBe('a#5');
    // A clock that went back does not serve an answer from the future.
    now -= 5000;
    expect(get('a')).toBe('a#6');
  });
});
