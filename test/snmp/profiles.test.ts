/**
 * Profiles as data, checked against the simulator's own MIB modules (src/simulator/mibs: the real vendor
 * OIDs and encodings) served by net-snmp's agent: every vendor's optical table decoded to dBm with
 * thresholds and if_name, Huawei µW vs 0.01 dBm, H3C's invalid marker; HOST-RESOURCES and UCD in bytes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSnmpProbe, DBM_FLOOR, type SnmpProbe } from '../../probes/snmp/index.js';
import { loadProfiles, parseProfile } from '../../probes/snmp/profile.js';
import { ROLE_PROFILES } from '../../src/config/model.js';
import { opticalMib } from '../../src/simulator/mibs/optical.js';
import { hostMib } from '../../src/simulator/mibs/host.js';
import type { Sample } from '../../src/types.js';
import { pick, scalar, signal, snmpTarget, startModuleAgent, T, type MibModule, type TestAgent } from '../kit/snmp-agent.js';

const OPTICAL = ['optical-cisco', 'optical-juniper', 'optical-huawei', 'optical-h3c', 'optical-entity-sensor'];
const RX = -7.24;
const TX = -5.1;
const THRESH = {
  rx: { highAlarm: 1, highWarn: -1, lowWarn: -18, lowAlarm: -20 },
  tx: { highAlarm: 0, highWarn: -1, lowWarn: -10, lowAlarm: -11.5 },
};

let agents: TestAgent[] = [];
let probes: SnmpProbe[] = [];
afterEach(async () => {
  await Promise.all(probes.map((p) => p.close?.() ?? Promise.resolve()));
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
  probes = [];
});

/** ifTable/ifXTable with ifName, enough for the if_name lookups. */
function ifNames(ports: { ifIndex: number; ifName: string }[]): MibModule {
  return {
    scalars: [scalar('sysUpTime', '1.3.6.1.2.1.1.3', T.TimeTicks, () => 4242)],
    tables: [
      { name: 'ifTable', oid: '1.3.6.1.2.1.2.2.1', columns: [{ number: 1, name: 'ifIndex', type: T.Integer }, { number: 2, name: 'ifDescr', type: T.OctetString }], index: [{ columnName: 'ifIndex' }], rows: ports.map((p) => ({ index: [p.ifIndex], get: (c) => (c === 1 ? p.ifIndex : p.ifName) })) },
      { name: 'ifXTable', oid: '1.3.6.1.2.1.31.1.1.1', columns: [{ number: 1, name: 'ifName', type: T.OctetString }], augments: 'ifTable', rows: ports.map((p) => ({ index: [p.ifIndex], get: () => p.ifName })) },
    ],
  };
}

function merge(...ms: MibModule[]): MibModule {
  return { scalars: ms.flatMap((m) => m.scalars), tables: ms.flatMap((m) => m.tables) };
}

/** A stand-in for the simulator's DeviceState: a fibre edge switch of one vendor with fixed levels. */
function fibreSwitch(vendor: string, huaweiUnit: 'uW' | 'centi-dBm' = 'centi-dBm', rx = RX, tx = TX) {
  const fibre = { ifIndex: 5, ifDescr: 'GigabitEthernet0/0/5', ifName: 'Gi0/0/5', fibre: true, optical: { rxDbm: rx, txDbm: tx, huaweiUnit, dying: false, ...THRESH } };
  const spare = { ifIndex: 6, ifDescr: 'GigabitEthernet0/0/6', ifName: 'Gi0/0/6', fibre: false, sfpNoDiagnostics: vendor === 'h3c' };
  const device = { vendor, name: `sw-${vendor}`, address: '127.0.0.1', model: 'TEST-1', ports: [fibre, spare] };
  const st = { device, rxDbm: () => rx, txDbm: () => tx, biasMicroAmps: () => 12000, moduleTemperature: () => 35, uptimeTicks: () => 4242 };
  return merge(ifNames(device.ports), opticalMib(st as never));
}

async function pollOptical(module: MibModule): Promise<Sample[]> {
  const agent = await startModuleAgent(module);
  agents.push(agent);
  const probe = createSnmpProbe();
  probes.push(probe);
  const { target, spec } = snmpTarget(agent.port, ['system', ...OPTICAL]);
  return probe.run(target, spec, signal());
}

const optical = (s: Sample[]) => s.filter((x) => x.metric.startsWith('netmon_optical_'));

