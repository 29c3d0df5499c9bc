/** Config mistakes that used to pass silently (issue 18): each is rejected with the exact message an admin reads. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/config/check.js';
import { loadConfig } from '../../src/config/loader.js';
import { buildTargets } from '../../src/config/model.js';
import { problems, removeTrees, writeTree } from './helpers.js';

afterAll(removeTrees);

const V2C = 'credentials:\n  sim:\n    version: 2c\n    community: public\n';
const SITE = 'sites:\n  - { id: dc, name: DC, group: datacentre }\n';
const target = (extra = '', address = '127.0.0.1') => `targets:\n  - name: a\n    address: ${address}\n    site: dc\n    role: switch\n${extra}`;
const valid = (extra = '', top = '') => `${top}${SITE}${V2C}${target(extra)}`;

describe('files that are not UTF-8', () => {
  it('names the first bad byte with its line and column (characters) and says to re-save as UTF-8', () => {
    // "Phường An Cựu" as Windows-1258 writes it: ư is 0xFD, ự is 0xF2 + a combining dot.
    const cp1258 = Buffer.concat([Buffer.from('sites:\n  - { id: an-cuu, name: "Thừa Ph', 'utf8'), Buffer.from([0xfd, 0xf2]), Buffer.from('ng", group: ward }\n')]);
    expect(problems({ 'netmon.yaml': `include: [wards.yaml]\n${valid()}`, 'wards.yaml': cp1258 })).toEqual([
      'wards.yaml:2:33: not UTF-8: byte 0xFD is not valid UTF-8; re-save the file as UTF-8 (it looks like Windows-1258 or Latin-1, as some Windows editors save Vietnamese text)',
    ]);
  });

  it('accepts UTF-8 with or without a byte order mark', () => {
    const dir = writeTree({ 'netmon.yaml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid().replace('name: DC', 'name: "Phường An Cựu"'))]) });
    expect(loadConfig(path.join(dir, 'netmon.yaml')).sites[0]!.name).toBe('Phường An Cựu');
  });
});

describe('files that define nothing', () => {
  it('rejects an empty include: what it defined would silently stop being monitored', () => {
    expect(problems({ 'netmon.yaml': `include: [wards.yaml]\n${valid()}`, 'wards.yaml': '# emptied by mistake\n' })).toEqual([
      'wards.yaml: included file defines no sites, targets or credentials: what it defined before would silently stop being monitored; restore it, or write `allow_empty: true` in it if it is meant to be empty',
    ]);
    expect(problems({ 'netmon.yaml': `include: [wards.yaml]\n${valid()}`, 'wards.yaml': 'sites: []\ntargets: []\n' })[0]).toMatch(/^wards\.yaml: included file defines no sites/);
  });

  it('only warns about an include that is empty on purpose (allow_empty: true), in check-config too', () => {
    const dir = writeTree({ 'netmon.yaml': `include: [spare.yaml]\n${valid()}`, 'spare.yaml': 'allow_empty: true\n' });
    const c = loadConfig(path.join(dir, 'netmon.yaml'));
    expect(c.warnings).toEqual([{ file: path.join(dir, 'spare.yaml'), line: 0, column: 0, path: '', message: 'defines no sites, targets or credentials (allowed by `allow_empty: true`)' }]);
    expect(checkConfig(path.join(dir, 'netmon.yaml')).text).toBe(
      `warning: ${path.join(dir, 'spare.yaml')}: defines no sites, targets or credentials (allowed by \`allow_empty: true\`)\n` +
        'config OK: 1 main file + 1 included, 1 target, 1 site, 0 uplinks, 1 credential',
    );
  });

  it('rejects a config that defines no target anywhere (issue 24): every job would stop, and the reload would "succeed"', () => {
    const none = 'netmon.yaml: defines no targets, here or in the files named by `include:`: every target would stop being monitored; add targets, or write `allow_empty: true` in this file if netmon should run with none';
    expect(problems({ 'netmon.yaml': '# cut short by an editor\nserver:\n  watch_config: true\n' })).toEqual([none]);
    expect(problems({ 'netmon.yaml': `include: [wards.yaml]\n${SITE}`, 'wards.yaml': `${SITE.replace('dc', 'w1')}targets: []\n` })).toEqual([none]);
  });

  it('runs with no targets when the main file says allow_empty: true, with a warning', () => {
    const dir = writeTree({ 'netmon.yaml': 'allow_empty: true\ntraps: {}\n' });
    expect(loadConfig(path.join(dir, 'netmon.yaml')).warnings).toEqual([{ file: path.join(dir, 'netmon.yaml'), line: 0, column: 0, path: '', message: 'no targets: nothing is polled (allowed by `allow_empty: true`)' }]);
    expect(checkConfig(path.join(dir, 'netmon.yaml')).text).toBe(
      `warning: ${path.join(dir, 'netmon.yaml')}: no targets: nothing is polled (allowed by \`allow_empty: true\`)\nconfig OK: 1 main file + 0 included, 0 targets, 0 sites, 0 uplinks, 0 credentials`,
    );
  });

  it('rejects an empty main file', () => {
    expect(problems({ 'netmon.yaml': '\n# nothing yet\n' })).toEqual(['netmon.yaml: the file is empty: a netmon config needs at least `targets:` (here or in files named by `include:`)']);
  });
});

describe('time zones', () => {
  it('rejects an unknown IANA name with the zone meant', () => {
    expect(problems({ 'netmon.yaml': valid('', 'server:\n  timezone: Asia/Hanoi\n') })).toEqual([
      'netmon.yaml:2:13: server.timezone: unknown time zone, did you mean "Asia/Ho_Chi_Minh"? (expected an IANA name such as Asia/Ho_Chi_Minh, Europe/Paris or UTC) (got "Asia/Hanoi")',
    ]);
    expect(problems({ 'netmon.yaml': valid('', 'server:\n  timezone: Europe/Pari\n') })[0]).toContain('did you mean "Europe/Paris"?');
  });

  it('rejects a UTC offset, naming the zone and its POSIX spelling', () => {
    expect(problems({ 'netmon.yaml': valid('', 'server:\n  timezone: GMT+7\n') })).toEqual([
      'netmon.yaml:2:13: server.timezone: a UTC offset is not a time zone; write an IANA name: Asia/Ho_Chi_Minh (Vietnam, UTC+7) or Etc/GMT-7 (POSIX sign, inverted) (got "GMT+7")',
    ]);
  });

  it('accepts IANA names', () => {
    for (const tz of ['Asia/Ho_Chi_Minh', 'UTC', 'Europe/Paris', 'Etc/GMT-7']) {
      const dir = writeTree({ 'netmon.yaml': valid('', `server:\n  timezone: ${tz}\n`) });
      expect(loadConfig(path.join(dir, 'netmon.yaml')).server.timezone).toBe(tz);
    }
  });
});

describe('probe intervals and timeouts, for every probe kind', () => {
  it('rejects intervals under 1 s', () => {
    expect(
      problems({ 'netmon.yaml': valid('    snmp: { credential: sim, interval: 500ms }\n    ping: { interval: 0s }\n    host: { interval: 0s }\n') }),
    ).toEqual([
      'netmon.yaml:12:40: targets[0].snmp.interval: must be at least 1s (got "500ms")',
      'netmon.yaml:13:23: targets[0].ping.interval: must be at least 1s (got "0s")',
      'netmon.yaml:14:23: targets[0].host.interval: must be at least 1s (got "0s")',
    ]);
    expect(problems({ 'netmon.yaml': valid('', 'defaults:\n  ping: { interval: 0s }\n') })).toEqual(['netmon.yaml:2:21: defaults.ping.interval: must be at least 1s (got "0s")']);
  });

  it('rejects a timeout not shorter than the interval, with the defaults applied', () => {
    expect(
      problems({
        'netmon.yaml': valid('    snmp: { credential: sim, interval: 5s, timeout: 30s }\n    ping: { interval: 2s }\n', 'defaults:\n  ping: { timeout: 5s }\n'),
      }),
    ).toEqual([
      'netmon.yaml:14:53: targets[0].snmp.timeout: timeout 30s must be shorter than the interval 5s',
      'netmon.yaml:15:23: targets[0].ping.interval: timeout 5s (from defaults.ping.timeout) must be shorter than the interval 2s',
    ]);
    expect(problems({ 'netmon.yaml': valid('', 'defaults:\n  snmp: { interval: 10s, timeout: 10s }\n') })).toEqual([
      'netmon.yaml:2:35: defaults.snmp.timeout: timeout 10s must be shorter than the interval 10s',
    ]);
  });

  it('accepts Prometheus-style compound durations', () => {
    const dir = writeTree({ 'netmon.yaml': valid('    ping: { interval: 1m30s, timeout: 1s500ms }\n', 'storage:\n  retention: { raw: 1w3d }\n') });
    const c = loadConfig(path.join(dir, 'netmon.yaml'));
    expect(buildTargets(c)[0]!.probes).toEqual([{ kind: 'ping', intervalMs: 90_000, timeoutMs: 1500, options: { count: 20 } }]);
    expect(c.storage.retention.raw).toBe(10 * 86400e3);
    expect(problems({ 'netmon.yaml': valid('    ping: { interval: 30s1m }\n') })).toEqual([
      'netmon.yaml:12:23: targets[0].ping.interval: expected a duration such as 500ms, 10s, 1m30s, 5m, 1h or 30d (got "30s1m")',
    ]);
  });
});

describe('addresses', () => {
  it('checks what looks like an IP literal as one instead of taking it for a DNS name', () => {
    const bad = (address: string) => problems({ 'netmon.yaml': `${SITE}${V2C}${target('', address)}` });
    expect(bad('127.1.3.300')).toEqual(['netmon.yaml:9:14: targets[0].address: not a valid IPv4 address: expected four numbers from 0 to 255, such as 192.0.2.10 (got "127.1.3.300")']);
    expect(bad('10.0.1')[0]).toContain('not a valid IPv4 address');
    expect(bad('"fe80::1::2"')).toEqual(['netmon.yaml:9:14: targets[0].address: not a valid IPv6 address (got "fe80::1::2")']);
    expect(bad('"[::1]"')).toEqual(['netmon.yaml:9:14: targets[0].address: write an IPv6 address without brackets (got "[::1]")']);
    expect(bad('sw core.example')).toEqual(['netmon.yaml:9:14: targets[0].address: not an IP address or a DNS name (got "sw core.example")']);
  });

  it('accepts IPv4, IPv6 and DNS names', () => {
    for (const address of ['192.0.2.10', '"::1"', '"2001:db8::10"', 'sw-core.hue.gov.vn', 'localhost']) {
      const dir = writeTree({ 'netmon.yaml': `${SITE}${V2C}${target('', address)}` });
      expect(() => loadConfig(path.join(dir, 'netmon.yaml'))).not.toThrow();
    }
  });
});

describe('a tab in YAML', () => {
  it('gives one message at the first tab, whatever the context, instead of a cascade', () => {
    const wards = Array.from({ length: 40 }, (_, i) => `\t- { id: w${i}, name: "Phường ${i}",\n\t    group: ward }\n`).join('');
    expect(problems({ 'netmon.yaml': `include: [wards.yaml]\n${valid()}`, 'wards.yaml': `sites:\n${wards}` })).toEqual([
      'wards.yaml:2:1: YAML: a tab character; YAML allows only spaces for indentation and structure: replace tabs with spaces (80 tabs in this file; this is the first)',
    ]);
    const flow = Array.from({ length: 27 }, (_, i) => `  - { id: w${i},\n\tname: "Phường ${i}", group: ward }\n`).join('');
    expect(problems({ 'netmon.yaml': `include: [wards.yaml]\n${valid()}`, 'wards.yaml': `sites:\n${flow}` })).toEqual([
      'wards.yaml:3:1: YAML: a tab character; YAML allows only spaces for indentation and structure: replace tabs with spaces (27 tabs in this file; this is the first)',
    ]);
    expect(problems({ 'netmon.yaml': `${SITE}${V2C}targets:\n  - name: a\n\t  address: x\n` })).toEqual([
      'netmon.yaml:9:1: YAML: a tab character; YAML allows only spaces for indentation and structure: replace tabs with spaces',
    ]);
  });

  it('keeps reporting other YAML errors, at most ten per file', () => {
    const broken = Array.from({ length: 30 }, (_, i) => `k${i}: [\n`).join('');
    const lines = problems({ 'netmon.yaml': broken });
    expect(lines).toHaveLength(11);
    expect(lines[10]).toMatch(/^netmon\.yaml:\d+:\d+: YAML: \d+ more errors from line \d+ on, probably caused by the ones above$/);
  });

  it('leaves a tab inside a quoted string alone', () => {
    const dir = writeTree({ 'netmon.yaml': valid().replace('name: DC', 'name: "D\tC"') });
    expect(loadConfig(path.join(dir, 'netmon.yaml')).sites[0]!.name).toBe('D\tC');
  });
});

describe('secrets are never echoed', () => {
  it('echoes a bad value except under community, keys, passwords, headers and URLs', () => {
    const lines = problems({
      'netmon.yaml':
        `${SITE}credentials:\n  v3:\n    version: 3\n    username: mon\n    auth_protocol: sha\n    auth_key: short12\n    priv_protocol: aes\n    priv_key: 1234567\n` +
        `  c:\n    version: 2c\n    community: 12345\n${target()}` +
        'alerting:\n  receivers:\n    - { name: r, type: webhook, url: "ftp://u:p4ss@x", headers: { Authorization: 42 } }\n',
    });
    expect(lines).toEqual([
      'netmon.yaml:8:15: credentials.v3.auth_key: must be at least 8 characters (RFC 3414)',
      'netmon.yaml:10:15: credentials.v3.priv_key: expected a string, got an integer; put it in quotes to make it a string',
      'netmon.yaml:13:16: credentials.c.community: expected a string, got an integer; put it in quotes to make it a string',
      'netmon.yaml:21:38: alerting.receivers[0].url: expected an http:// or https:// URL',
      'netmon.yaml:21:82: alerting.receivers[0].headers.Authorization: expected a string, got an integer; put it in quotes to make it a string',
    ]);
  });
});

describe('check-config on an included file', () => {
  it('says which main file includes it and checks that one', () => {
    const dir = writeTree({ 'config/netmon.yaml': `include: [targets/*.yaml]\n${SITE}${V2C}`, 'config/targets/wards.yaml': target('    snmp: { credential: sim }\n') });
    const r = checkConfig(path.join(dir, 'config/targets/wards.yaml'));
    expect(r).toEqual({
      ok: true,
      text:
        `${path.join(dir, 'config/targets/wards.yaml')} is included by ${path.join(dir, 'config/netmon.yaml')}: checking ${path.join(dir, 'config/netmon.yaml')}, the file to give netmon\n` +
        'config OK: 1 main file + 1 included, 1 target, 1 site, 0 uplinks, 1 credential',
    });
  });
});
