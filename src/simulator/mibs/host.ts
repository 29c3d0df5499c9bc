/**
 * Servers: HOST-RESOURCES-MIB (RFC 2790, 1.3.6.1.2.1.25) and UCD-SNMP-MIB (1.3.6.1.4.1.2021), the way
 * Net-SNMP's snmpd on Linux serves them.
 */
import { T, type ValueType } from '../net-snmp.js';
import type { DeviceState } from '../state.js';
import type { MibModule, RowSpec, SnmpValue } from './types.js';

const HR = '1.3.6.1.2.1.25';
const UCD = '1.3.6.1.4.1.2021';
/** hrStorageTypes and hrDeviceTypes (HOST-RESOURCES-TYPES). */
const HR_STORAGE_RAM = `${HR}.2.1.2`;
const HR_STORAGE_VIRTUAL = `${HR}.2.1.3`;
const HR_STORAGE_FIXED_DISK = `${HR}.2.1.4`;
const HR_DEVICE_PROCESSOR = `${HR}.3.1.3`;
const HR_DEVICE_NETWORK = `${HR}.3.1.4`;
const INT32_MAX = 2147483647;
/** Net-SNMP numbers processors from 196608 and network devices from 262144 in hrDeviceTable. */
const CPU_BASE = 196608;
const NET_BASE = 262144;

