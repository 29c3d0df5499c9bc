/**
 * Value types shared by the config schema (schema.ts) and the alert rule kinds (src/alerts/kinds/), which
 * compose their own rule schemas: kept apart from schema.ts so the kinds need not import it (schema.ts
 * imports the kinds table, and an import cycle would follow).
 */
import { z } from 'zod';

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, y: 365 * 86400e3 };
const DURATION_HINT = 'expected a duration such as 500ms, 10s, 5m, 1h, 30d or 1y';

/** A duration such as `500ms`, `10s`, `5m`, `1h`, `30d`, `1y`; parsed to milliseconds. */
export const duration = z
  .string({ error: DURATION_HINT })
  .regex(DURATION_RE, DURATION_HINT)
  .transform((s) => {
    const m = DURATION_RE.exec(s)!;
    return Math.round(Number(m[1]) * DURATION_MS[m[2]!]!);
  });

/** A name of a target, site, uplink, credential, rule or receiver. */
export const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a name of letters, digits, `-`, `_` or `.`, starting with a letter or digit');
