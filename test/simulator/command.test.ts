/**
 * `netmon simulate --backfill DAYS` end to end through the built CLI (bin/netmon.js, `npm run build`
 * first): it fills the config's empty store and says what it wrote, refuses a store that already holds
 * data (the writer would reject the past), and rejects a bad --backfill with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';
import { openStore } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'netmon-simulate-cli-'));
writeFileSync(join(dir, 'netmon.yaml'), `
storage: { path: data/netmon.db }
simulate: { enabled: true, seed: 7 }
credentials:
  sim: { version: 2c, community: public }
sites:
  - { id: dc, name: Trung tâm, group: datacentre }
  - { id: s1, name: Phường Một, group: ward }
targets:
  - { name: sw-1, address: 127.1.1.1, site: s1, role: fibre, snmp: { credential: sim }, ping: {} }
`);
const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'netmon.js'), 'simulate', ...args, '--config', join(dir, 'netmon.yaml')], { encoding: 'utf8', timeout: 60_000 });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('backfills an empty store once, and refuses one with data', () => {
  const r = cli('--backfill', '2d');
  expect(r.stderr + r.stdout).toMatch(/backfilled .*netmon\.db: .* (\d+) poll results, (\d+) samples in [\d.]+ s/);
  expect(r.status).toBe(0);
  // Two days of one-minute ping and SNMP polls of one target (the first minute aligned to the span).
  const results = Number(/(\d+) poll results/.exec(r.stdout)![1]);
  expect(results).toBe(2 * 1440 * 2 - 2 * 40); // less the 40 minutes netmon is modelled down
  const store = openStore(join(dir, 'data', 'netmon.db'), { jobs: false });
  try {
    expect(store.findSeries('netmon_site_state', { site: 's1' })).toHaveLength(1);
  } finally {
    store.close();
  }
  const again = cli('--backfill', '2d');
  expect(again.status).toBe(1);
  expect(again.stderr).toMatch(/already holds data: backfill fills an empty store/);
}, 60_000);

it('says what --backfill expects', () => {
  const r = cli('--backfill', 'forever');
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--backfill expects a number of days from 1 to 400 (e.g. 35d), got "forever"');
});
