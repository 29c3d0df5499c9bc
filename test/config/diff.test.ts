import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeConfigChange } from '../../src/config/diff.js';
import { loadConfig } from '../../src/config/loader.js';
import { removeTrees, writeTree } from './helpers.js';

afterAll(removeTrees);

const config = (sites: string, targets: string, extra = '') => {
  const dir = writeTree({
    'netmon.yaml': `credentials:\n  sim: { version: 2c, community: s3cret }\nsites:\n${sites}targets:\n${targets}${extra}`,
  });
  return loadConfig(path.join(dir, 'netmon.yaml'));
};
const site = (id: string, name = id) => `  - { id: ${id}, name: "${name}", group: ward }\n`;
const target = (name: string, address = '127.0.0.1') => `  - { name: ${name}, address: ${address}, site: a, role: switch, snmp: { credential: sim } }\n`;

describe('describeConfigChange', () => {
  it('names sites, targets, rules and uplinks added, removed and changed, counted', () => {
    const before = config(site('a') + site('b') + site('c'), target('t1') + target('t2'), 'uplinks:\n  - { name: intl, target: t1, interface: Gi0/1, capacity: 2Mbps }\n');
    const after = config(
      site('a', 'Phường An Cựu') + site('b', 'Phường Đúc') + site('d'),
      target('t1') + target('t2', '127.0.0.2') + target('t3'),
      'uplinks:\n  - { name: intl, target: t1, interface: Gi0/1, capacity: 4Mbps }\n' +
        'alerting:\n  rules:\n    - { name: Down, kind: site_unreachable }\n',
    );
    expect(describeConfigChange(before, after)).toBe(
      'sites: 1 added (d), 1 removed (c), 2 changed (a, b); targets: 1 added (t3), 1 changed (t2); rules: 1 added (Down); uplinks: 1 changed (intl)',
    );
  });

  it('says so when nothing that has a name changed, and shortens long lists', () => {
    const many = Array.from({ length: 9 }, (_, i) => site(`s${i}`)).join('');
    const a = config(site('a') + many, target('t1'));
    expect(describeConfigChange(a, config(site('a') + many, target('t1')))).toBe('no change to sites, targets, rules, uplinks or credentials');
    expect(describeConfigChange(a, config(site('a'), target('t1')))).toBe('sites: 9 removed (s0, s1, s2, s3, s4, … 4 more)');
  });

  it('names a changed credential without showing it', () => {
    const a = config(site('a'), target('t1'));
    const b = config(site('a'), target('t1'));
    b.credentials.set('sim', { version: '2c', community: 'n3w-s3cret' });
    const text = describeConfigChange(a, b);
    expect(text).toBe('credentials: 1 changed (sim)');
    expect(text).not.toContain('s3cret');
  });
});
