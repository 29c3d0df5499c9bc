/**
 * Optical levels of a site's fibre port, in the table and units of the edge switch's vendor. The OIDs are
 * the real ones of each vendor's MIB (numeric, since the poller does not load MIB files):
 *
 * | vendor  | MIB                         | table (entry OID)                                   | index            | units |
 * |---------|-----------------------------|-----------------------------------------------------|------------------|-------|
 * | cisco   | CISCO-ENTITY-SENSOR-MIB     | entSensorValueTable 1.3.6.1.4.1.9.9.91.1.1.1.1      | entPhysicalIndex | entSensorType dBm(14), scale units(9), precision 1 → 0.1 dBm |
 * |         |                             | entSensorThresholdTable 1.3.6.1.4.1.9.9.91.1.2.1.1  | entPhysicalIndex, entSensorThresholdIndex | same as the sensor |
 * | juniper | JUNIPER-DOM-MIB             | jnxDomCurrentTable 1.3.6.1.4.1.2636.3.60.1.1.1.1    | ifIndex          | 0.01 dBm, thresholds in the same row |
 * | huawei  | HUAWEI-ENTITY-EXTENT-MIB    | hwOpticalModuleInfoTable 1.3.6.1.4.1.2011.5.25.31.1.1.3.1 | entPhysicalIndex (port entity) | Rx/Tx µW on some models, 0.01 dBm on others; thresholds 0.01 dBm |
 * | h3c     | HH3C-TRANSCEIVER-INFO-MIB   | hh3cTransceiverInfoTable 1.3.6.1.4.1.25506.2.70.1.1.1 | ifIndex        | Cur Rx/Tx 0.01 dBm (2147483647 = invalid); thresholds 0.1 µW |
 * | generic | ENTITY-SENSOR-MIB (RFC 3433)| entPhySensorTable 1.3.6.1.2.1.99.1.1.1              | entPhysicalIndex | RFC 3433 has no dBm type: watts(6), scale micro(7), precision 1 → 0.1 µW |
 *
 * The sensor → interface mapping (ENTITY-MIB containment and alias mapping) is described in entity.ts.
 */
import { T } from '../net-snmp.js';
import type { SimPort } from '../model.js';
import type { DeviceState } from '../state.js';
import { ENT, ENT_PHYSICAL_TABLE, entityMib, serial } from './entity.js';
import { IF_TABLE } from './if-mib.js';
import type { ColumnSpec, MibModule, RowSpec, SnmpValue, TableSpec } from './types.js';

/** Entry OIDs of the vendor tables (see the table above). */
export const OPTICAL_OIDS = {
  ciscoSensorValueEntry: '1.3.6.1.4.1.9.9.91.1.1.1.1',
  ciscoSensorThresholdEntry: '1.3.6.1.4.1.9.9.91.1.2.1.1',
  juniperDomCurrentEntry: '1.3.6.1.4.1.2636.3.60.1.1.1.1',
  huaweiOpticalModuleInfoEntry: '1.3.6.1.4.1.2011.5.25.31.1.1.3.1',
  h3cTransceiverInfoEntry: '1.3.6.1.4.1.25506.2.70.1.1.1',
  entPhySensorEntry: '1.3.6.1.2.1.99.1.1.1',
} as const;

const H3C_INVALID = 2147483647;
const dbmToMicroWatts = (dbm: number): number => 1000 * Math.pow(10, dbm / 10);
const centi = (dbm: number): number => Math.round(dbm * 100);
const deci = (dbm: number): number => Math.round(dbm * 10);

function cols(defs: [number, string, ColumnSpec['type'], boolean?][]): ColumnSpec[] {
  return defs.map(([number, name, type, index]) => ({ number, name, type, ...(index ? { index: true } : {}) }));
}

