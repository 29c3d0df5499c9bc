/** The `ping` probe kind: its config blocks and spec (see probes/kind.ts). */
import { z } from 'zod';
import { durationAtLeast, timeoutBelowInterval } from '../../src/config/primitives.js';
import type { ProbeSpecOf } from '../../src/types.js';
import type { ProbeKind } from '../kind.js';
import { createPingProbe } from './index.js';

export type PingSpec = ProbeSpecOf<'ping', { count: number }>;

const count = z.number().int().min(1).max(1000);
// The limits of this kind, stated once: a burst of `count` echoes per interval, each waiting up to `timeout`.
const interval = durationAtLeast(1000).describe('time between bursts; at least 1s');
const timeout = durationAtLeast(10).describe('how long to wait for each echo reply; at least 10ms, shorter than the interval');
const timing = timeoutBelowInterval('ping');

const block = z
  .strictObject({
    interval: interval.optional(),
    count: count.optional().describe('echo requests per round'),
    timeout: timeout.optional(),
  })
  .describe('ping this target (fping)');

const defaults = z
  .strictObject({
    interval: interval.prefault('60s'),
    count: count.default(20),
    timeout: timeout.prefault('1s'),
  })
  .superRefine(timing.refineDefaults)
  .prefault({});

export const pingKind: ProbeKind<PingSpec, typeof block, typeof defaults> = {
  kind: 'ping',
  block,
  defaults,
  check: timing.check,
  spec: (b, d) => ({ kind: 'ping', intervalMs: b.interval ?? d.interval, timeoutMs: b.timeout ?? d.timeout, options: { count: b.count ?? d.count } }),
  create: ({ log, echoPort }) => createPingProbe({ log: (level, msg) => level !== 'debug' && log(level, msg), udpEcho: echoPort }),
};
