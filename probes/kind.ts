/**
 * What a probe kind is to the rest of netmon: the schema of its config block under a target and under
 * `defaults`, how a block becomes a typed spec, and how to create the probe. One descriptor per kind,
 * listed in probes/registry.ts; the config schema, the daemon and `netmon probe` all read that list.
 */
import type { z } from 'zod';
import type { SnmpCredentialConfig } from '../src/config/schema.js';
import type { Probe, ProbeSpec, Target, TargetRole } from '../src/types.js';

/** What a kind may look at when it turns a target's block into a spec. */
export interface SpecContext {
  target: { name: string; role: TargetRole };
  credentials: ReadonlyMap<string, SnmpCredentialConfig>;
}

export type ProbeLog = (level: 'info' | 'warn' | 'error', msg: string) => void;

/** What a probe gets when it is created (once per daemon or `netmon probe` run). */
export interface ProbeContext {
  log: ProbeLog;
  /**
   * The UDP echo port that answers for a target instead of ICMP, if any: the built-in simulator's agents
   * (ICMP to their loopback addresses would always be answered by this machine, whatever the simulated site does).
   */
  echoPort?: (target: Target) => number | undefined;
}

export interface ProbeKind<S extends ProbeSpec, B extends z.ZodType = z.ZodType, D extends z.ZodType = z.ZodType> {
  readonly kind: S['kind'];
  /** Schema of a target's `<kind>:` block (limits stated here and nowhere else). */
  readonly block: B;
  /** Schema of `defaults.<kind>` in the main file, defaults included. */
  readonly defaults: D;
  /** The spec of one target's block with the defaults applied; throws an Error naming what is wrong. */
  spec(block: z.output<B>, defaults: z.output<D>, ctx: SpecContext): S;
  /**
   * Problems of a target's block that only show with the defaults applied (a timeout from `defaults` not shorter
   * than the target's own interval): the key of the block to point at, and the message. The loader reports them.
   */
  check?(block: z.output<B>, defaults: z.output<D>): { key: string; message: string }[];
  create(ctx: ProbeContext): Probe<S>;
}