// ---------------------------------------------------------------- Cisco
function cisco(st: DeviceState, port: SimPort): TableSpec[] {
  const o = port.optical!;
  const sensor = (entIndex: number, read: (w: number) => number): RowSpec => ({
    index: [entIndex],
    get(col, w): SnmpValue {
      switch (col) {
        case 1: return 14; // dBm
        case 2: return 9; // units
        case 3: return 1; // one decimal: value in 0.1 dBm
        case 4: return deci(read(w));
        case 5: return 1; // ok
        case 6: return st.uptimeTicks(w);
        case 7: return 30;
        default: throw new Error(`entSensorValueTable column ${col}`);
      }
    },
  });
  // Thresholds: 1 high alarm (major, >=), 2 high warning (minor, >=), 3 low warning (minor, <=), 4 low alarm (major, <=)
  const thresholds = (entIndex: number, t: typeof o.rx, read: (w: number) => number): RowSpec[] =>
    ([
      [1, 20, 4, t.highAlarm],
      [2, 10, 4, t.highWarn],
      [3, 10, 2, t.lowWarn],
      [4, 20, 2, t.lowAlarm],
    ] as const).map(([idx, severity, relation, dbm]) => ({
      index: [entIndex, idx],
      get(col, w): SnmpValue {
        switch (col) {
          case 1: return idx;
          case 2: return severity;
          case 3: return relation;
          case 4: return deci(dbm);
          case 5: {
            const v = deci(read(w));
            const hit = relation === 4 ? v >= deci(dbm) : v <= deci(dbm);
            return hit ? 1 : 2;
          }
          case 6: return 1;
          default: throw new Error(`entSensorThresholdTable column ${col}`);
        }
      },
    }));
  const rx = (w: number) => st.rxDbm(port, w);
  const tx = (w: number) => st.txDbm(port, w);
  return [
    {
      name: 'entSensorValueTable',
      oid: OPTICAL_OIDS.ciscoSensorValueEntry,
      columns: cols([
        [1, 'entSensorType', T.Integer],
        [2, 'entSensorScale', T.Integer],
        [3, 'entSensorPrecision', T.Integer],
        [4, 'entSensorValue', T.Integer],
        [5, 'entSensorStatus', T.Integer],
        [6, 'entSensorValueTimeStamp', T.TimeTicks],
        [7, 'entSensorValueUpdateRate', T.Integer],
      ]),
      index: [{ columnName: 'entPhysicalIndex', foreign: ENT_PHYSICAL_TABLE }],
      rows: [sensor(ENT.rxSensor, rx), sensor(ENT.txSensor, tx)],
    },
    {
      name: 'entSensorThresholdTable',
      oid: OPTICAL_OIDS.ciscoSensorThresholdEntry,
      columns: cols([
        [1, 'entSensorThresholdIndex', T.Integer, true],
        [2, 'entSensorThresholdSeverity', T.Integer],
        [3, 'entSensorThresholdRelation', T.Integer],
        [4, 'entSensorThresholdValue', T.Integer],
        [5, 'entSensorThresholdEvaluation', T.Integer],
        [6, 'entSensorThresholdNotificationEnable', T.Integer],
      ]),
      index: [{ columnName: 'entPhysicalIndex', foreign: ENT_PHYSICAL_TABLE }, { columnName: 'entSensorThresholdIndex' }],
      rows: [...thresholds(ENT.rxSensor, o.rx, rx), ...thresholds(ENT.txSensor, o.tx, tx)],
    },
  ];
}

// ---------------------------------------------------------------- Juniper
function juniper(st: DeviceState, port: SimPort): TableSpec[] {
  const o = port.optical!;
  return [
    {
      name: 'jnxDomCurrentTable',
      oid: OPTICAL_OIDS.juniperDomCurrentEntry,
      columns: cols([
        [5, 'jnxDomCurrentRxLaserPower', T.Integer],
        [6, 'jnxDomCurrentTxLaserBiasCurrent', T.Integer],
        [7, 'jnxDomCurrentTxLaserOutputPower', T.Integer],
        [8, 'jnxDomCurrentModuleTemperature', T.Integer],
        [9, 'jnxDomCurrentRxLaserPowerHighAlarmThreshold', T.Integer],
        [10, 'jnxDomCurrentRxLaserPowerLowAlarmThreshold', T.Integer],
        [11, 'jnxDomCurrentRxLaserPowerHighWarningThreshold', T.Integer],
        [12, 'jnxDomCurrentRxLaserPowerLowWarningThreshold', T.Integer],
        [17, 'jnxDomCurrentTxLaserOutputPowerHighAlarmThreshold', T.Integer],
        [18, 'jnxDomCurrentTxLaserOutputPowerLowAlarmThreshold', T.Integer],
        [19, 'jnxDomCurrentTxLaserOutputPowerHighWarningThreshold', T.Integer],
        [20, 'jnxDomCurrentTxLaserOutputPowerLowWarningThreshold', T.Integer],
      ]),
      index: [{ columnName: 'ifIndex', foreign: IF_TABLE }],
      rows: [
        {
          index: [port.ifIndex],
          get(col, w): SnmpValue {
            switch (col) {
              case 5: return centi(st.rxDbm(port, w));
              case 6: return st.biasMicroAmps();
              case 7: return centi(st.txDbm(port, w));
              case 8: return Math.round(st.moduleTemperature(w));
              case 9: return centi(o.rx.highAlarm);
              case 10: return centi(o.rx.lowAlarm);
              case 11: return centi(o.rx.highWarn);
              case 12: return centi(o.rx.lowWarn);
              case 17: return centi(o.tx.highAlarm);
              case 18: return centi(o.tx.lowAlarm);
              case 19: return centi(o.tx.highWarn);
              case 20: return centi(o.tx.lowWarn);
              default: throw new Error(`jnxDomCurrentTable column ${col}`);
            }
          },
        },
      ],
    },
  ];
}

