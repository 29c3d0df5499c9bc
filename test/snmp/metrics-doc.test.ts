/** docs/metrics.md lists exactly what each SNMP profile emits: its generated section must match the profiles. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProfiles, profileMetricNames } from '../../probes/snmp/profile.js';
import { BEGIN, END, profilesSection, withSection } from '../../scripts/metrics-doc.js';

const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
const profiles = loadProfiles();

describe('docs/metrics.md, profile section', () => {
  it('is up to date with probes/profiles (run `npm run gen:metrics-doc`)', () => {
    expect(withSection(doc, profilesSection(profiles))).toBe(doc);
  });

  it('names every metric of every profile under that profile, and nothing the profiles do not emit', () => {
    const section = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END));
    const listed = new Set([...section.matchAll(/^\| `(netmon_[a-z0-9_]+)` \|/gm)].map((m) => m[1]!));
    const emitted = new Set([...profiles.values()].flatMap((p) => profileMetricNames(p).map((m) => m.metric)));
    expect([...listed].sort()).toEqual([...emitted].sort());
    for (const p of profiles.values()) expect(section).toContain(`#### Profile \`${p.name}\``);
  });

  it('the SNMP server profiles emit cpu_load and storage, not the host probe\'s cpu_utilization and filesystem names', () => {
    const server = ['host-resources', 'ucd-snmp'].flatMap((n) => profileMetricNames(profiles.get(n)!).map((m) => m.metric));
    expect(server).toContain('netmon_host_cpu_load_ratio');
    expect(server).toContain('netmon_host_storage_used_bytes');
    expect(server.filter((m) => /cpu_utilization|filesystem/.test(m))).toEqual([]);
  });

  it('withSection refuses a doc without markers', () => {
    expect(() => withSection('# no markers', 'x')).toThrow(/markers/);
  });
});
