/**
 * IF-MIB (RFC 2863): ifNumber, ifTable (1.3.6.1.2.1.2.2), ifXTable (1.3.6.1.2.1.31.1.1) and
 * ifTableLastChange. Counter32 columns are the low 32 bits of the same 64-bit counters the HC columns
 * serve, as on real devices.
 */
import { T } from '../net-snmp.js';
import type { SimPort } from '../model.js';
import { wrap32, type DeviceState, type PortCounters } from '../state.js';
import type { ColumnSpec, MibModule, RowSpec, SnmpValue } from './types.js';

export const IF_TABLE = 'ifTable';
const IF_ENTRY = '1.3.6.1.2.1.2.2.1';
const IFX_ENTRY = '1.3.6.1.2.1.31.1.1.1';
const GAUGE_MAX = 4294967295;

const IF_COLUMNS: ColumnSpec[] = [
  { number: 1, name: 'ifIndex', type: T.Integer },
  { number: 2, name: 'ifDescr', type: T.OctetString },
  { number: 3, name: 'ifType', type: T.Integer },
  { number: 4, name: 'ifMtu', type: T.Integer },
  { number: 5, name: 'ifSpeed', type: T.Gauge32 },
  { number: 6, name: 'ifPhysAddress', type: T.OctetString },
  { number: 7, name: 'ifAdminStatus', type: T.Integer },
  { number: 8, name: 'ifOperStatus', type: T.Integer },
  { number: 9, name: 'ifLastChange', type: T.TimeTicks },
  { number: 10, name: 'ifInOctets', type: T.Counter32 },
  { number: 11, name: 'ifInUcastPkts', type: T.Counter32 },
  { number: 13, name: 'ifInDiscards', type: T.Counter32 },
  { number: 14, name: 'ifInErrors', type: T.Counter32 },
  { number: 16, name: 'ifOutOctets', type: T.Counter32 },
  { number: 17, name: 'ifOutUcastPkts', type: T.Counter32 },
  { number: 19, name: 'ifOutDiscards', type: T.Counter32 },
  { number: 20, name: 'ifOutErrors', type: T.Counter32 },
];

const IFX_COLUMNS: ColumnSpec[] = [
  { number: 1, name: 'ifName', type: T.OctetString },
  { number: 6, name: 'ifHCInOctets', type: T.Counter64 },
  { number: 7, name: 'ifHCInUcastPkts', type: T.Counter64 },
  { number: 10, name: 'ifHCOutOctets', type: T.Counter64 },
  { number: 11, name: 'ifHCOutUcastPkts', type: T.Counter64 },
  { number: 15, name: 'ifHighSpeed', type: T.Gauge32 },
  { number: 16, name: 'ifPromiscuousMode', type: T.Integer },
  { number: 17, name: 'ifConnectorPresent', type: T.Integer },
  { number: 18, name: 'ifAlias', type: T.OctetString },
  { number: 19, name: 'ifCounterDiscontinuityTime', type: T.TimeTicks },
];

export function ifMib(st: DeviceState): MibModule {
  const ports = st.device.ports;
  // Counters of one request: computed once per port per instant, whichever columns are asked.
  let cacheWall = Number.NaN;
  const cache = new Map<number, PortCounters>();
  const counters = (p: SimPort, w: number): PortCounters => {
    if (w !== cacheWall) {
      cache.clear();
      cacheWall = w;
    }
    let c = cache.get(p.ifIndex);
    if (!c) {
      c = st.counters(p.ifIndex, w);
      cache.set(p.ifIndex, c);
    }
    return c;
  };

  const ifRow = (p: SimPort): RowSpec => ({
    index: [p.ifIndex],
    get(col, w): SnmpValue {
      switch (col) {
        case 1: return p.ifIndex;
        case 2: return p.ifDescr;
        case 3: return p.ifType;
        case 4: return p.ifMtu;
        case 5: return Math.min(GAUGE_MAX, p.speedBps);
        case 6: return p.mac;
        case 7: return p.adminUp ? 1 : 2;
        case 8: return st.operUp(p, w) ? 1 : 2;
        case 9: return st.lastChangeTicks(p, w);
        case 10: return wrap32(counters(p, w).inOctets);
        case 11: return wrap32(counters(p, w).inPkts);
        case 13: return wrap32(counters(p, w).inDiscards);
        case 14: return wrap32(counters(p, w).inErrors);
        case 16: return wrap32(counters(p, w).outOctets);
        case 17: return wrap32(counters(p, w).outPkts);
        case 19: return wrap32(counters(p, w).outDiscards);
        case 20: return wrap32(counters(p, w).outErrors);
        default: throw new Error(`ifTable column ${col}`);
      }
    },
  });

  const ifxRow = (p: SimPort): RowSpec => ({
    index: [p.ifIndex],
    get(col, w): SnmpValue {
      switch (col) {
        case 1: return p.ifName;
        case 6: return counters(p, w).inOctets;
        case 7: return counters(p, w).inPkts;
        case 10: return counters(p, w).outOctets;
        case 11: return counters(p, w).outPkts;
        case 15: return Math.round(p.speedBps / 1e6);
        case 16: return 2; // false
        case 17: return p.ifType === 24 ? 2 : 1;
        case 18: return p.ifAlias;
        case 19: return 0; // no discontinuity since the agent started
        default: throw new Error(`ifXTable column ${col}`);
      }
    },
  });

  return {
    scalars: [
      { name: 'ifNumber', oid: '1.3.6.1.2.1.2.1', type: T.Integer, get: () => ports.length },
      { name: 'ifTableLastChange', oid: '1.3.6.1.2.1.31.1.5', type: T.TimeTicks, get: (w) => st.tableLastChangeTicks(w) },
    ],
    tables: [
      { name: IF_TABLE, oid: IF_ENTRY, columns: IF_COLUMNS, index: [{ columnName: 'ifIndex' }], rows: ports.map(ifRow) },
      { name: 'ifXTable', oid: IFX_ENTRY, columns: IFX_COLUMNS, augments: IF_TABLE, rows: ports.map(ifxRow) },
    ],
  };
}
