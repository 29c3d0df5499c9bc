/**
 * Real third-party recordings (issue 16 items 5, 6, 7): Debian's snmpsim serving the recordings its
 * package ships, polled through netmon's SNMP probe; EVERY interface value netmon exports (octets,
 * packets, errors, discards, oper/admin, speed, name, alias, descr) is compared with what `snmpbulkwalk`
 * reads from the same agent, and no series may be missing or extra.
 *   cisco_16_switch           Cisco C3750 stack: Null0 and StackPort rows have only 32-bit counters
 *   recorded/winxp-full-walk  Windows: no ifXTable at all (names and speeds from ifDescr / ifSpeed)
 *   recorded/linux-full-walk  Linux net-snmp
 *   hp_perf                   malformed: ifNumber 32, one broken ifXTable, no ifTable rows → "partial"
 * Needs the `snmpsim` and `snmp` packages: skipped with a loud warning when missing, a failure when CI=true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/requireTool.js';
import { createSnmpProbe, type SnmpProbe } from '../../probes/snmp/index.js';
import { AGENT_CACHE_SLACK_S } from '../../probes/snmp/counters.js';
import { Pipeline } from '../../src/pipeline.js';
import { Scheduler, type ProbeResult } from '../../src/scheduler.js';
import type { ProbeSamples, Sample } from '../../src/types.js';
import { freePort, signal, snmpTarget } from '../kit/snmp-agent.js';
import { bulkwalk, startSnmpsim, walkText, type Snmpsim, type WalkValue } from '../kit/snmpsim.js';
import { probeSet } from '../kit/specs.js';

const ok = requireTool({ commands: ['snmpsimd', 'snmpbulkwalk', 'snmpget'] }, 'snmpsim recordings (Cisco, Windows, Linux, HP) against the SNMP probe');

const RECORDINGS = {
  cisco: 'cisco_16_switch.snmprec.gz',
  winxp: 'recorded/winxp-full-walk.snmprec.gz',
  linux: 'recorded/linux-full-walk.snmprec.gz',
  hpperf: 'hp_perf.snmprec.gz',
};

const IF = (n: number) => `1.3.6.1.2.1.2.2.1.${n}`;
const IFX = (n: number) => `1.3.6.1.2.1.31.1.1.1.${n}`;

/** Each exported interface metric and how to read it from the walked columns (main column, else fallback). */
const METRICS: [metric: string, main: string, fallback: string | undefined, toValue: (v: WalkValue, fromFallback: boolean) => number][] = [
  ['netmon_interface_receive_bytes_total', IFX(6), IF(10), Number],
  ['netmon_interface_transmit_bytes_total', IFX(10), IF(16), Number],
  ['netmon_interface_receive_unicast_packets_total', IFX(7), IF(11), Number],
  ['netmon_interface_transmit_unicast_packets_total', IFX(11), IF(17), Number],
  ['netmon_interface_receive_errors_total', IF(14), undefined, Number],
  ['netmon_interface_transmit_errors_total', IF(20), undefined, Number],
  ['netmon_interface_receive_discards_total', IF(13), undefined, Number],
  ['netmon_interface_transmit_discards_total', IF(19), undefined, Number],
  ['netmon_interface_oper_up', IF(8), undefined, (v) => (Number(v) === 1 ? 1 : 0)],
  ['netmon_interface_admin_up', IF(7), undefined, (v) => (Number(v) === 1 ? 1 : 0)],
  // ifHighSpeed Mbit/s, else ifSpeed bit/s; exported in bytes/s
  ['netmon_interface_speed_bytes_per_second', IFX(15), IF(5), (v, fb) => (fb ? Number(v) / 8 : Number(v) * 125_000)],
];

const text = walkText;

interface Expected {
  values: Map<string, number>;
  labels: Map<string, { if_name: string; if_alias: string }>;
  descr: Map<string, string>;
  /** Rows whose counters come from the 32-bit column. */
  only32: string[];
}

