/**
 * Turns raw SNMP counters into exported *_total values that never turn evidence into a zero and never
 * go backwards.
 *
 * - While nothing odd happens the exported total of a Counter64 is the raw value itself (kept exact in
 *   BigInt: a JS number loses exactness above 2^53), so a netmon restart continues seamlessly.
 * - Each interval (previous reading → this one) is judged by `judgeInterval`. An interval that cannot be
 *   read unambiguously is a GAP: no sample for it, and the exported total carries on from where it was
 *   (the next interval adds its own increase on top), so the total never decreases and never jumps by a
 *   guess. Every gap is counted by reason (`stats.discarded`); the probe exports and logs the counts.
 * - Gap reasons:
 *     discontinuity     the caller says so: sysUpTime went back, ifCounterDiscontinuityTime changed
 *     reset             the counter went down, and (Counter32) no single plausible wrap explains it
 *     implausible_rate  a Counter32 rose faster than the modelled ceiling: the wrap count is unknown
 *     ambiguous_wrap    a Counter32 could have wrapped more than once in the interval at the ceiling
 * - The plausibility ceiling is the port's speed × SPEED_FACTOR × (Δt + AGENT_CACHE_SLACK_S): speeds lie
 *   (Linux `lo` says 10 Mbit/s, tunnels, port-channels, Cisco `bandwidth`), so the speed alone is no
 *   limit. A wrap is ambiguous when a second one fits in the interval at the port's own speed. A Counter64 has no rate limit at all: it cannot wrap in practice, so only a discontinuity
 *   signal (including a decrease) makes one of its intervals unusable.
 * - A port counter whose speed is unknown (maxPerSecond 0: ifHighSpeed and ifSpeed missing, 0 or
 *   implausible): a Counter32 decrease is a reset. A cleared counter and a wrap look alike, and without a
 *   speed nothing bounds the wrapped delta: a counter cleared at 3.5·10^9 would otherwise read as a
 *   ~800 MB increase (an 836 Mbit/s spike at 20 s).
 * - A counter with no speed at all (maxPerSecond undefined: scalars such as ipInReceives): a decrease is a
 *   wrap when the wrapped delta is under 2^31 (RFC 1982 serial-number arithmetic), otherwise a reset.
 */
const WRAP32 = 2n ** 32n;
const HALF32 = 2n ** 31n;
/**
 * Agents cache counters (Debian snmpd refreshes every ~3 s, some switches 5-10 s), so two readings taken
 * Δt apart may span up to Δt + cache age of traffic. The ceiling allows this much slack.
 */
export const AGENT_CACHE_SLACK_S = 5;
/** How far above its reported speed a port's counters may plausibly move (see the header). */
export const SPEED_FACTOR = 4;

export const DISCARD_REASONS = ['ambiguous_wrap', 'implausible_rate', 'reset', 'discontinuity'] as const;
export type DiscardReason = (typeof DISCARD_REASONS)[number];

export interface CounterStats {
  /** Counter32 wraps unfolded. */
  wraps: number;
  /** Intervals given no sample (gaps), by reason. */
  discarded: Record<DiscardReason, number>;
  /** Gauge readings given no sample because they are above the profile's max_value (samples.ts). */
  implausible: number;
}

/** One interval's reading: the increase (and whether it unfolded a wrap), or why it is a gap. */
export type Verdict = { delta: bigint; wrapped: boolean } | { discard: DiscardReason };

/**
 * Judge one interval of a counter without any state: `prev` → `raw` over `seconds`, at most
 * `maxPerSecond` raw units per second by the port's speed (0: a port of unknown speed; undefined: the
 * counter has no speed, see the header).
 */
export function judgeInterval(prev: bigint, raw: bigint, bits: 32 | 64, seconds: number, maxPerSecond?: number): Verdict {
  if (bits === 64) return raw >= prev ? { delta: raw - prev, wrapped: false } : { discard: 'reset' };
  const wrapped = raw < prev;
  const delta = wrapped ? raw + WRAP32 - prev : raw - prev;
  if (maxPerSecond === undefined) return wrapped && delta >= HALF32 ? { discard: 'reset' } : { delta, wrapped };
  if (!(maxPerSecond > 0)) return wrapped ? { discard: 'reset' } : { delta, wrapped };
  // Compared as numbers: the limit is a float, and 2^32-sized deltas are exact in a double.
  const span = Math.max(seconds, 0) + AGENT_CACHE_SLACK_S;
  const d = Number(delta);
  if (d > maxPerSecond * SPEED_FACTOR * span) return { discard: wrapped ? 'reset' : 'implausible_rate' };
  // A second wrap needs 2^32 more than was seen: judged at the port's own speed, the most it can carry
  // (the generous factor above would make every fast port's 32-bit counter a gap at any interval).
  if (d + 2 ** 32 <= maxPerSecond * span) return { discard: 'ambiguous_wrap' };
  return { delta, wrapped };
}

interface SeriesState {
  raw: bigint;
  /** Added to raw to form the exported total: +2^32 per unfolded wrap, the carried total at a gap. */
  base: bigint;
  ts: number;
}

const zeroDiscards = (): Record<DiscardReason, number> => ({ ambiguous_wrap: 0, implausible_rate: 0, reset: 0, discontinuity: 0 });

export class CounterTracker {
  private readonly state = new Map<string, SeriesState>();
  /** Series whose next interval spans an agent restart (after resetAll). */
  private readonly stale = new Set<string>();
  readonly stats: CounterStats = { wraps: 0, discarded: zeroDiscards(), implausible: 0 };

  /**
   * @param key series identity
   * @param raw the value read from the agent
   * @param bits 32 for Counter32, 64 for Counter64
   * @param ts time of the reading (ms)
   * @param maxPerSecond the port's speed in raw counter units per second (e.g. ifSpeed / 8 for octets); 0 when
   *   the port's speed is unknown, undefined for a counter that has no speed
   * @param discontinuity the caller knows the counter restarted in this interval (ifCounterDiscontinuityTime)
   * @returns the total to export, or undefined for a gap (no sample for this interval)
   */
  update(key: string, raw: bigint, bits: 32 | 64, ts: number, maxPerSecond?: number, discontinuity = false): bigint | undefined {
    const prev = this.state.get(key);
    if (!prev) {
      this.state.set(key, { raw, base: 0n, ts });
      return raw;
    }
    const restarted = this.stale.delete(key) || discontinuity;
    const v: Verdict = restarted ? { discard: 'discontinuity' } : judgeInterval(prev.raw, raw, bits, (ts - prev.ts) / 1000, maxPerSecond);
    if ('discard' in v) {
      this.stats.discarded[v.discard]++;
      // The total stays where it was; later intervals add to it from this reading on.
      this.state.set(key, { raw, base: prev.raw + prev.base - raw, ts });
      return undefined;
    }
    const base = v.wrapped ? prev.base + WRAP32 : prev.base;
    if (v.wrapped) this.stats.wraps++;
    this.state.set(key, { raw, base, ts });
    return raw + base;
  }

  /** The agent restarted (sysUpTime went back): every counter's next interval is a gap. */
  resetAll(): void {
    for (const k of this.state.keys()) this.stale.add(k);
  }

  /** Forget series not seen in the latest poll (interfaces removed). */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.state.keys()) {
      if (!keys.has(k)) {
        this.state.delete(k);
        this.stale.delete(k);
      }
    }
  }

  get size(): number {
    return this.state.size;
  }
}
