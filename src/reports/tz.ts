/**
 * Calendar arithmetic in an IANA time zone with nothing but Intl (no tz library in the dependencies):
 * the wall-clock parts of an instant, and the instant of a wall-clock time. Reports cut months, days and
 * weekday × hour cells at local boundaries (server.timezone), not UTC ones.
 */

export interface ZonedParts {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 Monday … 6 Sunday (ISO order, as the heatmap's rows). */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Quarter-hour (UTC) → zone offset, per zone: every real offset change happens on a quarter hour, and a month of 5-minute buckets then costs ~3000 Intl calls, not 9000. */
const offsets = new Map<string, Map<number, number>>();
const QUARTER = 900_000;

/** Offset of the zone from UTC at an instant, ms (local = utc + offset). */
function offsetAt(ms: number, tz: string): number {
  let m = offsets.get(tz);
  if (!m) offsets.set(tz, (m = new Map<number, number>()));
  const q = Math.floor(ms / QUARTER);
  let off = m.get(q);
  if (off === undefined) {
    if (m.size > 500_000) m.clear(); // bound the memory of a long-running daemon
    const p: Record<string, string> = {};
    for (const x of formatter(tz).formatToParts(q * QUARTER)) p[x.type] = x.value;
    off = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - q * QUARTER;
    m.set(q, off);
  }
  return off;
}

export function zonedParts(ms: number, tz: string): ZonedParts {
  const d = new Date(ms + offsetAt(ms, tz));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), weekday: (d.getUTCDay() + 6) % 7 };
}

/**
 * The instant of a local wall-clock time. Two passes settle the offset across a DST change; a time that
 * does not exist (spring forward) maps to the instant just after the gap, an ambiguous one to its first
 * occurrence's offset guess. Month arithmetic overflows as Date.UTC does (month 13 = January next year).
 */
export function zonedToUtc(year: number, month: number, day: number, hour: number, minute: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let t = wall - offsetAt(wall, tz);
  t = wall - offsetAt(t, tz);
  return t;
}

/** `YYYY-MM` → the month's [start, end) in the zone. */
export function monthRange(month: string, tz: string): { from: number; to: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new RangeError(`month must be YYYY-MM, got ${JSON.stringify(month).slice(0, 40)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { from: zonedToUtc(y, mo, 1, 0, 0, tz), to: zonedToUtc(y, mo + 1, 1, 0, 0, tz) };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The `YYYY-MM` labels of the local months that [from, to) touches, in order. */
export function monthsOf(from: number, to: number, tz: string): string[] {
  if (!(to > from)) return [];
  const out: string[] = [];
  const a = zonedParts(from, tz);
  const b = zonedParts(to - 1, tz);
  for (let y = a.year, m = a.month; y < b.year || (y === b.year && m <= b.month); m === 12 ? (y++, (m = 1)) : m++) out.push(`${y}-${pad2(m)}`);
  return out;
}

/** Start of the local day containing `ms`. */
export function dayStart(ms: number, tz: string): number {
  const p = zonedParts(ms, tz);
  return zonedToUtc(p.year, p.month, p.day, 0, 0, tz);
}

/** `YYYY-MM-DD` of the local day containing `ms`. */
export function localDate(ms: number, tz: string): string {
  const p = zonedParts(ms, tz);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}`;
}
