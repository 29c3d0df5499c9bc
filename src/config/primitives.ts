/**
 * Value types of the config files (durations, bit rates, names, ports), shared by the main schema, the probe
 * kinds' option schemas (probes/<kind>/kind.ts) and the alert rule kinds (src/alerts/kinds/). Kept apart from
 * schema.ts, which imports those kinds, so that no import cycle follows. Messages never include the input
 * (it may be a secret).
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

const RATE_RE = /^(\d+(?:\.\d+)?)\s*(bps|kbps|Kbps|Mbps|Gbps|Tbps)$/;
const RATE_MULT: Record<string, number> = { bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12 };
const RATE_HINT = 'expected a bit rate such as 2Mbps, 100Mbps or 10Gbps';

/** A bit rate such as `2Mbps` or `100 Mbps` (SI prefixes, as network people write them); parsed to bits per second. */
export const bitRate = z
  .string({ error: RATE_HINT })
  .regex(RATE_RE, RATE_HINT)
  .transform((s) => {
    const m = RATE_RE.exec(s)!;
    return Number(m[1]) * RATE_MULT[m[2]!]!;
  });

/** A name of a target, site, uplink, credential, rule or receiver. */
export const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a name of letters, digits, `-`, `_` or `.`, starting with a letter or digit');
export const port = z.number().int().min(1).max(65535);
