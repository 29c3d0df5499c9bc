/**
 * `flows:` in the main file: the flow collector (absent = off; `flows: {}` = on with the defaults). Exporters
 * must be listed: a datagram from any other address is dropped (unknown_exporter), so nobody can inject
 * traffic figures. References to targets, uplinks and sites are checked against the loaded config by
 * flowConfigProblems (they may live in included files, which this block cannot see).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { duration, name, port } from '../config/primitives.js';

const ipAddress = z.string().refine((a) => isIP(a) !== 0, 'expected an IPv4 or IPv6 address (the UDP source address of the exporter)');

/** `10.20.0.0/16` or `2001:db8:20::/48`: an address and a prefix length that fits it. */
const prefix = z.string().superRefine((s, ctx) => {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  const v = m ? isIP(m[1]!) : 0;
  if (!m || v === 0) return void ctx.addIssue({ code: 'custom', message: 'expected a prefix such as 10.20.0.0/16 or 2001:db8:20::/48' });
  if (Number(m[2]) > (v === 4 ? 32 : 128)) ctx.addIssue({ code: 'custom', message: `prefix length must be at most ${v === 4 ? 32 : 128}` });
});

const exporter = z.strictObject({
  address: ipAddress.describe('the exporter\'s UDP source address'),
  target: name.optional().describe('the target that is this exporter (its SNMP interface table maps ifIndex to uplinks); default: the target with this address'),
  interfaces: z
    .record(z.string(), name)
    // checked here, not as the record's key schema: zod's message for a bad key names neither key nor rule
    .superRefine((m, ctx) => {
      for (const k of Object.keys(m)) if (!/^[1-9][0-9]{0,9}$/.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'expected an ifIndex (a positive integer) as the key' });
    })
    .default({})
    .describe('ifIndex → uplink name, for exporters whose interface table netmon does not poll; overrides the SNMP mapping'),
});

export const flows = z
  .strictObject({
    listen_address: z.string().default('0.0.0.0').describe('address the UDP listeners bind to'),
    netflow_port: port.default(2055).describe('UDP port for NetFlow v5/v9 and IPFIX'),
    sflow_port: port.default(6343).describe('UDP port for sFlow v5'),
    exporters: z.array(exporter).default([]).describe('exporters accepted (by source address), and how their interfaces map to uplinks'),
    site_prefixes: z.record(name, z.array(prefix).min(1)).default({}).describe('site id → the address prefixes of that site (attributes flows to sites)'),
    top_n: z.number().int().min(1).max(1000).default(100).describe('entries kept per minute, uplink, direction and dimension; the rest is summed as "other"'),
    retention: duration.prefault('35d').describe('how long flow aggregates (hourly rollups) are kept'),
    minute_retention: duration.prefault('2d').describe('how long per-minute detail is kept; older ranges are answered from hourly rollups (top N of each hour + other)'),
    host_retention: duration.prefault('7d').describe('privacy: after this, per-host dimensions (src, dst, pair) are deleted; sites, services and apps stay'),
  })
  .describe('flow collector: NetFlow v5/v9, IPFIX and sFlow v5, attributed to uplinks, sites, services and applications');
export type FlowsConfig = z.output<typeof flows>;

interface ConfigView {
  targets: ReadonlyArray<{ name: string; address: string }>;
  sites: ReadonlyArray<{ id: string }>;
  uplinks: ReadonlyArray<{ name: string; target: string }>;
}

/** What in `flows:` names something the config does not define, as messages for the admin. */
export function flowConfigProblems(f: FlowsConfig, c: ConfigView): string[] {
  const out: string[] = [];
  const targets = new Set(c.targets.map((t) => t.name));
  const uplinks = new Set(c.uplinks.map((u) => u.name));
  const sites = new Set(c.sites.map((s) => s.id));
  const seen = new Set<string>();
  f.exporters.forEach((e, i) => {
    if (seen.has(e.address)) out.push(`flows.exporters[${i}].address: exporter ${e.address} is listed twice`);
    seen.add(e.address);
    if (e.target !== undefined && !targets.has(e.target)) out.push(`flows.exporters[${i}].target: no target named "${e.target}"`);
    for (const [ifIndex, u] of Object.entries(e.interfaces)) if (!uplinks.has(u)) out.push(`flows.exporters[${i}].interfaces.${ifIndex}: no uplink named "${u}"`);
  });
  for (const s of Object.keys(f.site_prefixes)) if (!sites.has(s)) out.push(`flows.site_prefixes.${s}: no site with id "${s}"`);
  return out;
}
