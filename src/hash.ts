/** A 53-bit string hash (cyrb53): identities held as a number instead of a long key string. */
export function hash53(s: string, seed = 0): number {
  const st = start(seed);
  feed(st, s);
  return finish(st);
}

/**
 * hash53 of a series identity (metric, then each label name and value in name order, NUL-separated)
 * without building the key string: the live state hashes every sample of every poll.
 */
export function hashSeries(metric: string, labels: Record<string, string>): number {
  const st = start(0);
  feed(st, metric);
  for (const k of Object.keys(labels).sort()) {
    feedCode(st, 0);
    feed(st, k);
    feedCode(st, 0);
    feed(st, labels[k]!);
  }
  return finish(st);
}

type State = [h1: number, h2: number];

function start(seed: number): State {
  return [0xdeadbeef ^ seed, 0x41c6ce57 ^ seed];
}

function feed(st: State, s: string): void {
  for (let i = 0; i < s.length; i++) feedCode(st, s.charCodeAt(i));
}

function feedCode(st: State, ch: number): void {
  st[0] = Math.imul(st[0] ^ ch, 2654435761);
  st[1] = Math.imul(st[1] ^ ch, 1597334677);
}

function finish(st: State): number {
  let [h1, h2] = st;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
