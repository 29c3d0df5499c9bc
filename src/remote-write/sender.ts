/**
 * One receiver: the consumer side appends each probe result to the disk queue (encode + one write, never
 * waiting on the network); a single async loop sends the queue in order (one request in flight, so samples
 * of a series arrive in order), retrying 5xx, 429 and network errors with exponential backoff (Retry-After
 * honoured), dropping a batch the receiver refuses with another 4xx (counted, logged, the queue moves on).
 */
import { join } from 'node:path';
import { compress } from 'snappyjs';
import type { Sample } from '../types.js';
import type { RemoteWriteConfig } from './config.js';
import { DiskQueue, type Batch } from './disk-queue.js';
import { makeAgent, post, retryAfterMs, type PostTarget } from './http.js';
import { encodeWriteRequest } from './proto.js';

type DropReason = 'http_4xx' | 'queue_full' | 'corrupt';

interface SenderStats {
  sent: number;
  failed: number;
  retried: number;
  dropped: Record<DropReason, number>;
}

export interface SenderOptions {
  config: RemoteWriteConfig;
  /** <data dir>/remote-write: the queue lives in <root>/<name>. */
  queueRoot: string;
  /** Read from `tls.ca_file` by the caller (resolved against the main file). */
  ca?: Buffer;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
}

/** Where a URL is, without user:password (never logged). */
function redactUrl(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

export class RemoteWriteSender {
  readonly name: string;
  readonly queue: DiskQueue;
  readonly stats: SenderStats = { sent: 0, failed: 0, retried: 0, dropped: { http_4xx: 0, queue_full: 0, corrupt: 0 } };
  private readonly target: PostTarget;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;
  private readonly cfg: RemoteWriteConfig;

  constructor(private readonly opts: SenderOptions) {
    this.cfg = opts.config;
    this.name = this.cfg.name;
    const url = new URL(this.cfg.url);
    const headers: Record<string, string> = {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': 'netmon',
    };
    const user = this.cfg.basic_auth ?? (url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : undefined);
    if (user) headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    if (this.cfg.bearer_token) headers.Authorization = `Bearer ${this.cfg.bearer_token}`;
    url.username = '';
    url.password = '';
    this.target = { url, headers, agent: makeAgent(url, { ca: opts.ca, insecureSkipVerify: this.cfg.tls.insecure_skip_verify }), timeoutMs: this.cfg.timeout };
    this.queue = new DiskQueue(join(opts.queueRoot, this.name), {
      maxBytes: this.cfg.queue.max_bytes,
      onDrop: (reason, n) => {
        this.stats.dropped[reason] += n;
        opts.log('warn', `remote write queue: ${n} samples dropped (${reason === 'queue_full' ? 'queue full, oldest segment' : 'unreadable record'})`, { receiver: this.name, reason });
      },
    });
    if (this.queue.samples > 0) opts.log('info', 'remote write: resuming the queue left on disk', { receiver: this.name, samples: this.queue.samples });
    this.loop = this.run();
  }

  /** The pipeline consumer: encode and append; the loop is woken once a full batch is waiting. */
  accept(samples: readonly Sample[]): void {
    if (samples.length === 0) return;
    let oldest = Infinity;
    for (const s of samples) if (s.ts < oldest) oldest = s.ts;
    this.queue.append(encodeWriteRequest(samples, this.cfg.external_labels), samples.length, oldest);
    if (this.queue.samples >= this.cfg.queue.batch_size) this.wake?.();
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.abort.signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.abort.signal.addEventListener('abort', done);
      if (wakeable) this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const { batch_size: batchSize, flush_interval: flushMs } = this.cfg.queue;
    while (!this.abort.signal.aborted) {
      if (this.queue.samples < batchSize) await this.sleep(flushMs, true);
      if (this.abort.signal.aborted) return;
      const batch = this.queue.peek(batchSize);
      if (batch) await this.deliver(batch);
    }
  }

  /** Send one batch until the receiver takes it, refuses it for good, or netmon stops (then it stays queued). */
  private async deliver(batch: Batch): Promise<void> {
    const body = Buffer.from(compress(batch.payload));
    let backoff = this.cfg.queue.min_backoff;
    let attempt = 0;
    while (!this.abort.signal.aborted) {
      if (attempt++ > 0) this.stats.retried += batch.samples;
      let wait: number | undefined;
      try {
        const res = await post(this.target, body, this.abort.signal);
        if (res.status >= 200 && res.status < 300) {
          this.queue.ack(batch);
          this.stats.sent += batch.samples;
          return;
        }
        this.stats.failed += batch.samples;
        if (res.status !== 429 && res.status < 500) {
          this.queue.ack(batch);
          this.stats.dropped.http_4xx += batch.samples;
          this.opts.log('error', `remote write: receiver refused a batch with HTTP ${res.status}; ${batch.samples} samples dropped`, {
            receiver: this.name,
            status: res.status,
            answer: res.body,
          });
          return;
        }
        wait = retryAfterMs(res.retryAfter);
        if (attempt === 1) this.opts.log('warn', `remote write: HTTP ${res.status}, retrying with backoff`, { receiver: this.name, url: redactUrl(this.target.url) });
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.stats.failed += batch.samples;
        if (attempt === 1) this.opts.log('warn', `remote write: ${(err as Error).message}, retrying with backoff`, { receiver: this.name, url: redactUrl(this.target.url) });
      }
      // Full jitter keeps shards that lost the same receiver from retrying in lock step.
      await this.sleep(wait ?? backoff * (0.5 + Math.random() / 2), false);
      backoff = Math.min(backoff * 2, this.cfg.queue.max_backoff);
    }
  }

  /** Stop sending; what is not acknowledged stays on disk for the next start. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.queue.close();
    this.target.agent.destroy();
  }
}
