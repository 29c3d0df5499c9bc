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
 * Labels of a sample as remote write wants them: `__name__` first, then by name (bytewise), external labels
 * added where the series has none of that name. An empty value means "no such label" in Prometheus's data
 * model (both engines drop it), so it is left out here rather than sent.
 */
function seriesLabels(s: Sample, external: Readonly<Record<string, string>>): [string, string][] {
  const merged: Record<string, string> = { ...external, ...s.labels };
  delete merged.__name__;
  const names = Object.keys(merged).sort();
  const out: [string, string][] = [['__name__', s.metric]];
  for (const n of names) if (merged[n] !== '') out.push([n, merged[n]!]);
  return out;
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
}

/** One WriteRequest holding one TimeSeries (with one sample) per sample. */
export function encodeWriteRequest(samples: readonly Sample[], external: Readonly<Record<string, string>> = {}): Buffer {
  const w = new Writer(256 * samples.length + 64);
  for (const s of samples) {
    const labels = seriesLabels(s, external);
    // Sizes first: protobuf prefixes every message with its length.
    const lens: number[] = [];
    let seriesLen = 0;
    for (const [n, v] of labels) {
      const nl = Buffer.byteLength(n);
      const vl = Buffer.byteLength(v);
      const ll = 1 + varintLen(nl) + nl + 1 + varintLen(vl) + vl;
      lens.push(nl, vl, ll);
      seriesLen += 1 + varintLen(ll) + ll;
    }
    const ts = Math.round(s.ts);
    const sampleLen = 1 + 8 + 1 + varintLen(ts);
    seriesLen += 1 + varintLen(sampleLen) + sampleLen;
    w.ensure(1 + 10 + seriesLen);
    w.buf[w.pos++] = 0x0a; // WriteRequest.timeseries, length-delimited
    w.varint(seriesLen);
    labels.forEach(([n, v], i) => {
      w.buf[w.pos++] = 0x0a; // TimeSeries.labels
      w.varint(lens[i * 3 + 2]!);
      w.buf[w.pos++] = 0x0a; // Label.name
      w.varint(lens[i * 3]!);
      w.pos += w.buf.write(n, w.pos, 'utf8');
      w.buf[w.pos++] = 0x12; // Label.value
      w.varint(lens[i * 3 + 1]!);
      w.pos += w.buf.write(v, w.pos, 'utf8');
    });
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
