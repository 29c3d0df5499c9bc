/**
 * net-snmp errors → ProbeError with a reason code and a hint an operator can act on. The hint depends on
 * the SNMP version: a v1/v2c agent silently drops a wrong community, a v3 agent (most of them) a wrong
 * user, key or protocol, and both look exactly like a dead agent, so a timeout says which of them to check.
 * Secrets never appear: only the credential's name, user name and protocols.
 */
import type { SnmpProbeOptions } from '../../src/config/model.js';
import type { SnmpCredentialConfig } from '../../src/config/schema.js';
import { ProbeError, type Target } from '../../src/types.js';
import { isStaleEngineError } from './session.js';

export interface ErrorContext {
  target: Pick<Target, 'name' | 'address'>;
  options: Pick<SnmpProbeOptions, 'port' | 'retries' | 'credential' | 'credentialName'>;
  timeoutMs: number;
}

type V3 = Extract<SnmpCredentialConfig, { version: '3' }>;

/** The v3 security settings in words: `user "u", authPriv with sha256/aes`. */
function v3Settings(cred: V3): string {
  return (
    `user "${cred.username}", ${cred.security_level}` +
    (cred.security_level !== 'noAuthNoPriv' ? ` with ${cred.auth_protocol ?? 'sha'}` : '') +
    (cred.security_level === 'authPriv' ? `/${cred.priv_protocol ?? 'aes'}` : '')
  );
}

/** What to check when nothing answers, for this credential's SNMP version. */
export function timeoutHint(cred: SnmpCredentialConfig, credentialName: string): string {
  if (cred.version === '3') {
    const what = cred.security_level === 'noAuthNoPriv' ? 'user and security level' : cred.security_level === 'authNoPriv' ? 'user, auth key and auth protocol' : 'user, keys and protocols';
    return `check the SNMPv3 ${what}: ${v3Settings(cred)} (credential ${credentialName}); an unknown user or a wrong key or protocol looks exactly like a dead agent`;
  }
  return `check the community: SNMPv${cred.version} community of credential ${credentialName}; a wrong community, or an agent that does not accept SNMPv${cred.version}, looks exactly like a dead agent`;
}

export function describeError(err: unknown, ctx: ErrorContext): ProbeError {
  if (err instanceof ProbeError) return err;
  const { target, options: o } = ctx;
  const e = err as Error & { name?: string; code?: number };
  const msg = e?.message ?? String(err);
  const v3 = o.credential.version === '3';
  if (e?.name === 'RequestTimedOutError' || /timed out/i.test(msg)) {
    const tries = o.retries + 1;
    return new ProbeError(
      'timeout',
      `no answer from ${target.address}:${o.port} within ${ctx.timeoutMs} ms (${tries} ${tries === 1 ? 'try' : 'tries'}); ${timeoutHint(o.credential, o.credentialName)}; also check the address, port and the agent's access rules`,
    );
  }
  if (/digital envelope routines::unsupported|unsupported.*cipher|des-cbc/i.test(msg)) {
    return new ProbeError(
      'config',
      `credential ${o.credentialName}: this Node.js (OpenSSL 3) has no single-DES cipher, so SNMPv3 DES privacy cannot work; configure the agent for AES (priv_protocol: aes), or run netmon with NODE_OPTIONS=--openssl-legacy-provider`,
    );
  }
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return new ProbeError('timeout', `deadline reached polling ${target.name}`);
  if (isStaleEngineError(err)) {
    // Still out of the time window after a fresh discovery (poll.ts retried once): the keys are not the problem.
    return new ProbeError(
      'protocol',
      `SNMPv3 engine of ${target.name} (${target.address}:${o.port}) is outside the time window even after re-discovering it: ${msg}; the agent's engine boots/time misbehave (a clock or persistent-state problem on the device), not the keys`,
    );
  }
  if (e?.name === 'ResponseInvalidError' && (e.code === 5 || /digest|unknown user|decrypt|security level|time window|engine/i.test(msg))) {
    return new ProbeError('auth', `SNMPv3 security error from ${target.name} (${target.address}:${o.port}): ${msg}; check the user, keys and protocols of credential ${o.credentialName}`);
  }
  if (/auth|digest|decrypt|usm/i.test(msg)) {
    // v1/v2c have no USM: an authorization error there means the community may not read these objects.
    if (!v3) return new ProbeError('auth', `SNMP authorization error from ${target.name}: ${msg}; the community of credential ${o.credentialName} is not allowed to read these objects (check the agent's access rules)`);
    return new ProbeError('auth', `SNMPv3 security error from ${target.name}: ${msg}; check the user, keys and protocols of credential ${o.credentialName}`);
  }
  return new ProbeError('protocol', `SNMP error from ${target.name}: ${msg}`);
}
