/**
 * The SNMP probe end to end against net-snmp's agent on loopback: IF-MIB samples and labels, label
 * refresh only when needed (requests counted), Counter32 fallback and wraps, gaps (sysUpTime going
 * back, ifCounterDiscontinuityTime, resets, ambiguous wraps) counted on /metrics and logged once, and the
 * error operators see when nothing answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSnmpProbe, type SnmpProbe } from '../../probes/snmp/index.js';
import { Exporter } from '../../src/exporter.js';
import { Pipeline } from '../../src/pipeline.js';
import type { Sample } from '../../src/types.js';
import { freePort, pick, signal, snmpTarget, startModuleAgent, type TestAgent } from '../kit/snmp-agent.js';
import { ifModule, makeDevice, type Device } from '../kit/if-device.js';

/** The IF-MIB device of the fault tests; here port 3 is down and every port has sent 2,000,000 bytes. */
function device(n = 3, hc = true): Device {
  const d = makeDevice(n, 1000);
  d.hc = hc;
  for (const i of d.ifaces) i.outOctets = 2_000_000n;
  if (d.ifaces[2]) d.ifaces[2].operStatus = 2;
  return d;
}

let agents: TestAgent[] = [];
let probes: SnmpProbe[] = [];
afterEach(async () => {
  await Promise.all(probes.map((p) => p.close?.() ?? Promise.resolve()));
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
  probes = [];
});

async function rig(d: Device, profiles = ['system', 'if-mib'], port?: number, log?: (level: string, msg: string) => void) {
  const agent = await startModuleAgent(ifModule(d), undefined, port);
  agents.push(agent);
  let clock = 1_700_000_000_000;
  const probe = createSnmpProbe({ labelRefreshMs: 3_600_000, now: () => clock, log });
  probes.push(probe);
  const { target, spec } = snmpTarget(agent.port, profiles);
  const poll = async (advanceMs = 60_000): Promise<Sample[]> => {
    clock += advanceMs;
    d.uptime += advanceMs / 10;
    return probe.run(target, spec, signal());
  };
  return { agent, probe, poll, target, spec };
}

const rx = (s: Sample[], ifIndex: string) => pick(s, 'netmon_interface_receive_bytes_total', { if_index: ifIndex })?.value;

describe('IF-MIB polling', () => {
  it('produces the documented series with labels', async () => {
    const d = device();
    const { poll } = await rig(d);
    const s = await poll();
    const sample = pick(s, 'netmon_interface_receive_bytes_total', { if_index: '2' })!;
    expect(sample).toMatchObject({ value: 2_000_000, type: 'counter', unit: 'bytes' });
    // only the probe's own labels: target, site and the target's labels are the pipeline's (CONTRACT.md)
    expect(sample.labels).toEqual({ if_index: '2', if_name: 'ge-0/0/1', if_alias: 'port 1' });
    expect(pick(s, 'netmon_snmp_agent_uptime_seconds')!.labels).toEqual({});
    for (const x of s) expect(Object.keys(x.labels)).not.toContain('target');
    expect(pick(s, 'netmon_interface_oper_up', { if_index: '3' })!.value).toBe(0);
    expect(pick(s, 'netmon_interface_oper_up', { if_index: '1' })!.value).toBe(1);
    expect(pick(s, 'netmon_interface_speed_bytes_per_second', { if_index: '1' })!.value).toBe(1e9 / 8);
    expect(pick(s, 'netmon_interface_info', { if_index: '1' })!.labels.if_descr).toBe('ge-0/0/0 descr');
    expect(pick(s, 'netmon_snmp_agent_uptime_seconds')!.value).toBeCloseTo(d.uptime / 100, 0);
    expect(pick(s, 'netmon_interface_transmit_unicast_packets_total', { if_index: '1' })!.value).toBe(7);
  });

  it('walks label columns only on the first poll, on a change indicator, on restart, on a new row, or when due', async () => {
    const d = device(3);
    const { agent, probe, poll } = await rig(d);
    const requests = () => agent.requests();
    await poll();
    const first = probe.lastPoll('dut')!;
    expect(first).toMatchObject({ labelRefresh: true, refreshReason: 'first poll' });
    expect(requests()).toBe(first.walk.requests);

    const before = requests();
    await poll();
    const second = probe.lastPoll('dut')!;
    expect(second.labelRefresh).toBe(false);
    expect(second.walk.values).toBeLessThan(first.walk.values);
    expect(second.walk.requests).toBe(requests() - before);
    // slow columns are ifName, ifAlias, ifDescr, ifSpeed: 4 × 3 rows fewer values
    expect(first.walk.values - second.walk.values).toBe(12);

    // An alias edited on the device is not seen until something says the table changed...
    d.ifaces[0]!.alias = 'renamed';
    let s = await poll();
    expect(probe.lastPoll('dut')!.labelRefresh).toBe(false);
    expect(pick(s, 'netmon_interface_receive_bytes_total', { if_index: '1' })!.labels.if_alias).toBe('port 0');
    // ...ifTableLastChange moving is such a sign
    d.lastChange = d.uptime;
    s = await poll();
    expect(probe.lastPoll('dut')!).toMatchObject({ labelRefresh: true, refreshReason: 'change indicator 1.3.6.1.2.1.31.1.5.0 changed' });
    expect(pick(s, 'netmon_interface_receive_bytes_total', { if_index: '1' })!.labels.if_alias).toBe('renamed');

    await poll();
    expect(probe.lastPoll('dut')!.labelRefresh).toBe(false);
    await poll(3_600_000);
    expect(probe.lastPoll('dut')!).toMatchObject({ labelRefresh: true, refreshReason: 'refresh interval' });

    // an agent restart (sysUpTime back to small) re-reads labels
    d.uptime = 10;
    await poll();
    expect(probe.lastPoll('dut')!).toMatchObject({ labelRefresh: true, refreshReason: 'agent restarted', rebooted: true });
  });

  it('re-reads labels when an ifIndex it has never seen appears (agent without ifTableLastChange changes)', async () => {
    const d = device(2);
    const { poll, probe, agent } = await rig(d);
    await poll();
    await poll();
    expect(probe.lastPoll('dut')!.labelRefresh).toBe(false);
    // the device gains an interface: same agent port, new table, ifTableLastChange and ifNumber unchanged
    await agents.pop()!.close();
    d.ifaces.push({ index: 7, name: 'ge-0/0/7', alias: 'new', speedMbps: 100, inOctets: 5n, outOctets: 5n, discontinuity: 0 });
    const nIfaces = d.ifaces.length;
    const module = ifModule(d);
    module.scalars[1]!.get = () => nIfaces - 1; // an agent that does not keep ifNumber right
    agents.push(await startModuleAgent(module, undefined, agent.port));
    const s = await poll();
    expect(probe.lastPoll('dut')!).toMatchObject({ labelRefresh: true, refreshReason: 'new row 7 in interfaces' });
    expect(pick(s, 'netmon_interface_receive_bytes_total', { if_index: '7' })!.labels.if_name).toBe('ge-0/0/7');
    await poll();
    expect(probe.lastPoll('dut')!.labelRefresh).toBe(false);
  });
});

