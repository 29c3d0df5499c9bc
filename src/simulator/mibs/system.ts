/** SNMPv2-MIB system group (1.3.6.1.2.1.1). */
import { T } from '../net-snmp.js';
import type { DeviceState } from '../state.js';
import type { MibModule } from './types.js';

const SYSTEM = '1.3.6.1.2.1.1';

export function systemMib(st: DeviceState): MibModule {
  const d = st.device;
  return {
    scalars: [
      { name: 'sysDescr', oid: `${SYSTEM}.1`, type: T.OctetString, get: () => d.sysDescr },
      { name: 'sysObjectID', oid: `${SYSTEM}.2`, type: T.OID, get: () => d.sysObjectID },
      { name: 'sysUpTime', oid: `${SYSTEM}.3`, type: T.TimeTicks, get: (w) => st.uptimeTicks(w) },
      { name: 'sysContact', oid: `${SYSTEM}.4`, type: T.OctetString, get: () => d.sysContact },
      { name: 'sysName', oid: `${SYSTEM}.5`, type: T.OctetString, get: () => d.name },
      // The site's display name: Vietnamese, UTF-8 in the OCTET STRING.
      { name: 'sysLocation', oid: `${SYSTEM}.6`, type: T.OctetString, get: () => d.siteName },
      { name: 'sysServices', oid: `${SYSTEM}.7`, type: T.Integer, get: () => (d.role === 'server' ? 72 : 6) },
    ],
    tables: [],
  };
}
