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

export const AUTH: Record<string, number> = {
  md5: snmp.AuthProtocols.md5,
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
};
export const PRIV: Record<string, number> = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
};

/**
 * net-snmp parses a datagram inside a try, but handles the parsed message outside it: a reply it cannot
 * handle (found by bench/fuzz-snmp.ts: a v1/v2c message with a Report PDU and the request's id reads
 * `msgSecurityParameters` of undefined) throws in the socket's 'message' handler, an uncaught exception
 * that would take the whole daemon down. Run the handler inside a try: the error goes to the session's
 * 'error' event, and the request the message answered (already unregistered) fails now with it instead of
 * waiting for the deadline.
 *
 * This reaches into net-snmp's private internals (`session.dgram`, `onMsg`, `unregisterRequest`, and the
 * `responseCb` of its request objects), which are no API and may change in any release, a patch release
 * included: net-snmp is pinned exactly in package.json because of this patch (and the simulator's, in
 * src/simulator/agent.ts). Upgrading means re-reading Session.prototype.onMsg and re-running
 * test/faults/snmp-fuzz.test.ts and bench/fuzz-snmp.ts.
 */
export function guardIncoming(session: snmp.Session): snmp.Session {
  const s = session as unknown as {
    dgram: { removeAllListeners(ev: string): void; on(ev: string, fn: (buf: Buffer) => void): void };
    onMsg(buf: Buffer): void;
    unregisterRequest(id: number): { responseCb(err: Error): void } | null;
    emit(ev: string, err: unknown): boolean;
  };
  const unregister = s.unregisterRequest.bind(s);
  const last: { req: { responseCb(err: Error): void } | null } = { req: null };
  s.unregisterRequest = (id) => (last.req = unregister(id));
  s.dgram.removeAllListeners('message');
  s.dgram.on('message', (buf) => {
    last.req = null;
    try {
      s.onMsg(buf);
    } catch (err) {
      const req = last.req as { responseCb(err: Error): void } | null; // set by onMsg (TS cannot see it)
      s.emit('error', err);
      if (req) {
        try {
          req.responseCb(new snmp.ResponseInvalidError(`malformed reply: ${(err as Error)?.message ?? String(err)}`, 0));
        } catch {
          /* the request's own callback failed on it: nothing more to do */
        }
      }
    } finally {
      last.req = null;
    }
  });
  return session;
}

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
    return guardIncoming(snmp.createV3Session(opts.address, user, { ...common, version: snmp.Version3, context: cred.context ?? "" } as unknown as snmp.SessionOptionsV3));
  }
  const version = cred.version === '1' ? snmp.Version1 : snmp.Version2c;
  return guardIncoming(snmp.createSession(opts.address, cred.community, { ...common, version } as snmp.SessionOptions));
}
