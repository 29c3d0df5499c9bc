/**
 * Which device an agent is: its sysObjectID looked up in probes/profiles/devices/sysobjectid.yaml (data,
 * not code) by longest prefix, giving the vendor, the model family where known, and the vendor profiles
 * netmon adds to the target's role profiles (CISCO-PROCESS-MIB on a Cisco, HUAWEI-ENTITY-EXTENT-MIB on a
 * Huawei...). An entry without `vendor` or `profiles` takes them from the longest shorter prefix that has them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { PROFILES_DIR } from '../../src/paths.js';

export const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
export const DEVICES_FILE = join(PROFILES_DIR, 'devices', 'sysobjectid.yaml');

const entry = z.strictObject({
  prefix: z.string().regex(/^\d+(\.\d+)+$/, 'a numeric OID prefix such as 1.3.6.1.4.1.9'),
  vendor: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).optional(),
  model: z.string().min(1).optional(),
  profiles: z.array(z.string()).optional(),
});
const file = z.strictObject({ devices: z.array(entry).min(1) });

/** What netmon knows about a device from its sysObjectID. */
export interface DeviceIdentity {
  /** As the agent said it ('' when it has none). */
  sysObjectId: string;
  /** `unknown` when no prefix matches. */
  vendor: string;
  /** '' when the table names no model for it. */
  model: string;
  /** Profiles to add to the target's role profiles. */
  profiles: string[];
}

export type DeviceTable = (sysObjectId: string) => DeviceIdentity;

/** Load the table; a malformed file, a prefix listed twice or an unknown profile is an error naming the file. */
export function loadDeviceTable(knownProfiles: ReadonlySet<string>, path = DEVICES_FILE): DeviceTable {
  const parsed = file.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const byPrefix = new Map<string, z.output<typeof entry>>();
  for (const e of parsed.data.devices) {
    if (byPrefix.has(e.prefix)) throw new Error(`${path}: prefix ${e.prefix} is listed twice`);
    for (const p of e.profiles ?? []) if (!knownProfiles.has(p)) throw new Error(`${path}: prefix ${e.prefix}: unknown profile ${p}`);
    byPrefix.set(e.prefix, e);
  }
  return (sysObjectId) => {
    const id: DeviceIdentity = { sysObjectId, vendor: 'unknown', model: '', profiles: [] };
    // Every prefix of the OID, shortest first: later (longer) matches override what they set.
    const arcs = sysObjectId.split('.');
    for (let n = 2; n <= arcs.length; n++) {
      const e = byPrefix.get(arcs.slice(0, n).join('.'));
      if (!e) continue;
      if (e.vendor !== undefined) id.vendor = e.vendor;
      if (e.profiles !== undefined) id.profiles = e.profiles;
      // A new vendor subtree without a model of its own: its parent's model does not apply.
      if (e.model !== undefined || e.vendor !== undefined) id.model = e.model ?? '';
    }
    return id;
  };
}
