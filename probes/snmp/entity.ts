/**
 * The device's inventory: ENTITY-MIB entPhysicalTable (RFC 6933: chassis, modules, power supplies, fans,
 * ports, with their model names, serial numbers and revisions) read as a table for the inventory API, not
 * as metric labels (a stack has hundreds of entities). What reaches /metrics is one info series for the
 * device (vendor, model, sysObjectID) and one per chassis (model, serial, revisions).
 */
import type snmp from 'net-snmp';
import type { DeviceInventory, PhysicalEntity } from '../../src/http/contract.js';
import type { Sample } from '../../src/types.js';
import type { DeviceIdentity } from './device.js';
import { rawToLabel, toNumber } from './fields.js';
import { walkColumns, type RawValue, type WalkOptions } from './walk.js';

const ENT = (n: number) => `1.3.6.1.2.1.47.1.1.1.1.${n}`;
/** entPhysicalEntry columns read (entPhysicalAlias 14, AssetID 15, MfgDate 17, Uris 18, UUID 19 are not). */
const COLUMNS = {
  descr: ENT(2),
  vendor_type: ENT(3),
  contained_in: ENT(4),
  class: ENT(5),
  parent_rel_pos: ENT(6),
  name: ENT(7),
  hardware_rev: ENT(8),
  firmware_rev: ENT(9),
  software_rev: ENT(10),
  serial_num: ENT(11),
  mfg_name: ENT(12),
  model_name: ENT(13),
  is_fru: ENT(16),
} as const;

/** IANAPhysicalClass (IANA-ENTITY-MIB). */
const CLASS_NAMES: Record<number, string> = {
  1: 'other',
  2: 'unknown',
  3: 'chassis',
  4: 'backplane',
  5: 'container',
  6: 'powerSupply',
  7: 'fan',
  8: 'sensor',
  9: 'module',
  10: 'port',
  11: 'stack',
  12: 'cpu',
  13: 'energyObject',
  14: 'battery',
  15: 'storageDrive',
};
const CHASSIS = 3;

/** Walk entPhysicalTable: one row per entity, in index order; [] for an agent without ENTITY-MIB. */
export async function readEntities(session: snmp.Session, walk: WalkOptions): Promise<PhysicalEntity[]> {
  const data = await walkColumns(session, Object.values(COLUMNS), walk);
  const indexes = new Set<string>();
  for (const col of data.values()) for (const i of col.keys()) indexes.add(i);
  const at = (key: keyof typeof COLUMNS, i: string): RawValue | undefined => data.get(COLUMNS[key])?.get(i);
  const text = (key: keyof typeof COLUMNS, i: string) => rawToLabel(at(key, i));
  const num = (key: keyof typeof COLUMNS, i: string) => toNumber(at(key, i) ?? undefined) ?? null;
  return [...indexes]
    .filter((i) => /^\d+$/.test(i))
    .sort((a, b) => Number(a) - Number(b))
    .map((i) => {
      const cls = num('class', i);
      const fru = num('is_fru', i);
      return {
        index: Number(i),
        descr: text('descr', i),
        vendor_type: text('vendor_type', i),
        contained_in: num('contained_in', i),
        class: cls,
        class_name: cls === null ? null : (CLASS_NAMES[cls] ?? null),
        parent_rel_pos: num('parent_rel_pos', i),
        name: text('name', i),
        hardware_rev: text('hardware_rev', i),
        firmware_rev: text('firmware_rev', i),
        software_rev: text('software_rev', i),
        serial_num: text('serial_num', i),
        mfg_name: text('mfg_name', i),
        model_name: text('model_name', i),
        // TruthValue: true(1), false(2)
        is_fru: fru === 1 ? true : fru === 2 ? false : null,
      };
    });
}

/** `added`: the vendor profiles the target was given (none when its config replaces the defaults). */
export function inventoryOf(device: DeviceIdentity, added: string[], entities: PhysicalEntity[], readAt: number): DeviceInventory {
  return { sys_object_id: device.sysObjectId, vendor: device.vendor, model: device.model, vendor_profiles: added, entities, read_at: readAt };
}

const DEVICE_HELP = 'The device as identified by its sysObjectID (probes/profiles/devices/sysobjectid.yaml); value is always 1.';
const CHASSIS_HELP = 'One series per chassis of the device (ENTITY-MIB entPhysicalClass chassis): its model, serial number and revisions; value is always 1. The full entity table is at /api/v1/targets/{target}/inventory.';

/** netmon_device_info, and netmon_device_chassis_info for every chassis entity. */
export function inventorySamples(inv: DeviceInventory, ts: number): Sample[] {
  const out: Sample[] = [
    { metric: 'netmon_device_info', labels: { vendor: inv.vendor, model: inv.model, sys_object_id: inv.sys_object_id }, value: 1, ts, type: 'gauge', help: DEVICE_HELP },
  ];
  for (const e of inv.entities) {
    if (e.class !== CHASSIS) continue;
    out.push({
      metric: 'netmon_device_chassis_info',
      labels: {
        ent_physical_index: String(e.index),
        entity_name: e.name,
        model_name: e.model_name,
        serial_number: e.serial_num,
        hardware_rev: e.hardware_rev,
        firmware_rev: e.firmware_rev,
        software_rev: e.software_rev,
      },
      value: 1,
      ts,
      type: 'gauge',
      help: CHASSIS_HELP,
    });
  }
  return out;
}
