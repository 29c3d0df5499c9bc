/** The `snmp` probe kind: its config blocks, the profiles each role brings, and its spec (see probes/kind.ts). */
import { z } from 'zod';
import { durationAtLeast, name, port, timeoutBelowInterval } from '../../src/config/primitives.js';
import type { SnmpCredentialConfig } from '../../src/config/schema.js';
import type { ProbeSpecOf, TargetRole } from '../../src/types.js';
import type { ProbeKind } from '../kind.js';
import { createSnmpProbe } from './index.js';
import { DEFAULT_MAX_REQUESTS, DEFAULT_MAX_ROWS } from './walk.js';

/** Options of an `snmp` probe after defaults and credential resolution. */
export interface SnmpProbeOptions {
  port: number;
  credentialName: string;
  credential: SnmpCredentialConfig;
  retries: number;
  maxRepetitions: number;
  profiles: string[];
  /**
   * Add the profiles the agent's sysObjectID brings (probes/profiles/devices/sysobjectid.yaml); false when
   * the target's config says exactly which profiles it wants (`replace_default_profiles`). Default true.
   */
  vendorProfiles?: boolean;
  /** Walk right after the agent's counter refresh (refresh.ts); see `align_to_counter_refresh`. */
  alignToRefresh?: boolean;
  /** Rows per table and requests per walk at most (walk.ts); absent: DEFAULT_MAX_ROWS / DEFAULT_MAX_REQUESTS. */
  maxTableRows?: number;
  maxTableRequests?: number;
}

export type SnmpSpec = ProbeSpecOf<'snmp', SnmpProbeOptions>;

/** Profiles a target role brings by default (the profile files live in probes/profiles/). */
export const ROLE_PROFILES: Record<TargetRole, string[]> = {
  uplink: ['system', 'if-mib'],
  switch: ['system', 'if-mib'],
  fibre: ['system', 'if-mib', 'optical-cisco', 'optical-juniper', 'optical-huawei', 'optical-h3c', 'optical-entity-sensor'],
  server: ['system', 'if-mib', 'host-resources', 'ucd-snmp'],
};

const retries = z.number().int().min(0).max(10);
// What one agent can make netmon read and hold per poll: a huge or endless table is cut here (a partial
// poll, reason row_limit / request_limit), not by the poll deadline.
const maxTableRows = z.number().int().min(1).max(1_000_000).describe('rows read per table and poll at most (more: the poll is partial, reason row_limit)');
const maxTableRequests = z.number().int().min(1).max(100_000).describe('requests per table walk and poll at most (more: the poll is partial, reason request_limit)');
const maxRepetitions = z.number().int().min(1).max(200);
// The limits of this kind, stated once: a poll every `interval`, each request waiting up to `timeout`.
const interval = durationAtLeast(1000).describe('polling interval; at least 1s');
const timeout = durationAtLeast(100).describe('per-request timeout; at least 100ms, shorter than the interval');
const timing = timeoutBelowInterval('snmp');

const block = z
  .strictObject({
    credential: name.describe('name of an entry under `credentials`'),
    port: port.default(161).describe('UDP port of the agent'),
    interval: interval.optional().describe('polling interval, at least 1s; defaults.snmp.interval if absent'),
    timeout: timeout.optional().describe('per-request timeout, at least 100ms and shorter than the interval; defaults.snmp.timeout if absent'),
    retries: retries.optional(),
    max_repetitions: maxRepetitions.optional().describe('GETBULK max-repetitions'),
    max_table_rows: maxTableRows.optional(),
    max_table_requests: maxTableRequests.optional(),
    profiles: z.array(name).default([]).describe("profiles added to the ones the target's role brings"),
    replace_default_profiles: z.boolean().default(false).describe("replace the role's default profiles, and those the agent's sysObjectID brings, instead of adding to them"),
    align_to_counter_refresh: z
      .boolean()
      .optional()
      .describe("walk right after the agent refreshes its counter cache and stamp samples with that instant, so rates do not alias (costs a few extra GETs per poll; for uplinks and other ports whose per-poll rate matters; default false)"),
  })
  .describe('poll this target over SNMP');

const defaults = z
  .strictObject({
    interval: interval.prefault('60s'),
    timeout: timeout.prefault('2s'),
    retries: retries.default(1),
    max_repetitions: maxRepetitions.default(25),
    // Optional, so configs built in code need not name them.
    max_table_rows: maxTableRows.optional().describe(`rows read per table and poll at most (default ${DEFAULT_MAX_ROWS})`),
    max_table_requests: maxTableRequests.optional().describe(`requests per table walk and poll at most (default ${DEFAULT_MAX_REQUESTS})`),
  })
  .superRefine(timing.refineDefaults)
  .prefault({});

export const snmpKind: ProbeKind<SnmpSpec, typeof block, typeof defaults> = {
  kind: 'snmp',
  block,
  defaults,
  check: timing.check,
  spec(b, d, ctx) {
    const credential = ctx.credentials.get(b.credential);
    // The loader's reference check reports this with file and line first; this guards configs built in code.
    if (!credential) throw new Error(`target ${ctx.target.name}: credential ${b.credential} is not defined`);
    const base = b.replace_default_profiles ? [] : ROLE_PROFILES[ctx.target.role];
    return {
      kind: 'snmp',
      intervalMs: b.interval ?? d.interval,
      timeoutMs: b.timeout ?? d.timeout,
      options: {
        port: b.port,
        credentialName: b.credential,
        credential,
        retries: b.retries ?? d.retries,
        maxRepetitions: b.max_repetitions ?? d.max_repetitions,
        profiles: [...new Set([...base, ...b.profiles])],
        vendorProfiles: !b.replace_default_profiles,
        alignToRefresh: b.align_to_counter_refresh === true,
        maxTableRows: b.max_table_rows ?? d.max_table_rows ?? DEFAULT_MAX_ROWS,
        maxTableRequests: b.max_table_requests ?? d.max_table_requests ?? DEFAULT_MAX_REQUESTS,
      },
    };
  },
  create: (ctx) => createSnmpProbe({ log: ctx.log }),
};
