/**
 * One stored block of flow aggregates: the (key id, bytes, packets) entries of one uplink, direction and
 * dimension over one minute or hour, packed as unsigned LEB128 varints (db.ts). A row per key cost ~100
 * bytes in SQLite (key text, series text, index); an entry here costs 5–9 bytes. Counts are whole numbers
 * up to 2^53 (varints are built with arithmetic, not 32-bit shifts). Key id 0 is OTHER.
 */

/** key id → [bytes, packets]. */
export type Entries = Map<number, [bytes: number, packets: number]>;

export function encodeBlock(entries: Entries): Buffer {
  const out = Buffer.allocUnsafe(entries.size * 3 * 8);
  let o = 0;
  const put = (v: number) => {
    while (v >= 128) {
      out[o++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    out[o++] = v;
  };
  for (const [id, [bytes, packets]] of entries) {
    put(id);
    put(Math.round(bytes));
    put(Math.round(packets));
  }
  return out.subarray(0, o);
}

/** Adds the block's entries into `into` (merging minutes into hours, hours into a range). */
export function addBlock(buf: Uint8Array, into: Entries): void {
  let o = 0;
  const get = () => {
    let v = 0;
    let scale = 1;
    for (;;) {
      if (o >= buf.length) throw new Error('flow block truncated');
      const b = buf[o++]!;
      v += (b & 127) * scale;
      if (b < 128) return v;
      scale *= 128;
    }
  };
  while (o < buf.length) {
    const id = get();
    const bytes = get();
    const packets = get();
    const c = into.get(id);
    if (c) {
      c[0] += bytes;
      c[1] += packets;
    } else into.set(id, [bytes, packets]);
  }
}

/** The top `n` entries by bytes (OTHER excluded) and everything else summed under id 0: totals stay exact. */
export function topWithOther(entries: Entries, n: number): Entries {
  const sorted = [...entries].filter(([id]) => id !== 0).sort((a, b) => b[1][0] - a[1][0]);
  const out: Entries = new Map(sorted.slice(0, n));
  const rest: [number, number] = [...(entries.get(0) ?? [0, 0])];
  for (const [, [b, p]] of sorted.slice(n)) {
    rest[0] += b;
    rest[1] += p;
  }
  if (rest[0] || rest[1]) out.set(0, rest);
  return out;
}
