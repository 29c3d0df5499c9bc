/**
 * The part of docs/metrics.md that lists what each SNMP profile emits, generated from the profiles
 * themselves (probes/profiles/*.yaml) so the doc cannot drift from them: `npm run gen:metrics-doc`
 * rewrites the section between the markers, and test/snmp/metrics-doc.test.ts fails when it is stale.
 */
import { profileMetricNames, type Profile } from '../probes/snmp/profile.js';

export const BEGIN = '<!-- BEGIN GENERATED: profile metrics (npm run gen:metrics-doc; do not edit by hand) -->';
export const END = '<!-- END GENERATED: profile metrics -->';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

/** One table per profile, in name order: every concrete metric, its type, labels and help. */
export function profilesSection(profiles: ReadonlyMap<string, Profile>): string {
  const out: string[] = [];
  for (const p of [...profiles.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(`#### Profile \`${p.name}\``, '', `${cell(p.description)}.`, '', '| metric | type | labels | meaning |', '| --- | --- | --- | --- |');
    const seen = new Set<string>();
    for (const m of profileMetricNames(p)) {
      if (seen.has(m.metric)) continue; // one metric read from several tables (variants) is listed once
      seen.add(m.metric);
      out.push(`| \`${m.metric}\` | ${m.type} | ${['target', 'site', ...m.labels].join(', ')} | ${cell(m.help)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** `doc` with the text between the markers replaced by `section`; throws when the markers are missing. */
export function withSection(doc: string, section: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/metrics.md: markers ${BEGIN} … ${END} not found`);
  return `${doc.slice(0, a + BEGIN.length)}\n\n${section}\n${doc.slice(b)}`;
}
