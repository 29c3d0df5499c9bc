/**
 * A received notification in netmon's terms: v1 Trap-PDUs mapped to the v2 form (RFC 3584 §3.1: generic
 * traps 0-5 become snmpTraps.1-6, enterprise-specific ones `enterprise.0.specific`), so linkDown is one OID
 * whatever the sender's version, and every varbind decoded to a printable value with its name.
 */
import snmp from 'net-snmp';
import { OIDS, type OidNames } from './names.js';

export type TrapVersion = '1' | '2c' | '3';

export interface DecodedVarbind {
  oid: string;
  name: string | null;
  type: string;
  value: string | number | null;
}

export interface Notification {
  version: TrapVersion;
  /** 'trap' or 'inform' (informs are acknowledged by net-snmp's receiver before we see them). */
  pdu: 'trap' | 'inform';
  trapOid: string;
  trapName: string | null;
  /** Sender's UDP source address (what source authentication checks; v1's agent-addr is informational). */
  source: string;
  agentAddr: string | null;
  community: string | null;
  user: string | null;
  uptimeTicks: number | null;
  varbinds: DecodedVarbind[];
}

/** What net-snmp's Receiver hands over (Receiver.formatCallbackData with includeAuthentication). */
export interface ReceivedPdu {
  type: number;
  varbinds: snmp.Varbind[];
  enterprise?: string;
  agentAddr?: string;
  generic?: number;
  specific?: number;
  upTime?: number;
  community?: string;
  user?: string;
}

const TYPE_NAMES = snmp.ObjectType as unknown as Record<number, string>;

function printable(vb: snmp.Varbind): string | number | null {
  const v = vb.value as unknown;
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) {
    // Text when it is printable UTF-8, else hex (MAC addresses, binary strings).
    const s = v.toString('utf8');
    return /^[\p{L}\p{N}\p{P}\p{S}\p{Zs}\t\r\n]*$/u.test(s) && !s.includes('\ufffd') ? s : v.toString('hex');
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return JSON.stringify(v) ?? null;
}

export function decode(pdu: ReceivedPdu, source: string, names: OidNames): Notification {
  const version: TrapVersion = pdu.user !== undefined ? '3' : pdu.type === snmp.PduType.Trap ? '1' : '2c';
  let varbinds = pdu.varbinds ?? [];
  let trapOid: string;
  let uptime: number | null;
  if (pdu.type === snmp.PduType.Trap) {
    const generic = pdu.generic ?? 6;
    trapOid = generic < 6 ? `1.3.6.1.6.3.1.1.5.${generic + 1}` : `${pdu.enterprise ?? ''}.0.${pdu.specific ?? 0}`;
    uptime = pdu.upTime ?? null;
  } else {
    const up = varbinds.find((v) => v.oid === OIDS.sysUpTime0);
    const to = varbinds.find((v) => v.oid === OIDS.snmpTrapOID0);
    uptime = typeof up?.value === 'number' ? up.value : null;
    trapOid = typeof to?.value === 'string' ? to.value : '';
    // Those two are the notification's header; the rest is its payload.
    varbinds = varbinds.filter((v) => v !== up && v !== to);
  }
  return {
    version,
    pdu: pdu.type === snmp.PduType.InformRequest ? 'inform' : 'trap',
    trapOid,
    trapName: trapOid ? names.name(trapOid) : null,
    source,
    agentAddr: pdu.type === snmp.PduType.Trap ? (pdu.agentAddr ?? null) : null,
    community: pdu.community ?? null,
    user: pdu.user ?? null,
    uptimeTicks: uptime,
    varbinds: varbinds.map((vb) => ({ oid: vb.oid, name: names.name(vb.oid), type: TYPE_NAMES[vb.type ?? 5] ?? String(vb.type), value: printable(vb) })),
  };
}

/** The ifIndex a link trap is about: the ifIndex varbind, else the instance of ifAdminStatus/ifOperStatus. */
export function trapIfIndex(n: Notification): string | null {
  for (const vb of n.varbinds) {
    if (vb.oid.startsWith(`${OIDS.ifIndex}.`) && vb.value !== null) return String(vb.value);
  }
  for (const vb of n.varbinds) {
    for (const col of [OIDS.ifOperStatus, OIDS.ifAdminStatus]) if (vb.oid.startsWith(`${col}.`)) return vb.oid.slice(col.length + 1);
  }
  return null;
}

/** ifAdminStatus/ifOperStatus of that interface as carried by the trap (1 up, else not up); null: not in it. */
export function trapIfStatus(n: Notification, column: string, ifIndex: string): number | null {
  const vb = n.varbinds.find((v) => v.oid === `${column}.${ifIndex}`);
  return typeof vb?.value === 'number' ? vb.value : null;
}