export function hostMib(st: DeviceState): MibModule {
  const d = st.device;
  const srv = d.server!;

  // ---- hrStorageTable: RAM, swap, disks. Allocation units grow until the size fits an Integer32.
  interface Storage { index: number; type: string; descr: string; units: number; size: number; used(w: number): number }
  const unitsThatFit = (bytes: number, units: number) => {
    let u = units;
    while (bytes / u > INT32_MAX) u *= 2;
    return u;
  };
  const storages: Storage[] = [
    { index: 1, type: HR_STORAGE_RAM, descr: 'Physical memory', units: 1024, size: srv.ramKB, used: (w) => srv.ramKB * st.memoryUsed(w) },
    { index: 3, type: HR_STORAGE_VIRTUAL, descr: 'Virtual memory', units: 1024, size: srv.ramKB + srv.swapKB, used: (w) => srv.ramKB * st.memoryUsed(w) + srv.swapKB * 0.02 },
    { index: 10, type: HR_STORAGE_VIRTUAL, descr: 'Swap space', units: 1024, size: srv.swapKB, used: () => srv.swapKB * 0.02 },
    ...srv.disks.map((disk) => {
      const units = unitsThatFit(disk.sizeBytes, 4096);
      return {
        index: disk.index,
        type: HR_STORAGE_FIXED_DISK,
        descr: disk.descr,
        units,
        size: Math.floor(disk.sizeBytes / units),
        used: (w: number) => st.diskUsedBytes(disk, w) / units,
      };
    }),
  ];
  const storageRow = (s: Storage): RowSpec => ({
    index: [s.index],
    get(col, w): SnmpValue {
      switch (col) {
        case 1: return s.index;
        case 2: return s.type;
        case 3: return s.descr;
        case 4: return s.units;
        case 5: return s.size;
        case 6: return Math.min(s.size, Math.floor(s.used(w)));
        case 7: return 0;
        default: throw new Error(`hrStorageTable column ${col}`);
      }
    },
  });

  // ---- hrDeviceTable (processors and NICs) and hrProcessorTable (load per CPU over the last minute).
  const devices = [
    ...Array.from({ length: srv.cpus }, (_, i) => ({ index: CPU_BASE + i, type: HR_DEVICE_PROCESSOR, descr: 'GenuineIntel: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz' })),
    ...d.ports.filter((p) => p.ifType !== 24).map((p, i) => ({ index: NET_BASE + i, type: HR_DEVICE_NETWORK, descr: `network interface ${p.ifDescr}` })),
  ];
  const deviceRow = (x: (typeof devices)[number]): RowSpec => ({
    index: [x.index],
    get(col): SnmpValue {
      switch (col) {
        case 1: return x.index;
        case 2: return x.type;
        case 3: return x.descr;
        case 5: return 2; // running
        default: throw new Error(`hrDeviceTable column ${col}`);
      }
    },
  });
  const cpuRow = (i: number): RowSpec => ({
    index: [CPU_BASE + i],
    get: (col, w) => (col === 1 ? '0.0' : Math.round(100 * st.cpuLoad(i, w))),
  });

  // ---- UCD laTable: load averages as strings ("0.52") and integers (x100).
  const laRow = (i: number, minutes: 1 | 5 | 15): RowSpec => ({
    index: [i],
    get(col, w): SnmpValue {
      switch (col) {
        case 1: return i;
        case 2: return `Load-${minutes}`;
        case 3: return st.loadAverage(minutes, w).toFixed(2);
        case 4: return (srv.cpus * 1.5).toFixed(2);
        case 5: return Math.round(st.loadAverage(minutes, w) * 100);
        case 100: return 0;
        case 101: return '';
        default: throw new Error(`laTable column ${col}`);
      }
    },
  });

  const memKB = (frac: (w: number) => number) => (w: number) => Math.round(frac(w));
  const freeKB = (w: number) => srv.ramKB * (1 - st.memoryUsed(w));
  const mem = (n: number, name: string, get: (w: number) => SnmpValue, type: ValueType = T.Integer) => ({
    name,
    oid: `${UCD}.4.${n}`,
    type,
    get,
  });
  const ss = (n: number, name: string, get: (w: number) => number, type: ValueType = T.Integer) => ({
    name,
    oid: `${UCD}.11.${n}`,
    type,
    get,
  });
  const pct = (share: number) => (w: number) => Math.round(100 * st.cpuAverage(w) * share);

  return {
    scalars: [
      { name: 'hrSystemUptime', oid: `${HR}.1.1`, type: T.TimeTicks, get: (w) => st.uptimeTicks(w) },
      { name: 'hrSystemNumUsers', oid: `${HR}.1.5`, type: T.Gauge32, get: () => 1 },
      { name: 'hrSystemProcesses', oid: `${HR}.1.6`, type: T.Gauge32, get: (w) => 180 + Math.round(120 * st.cpuAverage(w)) },
      { name: 'hrMemorySize', oid: `${HR}.2.2`, type: T.Integer, get: () => srv.ramKB },
      mem(1, 'memIndex', () => 0),
      mem(2, 'memErrorName', () => 'swap', T.OctetString),
      mem(3, 'memTotalSwap', () => srv.swapKB),
      mem(4, 'memAvailSwap', () => Math.round(srv.swapKB * 0.98)),
      mem(5, 'memTotalReal', () => srv.ramKB),
      mem(6, 'memAvailReal', memKB(freeKB)),
      mem(11, 'memTotalFree', memKB((w) => freeKB(w) + srv.swapKB * 0.98)),
      mem(12, 'memMinimumSwap', () => 16000),
      mem(13, 'memShared', () => Math.round(srv.ramKB * 0.01)),
      mem(14, 'memBuffer', () => Math.round(srv.ramKB * 0.02)),
      mem(15, 'memCached', memKB((w) => freeKB(w) * 0.6)),
      mem(100, 'memSwapError', () => 0),
      mem(101, 'memSwapErrorMsg', () => '', T.OctetString),
      ss(9, 'ssCpuUser', pct(0.72)),
      ss(10, 'ssCpuSystem', pct(0.22)),
      ss(11, 'ssCpuIdle', (w) => Math.round(100 * (1 - st.cpuAverage(w)))),
      ss(50, 'ssCpuRawUser', (w) => st.cpuTicks('user', w), T.Counter32),
      ss(51, 'ssCpuRawNice', (w) => st.cpuTicks('nice', w), T.Counter32),
      ss(52, 'ssCpuRawSystem', (w) => st.cpuTicks('system', w), T.Counter32),
      ss(53, 'ssCpuRawIdle', (w) => st.cpuTicks('idle', w), T.Counter32),
      ss(54, 'ssCpuRawWait', (w) => st.cpuTicks('wait', w), T.Counter32),
    ],
    tables: [
      {
        name: 'hrStorageTable',
        oid: `${HR}.2.3.1`,
        columns: [
          { number: 1, name: 'hrStorageIndex', type: T.Integer },
          { number: 2, name: 'hrStorageType', type: T.OID },
          { number: 3, name: 'hrStorageDescr', type: T.OctetString },
          { number: 4, name: 'hrStorageAllocationUnits', type: T.Integer },
          { number: 5, name: 'hrStorageSize', type: T.Integer },
          { number: 6, name: 'hrStorageUsed', type: T.Integer },
          { number: 7, name: 'hrStorageAllocationFailures', type: T.Counter32 },
        ],
        index: [{ columnName: 'hrStorageIndex' }],
        rows: storages.map(storageRow),
      },
      {
        name: 'hrDeviceTable',
        oid: `${HR}.3.2.1`,
        columns: [
          { number: 1, name: 'hrDeviceIndex', type: T.Integer },
          { number: 2, name: 'hrDeviceType', type: T.OID },
          { number: 3, name: 'hrDeviceDescr', type: T.OctetString },
          { number: 5, name: 'hrDeviceStatus', type: T.Integer },
        ],
        index: [{ columnName: 'hrDeviceIndex' }],
        rows: devices.map(deviceRow),
      },
      {
        name: 'hrProcessorTable',
        oid: `${HR}.3.3.1`,
        columns: [
          { number: 1, name: 'hrProcessorFrwID', type: T.OID },
          { number: 2, name: 'hrProcessorLoad', type: T.Integer },
        ],
        index: [{ columnName: 'hrDeviceIndex', foreign: 'hrDeviceTable' }],
        rows: Array.from({ length: srv.cpus }, (_, i) => cpuRow(i)),
      },
      {
        name: 'laTable',
        oid: `${UCD}.10.1`,
        columns: [
          { number: 1, name: 'laIndex', type: T.Integer },
          { number: 2, name: 'laNames', type: T.OctetString },
          { number: 3, name: 'laLoad', type: T.OctetString },
          { number: 4, name: 'laConfig', type: T.OctetString },
          { number: 5, name: 'laLoadInt', type: T.Integer },
          { number: 100, name: 'laErrorFlag', type: T.Integer },
          { number: 101, name: 'laErrMessage', type: T.OctetString },
        ],
        index: [{ columnName: 'laIndex' }],
        rows: [laRow(1, 1), laRow(2, 5), laRow(3, 15)],
      },
    ],
  };
}
