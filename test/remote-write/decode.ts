/** A minimal protobuf decoder of remote write's WriteRequest, independent of the encoder under test. */
export interface DecodedSeries {
  labels: [string, string][];
  samples: { value: number; ts: number }[];
}

function fields(buf: Buffer): { field: number; wire: number; value: Buffer | number }[] {
  const out: { field: number; wire: number; value: Buffer | number }[] = [];
  let pos = 0;
  const varint = () => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++]!;
      v += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 128) return v;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) {
      out.push({ field, wire, value: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 2) {
      const len = varint();
      out.push({ field, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  if (pos !== buf.length) throw new Error('trailing bytes');
  return out;
}

export function decodeWriteRequest(buf: Buffer): DecodedSeries[] {
  return fields(buf).map((ts) => {
    if (ts.field !== 1 || ts.wire !== 2) throw new Error('WriteRequest: expected field 1 (timeseries)');
    const series: DecodedSeries = { labels: [], samples: [] };
    for (const f of fields(ts.value as Buffer)) {
      if (f.field === 1) {
        const [n, v] = fields(f.value as Buffer);
        series.labels.push([(n!.value as Buffer).toString('utf8'), (v!.value as Buffer).toString('utf8')]);
      } else if (f.field === 2) {
        const [v, t] = fields(f.value as Buffer);
        series.samples.push({ value: (v!.value as Buffer).readDoubleLE(0), ts: t!.value as number });
      } else throw new Error(`TimeSeries: unexpected field ${f.field}`);
    }
    return series;
  });
}
