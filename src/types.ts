/** Shapes shared by every part of netmon: where a sample is born (a probe), what it looks like, and who consumes it. */
import type { SnmpProbeOptions } from './config/model.js';

export type MetricType = 'counter' | 'gauge';

/** One measured value. Born in a probe, crosses the pipeline once, read by store, exporter, alerts and live feed. */
export interface Sample {
  /** Prometheus-style metric name, e.g. `netmon_interface_receive_bytes_total`. */
  metric: string;
  /** Labels identifying the series; always include `target`. */
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

/** One probe configured on one target. `options` is the probe kind's own validated config block. */
export interface ProbeSpec {
  kind: string;
  intervalMs: number;
  timeoutMs: number;
  options: Record<string, unknown>;
}

/*
 * The typed probe specs of the new probe contract (issue 15, CONTRACT.md), defined here ahead of main so
 * the SNMP probe can read `spec.options` with its real type. On main `ProbeSpec` becomes the union
 * `SnmpSpec | PingSpec | HostSpec`; until then the untyped `ProbeSpec` above stays for the other probes.
 */
export interface ProbeSpecOf<K extends string, O> { kind: K; intervalMs: number; timeoutMs: number; options: O }
export type SnmpSpec = ProbeSpecOf<'snmp', SnmpProbeOptions>;

/** A probe plug-in: one small interface. Adding a probe kind means adding a module in `probes/` that exports one of these. */
export interface Probe<S extends ProbeSpec = ProbeSpec> {
  readonly kind: S['kind'];
  run(target: Target, spec: S, signal: AbortSignal): Promise<Sample[]>;
  /** Release sockets, child processes, caches. */
  close?(): Promise<void>;
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
