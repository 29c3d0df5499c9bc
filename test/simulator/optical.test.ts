/**
 * Every vendor's optical table decodes to the modelled levels and maps to the fibre port's ifIndex, read
 * both with plain SNMP GETs and through the SNMP probe and its profiles. Every vendor is checked: the
 * readings are counted before their values are, so a missing table or an agent that is not answering
 * fails instead of passing with nothing asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnmpProbe, type SnmpProbe } from '../../probes/snmp/index.js';
import { buildTargets } from '../../src/config/model.js';
import type { TargetConfig } from '../../src/config/schema.js';
import type { SnmpSpec } from '../../probes/snmp/kind.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { OPTICAL_VENDORS, vendorForSite, type Vendor } from '../../src/simulator/model.js';
import { bySuffix, get, readRxDbm, smallConfig, str, v2Session, walk, type TestNet } from './helpers.js';

const T0 = Date.UTC(2024, 9, 16, 3, 0, 0);
let clock = T0;
let net: TestNet;
let sim: Simulator;
let probe: SnmpProbe;
const siteOf = new Map<Vendor, string>();

beforeAll(async () => {
  net = smallConfig({ seed: 42 });
  const base = net.addr.core.split('.').slice(0, 3).join('.');
  // find one site id per vendor (the vendor is a function of seed and site id)
  for (let i = 0; siteOf.size < OPTICAL_VENDORS.length && i < 1000; i++) {
    const v = vendorForSite(42, `don-vi-${i}`);
    if (!siteOf.has(v)) siteOf.set(v, `don-vi-${i}`);
  }
  let host = 10;
  for (const [, site] of siteOf) {
    net.config.sites.push({ id: site, name: `Đơn vị ${site}`, group: 'district' });
    const t: TargetConfig = {
      name: `sw-${site}`,
      address: `${base}.${host++}`,
      site,
      role: 'fibre',
      labels: {},
      snmp: { credential: 'sim', port: net.port, profiles: [], replace_default_profiles: false },
    };
    net.config.targets.push(t);
  }
  sim = await startSimulator(net.config, { now: () => clock });
  probe = createSnmpProbe({ now: () => clock });
});
afterAll(async () => {
  await probe?.close?.();
  await sim?.close();
});

/** Move the simulated clock on until the device answers (the flapping site is silent while its fibre is down). */
function untilAnswering(st: { answering(wall: number): boolean }): void {
  for (let i = 0; i < 10_000 && !st.answering(clock); i++) clock += 10_000;
  expect(st.answering(clock), 'device answers within 10,000 simulated steps').toBe(true);
}

describe('optical tables', () => {
  it('the test network has one fibre site of every vendor', () => {
    expect([...siteOf.keys()].sort()).toEqual([...OPTICAL_VENDORS].sort());
  });

  it.each(OPTICAL_VENDORS.map((v) => [v]))('%s: Rx decodes to the modelled level', async (vendor) => {
    const name = `sw-${siteOf.get(vendor)}`;
    const st = sim.state(name)!;
    const dev = st.device;
    expect(dev.vendor).toBe(vendor);
    untilAnswering(st);
    const fibre = dev.ports.filter((p) => p.fibre);
    expect(fibre, 'fibre ports').toHaveLength(1);
    const port = fibre[0]!;
    expect(port.optical, 'optical model of the fibre port').toBeDefined();
    const s = v2Session(dev.address, net.port);
    try {
      const rx = await readRxDbm(s, vendor, port.ifIndex, port.optical!.huaweiUnit);
      expect(Math.abs(rx - st.rxDbm(port, clock))).toBeLessThan(0.1);
      expect(rx).toBeLessThan(-3);
      expect(rx).toBeGreaterThan(-20);
      if (vendor === 'cisco' || vendor === 'huawei' || vendor === 'generic') {
        // ENTITY-MIB: the port entity maps to the fibre port's ifIndex
        const alias = await get(s, ['1.3.6.1.2.1.47.1.3.2.1.2.1001.0']);
        expect(alias).toHaveLength(1);
        expect(str(alias[0]!.value)).toBe(`1.3.6.1.2.1.2.2.1.1.${port.ifIndex}`);
      }
      if (vendor === 'cisco' || vendor === 'generic') {
        // sensor -> module -> port containment
        const contained = await get(s, ['1.3.6.1.2.1.47.1.1.1.1.4.1003', '1.3.6.1.2.1.47.1.1.1.1.4.1002']);
        expect(contained.map((v) => v.value)).toEqual([1002, 1001]);
      }
      if (vendor === 'cisco') {
        const th = await walk(s, '1.3.6.1.4.1.9.9.91.1.2.1.1.4');
        const values = bySuffix(th, '1.3.6.1.4.1.9.9.91.1.2.1.1.4');
        expect(values.size, 'Cisco threshold rows').toBeGreaterThanOrEqual(4);
        expect(values.get('1003.4')).toBe(-200); // Rx low alarm, 0.1 dBm
      }
      if (vendor === 'h3c') {
        // the spare SFP slot has a module without diagnostics
        const spares = dev.ports.filter((p) => p.sfpNoDiagnostics);
        expect(spares, 'H3C spare SFP slots').toHaveLength(1);
        const v = await get(s, [`1.3.6.1.4.1.25506.2.70.1.1.1.12.${spares[0]!.ifIndex}`]);
        expect(v).toHaveLength(1);
        expect(v[0]!.value).toBe(2147483647);
      }
    } finally {
      s.close();
    }

    // the same levels through the SNMP probe and the fibre role's profiles: exactly one Rx and one Tx
    // reading for the fibre port, and none of them on a port without diagnostics
    const target = buildTargets(net.config).find((t) => t.name === name)!;
    const spec = target.probes.find((p): p is SnmpSpec => p.kind === 'snmp')!;
    untilAnswering(st);
    const samples = await probe.run(target, spec, AbortSignal.timeout(10_000));
    const readings = (metric: string) => samples.filter((x) => x.metric === metric && x.labels.if_index === String(port.ifIndex));
    const rxs = readings('netmon_optical_rx_power_dbm');
    const txs = readings('netmon_optical_tx_power_dbm');
    expect(rxs, 'Rx readings of the fibre port').toHaveLength(1);
    expect(txs, 'Tx readings of the fibre port').toHaveLength(1);
    expect(Math.abs(rxs[0]!.value - st.rxDbm(port, clock))).toBeLessThan(0.1);
    expect(Math.abs(txs[0]!.value - st.txDbm(port, clock))).toBeLessThan(0.1);
    const optical = samples.filter((x) => x.metric === 'netmon_optical_rx_power_dbm');
    expect(optical.map((x) => x.labels.if_index), 'Rx readings of the device').toEqual([String(port.ifIndex)]);
  });
});
