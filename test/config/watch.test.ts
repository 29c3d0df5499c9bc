/**
 * `server.watch_config` against the ways a file is seen half-written (issue 24 item 3), on a running daemon:
 * an editor that truncates then writes, a config cut down to nothing, an include cut between two entries.
 * None of them may reach the running config, and none may turn watching off.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { tempDir, waitFor, type TempDir } from '../security/helpers.js';

const DEBOUNCE_MS = 300;
let tmp: TempDir;
let daemon: Daemon;
const logs: { msg: string; trigger?: string; level: number }[] = [];

const RULES = `alerting:\n  rules:\n${['R1', 'R2', 'R3'].map((r) => `    - { name: ${r}, kind: config_reload_failed }\n`).join('')}`;
const MAIN = `server:\n  listen_address: 127.0.0.1\n  watch_config: true\nstorage: { path: data/netmon.db }\n${RULES}include: [targets/*.yaml]\nsites:\n  - { id: w, name: Ward, group: ward }\n`;
const entry = (name: string) => `  - name: ${name}\n    address: 127.0.0.1\n    site: w\n    role: switch\n`;
const wardFile = (n: number) => `targets:\n${Array.from({ length: n }, (_, i) => entry(`w${i + 1}`)).join('')}`;
const mainFile = () => path.join(tmp.dir, 'netmon.yaml');
const ward = () => path.join(tmp.dir, 'targets', 'ward.yaml');
const targetCount = () => daemon.config().targets.length;
const failures = () => logs.filter((l) => l.msg.startsWith('config reload failed'));
const watchReloads = () => logs.filter((l) => l.trigger === 'watch');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  tmp = tempDir('netmon-watch-');
  mkdirSync(path.join(tmp.dir, 'targets'));
  writeFileSync(mainFile(), MAIN);
  writeFileSync(ward(), wardFile(6));
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as (typeof logs)[number]);
      cb();
    },
  });
  daemon = await startDaemon({ configFile: mainFile(), log: pino({ level: 'info' }, sink), port: 0, watchDebounceMs: DEBOUNCE_MS });
  expect(targetCount()).toBe(6);
});
afterAll(async () => {
  await daemon?.stop();
  tmp?.cleanup();
});

describe('watch_config reloads only complete, stable files', () => {
  it('an editor that truncates, then writes a debounce and a half later: only the complete file is loaded', async () => {
    const n0 = watchReloads().length;
    writeFileSync(mainFile(), '');
    await pause(DEBOUNCE_MS * 1.5); // the editor's pause: longer than the debounce, shorter than two
    writeFileSync(mainFile(), `${MAIN}targets:\n${entry('main-1')}`);
    await waitFor('the complete file', () => (targetCount() === 7 ? true : undefined), 10_000);
    expect(failures().map((l) => l.msg)).toEqual([]); // the empty file was never tried
    expect(watchReloads().length - n0).toBe(1);
  });

  it('a config cut down to no targets and no watch_config is rejected, and watching goes on', async () => {
    writeFileSync(mainFile(), 'server:\n  listen_address: 127.0.0.1\nstorage: { path: data/netmon.db }\n');
    await waitFor('the rejected reload', () => (failures().length === 1 ? true : undefined), 10_000);
    expect(failures()[0]).toMatchObject({
      trigger: 'watch',
      msg: `config reload failed, keeping the running config: ${mainFile()}: defines no targets, here or in the files named by \`include:\`: every target would stop being monitored; add targets, or write \`allow_empty: true\` in this file if netmon should run with none`,
    });
    expect(targetCount()).toBe(7);
    // Still watching: the restored file is loaded.
    writeFileSync(mainFile(), MAIN);
    await waitFor('the restored file', () => (targetCount() === 6 ? true : undefined), 10_000);
  });

  it('an include cut between two entries, seen during a long pause of the writer, is not applied; the complete file is', async () => {
    const before = failures().length;
    writeFileSync(ward(), wardFile(2)); // the first two entries of seven, then the writer stalls
    await waitFor('the refused reload', () => (failures().length > before ? true : undefined), 10_000);
    expect(failures().at(-1)!.msg).toBe(
      `config reload failed, keeping the running config: ${ward()}: the change removes 4 of its 6 targets (w3, w4, w5, w6): not applied by watch_config, in case the file is still being written; apply it with SIGHUP (\`systemctl reload netmon\`) or POST /-/reload`,
    );
    expect(targetCount()).toBe(6);
    writeFileSync(ward(), wardFile(7));
    await waitFor('the complete include', () => (targetCount() === 7 ? true : undefined), 10_000);
  });

  it('a main file whose alert rules vanish is not applied either', async () => {
    const before = failures().length;
    writeFileSync(mainFile(), MAIN.replace(RULES, ''));
    await waitFor('the refused reload', () => (failures().length > before ? true : undefined), 10_000);
    expect(failures().at(-1)!.msg).toBe(
      `config reload failed, keeping the running config: ${mainFile()}: the change removes 3 of its 3 alert rules (R1, R2, R3): not applied by watch_config, in case the file is still being written; apply it with SIGHUP (\`systemctl reload netmon\`) or POST /-/reload`,
    );
    expect(daemon.config().alerting?.rules.map((r) => r.name)).toEqual(['R1', 'R2', 'R3']);
    writeFileSync(mainFile(), MAIN);
  });

  it('a small removal is applied by watch, a large one by SIGHUP', async () => {
    writeFileSync(ward(), wardFile(6));
    await waitFor('one target removed', () => (targetCount() === 6 ? true : undefined), 10_000);
    writeFileSync(ward(), wardFile(1));
    expect(daemon.reload('signal')).toMatchObject({ ok: true });
    expect(targetCount()).toBe(1);
  });
});
