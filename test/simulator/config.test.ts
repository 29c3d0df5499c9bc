/** The shipped configuration: valid, and the reference network's 34 + 56 + 27 sites. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { includeFile, mainFile } from '../../src/config/schema.js';

const dir = path.resolve(import.meta.dirname, '../../config');
const read = (f: string) => parse(readFileSync(path.join(dir, f), 'utf8'));

describe('shipped config', () => {
  it('every file passes the schema on its own', () => {
    expect(mainFile.safeParse(read('netmon.yaml')).success).toBe(true);
    for (const f of ['provincial', 'district', 'wards', 'datacentre']) {
      const r = includeFile.safeParse(read(`targets/${f}.yaml`));
      expect(r.success, f).toBe(true);
    }
  });

  it('loads with the loader and describes the reference network', () => {
    const c = loadConfig(path.join(dir, 'netmon.yaml'), {});
    const count = (g: string) => c.sites.filter((s) => s.group === g).length;
    expect(count('provincial')).toBe(34);
    expect(count('district')).toBe(56);
    expect(count('ward')).toBe(27);
    expect(count('datacentre')).toBe(1);
    expect(c.simulate).toMatchObject({ enabled: true, seed: 42 });
    expect(c.uplinks.map((u) => [u.name, u.capacity, u.interface])).toEqual([
      ['domestic', 100e6, 'Gi0/1'],
      ['international', 2e6, 'Gi0/2'],
    ]);
    // every site has one edge switch with the fibre role; one target per address; loopback only
    for (const s of c.sites.filter((x) => x.group !== 'datacentre')) {
      expect(c.targets.filter((t) => t.site === s.id && t.role === 'fibre'), s.id).toHaveLength(1);
    }
    const addrs = c.targets.map((t) => t.address);
    expect(new Set(addrs).size).toBe(addrs.length);
    for (const a of addrs) expect(a).toMatch(/^127\.1\.[0-3]\.\d+$/);
    for (const t of c.targets) expect(t.snmp?.port).toBe(1161);
    expect(c.targets.find((t) => t.name === 'dc-core')?.snmp?.credential).toBe('sim-v3');
    expect(c.credentials.get('sim')).toEqual({ version: '2c', community: 'public' });
    expect(c.sites.find((s) => s.id === 'phuong-vy-da')?.name).toBe('Phường Vỹ Dạ');
  });

  it('takes the simulated community from the environment', () => {
    const c = loadConfig(path.join(dir, 'netmon.yaml'), { NETMON_SIM_COMMUNITY: 'bi-mat' });
    expect(c.credentials.get('sim')).toEqual({ version: '2c', community: 'bi-mat' });
  });
});