/** What netmon must export for this recording, from snmpbulkwalk alone. */
function expected(port: number, community: string): Expected {
  const walked = new Map<string, Map<string, WalkValue>>();
  const col = (oid: string) => walked.get(oid) ?? walked.set(oid, bulkwalk(port, community, oid)).get(oid)!;
  const rows = new Set<string>();
  for (const [, main, fb] of METRICS) for (const c of [main, ...(fb ? [fb] : [])]) for (const i of col(c).keys()) rows.add(i);
  const values = new Map<string, number>();
  const labels = new Map<string, { if_name: string; if_alias: string }>();
  const descr = new Map<string, string>();
  const only32: string[] = [];
  for (const i of rows) {
    for (const [metric, main, fb, toValue] of METRICS) {
      const m = col(main).get(i);
      const f = fb ? col(fb).get(i) : undefined;
      if (m !== undefined) values.set(`${metric}|${i}`, toValue(m, false));
      else if (f !== undefined) values.set(`${metric}|${i}`, toValue(f, true));
    }
    if (!col(IFX(6)).has(i) && col(IF(10)).has(i)) only32.push(i);
    labels.set(i, { if_name: text(col(IFX(1)).get(i)) ?? text(col(IF(2)).get(i)) ?? '', if_alias: text(col(IFX(18)).get(i)) ?? '' });
    descr.set(i, text(col(IF(2)).get(i)) ?? '');
  }
  return { values, labels, descr, only32 };
}

/** netmon's interface samples as the same shapes. */
function exported(samples: Sample[]): Pick<Expected, 'values' | 'labels' | 'descr'> {
  const values = new Map<string, number>();
  const labels = new Map<string, { if_name: string; if_alias: string }>();
  const descr = new Map<string, string>();
  for (const s of samples) {
    if (!s.metric.startsWith('netmon_interface_')) continue;
    const i = s.labels.if_index!;
    if (s.metric === 'netmon_interface_info') {
      descr.set(i, s.labels.if_descr!);
      continue;
    }
    values.set(`${s.metric}|${i}`, s.value);
    labels.set(i, { if_name: s.labels.if_name!, if_alias: s.labels.if_alias! });
  }
  return { values, labels, descr };
}

