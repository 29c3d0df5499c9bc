import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/config/check.js';
import { configJsonSchemas } from '../../src/config/json-schema.js';
import { removeTrees, writeTree } from './helpers.js';

afterAll(removeTrees);

describe('checkConfig', () => {
  it('summarises a valid config without printing secrets', () => {
    const r = checkConfig('test/fixtures/config/valid/netmon.yaml', { NETMON_TEST_AUTH_KEY: 'auth-pass-phrase' });
    expect(r).toEqual({ ok: true, text: 'config OK: 1 main file + 3 included, 2 targets, 2 sites, 2 uplinks, 2 credentials' });
  });

  it('prints the formatted problems on failure', () => {
    const r = checkConfig('test/fixtures/config/valid/netmon.yaml', {});
    expect(r).toEqual({
      ok: false,
      text: `${path.normalize('test/fixtures/config/valid/credentials.yaml')}:9:15: credentials.core-v3.auth_key: environment variable NETMON_TEST_AUTH_KEY is not set (write \${NETMON_TEST_AUTH_KEY:-default} to give a default)`,
    });
  });

  it('rejects an empty main file', () => {
    const dir = writeTree({ 'netmon.yaml': '# nothing yet\n' });
    expect(checkConfig(path.join(dir, 'netmon.yaml'))).toEqual({
      ok: false,
      text: `${path.join(dir, 'netmon.yaml')}: the file is empty: a netmon config needs at least \`targets:\` (here or in files named by \`include:\`)`,
    });
  });
});

describe('generated JSON Schemas', () => {
  it('are up to date (run `npm run gen:schema`)', () => {
    for (const [name, text] of Object.entries(configJsonSchemas())) {
      expect(readFileSync(path.join('config', name), 'utf8'), name).toBe(text);
    }
  });

  it('describe strict input forms', () => {
    const main = JSON.parse(configJsonSchemas()['netmon.schema.json']!);
    expect(main.additionalProperties).toBe(false);
    expect(main.properties.targets.items.additionalProperties).toBe(false);
    expect(main.properties.defaults.properties.snmp.properties.interval).toMatchObject({ type: 'string', default: '60s' });
    expect(main.properties.uplinks.items.properties.capacity.description).toMatch(/capacity/);
  });
});
