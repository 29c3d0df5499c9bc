import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { loadError, problems, removeTrees, writeTree } from './helpers.js';

afterAll(removeTrees);

const V2C = 'credentials:\n  sim:\n    version: 2c\n    community: public\n';
const SITE = 'sites:\n  - { id: dc, name: DC, group: datacentre }\n';
const target = (name: string, extra = '') => `  - name: ${name}\n    address: 127.0.0.1\n    site: dc\n    role: switch\n${extra}`;

describe('loadConfig: YAML and schema errors', () => {
  it('reports a YAML syntax error at the parser position', () => {
    expect(problems({ 'netmon.yaml': 'server:\n  port: 9300\n listen_address: x\n' })).toEqual([
      'netmon.yaml:3:1: YAML: All mapping items must start at the same column',
    ]);
  });

  it('collects problems of every file, ordered by file then position', () => {
    expect(
      problems({
        'netmon.yaml': `include: [t.yaml]\nserver:\n  port: "9300"\n${SITE}${V2C}`,
        't.yaml': 'targets:\n  - name: a\n    name: b\n',
      }),
    ).toEqual(['netmon.yaml:3:9: server.port: expected a number, got the string "9300"', 't.yaml:3:5: YAML: Map keys must be unique']);
  });

  it('names an unknown key with the nearest known one, at the key itself', () => {
    const lines = problems({
      'netmon.yaml':
        `${SITE}credentials:\n  sim:\n    version: 2c\n    comunity: public\n` +
        `targets:\n${target('a')}${target('b')}${target('c')}${target('d', '    snmp:\n      credentail: sim\n')}` +
        '    frobnicate: 1\n',
    });
    expect(lines).toEqual([
      'netmon.yaml:5:5: credentials.sim: missing required key "community"',
      'netmon.yaml:6:5: credentials.sim: unknown key "comunity", did you mean "community"?',
      'netmon.yaml:25:7: targets[3].snmp: missing required key "credential"',
      'netmon.yaml:25:7: targets[3].snmp: unknown key "credentail", did you mean "credential"?',
      'netmon.yaml:26:5: targets[3]: unknown key "frobnicate"',
    ]);
  });

  it('reports wrong types and enum values, echoing the value except a secret', () => {
    expect(
      problems({
        'netmon.yaml':
          `${SITE}credentials:\n  sim:\n    version: 2c\n    community: 12345\n` +
          'targets:\n  - name: a\n    address: 127.0.0.1\n    site: dc\n    role: swich\n    ping:\n',
      }),
    ).toEqual([
      'netmon.yaml:6:16: credentials.sim.community: expected a string, got an integer; put it in quotes to make it a string',
      'netmon.yaml:11:11: targets[0].role: expected one of: switch, fibre, server, uplink (got "swich"), did you mean "switch"?',
      'netmon.yaml:12:5: targets[0].ping: expected a map, got an empty value',
    ]);
  });

  it('reports a bad duration, a bad bit rate and a missing required key at the parent map', () => {
    expect(
      problems({
        'netmon.yaml':
          'defaults:\n  snmp:\n    interval: 5 minutes\n  ping: { timeout: 2 }\n' +
          'uplinks:\n  - name: intl\n    interface: Gi0/1\n    capacity: 2 Mbit\n',
      }),
    ).toEqual([
      'netmon.yaml:3:15: defaults.snmp.interval: expected a duration such as 500ms, 10s, 1m30s, 5m, 1h or 30d (got "5 minutes")',
      'netmon.yaml:4:20: defaults.ping.timeout: expected a duration such as 500ms, 10s, 1m30s, 5m, 1h or 30d (got 2)',
      'netmon.yaml:6:5: uplinks[0]: missing required key "target"',
      'netmon.yaml:8:15: uplinks[0].capacity: expected a bit rate such as 2Mbps, 100Mbps or 10Gbps (got "2 Mbit")',
    ]);
  });

  it('checks SNMPv3 credentials for the keys their security level needs', () => {
    expect(
      problems({
        'netmon.yaml':
          'credentials:\n  core-v3:\n    version: 3\n    username: mon\n' +
          '  auth-only:\n    version: 3\n    username: mon\n    security_level: authNoPriv\n    auth_protocol: sha\n' +
          '  open:\n    version: 3\n    username: mon\n    security_level: noAuthNoPriv\n  nover:\n    community: x\n',
      }),
    ).toEqual([
      'netmon.yaml:3:5: credentials.core-v3: security_level authPriv requires "auth_protocol"',
      'netmon.yaml:3:5: credentials.core-v3: security_level authPriv requires "auth_key"',
      'netmon.yaml:3:5: credentials.core-v3: security_level authPriv requires "priv_protocol"',
      'netmon.yaml:3:5: credentials.core-v3: security_level authPriv requires "priv_key"',
      'netmon.yaml:6:5: credentials.auth-only: security_level authNoPriv requires "auth_key"',
      'netmon.yaml:15:5: credentials.nover: missing required key "version" (expected one of: 1, 2c, 3)',
    ]);
  });

  it('reports an unreadable main file', () => {
    const dir = writeTree({});
    expect(loadError(dir).problems).toEqual([
      { file: path.join(dir, 'netmon.yaml'), line: 0, column: 0, path: '', message: 'cannot read file: no such file' },
    ]);
  });
});

