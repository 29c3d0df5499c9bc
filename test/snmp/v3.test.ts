/** SNMPv3 (USM) against net-snmp's agent: every security level and the modern/legacy protocols; wrong keys. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnmpProbe, type SnmpProbe } from '../../probes/snmp/index.js';
import type { SnmpCredentialConfig } from '../../src/config/schema.js';
import { pick, scalar, signal, snmpTarget, startModuleAgent, T, type TestAgent } from '../kit/snmp-agent.js';

type V3 = Extract<SnmpCredentialConfig, { version: '3' }>;
const module = { scalars: [scalar('sysUpTime', '1.3.6.1.2.1.1.3', T.TimeTicks, () => 987_654)], tables: [] };

const variants: [string, V3][] = [
  ['noAuthNoPriv', { version: '3', username: 'u0', security_level: 'noAuthNoPriv' }],
  ['authNoPriv SHA-1', { version: '3', username: 'u1', security_level: 'authNoPriv', auth_protocol: 'sha', auth_key: 'authpass-1' }],
  ['authPriv SHA-1/AES-128', { version: '3', username: 'u2', security_level: 'authPriv', auth_protocol: 'sha', auth_key: 'authpass-2', priv_protocol: 'aes', priv_key: 'privpass-2' }],
  ['authPriv SHA-256/AES-128', { version: '3', username: 'u3', security_level: 'authPriv', auth_protocol: 'sha256', auth_key: 'authpass-3', priv_protocol: 'aes', priv_key: 'privpass-3' }],
  ['authPriv SHA-512/AES-256 (Blumenthal)', { version: '3', username: 'u4', security_level: 'authPriv', auth_protocol: 'sha512', auth_key: 'authpass-4', priv_protocol: 'aes256b', priv_key: 'privpass-4' }],
  ['authPriv SHA-512/AES-256 (Reeder)', { version: '3', username: 'u5', security_level: 'authPriv', auth_protocol: 'sha512', auth_key: 'authpass-5', priv_protocol: 'aes256r', priv_key: 'privpass-5' }],
  ['authPriv MD5/AES-128 (legacy auth)', { version: '3', username: 'u6', security_level: 'authPriv', auth_protocol: 'md5', auth_key: 'authpass-6', priv_protocol: 'aes', priv_key: 'privpass-6' }],
];
const DES: V3 = { version: '3', username: 'u7', security_level: 'authPriv', auth_protocol: 'md5', auth_key: 'authpass-7', priv_protocol: 'des', priv_key: 'privpass-7' };

const agents: TestAgent[] = [];
let probe: SnmpProbe;
beforeAll(() => {
  probe = createSnmpProbe();
});
afterAll(async () => {
  await probe.close?.();
  await Promise.all(agents.map((a) => a.close()));
});

describe('SNMPv3', () => {
  it.each(variants)('%s', async (name, cred) => {
    const agent = await startModuleAgent(module, cred);
    agents.push(agent);
    const { target, spec } = snmpTarget(agent.port, ['system'], { credential: cred, name });
    const s = await probe.run(target, spec, signal());
    expect(pick(s, 'netmon_snmp_agent_uptime_seconds')!.value).toBeCloseTo(9876.54, 2);
  });

  it.each([
    ['auth key', { auth_key: 'WRONG-authpass' }],
    ['priv key', { priv_key: 'WRONG-privpass' }],
  ])('a wrong %s fails with a message that names the v3 keys', async (_what, wrong) => {
    const cred = variants[3]![1];
    const agent = await startModuleAgent(module, cred);
    agents.push(agent);
    const { target, spec } = snmpTarget(agent.port, ['system'], { credential: { ...cred, ...wrong } as V3, name: `wrong-${_what}`, timeoutMs: 300 });
    const err = (await probe.run(target, spec, signal()).catch((e: unknown) => e)) as Error & { reason: string };
    expect(err.name).toBe('ProbeError');
    // net-snmp's agent, like most, drops what it cannot authenticate or decrypt: it looks like a dead agent
    expect(err.reason).toBe('timeout');
    expect(err.message).toMatch(/^no answer from 127\.0\.0\.1:\d+ .*; check the SNMPv3 user, keys and protocols: user "u3", authPriv with sha256\/aes \(credential test-cred\)/);
    expect(err.message).not.toMatch(/community/);
  });

  it('DES privacy (legacy): works where OpenSSL still has DES, else a config error that says what to do', async () => {
    const agent = await startModuleAgent(module, DES).catch(() => undefined);
    if (!agent) return; // the agent side cannot do DES either
    agents.push(agent);
    const { target, spec } = snmpTarget(agent.port, ['system'], { credential: DES, name: 'des' });
    const result = await probe.run(target, spec, signal()).then(
      (s) => ({ ok: true as const, s }),
      (e: unknown) => ({ ok: false as const, e: e as Error & { reason: string } }),
    );
    if (result.ok) expect(pick(result.s, 'netmon_snmp_agent_uptime_seconds')).toBeDefined();
    else expect(result.e).toMatchObject({ reason: 'config', message: expect.stringMatching(/no single-DES cipher.*priv_protocol: aes.*--openssl-legacy-provider/) });
  });
});
