/**
 * Value types of the config files (durations, bit rates, names, ports), shared by the main schema, the probe
 * kinds' option schemas (probes/<kind>/kind.ts) and the alert rule kinds (src/alerts/kinds/). Kept apart from
 * schema.ts, which imports those kinds, so that no import cycle follows. Messages here never include the
 * input: the loader echoes it (src/config/issues.ts), except for secrets.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const UNITS = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, y: 365 * 86400e3 };
/** One number and unit (`1.5h`), or Prometheus' compound form: units largest first, each once (`1h30m`, `1m30s`). */
const SINGLE_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$/;
const PART_RE = /(\d+)(ms|s|m|h|d|w|y)/gy;
const DURATION_HINT = 'expected a duration such as 500ms, 10s, 1m30s, 5m, 1h or 30d';

/** Milliseconds of a duration string, or undefined when it is not one. */
function parseDuration(s: string): number | undefined {
  const single = SINGLE_RE.exec(s);
  if (single) return Math.round(Number(single[1]) * DURATION_MS[single[2]!]!);
  PART_RE.lastIndex = 0;
  let total = 0;
  let last = -1;
  let end = 0;
  for (let m = PART_RE.exec(s); m; m = PART_RE.exec(s)) {
    const rank = UNITS.indexOf(m[2] as (typeof UNITS)[number]);
    if (rank <= last) return undefined; // `30s1m`, `1m1m`: Prometheus refuses them too
    last = rank;
    total += Number(m[1]) * DURATION_MS[m[2]!]!;
    end = PART_RE.lastIndex;
  }
  return end > 0 && end === s.length ? total : undefined;
}

/** `90000` → `1m30s`: how a limit is written back to the admin, in the config's own syntax. */
function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const u of UNITS) {
    const n = Math.floor(rest / DURATION_MS[u]!);
    if (n > 0) [out, rest] = [out + `${n}${u}`, rest - n * DURATION_MS[u]!];
  }
  return out;
}

/** A duration such as `500ms`, `10s`, `1m30s`, `1h`, `30d`, `1y`; parsed to milliseconds. */
export const duration = z
  .string({ error: DURATION_HINT })
  .refine((s) => parseDuration(s) !== undefined, { error: DURATION_HINT, abort: true })
  .transform((s) => parseDuration(s)!);

/** A duration of at least `minMs` (a probe interval of 0s would run the probe in a busy loop). */
export function durationAtLeast(minMs: number) {
  return duration.refine((ms) => ms >= minMs, { error: `must be at least ${formatDuration(minMs)}`, abort: true });
}

type Timing = { key: 'interval' | 'timeout'; message: string };

/**
 * The cross-field rule every probe kind with a timeout follows: the timeout, with the defaults applied, is
 * shorter than the interval. `check` takes a target's block and the kind's defaults; `refineDefaults` is the
 * same rule on `defaults.<kind>` alone, for the kind's defaults schema.
 */
export function timeoutBelowInterval(kind: string) {
  const check = (b: { interval?: number; timeout?: number }, d: { interval: number; timeout: number }): Timing[] => {
    const interval = b.interval ?? d.interval;
    const timeout = b.timeout ?? d.timeout;
    // A field that failed its own check is reported there; nothing to compare.
    if (typeof interval !== 'number' || typeof timeout !== 'number' || timeout < interval) return [];
    const fromDefaults = b.timeout === undefined && b !== d;
    const from = fromDefaults ? ` (from defaults.${kind}.timeout)` : '';
    return [{ key: fromDefaults ? 'interval' : 'timeout', message: `timeout ${formatDuration(timeout)}${from} must be shorter than the interval ${formatDuration(interval)}` }];
  };
  const refineDefaults = (d: { interval: number; timeout: number }, ctx: z.RefinementCtx) => {
    for (const { key, message } of check(d, d)) ctx.addIssue({ code: 'custom', path: [key], message });
  };
  return { check, refineDefaults };
}

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

/**
 * Why a host address is not usable, or undefined when it is. Only what looks like an IP literal is checked as
 * one: `127.1.3.300` must be an error, not a DNS name that fails to resolve at every poll.
 */
function addressProblem(s: string): string | undefined {
  if (/^\[.*\]$/.test(s)) return 'write an IPv6 address without brackets';
  if (s.includes(':')) return isIP(s) === 6 ? undefined : 'not a valid IPv6 address';
  if (/^[0-9.]+$/.test(s) && isIP(s) !== 4) return 'not a valid IPv4 address: expected four numbers from 0 to 255, such as 192.0.2.10';
  if (!/^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(s)) return 'not an IP address or a DNS name';
  return undefined;
}

export const hostAddress = z.string().min(1).superRefine((s, ctx) => {
  const why = addressProblem(s);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});
