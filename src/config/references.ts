/**
 * Checks across files: unique names and references that resolve (credentials, sites, uplink targets).
 * Works on the raw data of every parsed file, so it still runs when some entries fail validation.
 */
import { formatPath, type ConfigProblem } from './errors.js';
import { closest } from './suggest.js';
import { locate, type YamlSource } from './source.js';

interface Definition {
  src: YamlSource;
  path: PropertyKey[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Entries of a list section: [index, entry] for every map entry. */
function entries(data: unknown, section: string): [number, Rec][] {
  const list = isRec(data) ? data[section] : undefined;
  return Array.isArray(list) ? list.flatMap((e, i) => (isRec(e) ? [[i, e] as [number, Rec]] : [])) : [];
}

function definedList(names: Iterable<string>): string {
  const all = [...names];
  if (!all.length) return 'none are defined';
  const shown = all.slice(0, 10).join(', ');
  return `defined: ${shown}${all.length > 10 ? `, ... (${all.length} in all)` : ''}`;
}

export function checkReferences(sources: YamlSource[], main: YamlSource, checkRefs: boolean): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (src: YamlSource, path: PropertyKey[], message: string, key = false) => {
    const { line, column } = locate(src, path, key);
    problems.push({ file: src.display, line, column, path: formatPath(path), message });
  };

  /** Registers names in file order; a second definition is an error pointing back at the first. */
  const registry = (what: string) => {
    const seen = new Map<string, Definition>();
    return {
      seen,
      add(name: string | undefined, src: YamlSource, path: PropertyKey[], key = false) {
        if (name === undefined) return;
        const first = seen.get(name);
        if (!first) return void seen.set(name, { src, path });
        const { line } = locate(first.src, first.path, key);
        report(src, path, `duplicate ${what} \`${name}\`; first defined at ${first.src.display}:${line}`, key);
      },
    };
  };

  const sites = registry('site id');
  const targets = registry('target name');
  const credentials = registry('credential');
  const uplinks = registry('uplink name');
  const targetHasSnmp = new Map<string, boolean>();
  for (const src of sources) {
    for (const [i, s] of entries(src.data, 'sites')) sites.add(str(s.id), src, ['sites', i, 'id']);
    for (const [i, t] of entries(src.data, 'targets')) {
      targets.add(str(t.name), src, ['targets', i, 'name']);
      if (str(t.name) && !targetHasSnmp.has(t.name as string)) targetHasSnmp.set(t.name as string, t.snmp !== undefined);
    }
    const creds = isRec(src.data) ? src.data.credentials : undefined;
    if (isRec(creds)) for (const name of Object.keys(creds)) credentials.add(name, src, ['credentials', name], true);
  }
  for (const [i, u] of entries(main.data, 'uplinks')) uplinks.add(str(u.name), main, ['uplinks', i, 'name']);
  if (!checkRefs) return problems;

  const ref = (what: string, name: string | undefined, defined: Map<string, unknown>, src: YamlSource, path: PropertyKey[]) => {
    if (name === undefined || defined.has(name)) return false;
    const hint = closest(name, defined.keys());
    report(src, path, `${what} \`${name}\` is not defined; ${definedList(defined.keys())}${hint ? `; did you mean \`${hint}\`?` : ''}`);
    return true;
  };
  for (const src of sources) {
    for (const [i, t] of entries(src.data, 'targets')) {
      ref('site', str(t.site), sites.seen, src, ['targets', i, 'site']);
      if (isRec(t.snmp)) ref('credential', str(t.snmp.credential), credentials.seen, src, ['targets', i, 'snmp', 'credential']);
    }
  }
  for (const [i, u] of entries(main.data, 'uplinks')) {
    const name = str(u.target);
    if (ref('target', name, targets.seen, main, ['uplinks', i, 'target']) || name === undefined) continue;
    if (!targetHasSnmp.get(name)) report(main, ['uplinks', i, 'target'], `target \`${name}\` has no snmp probe; an uplink is measured from its interface counters`);
  }
  return problems;
}
