/** Rewrites the generated profile section of docs/metrics.md from probes/profiles/*.yaml (`npm run gen:metrics-doc`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadProfiles } from '../probes/snmp/profile.js';
import { profilesSection, withSection } from './metrics-doc.js';

const url = new URL('../docs/metrics.md', import.meta.url);
writeFileSync(url, withSection(readFileSync(url, 'utf8'), profilesSection(loadProfiles())));
console.log('wrote docs/metrics.md (profile metrics)');
