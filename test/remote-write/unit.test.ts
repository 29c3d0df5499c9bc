/** Remote write's encoder (against an independent decoder), snappy framing and the disk queue's recovery and bounds. */
import { mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress, uncompress } from 'snappyjs';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWriteRequest } from '../../src/remote-write/proto.js';
import { DiskQueue } from '../../src/remote-write/disk-queue.js';
import { retryAfterMs } from '../../src/remote-write/http.js';
import type { Sample } from '../../src/types.js';
import { decodeWriteRequest } from './decode.js';

const sample = (i: number, extra: Record<string, string> = {}): Sample => ({
  metric: 'netmon_test_value',
  labels: { target: `t${i}`, site: 'hà-nội', zeta: 'z', alpha: 'a', empty: '', ...extra },
  value: i + 0.25,
  ts: 1_764_000_000_123 + i,
  type: 'gauge',
});

describe('WriteRequest encoder', () => {
  it('encodes labels sorted with __name__ first, external labels under the series labels, ms timestamps', () => {
    const buf = encodeWriteRequest([sample(1), sample(2, { shard: 'own' })], { shard: '0', replica: 'a' });
    const ts = decodeWriteRequest(buf);
    expect(ts).toHaveLength(2);
    expect(ts[0]!.labels).toEqual([
      ['__name__', 'netmon_test_value'],
      ['alpha', 'a'],
      ['replica', 'a'],
      ['shard', '0'],
      ['site', 'hà-nội'],
      ['target', 't1'],
      ['zeta', 'z'],
    ]);
    expect(ts[1]!.labels.find(([n]) => n === 'shard')).toEqual(['shard', 'own']);
    expect(ts[0]!.samples).toEqual([{ value: 1.25, ts: 1_764_000_000_124 }]);
  });

  it('keeps special values and concatenated requests decode as one', () => {
    const a = encodeWriteRequest([{ ...sample(1), value: NaN }, { ...sample(2), value: -Infinity }]);
    const b = encodeWriteRequest([{ ...sample(3), value: 1e300 }]);
    const ts = decodeWriteRequest(Buffer.concat([a, b]));
    expect(ts.map((t) => t.samples[0]!.value)).toEqual([NaN, -Infinity, 1e300]);
  });

  it('survives snappy block compression', () => {
    const raw = encodeWriteRequest(Array.from({ length: 500 }, (_, i) => sample(i)));
    const z = compress(raw);
    expect(z.length).toBeLessThan(raw.length / 3);
    expect(Buffer.from(uncompress(z)).equals(raw)).toBe(true);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('disk queue', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'netmon-rwq-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const rec = (i: number) => encodeWriteRequest([sample(i)]);
  const targetsOf = (b: Buffer) => decodeWriteRequest(b).map((t) => t.labels.find(([n]) => n === 'target')![1]);

  it('reads in order, resumes after a restart from the acknowledged point', () => {
    const d = dir();
    let q = new DiskQueue(d, { maxBytes: 1e6 });
    for (let i = 0; i < 10; i++) q.append(rec(i), 1, 1000 + i);
    const b = q.peek(4)!;
    expect(targetsOf(b.payload)).toEqual(['t0', 't1', 't2', 't3']);
    q.ack(b);
    expect(q.samples).toBe(6);
    expect(q.oldestTs()).toBe(1004);
    q.close(); // (a SIGKILL leaves the same files: appends are written at once)
    q = new DiskQueue(d, { maxBytes: 1e6 });
    expect(q.samples).toBe(6);
    q.append(rec(10), 1, 1010);
    const rest = q.peek(100)!;
    expect(targetsOf(rest.payload)).toEqual(['t4', 't5', 't6', 't7', 't8', 't9', 't10']);
    q.ack(rest);
    expect(q.samples).toBe(0);
    expect(q.peek(100)).toBeUndefined();
    q.close();
  });

  it('cuts off a torn record at the end of a segment and counts it', () => {
    const d = dir();
    let q = new DiskQueue(d, { maxBytes: 1e6 });
    for (let i = 0; i < 3; i++) q.append(rec(i), 1, i);
    q.close();
    const seg = join(d, readdirSync(d).filter((f) => f.endsWith('.seg')).sort()[0]!);
    const fd = openSync(seg, 'a');
    writeSync(fd, Buffer.from([200, 0, 0, 0, 5, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 1, 2])); // header + 2 of 200 bytes
    closeSync(fd);
    const drops: [string, number][] = [];
    q = new DiskQueue(d, { maxBytes: 1e6, onDrop: (r, n) => drops.push([r, n]) });
    expect(drops).toEqual([['corrupt', 5]]);
    expect(q.samples).toBe(3);
    expect(targetsOf(q.peek(10)!.payload)).toEqual(['t0', 't1', 't2']);
    q.close();
  });

  it('when full drops the oldest segment, counted, and keeps the newest', () => {
    const d = dir();
    const drops: number[] = [];
    const size = rec(0).length + 20;
    const q = new DiskQueue(d, { maxBytes: size * 10, segmentBytes: size * 2, onDrop: (_r, n) => drops.push(n) });
    for (let i = 0; i < 30; i++) q.append(rec(i), 1, i);
    expect(q.bytes).toBeLessThanOrEqual(size * 10);
    const total = readdirSync(d).filter((f) => f.endsWith('.seg')).reduce((n, f) => n + statSync(join(d, f)).size, 0);
    expect(total).toBe(q.bytes);
    const dropped = drops.reduce((a, b) => a + b, 0);
    expect(dropped + q.samples).toBe(30);
    expect(dropped).toBeGreaterThan(0);
    const all = targetsOf(q.peek(100)!.payload);
    expect(all.at(-1)).toBe('t29');
    expect(all[0]).toBe(`t${dropped}`);
    q.close();
  });
});
