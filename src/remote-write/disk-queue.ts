/**
 * A receiver's disk-backed queue: encoded batches appended to numbered segment files, read back in order,
 * acknowledged once the receiver took them. What is not acknowledged survives a restart, SIGKILL included.
 *
 * Layout (under <data dir>/remote-write/<receiver>/):
 *   0000000000000001.seg ...  records: [u32 payload length][u32 samples][f64 oldest ts ms][u32 crc32] payload
 *   cursor                    JSON {segment, offset}: the first unacknowledged record (rewritten by rename)
 *
 * Durability: every append is one write() straight to the file, so the kernel holds it the moment accept()
 * returns and a killed process loses nothing. fsync runs every `syncIntervalMs` (not per append, which would
 * cost a disk flush per probe result): a power cut loses at most that interval. A torn record at the end of
 * the last segment (a crash inside a write) fails its length or CRC check and is cut off at open.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, ftruncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const HEADER = 20;
const SEG_RE = /^(\d{16})\.seg$/;

interface Segment {
  id: number;
  bytes: number;
  /** Samples in this segment not yet acknowledged. */
  samples: number;
}

interface Position {
  segment: number;
  offset: number;
}

export interface Batch {
  payload: Buffer;
  samples: number;
  /** Where the next batch starts, once this one is acknowledged. */
  end: Position;
  /** Samples taken from each segment, so that an ack after a drop of that segment does not count them twice. */
  parts: Map<number, number>;
}

interface DiskQueueOptions {
  maxBytes: number;
  /** A segment is closed and a new one started past this size; the oldest whole segment is what a full queue drops. */
  segmentBytes?: number;
  syncIntervalMs?: number;
  /** Samples lost, with why: `queue_full` (oldest segment dropped) or `corrupt` (unreadable record at open). */
  onDrop?: (reason: 'queue_full' | 'corrupt', samples: number) => void;
}

export class DiskQueue {
  private readonly segments: Segment[] = [];
  private cursor: Position = { segment: 0, offset: 0 };
  private fd = -1;
  private readFd = { segment: -1, fd: -1 };
  private readonly segmentBytes: number;
  private dirty = false;
  private readonly syncTimer: NodeJS.Timeout;
  /** Samples appended and not yet acknowledged. */
  samples = 0;

  constructor(
    private readonly dir: string,
    private readonly opts: DiskQueueOptions,
  ) {
    this.segmentBytes = opts.segmentBytes ?? Math.max(64 * 1024, Math.min(16 * 1024 * 1024, Math.floor(opts.maxBytes / 8)));
    mkdirSync(dir, { recursive: true });
    this.recover();
    this.syncTimer = setInterval(() => this.sync(), opts.syncIntervalMs ?? 1000);
    this.syncTimer.unref();
  }

  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  private segPath(id: number): string {
    return join(this.dir, `${String(id).padStart(16, '0')}.seg`);
  }

