/**
 * A small IF-MIB device for fault injection and fuzzing: net-snmp's agent (the simulator's wiring) on a
 * loopback port serving sysUpTime, ifNumber, ifTableLastChange, ifTable and ifXTable from a mutable
 * `Device` object, so a test can make it reboot (uptime and counters back to small values), add traffic
 * or stop answering.
 */
import type { MibModule, RowSpec, SnmpValue } from '../../src/simulator/mibs/types.js';
import { T } from '../../src/simulator/net-snmp.js';

interface Iface {
  index: number;
  name: string;
  alias: string;
  speedMbps: number;
  inOctets: bigint;
  outOctets: bigint;
  discontinuity: number;
  /** ifOperStatus (1 up, 2 down); up when absent. */
  operStatus?: number;
}

export interface Device {
  /** sysUpTime, 1/100 s. */
  uptime: number;
  lastChange: number;
  ifaces: Iface[];
  /** Serve the ifHC* columns (default); false leaves only the 32-bit ifTable counters. */
  hc?: boolean;
}

export function makeDevice(n = 4, speedMbps = 100): Device {
  return {
    uptime: 100_000,
    lastChange: 50,
    ifaces: Array.from({ length: n }, (_, k) => ({
      index: k + 1,
      name: `ge-0/0/${k}`,
      alias: `port ${k}`,
      speedMbps,
      inOctets: 1_000_000n * BigInt(k + 1),
      outOctets: 2_000_000n * BigInt(k + 1),
      discontinuity: 0,
    })),
  };
}

/** Advance a device by `ms` with every port carrying `bps` bits/s each way. */
export function advance(d: Device, ms: number, bps: number): void {
  d.uptime += Math.round(ms / 10);
  const bytes = BigInt(Math.round((bps / 8) * (ms / 1000)));
  for (const i of d.ifaces) {
    i.inOctets += bytes;
    i.outOctets += bytes;
  }
}

/** Reboot: uptime back near zero, every counter back to a small value. */
export function reboot(d: Device): void {
  d.uptime = 1500;
  for (const i of d.ifaces) {
    i.inOctets = 12_345n;
    i.outOctets = 6_789n;
  }
}

const scalar = (name: string, oid: string, type: number, get: () => SnmpValue) => ({ name, oid, type: type as never, get });

export function ifModule(d: Device): MibModule {
  const ifRow = (i: Iface): RowSpec => ({
    index: [i.index],
    get(col) {
      switch (col) {
        case 1: return i.index;
        case 2: return `${i.name} descr`;
        case 5: return Math.min(i.speedMbps * 1e6, 4294967295);
        case 7: return 1;
        case 8: return i.operStatus ?? 1;
        case 10: return Number(i.inOctets % 2n ** 32n);
        case 11: return 5;
        case 13: case 14: case 19: case 20: return 0;
        case 16: return Number(i.outOctets % 2n ** 32n);
        case 17: return 7;
        default: throw new Error(`col ${col}`);
      }
    },
  });
  const ifxRow = (i: Iface): RowSpec => ({
    index: [i.index],
    get(col) {
      switch (col) {
        case 1: return i.name;
        case 6: return i.inOctets;
        case 7: return 5n;
        case 10: return i.outOctets;
        case 11: return 7n;
        case 15: return i.speedMbps;
        case 18: return i.alias;
        case 19: return i.discontinuity;
        default: throw new Error(`col ${col}`);
      }
    },
  });
  const ifCols = [
    [1, 'ifIndex', T.Integer], [2, 'ifDescr', T.OctetString], [5, 'ifSpeed', T.Gauge32], [7, 'ifAdminStatus', T.Integer], [8, 'ifOperStatus', T.Integer],
    [10, 'ifInOctets', T.Counter32], [11, 'ifInUcastPkts', T.Counter32], [13, 'ifInDiscards', T.Counter32], [14, 'ifInErrors', T.Counter32],
    [16, 'ifOutOctets', T.Counter32], [17, 'ifOutUcastPkts', T.Counter32], [19, 'ifOutDiscards', T.Counter32], [20, 'ifOutErrors', T.Counter32],
  ] as const;
  const ifxCols = [
    [1, 'ifName', T.OctetString], ...(d.hc === false ? [] : ([[6, 'ifHCInOctets', T.Counter64], [7, 'ifHCInUcastPkts', T.Counter64], [10, 'ifHCOutOctets', T.Counter64], [11, 'ifHCOutUcastPkts', T.Counter64]] as const)),
    [15, 'ifHighSpeed', T.Gauge32], [18, 'ifAlias', T.OctetString], [19, 'ifCounterDiscontinuityTime', T.TimeTicks],
  ] as const;
  return {
    scalars: [
      scalar('sysUpTime', '1.3.6.1.2.1.1.3', T.TimeTicks, () => d.uptime),
      scalar('ifNumber', '1.3.6.1.2.1.2.1', T.Integer, () => d.ifaces.length),
      scalar('ifTableLastChange', '1.3.6.1.2.1.31.1.5', T.TimeTicks, () => d.lastChange),
    ],
    tables: [
      { name: 'ifTable', oid: '1.3.6.1.2.1.2.2.1', columns: ifCols.map(([number, name, type]) => ({ number, name, type })), index: [{ columnName: 'ifIndex' }], rows: d.ifaces.map(ifRow) },
      { name: 'ifXTable', oid: '1.3.6.1.2.1.31.1.1.1', columns: ifxCols.map(([number, name, type]) => ({ number, name, type })), augments: 'ifTable', rows: d.ifaces.map(ifxRow) },
    ],
  };
}
