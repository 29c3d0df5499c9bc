/**
 * OID → name for trap decoding: the standard notifications and their varbinds (SNMPv2-MIB, IF-MIB), then
 * every OID the SNMP profiles (probes/profiles/*.yaml) name, so a trap's varbinds read like the series the
 * poller makes of the same objects (`netmon_interface_oper_up.3`). Unknown OIDs stay numeric.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROFILES_DIR } from '../paths.js';

/** snmpTraps (RFC 3418) and IF-MIB notifications: the traps netmon acts on. */
export const TRAPS = {
  coldStart: '1.3.6.1.6.3.1.1.5.1',
  warmStart: '1.3.6.1.6.3.1.1.5.2',
  linkDown: '1.3.6.1.6.3.1.1.5.3',
  linkUp: '1.3.6.1.6.3.1.1.5.4',
  authenticationFailure: '1.3.6.1.6.3.1.1.5.5',
  egpNeighborLoss: '1.3.6.1.6.3.1.1.5.6',
} as const;

export const OIDS = {
  sysUpTime0: '1.3.6.1.2.1.1.3.0',
  snmpTrapOID0: '1.3.6.1.6.3.1.1.4.1.0',
  snmpTrapEnterprise0: '1.3.6.1.6.3.1.1.4.3.0',
  ifIndex: '1.3.6.1.2.1.2.2.1.1',
  ifAdminStatus: '1.3.6.1.2.1.2.2.1.7',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
} as const;

const BUILT_IN: Record<string, string> = {
  ...Object.fromEntries(Object.entries(TRAPS).map(([n, o]) => [o, n])),
  [OIDS.sysUpTime0.slice(0, -2)]: 'sysUpTime',
  [OIDS.snmpTrapOID0.slice(0, -2)]: 'snmpTrapOID',
  [OIDS.snmpTrapEnterprise0.slice(0, -2)]: 'snmpTrapEnterprise',
  [OIDS.ifIndex]: 'ifIndex',
  '1.3.6.1.2.1.2.2.1.2': 'ifDescr',
  '1.3.6.1.2.1.2.2.1.3': 'ifType',
  [OIDS.ifAdminStatus]: 'ifAdminStatus',
  [OIDS.ifOperStatus]: 'ifOperStatus',
  '1.3.6.1.2.1.31.1.1.1.1': 'ifName',
  '1.3.6.1.2.1.31.1.1.1.18': 'ifAlias',
  '1.3.6.1.2.1.1.1': 'sysDescr',
  '1.3.6.1.2.1.1.2': 'sysObjectID',
  '1.3.6.1.2.1.1.5': 'sysName',
  '1.3.6.1.4.1.8072.4': 'netSnmpNotificationPrefix',
  '1.3.6.1.4.1.8072.4.0.1': 'nsNotifyStart',
  '1.3.6.1.4.1.8072.4.0.2': 'nsNotifyShutdown',
  '1.3.6.1.4.1.8072.4.0.3': 'nsNotifyRestart',
};

const OID_RE = /^\d+(\.\d+)+$/;

/** Collect `oid`/`column` values of a profile with the metric or label name they feed. */
function profileNames(node: unknown, out: Map<string, string>, key = ''): void {
  if (Array.isArray(node)) {
    for (const x of node) profileNames(x, out, key);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  const name = typeof o.metric === 'string' ? o.metric : typeof o.name === 'string' ? o.name : key;
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'string' && OID_RE.test(v.replace(/^\./, ''))) {
      const oid = v.replace(/^\./, '');
      // `labels: { if_name: 1.3... }` names the OID by its key; `oid:`/`column:` by the metric beside it.
      const n = k === 'oid' || k === 'column' || k === 'fallback_oid' ? name : k;
      if (n && !out.has(oid)) out.set(oid, n);
    } else profileNames(v, out, k);
  }
}

export class OidNames {
  private readonly names = new Map<string, string>(Object.entries(BUILT_IN));

  constructor(profilesDir: string | null = PROFILES_DIR) {
    if (!profilesDir) return;
    const fromProfiles = new Map<string, string>();
    for (const f of readdirSync(profilesDir).filter((x) => x.endsWith('.yaml')).sort()) {
      try {
        profileNames(parse(readFileSync(join(profilesDir, f), 'utf8')), fromProfiles);
      } catch {
        // a broken profile is reported by the profile loader; names are a nicety
      }
    }
    for (const [oid, n] of fromProfiles) if (!this.names.has(oid)) this.names.set(oid, n);
  }

  /** The name of an OID: exact, else the longest known prefix with the rest as instance (`ifOperStatus.3`). */
  name(oid: string): string | null {
    const exact = this.names.get(oid);
    if (exact) return exact;
    for (let i = oid.lastIndexOf('.'); i > 0; i = oid.lastIndexOf('.', i - 1)) {
      const n = this.names.get(oid.slice(0, i));
      if (n) return `${n}${oid.slice(i)}`;
    }
    return null;
  }
}
