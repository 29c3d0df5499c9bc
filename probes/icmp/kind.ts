/** The `ping` probe kind: its config blocks and spec (see probes/kind.ts). */
import { z } from 'zod';
import { duration } from '../../src/config/primitives.js';
import type { ProbeSpecOf } from '../../src/types.js';
import type { ProbeKind } from '../kind.js';
import { createPingProbe } from './index.js';

export type PingSpec = ProbeSpecOf<'ping', { count: number }>;

const count = z.number().int().min(1).max(1000);

const block = z
  .strictObject({
    interval: duration.optional(),
    count: count.optional().describe('echo requests per round'),
    timeout: duration.optional(),
  })
  .describe('ping this target (fping)');

const defaults = z
  .strictObject({
    interval: duration.prefault('60s'),
    count: count.default(20),
    timeout: duration.prefault('1s'),
  })
  .prefault({});

export const pingKind: ProbeKind<PingSpec, typeof block, typeof defaults> = {
  kind: 'ping',
  block,
  defaults,
  spec: (b, d) => ({ kind: 'ping', intervalMs: b.interval ?? d.interval, timeoutMs: b.timeout ?? d.timeout, options: { count: b.count ?? d.count } }),
  create: ({ log, echoPort }) => createPingProbe({ log: (level, msg) => level !== 'debug' && log(level, msg), udpEcho: echoPort }),
};
