/**
 * Prometheus remote write as a pipeline consumer: one sender (and disk queue) per `remote_write:` receiver,
 * queues under <data dir>/remote-write/<name>/, and their figures on /metrics.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type client from 'prom-client';
import type { Sample } from '../types.js';
import type { RemoteWriteConfig } from './config.js';
import { registerRemoteWriteMetrics } from './metrics.js';
import { RemoteWriteSender, type SenderOptions } from './sender.js';

export interface RemoteWrite {
  accept(samples: readonly Sample[]): void;
  close(): Promise<void>;
}

/** `storePath`: the SQLite file, whose folder is the data directory; `configFile`: the main file (tls.ca_file is relative to it). */
export function startRemoteWrite(
  storePath: string,
  configFile: string,
  receivers: readonly RemoteWriteConfig[],
  registry: client.Registry,
  log: SenderOptions['log'],
): RemoteWrite {
  const queueRoot = join(dirname(storePath), 'remote-write');
  const senders = receivers.map((rw) => {
    const ca = rw.tls.ca_file ? readFileSync(resolve(dirname(configFile), rw.tls.ca_file)) : undefined;
    return new RemoteWriteSender({ config: rw, queueRoot, ca, log });
  });
  registerRemoteWriteMetrics(registry, () => senders);
  return {
    accept(samples) {
      for (const s of senders) s.accept(samples);
    },
    async close() {
      await Promise.all(senders.map((s) => s.close()));
    },
  };
}
