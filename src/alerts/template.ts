/**
 * Summary/description templates: `{{ name }}` or `{{ name | filter }}`, where name is a label of the alert,
 * `value`, `threshold`, `alertname`, `severity` or a rule-specific variable (`site_name`, `uplink_name`,
 * `baseline_dbm`, `drop_db`, `reason`); Prometheus' `{{ $labels.name }}` and `{{ $value }}` work too.
 * Filters: `percent` (0.93 → 93%), `round` / `round:N`, `ms` (seconds → "12.3 ms"), `dbm` ("-8.1 dBm"),
 * `duration` (seconds → "3d 4h"). Unknown names render as empty strings; a template never throws.
 */
export type TemplateVars = Record<string, string | number | undefined>;

const TOKEN = /\{\{\s*([$A-Za-z_][\w.$]*)\s*(?:\|\s*([a-z]+)(?::(\d+))?\s*)?\}\}/g;

function num(v: string | number | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function trim(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const out = [d && `${d}d`, h && `${h}h`, m && `${m}m`, sec && !d && `${sec}s`].filter(Boolean).slice(0, 2);
  return out.length ? out.join(' ') : '0s';
}

function apply(v: string | number | undefined, filter: string | undefined, arg: string | undefined): string {
  if (v === undefined) return '';
  const n = num(v);
  switch (filter) {
    case undefined:
      return typeof v === 'number' ? trim(v, 3) : v;
    case 'percent':
      return n === undefined ? String(v) : `${trim(n * 100, Number(arg ?? 1))}%`;
    case 'round':
      return n === undefined ? String(v) : trim(n, Number(arg ?? 0));
    case 'ms':
      return n === undefined ? String(v) : `${trim(n * 1000, Number(arg ?? 1))} ms`;
    case 'dbm':
      return n === undefined ? String(v) : `${trim(n, Number(arg ?? 1))} dBm`;
    case 'duration':
      return n === undefined ? String(v) : formatDuration(n);
    default:
      return String(v);
  }
}

export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(TOKEN, (_m, rawName: string, filter?: string, arg?: string) => {
    const name = rawName.replace(/^\$labels\./, '').replace(/^\$/, '');
    return apply(vars[name], filter, arg);
  });
}