// ---------------------------------------------------------------- Huawei
function huawei(st: DeviceState, port: SimPort): TableSpec[] {
  const o = port.optical!;
  const power = (dbm: number) => (o.huaweiUnit === 'uW' ? Math.round(dbmToMicroWatts(dbm)) : centi(dbm));
  return [
    {
      name: 'hwOpticalModuleInfoTable',
      oid: OPTICAL_OIDS.huaweiOpticalModuleInfoEntry,
      columns: cols([
        [1, 'hwEntityOpticalMode', T.Integer],
        [2, 'hwEntityOpticalWaveLength', T.Integer],
        [3, 'hwEntityOpticalTransDistance', T.Integer],
        [5, 'hwEntityOpticalTemperature', T.Integer],
        [6, 'hwEntityOpticalVoltage', T.Integer],
        [7, 'hwEntityOpticalBiasCurrent', T.Integer],
        [8, 'hwEntityOpticalRxPower', T.Integer],
        [9, 'hwEntityOpticalTxPower', T.Integer],
        [10, 'hwEntityOpticalType', T.Integer],
        [13, 'hwEntityOpticalRxLowThreshold', T.Integer],
        [14, 'hwEntityOpticalRxHighThreshold', T.Integer],
        [15, 'hwEntityOpticalTxLowThreshold', T.Integer],
        [16, 'hwEntityOpticalTxHighThreshold', T.Integer],
        [20, 'hwEntityOpticalRxLowWarnThreshold', T.Integer],
        [21, 'hwEntityOpticalRxHighWarnThreshold', T.Integer],
        [22, 'hwEntityOpticalTxLowWarnThreshold', T.Integer],
        [23, 'hwEntityOpticalTxHighWarnThreshold', T.Integer],
      ]),
      index: [{ columnName: 'entPhysicalIndex', foreign: ENT_PHYSICAL_TABLE }],
      rows: [
        {
          index: [ENT.port],
          get(col, w): SnmpValue {
            switch (col) {
              case 1: return 2; // singleMode
              case 2: return 1310;
              case 3: return 10000;
              case 5: return Math.round(st.moduleTemperature(w));
              case 6: return 3300;
              case 7: return st.biasMicroAmps();
              case 8: return power(st.rxDbm(port, w));
              case 9: return power(st.txDbm(port, w));
              case 10: return 3; // sfp
              case 13: return centi(o.rx.lowAlarm);
              case 14: return centi(o.rx.highAlarm);
              case 15: return centi(o.tx.lowAlarm);
              case 16: return centi(o.tx.highAlarm);
              case 20: return centi(o.rx.lowWarn);
              case 21: return centi(o.rx.highWarn);
              case 22: return centi(o.tx.lowWarn);
              case 23: return centi(o.tx.highWarn);
              default: throw new Error(`hwOpticalModuleInfoTable column ${col}`);
            }
          },
        },
      ],
    },
  ];
}