describe('loadConfig: includes and references', () => {
  it('reports a glob that matches nothing and a named file that is missing, at the include entry', () => {
    expect(
      problems({ 'netmon.yaml': 'include:\n  - targets/*.yml\n  - sites.yaml\n', 'targets/a.yaml': '{}\n' }),
    ).toEqual(['netmon.yaml:2:5: include[0]: include `targets/*.yml` matches no file', 'netmon.yaml:3:5: include[1]: include `sites.yaml`: no such file']);
  });

  it('rejects keys an included file may not have, with errors pointing into that file', () => {
    expect(problems({ 'netmon.yaml': 'include: [more.yaml]\n', 'more.yaml': `${SITE}server: {port: 1}\n` })).toEqual([
      'more.yaml:3:1: unknown key "server"',
    ]);
  });

  it('reports an undefined credential, site and uplink target, with the defined names and a suggestion', () => {
    expect(
      problems({
        'netmon.yaml':
          `include: ['t/*.yaml']\n${SITE}${V2C}` +
          'uplinks:\n  - { name: intl, target: dc-cor, interface: Gi0/1, capacity: 2Mbps }\n' +
          '  - { name: dom, target: web, interface: Gi0/2, capacity: 2Mbps }\n',
        't/a.yaml': `targets:\n${target('dc-core', '    snmp: { credential: core-v3 }\n')}` + '  - { name: web, address: x, site: dcc, role: server }\n',
      }),
    ).toEqual([
      'netmon.yaml:9:27: uplinks[0].target: target `dc-cor` is not defined; defined: dc-core, web; did you mean `dc-core`?',
      'netmon.yaml:10:26: uplinks[1].target: target `web` has no snmp probe; an uplink is measured from its interface counters',
      't/a.yaml:6:25: targets[0].snmp.credential: credential `core-v3` is not defined; defined: sim',
      't/a.yaml:7:36: targets[1].site: site `dcc` is not defined; defined: dc; did you mean `dc`?',
    ]);
  });

  it('reports duplicates across files at the second definition, naming the first', () => {
    expect(
      problems({
        'netmon.yaml': `include: ['*.yaml']\n${SITE}${V2C}targets:\n${target('a')}`,
        'b.yaml': `${SITE}credentials:\n  sim: { version: 1, community: x }\ntargets:\n${target('a')}`,
      }),
    ).toEqual([
      'b.yaml:2:11: sites[0].id: duplicate site id `dc`; first defined at netmon.yaml:3',
      'b.yaml:4:3: credentials.sim: duplicate credential `sim`; first defined at netmon.yaml:5',
      'b.yaml:6:11: targets[0].name: duplicate target name `a`; first defined at netmon.yaml:9',
    ]);
  });
});

describe('loadConfig: environment variables', () => {
  const main = `${SITE}credentials:\n  sim:\n    version: 2c\n    community: \${SNMP_COMMUNITY}\n`;

  it('substitutes ${VAR}, ${VAR:-default} and $${ before validation', () => {
    const dir = writeTree({
      'netmon.yaml': `allow_empty: true\n${main}  other:\n    version: 1\n    community: \${UNSET:-fallback}-$\${x}\n`,
    });
    const c = loadConfig(path.join(dir, 'netmon.yaml'), { SNMP_COMMUNITY: 'from-env' });
    expect(c.credentials.get('sim')).toEqual({ version: '2c', community: 'from-env' });
    expect(c.credentials.get('other')).toEqual({ version: '1', community: 'fallback-${x}' });
  });

  it('reports an unset variable at its scalar', () => {
    expect(problems({ 'netmon.yaml': main })).toEqual([
      'netmon.yaml:6:16: credentials.sim.community: environment variable SNMP_COMMUNITY is not set (write ${SNMP_COMMUNITY:-default} to give a default)',
    ]);
  });
});

