/**
 * The open (newest, not yet chunked) hour of one series, encoded as its samples arrive.
 *
 * Why not two number arrays: a series polled every 10 s holds 360 samples in its open hour, 16 B each as
 * doubles (more with array growth slack): ~56 MB for the reference network at 10 s. Encoded here a sample
 * costs 2-5 B. The chunk written when the hour closes is re-encoded with the best of codec.ts's codecs;
 * this format only has to be cheap to append to and exact.
 *
 * Per sample: the timestamp as a zigzag varint delta-of-delta, then one varint tag whose low bits say
 * how the value follows:
 *   ...0  integer: tag/2 is the zigzag difference from the previous value (counters, status, bytes);
 *   ..01  decimal: bits 2-5 are k, the rest zigzag(m) with value = m / 10^k (RTT, dBm, percentages);
 *   0011  raw: eight bytes of IEEE 754 follow (anything else, bit-exact: -0, huge or odd doubles).
 */
import { ByteReader, ByteWriter } from './codec.js';

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** Magnitude limits that keep every tag below 2^53, where varints of doubles stay exact. */
const INT_DELTA_MAX = 2 ** 50;
const DECIMAL_M_MAX = 2 ** 45;
const TAG_RAW = 3;

const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

export interface ChunkMark {
  w: ByteWriter;
  pos: number;
  length: number;
  lastTs: number;
  lastValue: number;
  lastDelta: number;
}

export class OpenChunk {
  private w = new ByteWriter(32);
  length = 0;
  lastTs = 0;
  lastValue = 0;
  private lastDelta = 0;

  /** Where the chunk stands now; restore() goes back to it (a commit that failed takes its samples back out). */
  mark(): ChunkMark {
    return { w: this.w, pos: this.w.pos, length: this.length, lastTs: this.lastTs, lastValue: this.lastValue, lastDelta: this.lastDelta };
  }

  /**
   * Back to a mark: appends only wrote past `pos` (a growing buffer copies what is before it), and a late
   * sample's merge re-encodes into a new writer, leaving the marked one as it was.
   */
  restore(m: ChunkMark): void {
    this.w = m.w;
    this.w.pos = m.pos;
    this.length = m.length;
    this.lastTs = m.lastTs;
    this.lastValue = m.lastValue;
    this.lastDelta = m.lastDelta;
  }

  /** Bytes the encoded samples take (not counting the buffer's spare room). */
  get byteLength(): number {
    return this.w.pos;
  }

  /**
   * Add a sample. In order (after the last one) it is appended; a late one is merged in by re-encoding
   * (rare: a probe's batch that arrives after a newer one). Returns false for a duplicate timestamp.
   */
  add(t: number, v: number): boolean {
    if (this.length === 0 || t > this.lastTs) {
      this.append(t, v);
      return true;
    }
    if (t === this.lastTs) return false;
    const { ts, vals } = this.decode();
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    if (ts[lo] === t) return false;
    ts.splice(lo, 0, t);
    vals.splice(lo, 0, v);
    this.w = new ByteWriter(Math.max(32, this.w.pos + 16));
    this.length = 0;
    this.lastDelta = 0;
    for (let i = 0; i < ts.length; i++) this.append(ts[i]!, vals[i]!);
    return true;
  }

  private append(t: number, v: number): void {
    const w = this.w;
    if (this.length === 0) {
      w.svarint(t);
    } else {
      const d = t - this.lastTs;
      w.svarint(d - this.lastDelta);
      this.lastDelta = d;
    }
    const prev = this.length === 0 ? 0 : this.lastValue;
    const diff = v - prev;
    if (Number.isSafeInteger(v) && Number.isSafeInteger(prev) && Math.abs(diff) < INT_DELTA_MAX && !Object.is(v, -0)) {
      w.uvarint(zigzag(diff) * 2);
    } else {
      const k = decimalPlaces(v);
      if (k > 0) {
        w.uvarint(zigzag(Math.round(v * POW10[k]!)) * 64 + k * 4 + 1);
      } else {
        w.uvarint(TAG_RAW);
        w.f64(v);
      }
    }
    this.lastTs = t;
    this.lastValue = v;
    this.length++;
  }

  /** All samples, in time order. */
  decode(): { ts: number[]; vals: number[] } {
    const ts: number[] = [];
    const vals: number[] = [];
    const r = new ByteReader(this.w.buf.subarray(0, this.w.pos));
    let t = 0;
    let d = 0;
    let v = 0;
    for (let i = 0; i < this.length; i++) {
      if (i === 0) {
        t = r.svarint();
      } else {
        d += r.svarint();
        t += d;
      }
      const tag = r.uvarint();
      if (tag % 2 === 0) v += unzigzag(tag / 2);
      else if (tag === TAG_RAW) v = r.f64();
      else {
        const k = Math.floor(tag / 4) % 16;
        v = unzigzag(Math.floor(tag / 64)) / POW10[k]!;
      }
      ts.push(t);
      vals.push(v);
    }
    return { ts, vals };
  }
}

/** Smallest k in 1..9 with v exactly m / 10^k for an integer m of modest size, or 0 if there is none. */
function decimalPlaces(v: number): number {
  if (!Number.isFinite(v) || Object.is(v, -0)) return 0;
  for (let k = 1; k < POW10.length; k++) {
    const m = Math.round(v * POW10[k]!);
    if (Math.abs(m) >= DECIMAL_M_MAX) return 0;
    if (m / POW10[k]! === v) return k;
  }
  return 0;
}