function expectLevels(s: Sample[], rxTol = 0.051, thresholds = true) {
  const rx = pick(s, 'netmon_optical_rx_power_dbm', { if_name: 'Gi0/0/5' });
  const tx = pick(s, 'netmon_optical_tx_power_dbm', { if_name: 'Gi0/0/5' });
  expect(rx, 'rx power').toBeDefined();
  expect(Math.abs(rx!.value - RX)).toBeLessThanOrEqual(rxTol);
  expect(Math.abs(tx!.value - TX)).toBeLessThanOrEqual(rxTol);
  expect(rx!.unit).toBe('dbm');
  if (!thresholds) return;
  const t = (name: string) => pick(s, name, { if_name: 'Gi0/0/5' })?.value;
  expect(t('netmon_optical_rx_power_low_alarm_dbm')).toBeCloseTo(-20, 1);
  expect(t('netmon_optical_rx_power_low_warning_dbm')).toBeCloseTo(-18, 1);
  expect(t('netmon_optical_rx_power_high_warning_dbm')).toBeCloseTo(-1, 1);
  expect(t('netmon_optical_rx_power_high_alarm_dbm')).toBeCloseTo(1, 1);
  expect(t('netmon_optical_tx_power_low_alarm_dbm')).toBeCloseTo(-11.5, 1);
  expect(t('netmon_optical_tx_power_low_warning_dbm')).toBeCloseTo(-10, 1);
  expect(t('netmon_optical_tx_power_high_warning_dbm')).toBeCloseTo(-1, 1);
  expect(t('netmon_optical_tx_power_high_alarm_dbm')).toBeCloseTo(0, 1);
}

describe('profile files', () => {
  it('load, and every profile a role brings exists', () => {
    const profiles = loadProfiles();
    for (const names of Object.values(ROLE_PROFILES)) for (const n of names) expect(profiles.has(n), n).toBe(true);
  });

  it('reject a profile whose metric template uses an unknown field', () => {
    expect(() =>
      parseProfile('name: x\ndescription: x\ntables:\n  - name: t\n    metrics:\n      - oid: 1.3.6.1.2\n        metric: netmon_{nope}_dbm\n        type: gauge\n        help: h\n', 'x.yaml'),
    ).toThrow(/unknown field nope/);
  });
});

describe('optical levels, one vendor table each (simulator encodings)', () => {
  it('Cisco CISCO-ENTITY-SENSOR-MIB: dBm sensors with scale/precision, thresholds by severity/relation, ifName via entAliasMapping of the port', async () => {
    const s = await pollOptical(fibreSwitch('cisco'));
    expectLevels(s);
    const rx = pick(s, 'netmon_optical_rx_power_dbm')!;
    expect(rx.value).toBeCloseTo(-7.2, 6); // 0.1 dBm precision
    expect(rx.labels).toMatchObject({ ent_physical_index: '1003', if_index: '5', if_name: 'Gi0/0/5' });
    expect(optical(s)).toHaveLength(10);
  });

  it('Juniper JUNIPER-DOM-MIB: 0.01 dBm by ifIndex, thresholds in the same row', async () => {
    const s = await pollOptical(fibreSwitch('juniper'));
    expectLevels(s, 0.0051);
    expect(pick(s, 'netmon_optical_rx_power_dbm')!.labels).toMatchObject({ if_index: '5', if_name: 'Gi0/0/5' });
    expect(optical(s)).toHaveLength(10);
  });

  it('Huawei hwOpticalModuleInfoTable in 0.01 dBm (negative values)', async () => {
    const s = await pollOptical(fibreSwitch('huawei', 'centi-dBm'));
    expectLevels(s, 0.0051);
    expect(pick(s, 'netmon_optical_rx_power_dbm')!.labels).toMatchObject({ ent_physical_index: '1001', if_index: '5', if_name: 'Gi0/0/5' });
  });

  it('Huawei hwOpticalModuleInfoTable in µW (no negative value in the row) → dBm', async () => {
    const s = await pollOptical(fibreSwitch('huawei', 'uW'));
    expectLevels(s, 0.03); // µW are integers: 189 µW = -7.235 dBm
    expect(pick(s, 'netmon_optical_rx_power_dbm')!.value).toBeCloseTo(10 * Math.log10(Math.round(1000 * 10 ** (RX / 10)) / 1000), 9);
  });

  it('Huawei µW with a strong transmitter (both levels ≥ 0 dBm would be µW > 1000): still decoded right', async () => {
    const s = await pollOptical(fibreSwitch('huawei', 'uW', -2, 1.5));
    expect(pick(s, 'netmon_optical_rx_power_dbm')!.value).toBeCloseTo(-2, 1);
    expect(pick(s, 'netmon_optical_tx_power_dbm')!.value).toBeCloseTo(1.5, 1);
  });

  it('H3C HH3C-TRANSCEIVER-INFO-MIB: 0.01 dBm, thresholds in 0.1 µW, 2147483647 = no reading', async () => {
    const s = await pollOptical(fibreSwitch('h3c'));
    expectLevels(s, 0.0051);
    // the spare SFP without diagnostics reports 2147483647 and zero thresholds: nothing for it
    expect(optical(s).filter((x) => x.labels.if_index === '6')).toEqual([]);
    expect(optical(s)).toHaveLength(10);
  });

  it('generic ENTITY-SENSOR-MIB: watts × 10^(scale) × 10^-precision → dBm, direction from entPhysicalDescr', async () => {
    const s = await pollOptical(fibreSwitch('generic'));
    expectLevels(s, 0.01, false);
    expect(pick(s, 'netmon_optical_tx_power_dbm')!.labels).toMatchObject({ ent_physical_index: '1004', if_index: '5', if_name: 'Gi0/0/5' });
    expect(optical(s)).toHaveLength(2);
  });

  it('no light (0 µW) is reported at the -40 dBm floor, not -Infinity', async () => {
    const s = await pollOptical(fibreSwitch('huawei', 'uW', -80, -5));
    expect(pick(s, 'netmon_optical_rx_power_dbm')!.value).toBe(DBM_FLOOR);
  });
});

