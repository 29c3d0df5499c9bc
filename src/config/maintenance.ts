/**
 * `maintenance:` in the main config: planned work, excluded from the availability (SLA) report and
 * reported separately. One-off windows `{start, end}` and recurring ones `{weekdays, from, to}`, both in
 * local time (server.timezone) unless a timestamp carries its own offset, each for some sites and/or
 * groups (neither: every site). Kept in its own file so the schema change elsewhere is one line.
 */
import { z } from 'zod';

const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM (00:00-23:59)');
const localTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$/, 'expected a timestamp YYYY-MM-DDTHH:MM (local time) or with an offset (Z, +07:00)');

const selectors = {
  name: z.string().min(1).max(200).optional().describe('what the work is, shown in the report'),
  sites: z.array(z.string().min(1)).optional().describe('site ids the window applies to'),
  groups: z.array(z.enum(['datacentre', 'provincial', 'district', 'ward'])).optional().describe('site groups the window applies to'),
};

const hasOffset = (s: string) => /(Z|[+-]\d{2}:\d{2})$/.test(s);
/** Local timestamps compare as text once normalised; ones with offsets as instants; a mix is left to the report. */
const endsAfterStart = (w: { start: string; end: string }): boolean => {
  if (hasOffset(w.start) && hasOffset(w.end)) return Date.parse(w.end) > Date.parse(w.start);
  if (hasOffset(w.start) || hasOffset(w.end)) return true;
  const norm = (s: string) => s.replace(' ', 'T').padEnd(19, ':00');
  return norm(w.end) > norm(w.start);
};
const oneOff = z
  .strictObject({ ...selectors, start: localTimestamp, end: localTimestamp })
  .refine(endsAfterStart, { message: 'expected end after start', path: ['end'] });
const recurring = z.strictObject({
  ...selectors,
  weekdays: z.array(z.enum(WEEKDAY_NAMES)).min(1).describe('days the window starts on (mon..sun)'),
  from: clock.describe('local start time, HH:MM'),
  to: clock.describe('local end time, HH:MM; not after `from`: the window ends the next day'),
});

export const maintenanceSchema = z
  .array(z.union([oneOff, recurring]))
  .default([])
  .describe('maintenance windows: excluded from the availability report, reported separately, and no alerts are sent during them');

export type MaintenanceConfig = z.output<typeof maintenanceSchema>[number];
export { WEEKDAY_NAMES };
