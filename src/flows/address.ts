/** IP addresses from datagram bytes to text, without allocating a Buffer per address (the hot path). */

/**
 * A direct-mapped cache of recent IPv4 texts (65,536 slots, ~3 MB at most): a flow's addresses are mostly
 * ones seen a moment ago, and a cached string is already flat and hashed, so the aggregation's Map lookups
 * on it skip flattening and hashing a fresh string (the biggest cost per flow record in the profile).
 */
const SLOTS = 1 << 16;
const slotAddr = new Uint32Array(SLOTS);
const slotText: Array<string | undefined> = new Array<string | undefined>(SLOTS);

export function ipv4(buf: Buffer, off: number): string {
  const n = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
  const i = Math.imul(n, 0x9e3779b1) >>> 16;
  const hit = slotText[i];
  if (hit !== undefined && slotAddr[i] === n) return hit;
  const text = `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
  slotAddr[i] = n;
  slotText[i] = text;
  return text;
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run (≥ 2) of zero groups as `::`; v4-mapped as ::ffff:a.b.c.d. */
export function ipv6(buf: Buffer, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(buf.readUInt16BE(off + i * 2));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) return `::ffff:${ipv4(buf, off + 12)}`;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
