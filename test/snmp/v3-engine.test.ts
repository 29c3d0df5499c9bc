/**
 * Issue 16 item 4: an SNMPv3 agent that comes back with a new engine ID, or with a boot counter that went
 * back (a replaced, factory-reset or re-imaged device; an agent started without its persistent state),
 * against a real Debian snmpd. The first agent has booted 41 times before (persistent `engineBoots`), so
 * the replacement's engine boots 1 lies outside net-snmp's time window at once, as it would after 150 s
 * of uptime. Counted: polls the target misses after the restart (must be zero: the engine is re-discovered
 * and the poll retried within the same run), and the one log line that says what happened.
 * Needs the `snmpd` and `snmp` packages: skipped with a loud warning when missing, a failure when CI=true.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import snmp from 'net-snmp';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/requireTool.js';
import { createSnmpProbe, type SnmpProbe } from '../../probes/snmp/index.js';
import { openSession } from '../../probes/snmp/session.js';
import type { SnmpCredentialConfig } from '../../src/config/schema.js';
import { freePort, pick, signal, snmpTarget } from '../kit/snmp-agent.js';
import { SNMPD_USERS, snmpget, startSnmpd, type Snmpd } from '../kit/snmpd.js';
import { startDaemon } from '../../src/daemon.js';
import { request, waitFor } from '../security/helpers.js';

const ok = requireTool({ commands: ['snmpd', 'snmpget'] }, 'SNMPv3 engine re-discovery against Debian snmpd');

const ENGINE_BOOTS = '1.3.6.1.6.3.10.2.1.2.0';
const hex = (s: string) => Buffer.concat([Buffer.from([0x80, 0x00, 0x1f, 0x88, 0x04]), Buffer.from(s)]).toString('hex');
/** snmpd.conf lines for a text engine ID, and persistent state saying the engine booted `boots` times. */
const engine = (id: string, boots?: number) => ({
  extraConfig: `engineID ${id}`,
  persistent: boots === undefined ? '' : `engineBoots ${boots}\noldEngineID 0x${hex(id)}\n`,
});

// SHA/AES authPriv (the brief's v3 user): snmpd's extra user, next to the kit's SHA-256 and SHA-512 ones.
const USER = { username: 'usha', auth_protocol: 'sha', auth_key: 'authpass-sha', priv_protocol: 'aes', priv_key: 'privpass-aes' } as const;
const V3: SnmpCredentialConfig = { version: '3', security_level: 'authPriv', ...USER };
const userConfig = `createUser ${USER.username} SHA "${USER.auth_key}" AES "${USER.priv_key}"\nrouser ${USER.username} priv`;

describe.runIf(ok)('SNMPv3 engine re-discovery (Debian snmpd)', () => {
  let agent: Snmpd | undefined;
  let probe: SnmpProbe | undefined;
  const logs: string[] = [];
  afterEach(async () => {
    await probe?.close?.();
    await agent?.stop();
    probe = agent = undefined;
    logs.length = 0;
  });

  const start = async (port: number, e: { extraConfig: string; persistent: string }) =>
    (agent = await startSnmpd({ port, extraConfig: `${userConfig}\n${e.extraConfig}`, persistent: e.persistent }));
  const poll = (port: number, name = 'v3dev') => {
    const { target, spec } = snmpTarget(port, ['system', 'if-mib'], { credential: V3, name, timeoutMs: 1500, retries: 1 });
    return probe!.run(target, spec, signal());
  };
  /** A plain net-snmp session (what netmon did before): synchronised with the first agent, then asked again. */
  const plainGet = (s: snmp.Session) =>
    new Promise<string>((resolve) => s.get(['1.3.6.1.2.1.1.3.0'], (err) => resolve(err ? err.message : 'ok')));

  it.each([
    ['a new engine ID (device replaced, re-imaged, or new persistent state)', engine('netmon-old', 41), engine('netmon-new'), /engine ID changed from 80001f8804(\w+) to 80001f8804(\w+) \(device replaced or reset\?\); re-discovered/],
    ['the same engine ID with its boot counter reset (started without its persistent state)', engine('netmon-same', 41), engine('netmon-same'), /engine boots went back from 42 to 1 \(agent restarted without its persistent state\?\); re-discovered/],
  ])('%s: zero missed polls, one log line', async (_what, before, after, line) => {
    const port = await freePort();
    await start(port, before);
    expect(snmpget(agent!, [ENGINE_BOOTS]).get(ENGINE_BOOTS)).toBe(42);
    probe = createSnmpProbe({ log: (level, msg) => logs.push(`${level} ${msg}`) });
    const plain = openSession(V3, { address: '127.0.0.1', port, timeoutMs: 1500, retries: 0 });
    try {
      expect(await plainGet(plain)).toBe('ok');
      for (let i = 0; i < 2; i++) expect(pick(await poll(port), 'netmon_interface_oper_up', { if_name: 'lo' })?.value).toBe(1);
      expect(logs).toEqual([]);

      await agent!.stop();
      await start(port, after);
      expect(snmpget(agent!, [ENGINE_BOOTS]).get(ENGINE_BOOTS)).toBe(1);
      // The lockout this fixes: a session that knew the old engine never gets in again (two tries).
      expect(await plainGet(plain)).toMatch(/time window|Unknown Engine ID/i);
      expect(await plainGet(plain)).toMatch(/time window|Unknown Engine ID/i);

      let missed = 0;
      for (let i = 0; i < 3; i++) {
        const s = await poll(port).catch(() => undefined);
        if (!s) missed++;
        else expect(pick(s, 'netmon_interface_oper_up', { if_name: 'lo' })?.value).toBe(1);
      }
      expect(missed).toBe(0);
      // One line about the engine; the agent's restart also reset its counters: that is a counted gap.
      const engineLines = logs.filter((l) => !/counter intervals given no sample \(discontinuity\)/.test(l));
      expect(engineLines).toHaveLength(1);
      expect(logs.length).toBeLessThanOrEqual(2);
      expect(engineLines[0]).toMatch(new RegExp(`^warn agent v3dev \\(127\\.0\\.0\\.1:${port}\\): SNMPv3 `));
      expect(engineLines[0]).toMatch(line);
      const ids = line.exec(engineLines[0]!);
      if (ids?.[2]) expect([ids[1], ids[2]]).toEqual([Buffer.from('netmon-old').toString('hex'), Buffer.from('netmon-new').toString('hex')]);
    } finally {
      plain.close();
    }
  });

  it('a wrong key is not an engine problem: no re-discovery, the error names the keys', async () => {
    const port = await freePort();
    await start(port, engine('netmon-keys'));
    probe = createSnmpProbe({ log: (level, msg) => logs.push(`${level} ${msg}`) });
    const { target, spec } = snmpTarget(port, ['system'], { credential: { ...V3, auth_key: 'not-the-key' } as SnmpCredentialConfig, name: 'wrongkey', timeoutMs: 500, retries: 0 });
    const err = (await probe.run(target, spec, signal()).catch((e: unknown) => e)) as Error & { reason: string };
    expect(['auth', 'timeout']).toContain(err.reason);
    expect(err.message).toMatch(/check the (SNMPv3 )?user, keys and protocols/);
    expect(logs).toEqual([]);
  });

  it('the kit users still work next to the engine settings (SHA-256/AES)', async () => {
    const port = await freePort();
    await start(port, engine('netmon-kit', 3));
    probe = createSnmpProbe();
    const { target, spec } = snmpTarget(port, ['system'], { credential: { version: '3', security_level: 'authPriv', ...SNMPD_USERS.sha256 }, name: 'kit', timeoutMs: 1500 });
    expect(pick(await probe.run(target, spec, signal()), 'netmon_snmp_agent_uptime_seconds')).toBeDefined();
  });
});

