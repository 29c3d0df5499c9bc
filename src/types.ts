/** Shapes shared by every part of netmon: where a sample is born (a probe), what it looks like, and who consumes it. */
import type { SnmpSpec } from '../probes/snmp/kind.js';
import type { PingSpec } from '../probes/icmp/kind.js';
import type { HostSpec } from '../probes/host/kind.js';
import type { DeviceInventory } from './http/contract.js';

export type MetricType = 'counter' | 'gauge';

/** One measured value. Born in a probe, crosses the pipeline once, read by store, exporter, alerts and live feed. */
export interface Sample {
  /** Prometheus-style metric name, e.g. `netmon_interface_receive_bytes_total`. */
  metric: string;
  /** Labels identifying the series. From a probe: its own; after the pipeline: also `target`, `site` and the target's labels. */
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the Unix epoch. */
  ts: number;
  type: MetricType;
  /** Base unit (`bytes`, `seconds`, `dbm`, `ratio`, `bits`...), for the store's metadata and the exporter's HELP. */
  unit?: string;
  help?: string;
}

export type TargetRole = 'switch' | 'fibre' | 'server' | 'uplink';

/** A resolved target: config merged with defaults, credentials resolved by name. Secrets live only in `snmp.credential`. */
export interface Target {
  name: string;
  address: string;
  site: string;
  role: TargetRole;
  labels: Record<string, string>;
  probes: ProbeSpec[];
}

/** One probe configured on one target: its kind, schedule and the kind's own validated, typed options. */
export interface ProbeSpecOf<K extends string, O> {
  kind: K;
  intervalMs: number;
  timeoutMs: number;
  options: O;
}

/**
 * Every probe kind's spec, discriminated by `kind`. A new kind adds its spec type here and its descriptor
 * to probes/registry.ts (the registry's type checks that the two lists agree).
 */
export type ProbeSpec = SnmpSpec | PingSpec | HostSpec;
export type ProbeKindName = ProbeSpec['kind'];
export type SpecOf<K extends ProbeKindName> = Extract<ProbeSpec, { kind: K }>;

/**
 * A probe plug-in: one small interface. It measures and returns samples with ITS OWN labels only (if_index,
 * method, mountpoint...): target, site and the target's configured labels are added once at the fan-out
 * (src/pipeline.ts), as are the health series.
 */
export interface Probe<S extends ProbeSpec = ProbeSpec> {
  readonly kind: S['kind'];
  run(target: Target, spec: S, signal: AbortSignal): Promise<ProbeSamples>;
  /** Release sockets, child processes, caches. */
  close?(): Promise<void>;
}

/**
 * A run that succeeded but could not read everything the device says it has: its answers contradict
 * themselves (e.g. ifNumber says 32 interfaces, the table has none). The pipeline exports it as
 * `netmon_probe_partial_info{reason}`; `netmon_probe_success` stays 1 (what was read is right).
 */
export interface ProbePartial {
  /** Short code, a label value: `row_count`, `broken_column`, `row_limit`, `request_limit`... */
  reason: string;
  /** For the operator: what contradicts what. */
  message: string;
}

/**
 * What `Probe.run` resolves to: samples, flagged `partial` when the run read less than it should have,
 * and what the probe knows about the device itself (SNMP: sysObjectID, ENTITY-MIB) for the inventory API.
 */
export type ProbeSamples = Sample[] & { partial?: ProbePartial; inventory?: DeviceInventory };

/** Flag a run's samples as partial (the scheduler copies the flag onto the ProbeResult). */
export function withPartial(samples: Sample[], partial: ProbePartial | undefined): ProbeSamples {
  return partial ? Object.assign(samples, { partial }) : samples;
}

/** A probe failure with a short reason code operators and `netmon_probe_success` can read. */
export class ProbeError extends Error {
  constructor(
    readonly reason: 'timeout' | 'unreachable' | 'auth' | 'protocol' | 'config' | 'internal',
    message: string,
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}
