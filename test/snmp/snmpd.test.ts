/**
 * Interop with Debian's snmpd (Net-SNMP 5.9): IF-MIB, HOST-RESOURCES-MIB and UCD-SNMP-MIB polled through
 * the probe over v2c, v1 and v3 authPriv (SHA-256/AES-128, SHA-512/AES-256), values compared with snmpget.
 * Needs the `snmpd` and `snmp` packages: skipped with a loud warning when missing, a failure when CI=true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/requireTool.js';
import { createSnmpProbe, type SnmpProbe } from '../../probes/snmp/index.js';
import type { SnmpCredentialConfig } from '../../src/config/schema.js';
import type { Sample } from '../../src/types.js';
import { freePort, pick, signal, snmpTarget } from '../kit/snmp-agent.js';
import { SNMPD_USERS, snmpget, startSnmpd, type Snmpd } from '../kit/snmpd.js';

const ok = requireTool({ commands: ['snmpd', 'snmpget'] }, 'SNMP interop tests against Debian snmpd');
const PROFILES = ['system', 'if-mib', 'host-resources', 'ucd-snmp'];

describe.runIf(ok)('Debian snmpd interop', () => {
  let snmpd: Snmpd;
  let probe: SnmpProbe;
  beforeAll(async () => {
    snmpd = await startSnmpd({ port: await freePort() });
    probe = createSnmpProbe();
  });
  afterAll(async () => {
    await probe?.close?.();
    await snmpd?.stop();
  });

  const poll = (credential: SnmpCredentialConfig, name: string, profiles = PROFILES): Promise<Sample[]> => {
    const { target, spec } = snmpTarget(snmpd.port, profiles, { credential, name, timeoutMs: 2000, retries: 1 });
    return probe.run(target, spec, signal());
  };

  it('v2c: IF-MIB, HOST-RESOURCES and UCD values match snmpget', async () => {
    const s = await poll({ version: '2c', community: 'public' }, 'v2c');
    const lo = pick(s, 'netmon_interface_oper_up', { if_name: 'lo' })!;
    expect(lo).toBeDefined();
    const i = lo.labels.if_index!;
    const g = snmpget(snmpd, [
      `1.3.6.1.2.1.2.2.1.8.${i}`, `1.3.6.1.2.1.31.1.1.1.15.${i}`, `1.3.6.1.2.1.31.1.1.1.6.${i}`, '1.3.6.1.4.1.2021.4.5.0', '1.3.6.1.4.1.2021.4.3.0',
      '1.3.6.1.2.1.25.2.3.1.4.1', '1.3.6.1.2.1.25.2.3.1.5.1', '1.3.6.1.2.1.25.2.3.1.3.1', '1.3.6.1.2.1.2.2.1.2.' + i,
    ]);
    expect(lo.value).toBe(g.get(`1.3.6.1.2.1.2.2.1.8.${i}`) === 1 ? 1 : 0);
    expect(pick(s, 'netmon_interface_speed_bytes_per_second', { if_index: i })!.value).toBe((g.get(`1.3.6.1.2.1.31.1.1.1.15.${i}`) as number) * 125000);
    const rx = pick(s, 'netmon_interface_receive_bytes_total', { if_index: i })!.value;
    const rxGet = g.get(`1.3.6.1.2.1.31.1.1.1.6.${i}`) as number;
    expect(rx).toBeLessThanOrEqual(rxGet);
    expect(rxGet - rx).toBeLessThan(10_000_000); // a few seconds of loopback traffic at most
    expect(pick(s, 'netmon_interface_info', { if_index: i })!.labels.if_descr).toBe(g.get(`1.3.6.1.2.1.2.2.1.2.${i}`));
    expect(pick(s, 'netmon_host_memory_total_bytes')!.value).toBe((g.get('1.3.6.1.4.1.2021.4.5.0') as number) * 1024);
    expect(pick(s, 'netmon_host_swap_total_bytes')!.value).toBe((g.get('1.3.6.1.4.1.2021.4.3.0') as number) * 1024);
    const storage = g.get('1.3.6.1.2.1.25.2.3.1.3.1') as string;
    expect(pick(s, 'netmon_host_storage_size_bytes', { storage_index: '1' })).toMatchObject({
      value: (g.get('1.3.6.1.2.1.25.2.3.1.4.1') as number) * (g.get('1.3.6.1.2.1.25.2.3.1.5.1') as number),
      labels: { storage, storage_type: 'ram' },
    });
    // (hrProcessorLoad: snmpd serves it only after a minute of samples, so not asserted here)
    expect(pick(s, 'netmon_host_load_average', { period: '5m' })).toBeDefined();
    expect(pick(s, 'netmon_host_cpu_seconds_total', { mode: 'idle' })).toBeDefined();
    expect(pick(s, 'netmon_snmp_agent_uptime_seconds')!.value).toBeGreaterThan(0);
    // second poll: labels from the cache, values move on
    const again = await poll({ version: '2c', community: 'public' }, 'v2c');
    expect(probe.lastPoll('v2c')!.labelRefresh).toBe(false);
    expect(pick(again, 'netmon_interface_receive_bytes_total', { if_index: i })!.labels.if_name).toBe('lo');
  });

  it('v1: GETNEXT walk, 32-bit counters (v1 has no Counter64), same interfaces', async () => {
    const s = await poll({ version: '1', community: 'public' }, 'v1', ['system', 'if-mib']);
    const rx = pick(s, 'netmon_interface_receive_bytes_total', { if_name: 'lo' })!;
    expect(rx).toBeDefined();
    const g = snmpget(snmpd, [`1.3.6.1.2.1.2.2.1.10.${rx.labels.if_index}`]);
    expect(Math.abs((g.get(`1.3.6.1.2.1.2.2.1.10.${rx.labels.if_index}`) as number) - rx.value)).toBeLessThan(10_000_000);
  });

  it.each([
    ['SHA-256/AES-128', SNMPD_USERS.sha256],
    ['SHA-512/AES-256', SNMPD_USERS.sha512],
  ])('v3 authPriv %s', async (name, u) => {
    const s = await poll({ version: '3', security_level: 'authPriv', ...u }, `v3-${name}`, ['system', 'if-mib']);
    expect(pick(s, 'netmon_interface_oper_up', { if_name: 'lo' })!.value).toBe(1);
  });

  it('v3 with a wrong key: an error naming the keys', async () => {
    const { target, spec } = snmpTarget(snmpd.port, ['system'], {
      credential: { version: '3', security_level: 'authPriv', ...SNMPD_USERS.sha256, auth_key: 'not-the-key' },
      name: 'v3-wrong',
      timeoutMs: 500,
      retries: 0,
    });
    const err = (await probe.run(target, spec, signal()).catch((e: unknown) => e)) as Error & { reason: string };
    expect(err.name).toBe('ProbeError');
    // snmpd answers a wrong key with a Report (auth error) or drops it (timeout): either names the v3 settings
    expect(['auth', 'timeout']).toContain(err.reason);
    expect(err.message).toMatch(/check the (SNMPv3 )?user, keys and protocols/);
  });
});
