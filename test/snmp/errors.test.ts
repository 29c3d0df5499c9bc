/** describeError: net-snmp errors → ProbeError, with the hint that fits the credential's SNMP version. */
import { describe, expect, it } from 'vitest';
import { describeError, type ErrorContext } from '../../probes/snmp/errors.js';
import type { SnmpCredentialConfig } from '../../src/config/schema.js';
import { ProbeError } from '../../src/types.js';

function ctx(credential: SnmpCredentialConfig, retries = 1): ErrorContext {
  return { target: { name: 'sw-1', address: '192.0.2.7' }, options: { port: 1161, retries, credential, credentialName: 'campus' }, timeoutMs: 2000 };
}
const named = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });
const timedOut = () => named('RequestTimedOutError', 'Request timed out');

const V1: SnmpCredentialConfig = { version: '1', community: 'secret-one' };
const V2C: SnmpCredentialConfig = { version: '2c', community: 'secret-two' };
const AUTH_PRIV: SnmpCredentialConfig = { version: '3', username: 'netmon', security_level: 'authPriv', auth_protocol: 'sha256', auth_key: 'K-AUTH-secret', priv_protocol: 'aes256b', priv_key: 'K-PRIV-secret' };
const AUTH_NO_PRIV: SnmpCredentialConfig = { version: '3', username: 'ro', security_level: 'authNoPriv', auth_key: 'K-AUTH-secret' };
const NO_AUTH: SnmpCredentialConfig = { version: '3', username: 'guest', security_level: 'noAuthNoPriv' };

describe('timeouts: what to check depends on the SNMP version', () => {
  const cases: [string, SnmpCredentialConfig, RegExp, RegExp][] = [
    ['v1', V1, /; check the community: SNMPv1 community of credential campus; a wrong community, or an agent that does not accept SNMPv1, looks exactly like a dead agent;/, /v3|key|user/i],
    ['v2c', V2C, /; check the community: SNMPv2c community of credential campus; a wrong community, or an agent that does not accept SNMPv2c, /, /v3|key|user/i],
    ['v3 authPriv', AUTH_PRIV, /; check the SNMPv3 user, keys and protocols: user "netmon", authPriv with sha256\/aes256b \(credential campus\); /, /community/],
    ['v3 authNoPriv (default auth protocol)', AUTH_NO_PRIV, /; check the SNMPv3 user, auth key and auth protocol: user "ro", authNoPriv with sha \(credential campus\); /, /community|priv|aes/],
    ['v3 noAuthNoPriv', NO_AUTH, /; check the SNMPv3 user and security level: user "guest", noAuthNoPriv \(credential campus\); /, /community|sha|aes/],
  ];
  it.each(cases)('%s', (_name, cred, hint, wrong) => {
    const e = describeError(timedOut(), ctx(cred));
    expect(e).toBeInstanceOf(ProbeError);
    expect(e.reason).toBe('timeout');
    expect(e.message).toMatch(/^no answer from 192\.0\.2\.7:1161 within 2000 ms \(2 tries\); /);
    expect(e.message).toMatch(hint);
    expect(e.message).toMatch(/; also check the address, port and the agent's access rules$/);
    expect(e.message).not.toMatch(wrong);
  });

  it('one try is "1 try"; a message saying "timed out" counts as a timeout too', () => {
    expect(describeError(new Error('socket timed out'), ctx(V2C, 0)).message).toMatch(/within 2000 ms \(1 try\); check the community/);
  });

  it('never contains a community or key', () => {
    for (const cred of [V1, V2C, AUTH_PRIV, AUTH_NO_PRIV]) {
      const m = describeError(timedOut(), ctx(cred)).message;
      expect(m).not.toMatch(/secret/);
    }
  });
});

describe('other errors', () => {
  it('a ProbeError passes through unchanged', () => {
    const p = new ProbeError('config', 'unknown SNMP profile x');
    expect(describeError(p, ctx(V2C))).toBe(p);
  });

  it('no DES in OpenSSL 3: a config error that says what to do', () => {
    const e = describeError(new Error('error:0308010C:digital envelope routines::unsupported'), ctx(AUTH_PRIV));
    expect(e.reason).toBe('config');
    expect(e.message).toMatch(/^credential campus: .*no single-DES cipher.*priv_protocol: aes.*--openssl-legacy-provider/);
  });

  it.each(['AbortError', 'TimeoutError'])('the whole-poll deadline (%s) is a timeout naming the target', (name) => {
    expect(describeError(named(name, 'The operation was aborted'), ctx(V2C))).toMatchObject({ reason: 'timeout', message: 'deadline reached polling sw-1' });
  });

  it('a v3 Report (wrong digest, code 5): auth, naming the user, keys and protocols', () => {
    const e = describeError(named('ResponseInvalidError', 'Authentication digest mismatch', { code: 5 }), ctx(AUTH_PRIV));
    expect(e.reason).toBe('auth');
    expect(e.message).toBe('SNMPv3 security error from sw-1 (192.0.2.7:1161): Authentication digest mismatch; check the user, keys and protocols of credential campus');
  });

  it('a v3 "unknown user" report is auth too', () => {
    expect(describeError(named('ResponseInvalidError', 'unknown user name', { code: 11 }), ctx(NO_AUTH)).reason).toBe('auth');
  });

  it.each([
    ['outside our time window (code 14)', 'Message with engineBoots 1 ... is outside the time window', 14],
    ['a usmStatsNotInTimeWindows report', 'Not In Time Window', 5],
    ['a usmStatsUnknownEngineIDs report', 'Unknown Engine ID', 5],
  ])('a v3 engine still stale after re-discovery (%s): protocol, and it does not blame the keys', (_what, msg, code) => {
    const e = describeError(named('ResponseInvalidError', msg, { code }), ctx(AUTH_PRIV));
    expect(e.reason).toBe('protocol');
    expect(e.message).toMatch(/^SNMPv3 engine of sw-1 \(192\.0\.2\.7:1161\) is outside the time window even after re-discovering it: .*not the keys$/);
    expect(e.message).not.toMatch(/check the user, keys/);
  });

  it('an authorization error over v2c talks about the community, not v3', () => {
    const e = describeError(named('RequestFailedError', 'AuthorizationError: 1.3.6.1.2.1.1.3.0', { status: 16 }), ctx(V2C));
    expect(e.reason).toBe('auth');
    expect(e.message).toMatch(/^SNMP authorization error from sw-1: AuthorizationError: 1\.3\.6\.1\.2\.1\.1\.3\.0; the community of credential campus is not allowed/);
    expect(e.message).not.toMatch(/v3/);
  });

  it('an authorization error over v3 names the user, keys and protocols', () => {
    const e = describeError(named('RequestFailedError', 'AuthorizationError: 1.3.6.1.2.1.1.3.0', { status: 16 }), ctx(AUTH_PRIV));
    expect(e).toMatchObject({ reason: 'auth', message: expect.stringMatching(/^SNMPv3 security error from sw-1: .*; check the user, keys and protocols of credential campus$/) });
  });

  it('anything else is a protocol error with the agent\'s message', () => {
    expect(describeError(named('RequestFailedError', 'GenErr: 1.3.6.1.2.1.2.2.1.10.1', { status: 5 }), ctx(V2C))).toMatchObject({ reason: 'protocol', message: 'SNMP error from sw-1: GenErr: 1.3.6.1.2.1.2.2.1.10.1' });
    expect(describeError('a string', ctx(V2C))).toMatchObject({ reason: 'protocol', message: 'SNMP error from sw-1: a string' });
  });
});