describe('counters', () => {
  it('reads the 32-bit columns in the same poll when the agent has no HC counters, and unfolds a plausible wrap', async () => {
    const d = device(1, false);
    d.ifaces[0]!.speedMbps = 100;
    d.ifaces[0]!.inOctets = 4_294_000_000n;
    const { poll } = await rig(d);
    let s = await poll();
    expect(rx(s, '1')).toBe(4_294_000_000);
    // +100,967,296 octets in 60 s at 100 Mbit/s (max 750 MB + slack): one wrap explains it
    d.ifaces[0]!.inOctets = 2n ** 32n + 100_000_000n;
    s = await poll();
    expect(rx(s, '1')).toBe(4_294_000_000 + 100_967_296);
    // a decrease one wrap cannot explain at 4 × 100 Mbit/s (3.25 GB in 60 s + slack; this one would be 4.24 GB): a reset gap
    d.ifaces[0]!.inOctets = 2n ** 32n + 50_000_000n;
    s = await poll();
    expect(rx(s, '1')).toBeUndefined();
    expect(pick(s, 'netmon_snmp_intervals_discarded_total', { reason: 'reset' })!.value).toBe(1);
    // ... and the total carries on from where it was: never backwards, never a zero
    d.ifaces[0]!.inOctets += 1000n;
    s = await poll();
    expect(rx(s, '1')).toBe(4_294_000_000 + 100_967_296 + 1000);
  });

  it('Counter64 stays exact above 2^53 (BigInt), also far above the interface speed (no limit without a discontinuity)', async () => {
    const d = device(1);
    d.ifaces[0]!.inOctets = 2n ** 60n + 1n;
    const { poll } = await rig(d);
    let s = await poll();
    expect(rx(s, '1')).toBe(Number(2n ** 60n + 1n));
    d.ifaces[0]!.inOctets += 7_500_000_000n; // 1 Gbit/s for 60 s
    s = await poll();
    expect(rx(s, '1')).toBe(Number(2n ** 60n + 1n + 7_500_000_000n));
    d.ifaces[0]!.inOctets += 30_000_000_000n; // 4 Gbit/s on a port that says 1 Gbit/s (a tunnel, a `bandwidth` setting)
    s = await poll();
    expect(rx(s, '1')).toBe(Number(2n ** 60n + 1n + 37_500_000_000n));
    for (const reason of ['ambiguous_wrap', 'implausible_rate', 'reset', 'discontinuity']) {
      expect(pick(s, 'netmon_snmp_intervals_discarded_total', { reason })!.value).toBe(0);
    }
  });

  it('sysUpTime going back makes a gap in every counter; ifCounterDiscontinuityTime only in its row', async () => {
    const d = device(2);
    const { poll } = await rig(d);
    await poll();
    for (const i of d.ifaces) i.inOctets += 1000n;
    let s = await poll();
    expect(rx(s, '1')).toBe(1_001_000);
    expect(rx(s, '2')).toBe(2_001_000);

    d.ifaces[1]!.discontinuity = d.uptime;
    for (const i of d.ifaces) i.inOctets += 1000n;
    s = await poll();
    expect(rx(s, '1')).toBe(1_002_000);
    expect(rx(s, '2')).toBeUndefined();

    d.uptime = 500; // agent restarted
    for (const i of d.ifaces) i.inOctets = 100n;
    s = await poll();
    expect(rx(s, '1')).toBeUndefined();
    expect(rx(s, '2')).toBeUndefined();
    expect(pick(s, 'netmon_snmp_intervals_discarded_total', { reason: 'discontinuity' })!.value).toBe(8 + 2 * 8); // 8 counters per row: row 2's discontinuity, then both rows
    for (const i of d.ifaces) i.inOctets += 10n;
    s = await poll();
    expect(rx(s, '1')).toBe(1_002_010);
    expect(rx(s, '2')).toBe(2_001_010);
  });
});

