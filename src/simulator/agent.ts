/**
 * net-snmp wiring: one real SNMP agent (UDP) per simulated device, bound to the target's address and
 * port, answering v1/v2c with the credential's community and v3 with its USM user. Values are computed
 * in the provider handlers, only for the instances a request touches.
 */
import type { SnmpCredentialConfig } from '../config/schema.js';
import type { MibModule, SnmpValue } from './mibs/types.js';
import { snmp, T, type AgentLike, type MibRequestLike, type SnmpUser } from './net-snmp.js';

export interface AgentHandle {
  close(): Promise<void>;
}

export interface AgentOptions {
  address: string;
  port: number;
  credential: SnmpCredentialConfig;
  module: MibModule;
  now: () => number;
  /** false: drop requests unanswered (the site is cut off). */
  answering: (wall: number) => boolean;
  log: (msg: string) => void;
}

/** A non-negative bigint as the minimal big-endian two's-complement content net-snmp writes for Counter64. */
export function counter64Buffer(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const pad = parseInt(hex.slice(0, 2), 16) & 0x80 ? 1 : 0;
  // Not a slice of Buffer's shared 8 KB pool: the agent keeps each cell's last value in its MIB tree, and a
  // pooled slice would pin a whole pool slab (thousands of Counter64 cells: megabytes of external memory).
  const buf = Buffer.allocUnsafeSlow(pad + hex.length / 2);
  if (pad) buf[0] = 0;
  buf.write(hex, pad, 'hex');
  return buf;
}

function toWire(type: number, v: SnmpValue): unknown {
  if (type === T.Counter64) return counter64Buffer(typeof v === 'bigint' ? v : BigInt(v as number));
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/** What addTableRow/setScalarValue accept before the first request (they validate: Counter64 as 8 bytes). */
function toInitial(type: number, v: SnmpValue): unknown {
  if (type === T.Counter64) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(typeof v === 'bigint' ? v : BigInt(v as number));
    return b;
  }
  if (typeof v === 'bigint') return Number(v);
  return v;
}

const AUTH: Record<string, string> = { md5: 'md5', sha: 'sha', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };
const PRIV: Record<string, string> = { des: 'des', aes: 'aes', aes256b: 'aes256b', aes256r: 'aes256r' };

/** The USM user an SNMPv3 credential describes (shared by the agent and the test clients). */
export function usmUser(c: Extract<SnmpCredentialConfig, { version: '3' }>): SnmpUser {
  const level = snmp.SecurityLevel[c.security_level]!;
  const user: SnmpUser = { name: c.username, level };
  if (c.security_level !== 'noAuthNoPriv') {
    user.authProtocol = snmp.AuthProtocols[AUTH[c.auth_protocol ?? 'sha']!]!;
    user.authKey = c.auth_key ?? '';
  }
  if (c.security_level === 'authPriv') {
    user.privProtocol = snmp.PrivProtocols[PRIV[c.priv_protocol ?? 'aes']!]!;
    user.privKey = c.priv_key ?? '';
  }
  return user;
}

export async function startAgent(o: AgentOptions): Promise<AgentHandle> {
  const agent: AgentLike = snmp.createAgent(
    { port: o.port, address: o.address, transport: 'udp4', disableAuthorization: false },
    () => {
      /* per-request callback: nothing to do; authentication failures are silently dropped */
    },
  );
  const sockets = Object.values(agent.listener.sockets);
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.once('listening', () => resolve());
          s.once('error', (e) => reject(new Error(`simulator: cannot bind ${o.address}:${o.port}: ${e.message}`)));
        }),
    ),
  ).catch((e: unknown) => {
    agent.close();
    throw e;
  });
  // Gate every datagram: an unreachable site drops it, as a cut fibre would. This replaces net-snmp's own
  // 'message' listener and calls its private `agent.onMsg` (as `listener.sockets` and the MIB's `root`
  // below are private too): net-snmp is pinned exactly in package.json because these internals may change
  // in any release (see also probes/snmp/session.ts).
  for (const s of sockets) {
    s.removeAllListeners('message');
    s.on('message', (buf: Buffer, rinfo: unknown) => {
      if (!o.answering(o.now())) return;
      try {
        agent.onMsg(s, buf, rinfo);
      } catch (e) {
        o.log(`simulator: ${o.address}: request failed: ${(e as Error).message}`);
      }
    });
    s.on('error', (e) => o.log(`simulator: ${o.address}: socket error: ${e.message}`));
  }

  const auth = agent.getAuthorizer();
  if (o.credential.version === '3') auth.addUser(usmUser(o.credential));
  else auth.addCommunity(o.credential.community);

  registerModule(agent, o.module, o.now);
  compactTree((agent.getMib() as unknown as { root: TreeNode }).root);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        let pending = sockets.length;
        if (pending === 0) return resolve();
        agent.close(() => {
          if (--pending === 0) resolve();
        });
      }),
  };
}