  /** Resume from the files: the cursor, then every record after it counted; a torn tail cut off. */
  private recover(): void {
    const ids = readdirSync(this.dir)
      .map((f) => SEG_RE.exec(f)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    try {
      const c = JSON.parse(readFileSync(join(this.dir, 'cursor'), 'utf8')) as Position;
      if (Number.isInteger(c.segment) && Number.isInteger(c.offset)) this.cursor = c;
    } catch {
      // no cursor yet: everything on disk is unsent
    }
    for (const id of ids) {
      if (id < this.cursor.segment) {
        rmSync(this.segPath(id), { force: true }); // acknowledged before the crash, not yet removed
        continue;
      }
      const data = readFileSync(this.segPath(id));
      let off = id === this.cursor.segment ? this.cursor.offset : 0;
      let samples = 0;
      let good = off;
      while (off + HEADER <= data.length) {
        const len = data.readUInt32LE(off);
        const n = data.readUInt32LE(off + 4);
        if (off + HEADER + len > data.length || crc32(data.subarray(off + HEADER, off + HEADER + len)) !== data.readUInt32LE(off + 16)) break;
        samples += n;
        off += HEADER + len;
        good = off;
      }
      if (good < data.length) {
        // A torn write (crash mid-append) or damage: keep what checks out, count the rest as lost.
        if (good + HEADER <= data.length) this.opts.onDrop?.('corrupt', data.readUInt32LE(good + 4));
        const fd = openSync(this.segPath(id), 'r+');
        ftruncateSync(fd, good);
        closeSync(fd);
      }
      this.segments.push({ id, bytes: good, samples });
      this.samples += samples;
    }
    if (this.segments.length && this.cursor.segment < this.segments[0]!.id) this.cursor = { segment: this.segments[0]!.id, offset: 0 };
    const last = this.segments.at(-1);
    // Always append to a fresh segment after a restart: the old tail stays exactly as recovered.
    this.startSegment((last?.id ?? this.cursor.segment) + 1);
    if (!last) this.cursor = { segment: this.segments[0]!.id, offset: 0 };
  }

  private startSegment(id: number): void {
    if (this.fd >= 0) {
      fsyncSync(this.fd);
      closeSync(this.fd);
    }
    this.fd = openSync(this.segPath(id), 'a');
    this.segments.push({ id, bytes: 0, samples: 0 });
  }

  /** Append one encoded WriteRequest of `samples` samples, the oldest at `oldestTs` (ms). Never blocks on the receiver. */
  append(payload: Buffer, samples: number, oldestTs: number): void {
    const rec = Buffer.allocUnsafe(HEADER + payload.length);
    rec.writeUInt32LE(payload.length, 0);
    rec.writeUInt32LE(samples, 4);
    rec.writeDoubleLE(oldestTs, 8);
    rec.writeUInt32LE(crc32(payload), 16);
    payload.copy(rec, HEADER);
    let cur = this.segments.at(-1)!;
    if (cur.bytes > 0 && cur.bytes + rec.length > this.segmentBytes) {
      this.startSegment(cur.id + 1);
      cur = this.segments.at(-1)!;
    }
    writeSync(this.fd, rec);
    cur.bytes += rec.length;
    cur.samples += samples;
    this.samples += samples;
    this.dirty = true;
    // Full: the oldest whole segment goes (never the one being written).
    while (this.bytes > this.opts.maxBytes && this.segments.length > 1) this.dropOldest();
  }

  private dropOldest(): void {
    const s = this.segments.shift()!;
    if (this.readFd.segment === s.id) this.closeRead();
    rmSync(this.segPath(s.id), { force: true });
    this.samples -= s.samples;
    if (s.samples > 0) this.opts.onDrop?.('queue_full', s.samples);
    if (this.cursor.segment <= s.id) this.setCursor({ segment: this.segments[0]!.id, offset: 0 });
  }

  /** The oldest unacknowledged sample's timestamp (ms), or undefined when the queue is empty. */
  oldestTs(): number | undefined {
    const p = this.skipExhausted(this.cursor);
    const seg = this.segments.find((s) => s.id === p.segment);
    if (!seg || p.offset + HEADER > seg.bytes) return undefined;
    const h = Buffer.allocUnsafe(HEADER);
    readSync(this.reader(p.segment), h, 0, HEADER, p.offset);
    return h.readDoubleLE(8);
  }

  private skipExhausted(p: Position): Position {
    for (const s of this.segments) {
      if (s.id < p.segment) continue;
      if (s.id === p.segment && p.offset < s.bytes) return p;
      if (s.id > p.segment && s.bytes > 0) return { segment: s.id, offset: 0 };
    }
    return p;
  }

  private reader(id: number): number {
    if (this.readFd.segment !== id) {
      this.closeRead();
      this.readFd = { segment: id, fd: openSync(this.segPath(id), 'r') };
    }
    return this.readFd.fd;
  }

  private closeRead(): void {
    if (this.readFd.fd >= 0) closeSync(this.readFd.fd);
    this.readFd = { segment: -1, fd: -1 };
  }

  /** The next records from the cursor, up to `maxSamples` samples (at least one record), or undefined when empty. Does not advance. */
  peek(maxSamples: number): Batch | undefined {
    let p = this.skipExhausted(this.cursor);
    const parts = new Map<number, number>();
    const bufs: Buffer[] = [];
    let samples = 0;
    const h = Buffer.allocUnsafe(HEADER);
    for (;;) {
      const seg = this.segments.find((s) => s.id === p.segment);
      if (!seg || p.offset + HEADER > seg.bytes) break;
      const fd = this.reader(p.segment);
      readSync(fd, h, 0, HEADER, p.offset);
      const len = h.readUInt32LE(0);
      const n = h.readUInt32LE(4);
      if (bufs.length > 0 && samples + n > maxSamples) break;
      const body = Buffer.allocUnsafe(len);
      readSync(fd, body, 0, len, p.offset + HEADER);
      bufs.push(body);
      samples += n;
      parts.set(p.segment, (parts.get(p.segment) ?? 0) + n);
      p = this.skipExhausted({ segment: p.segment, offset: p.offset + HEADER + len });
      if (samples >= maxSamples) break;
    }
    if (bufs.length === 0) return undefined;
    return { payload: Buffer.concat(bufs), samples, end: p, parts };
  }

  /** The receiver has the batch (or refused it for good): move past it and delete segments it finished. */
  ack(b: Batch): void {
    for (const [id, n] of b.parts) {
      const seg = this.segments.find((s) => s.id === id);
      if (!seg) continue; // dropped while the batch was in flight; already uncounted
      seg.samples -= n;
      this.samples -= n;
    }
    if (b.end.segment > this.cursor.segment || (b.end.segment === this.cursor.segment && b.end.offset > this.cursor.offset)) this.setCursor(b.end);
    while (this.segments.length > 1 && this.segments[0]!.id < this.cursor.segment) {
      const s = this.segments.shift()!;
      if (this.readFd.segment === s.id) this.closeRead();
      rmSync(this.segPath(s.id), { force: true });
    }
  }

  private setCursor(p: Position): void {
    this.cursor = p;
    const tmp = join(this.dir, 'cursor.tmp');
    writeFileSync(tmp, JSON.stringify(p));
    renameSync(tmp, join(this.dir, 'cursor'));
  }

  sync(): void {
    if (!this.dirty || this.fd < 0) return;
    this.dirty = false;
    fsyncSync(this.fd);
  }

  close(): void {
    clearInterval(this.syncTimer);
    this.sync();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.closeRead();
  }
}
