/**
 * Seeded, stateless randomness: every value is a pure function of (seed, key parts), so the simulator is
 * deterministic whatever order requests arrive in.
 */

/** 32-bit hash of the seed and key parts (FNV-1a over the text, then a murmur3 finaliser). */
export function hash32(seed: number, ...parts: (string | number)[]): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  const text = parts.join('\u0001');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1). */
export function rand01(seed: number, ...parts: (string | number)[]): number {
  return hash32(seed, ...parts) / 4294967296;
}

/** Uniform in [min, max). */
export function randRange(seed: number, min: number, max: number, ...parts: (string | number)[]): number {
  return min + (max - min) * rand01(seed, ...parts);
}

/** Integer uniform in [min, max]. */
export function randInt(seed: number, min: number, max: number, ...parts: (string | number)[]): number {
  return min + Math.floor(rand01(seed, ...parts) * (max - min + 1));
}

/** A random value on a lattice of knots every `periodMs`, smoothly interpolated: in [-1, 1]. */
export function valueNoise(seed: number, key: string, tMs: number, periodMs: number): number {
  const x = tMs / periodMs;
  const k = Math.floor(x);
  const f = x - k;
  const a = rand01(seed, key, k) * 2 - 1;
  const b = rand01(seed, key, k + 1) * 2 - 1;
  const s = f * f * (3 - 2 * f); // smoothstep
  return a + (b - a) * s;
}

/** Two octaves of value noise (5 min and 1 min), in about [-1, 1]. */
export function smoothNoise(seed: number, key: string, tMs: number): number {
  return 0.7 * valueNoise(seed, key, tMs, 300_000) + 0.3 * valueNoise(seed, key + '/f', tMs, 60_000);
}
