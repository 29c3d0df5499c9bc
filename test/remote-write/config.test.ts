/** `remote_write:` and `cluster:` in the main file: defaults, ${ENV} secrets, and the mistakes the loader catches. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { ConfigError } from '../../src/config/errors.js';

const dirs: string[] = [];
function load(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const d = mkdtempSync(join(tmpdir(), 'netmon-rwcfg-'));
  dirs.push(d);
  writeFileSync(join(d, 'netmon.yaml'), `allow_empty: true\n${yaml}`); // no targets: only remote_write is under test
  return loadConfig(join(d, 'netmon.yaml'), env);
}
const problems = (yaml: string) => {
  try {
    load(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.format();
    throw err;
  }
  throw new Error('expected a config error');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('remote_write config', () => {
  it('applies defaults and takes the token from the environment', () => {
    const c = load('remote_write:\n  - name: vm\n    url: http://127.0.0.1:8428/api/v1/write\n    bearer_token: ${VM_TOKEN}\n    queue: { max_bytes: 64MiB }\ncluster: { shard: 1, shards: 3 }\n', { VM_TOKEN: 'tok-from-env' });
    expect(c.remoteWrite).toEqual([
      {
        name: 'vm',
        url: 'http://127.0.0.1:8428/api/v1/write',
        bearer_token: 'tok-from-env',
        tls: { insecure_skip_verify: false },
        timeout: 30_000,
        queue: { max_bytes: 64 * 1024 ** 2, batch_size: 5000, flush_interval: 1000, min_backoff: 500, max_backoff: 30_000 },
        external_labels: {},
      },
    ]);
    expect(c.cluster).toEqual({ shard: 1, shards: 3 });
  });

  it('rejects both auth kinds, duplicate names, bad sizes and a shard out of range, without printing the secret', () => {
    const text = problems(
      'remote_write:\n' +
        '  - { name: a, url: "http://x/w", bearer_token: very-secret-token, basic_auth: { username: u, password: p } }\n' +
        '  - { name: a, url: "http://x/w", queue: { max_bytes: lots } }\n' +
        'cluster: { shard: 3, shards: 3 }\n',
    );
    expect(text).toMatch(/basic_auth or bearer_token/);
    expect(text).toMatch(/duplicate remote_write name "a"/);
    expect(text).toMatch(/expected a size/);
    expect(text).toMatch(/shard < shards/);
    expect(text).not.toContain('very-secret-token');
  });
});
