/**
 * Every probe kind netmon has. Adding one: a module under probes/ with its descriptor (probes/kind.ts),
 * its spec type in the `ProbeSpec` union (src/types.ts) and one line here; the type below fails to compile
 * until the two lists agree. The config schema, the daemon and `netmon probe` all take the kinds from here.
 */
import type { Probe, ProbeKindName, SpecOf } from '../src/types.js';
import type { ProbeContext, ProbeKind } from './kind.js';
import { snmpKind } from './snmp/kind.js';
import { pingKind } from './icmp/kind.js';
import { hostKind } from './host/kind.js';

export const PROBE_KINDS = {
  snmp: snmpKind,
  ping: pingKind,
  host: hostKind,
} satisfies { [K in ProbeKindName]: ProbeKind<SpecOf<K>> };

/** The registry seen through its kind → spec mapping, so a kind's descriptor and spec stay correlated. */
const KINDS: { readonly [K in ProbeKindName]: ProbeKind<SpecOf<K>> } = PROBE_KINDS;

export const PROBE_KIND_NAMES = Object.keys(PROBE_KINDS) as ProbeKindName[];

/** One live probe of every kind. */
export type ProbeSet = { [K in ProbeKindName]: Probe<SpecOf<K>> };

export function createProbes(ctx: ProbeContext): ProbeSet {
  // Listed by name so the compiler checks every kind is created; each comes from the registry above.
  const create = <K extends ProbeKindName>(kind: K): Probe<SpecOf<K>> => KINDS[kind].create(ctx);
  return { snmp: create('snmp'), ping: create('ping'), host: create('host') };
}

/** The probe that runs a spec of this kind (the mapped type keeps kind and spec together without casts). */
export function probeFor<K extends ProbeKindName>(probes: ProbeSet, kind: K): Probe<SpecOf<K>> {
  return probes[kind];
}


export async function closeProbes(probes: ProbeSet): Promise<void> {
  for (const kind of PROBE_KIND_NAMES) await probes[kind].close?.();
}