describe('counter gap logging', () => {
  it('logs gaps once per target and reason, then a summary with a count at most every 5 minutes', async () => {
    const d = device(1, false); // 32-bit counters only
    d.ifaces[0]!.speedMbps = 1000; // 4 × 1 Gbit/s × (60 s + 5 s) is over 2^32: every minute's interval is ambiguous
    const lines: string[] = [];
    const { poll, target, spec } = await rig(d, undefined, undefined, (_level, msg) => lines.push(msg));
    await poll();
    let s: Sample[] = [];
    for (let k = 0; k < 11; k++) {
      d.ifaces[0]!.inOctets += 1_000_000n;
      s = await poll();
      expect(rx(s, '1')).toBeUndefined(); // a gap, never a zero
      expect(pick(s, 'netmon_snmp_intervals_discarded_total', { reason: 'ambiguous_wrap' })!.value).toBe((k + 1) * 2); // the octet counters (packets at 4 × 1.49 Mpps fit)
    }
    const ambiguous = lines.filter((l) => l.includes('(ambiguous_wrap)'));
    expect(ambiguous).toHaveLength(3); // first poll, then summaries at 5 and 10 minutes
    expect(ambiguous[0]).toMatch(/"target":"dut","reason":"ambiguous_wrap","intervals":2/);
    expect(ambiguous[1]).toMatch(/still happening: 10 more since the last line, 12 in all/);
    expect(lines.filter((l) => !l.includes('(ambiguous_wrap)'))).toEqual([]);
    // on /metrics with the target's labels, added at the fan-out like every probe sample
    const exporter = new Exporter();
    const pipeline = new Pipeline();
    pipeline.subscribe('exporter', (r) => exporter.accept(r));
    pipeline.publish({ target, kind: 'snmp', spec, samples: s, scheduledAt: 0, startedAt: 0, durationMs: 1 });
    const text = await exporter.renderText();
    expect(text).toMatch(/^# TYPE netmon_snmp_intervals_discarded_total counter$/m);
    expect(text).toContain(`netmon_snmp_intervals_discarded_total{reason="ambiguous_wrap",site="${target.site}",target="dut"} 22\n`);
  });
});

describe('errors', () => {
  it('an agent that does not answer: a timeout that says what to check', async () => {
    const port = await freePort();
    const probe = createSnmpProbe();
    probes.push(probe);
    const { target, spec } = snmpTarget(port, ['system', 'if-mib'], { timeoutMs: 150, retries: 1 });
    const err = (await probe.run(target, spec, signal()).catch((e: unknown) => e)) as Error & { reason: string };
    expect(err).toMatchObject({ name: 'ProbeError', reason: 'timeout' });
    expect(err.message).toMatch(/^no answer from 127\.0\.0\.1:\d+ within 150 ms \(2 tries\); check the community: SNMPv2c community of credential test-cred; /);
    expect(err.message).not.toMatch(/v3|key/);
  });

  it('an unknown profile is a config error', async () => {
    const probe = createSnmpProbe();
    probes.push(probe);
    const { target, spec } = snmpTarget(1, ['if-mib', 'nope']);
    await expect(probe.run(target, spec, signal())).rejects.toMatchObject({ reason: 'config' });
  });

  it('the whole-device deadline (AbortSignal) ends a poll early', async () => {
    const port = await freePort();
    const probe = createSnmpProbe();
    probes.push(probe);
    const { target, spec } = snmpTarget(port, ['system'], { timeoutMs: 5000, retries: 3 });
    const t0 = Date.now();
    await expect(probe.run(target, spec, AbortSignal.timeout(200))).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
