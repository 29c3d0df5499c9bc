/**
 * Labels and health are attached once, at the fan-out: a target with configured `labels:` and snmp, ping
 * and host probes carries them (and `site`) on EVERY series the daemon exports, and `netmon probe` prints
 * exactly the series the daemon exports for it, health included.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { ROOT } from '../../src/paths.js';
import { claimBlock } from '../kit/refnet.js';
import { requireTool } from '../helpers/requireTool.js';

const haveFping = requireTool({ commands: ['fping'] }, 'ping probe through fping (apt-get install fping)');

let dir: string;
let daemon: Daemon;
let release: () => void;
let file: string;

/** `name{labels}` → labels of every series of the target in an exposition. */
function seriesOf(text: string, target: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} \S+$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (labels.target === target) out.set(`${m[1]}{${m[2]}}`, labels);
  }
  return out;
}

const probeOf = (key: string) => (key.startsWith('netmon_ping_') ? 'ping' : /^netmon_host_(cpu_utilization|memory_(total|available)|filesystem)/.test(key) ? 'host' : 'snmp');

beforeAll(async () => {
  const claim = claimBlock();
  release = claim.release;
  dir = mkdtempSync(join(tmpdir(), 'netmon-labels-'));
  file = join(dir, 'netmon.yaml');
  writeFileSync(
    file,
    `storage: { path: netmon.db }
simulate: { enabled: true, seed: 3 }
credentials:
  sim: { version: "2c", community: public }
sites:
  - { id: lab, name: "Phòng máy thử nghiệm", group: datacentre }
targets:
  - name: lab-srv
    address: 127.${claim.block}.0.11
    site: lab
    role: server
    labels: { building: A, rack: "R 1" }
    snmp: { credential: sim, port: 1161, interval: 2s, timeout: 1s }
    ping: { interval: 2s, count: 2, timeout: 200ms }
    host: { interval: 2s }
`,
  );
  daemon = await startDaemon({ configFile: file, log: pino({ level: 'silent' }), port: 0 });
});

afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
  release?.();
});

async function scrapeUntil(ok: (s: Map<string, Record<string, string>>) => boolean, timeoutMs = 20_000): Promise<Map<string, Record<string, string>>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const series = seriesOf(await (await fetch(`${daemon.url}metrics`)).text(), 'lab-srv');
    if (ok(series)) return series;
    if (Date.now() > end) throw new Error(`timed out; series so far: ${[...series.keys()].join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const healthy = (s: Map<string, Record<string, string>>, probe: string) =>
  [...s.values()].some((l) => l.probe === probe) && [...s.keys()].some((k) => k.startsWith(`netmon_probe_last_success_timestamp_seconds{`) && s.get(k)!.probe === probe);

describe.runIf(haveFping)('labels and health at the fan-out', () => {
  it('every series of a target, of every probe kind, carries its configured labels and site', async () => {
    const series = await scrapeUntil((s) => ['snmp', 'ping', 'host'].every((p) => healthy(s, p)) && [...s.keys()].some((k) => k.startsWith('netmon_ping_rtt_median')));
    const byProbe = { snmp: 0, ping: 0, host: 0 };
    for (const [key, labels] of series) {
      expect(labels, key).toMatchObject({ target: 'lab-srv', site: 'lab', site_group: 'datacentre', building: 'A', rack: 'R 1' });
      if (!key.startsWith('netmon_probe_')) byProbe[probeOf(key)]++;
    }
    // Each kind contributed its own series (not only health).
    expect(byProbe.snmp).toBeGreaterThan(20);
    expect(byProbe.ping).toBeGreaterThanOrEqual(8);
    expect(byProbe.host).toBeGreaterThanOrEqual(3);
    for (const p of ['snmp', 'ping', 'host']) {
      expect(series.has(`netmon_probe_success{building="A",probe="${p}",rack="R 1",site="lab",site_group="datacentre",target="lab-srv"}`), p).toBe(true);
    }
  });

  it('`netmon probe` prints exactly the series the daemon exports for the target, health included', async () => {
    const exported = await scrapeUntil((s) => ['snmp', 'ping', 'host'].every((p) => healthy(s, p)));
    // The daemon's simulated agents answer the CLI too (its own simulator cannot bind the same addresses).
    // Asynchronously: the agents live in this process, and a blocking spawn would keep them from answering.
    const r = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'netmon.js'), 'probe', 'lab-srv', '--config', file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/FAILED/);
    expect(r.stdout).toMatch(/^# probe snmp: ok/m);
    expect(r.stdout).toMatch(/^# probe ping: ok/m);
    expect(r.stdout).toMatch(/^# probe host: ok/m);
    const daemonNow = await scrapeUntil(() => true);
    // What exists depends on a run's outcome only for failure and reason series (a slow poll on a loaded
    // machine); every other series is the same in both, labels included.
    const outcome = /^netmon_(probe_failure_info|\w+_reason_info)\{/;
    const steady = (keys: Iterable<string>) => [...keys].filter((k) => !outcome.test(k)).sort();
    // Mounts come and go while other tests run (tmpfs): the CLI, run between the two scrapes, must print
    // every series both scrapes saw and nothing neither saw.
    const printed = steady(seriesOf(r.stdout, 'lab-srv').keys());
    const inBoth = steady(exported.keys()).filter((k) => daemonNow.has(k));
    const inEither = new Set([...exported.keys(), ...daemonNow.keys()]);
    expect(inBoth.length).toBeGreaterThan(30);
    expect(inBoth.filter((k) => !printed.includes(k))).toEqual([]);
    expect(printed.filter((k) => !inEither.has(k))).toEqual([]);
  });
});
