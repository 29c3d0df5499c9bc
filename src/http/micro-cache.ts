/**
 * A one-second memory of computed answers, keyed by the request: a wall of screens, or a flood, asking
 * for the same 24-hour chart many times a second costs one range query a second (~20 ms each with raw
 * samples) instead of one per request. An answer is at most `ttlMs` old, as the site summaries are.
 */
export function microCache<T>(ttlMs = 1000, max = 128, now = () => Date.now()): (key: string, compute: () => T) => T {
  const kept = new Map<string, { at: number; value: T }>();
  return (key, compute) => {
    const t = now();
    const hit = kept.get(key);
    if (hit && t - hit.at < ttlMs && t >= hit.at) return hit.value;
    const value = compute();
    kept.delete(key);
    if (kept.size >= max) kept.delete(kept.keys().next().value!);
    kept.set(key, { at: t, value });
    return value;
  };
}