// ---------------------------------------------------------------- H3C
function h3c(st: DeviceState, port: SimPort, spare: SimPort | undefined): TableSpec[] {
  const o = port.optical!;
  const tenthUw = (dbm: number) => Math.round(dbmToMicroWatts(dbm) * 10);
  const row = (p: SimPort, diag: boolean): RowSpec => ({
    index: [p.ifIndex],
    get(col, w): SnmpValue {
      switch (col) {
        case 1: return 'SM';
        case 2: return '1000_BASE_LX_SFP';
        case 3: return 1310;
        case 4: return diag ? 'H3C' : 'OEM';
        case 5: return serial(st.device, `sfp${p.ifIndex}`);
        case 8: return diag ? 1 : 2;
        case 9: return diag ? centi(st.txDbm(p, w)) : H3C_INVALID;
        case 12: return diag ? centi(st.rxDbm(p, w)) : H3C_INVALID;
        case 15: return diag ? Math.round(st.moduleTemperature(w)) : H3C_INVALID;
        case 30: return diag ? tenthUw(o.tx.highAlarm) : 0;
        case 31: return diag ? tenthUw(o.tx.lowAlarm) : 0;
        case 32: return diag ? tenthUw(o.tx.highWarn) : 0;
        case 33: return diag ? tenthUw(o.tx.lowWarn) : 0;
        case 34: return diag ? tenthUw(o.rx.highAlarm) : 0;
        case 35: return diag ? tenthUw(o.rx.lowAlarm) : 0;
        case 36: return diag ? tenthUw(o.rx.highWarn) : 0;
        case 37: return diag ? tenthUw(o.rx.lowWarn) : 0;
        default: throw new Error(`hh3cTransceiverInfoTable column ${col}`);
      }
    },
  });
  return [
    {
      name: 'hh3cTransceiverInfoTable',
      oid: OPTICAL_OIDS.h3cTransceiverInfoEntry,
      columns: cols([
        [1, 'hh3cTransceiverHardwareType', T.OctetString],
        [2, 'hh3cTransceiverType', T.OctetString],
        [3, 'hh3cTransceiverWaveLength', T.Integer],
        [4, 'hh3cTransceiverVendorName', T.OctetString],
        [5, 'hh3cTransceiverSerialNumber', T.OctetString],
        [8, 'hh3cTransceiverDiagnostic', T.Integer],
        [9, 'hh3cTransceiverCurTXPower', T.Integer],
        [12, 'hh3cTransceiverCurRXPower', T.Integer],
        [15, 'hh3cTransceiverTemperature', T.Integer],
        [30, 'hh3cTransceiverPwrOutHiAlarm', T.Integer],
        [31, 'hh3cTransceiverPwrOutLoAlarm', T.Integer],
        [32, 'hh3cTransceiverPwrOutHiWarn', T.Integer],
        [33, 'hh3cTransceiverPwrOutLoWarn', T.Integer],
        [34, 'hh3cTransceiverRcvPwrHiAlarm', T.Integer],
        [35, 'hh3cTransceiverRcvPwrLoAlarm', T.Integer],
        [36, 'hh3cTransceiverRcvPwrHiWarn', T.Integer],
        [37, 'hh3cTransceiverRcvPwrLoWarn', T.Integer],
      ]),
      index: [{ columnName: 'ifIndex', foreign: IF_TABLE }],
      rows: [row(port, true), ...(spare ? [row(spare, false)] : [])],
    },
  ];
}

// ---------------------------------------------------------------- RFC 3433 ENTITY-SENSOR-MIB
function entitySensor(st: DeviceState, port: SimPort): TableSpec[] {
  const sensor = (entIndex: number, read: (w: number) => number): RowSpec => ({
    index: [entIndex],
    get(col, w): SnmpValue {
      switch (col) {
        case 1: return 6; // watts
        case 2: return 7; // micro
        case 3: return 1; // one decimal: value in 0.1 µW
        case 4: return Math.round(dbmToMicroWatts(read(w)) * 10);
        case 5: return 1; // ok
        case 6: return 'uW';
        case 7: return st.uptimeTicks(w);
        case 8: return 30;
        default: throw new Error(`entPhySensorTable column ${col}`);
      }
    },
  });
  return [
    {
      name: 'entPhySensorTable',
      oid: OPTICAL_OIDS.entPhySensorEntry,
      columns: cols([
        [1, 'entPhySensorType', T.Integer],
        [2, 'entPhySensorScale', T.Integer],
        [3, 'entPhySensorPrecision', T.Integer],
        [4, 'entPhySensorValue', T.Integer],
        [5, 'entPhySensorOperStatus', T.Integer],
        [6, 'entPhySensorUnitsDisplay', T.OctetString],
        [7, 'entPhySensorValueTimeStamp', T.TimeTicks],
        [8, 'entPhySensorValueUpdateRate', T.Gauge32],
      ]),
      index: [{ columnName: 'entPhysicalIndex', foreign: ENT_PHYSICAL_TABLE }],
      rows: [sensor(ENT.rxSensor, (w) => st.rxDbm(port, w)), sensor(ENT.txSensor, (w) => st.txDbm(port, w))],
    },
  ];
}

/** The optical tables of a fibre edge switch (plus the ENTITY-MIB they index into, where they need it). */
export function opticalMib(st: DeviceState): MibModule {
  const d = st.device;
  const port = d.ports.find((p) => p.fibre && p.optical);
  if (!port) return { scalars: [], tables: [] };
  switch (d.vendor) {
    case 'cisco':
      return { scalars: [], tables: [...entityMib(d, port, true).tables, ...cisco(st, port)] };
    case 'generic':
      return { scalars: [], tables: [...entityMib(d, port, true).tables, ...entitySensor(st, port)] };
    case 'huawei':
      return { scalars: [], tables: [...entityMib(d, port, false).tables, ...huawei(st, port)] };
    case 'juniper':
      return { scalars: [], tables: juniper(st, port) };
    case 'h3c':
      return { scalars: [], tables: h3c(st, port, d.ports.find((p) => p.sfpNoDiagnostics)) };
  }
}
