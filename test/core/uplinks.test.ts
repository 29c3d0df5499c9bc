import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline.js';
import { uplinkDeriver } from '../../src/uplinks.js';
import type { ProbeResult } from '../../src/scheduler.js';
import type { Sample, Target } from '../../src/types.js';
import { ProbeError } from '../../src/types.js';
import { testSpec } from '../kit/specs.js';

const target: Target = { name: 'dc-core', address: '127.0.0.1', site: 'dc', role: 'uplink', labels: {}, probes: [] };
const spec = testSpec('snmp');

function result(ts: number, inBytes: number, outBytes: number, error?: ProbeError): ProbeResult {
  const port = { target: 'dc-core', site: 'dc', if_index: '2', if_name: 'Gi0/2', if_alias: 'intl' };
  const samples: Sample[] = error
    ? []
    : [
        { metric: 'netmon_interface_receive_bytes_total', labels: port, value: inBytes, ts, type: 'counter' },
        { metric: 'netmon_interface_transmit_bytes_total', labels: port, value: outBytes, ts, type: 'counter' },
        { metric: 'netmon_interface_receive_bytes_total', labels: { ...port, if_index: '3', if_name: 'Gi0/3' }, value: 5, ts, type: 'counter' },
      ];
  return { target, kind: 'snmp', spec, samples, error, scheduledAt: ts, startedAt: ts, durationMs: 5 };
}

describe('pipeline with uplink derivation', () => {
  const uplinks = [{ name: 'international', target: 'dc-core', interface: 'Gi0/2', capacity: 2e6, warn_utilization: 0.8 }];

  it('adds probe health and uplink bits/s and utilisation, and every consumer sees the same samples', () => {
    const p = new Pipeline();
    p.derive(uplinkDeriver(uplinks));
    const seenA: Sample[][] = [];
    const seenB: Sample[][] = [];
    p.subscribe('a', (r) => seenA.push(r.samples));
    p.subscribe('b', (r) => seenB.push(r.samples));
    p.publish(result(0, 1000, 0));
    p.publish(result(10_000, 1000 + 1_250_000 / 8 * 10, 250_000 / 8 * 10)); // 1.25 Mbit/s in, 0.25 out
    expect(seenA).toEqual(seenB);
    const last = seenA[1]!;
    const find = (metric: string, direction?: string) =>
      last.find((s) => s.metric === metric && (direction === undefined || s.labels.direction === direction))?.value;
    expect(find('netmon_probe_success')).toBe(1);
    expect(find('netmon_uplink_capacity_bytes_per_second')).toBe(2e6 / 8);
    expect(find('netmon_uplink_traffic_bytes_per_second', 'in')! * 8).toBeCloseTo(1.25e6, 3);
    expect(find('netmon_uplink_utilization_ratio', 'in')).toBeCloseTo(0.625, 6);
    expect(find('netmon_uplink_utilization_ratio', 'out')).toBeCloseTo(0.125, 6);
    // the first poll has nothing to compare with: no rate
    expect(seenA[0]!.some((s) => s.metric === 'netmon_uplink_traffic_bytes_per_second')).toBe(false);
  });

  it('draws no rate across a counter reset and reports failures as probe_success 0', () => {
    const p = new Pipeline();
    p.derive(uplinkDeriver(uplinks));
    const seen: Sample[][] = [];
    p.subscribe('a', (r) => seen.push(r.samples));
    p.publish(result(0, 10_000_000, 0));
    p.publish(result(10_000, 500, 10)); // agent rebooted
    p.publish(result(20_000, 0, 0, new ProbeError('timeout', 'no answer')));
    expect(seen[1]!.some((s) => s.metric === 'netmon_uplink_traffic_bytes_per_second' && s.labels.direction === 'in')).toBe(false);
    expect(seen[1]!.some((s) => s.metric === 'netmon_uplink_traffic_bytes_per_second' && s.labels.direction === 'out')).toBe(true);
    expect(seen[2]!.find((s) => s.metric === 'netmon_probe_success')!.value).toBe(0);
  });

  it('a throwing consumer does not starve the others', () => {
    const errors: string[] = [];
    const p = new Pipeline((name) => errors.push(name));
    let reached = 0;
    p.subscribe('broken', () => {
      throw new Error('disk full');
    });
    p.subscribe('ok', () => reached++);
    p.publish(result(0, 1, 1));
    expect(errors).toEqual(['broken']);
    expect(reached).toBe(1);
  });
});