describe('servers: HOST-RESOURCES-MIB and UCD-SNMP-MIB (simulator encodings)', () => {
  it('storage in bytes (allocation units), CPU load as a ratio, memory KiB → bytes, load averages, CPU seconds', async () => {
    const GB = 1024 ** 3;
    const srv = { kind: 'web', cpus: 2, ramKB: 16 * 1024 * 1024, swapKB: 4 * 1024 * 1024, busy: 0.5, disks: [{ index: 31, descr: '/', sizeBytes: 12 * 1024 * GB, usedFrac: 0.5, growthPerDay: 0 }] };
    const st = {
      device: { name: 'srv', address: '127.0.0.1', vendor: 'generic', server: srv, ports: [] },
      memoryUsed: () => 0.25,
      cpuLoad: (i: number) => (i === 0 ? 0.37 : 0.5),
      cpuAverage: () => 0.4,
      loadAverage: (m: number) => m / 10,
      cpuTicks: (mode: string) => ({ user: 123_400, nice: 5, system: 20_000, idle: 9_000_000, wait: 700 })[mode] ?? 0,
      diskUsedBytes: () => 6 * 1024 * GB,
      uptimeTicks: () => 4242,
    };
    const module = merge({ scalars: [scalar('sysUpTime', '1.3.6.1.2.1.1.3', T.TimeTicks, () => 4242)], tables: [] }, hostMib(st as never));
    const agent = await startModuleAgent(module);
    agents.push(agent);
    const probe = createSnmpProbe();
    probes.push(probe);
    const { target, spec } = snmpTarget(agent.port, ['system', 'host-resources', 'ucd-snmp']);
    const s = await probe.run(target, spec, signal());
    const v = (m: string, l: Record<string, string> = {}) => pick(s, m, l)?.value;
    // a 12 TiB disk does not fit Integer32 in 4 KiB units: the agent grows the units, the probe multiplies back
    expect(v('netmon_host_storage_size_bytes', { storage: '/' })).toBe(12 * 1024 * GB);
    expect(v('netmon_host_storage_used_bytes', { storage: '/' })).toBe(6 * 1024 * GB);
    expect(pick(s, 'netmon_host_storage_size_bytes', { storage: '/' })!.labels.storage_type).toBe('fixed_disk');
    expect(v('netmon_host_storage_size_bytes', { storage: 'Physical memory' })).toBe(16 * GB);
    expect(pick(s, 'netmon_host_storage_size_bytes', { storage: 'Physical memory' })!.labels.storage_type).toBe('ram');
    expect(v('netmon_host_cpu_load_ratio', { cpu: '196608' })).toBeCloseTo(0.37, 6);
    expect(v('netmon_host_memory_total_bytes')).toBe(16 * GB);
    expect(v('netmon_host_memory_available_bytes')).toBe(0.75 * 16 * GB);
    expect(v('netmon_host_swap_total_bytes')).toBe(4 * GB);
    expect(v('netmon_host_load_average', { period: '1m' })).toBeCloseTo(0.1, 6);
    expect(v('netmon_host_load_average', { period: '15m' })).toBeCloseTo(1.5, 6);
    expect(v('netmon_host_cpu_seconds_total', { mode: 'user' })).toBeCloseTo(1234, 6);
    expect(v('netmon_host_cpu_seconds_total', { mode: 'iowait' })).toBeCloseTo(7, 6);
    expect(v('netmon_host_processes')).toBe(180 + Math.round(120 * 0.4));
    for (const x of s) expect(x.metric).toMatch(/^netmon_[a-z0-9_]+$/);
  });
});

describe('profileMetricNames', () => {
  it('expands {field} templates into every concrete, conventional metric name', async () => {
    const { profileMetricNames } = await import('../../probes/snmp/profile.js');
    const all = [...loadProfiles().values()].flatMap((p) => profileMetricNames(p));
    const names = new Set(all.map((m) => m.metric));
    for (const dir of ['rx', 'tx']) {
      expect(names).toContain(`netmon_optical_${dir}_power_dbm`);
      for (const b of ['low', 'high']) for (const l of ['warning', 'alarm']) expect(names).toContain(`netmon_optical_${dir}_power_${b}_${l}_dbm`);
    }
    for (const m of all) {
      expect(m.metric).toMatch(/^netmon_[a-z0-9_]+$/);
      if (m.type === 'counter') expect(m.metric).toMatch(/_total$/);
      for (const l of m.labels) expect(l).toMatch(/^[a-z_][a-z0-9_]*$/);
    }
  });
});