describe.runIf(ok)('snmpsim recordings: every exported interface value equals snmpbulkwalk', () => {
  let sim: Snmpsim;
  let probe: SnmpProbe;
  const logs: string[] = [];
  let clock = 1_700_000_000_000;
  beforeAll(async () => {
    sim = await startSnmpsim(await freePort(), RECORDINGS);
    // A clock one second further at each poll: a 32-bit counter on a fast port (Null0 says 10 Gbit/s)
    // stays readable however slow the machine is (the counter model's ambiguity rule is not tested here).
    probe = createSnmpProbe({ log: (level, msg) => logs.push(`${level} ${msg}`), now: () => clock });
  }, 90_000);
  afterAll(async () => {
    await probe?.close?.();
    await sim?.stop();
  });

  const poll = (community: string, name = community): Promise<ProbeSamples> => {
    clock += 1000;
    const { target, spec } = snmpTarget(sim.port, ['system', 'if-mib'], { credential: { version: '2c', community }, name, timeoutMs: 3000, retries: 1 });
    return probe.run(target, spec, signal(30_000));
  };

  it.each(['cisco', 'winxp', 'linux'])('%s: two polls, every value, label and row as snmpbulkwalk reads them; complete (not partial)', async (community) => {
    const want = expected(sim.port, community);
    expect(want.values.size).toBeGreaterThan(0);
    for (let n = 0; n < 2; n++) {
      const s = await poll(community);
      const got = exported(s);
      // From the second poll on, a 32-bit octet counter on a port so fast that it could wrap twice within
      // the agent-cache slack alone (a 10 Gbit/s StackPort) cannot be vouched for: a counted gap, no value.
      const gaps = [...want.values.keys()].filter((k) => !got.values.has(k));
      for (const k of gaps) {
        const [metric, i] = k.split('|') as [string, string];
        expect(metric, k).toMatch(/_bytes_total$/);
        expect(want.only32, k).toContain(i);
        expect((want.values.get(`netmon_interface_speed_bytes_per_second|${i}`) ?? 0) * AGENT_CACHE_SLACK_S, k).toBeGreaterThanOrEqual(2 ** 32);
      }
      if (n === 0) expect(gaps).toEqual([]);
      const ambiguous = s.find((x) => x.metric === 'netmon_snmp_intervals_discarded_total' && x.labels.reason === 'ambiguous_wrap')?.value ?? 0;
      expect(ambiguous).toBeGreaterThanOrEqual(gaps.length);
      expect(got.values).toEqual(new Map([...want.values].filter(([k]) => !gaps.includes(k))));
      expect(got.labels).toEqual(want.labels);
      expect(got.descr).toEqual(want.descr);
      expect(s.partial).toBeUndefined();
    }
  }, 60_000);

  it('cisco C3750: the rows with only 32-bit counters (Null0, StackPort3) get byte and packet series', async () => {
    const want = expected(sim.port, 'cisco');
    const got = exported(await poll('cisco', 'cisco-rows'));
    const names = want.only32.map((i) => want.labels.get(i)!.if_name);
    expect(names).toEqual(expect.arrayContaining(['Nu0', 'StackPort3']));
    for (const i of want.only32) {
      for (const m of ['receive_bytes', 'transmit_bytes', 'receive_unicast_packets', 'transmit_unicast_packets']) {
        expect(got.values.get(`netmon_interface_${m}_total|${i}`), `${m} of ${want.labels.get(i)!.if_name}`).toBe(want.values.get(`netmon_interface_${m}_total|${i}`));
      }
    }
    // ...while the other ports keep their 64-bit counters
    const hc = bulkwalk(sim.port, 'cisco', IFX(6));
    expect(hc.size).toBeGreaterThan(40);
    for (const [i, v] of hc) expect(got.values.get(`netmon_interface_receive_bytes_total|${i}`)).toBe(Number(v));
  });

  it('winxp (no ifXTable): every interface has a name (ifDescr) and a speed (ifSpeed)', async () => {
    expect(bulkwalk(sim.port, 'winxp', IFX(1)).size).toBe(0);
    const s = await poll('winxp');
    const ifSpeed = bulkwalk(sim.port, 'winxp', IF(5));
    expect(ifSpeed.size).toBeGreaterThan(0);
    for (const [i, bps] of ifSpeed) {
      const speed = s.find((x) => x.metric === 'netmon_interface_speed_bytes_per_second' && x.labels.if_index === i);
      expect(speed?.value).toBe(Number(bps) / 8);
    }
    for (const x of s.filter((x) => x.metric.startsWith('netmon_interface_'))) expect(x.labels.if_name).not.toBe('');
  });

  it('hp_perf (ifNumber 32, a broken table): partial with reason row_count, logged once; netmon_probe_partial_info through the scheduler and pipeline', async () => {
    logs.length = 0;
    const first = await poll('hpperf');
    expect(first.partial).toMatchObject({ reason: 'row_count', message: expect.stringMatching(/1\.3\.6\.1\.2\.1\.2\.1\.0 says 32 rows, the agent served 0 in interfaces/) });
    await poll('hpperf');
    expect(logs.filter((l) => l.includes('partial answer'))).toEqual([
      expect.stringMatching(/^warn agent hpperf \(127\.0\.0\.1:\d+\): partial answer \(row_count\): 1\.3\.6\.1\.2\.1\.2\.1\.0 says 32 rows, the agent served 0/),
    ]);

    // The daemon's path: the scheduler copies the flag onto the result, the pipeline makes the health series.
    const { target, spec } = snmpTarget(sim.port, ['system', 'if-mib'], { credential: { version: '2c', community: 'hpperf' }, name: 'hpperf', timeoutMs: 3000 });
    const pipeline = new Pipeline();
    const results: ProbeResult[] = [];
    pipeline.subscribe('test', (r) => results.push(r));
    const scheduler = new Scheduler(probeSet({ snmp: probe }), { maxConcurrency: 1, onResult: (r) => pipeline.publish(r) });
    scheduler.setTargets([{ ...target, probes: [spec] }]);
    await scheduler.runOnce('hpperf');
    expect(results).toHaveLength(1);
    const health = (metric: string) => results[0]!.samples.filter((s) => s.metric === metric);
    expect(results[0]!.partial?.reason).toBe('row_count');
    expect(health('netmon_probe_success').map((s) => s.value)).toEqual([1]);
    expect(health('netmon_probe_partial_info')).toEqual([expect.objectContaining({ value: 1, labels: expect.objectContaining({ target: 'hpperf', probe: 'snmp', reason: 'row_count' }) })]);

    // A complete agent has no partial series.
    const linux = snmpTarget(sim.port, ['system', 'if-mib'], { credential: { version: '2c', community: 'linux' }, name: 'linux', timeoutMs: 3000 });
    scheduler.setTargets([{ ...linux.target, probes: [linux.spec] }]);
    results.length = 0;
    await scheduler.runOnce('linux');
    await scheduler.stop();
    expect(results[0]!.samples.filter((s) => s.metric === 'netmon_probe_partial_info')).toEqual([]);
  });
});
