/** The remote write queues and senders on /metrics, per receiver (registered like src/self-metrics.ts). */
import client from 'prom-client';
import type { RemoteWriteSender } from './sender.js';

export function registerRemoteWriteMetrics(registry: client.Registry, senders: () => readonly RemoteWriteSender[]): void {
  const r = [registry];
  const gauge = (name: string, help: string, read: (s: RemoteWriteSender) => number | undefined) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['receiver'],
      registers: r,
      collect() {
        this.reset();
        for (const s of senders()) {
          const v = read(s);
          if (v !== undefined) this.set({ receiver: s.name }, v);
        }
      },
    });
  gauge('netmon_remote_write_queue_samples', 'Samples in the disk queue not yet accepted by the receiver.', (s) => s.queue.samples);
  gauge('netmon_remote_write_queue_bytes', 'Bytes of the disk queue\'s segment files.', (s) => s.queue.bytes);
  gauge('netmon_remote_write_oldest_sample_age_seconds', 'Age of the oldest sample still queued (0 when the queue is empty).', (s) => {
    const ts = s.queue.oldestTs();
    return ts === undefined ? 0 : Math.max(0, (Date.now() - ts) / 1000);
  });
  // Counters mirror the senders' running totals: the gap since the last scrape is added.
  const counter = (name: string, help: string, read: (s: RemoteWriteSender) => Record<string, number>, extra?: string) => {
    const last = new Map<string, number>();
    return new client.Counter({
      name,
      help,
      labelNames: extra ? ['receiver', extra] : ['receiver'],
      registers: r,
      collect() {
        for (const s of senders()) {
          for (const [k, v] of Object.entries(read(s))) {
            const key = `${s.name}\u0000${k}`;
            const d = v - (last.get(key) ?? 0);
            last.set(key, v);
            const labels = extra ? { receiver: s.name, [extra]: k } : { receiver: s.name };
            if (d > 0) this.inc(labels, d);
            else if (!last.has(`seen\u0000${key}`)) this.inc(labels, 0); // exposed at 0 from the start
            last.set(`seen\u0000${key}`, 1);
          }
        }
      },
    });
  };
  counter('netmon_remote_write_samples_sent_total', 'Samples the receiver accepted (2xx).', (s) => ({ '': s.stats.sent }));
  counter('netmon_remote_write_samples_failed_total', 'Samples in requests that failed (5xx, 429, 4xx, network error); retried unless dropped.', (s) => ({ '': s.stats.failed }));
  counter('netmon_remote_write_samples_retried_total', 'Samples sent again after a retryable failure.', (s) => ({ '': s.stats.retried }));
  counter('netmon_remote_write_samples_dropped_total', 'Samples given up, by reason: http_4xx (refused by the receiver), queue_full (oldest segment dropped), corrupt.', (s) => s.stats.dropped, 'reason');
}
