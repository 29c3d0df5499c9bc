/**
 * Counter corner cases (issue #24, item 10) over real UDP against net-snmp's agent (test/kit/if-device.ts):
 * - a Counter32 cleared on a port of unknown speed (ifSpeed and ifHighSpeed 0) is a counted reset gap, not
 *   a wrap (it read as a ~800 MB increase: an 836 Mbit/s spike at 20 s);
 * - an ifHighSpeed a broken agent sends as a negative Gauge32 (net-snmp reads it as 2^32 - 1) is an
 *   unknown speed, counted, never 4,294,967,295 Mbit/s; the counters are then judged against ifSpeed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSnmpProbe } from '../../probes/snmp/index.js';
import type { Sample } from '../../src/types.js';
import { advance, ifModule, makeDevice, type Device } from '../kit/if-device.js';
import { pick, snmpTarget, startModuleAgent } from '../kit/snmp-agent.js';

let closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

/** A probe on a simulated clock (20 s polls) against the device. */
async function rig(d: Device) {
  const agent = await startModuleAgent(ifModule(d));
  let clock = 1_000_000;
  const probe = createSnmpProbe({ now: () => clock });
  closers.push(() => agent.close(), () => probe.close());
  const { target, spec } = snmpTarget(agent.port, ['if-mib']);
  const poll = (): Promise<Sample[]> => probe.run(target, spec, AbortSignal.timeout(5000));
  const step = (ms: number, bps: number) => {
    clock += ms;
    advance(d, ms, bps);
  };
  return { poll, step };
}

const rx = (s: Sample[]) => pick(s, 'netmon_interface_receive_bytes_total', { if_index: '1' })?.value;
const count = (s: Sample[], metric: string, reason: string) => pick(s, metric, { reason })?.value;

describe('counter corner cases', () => {
  it('a Counter32 cleared on a port of unknown speed is a counted reset, not a wrap', async () => {
    const d = makeDevice(1, 0); // ifSpeed 0, ifHighSpeed 0: speed unknown
    d.hc = false; // only the 32-bit ifTable counters
    d.ifaces[0]!.inOctets = 3_500_000_000n;
    const { poll, step } = await rig(d);
    expect(rx(await poll())).toBe(3_500_000_000);
    step(20_000, 8_000_000); // 1 MB/s
    const before = rx(await poll());
    expect(before).toBe(3_520_000_000);
    // `clear counters`: back to 0 without a discontinuity signal; 20 s later 20 MB have been counted again.
    d.ifaces[0]!.inOctets = 0n;
    step(20_000, 8_000_000);
    const cleared = await poll();
    expect(rx(cleared)).toBeUndefined();
    expect(count(cleared, 'netmon_snmp_intervals_discarded_total', 'reset')).toBe(1);
    // The next interval counts on from the carried total: no jump, no decrease.
    step(20_000, 8_000_000);
    expect(rx(await poll())).toBe(before! + 20_000_000);
  });

  it('a negative ifHighSpeed (read as 4294967295) is an unknown speed, counted; the counters fall back to ifSpeed', async () => {
    const d = makeDevice(1, 4_294_967_295);
    const { poll } = await rig(d);
    const first = await poll();
    expect(pick(first, 'netmon_interface_speed_bytes_per_second', { if_index: '1' })).toBeUndefined();
    expect(count(first, 'netmon_snmp_values_discarded_total', 'implausible')).toBe(1);
    expect(rx(first)).toBe(1_000_000);
    const second = await poll();
    expect(count(second, 'netmon_snmp_values_discarded_total', 'implausible')).toBe(2);
  });

  it('a plausible speed is exported as before (the bound is on ifHighSpeed only, not on ifSpeed in bit/s)', async () => {
    const d = makeDevice(1, 400_000); // 400G: ifSpeed saturates at 4294967295 bit/s as RFC 2863 says
    const { poll } = await rig(d);
    const s = await poll();
    expect(pick(s, 'netmon_interface_speed_bytes_per_second', { if_index: '1' })?.value).toBe(400_000 * 125_000);
    expect(count(s, 'netmon_snmp_values_discarded_total', 'implausible')).toBe(0);
  });
});
