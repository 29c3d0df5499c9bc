/**
 * Query-parameter validation for the JSON API. Every parameter is checked; a bad one is a 400 with a
 * message naming it, and an oversized range is capped, so no parameter can make a query slow.
 */
import { z } from 'zod';
import type { SiteGroup, SiteSort, SiteState, SitesQuery } from './contract.js';

const RANGES: Record<string, number> = {
  '1h': 3600e3,
  '6h': 6 * 3600e3,
  '24h': 24 * 3600e3,
  '7d': 7 * 86400e3,
  '30d': 30 * 86400e3,
  '1y': 365 * 86400e3,
};
const MAX_RANGE_MS = RANGES['1y']!;
const MAX_POINTS = 2000;

export class BadRequest extends Error {}

const epochMs = z.coerce
  .number()
  .int('an integer of milliseconds since the Unix epoch')
  .min(0)
  .max(8.64e15);

const windowSchema = z.strictObject({
  range: z.enum(Object.keys(RANGES) as [string, ...string[]]).optional(),
  from: epochMs.optional(),
  to: epochMs.optional(),
  points: z.coerce.number().int('an integer').min(10).max(MAX_POINTS).default(600),
});

export interface Window {
  from: number;
  to: number;
  points: number;
  capped: boolean;
}

/** Validate a query string against a strict schema: a repeated, unknown or bad parameter is a BadRequest naming it. */
export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, unknown>): z.output<T> {
  for (const [k, v] of Object.entries(query)) if (typeof v !== 'string') throw new BadRequest(`parameter ${k.slice(0, 40)} must be given once`);
  const r = schema.safeParse(query);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const where = i.code === 'unrecognized_keys' ? `unknown parameter ${i.keys.map((k) => k.slice(0, 40)).join(', ')}` : `parameter ${i.path.join('.')}`;
    throw new BadRequest(`${where}: ${i.message}`);
  }
  return r.data;
}

/** A comma-separated list of allowed words ("down,degraded"): each checked, none repeated. */
function wordList<const T extends readonly [string, ...string[]]>(words: T) {
  return z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(z.enum(words, { error: `expected a comma-separated list of ${words.join(', ')}` })).min(1).max(words.length))
    .refine((l) => new Set(l).size === l.length, 'a value is repeated');
}

/** The text search of /sites: at most a few words, so no query can make the filter slow. */
const MAX_SEARCH = 100;

/** Query of /sites: text search, group and state filters, sort order (docs/api.md). */
export const sitesQuery = z.strictObject({
  q: z.string().max(MAX_SEARCH, `at most ${MAX_SEARCH} characters`).optional(),
  group: wordList(['datacentre', 'provincial', 'district', 'ward'] as const satisfies readonly SiteGroup[]).optional(),
  state: wordList(['up', 'degraded', 'down', 'unknown'] as const satisfies readonly SiteState[]).optional(),
  sort: z.enum(['state', 'rtt', 'loss', 'name'] as const satisfies readonly SiteSort[]).optional(),
}) satisfies z.ZodType<SitesQuery, Record<string, string>>;

/** Endpoints that take no parameters still reject unknown ones, so a typo is not silently ignored. */
export const noQuery = z.strictObject({});

/** A path segment naming a site, target or uplink (same rule as names in the config). */
export function parseName(what: string, v: string): string {
  if (v.length > 128 || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v)) throw new BadRequest(`${what} must be a name of letters, digits, -, _ or . (at most 128 characters)`);
  return v;
}

/** An ifIndex path segment: a positive integer (RFC 2863: 1..2147483647). */
export function parseIfIndex(v: string): string {
  if (!/^[1-9][0-9]{0,9}$/.test(v) || Number(v) > 2147483647) throw new BadRequest('if_index must be an integer from 1 to 2147483647');
  return v;
}

/** Parse `range` or `from`/`to` (+ `points`) into a window no longer than a year. */
export function parseWindow(query: Record<string, unknown>, now = Date.now()): Window {
  const q = parseQuery(windowSchema, query);
  if (q.range && (q.from !== undefined || q.to !== undefined)) throw new BadRequest('give either range or from/to, not both');
  let to = q.to ?? now;
  let from = q.from ?? to - RANGES[q.range ?? '24h']!;
  if (to > now + 86400e3) to = now;
  if (from >= to) throw new BadRequest('from must be before to (and not in the future)');
  let capped = false;
  if (to - from > MAX_RANGE_MS) {
    from = to - MAX_RANGE_MS;
    capped = true;
  }
  return { from, to, points: rollupFriendlyPoints(to - from, q.points), capped };
}

/** Raw samples are read only for windows up to this long; longer ones are answered from rollups. */
const MAX_RAW_SPAN_MS = 2 * 86400e3;
const ROLLUP_5M = 300e3;

/**
 * Bound the work of a query whatever its parameters: over MAX_RAW_SPAN_MS, `points` is lowered until a
 * bucket is at least 5 minutes, so the store answers from its rollups instead of decoding every raw
 * sample (a 7-day window at 2000 points would otherwise read 60 000 samples per series at 10 s polling).
 */
function rollupFriendlyPoints(spanMs: number, points: number): number {
  if (spanMs <= MAX_RAW_SPAN_MS || spanMs / Math.max(1, points - 1) >= ROLLUP_5M) return points;
  return Math.max(10, Math.floor(spanMs / ROLLUP_5M) + 1);
}
