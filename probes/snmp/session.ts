/** Opens net-snmp sessions from netmon credentials; the only place that turns a credential into wire settings. */
import snmp from 'net-snmp';
import { isIPv6 } from 'node:net';
import type { SnmpCredentialConfig } from '../../src/config/schema.js';

export interface SessionOptions {
  address: string;
  port: number;
  timeoutMs: number;
  retries: number;
}

const AUTH: Record<string, number> = {
  md5: snmp.AuthProtocols.md5,
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
};
const PRIV: Record<string, number> = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
};

export function openSession(cred: SnmpCredentialConfig, opts: SessionOptions): snmp.Session {
  const common = {
    port: opts.port,
    timeout: opts.timeoutMs,
    retries: opts.retries,
    transport: isIPv6(opts.address) ? 'udp6' : 'udp4',
    // The walker checks OID order per column itself (stopping only the column that went backwards);
    // net-snmp's own check would fail the whole request, every column with it.
    backwardsGetNexts: true,
    reportOidMismatchErrors: false,
  };
  if (cred.version === '3') {
    const level = snmp.SecurityLevel[cred.security_level];
    const user: snmp.User = { name: cred.username, level };
    if (cred.security_level !== 'noAuthNoPriv') {
      user.authProtocol = AUTH[cred.auth_protocol ?? 'sha']!;
      user.authKey = cred.auth_key!;
    }
    if (cred.security_level === 'authPriv') {
      user.privProtocol = PRIV[cred.priv_protocol ?? 'aes']!;
      user.privKey = cred.priv_key!;
    }
    return snmp.createV3Session(opts.address, user, { ...common, version: snmp.Version3, context: cred.context ?? "" } as unknown as snmp.SessionOptionsV3);
  }
  const version = cred.version === '1' ? snmp.Version1 : snmp.Version2c;
  return snmp.createSession(opts.address, cred.community, { ...common, version } as snmp.SessionOptions);
}
