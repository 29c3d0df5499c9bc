/**
 * Errors raised by libraries while reading a config (issue 24 items 8 and 10) go through netmon's one
 * formatter: positioned (file:line:col), in netmon's words, and never quoting the file's text. The YAML
 * library quoted what it could not read: `community: *Secr3t` gave `ReferenceError: Unresolved alias …:
 * Secr3t` with no file or line, and that text reached the reload answer, the API, the log and the alerts.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { libraryMessage } from '../../src/config/errors.js';
import { ROOT } from '../../src/paths.js';
import { problems, removeTrees, writeTree } from './helpers.js';

afterAll(removeTrees);

const SECRET = 'Secr3tQ7';
const SITE = 'sites:\n  - { id: dc, name: DC, group: datacentre }\n';
const TARGET = 'targets:\n  - { name: a, address: 127.0.0.1, site: dc, role: switch, snmp: { credential: sim } }\n';
const withCommunity = (value: string) => `credentials:\n  sim:\n    version: 2c\n    community: ${value}\n${SITE}${TARGET}`;

describe('YAML errors that quote the file', () => {
  it.each([
    [`*${SECRET}`, 'netmon.yaml:4:16: unknown YAML alias (a value starting with * must be quoted)'],
    [`!${SECRET}`, 'netmon.yaml:4:16: YAML: unknown YAML tag (a value starting with ! must be quoted)'],
    [`!!${SECRET}`, 'netmon.yaml:4:16: YAML: unknown YAML tag (a value starting with ! must be quoted)'],
    [`!a!${SECRET}`, 'netmon.yaml:4:16: YAML: unknown YAML tag (a value starting with ! must be quoted)'],
    [`|${SECRET}`, 'netmon.yaml:4:17: YAML: extra characters after | or > (a value starting with | or > must be quoted)'],
    [`"${SECRET}\\q"`, 'netmon.yaml:4:25: YAML: invalid escape sequence in a double-quoted string (write \\\\ for a backslash, or use single quotes)'],
  ])('community: %s → one positioned message without the value', (value, message) => {
    const lines = problems({ 'netmon.yaml': withCommunity(value) });
    expect(lines).toEqual([message]);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('a directive line is named, not quoted', () => {
    expect(problems({ 'netmon.yaml': `%${SECRET} x\n---\n${withCommunity('public')}` })).toEqual([
      'netmon.yaml:1:1: YAML: unknown YAML directive (a line starting with % must be quoted)',
    ]);
  });

  it('an alias to an anchor defined earlier still works, and one used before its anchor is an unknown alias', () => {
    const defined = `x-community: &c public\n${withCommunity('*c')}`.replace('x-community', 'allow_empty: true\nx-community');
    // The anchor is fine; the unknown key that carries it is what is reported.
    expect(problems({ 'netmon.yaml': defined })).toEqual(['netmon.yaml:2:1: unknown key "x-community"']);
    expect(problems({ 'netmon.yaml': `${withCommunity('*later')}x: &later public\n` })[0]).toBe('netmon.yaml:4:16: unknown YAML alias (a value starting with * must be quoted)');
  });

  it('anything else a library throws is named by its kind only', () => {
    expect(libraryMessage(new TypeError(`cannot read ${SECRET}`))).toBe('unexpected TypeError (its text is not shown: it may quote a config value)');
    expect(libraryMessage(new ReferenceError('Excessive alias count indicates a resource exhaustion attack'))).toBe('YAML: aliases expand to too many values (a value starting with * must be quoted)');
  });
});

describe('include directories that cannot be read (issue 24 item 10)', () => {
  const main = `include: [targets/*.yaml]\ncredentials: { sim: { version: 2c, community: public } }\n${SITE}`;

  it('a directory netmon may not list: "cannot read directory … (EACCES)", not "matches no file"', () => {
    const dir = writeTree({ 'netmon.yaml': main, 'targets/a.yaml': TARGET });
    chmodSync(dir, 0o755);
    chmodSync(path.join(dir, 'targets'), 0o000);
    // Root reads any directory: check as an unprivileged user (nobody), which is what a service user is.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const script = `const { checkConfig } = await import(${JSON.stringify(path.join(ROOT, 'src/config/check.ts'))}); process.stdout.write(checkConfig('netmon.yaml').text);`;
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, '--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', timeout: 30_000, ...asUser });
    chmodSync(path.join(dir, 'targets'), 0o755);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('netmon.yaml:1:11: include[0]: include `targets/*.yaml`: cannot read directory targets: permission denied (EACCES)');
  });

  it('a file where the pattern needs a directory', () => {
    expect(problems({ 'netmon.yaml': main, targets: 'not a directory\n' })).toEqual(['netmon.yaml:1:11: include[0]: include `targets/*.yaml`: targets is a file, not a directory']);
  });

  it('a directory that is not there still "matches no file"', () => {
    expect(problems({ 'netmon.yaml': main })).toEqual(['netmon.yaml:1:11: include[0]: include `targets/*.yaml` matches no file']);
  });
});
