/** The simulator's agents over real UDP on loopback: system group, IF-MIB walks, SNMPv3, servers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { snmp } from '../../src/simulator/net-snmp.js';
import { bySuffix, c64, get, smallConfig, str, V3, v2Session, v3Session, walk, type TestNet } from './helpers.js';

// Tuesday 2024-10-15 09:00 in Huế (02:00 UTC): office hours.
const clock = Date.UTC(2024, 9, 15, 2, 0, 0);
let net: TestNet;
let sim: Simulator;

beforeAll(async () => {
  net = smallConfig();
  sim = await startSimulator(net.config, { now: () => clock });
});
afterAll(async () => {
  await sim?.close();
});

describe('simulator agents', () => {
  it('serves the system group, with the Vietnamese site name intact as UTF-8', async () => {
    // the dying fibre's site answers at any time (the flapping one may be in its down window)
    const s = v2Session(net.addr.fibre2, net.port);
    try {
      const vbs = await get(s, ['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.6.0', '1.3.6.1.2.1.1.3.0', '1.3.6.1.2.1.1.2.0']);
      expect(str(vbs[0]!.value)).toBe('sw-phuong-vy-da');
      expect(str(vbs[1]!.value)).toBe('Phường Vỹ Dạ');
      expect(vbs[2]!.type).toBe(snmp.ObjectType.TimeTicks);
      expect(vbs[2]!.value as number).toBeGreaterThan(3 * 86400 * 100);
      expect(str(vbs[3]!.value)).toMatch(/^1\.3\.6\.1\.4\.1\.\d+/);
    } finally {
      s.close();
    }
  });

  it('walks ifTable and ifXTable over SNMPv3 authPriv on dc-core, with the uplinks named', async () => {
    const s = v3Session(net.addr.core, net.port);
    try {
      const ifTable = await walk(s, '1.3.6.1.2.1.2.2');
      const ifX = await walk(s, '1.3.6.1.2.1.31.1.1');
      const names = bySuffix(ifX, '1.3.6.1.2.1.31.1.1.1.1');
      const alias = bySuffix(ifX, '1.3.6.1.2.1.31.1.1.1.18');
      expect([...names.values()].map(str)).toEqual(['Gi0/1', 'Gi0/2', 'Gi0/3', 'Gi0/4', 'Te1/1']);
      expect(str(alias.get('1'))).toBe('Internet trong nước 100 Mbps');
      expect(str(alias.get('2'))).toBe('Internet quốc tế 2 Mbps');
      // 5 ports × 17 ifTable columns, 5 × 10 ifXTable columns
      expect(ifTable).toHaveLength(5 * 17);
      expect(ifX).toHaveLength(5 * 10);
      const speed = bySuffix(ifTable, '1.3.6.1.2.1.2.2.1.5');
      const high = bySuffix(ifX, '1.3.6.1.2.1.31.1.1.1.15');
      expect(speed.get('1')).toBe(1_000_000_000);
      expect(speed.get('5')).toBe(4294967295); // 10G: ifSpeed saturates, ifHighSpeed carries it
      expect(high.get('5')).toBe(10000);
      // HC counters are Counter64 and start above 2^53 on dc-core (the poller must use BigInt)
      const hcIn = bySuffix(ifX, '1.3.6.1.2.1.31.1.1.1.6');
      expect(ifX.find((v) => v.oid === '1.3.6.1.2.1.31.1.1.1.6.1')!.type).toBe(snmp.ObjectType.Counter64);
      expect(c64(hcIn.get('1'))).toBeGreaterThan(2n ** 53n);
      // Counter32 is the low 32 bits of the same counter
      const inOctets = bySuffix(ifTable, '1.3.6.1.2.1.2.2.1.10');
      expect(BigInt(inOctets.get('1') as number)).toBe(c64(hcIn.get('1')) % 2n ** 32n);
    } finally {
      s.close();
    }
  });

  it('gives no answer to a wrong SNMPv3 key or a wrong community', async () => {
    const bad = v3Session(net.addr.core, net.port, { ...V3, priv_key: 'not-the-priv-key' }, 600);
    const badAuth = v3Session(net.addr.core, net.port, { ...V3, auth_key: 'not-the-auth-key' }, 600);
    const v2 = v2Session(net.addr.fibre2, net.port, 'wrong-community', 600);
    try {
      await expect(get(bad, ['1.3.6.1.2.1.1.5.0'])).rejects.toThrow(/timed out/i);
      await expect(get(badAuth, ['1.3.6.1.2.1.1.5.0'])).rejects.toThrow(/timed out/i);
      await expect(get(v2, ['1.3.6.1.2.1.1.5.0'])).rejects.toThrow(/timed out/i);
    } finally {
      bad.close();
      badAuth.close();
      v2.close();
    }
  });

  it('serves HOST-RESOURCES and UCD-SNMP on servers', async () => {
    const s = v2Session(net.addr.server, net.port);
    try {
      const storage = await walk(s, '1.3.6.1.2.1.25.2.3');
      const descr = bySuffix(storage, '1.3.6.1.2.1.25.2.3.1.3');
      expect([...descr.values()].map(str)).toContain('Physical memory');
      expect([...descr.values()].map(str)).toContain('/');
      const size = bySuffix(storage, '1.3.6.1.2.1.25.2.3.1.5');
      const used = bySuffix(storage, '1.3.6.1.2.1.25.2.3.1.6');
      for (const [k, v] of size) expect(used.get(k) as number).toBeLessThanOrEqual(v as number);
      const cpu = await walk(s, '1.3.6.1.2.1.25.3.3.1.2');
      expect(cpu.length).toBeGreaterThanOrEqual(2);
      for (const vb of cpu) expect(vb.value as number).toBeGreaterThanOrEqual(0);
      for (const vb of cpu) expect(vb.value as number).toBeLessThanOrEqual(100);
      const la = await walk(s, '1.3.6.1.4.1.2021.10.1');
      const laLoad = bySuffix(la, '1.3.6.1.4.1.2021.10.1.3');
      expect(str(laLoad.get('1'))).toMatch(/^\d+\.\d\d$/);
      const mem = await get(s, ['1.3.6.1.4.1.2021.4.5.0', '1.3.6.1.4.1.2021.4.6.0', '1.3.6.1.4.1.2021.11.50.0']);
      expect(mem[1]!.value as number).toBeLessThan(mem[0]!.value as number);
      expect(mem[2]!.type).toBe(snmp.ObjectType.Counter);
    } finally {
      s.close();
    }
  });
});
