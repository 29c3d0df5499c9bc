/**
 * A typed handle on net-snmp (which ships no TypeScript declarations), limited to what the simulator
 * and its tests use. Loaded with createRequire so no ambient `declare module` is needed (a shared
 * declaration for the whole project would be better; see the simulator report).
 */
import { createRequire } from 'node:module';

export interface MibNodeLike {
  address: number[];
  oid: string;
  value: unknown;
  valueType: number;
}

export interface MibRequestLike {
  operation: number;
  address: number[];
  oid: string;
  instanceNode: MibNodeLike;
  done(error?: { errorStatus: number; type?: number; value?: unknown }): void;
}

export interface ProviderColumn {
  number: number;
  name: string;
  type: number;
  maxAccess: number;
}

export interface ProviderDefinition {
  name: string;
  type: number;
  oid: string;
  scalarType?: number;
  maxAccess: number;
  tableColumns?: ProviderColumn[];
  tableIndex?: { columnName: string; foreign?: string }[];
  tableAugments?: string;
  handler?: (req: MibRequestLike) => void;
}

export interface MibLike {
  registerProvider(def: ProviderDefinition): void;
  setScalarValue(name: string, value: unknown): void;
  addTableRow(name: string, row: unknown[]): void;
}

export interface SnmpUser {
  name: string;
  level: number;
  authProtocol?: number;
  authKey?: string;
  privProtocol?: number;
  privKey?: string;
}

export interface AuthorizerLike {
  addCommunity(community: string): void;
  addUser(user: SnmpUser): void;
}

export interface AgentLike {
  getMib(): MibLike;
  getAuthorizer(): AuthorizerLike;
  close(cb?: () => void): void;
  onMsg(socket: unknown, buffer: Buffer, rinfo: unknown): void;
  listener: { sockets: Record<string, import('node:dgram').Socket> };
}

export interface Varbind {
  oid: string;
  type: number;
  value: unknown;
}

export interface SessionLike {
  get(oids: string[], cb: (err: Error | null, varbinds: Varbind[]) => void): void;
  subtree(
    oid: string,
    maxRepetitions: number,
    feed: (varbinds: Varbind[]) => boolean | void,
    done: (err: Error | null) => void,
  ): void;
  walk(oid: string, maxRepetitions: number, feed: (varbinds: Varbind[]) => boolean | void, done: (err: Error | null) => void): void;
  close(): void;
  on(event: 'error', cb: (err: Error) => void): void;
}

export interface SessionOptions {
  port?: number;
  version?: number;
  timeout?: number;
  retries?: number;
  transport?: string;
}

export interface NetSnmp {
  Version1: number;
  Version2c: number;
  Version3: number;
  ObjectType: Record<string, number>;
  MaxAccess: Record<string, number>;
  MibProviderType: { Scalar: number; Table: number };
  SecurityLevel: Record<string, number>;
  AuthProtocols: Record<string, number>;
  PrivProtocols: Record<string, number>;
  ErrorStatus: Record<string, number>;
  createAgent(options: Record<string, unknown>, callback: (error: Error | null, data: unknown) => void): AgentLike;
  createSession(target: string, community: string, options?: SessionOptions): SessionLike;
  createV3Session(target: string, user: SnmpUser, options?: SessionOptions): SessionLike;
  isVarbindError(vb: Varbind): boolean;
}

const require = createRequire(import.meta.url);
export const snmp = require('net-snmp') as NetSnmp;

/** net-snmp ObjectType codes (ASN.1 tags) used by the simulator's MIB tables. */
export const T = {
  Integer: 2,
  OctetString: 4,
  OID: 6,
  Counter32: 65,
  Gauge32: 66,
  TimeTicks: 67,
  Counter64: 70,
} as const;
export type ValueType = (typeof T)[keyof typeof T];
