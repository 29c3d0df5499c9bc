/**
 * Column codecs for chunks and rollup blocks.
 *
 * Timestamps: delta-of-delta, zigzag varints (a 60 s poll with ms jitter costs 1-2 bytes).
 * Values: every column is encoded twice and the smaller kept (one mode byte says which):
 *  - scaled integers (v * 10^k exact for some k <= 9, |v*10^k| <= 2^53) as zigzag varints of the first
 *    or second difference: best for counters (integer octets) and decimal gauges (dBm to 0.01, RTT in µs);
 *  - Gorilla XOR: bit-exact for any double (NaN, ±Infinity, -0, 2^53+ counters); wins on constant or
 *    repeated values (1 bit/sample: status, speed) and noisy full-precision floats.
 * Measured on the bench mix the choice splits roughly: counters -> int d1/d2, status -> Gorilla,
 * RTT/dBm -> int d1. NaN round-trips bit-exactly here; the store itself rejects non-finite values.
 */

const TWO52 = 2 ** 52;
const TWO53 = 2 ** 53;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

const enum Mode {
  IntD1 = 0,
  IntD2 = 1,
  Gorilla = 2,
}

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  private bitCur = 0;
  private bitPos = 0; // bits used in bitCur (0..7)
  constructor(size = 256) {
    this.buf = new Uint8Array(size);
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  /** Unsigned varint of a non-negative integer up to 2^54 (arithmetic above 2^31, where bit ops would truncate). */
  uvarint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    while (v >= 0x80000000) {
      buf[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    while (v >= 128) {
      buf[this.pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }
  svarint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  f64(v: number): void {
    this.ensure(8);
    F64[0] = v;
    this.buf[this.pos++] = U8[0]!;
    this.buf[this.pos++] = U8[1]!;
    this.buf[this.pos++] = U8[2]!;
    this.buf[this.pos++] = U8[3]!;
    this.buf[this.pos++] = U8[4]!;
    this.buf[this.pos++] = U8[5]!;
    this.buf[this.pos++] = U8[6]!;
    this.buf[this.pos++] = U8[7]!;
  }
  /** Write the low `n` (1..32) bits of `v`, MSB first. */
  bits(v: number, n: number): void {
    while (n > 0) {
      const free = 8 - this.bitPos;
      const take = free < n ? free : n;
      const shift = n - take;
      const chunk = (v >>> shift) & ((1 << take) - 1);
      this.bitCur |= chunk << (free - take);
      this.bitPos += take;
      n -= take;
      if (this.bitPos === 8) {
        this.byte(this.bitCur);
        this.bitCur = 0;
        this.bitPos = 0;
      }
    }
  }
  alignBits(): void {
    if (this.bitPos > 0) {
      this.byte(this.bitCur);
      this.bitCur = 0;
      this.bitPos = 0;
    }
  }
  reset(): this {
    this.pos = 0;
    this.bitCur = 0;
    this.bitPos = 0;
    return this;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  finish(): Uint8Array {
    this.alignBits();
    return this.buf.slice(0, this.pos);
  }
}

export class ByteReader {
  pos = 0;
  private bitPos = 0; // bits consumed of buf[pos]
  constructor(readonly buf: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('codec: truncated input');
    return this.buf[this.pos++]!;
  }
  uvarint(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= buf.length) throw new RangeError('codec: truncated varint');
      const b = buf[this.pos++]!;
      result += (b & 127) * mul;
      if (b < 128) return result;
      mul *= 128;
    }
  }
  svarint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  f64(): number {
    if (this.pos + 8 > this.buf.length) throw new RangeError('codec: truncated f64');
    for (let i = 0; i < 8; i++) U8[i] = this.buf[this.pos++]!;
    return F64[0]!;
  }
  bits(n: number): number {
    let out = 0;
    while (n > 0) {
      if (this.pos >= this.buf.length) throw new RangeError('codec: truncated bits');
      const avail = 8 - this.bitPos;
      const take = avail < n ? avail : n;
      const b = this.buf[this.pos]!;
      const chunk = (b >>> (avail - take)) & ((1 << take) - 1);
      out = take === 32 ? chunk : ((out << take) | chunk) >>> 0;
      this.bitPos += take;
      n -= take;
      if (this.bitPos === 8) {
        this.pos++;
        this.bitPos = 0;
      }
    }
    return out >>> 0;
  }
  alignBits(): void {
    if (this.bitPos > 0) {
      this.pos++;
      this.bitPos = 0;
    }
  }
}

const F64 = new Float64Array(1);
const U8 = new Uint8Array(F64.buffer);
const U32 = new Uint32Array(F64.buffer); // little-endian hosts: [lo, hi]

// ---------- timestamps ----------

function encodeTimestamps(w: ByteWriter, ts: ArrayLike<number>): void {
  const n = ts.length;
  if (n === 0) return;
  w.svarint(ts[0]!);
  if (n === 1) return;
  let prevDelta = ts[1]! - ts[0]!;
  w.svarint(prevDelta);
  for (let i = 2; i < n; i++) {
    const d = ts[i]! - ts[i - 1]!;
    w.svarint(d - prevDelta);
    prevDelta = d;
  }
}

function decodeTimestamps(r: ByteReader, n: number, out: number[]): void {
  if (n === 0) return;
  let t = r.svarint();
  out.push(t);
  if (n === 1) return;
  let d = r.svarint();
  t += d;
  out.push(t);
  for (let i = 2; i < n; i++) {
    d += r.svarint();
    t += d;
    out.push(t);
  }
}

// ---------- value columns ----------

function varintLen(z: number): number {
  if (z < 128) return 1;
  if (z < 16384) return 2;
  if (z < 2097152) return 3;
  if (z < 268435456) return 4;
  let len = 4;
  z = Math.floor(z / 268435456);
  while (z > 0) {
    len++;
    z = Math.floor(z / 128);
  }
  return len;
}
const zz = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

/** Smallest k with every value exactly v = round(v*10^k)/10^k and |v*10^k| <= 2^53, or -1. */
function findScale(vals: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (!Number.isFinite(v) || Object.is(v, -0)) return -1;
    for (;;) {
      const p = POW10[k]!;
      const s = Math.round(v * p);
      if (s / p === v && Math.abs(s) <= TWO53) break;
      if (++k >= POW10.length) return -1;
    }
  }
  return k;
}

function encodeIntColumn(vals: ArrayLike<number>, w: ByteWriter): boolean {
  const n = vals.length;
  const k = findScale(vals);
  if (k < 0) return false;
  const p = POW10[k]!;
  const ints = new Array<number>(n);
  for (let i = 0; i < n; i++) ints[i] = Math.round(vals[i]! * p);
  // Size both difference orders; infeasible if a difference leaves the exact zigzag range.
  let s1 = 0;
  let s2 = 0;
  let ok1 = true;
  let ok2 = true;
  let prevD = 0;
  for (let i = 1; i < n; i++) {
    const d = ints[i]! - ints[i - 1]!;
    if (Math.abs(d) > TWO52) ok1 = ok2 = false;
    else s1 += varintLen(zz(d));
    if (i === 1) s2 += Math.abs(d) <= TWO52 ? varintLen(zz(d)) : 0;
    else {
      const dd = d - prevD;
      if (Math.abs(dd) > TWO52) ok2 = false;
      else s2 += varintLen(zz(dd));
    }
    prevD = d;
  }
  if (!ok1 && !ok2) return false;
  const mode = ok2 && (!ok1 || s2 < s1) ? Mode.IntD2 : Mode.IntD1;
  const first = ints[0] ?? 0;
  const firstRaw = Math.abs(first) > TWO52;
  w.byte(mode | (firstRaw ? 4 : 0) | (k << 3));
  if (firstRaw) w.f64(first);
  else w.svarint(first);
  prevD = 0;
  for (let i = 1; i < n; i++) {
    const d = ints[i]! - ints[i - 1]!;
    if (mode === Mode.IntD1 || i === 1) w.svarint(d);
    else w.svarint(d - prevD);
    prevD = d;
  }
  return true;
}

function encodeGorillaColumn(vals: ArrayLike<number>, w: ByteWriter): void {
  const n = vals.length;
  w.byte(Mode.Gorilla);
  if (n === 0) return;
  F64[0] = vals[0]!;
  let prevLo = U32[0]!;
  let prevHi = U32[1]!;
  w.bits(prevHi, 32);
  w.bits(prevLo, 32);
  let prevLead = -1;
  let prevTrail = 0;
  for (let i = 1; i < n; i++) {
    F64[0] = vals[i]!;
    const lo = U32[0]!;
    const hi = U32[1]!;
    const xlo = (lo ^ prevLo) >>> 0;
    const xhi = (hi ^ prevHi) >>> 0;
    prevLo = lo;
    prevHi = hi;
    if (xlo === 0 && xhi === 0) {
      w.bits(0, 1);
      continue;
    }
    let lead = xhi !== 0 ? Math.clz32(xhi) : 32 + Math.clz32(xlo);
    const trail = xlo !== 0 ? ctz32(xlo) : 32 + ctz32(xhi);
    if (lead > 31) lead = 31;
    if (prevLead >= 0 && lead >= prevLead && trail >= prevTrail) {
      w.bits(2, 2); // '10': reuse the previous window
      writeWindow(w, xhi, xlo, prevTrail, 64 - prevLead - prevTrail);
    } else {
      const len = 64 - lead - trail;
      w.bits(3, 2); // '11': new window
      w.bits(lead, 5);
      w.bits(len - 1, 6);
      writeWindow(w, xhi, xlo, trail, len);
      prevLead = lead;
      prevTrail = trail;
    }
  }
  w.alignBits();
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Write `len` bits of the 64-bit (hi,lo) shifted right by `trail`. */
function writeWindow(w: ByteWriter, hi: number, lo: number, trail: number, len: number): void {
  let sHi: number;
  let sLo: number;
  if (trail === 0) {
    sHi = hi;
    sLo = lo;
  } else if (trail < 32) {
    sLo = ((lo >>> trail) | (hi << (32 - trail))) >>> 0;
    sHi = hi >>> trail;
  } else {
    sLo = hi >>> (trail - 32);
    sHi = 0;
  }
  if (len > 32) {
    w.bits(sHi, len - 32);
    w.bits(sLo, 32);
  } else {
    w.bits(sLo, len);
  }
}

function readWindow(r: ByteReader, trail: number, len: number): void {
  let sHi = 0;
  let sLo: number;
  if (len > 32) {
    sHi = r.bits(len - 32);
    sLo = r.bits(32);
  } else sLo = r.bits(len);
  // shift (sHi,sLo) left by trail into XHI/XLO
  if (trail === 0) {
    X[1] = sHi;
    X[0] = sLo;
  } else if (trail < 32) {
    X[1] = ((sHi << trail) | (sLo >>> (32 - trail))) >>> 0;
    X[0] = (sLo << trail) >>> 0;
  } else {
    X[1] = (sLo << (trail - 32)) >>> 0;
    X[0] = 0;
  }
}
const X = new Uint32Array(2);

const scratchInt = new ByteWriter(4096);
const scratchGorilla = new ByteWriter(4096);

/**
 * Append the smaller encoding of `vals` to `out`. Gorilla is only tried when integers are impossible or
 * at least a quarter of the values repeat: otherwise it never won on the bench data (it needs ~13+ bits
 * for a changed value, the varints 8-24).
 */
function encodeColumnInto(out: ByteWriter, vals: ArrayLike<number>): void {
  const wi = scratchInt.reset();
  const intOk = encodeIntColumn(vals, wi);
  let tryGorilla = !intOk;
  if (intOk) {
    let repeats = 0;
    for (let i = 1; i < vals.length; i++) if (Object.is(vals[i], vals[i - 1])) repeats++;
    tryGorilla = repeats * 4 >= vals.length;
  }
  if (tryGorilla) {
    const wg = scratchGorilla.reset();
    encodeGorillaColumn(vals, wg);
    if (!intOk || wg.pos < wi.pos) {
      out.bytes(wg.buf.subarray(0, wg.pos));
      return;
    }
  }
  out.bytes(wi.buf.subarray(0, wi.pos));
}

/** Both encodings, for tests and measurement: [int or null, gorilla]. */
export function encodeColumnBoth(vals: ArrayLike<number>): [Uint8Array | null, Uint8Array] {
  const wi = new ByteWriter();
  const wg = new ByteWriter();
  const ok = encodeIntColumn(vals, wi);
  encodeGorillaColumn(vals, wg);
  return [ok ? wi.finish() : null, wg.finish()];
}

export function decodeColumn(r: ByteReader, n: number, out: number[]): void {
  const head = r.byte();
  const mode: Mode = head & 3;
  if (mode === Mode.Gorilla) {
    if (n === 0) return;
    let hi = r.bits(32);
    let lo = r.bits(32);
    U32[0] = lo;
    U32[1] = hi;
    out.push(F64[0]!);
    let lead = 0;
    let len = 0;
    for (let i = 1; i < n; i++) {
      if (r.bits(1) === 0) {
        out.push(F64[0]!);
        continue;
      }
      if (r.bits(1) === 1) {
        lead = r.bits(5);
        len = r.bits(6) + 1;
      }
      readWindow(r, 64 - lead - len, len);
      hi = (hi ^ X[1]!) >>> 0;
      lo = (lo ^ X[0]!) >>> 0;
      U32[0] = lo;
      U32[1] = hi;
      out.push(F64[0]!);
    }
    r.alignBits();
    return;
  }
  if (mode !== Mode.IntD1 && mode !== Mode.IntD2) throw new RangeError(`codec: bad column mode ${head}`);
  const k = head >> 3;
  const p = POW10[k];
  if (p === undefined) throw new RangeError(`codec: bad scale ${k}`);
  if (n === 0) return;
  let v = head & 4 ? r.f64() : r.svarint();
  out.push(k === 0 ? v : v / p);
  let d = 0;
  for (let i = 1; i < n; i++) {
    if (mode === Mode.IntD1 || i === 1) d = r.svarint();
    else d += r.svarint();
    v += d;
    out.push(k === 0 ? v : v / p);
  }
}

// ---------- blocks: n, timestamps, then columns ----------

export interface Block {
  ts: number[];
  cols: number[][];
}

export function encodeBlock(ts: ArrayLike<number>, cols: readonly ArrayLike<number>[]): Uint8Array {
  const n = ts.length;
  const w = new ByteWriter(n * 4 + 32);
  w.uvarint(n);
  w.byte(cols.length);
  encodeTimestamps(w, ts);
  for (const c of cols) {
    if (c.length !== n) throw new RangeError('codec: column length mismatch');
    encodeColumnInto(w, c);
  }
  return w.finish();
}

export function decodeBlock(buf: Uint8Array): Block {
  const r = new ByteReader(buf);
  const n = r.uvarint();
  const ncols = r.byte();
  const ts: number[] = [];
  decodeTimestamps(r, n, ts);
  const cols: number[][] = [];
  for (let c = 0; c < ncols; c++) {
    const col: number[] = [];
    decodeColumn(r, n, col);
    cols.push(col);
  }
  return { ts, cols };
}

/** Decode only the first column (raw chunks have exactly one). */
export function decodeChunk(buf: Uint8Array): { ts: number[]; values: number[] } {
  const b = decodeBlock(buf);
  return { ts: b.ts, values: b.cols[0] ?? [] };
}

export function encodeChunk(ts: ArrayLike<number>, values: ArrayLike<number>): Uint8Array {
  return encodeBlock(ts, [values]);
}
