/**
 * Turns raw SNMP counters into exported *_total values that never produce an impossible rate.
 *
 * - Counter64 is kept exact in BigInt (a JS number loses exactness above 2^53); while nothing odd
 *   happens the exported total is the raw value itself, so a netmon restart continues seamlessly.
 * - A Counter32 decrease is unfolded as a wrap (+2^32) only when exactly one wrap at a plausible rate
 *   explains it: with a rate ceiling (interface speed), the wrapped delta must fit under the ceiling and
 *   two wraps must not (else the reading is ambiguous); without one, the wrapped delta must be under 2^31
 *   (serial-number arithmetic, RFC 1982).
 * - Anything else is a reset: a Counter64 decrease, an implausible Counter32 decrease, an increase faster
 *   than the ceiling (a glitch, or a counter that restarted high), sysUpTime going backwards, or
 *   ifCounterDiscontinuityTime changing. On a reset the exported total restarts from 0: consumers see a
 *   counter reset (a decrease), so netmon's store draws no rate across it and Prometheus's rate() adds
 *   nothing for that interval: no "petabit spike" either way.
 * - A Counter32 whose ceiling × interval reaches 2^32 (a 1 Gbit/s port on 32-bit octet counters polled
 *   every minute: it can wrap every 34 s) cannot be read unambiguously: such readings produce no sample
 *   and count as `ambiguous` (RFC 2863 requires 64-bit counters from 20 Mbit/s (octets) and 650 Mbit/s
 *   (packets) on; poll faster or use v2c/v3 and the ifHC* columns).
 */
const WRAP32 = 2n ** 32n;
const HALF32 = 2 ** 31;
/**
 * Agents cache counters (Debian snmpd refreshes every ~3 s, some switches 5-10 s), so two readings taken
 * Δt apart may span up to Δt + cache age of traffic. The ceiling test allows this much slack.
 */
export const AGENT_CACHE_SLACK_S = 5;

interface CounterState {
  raw: bigint;
  /** Added to raw to form the exported total: +2^32 per unfolded wrap, -raw at a reset. */
  base: bigint;
  ts: number;
}

export interface CounterStats {
  wraps: number;
  resets: number;
  /** Readings dropped because they could not be told apart from several wraps. */
  ambiguous: number;
  /** Increases faster than the ceiling, turned into resets. */
  implausible: number;
}

export class CounterTracker {
  private readonly state = new Map<string, CounterState>();
  /** Series whose next reading restarts them (after resetAll or an ambiguous reading). */
  private readonly stale = new Set<string>();
  readonly stats: CounterStats = { wraps: 0, resets: 0, ambiguous: 0, implausible: 0 };

  /**
   * @param key series identity
   * @param raw the value read from the agent
   * @param bits 32 for Counter32, 64 for Counter64
   * @param ts time of the reading (ms)
   * @param maxPerSecond plausible ceiling of the counter's rate (e.g. interface speed / 8 for octets), if known
   * @param reset the caller knows the counter restarted (discontinuity)
   * @returns the total to export, or undefined when the reading cannot be used (ambiguous)
   */
  update(key: string, raw: bigint, bits: 32 | 64, ts: number, maxPerSecond?: number, reset = false): bigint | undefined {
    const prev = this.state.get(key);
    if (!prev) {
      this.state.set(key, { raw, base: 0n, ts });
      return raw;
    }
    if (reset || this.stale.has(key)) {
      this.stale.delete(key);
      return this.restart(key, raw, ts);
    }
    const seconds = Math.max((ts - prev.ts) / 1000, 0.001);
    const ceiling = maxPerSecond !== undefined && maxPerSecond > 0 ? maxPerSecond * (seconds + AGENT_CACHE_SLACK_S) : undefined;
    if (bits === 32 && ceiling !== undefined && maxPerSecond! * seconds >= 2 ** 32) {
      // More than one wrap fits in the interval: no reading of this counter can be trusted.
      this.stats.ambiguous++;
      this.state.set(key, { raw, base: prev.base, ts });
      this.stale.add(key); // the next usable reading must not draw a rate from an unknown amount of wraps
      return undefined;
    }
    let base = prev.base;
    let delta: number;
    if (raw >= prev.raw) {
      delta = Number(raw - prev.raw);
    } else if (bits === 32) {
      delta = Number(raw + WRAP32 - prev.raw);
      const plausible = ceiling === undefined ? delta < HALF32 : delta <= ceiling;
      if (!plausible) return this.restart(key, raw, ts);
      base += WRAP32;
      this.stats.wraps++;
    } else {
      return this.restart(key, raw, ts);
    }
    if (ceiling !== undefined && delta > ceiling) {
      this.stats.implausible++;
      return this.restart(key, raw, ts);
    }
    this.state.set(key, { raw, base, ts });
    return raw + base;
  }

  private restart(key: string, raw: bigint, ts: number): bigint {
    this.stats.resets++;
    this.state.set(key, { raw, base: -raw, ts });
    return 0n;
  }

  /** The agent restarted (sysUpTime went back): every counter restarts at its next reading. */
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
