/** The daemon's side of the flow collector: start it when `flows:` is configured, and what a reload cannot change. */
import type client from 'prom-client';
import type { LoadedConfig } from '../config/model.js';
import type { LiveState } from '../live.js';
import { FlowService } from './collector.js';
import type { FlowsConfig } from './config.js';

export interface FlowDeps {
  registry: client.Registry;
  /** The live state: the polled interface tables map an exporter's ifIndex to uplinks by default. */
  live: LiveState;
  /** Override the configured ports (tests: 0 for free ones). */
  ports?: { netflow?: number; sflow?: number };
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
}

export async function startFlows(config: LoadedConfig, d: FlowDeps): Promise<FlowService | undefined> {
  const flows = config.flows;
  if (!flows) return undefined;
  return FlowService.start({
    config: { ...config, flows },
    registry: d.registry,
    snmpIfIndex: (target, ifName) => Number(d.live.find('netmon_interface_receive_bytes_total', { target, if_name: ifName })[0]?.labels.if_index) || undefined,
    log: d.log,
    netflowPort: d.ports?.netflow,
    sflowPort: d.ports?.sflow,
  });
}

/** Turning the collector on or off, or changing its sockets or top_n, takes a restart. */
export function flowsNeedRestart(a: FlowsConfig | undefined, b: FlowsConfig | undefined): boolean {
  if (!a || !b) return !!a !== !!b;
  return a.listen_address !== b.listen_address || a.netflow_port !== b.netflow_port || a.sflow_port !== b.sflow_port || a.top_n !== b.top_n;
}
