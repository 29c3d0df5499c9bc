/** Maintenance windows (config `maintenance:`) as UTC intervals: which apply to a site, and when. */
import { WEEKDAY_NAMES, type MaintenanceConfig } from '../config/maintenance.js';
import { zonedParts, zonedToUtc } from './tz.js';

export type Interval = [start: number, end: number];

const DAY = 86_400_000;

/** Does the window cover this site? No selector: every site; otherwise listed by id or by group. */
export function appliesTo(w: MaintenanceConfig, site: { id: string; group: string }): boolean {
  if (!w.sites && !w.groups) return true;
  return (w.sites ?? []).includes(site.id) || (w.groups ?? []).includes(site.group as never);
}

/** A config timestamp: with its own offset as written, else local wall-clock time in `tz`. */
export function parseLocal(s: string, tz: string): number {
  if (/(Z|[+-]\d{2}:\d{2})$/.test(s)) return Date.parse(s.replace(' ', 'T'));
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s)!;
  return zonedToUtc(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, tz) + (m[6] ? +m[6] * 1000 : 0);
}

const hm = (s: string) => s.split(':').map(Number) as [number, number];

/** The intervals of one window that overlap [from, to), clipped to it. */
function occurrences(w: MaintenanceConfig, from: number, to: number, tz: string): Interval[] {
  if ('start' in w) return [[parseLocal(w.start, tz), parseLocal(w.end, tz)]];
  const out: Interval[] = [];
  const days = new Set(w.weekdays.map((d) => WEEKDAY_NAMES.indexOf(d)));
  const [fh, fm] = hm(w.from);
  const [th, tm] = hm(w.to);
  const overnight = th * 60 + tm <= fh * 60 + fm;
  // From the local day before `from` (a window started then may still run) to the day of `to`.
  for (let p = zonedParts(from - DAY, tz); ; ) {
    const start = zonedToUtc(p.year, p.month, p.day, fh, fm, tz);
    if (start >= to) break;
    if (days.has(p.weekday)) out.push([start, zonedToUtc(p.year, p.month, p.day + (overnight ? 1 : 0), th, tm, tz)]);
    p = zonedParts(zonedToUtc(p.year, p.month, p.day + 1, 12, 0, tz), tz);
  }
  return out;
}

/** Merge overlapping or touching intervals (sorted output). */
export function union(list: Interval[]): Interval[] {
  const s = list.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The maintenance time of a site within [from, to): merged intervals, clipped. */
export function maintenanceIntervals(windows: readonly MaintenanceConfig[], site: { id: string; group: string }, from: number, to: number, tz: string): Interval[] {
  const all = windows.filter((w) => appliesTo(w, site)).flatMap((w) => occurrences(w, from, to, tz));
  return union(all.map(([a, b]): Interval => [Math.max(a, from), Math.min(b, to)]));
}

/** Is `t` inside any window of the site? (For alert suppression: the same windows as the report.) */
export function inMaintenance(windows: readonly MaintenanceConfig[], site: { id: string; group: string }, t: number, tz: string): boolean {
  return maintenanceIntervals(windows, site, t, t + 1, tz).length > 0;
}