function registerModule(agent: AgentLike, m: MibModule, now: () => number): void {
  const mib = agent.getMib();
  const RO = snmp.MaxAccess['read-only']!;
  const NA = snmp.MaxAccess['not-accessible']!;
  const startWall = now();

  for (const s of m.scalars) {
    mib.registerProvider({
      name: s.name,
      type: snmp.MibProviderType.Scalar,
      oid: s.oid,
      scalarType: s.type,
      maxAccess: RO,
      handler: (req: MibRequestLike) => {
        try {
          req.instanceNode.value = toWire(s.type, s.get(now()));
          req.done();
        } catch {
          req.done({ errorStatus: snmp.ErrorStatus.GeneralError ?? 5 });
        }
      },
    });
    mib.setScalarValue(s.name, toInitial(s.type, s.get(startWall)));
  }

  for (const t of m.tables) {
    const entryLen = t.oid.split('.').length;
    const types = new Map(t.columns.map((c) => [c.number, c.type]));
    const rows = new Map(t.rows.map((r) => [r.index.join('.'), r]));
    mib.registerProvider({
      name: t.name,
      type: snmp.MibProviderType.Table,
      oid: t.oid,
      maxAccess: NA,
      tableColumns: t.columns.map((c) => ({ number: c.number, name: c.name, type: c.type, maxAccess: c.index ? NA : RO })),
      ...(t.augments ? { tableAugments: t.augments } : { tableIndex: t.index ?? [] }),
      handler: (req: MibRequestLike) => {
        const col = req.address[entryLen]!;
        const row = rows.get(req.address.slice(entryLen + 1).join('.'));
        const type = types.get(col);
        if (!row || type === undefined) return req.done();
        try {
          const w = now();
          req.instanceNode.value = toWire(type, row.get(col, w));
          req.done();
        } catch {
          req.done({ errorStatus: snmp.ErrorStatus.GeneralError ?? 5 });
        }
      },
    });
    // Rows: foreign index values first, then one value per column (the local index columns included).
    const local = new Set((t.index ?? []).filter((i) => !i.foreign).map((i) => i.columnName));
    const foreignCount = t.augments ? 1 : (t.index ?? []).filter((i) => i.foreign).length;
    for (const r of t.rows) {
      const values: unknown[] = r.index.slice(0, foreignCount);
      let localPos = foreignCount;
      for (const c of t.columns) {
        if (c.index || local.has(c.name)) values.push(r.index[localPos++] ?? r.get(c.number, startWall));
        else values.push(toInitial(c.type, r.get(c.number, startWall)));
      }
      mib.addTableRow(t.name, values);
    }
  }
}

interface TreeNode {
  children: Record<number, TreeNode>;
}

/** An index far beyond any arc: adding it to an empty object switches its elements to dictionary mode. */
const DICT_PROBE = 2 ** 30;

/**
 * net-snmp's MIB is a tree whose nodes keep their `children` in plain objects keyed by the next OID arc.
 * Keyed by sparse arcs (ifIndex 513..536 on a Juniper, for instance), V8 backs such an object
 * with "holey" fast elements sized past the largest key: ~6 KB for 24 ports numbered from 513, for every
 * column of every table of every device (most of the simulator's memory before this). Rebuilding those
 * objects in dictionary mode (same keys, same iteration order, same lookups) keeps ~1.5 KB of each. It
 * relies on a V8 heuristic (an object whose elements went to dictionary mode stays there while sparse);
 * if a future V8 differs, only memory changes, never behaviour.
 */
function compactTree(node: TreeNode): void {
  const keys = Object.keys(node.children);
  if (keys.length === 0) return;
  const max = Number(keys[keys.length - 1]); // integer keys iterate in ascending order
  if (max + 1 > 4 * keys.length + 16) {
    const dict: Record<number, TreeNode> = {};
    dict[DICT_PROBE] = node;
    delete dict[DICT_PROBE];
    for (const k of keys) dict[Number(k)] = node.children[Number(k)]!;
    node.children = dict;
  }
  for (const k of keys) compactTree(node.children[Number(k)]!);
}
