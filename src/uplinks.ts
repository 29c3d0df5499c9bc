/**
 * Uplink figures derived at ingest: the uplink port's byte counters become bits/s and utilisation against
 * the configured capacity (not ifHighSpeed, which virtual and many physical ports misreport).
 *
 * The rate is the increase divided by the time between the two counter samples' `ts`, never by the poll
 * interval or the time of arrival: the SNMP probe stamps counters with the instant the agent refreshed
 * them (probes/snmp/refresh.ts), so the increase is exactly the traffic of that interval. Against a 3 s
 * counter cache a 10 s poll covers 9 or 12 s of traffic; divided by 10 s a saturated link read 120 %.
 */
import type { UplinkConfig } from './config/schema.js';
import type { Deriver } from './pipeline.js';
import type { Sample } from './types.js';

export const UPLINK_DIRECTIONS = [
  { direction: 'in', metric: 'netmon_interface_receive_bytes_total' },
  { direction: 'out', metric: 'netmon_interface_transmit_bytes_total' },
] as const;

/** The interface series of an uplink: matched on the target and the port's ifName. */
export function isUplinkPort(u: UplinkConfig, labels: Record<string, string>): boolean {
  return labels.target === u.target && labels.if_name === u.interface;
}

export function uplinkDeriver(uplinks: readonly UplinkConfig[]): Deriver {
  const last = new Map<string, { value: number; ts: number }>();
  return (result) => {
    if (result.kind !== 'snmp' || result.error) return [];
    const out: Sample[] = [];
    for (const u of uplinks) {
      if (u.target !== result.target.name) continue;
      const labels = { uplink: u.name };
      // Prometheus base units: bytes per second (multiply by 8 for the bit/s that capacity is written in).
      out.push({ metric: 'netmon_uplink_capacity_bytes_per_second', labels, value: u.capacity / 8, ts: result.startedAt + result.durationMs, type: 'gauge', unit: 'bytes_per_second', help: 'Configured capacity of the uplink, bytes per second.' });
      for (const d of UPLINK_DIRECTIONS) {
        const s = result.samples.find((x) => x.metric === d.metric && isUplinkPort(u, x.labels));
        if (!s) continue;
        const key = `${u.name}/${d.direction}`;
        const prev = last.get(key);
        last.set(key, { value: s.value, ts: s.ts });
        // First sample, the same refresh read twice, or a reset: no rate across it.
        if (!prev || s.ts <= prev.ts || s.value < prev.value) continue;
        const bytesPerSecond = ((s.value - prev.value) * 1000) / (s.ts - prev.ts);
        const l = { uplink: u.name, direction: d.direction };
        out.push(
          { metric: 'netmon_uplink_traffic_bytes_per_second', labels: l, value: bytesPerSecond, ts: s.ts, type: 'gauge', unit: 'bytes_per_second', help: 'Traffic on the uplink between the agent counter refreshes read by the last two polls, bytes per second.' },
          { metric: 'netmon_uplink_utilization_ratio', labels: l, value: (bytesPerSecond * 8) / u.capacity, ts: s.ts, type: 'gauge', unit: 'ratio', help: 'Uplink traffic over its configured capacity (0-1) between the agent counter refreshes read by the last two polls.' },
        );
      }
    }
    return out;
  };
}
