/**
 * Traffic curves and counters. A rate is a pure function of the seed and simulated time; a counter is its
 * integral over wall time, computed lazily on a fixed grid of cells anchored at the simulator's start, so
 * its value depends only on the clock (not on when or how often it was read) and two reads give a rate
 * consistent with the model.
 */
import { smoothNoise } from './random.js';

/** Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving). */
const LOCAL_OFFSET_MS = 7 * 3600_000;

/** (hour, level) knots of a working day: low at night, peaks 8-11h and 14-16:30, lunch dip. */
const WORKDAY: [number, number][] = [
  [0, 0.05], [6, 0.05], [7, 0.22], [8, 0.85], [9, 1.0], [11, 0.95], [11.5, 0.6], [12.5, 0.42],
  [13.5, 0.72], [14, 0.95], [16.5, 0.9], [17.5, 0.35], [19, 0.15], [22, 0.07], [24, 0.05],
];

function interpolate(knots: [number, number][], x: number): number {
  for (let i = 1; i < knots.length; i++) {
    const [x1, y1] = knots[i]!;
    const [x0, y0] = knots[i - 1]!;
    if (x <= x1) {
      const f = (x - x0) / (x1 - x0 || 1);
      const s = f * f * (3 - 2 * f);
      return y0 + (y1 - y0) * s;
    }
  }
  return knots[knots.length - 1]![1];
}

/** Local (UTC+7) hour of day, fractional, and weekday (0 = Sunday) of a simulated instant. */
export function localTime(simMs: number): { hour: number; weekday: number } {
  const local = simMs + LOCAL_OFFSET_MS;
  const dayMs = ((local % 86_400_000) + 86_400_000) % 86_400_000;
  const weekday = (Math.floor(local / 86_400_000) + 4) % 7; // 1970-01-01 was a Thursday
  return { hour: dayMs / 3600_000, weekday: (weekday + 7) % 7 };
}

/** Office activity in [0.05, 1]: the working-day curve, flattened at weekends. */
export function officeActivity(simMs: number): number {
  const { hour, weekday } = localTime(simMs);
  const level = interpolate(WORKDAY, hour);
  if (weekday === 0 || weekday === 6) return 0.05 + (level - 0.05) * 0.25;
  return level;
}

/** Nightly backup window (01:00-04:00 local) in [0, 1]. */
export function backupActivity(simMs: number): number {
  const { hour } = localTime(simMs);
  return interpolate([[0, 0], [0.9, 0], [1.2, 1], [3.7, 1], [4.1, 0], [24, 0]], hour);
}

/** How one direction of one port behaves. Rates in bits per second. */
export interface FlowProfile {
  /** Noise key (unique per port and direction). */
  key: string;
  /** Rate at zero activity. */
  base: number;
  /** Extra rate at full activity. */
  amplitude: number;
  /** Relative noise amplitude (0.1 = ±10 %). */
  noise: number;
  /** Hard ceiling: the configured uplink capacity or the port speed. */
  cap: number;
  /** Which activity curve drives it. */
  curve: 'office' | 'backup';
  /** Average packet size in bytes (packets = bytes / size). */
  packetSize: number;
}

/** The demand (bit/s) on a flow at a simulated instant, before its cap: never negative. */
export function flowDemand(seed: number, p: FlowProfile, simMs: number): number {
  const activity = p.curve === 'office' ? officeActivity(simMs) : backupActivity(simMs);
  const raw = (p.base + p.amplitude * activity) * (1 + p.noise * smoothNoise(seed, p.key, simMs));
  return Math.max(0, raw);
}

/**
 * The integral of a rate over wall time on a fixed grid of `cellMs` cells starting at `originWall`: in
 * each cell the rate is the one at the cell's start. Reading is lazy (whole cells are folded in on demand,
 * the current partial cell is added without being committed), so the result is a pure function of time.
 */
export class Integrator {
  private cellStart: number;
  private total = 0;

  constructor(
    private readonly rate: (wallMs: number) => number,
    private readonly originWall: number,
    private readonly cellMs: number,
  ) {
    this.cellStart = originWall;
  }

  /** Units of (rate × seconds) accumulated from the origin to `wallMs`. */
  at(wallMs: number): number {
    if (wallMs <= this.originWall) return 0;
    if (wallMs < this.cellStart) return this.replay(wallMs);
    while (this.cellStart + this.cellMs <= wallMs) {
      this.total += (this.rate(this.cellStart) * this.cellMs) / 1000;
      this.cellStart += this.cellMs;
    }
    return this.total + (this.rate(this.cellStart) * (wallMs - this.cellStart)) / 1000;
  }

  /** A clock that went backwards (tests): recompute from the origin without touching the cache. */
  private replay(wallMs: number): number {
    let t = this.originWall;
    let total = 0;
    while (t + this.cellMs <= wallMs) {
      total += (this.rate(t) * this.cellMs) / 1000;
      t += this.cellMs;
    }
    return total + (this.rate(t) * (wallMs - t)) / 1000;
  }
}

/** Grid cell length for counter integration: 10 s of simulated time, at least 1 s of wall time. */
export function cellMsForSpeed(speed: number): number {
  return Math.max(1000, Math.round(10_000 / speed));
}
