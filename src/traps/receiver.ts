/**
 * The UDP side: net-snmp's Receiver (snmp.createReceiver), which fits: it decodes v1/v2c traps and v3
 * traps and informs, answers v3 engine-ID discovery and acknowledges informs (a GetResponse with the same
 * request id), checks communities and USM users through its Authorizer (v3 keys are localised with the
 * sender's msgAuthoritativeEngineID, so traps from any engine authenticate; there is no time-window check,
 * so a captured v3 trap could be replayed: source addresses are checked as well). net-snmp is pinned
 * (3.29.2), so what follows relies on its internals staying as read:
 * - errors reach the callback by class name: ProcessingError (BER decoding failed) and
 *   RequestInvalidError (a PDU that is no notification) are `malformed`; RequestFailedError (unknown
 *   community or user, missing auth/priv) and ResponseInvalidError (wrong digest, undecryptable) are
 *   `unauthenticated`.
 * - Receiver.onMsg handles the parsed message outside its try (report building, inform answers): we hand
 *   it our own dgram module (its `dgramModule` option) whose 'message' handlers run inside a try, so no
 *   datagram can throw out of the socket and take the daemon down (the same concern as guardIncoming in
 *   probes/snmp/session.ts).
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import snmp from 'net-snmp';
import type { SnmpCredentialConfig } from '../config/schema.js';
import { AUTH, PRIV } from '../../probes/snmp/session.js';
import type { ReceivedPdu } from './decode.js';

export type DropReason = 'malformed' | 'unauthenticated' | 'unknown_source';
export const DROP_REASONS: readonly DropReason[] = ['malformed', 'unauthenticated', 'unknown_source'];

export interface ReceiverOptions {
  address: string;
  port: number;
  credentials: ReadonlyMap<string, SnmpCredentialConfig>;
  onPdu(pdu: ReceivedPdu, from: { address: string; port: number }): void;
  onDrop(reason: DropReason, from: string | undefined, detail: string): void;
}

export interface TrapReceiver {
  /** The bound UDP port (tests bind 0). */
  port: number;
  /** Replace the communities and users (after a config reload). */
  setCredentials(credentials: ReadonlyMap<string, SnmpCredentialConfig>): void;
  close(): Promise<void>;
}

const UNAUTHENTICATED = new Set(['RequestFailedError', 'ResponseInvalidError']);

function usmUser(c: Extract<SnmpCredentialConfig, { version: '3' }>): snmp.User {
  const user: snmp.User = { name: c.username, level: snmp.SecurityLevel[c.security_level] };
  if (c.security_level !== 'noAuthNoPriv') {
    user.authProtocol = AUTH[c.auth_protocol ?? 'sha']!;
    user.authKey = c.auth_key!;
  }
  if (c.security_level === 'authPriv') {
    user.privProtocol = PRIV[c.priv_protocol ?? 'aes']!;
    user.privKey = c.priv_key!;
  }
  return user;
}

interface AuthorizerLike {
  communities: string[];
  users: snmp.User[];
  addCommunity(c: string): void;
  addUser(u: snmp.User): void;
}

function fill(auth: AuthorizerLike, credentials: ReadonlyMap<string, SnmpCredentialConfig>): void {
  auth.communities.length = 0;
  auth.users.length = 0;
  for (const c of credentials.values()) {
    if (c.version === '3') {
      if (!auth.users.some((u) => u.name === c.username)) auth.addUser(usmUser(c));
    } else if (!auth.communities.includes(c.community)) auth.addCommunity(c.community);
  }
}

export async function startReceiver(o: ReceiverOptions): Promise<TrapReceiver> {
  const transport = isIPv6(o.address) ? 'udp6' : 'udp4';
  let socket: dgram.Socket | undefined;
  // A dgram module whose sockets run net-snmp's message handler inside a try (see the header).
  const guardedDgram = {
    createSocket(type: dgram.SocketType): dgram.Socket {
      const s = dgram.createSocket({ type, recvBufferSize: 4 * 1024 * 1024 });
      socket = s;
      const on = s.on.bind(s);
      s.on = ((ev: string, fn: (...args: unknown[]) => void) => {
        if (ev !== 'message') return on(ev, fn);
        return on('message', (buf: Buffer, rinfo: dgram.RemoteInfo) => {
          try {
            fn(buf, rinfo);
          } catch (err) {
            o.onDrop('malformed', rinfo.address, String((err as Error)?.message ?? err));
          }
        });
      }) as typeof s.on;
      return s;
    },
  };
  let bound = false;
  let bindFailed: ((err: Error) => void) | undefined;
  // @types/net-snmp types createReceiver as `any`: the part used here, as net-snmp 3.29.2 has it.
  type NetSnmpReceiver = { getAuthorizer(): unknown; close(cb: () => void): void };
  const createReceiver = snmp.createReceiver as (options: object, cb: (err: (Error & { rinfo?: { address: string } }) | null, data?: { pdu: ReceivedPdu; rinfo: { address: string; port: number } }) => void) => NetSnmpReceiver;
  const receiver = createReceiver(
    { port: o.port, address: o.address, transport, includeAuthentication: true, dgramModule: guardedDgram },
    (err, data) => {
      if (err) {
        if (!bound && !err.rinfo && bindFailed) return bindFailed(err);
        const reason: DropReason = UNAUTHENTICATED.has(err.name) ? 'unauthenticated' : 'malformed';
        o.onDrop(reason, err.rinfo?.address, err.message);
        return;
      }
      if (!data) return;
      try {
        o.onPdu(data.pdu, data.rinfo);
      } catch (e) {
        o.onDrop('malformed', data.rinfo.address, String((e as Error)?.message ?? e));
      }
    },
  );
  const auth = receiver.getAuthorizer() as AuthorizerLike;
  fill(auth, o.credentials);
  const s = socket!;
  await new Promise<void>((resolve, reject) => {
    bindFailed = reject;
    s.once('listening', () => resolve());
  });
  bound = true;
  return {
    port: s.address().port,
    setCredentials: (c) => fill(auth, c),
    close: () => new Promise<void>((resolve) => receiver.close(() => resolve())),
  };
}