describe('loadConfig: secrets', () => {
  it('never puts a credential value, literal or substituted, into an error', () => {
    const SECRET = 'Sup3rS3cret';
    const err = loadError(
      writeTree({
        'netmon.yaml':
          'include: [t.yaml]\ncredentials:\n' +
          `  a:\n    version: 2c\n    community: ${SECRET}\n    comunity: ${SECRET}\n` +
          `  b:\n    version: 3\n    username: u\n    auth_protocol: sha\n    auth_key: \${AUTH}\n    priv_protocol: rot13\n    priv_key: ${SECRET.slice(0, 5)}\n` +
          `  c:\n    version: 1\n    community: [${SECRET}]\n` +
          `  d:\n    version: 2c\n    community: \${NOPE:-${SECRET}}x\${MISSING}\n`,
        't.yaml': `credentials:\n  a:\n    version: 2c\n    community: ${SECRET}\n  e: { version: 2c, community: "${SECRET}\n`,
      }),
      { AUTH: SECRET.slice(0, 6) },
    );
    expect(err.problems.length).toBeGreaterThanOrEqual(6);
    for (const text of [err.format(), err.message, JSON.stringify(err.problems)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET.slice(0, 5));
    }
  });
});

describe('loadConfig: a valid multi-file config', () => {
  it('merges files in order and applies defaults and units', () => {
    const dir = path.resolve('test/fixtures/config/valid');
    const c = loadConfig(path.join(dir, 'netmon.yaml'), { NETMON_TEST_AUTH_KEY: 'auth-pass-phrase' });
    expect(c.file).toBe(path.join(dir, 'netmon.yaml'));
    expect(c.files).toEqual(['netmon.yaml', 'credentials.yaml', 'targets/a-core.yaml', 'targets/b-wan.yaml'].map((f) => path.join(dir, f)));
    expect(c.storage).toEqual({ path: path.resolve(dir, '../data/test.db'), retention: { raw: 7 * 86400e3, rollup_5m: 400 * 86400e3, rollup_1h: 5 * 365 * 86400e3 } });
    expect(c.server).toEqual({ listen_address: '127.0.0.1', port: 9300, language: 'vi', timezone: 'Asia/Ho_Chi_Minh' });
    expect(c.scheduler).toEqual({ max_concurrency: 64 });
    expect(c.defaults).toEqual({
      snmp: { interval: 30_000, timeout: 2000, retries: 1, max_repetitions: 25 },
      ping: { interval: 60_000, count: 20, timeout: 1000 },
      host: { interval: 30_000 },
    });
    expect(c.simulate).toEqual({ enabled: true, seed: 42, speed: 1 });
    expect([...c.credentials]).toEqual([
      ['sim-v2c', { version: '2c', community: 'public' }],
      ['core-v3', { version: '3', username: 'netmon', security_level: 'authPriv', auth_protocol: 'sha256', auth_key: 'auth-pass-phrase', priv_protocol: 'aes', priv_key: 'literal-${not-a-var}' }],
    ]);
    expect(c.sites).toEqual([
      { id: 'dc', name: 'Trung tâm dữ liệu', group: 'datacentre' },
      { id: 'so-tc', name: 'Sở Tài chính', group: 'provincial' },
    ]);
    expect(c.uplinks).toEqual([
      { name: 'international', target: 'dc-core', interface: 'GigabitEthernet0/1', capacity: 2e6, warn_utilization: 0.8 },
      { name: 'domestic', target: 'dc-core', interface: 'GigabitEthernet0/2', capacity: 100e6, warn_utilization: 0.9 },
    ]);
    expect(c.targets).toEqual([
      {
        name: 'dc-core', address: '127.0.10.1', site: 'dc', role: 'uplink', labels: { rack: 'a1' },
        snmp: { credential: 'core-v3', port: 161, profiles: ['optical-cisco'], replace_default_profiles: false },
        ping: {},
      },
      {
        name: 'so-tc-sw', address: '127.0.20.1', site: 'so-tc', role: 'fibre', labels: {},
        snmp: { credential: 'sim-v2c', port: 1161, interval: 300_000, profiles: [], replace_default_profiles: false },
        ping: { count: 5 },
      },
    ]);
  });
});
