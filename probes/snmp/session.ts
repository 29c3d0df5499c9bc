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

/** What a v3 session believes about the agent's SNMP engine (RFC 3414 2.3): its ID, boots and time. */
export interface EngineInfo {
  /** snmpEngineID, hex. */
  id: string;
  boots: number;
  time: number;
}

/**
 * net-snmp's private per-session engine state (index.js, Session): `msgSecurityParameters` holds the
 * authoritative engine learned by discovery (null until then: the next request discovers); the
 * `engineTime*` fields are its notion of the engine's boots/time (RFC 3414 2.3), which only ever move
 * forward. Pinned with the rest of this file's patches (see guardIncoming).
 */
interface EngineInternals {
  msgSecurityParameters?: { msgAuthoritativeEngineID?: Buffer; msgAuthoritativeEngineBoots?: number; msgAuthoritativeEngineTime?: number } | null;
  engineTimeBoots: number | null;
  engineTimeBase: number | null;
  engineTimeReceivedAt: number | null;
  latestReceivedEngineTime: number | null;
  getEngineTime(): { engineBoots: number; engineTime: number } | null;
}

/** The engine a v3 session talks to, or undefined before discovery (and for v1/v2c). */
export function engineOf(session: snmp.Session): EngineInfo | undefined {
  const s = session as unknown as EngineInternals;
  const p = s.msgSecurityParameters;
  if (!p?.msgAuthoritativeEngineID || p.msgAuthoritativeEngineID.length === 0) return undefined;
  const notion = s.getEngineTime();
  return {
    id: p.msgAuthoritativeEngineID.toString('hex'),
    boots: notion?.engineBoots ?? p.msgAuthoritativeEngineBoots ?? 0,
    time: notion?.engineTime ?? p.msgAuthoritativeEngineTime ?? 0,
  };
}

/**
 * Forget the agent's engine, so the next request runs discovery again (engine ID, then boots and time
 * from the first authentic reply). net-snmp never does this by itself: its time notion only moves
 * forward, so an agent that comes back with a new engine ID or a boot counter that went back (replaced,
 * factory-reset, re-imaged, or started without its persistent state) is "outside the time window" forever.
 */
export function forgetEngine(session: snmp.Session): void {
  const s = session as unknown as EngineInternals;
  s.msgSecurityParameters = null;
  s.engineTimeBoots = null;
  s.engineTimeBase = null;
  s.engineTimeReceivedAt = null;
  s.latestReceivedEngineTime = null;
}

const NOT_IN_TIME_WINDOW = 14; // ResponseInvalidCode.ENotInTimeWindow
const AUTH_FAILURE = 5; // ResponseInvalidCode.EAuthFailure (a usmStats Report)

/**
 * True for the errors a stale engine notion produces: the reply was outside our time window, or the agent
 * reported usmStatsNotInTimeWindows / usmStatsUnknownEngineIDs. A wrong key (usmStatsWrongDigests) or
 * user (usmStatsUnknownUserNames) is not one of them: re-discovering would not help.
 */
export function isStaleEngineError(err: unknown): boolean {
  const e = err as { name?: string; code?: number; message?: string } | undefined;
  if (e?.name !== 'ResponseInvalidError') return false;
  if (e.code === NOT_IN_TIME_WINDOW) return true;
  return e.code === AUTH_FAILURE && /^(Not In Time Window|Unknown Engine ID)$/.test(e.message ?? '');
}
