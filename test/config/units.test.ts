import { describe, expect, it } from 'vitest';
import { expandEnv } from '../../src/config/env.js';
import { formatPath } from '../../src/config/errors.js';
import { expandInclude } from '../../src/config/include.js';
import { mainFile } from '../../src/config/schema.js';
import { knownKeys } from '../../src/config/schema-keys.js';
import { closest, editDistance } from '../../src/config/suggest.js';
import { writeTree } from './helpers.js';

describe('suggest', () => {
  it('counts a transposition as one edit and only suggests plausible typos', () => {
    expect(editDistance('credentail', 'credential')).toBe(1);
    expect(closest('comunity', ['version', 'community'])).toBe('community');
    expect(closest('Name', ['name'])).toBe('name');
    expect(closest('id', ['ip'])).toBeUndefined();
    expect(closest('frobnicate', ['name', 'address'])).toBeUndefined();
  });
});

describe('knownKeys', () => {
  it('walks objects, arrays, records, wrappers and unions', () => {
    expect(knownKeys(mainFile, ['targets', 3, 'snmp'])).toContain('credential');
    expect(knownKeys(mainFile, ['credentials', 'sim'])).toEqual(expect.arrayContaining(['version', 'community', 'username', 'priv_key']));
    expect(knownKeys(mainFile, ['defaults', 'ping'])).toEqual(['interval', 'count', 'timeout']);
    expect(knownKeys(mainFile, ['nope'])).toEqual([]);
  });
});

describe('expandEnv', () => {
  const env = { A: 'x', EMPTY: '' };
  it('substitutes, defaults and escapes', () => {
    expect(expandEnv('${A}-${B:-d}-${EMPTY:-e}-${EMPTY}-$${A}-$5', env)).toEqual({ value: 'x-d-e--${A}-$5' });
  });
  it('names the unset variable and rejects malformed references without echoing them', () => {
    expect(expandEnv('p${NOPE}', env)).toEqual({ error: 'environment variable NOPE is not set (write ${NOPE:-default} to give a default)' });
    expect(expandEnv('${bad name}', env)).toEqual({ error: 'invalid variable reference: expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)' });
  });
});

describe('expandInclude', () => {
  it('matches `*` and `?` per segment, sorted, skipping hidden files and directories', () => {
    const dir = writeTree({ 't/b.yaml': '', 't/a.yaml': '', 't/.a.yaml': '', 't/x.txt': '', 'u/c.yaml': '', 't/d.yaml/keep': '' });
    expect(expandInclude(dir, 't/*.yaml')).toEqual({ files: [`${dir}/t/a.yaml`, `${dir}/t/b.yaml`] });
    expect(expandInclude(dir, '?/*.yaml')).toEqual({ files: [`${dir}/t/a.yaml`, `${dir}/t/b.yaml`, `${dir}/u/c.yaml`] });
    expect(expandInclude(dir, 't/d.yaml')).toEqual({ error: 'include `t/d.yaml`: not a file' });
    expect(expandInclude(dir, '**/*.yaml')).toEqual({ error: 'include `**/*.yaml`: `**` is not supported; use one `*` per directory level' });
  });
});

describe('formatPath', () => {
  it('writes indices in brackets and quotes odd keys', () => {
    expect(formatPath(['targets', 3, 'snmp', 'community'])).toBe('targets[3].snmp.community');
    expect(formatPath(['credentials', 'a b'])).toBe('credentials["a b"]');
  });
});
