/** Every vendor's optical table decodes to the modelled levels and maps to the fibre port's ifIndex. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../src/config/schema.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { OPTICAL_VENDORS, vendorForSite, type Vendor } from '../../src/simulator/model.js';
import { bySuffix, get, readRxDbm, smallConfig, str, v2Session, walk, type TestNet } from './helpers.js';

const T0 = Date.UTC(2024, 9, 16, 3, 0, 0);
let clock = T0;
let net: TestNet;
let sim: Simulator;
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
});
afterAll(async () => {
  await sim?.close();
});

describe('optical tables', () => {
  it.each(OPTICAL_VENDORS.map((v) => [v]))('%s: Rx decodes to the modelled level', async (vendor) => {
    const name = `sw-${siteOf.get(vendor as Vendor)}`;
    const st = sim.state(name)!;
    const dev = st.device;
    expect(dev.vendor).toBe(vendor);
    if (!st.answering(clock)) return; // this one is the flapping site and currently cut off
    const port = dev.ports.find((p) => p.fibre)!;
    const s = v2Session(dev.address, net.port);
    try {
      const rx = await readRxDbm(s, vendor, port.ifIndex, port.optical!.huaweiUnit);
      expect(Math.abs(rx - st.rxDbm(port, clock))).toBeLessThan(0.1);
      expect(rx).toBeLessThan(-3);
      expect(rx).toBeGreaterThan(-20);
      if (vendor === 'cisco' || vendor === 'huawei' || vendor === 'generic') {
        // ENTITY-MIB: the port entity maps to the fibre port's ifIndex
        const alias = await get(s, ['1.3.6.1.2.1.47.1.3.2.1.2.1001.0']);
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
        expect(values.get('1003.4')).toBe(-200); // Rx low alarm, 0.1 dBm
      }
      if (vendor === 'h3c') {
        // the spare SFP slot has a module without diagnostics
        const spare = dev.ports.find((p) => p.sfpNoDiagnostics)!;
        const v = await get(s, [`1.3.6.1.4.1.25506.2.70.1.1.1.12.${spare.ifIndex}`]);
        expect(v[0]!.value).toBe(2147483647);
      }
    } finally {
      s.close();
    }
  });
});
