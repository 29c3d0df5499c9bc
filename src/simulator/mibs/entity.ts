/**
 * ENTITY-MIB (RFC 6933) subset: entPhysicalTable (1.3.6.1.2.1.47.1.1.1) and entAliasMappingTable
 * (1.3.6.1.2.1.47.1.3.2), as much as the vendor optical tables need to be tied to an interface.
 *
 * How a sensor is mapped to an interface (what the poller's profiles follow):
 *   sensor entity (class sensor(8))  --entPhysicalContainedIn-->  transceiver module (class module(9))
 *   module                           --entPhysicalContainedIn-->  port entity (class port(10))
 *   port entity                      --entAliasMappingIdentifier.<port>.0-->  IF-MIB ifIndex.<n>
 * i.e. entAliasMappingIdentifier of the port entity is the RowPointer `1.3.6.1.2.1.2.2.1.1.<ifIndex>`.
 * The entPhysicalName of each entity also carries the interface's name, as Cisco and Huawei do.
 * Huawei indexes hwOpticalModuleInfoTable by the port entity itself (no module/sensor entities);
 * Cisco (CISCO-ENTITY-SENSOR-MIB) and RFC 3433 (ENTITY-SENSOR-MIB) index by the sensor entities.
 */
import { T } from '../net-snmp.js';
import type { SimDevice, SimPort } from '../model.js';
import { hash32 } from '../random.js';
import type { MibModule, RowSpec, SnmpValue } from './types.js';

/** A stable serial number (a function of the device name, not of its address). */
export const serial = (d: SimDevice, part: string): string =>
  `${part === 'sfp' ? 'FNS' : 'FOC'}${hash32(0, d.name, part).toString(36).toUpperCase().padStart(7, '0')}`;

export const ENT_PHYSICAL_TABLE = 'entPhysicalTable';

/** entPhysicalIndex values used for the fibre port and its parts. */
export const ENT = { chassis: 1, port: 1001, module: 1002, rxSensor: 1003, txSensor: 1004 } as const;

/** entPhysicalClass values (RFC 6933 PhysicalClass). */
const CLASS = { chassis: 3, sensor: 8, module: 9, port: 10 } as const;

interface Entity {
  index: number;
  descr: string;
  containedIn: number;
  cls: number;
  relPos: number;
  name: string;
  serial: string;
  model: string;
  fru: boolean;
}

export function fibreEntities(d: SimDevice, port: SimPort, withSensors: boolean): Entity[] {
  const out: Entity[] = [
    { index: ENT.chassis, descr: d.model, containedIn: 0, cls: CLASS.chassis, relPos: -1, name: d.model, serial: serial(d, 'chassis'), model: d.model, fru: false },
    { index: ENT.port, descr: port.ifDescr, containedIn: ENT.chassis, cls: CLASS.port, relPos: 1, name: port.ifDescr, serial: '', model: '', fru: false },
  ];
  if (withSensors) {
    out.push(
      { index: ENT.module, descr: '1000BaseLX SFP', containedIn: ENT.port, cls: CLASS.module, relPos: 0, name: `${port.ifDescr} Module`, serial: serial(d, 'sfp'), model: 'SFP-1G-LX', fru: true },
      { index: ENT.rxSensor, descr: `${port.ifDescr} Receive Power Sensor`, containedIn: ENT.module, cls: CLASS.sensor, relPos: 1, name: `${port.ifDescr} Receive Power Sensor`, serial: '', model: '', fru: false },
      { index: ENT.txSensor, descr: `${port.ifDescr} Transmit Power Sensor`, containedIn: ENT.module, cls: CLASS.sensor, relPos: 2, name: `${port.ifDescr} Transmit Power Sensor`, serial: '', model: '', fru: false },
    );
  }
  return out;
}

export function entityMib(d: SimDevice, port: SimPort, withSensors: boolean): MibModule {
  const entities = fibreEntities(d, port, withSensors);
  const mfgName: Record<string, string> = { cisco: 'Cisco Systems, Inc.', huawei: 'Huawei Technologies Co., Ltd.', generic: '' };
  const physRow = (e: Entity): RowSpec => ({
    index: [e.index],
    get(col): SnmpValue {
      switch (col) {
        case 1: return e.index;
        case 2: return e.descr;
        case 3: return '0.0';
        case 4: return e.containedIn;
        case 5: return e.cls;
        case 6: return e.relPos;
        case 7: return e.name;
        case 11: return e.serial;
        case 12: return mfgName[d.vendor] ?? '';
        case 13: return e.model;
        case 16: return e.fru ? 1 : 2;
        default: throw new Error(`entPhysicalTable column ${col}`);
      }
    },
  });
  return {
    scalars: [],
    tables: [
      {
        name: ENT_PHYSICAL_TABLE,
        oid: '1.3.6.1.2.1.47.1.1.1.1',
        columns: [
          { number: 1, name: 'entPhysicalIndex', type: T.Integer, index: true },
          { number: 2, name: 'entPhysicalDescr', type: T.OctetString },
          { number: 3, name: 'entPhysicalVendorType', type: T.OID },
          { number: 4, name: 'entPhysicalContainedIn', type: T.Integer },
          { number: 5, name: 'entPhysicalClass', type: T.Integer },
          { number: 6, name: 'entPhysicalParentRelPos', type: T.Integer },
          { number: 7, name: 'entPhysicalName', type: T.OctetString },
          { number: 11, name: 'entPhysicalSerialNum', type: T.OctetString },
          { number: 12, name: 'entPhysicalMfgName', type: T.OctetString },
          { number: 13, name: 'entPhysicalModelName', type: T.OctetString },
          { number: 16, name: 'entPhysicalIsFRU', type: T.Integer },
        ],
        index: [{ columnName: 'entPhysicalIndex' }],
        rows: entities.map(physRow),
      },
      {
        name: 'entAliasMappingTable',
        oid: '1.3.6.1.2.1.47.1.3.2.1',
        columns: [
          { number: 1, name: 'entAliasLogicalIndexOrZero', type: T.Integer, index: true },
          { number: 2, name: 'entAliasMappingIdentifier', type: T.OID },
        ],
        index: [{ columnName: 'entPhysicalIndex', foreign: ENT_PHYSICAL_TABLE }, { columnName: 'entAliasLogicalIndexOrZero' }],
        rows: [
          {
            index: [ENT.port, 0],
            get: (col) => (col === 1 ? 0 : `1.3.6.1.2.1.2.2.1.1.${port.ifIndex}`),
          },
        ],
      },
    ],
  };
}
