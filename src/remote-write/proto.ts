/**
 * Prometheus remote write 1.0 payload: the protobuf WriteRequest, hand-encoded (four tiny messages; a
 * protobuf library would cost a dependency and a schema compile step for ~60 lines of varints).
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in ms
 *
 * Repeated fields concatenate: two encoded WriteRequests back to back are one WriteRequest with both
 * series lists. The disk queue relies on that: a batch is its records' bytes joined, nothing re-encoded.
 */
import type { Sample } from '../types.js';

/**
 * Encoded protobuf string fields (tag, length, UTF-8 bytes) of label names and values, by string: the same
 * names and values (target, site, interface) come back in every sample of a series and every poll, and
 * byte-length + write of each string was most of the encoding's cost. Bounded: emptied when full, so a
 * fleet with more distinct values than this only loses the speed-up, never correctness.
 */
const FIELD_CACHE_MAX = 50_000;
const fields = [new Map<string, Buffer>(), new Map<string, Buffer>()] as const;

/** `tag` 0x0a (Label.name) or 0x12 (Label.value) + length + bytes. */
function field(kind: 0 | 1, text: string): Buffer {
  const cache = fields[kind];
  let f = cache.get(text);
  if (f === undefined) {
    const len = Buffer.byteLength(text);
    f = Buffer.allocUnsafeSlow(1 + varintLen(len) + len);
    f[0] = kind === 0 ? 0x0a : 0x12;
    let p = 1;
    for (let v = len; ; v = Math.floor(v / 128)) {
      if (v < 128) {
        f[p++] = v;
        break;
      }
      f[p++] = (v % 128) | 128;
    }
    f.write(text, p, 'utf8');
    if (cache.size >= FIELD_CACHE_MAX) cache.clear();
    cache.set(text, f);
  }
  return f;
}

function varintLen(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  /** Unsigned varint up to 2^53 (timestamps in ms need more than 32 bits, so no bit operators). */
  varint(v: number): void {
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  bytes(b: Buffer): void {
    // Byte loop: the fields are a few dozen bytes, below what a native copy call is worth.
    const { buf } = this;
    let p = this.pos;
    for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    this.pos = p;
  }
}

/** Insertion sort: a series has a handful of labels, where this beats Array#sort and its comparator calls. */
function sortNames(a: string[]): void {
  for (let i = 1; i < a.length; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

/**
 * One WriteRequest holding one TimeSeries (with one sample) per sample. Labels as remote write wants them:
 * `__name__` first, then by name (UTF-16 order, the same as bytewise for the ASCII names Prometheus allows),
 * external labels added where the series has none of that name. An empty value means "no such label" in
 * Prometheus's data model (both engines drop it), so it is left out rather than sent.
 */
export function encodeWriteRequest(samples: readonly Sample[], external: Readonly<Record<string, string>> = {}): Buffer {
  const w = new Writer(256 * samples.length + 64);
  const extNames = Object.keys(external).filter((n) => n !== '__name__');
  const names: string[] = [];
  const nameFields: Buffer[] = [];
  const valueFields: Buffer[] = [];
  for (const s of samples) {
    names.length = 0;
    for (const n in s.labels) if (n !== '__name__' && s.labels[n] !== '') names.push(n);
    for (const n of extNames) if (!(n in s.labels) && external[n] !== '') names.push(n);
    sortNames(names);
    // Sizes first: protobuf prefixes every message with its length.
    let seriesLen = 0;
    const count = names.length + 1;
    for (let i = 0; i < count; i++) {
      const n = i === 0 ? '__name__' : names[i - 1]!;
      const nf = field(0, n);
      const vf = field(1, i === 0 ? s.metric : (s.labels[n] ?? external[n]!));
      nameFields[i] = nf;
      valueFields[i] = vf;
      const ll = nf.length + vf.length;
      seriesLen += 1 + varintLen(ll) + ll;
    }
    const ts = Math.round(s.ts);
    const sampleLen = 1 + 8 + 1 + varintLen(ts);
    seriesLen += 1 + varintLen(sampleLen) + sampleLen;
    w.ensure(1 + 10 + seriesLen);
    w.buf[w.pos++] = 0x0a; // WriteRequest.timeseries, length-delimited
    w.varint(seriesLen);
    for (let i = 0; i < count; i++) {
      const nf = nameFields[i]!;
      const vf = valueFields[i]!;
      w.buf[w.pos++] = 0x0a; // TimeSeries.labels
      w.varint(nf.length + vf.length);
      w.bytes(nf); // Label.name
      w.bytes(vf); // Label.value
    }
    w.buf[w.pos++] = 0x12; // TimeSeries.samples
    w.varint(sampleLen);
    w.buf[w.pos++] = 0x09; // Sample.value, fixed64
    w.buf.writeDoubleLE(s.value, w.pos);
    w.pos += 8;
    w.buf[w.pos++] = 0x10; // Sample.timestamp, varint
    w.varint(ts);
  }
  return w.buf.subarray(0, w.pos);
}
