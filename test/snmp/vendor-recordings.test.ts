/**
 * Vendor knowledge checked against truth from outside netmon (issue 16 item 10): Debian's snmpsim serving
 * the Cisco C3750 recording it ships (sysObjectID 1.3.6.1.4.1.9.1.516, CISCO-PROCESS-MIB,
 * CISCO-MEMORY-POOL-MIB, ENTITY-MIB), its Net-SNMP Linux recording, and recordings written by hand from the
 * vendors' MIBs (test/fixtures/snmprec, each naming its source; never netmon's simulator): Huawei and H3C
 * CPU/memory, and every optical profile (Cisco, Juniper, Huawei, H3C, ENTITY-SENSOR-MIB).
 *   - sysObjectID → vendor profiles (probes/profiles/devices/sysobjectid.yaml) on top of the role's;
 *     `replace_default_profiles` still wins
 *   - every Cisco CPU and memory value equals what snmpbulkwalk reads of the same objects
 *   - the ENTITY-MIB inventory served by a running daemon at /api/v1/targets/:target/inventory equals
 *     snmpbulkwalk's entPhysicalTable; /metrics has one device info series and one per chassis
 *   - Huawei/H3C CPU/memory and the optical profiles give exactly the series (labels, values within 1e-6)
 *     their recordings' `# expect` lines state, worked out from the MIB's units: a misread index, column,
 *     scale or unit fails
 * Needs the `snmpsim` and `snmp` packages: skipped with a loud warning when missing, a failure when CI=true.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnmpProbe, type SnmpProbe } from '../../probes/snmp/index.js';
import { loadDeviceTable } from '../../probes/snmp/device.js';
import { loadProfiles } from '../../probes/snmp/profile.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import type { DeviceInventoryResponse, PhysicalEntity } from '../../src/http/contract.js';
import { ROOT } from '../../src/paths.js';
import type { ProbeSamples, Sample } from '../../src/types.js';
import { requireTool } from '../helpers/requireTool.js';
import { freePort, scalar, signal, snmpTarget, startModuleAgent, T } from '../kit/snmp-agent.js';
import { bulkwalk, startSnmpsim, walkText, type Snmpsim } from '../kit/snmpsim.js';

const ok = requireTool({ commands: ['snmpsimd', 'snmpbulkwalk', 'snmpget'] }, 'snmpsim recordings (Cisco C3750, Linux, hand-made Huawei/H3C) against the vendor profiles');

const FIXTURES = join(ROOT, 'test', 'fixtures', 'snmprec');
const RECORDINGS = {
  cisco: 'cisco_16_switch.snmprec.gz',
  linux: 'recorded/linux-full-walk.snmprec.gz',
  huawei: join(FIXTURES, 'huawei-vrp.snmprec'),
  h3c: join(FIXTURES, 'h3c-comware.snmprec'),
  'juniper-dom': join(FIXTURES, 'juniper-dom.snmprec'),
  'huawei-optical': join(FIXTURES, 'huawei-optical.snmprec'),
  'h3c-transceiver': join(FIXTURES, 'h3c-transceiver.snmprec'),
  'cisco-entity-sensor': join(FIXTURES, 'cisco-entity-sensor.snmprec'),
  'entity-sensor': join(FIXTURES, 'entity-sensor.snmprec'),
};

const CPM = (n: number) => `1.3.6.1.4.1.9.9.109.1.1.1.1.${n}`;
const POOL = (n: number) => `1.3.6.1.4.1.9.9.48.1.1.1.${n}`;
const ENT = (n: number) => `1.3.6.1.2.1.47.1.1.1.1.${n}`;
const DEVICE_METRIC = /^netmon_device_(cpu|memory)_/;

describe('the sysObjectID table (probes/profiles/devices/sysobjectid.yaml)', () => {
  const table = loadDeviceTable(new Set(loadProfiles().keys()));
  it('longest prefix wins; a model entry keeps its vendor and profiles; a new vendor subtree does not inherit', () => {
    expect(table('1.3.6.1.4.1.9.1.516')).toEqual({ sysObjectId: '1.3.6.1.4.1.9.1.516', vendor: 'cisco', model: 'Catalyst 37xx stack', profiles: ['cisco-cpu', 'cisco-memory'] });
    expect(table('1.3.6.1.4.1.9.1.5160')).toMatchObject({ vendor: 'cisco', model: '', profiles: ['cisco-cpu', 'cisco-memory'] });
    expect(table('1.3.6.1.4.1.2011.2.23.1')).toMatchObject({ vendor: 'huawei', profiles: ['huawei-cpu-memory'] });
    // H3C's old subtree under Huawei's enterprise number: H3C, and not Huawei's tables
    expect(table('1.3.6.1.4.1.2011.10.1.2')).toMatchObject({ vendor: 'h3c', profiles: [] });
    expect(table('1.3.6.1.4.1.8072.3.2.10')).toMatchObject({ vendor: 'net-snmp', model: 'Linux', profiles: [] });
    expect(table('1.3.6.1.4.1.99999.1')).toEqual({ sysObjectId: '1.3.6.1.4.1.99999.1', vendor: 'unknown', model: '', profiles: [] });
    expect(table('')).toMatchObject({ vendor: 'unknown', profiles: [] });
  });
  it('names only profiles that exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmon-sysoid-'));
    try {
      writeFileSync(join(dir, 'x.yaml'), 'devices:\n  - { prefix: 1.3.6.1.4.1.9, vendor: cisco, profiles: [cisco-nope] }\n');
      expect(() => loadDeviceTable(new Set(loadProfiles().keys()), join(dir, 'x.yaml'))).toThrow(/x\.yaml: prefix 1\.3\.6\.1\.4\.1\.9: unknown profile cisco-nope/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a device replaced behind the same address (agent restarted with another sysObjectID)', () => {
  it('is identified again after the restart: new vendor, new vendor profiles, one log line', async () => {
    let sysObjectId = '1.3.6.1.4.1.8072.3.2.10';
    let uptime = 500_000;
    const agent = await startModuleAgent({
      scalars: [scalar('sysObjectID', '1.3.6.1.2.1.1.2', T.OID, () => sysObjectId), scalar('sysUpTime', '1.3.6.1.2.1.1.3', T.TimeTicks, () => uptime)],
      tables: [],
    });
    const logs: string[] = [];
    const probe = createSnmpProbe({ log: (level, msg) => logs.push(`${level} ${msg}`) });
    try {
      const { target, spec } = snmpTarget(agent.port, ['system']);
      const first = await probe.run(target, spec, signal());
      expect(first.inventory).toMatchObject({ vendor: 'net-snmp', vendor_profiles: [] });
      // The Linux box is replaced by a Cisco switch on the same address: its agent starts from 0.
      sysObjectId = '1.3.6.1.4.1.9.1.516';
      uptime = 100;
      const restarted = await probe.run(target, spec, signal());
      expect(probe.lastPoll('dut')?.rebooted).toBe(true);
      expect(restarted.inventory?.vendor).toBe('net-snmp'); // identified again at the next poll
      uptime = 200;
      const next = await probe.run(target, spec, signal());
      expect(next.inventory).toMatchObject({ vendor: 'cisco', model: 'Catalyst 37xx stack', sys_object_id: sysObjectId, vendor_profiles: ['cisco-cpu', 'cisco-memory'] });
      expect(next.filter((x) => x.metric === 'netmon_device_info').map((x) => x.labels.vendor)).toEqual(['cisco']);
      expect(logs.filter((l) => l.includes('sysObjectID changed'))).toEqual([
        'info agent dut: sysObjectID changed from 1.3.6.1.4.1.8072.3.2.10 to 1.3.6.1.4.1.9.1.516 (cisco Catalyst 37xx stack); vendor profiles now cisco-cpu, cisco-memory',
      ]);
    } finally {
      await probe.close();
      await agent.close();
    }
  });
});

describe.runIf(ok)('vendor profiles against snmpsim recordings', () => {
  let sim: Snmpsim;
  let probe: SnmpProbe;
  beforeAll(async () => {
    sim = await startSnmpsim(await freePort(), RECORDINGS);
    probe = createSnmpProbe();
  }, 90_000);
  afterAll(async () => {
    await probe?.close();
    await sim?.stop();
  });

  const poll = (community: string, o: { name?: string; vendorProfiles?: boolean } = {}): Promise<ProbeSamples> => {
    const { target, spec } = snmpTarget(sim.port, ['system', 'if-mib'], { credential: { version: '2c', community }, name: o.name ?? community, timeoutMs: 3000, retries: 1 });
    if (o.vendorProfiles !== undefined) spec.options.vendorProfiles = o.vendorProfiles;
    return probe.run(target, spec, signal(30_000));
  };
  const sysObjectId = (community: string) => String(bulkwalk(sim.port, community, '1.3.6.1.2.1.1.2').get('0')).replace(/^\./, '');
  const device = (s: Sample[]) => s.filter((x) => x.metric === 'netmon_device_info').map((x) => x.labels);

  it('Cisco C3750: its sysObjectID (as snmpbulkwalk reads it) selects cisco-cpu and cisco-memory on top of the role profiles', async () => {
    const oid = sysObjectId('cisco');
    expect(oid).toBe('1.3.6.1.4.1.9.1.516');
    const s = await poll('cisco');
    expect(device(s)).toEqual([{ vendor: 'cisco', model: 'Catalyst 37xx stack', sys_object_id: oid }]);
    expect(s.inventory).toMatchObject({ vendor: 'cisco', sys_object_id: oid, vendor_profiles: ['cisco-cpu', 'cisco-memory'] });
    expect(s.some((x) => x.metric === 'netmon_interface_receive_bytes_total')).toBe(true);
  });

  it('Cisco CPU: cpmCPUTotal5secRev/1minRev/5minRev of every processor = snmpbulkwalk / 100', async () => {
    const s = await poll('cisco', { name: 'cisco-cpu' });
    const got = s.filter((x) => x.metric === 'netmon_device_cpu_utilization_ratio');
    let n = 0;
    for (const [period, column] of [['5s', 6], ['1m', 7], ['5m', 8]] as const) {
      const walked = bulkwalk(sim.port, 'cisco', CPM(column));
      expect(walked.size, `${period} rows`).toBeGreaterThan(0);
      for (const [cpu, v] of walked) {
        const x = got.filter((g) => g.labels.cpu === cpu && g.labels.period === period);
        expect(x.map((g) => g.value), `cpu ${cpu} ${period}`).toEqual([Number(v) / 100]);
        expect(x[0]!.unit).toBe('ratio');
        n++;
      }
    }
    expect(got).toHaveLength(n);
  });

  it('Cisco memory pools: ciscoMemoryPoolUsed/Free of every valid pool = snmpbulkwalk, named by ciscoMemoryPoolName', async () => {
    const s = await poll('cisco', { name: 'cisco-mem' });
    const [names, valid, used, free] = [2, 4, 5, 6].map((c) => bulkwalk(sim.port, 'cisco', POOL(c)));
    const want: Record<string, string | number>[] = [];
    for (const [i, v] of valid!) {
      if (Number(v) !== 1) continue;
      const pool = walkText(names!.get(i))!;
      want.push({ metric: 'netmon_device_memory_used_bytes', pool, value: Number(used!.get(i)) });
      want.push({ metric: 'netmon_device_memory_free_bytes', pool, value: Number(free!.get(i)) });
    }
    expect(want.length).toBeGreaterThanOrEqual(4);
    const got = s.filter((x) => x.metric.startsWith('netmon_device_memory_')).map((x) => ({ metric: x.metric, pool: x.labels.pool!, value: x.value }));
    expect(got).toEqual(expect.arrayContaining(want));
    expect(got).toHaveLength(want.length);
  });

  it('Net-SNMP Linux: identified as net-snmp/Linux, no Cisco (or any vendor) profile, no device CPU series', async () => {
    const oid = sysObjectId('linux');
    const s = await poll('linux');
    expect(device(s)).toEqual([{ vendor: 'net-snmp', model: 'Linux', sys_object_id: oid }]);
    expect(s.inventory?.vendor_profiles).toEqual([]);
    expect(s.filter((x) => DEVICE_METRIC.test(x.metric))).toEqual([]);
  });

  it('replace_default_profiles: the config says exactly which profiles; the sysObjectID adds none', async () => {
    const s = await poll('cisco', { name: 'cisco-explicit', vendorProfiles: false });
    expect(s.filter((x) => DEVICE_METRIC.test(x.metric))).toEqual([]);
    expect(s.inventory).toMatchObject({ vendor: 'cisco', vendor_profiles: [] });
  });

  /** A hand-made recording's `# expect` lines: the series netmon must export, worked out from the MIB's units. */
  const expectations = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('# expect '))
      .map((l) => JSON.parse(l.slice('# expect '.length)) as { metric: string; labels: Record<string, string>; value: number });

  it.each([
    ['huawei', ['system'], DEVICE_METRIC],
    ['h3c', ['system'], DEVICE_METRIC],
    ['juniper-dom', ['system', 'optical-juniper'], /^netmon_optical_/],
    ['huawei-optical', ['system', 'optical-huawei'], /^netmon_optical_/],
    ['h3c-transceiver', ['system', 'optical-h3c'], /^netmon_optical_/],
    ['cisco-entity-sensor', ['system', 'optical-cisco'], /^netmon_optical_/],
    ['entity-sensor', ['system', 'optical-entity-sensor'], /^netmon_optical_/],
  ] as const)('%s (recording written from the MIB): exactly the series its `# expect` lines state', async (community, profiles, family) => {
    const expected = expectations(RECORDINGS[community]);
    expect(expected.length).toBeGreaterThan(1);
    const { target, spec } = snmpTarget(sim.port, [...profiles], { credential: { version: '2c', community }, name: community, timeoutMs: 3000, retries: 1 });
    const s = await probe.run(target, spec, signal(30_000));
    const got = s.filter((x) => family.test(x.metric) || (family === DEVICE_METRIC && x.metric === 'netmon_device_info'));
    const id = (x: { metric: string; labels: Record<string, string> }) => `${x.metric}${JSON.stringify(Object.entries(x.labels).sort())}`;
    for (const e of expected) {
      const match = got.filter((x) => id(x) === id(e));
      expect(match, id(e)).toHaveLength(1);
      expect(Math.abs(match[0]!.value - e.value), `${id(e)}: ${match[0]!.value} vs ${e.value}`).toBeLessThan(1e-6);
    }
    expect(got.map(id).sort()).toEqual(expected.map(id).sort());
  });

  describe('through a running daemon', () => {
    let daemon: Daemon;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'netmon-vendor-'));
      const file = join(dir, 'netmon.yaml');
      writeFileSync(
        file,
        `storage: { path: netmon.db }
credentials:
  cisco: { version: "2c", community: cisco }
  linux: { version: "2c", community: linux }
sites:
  - { id: lab, name: Lab, group: datacentre }
targets:
  - { name: c3750, address: 127.0.0.1, site: lab, role: switch, snmp: { credential: cisco, port: ${sim.port}, interval: 5s, timeout: 3s } }
  - { name: linux, address: 127.0.0.1, site: lab, role: switch, snmp: { credential: linux, port: ${sim.port}, interval: 5s, timeout: 3s } }
`,
      );
      daemon = await startDaemon({ configFile: file, log: pino({ level: 'silent' }), port: 0 });
    }, 30_000);
    afterAll(async () => {
      await daemon?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function inventoryOf(target: string): Promise<DeviceInventoryResponse> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const res = await fetch(`${daemon.url}api/v1/targets/${target}/inventory`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as DeviceInventoryResponse;
        if (body.inventory || Date.now() > deadline) return body;
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    const walkedCache = new Map<string, PhysicalEntity[]>();
    /** entPhysicalTable as snmpbulkwalk reads it, in the API's shape (walked once per recording). */
    function walkedEntities(community: string): PhysicalEntity[] {
      if (!walkedCache.has(community)) walkedCache.set(community, walkEntities(community));
      return walkedCache.get(community)!;
    }
    function walkEntities(community: string): PhysicalEntity[] {
      const col = (n: number) => bulkwalk(sim.port, community, ENT(n));
      const [descr, vendorType, containedIn, cls, relPos, name, hw, fw, sw, serial, mfg, model, fru] = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16].map(col);
      const rows = new Set<string>();
      for (const c of [descr, cls, name]) for (const i of c!.keys()) rows.add(i);
      const str = (c: Map<string, unknown>, i: string) => walkText(c.get(i) as string | undefined) ?? '';
      const num = (c: Map<string, unknown>, i: string) => (c.has(i) ? Number(c.get(i)) : null);
      const classNames = ['', 'other', 'unknown', 'chassis', 'backplane', 'container', 'powerSupply', 'fan', 'sensor', 'module', 'port', 'stack', 'cpu'];
      return [...rows]
        .sort((a, b) => Number(a) - Number(b))
        .map((i) => ({
          index: Number(i),
          descr: str(descr!, i),
          vendor_type: str(vendorType!, i).replace(/^\./, ''),
          contained_in: num(containedIn!, i),
          class: num(cls!, i),
          class_name: classNames[Number(cls!.get(i))] ?? null,
          parent_rel_pos: num(relPos!, i),
          name: str(name!, i),
          hardware_rev: str(hw!, i),
          firmware_rev: str(fw!, i),
          software_rev: str(sw!, i),
          serial_num: str(serial!, i),
          mfg_name: str(mfg!, i),
          model_name: str(model!, i),
          is_fru: fru!.has(i) ? Number(fru!.get(i)) === 1 : null,
        }));
    }

    it('GET /api/v1/targets/c3750/inventory: every entPhysicalTable row and column as snmpbulkwalk reads them', async () => {
      const body = await inventoryOf('c3750');
      const want = walkedEntities('cisco');
      expect(want.length).toBeGreaterThan(50);
      expect(body.inventory).toMatchObject({ vendor: 'cisco', model: 'Catalyst 37xx stack', sys_object_id: '1.3.6.1.4.1.9.1.516' });
      expect(body.inventory!.entities).toEqual(want);
      // the stack's one chassis, as an operator would look it up
      expect(body.inventory!.entities.filter((e) => e.class_name === 'chassis').map((e) => [e.model_name, e.serial_num])).toEqual([['WS-C3750-48PS-S', 'CAT0952N20R']]);
    });

    it('/metrics: one device info series per target and one chassis info series per chassis, no entity labels elsewhere', async () => {
      await inventoryOf('c3750');
      await inventoryOf('linux');
      const text = await (await fetch(`${daemon.url}metrics`)).text();
      const lines = (metric: string) => text.split('\n').filter((l) => l.startsWith(`${metric}{`));
      const info = lines('netmon_device_info');
      expect(info).toHaveLength(2);
      expect(info.find((l) => l.includes('target="c3750"'))).toMatch(/vendor="cisco".*\} 1$/);
      expect(info.find((l) => l.includes('target="linux"'))).toMatch(/vendor="net-snmp".*\} 1$/);
      const chassis = lines('netmon_device_chassis_info');
      expect(chassis).toHaveLength(walkedEntities('cisco').filter((e) => e.class === 3).length);
      expect(chassis[0]).toMatch(/serial_number="CAT0952N20R"/);
      expect(chassis[0]).toMatch(/model_name="WS-C3750-48PS-S"/);
    });

    it('a target without ENTITY-MIB (Net-SNMP Linux): identified, with the entity table snmpbulkwalk reads (empty)', async () => {
      const body = await inventoryOf('linux');
      expect(body.inventory).toMatchObject({ vendor: 'net-snmp', model: 'Linux', vendor_profiles: [] });
      expect(body.inventory!.entities).toEqual(walkedEntities('linux'));
    });

    it('an unknown target is a 404', async () => {
      const res = await fetch(`${daemon.url}api/v1/targets/nope/inventory`);
      expect(res.status).toBe(404);
    });
  });
});
