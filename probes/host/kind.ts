/** The `host` probe kind (netmon's own machine): its config blocks and spec (see probes/kind.ts). */
import { z } from 'zod';
import { durationAtLeast } from '../../src/config/primitives.js';
import type { ProbeSpecOf } from '../../src/types.js';
import type { ProbeKind } from '../kind.js';
import { createHostProbe } from './index.js';

export type HostSpec = ProbeSpecOf<'host', Record<string, never>>;

// The limit of this kind, stated once. It has no timeout of its own: a run may take up to its interval.
const interval = durationAtLeast(1000).describe('how often to collect; at least 1s');

const block = z
  .strictObject({
    interval: interval.optional(),
  })
  .describe('collect host metrics of the machine netmon runs on');

const defaults = z.strictObject({ interval: interval.prefault('30s') }).prefault({});

export const hostKind: ProbeKind<HostSpec, typeof block, typeof defaults> = {
  kind: 'host',
  block,
  defaults,
  spec: (b, d) => {
    const intervalMs = b.interval ?? d.interval;
    return { kind: 'host', intervalMs, timeoutMs: intervalMs, options: {} };
  },
  create: () => createHostProbe(),
};