/** The daemon's path: the scheduler's kept job after `POST /-/reload` must not poll with a stale session either. */
describe.runIf(ok)('SNMPv3 engine re-discovery in the daemon, across POST /-/reload', () => {
  it('an agent back with a new engine ID: no auth/protocol failure, polls go on, one log line', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'netmon-v3reload-'));
    const config = join(dir, 'netmon.yaml');
    writeFileSync(
      config,
      [
        'server:\n  listen_address: 127.0.0.1\n  language: en',
        'storage: { path: data/netmon.db }',
        'simulate: { enabled: false }',
        'sites:\n  - { id: dc, name: DC, group: datacentre }',
        `credentials:\n  v3:\n    version: 3\n    username: ${USER.username}\n    security_level: authPriv\n    auth_protocol: sha\n    auth_key: ${USER.auth_key}\n    priv_protocol: aes\n    priv_key: ${USER.priv_key}`,
        `targets:\n  - name: sw\n    address: 127.0.0.1\n    site: dc\n    role: switch\n    snmp: { credential: v3, port: ${port}, interval: 1s, timeout: 800ms, retries: 0 }`,
        '',
      ].join('\n'),
    );
    const lines: { msg?: string; target?: string; probe?: string; reason?: string }[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as (typeof lines)[number]);
        cb();
      },
    });
    let agent = await startSnmpd({ port, extraConfig: `${userConfig}\n${engine('netmon-old', 41).extraConfig}`, persistent: engine('netmon-old', 41).persistent });
    const daemon = await startDaemon({ configFile: config, log: pino({ level: 'info' }, sink), port: 0 });
    const metric = async (name: string) => {
      const m = new RegExp(`^${name}\\{(?=[^}]*target="sw")(?=[^}]*probe="snmp")[^}]*\\} (\\S+)$`, 'm').exec((await request(daemon.url, '/metrics')).body);
      return m ? Number(m[1]) : undefined;
    };
    const successAt = async (after: number) => {
      const t = await metric('netmon_probe_last_success_timestamp_seconds');
      return (await metric('netmon_probe_success')) === 1 && t !== undefined && t > after ? t : undefined;
    };
    try {
      const first = await waitFor('a first successful v3 poll', () => successAt(0), 20_000);
      await agent.stop();
      const e = engine('netmon-new');
      agent = await startSnmpd({ port, extraConfig: `${userConfig}\n${e.extraConfig}`, persistent: e.persistent });
      const up = Date.now() / 1000;
      const from = lines.length;
      const reload = await request(daemon.url, '/-/reload', { method: 'POST' });
      expect(reload.status).toBe(200);
      expect(reload.body).toMatch(/no change to sites, targets/);
      // Two successful polls after the new agent is up (and after the reload).
      const t1 = await waitFor('a poll of the new agent', () => successAt(Math.max(first, up)), 20_000);
      await waitFor('another poll of the new agent', () => successAt(t1), 20_000);
      const after = lines.slice(from);
      const lockout = after.filter((l) => l.msg === 'probe failed' && l.target === 'sw' && (l.reason === 'auth' || l.reason === 'protocol'));
      expect(lockout).toEqual([]);
      const said = lines.filter((l) => /engine ID changed from/.test(l.msg ?? ''));
      expect(said).toHaveLength(1);
      expect(said[0]!.msg).toMatch(/^agent sw \(127\.0\.0\.1:\d+\): SNMPv3 engine ID changed from [0-9a-f]+ to [0-9a-f]+ \(device replaced or reset\?\); re-discovered$/);
    } finally {
      await daemon.stop();
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
