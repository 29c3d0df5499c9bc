/**
 * Ping reachability of each target with hysteresis, so one lost echo never flaps a site. The ping probe only
 * measures (loss, RTTs); this is the one place that turns its cycles into down / degraded / up.
 *
 * 1. Threshold hysteresis, per cause:
 *    - loss: degraded from `degradedLossEnter` (15 %), until it is back at or below `degradedLossExit` (5 %);
 *    - latency, relative to the target's own baseline B (its normal median RTT, see below):
 *      degraded from a median ≥ max(200 ms, 2 × B), until the median is ≤ max(150 ms, 1.5 × B).
 *      So a site whose normal RTT is 151 ms becomes degraded at 302 ms and is up again at 226 ms, instead of
 *      staying degraded forever because its normal RTT is above an absolute 150 ms exit level.
 *    A cycle without any reply (loss ≥ `downLoss`) is down.
 * 2. Time hysteresis: a new state must be seen on `confirmCycles` consecutive cycles (confirm.ts).
 *
 * The baseline B of a target is an asymmetric moving average of its cycle medians, a slow "low percentile":
 * it falls fast toward a lower median (B += 0.3 × (m − B)) and rises slowly toward a higher one
 * (B += 0.005 × (m − B), a time constant of 200 cycles, 3.3 h at the default 60 s interval; ten times slower,
 * 0.0005, while the target is degraded for latency, so a congestion episode of a few hours does not become
 * the new normal, but a permanently longer path does within a day or two). The first median sets B; cycles
 * without replies leave it alone. Thresholds are applied with the baseline from before the cycle.
 */
import { Confirmed } from './confirm.js';

export type Reachability = 'down' | 'degraded' | 'up';
export type PingReason = 'ping_down' | 'loss' | 'latency';
/** Value of `netmon_ping_reachability_state` (and of `netmon_target_state`). */
export const REACHABILITY_VALUE: Record<Reachability, number> = { down: 0, degraded: 1, up: 2 };

export interface Thresholds {
  /** Loss ratio at or above which a cycle counts as down (default 1: no reply at all). */
  downLoss: number;
  /** Loss ratio at or above which a target becomes degraded (default 0.15: 3 of 20). */
  degradedLossEnter: number;
  /** Loss ratio at or below which it stops being degraded for loss (default 0.05: 1 of 20). */
  degradedLossExit: number;
  /** Absolute floor of the latency enter level, ms (default 200). */
  degradedRttEnterMs: number;
  /** Absolute floor of the latency exit level, ms (default 150). */
  degradedRttExitMs: number;
  /** Enter level relative to the baseline: median ≥ baseline × this (default 2). */
  rttEnterFactor: number;
  /** Exit level relative to the baseline: median ≤ baseline × this (default 1.5). */
  rttExitFactor: number;
  /** Per-cycle weight of a median below the baseline (default 0.3). */
  baselineFall: number;
  /** Per-cycle weight of a median above the baseline (default 0.005). */
  baselineRise: number;
  /** The same while the target is degraded for latency (default 0.0005). */
  baselineRiseDegraded: number;
  /** Consecutive cycles a new state must be seen before it is adopted (default 2). */
  confirmCycles: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  downLoss: 1,
  degradedLossEnter: 0.15,
  degradedLossExit: 0.05,
  degradedRttEnterMs: 200,
  degradedRttExitMs: 150,
  rttEnterFactor: 2,
  rttExitFactor: 1.5,
  baselineFall: 0.3,
  baselineRise: 0.005,
  baselineRiseDegraded: 0.0005,
  confirmCycles: 2,
};

/** What a target's past says: which causes are active, and its baseline median RTT (ms). */
export interface PingHistory {
  lossHigh: boolean;
  rttHigh: boolean;
  baselineMs?: number;
}

export interface PingVerdict {
  state: Reachability;
  reasons: PingReason[];
}

/** Latency enter/exit levels (ms) for a baseline; absolute levels only before the first reply. */
export function latencyLimits(baselineMs: number | undefined, t: Thresholds): { enterMs: number; exitMs: number } {
  const b = baselineMs ?? 0;
  return { enterMs: Math.max(t.degradedRttEnterMs, b * t.rttEnterFactor), exitMs: Math.max(t.degradedRttExitMs, b * t.rttExitFactor) };
}

function nextBaseline(b: number | undefined, medianMs: number, rttHigh: boolean, t: Thresholds): number {
  if (b === undefined) return medianMs;
  const w = medianMs < b ? t.baselineFall : rttHigh ? t.baselineRiseDegraded : t.baselineRise;
  return b + w * (medianMs - b);
}

/** What this one cycle says (threshold hysteresis only); updates `h` (causes, baseline). */
export function classify(h: PingHistory, loss: number, medianMs: number | undefined, t: Thresholds): PingVerdict {
  if (loss >= t.downLoss || medianMs === undefined) {
    h.lossHigh = true; // coming back with some loss is degraded until the loss is at the exit level
    return { state: 'down', reasons: ['ping_down'] };
  }
  h.lossHigh = h.lossHigh ? loss > t.degradedLossExit : loss >= t.degradedLossEnter;
  const { enterMs, exitMs } = latencyLimits(h.baselineMs, t);
  h.rttHigh = h.rttHigh ? medianMs > exitMs : medianMs >= enterMs;
  h.baselineMs = nextBaseline(h.baselineMs, medianMs, h.rttHigh, t);
  const reasons: PingReason[] = [];
  if (h.lossHigh) reasons.push('loss');
  if (h.rttHigh) reasons.push('latency');
  return { state: reasons.length ? 'degraded' : 'up', reasons };
}

interface Track {
  history: PingHistory;
  state: Confirmed<Reachability>;
  /** Reasons of the confirmed state: those of the newest cycle that agreed with it. */
  reasons: PingReason[];
}

export class ReachabilityTracker {
  private readonly tracks = new Map<string, Track>();
  readonly thresholds: Thresholds;

  constructor(thresholds: Partial<Thresholds> = {}) {
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  }

  /** Feed one cycle (loss ratio, median RTT in ms or undefined without replies); returns the confirmed verdict. */
  update(key: string, loss: number, medianMs: number | undefined): PingVerdict {
    let tr = this.tracks.get(key);
    const history = tr?.history ?? { lossHigh: false, rttHigh: false };
    const seen = classify(history, loss, medianMs, this.thresholds);
    if (!tr) {
      tr = { history, state: new Confirmed(seen.state, this.thresholds.confirmCycles), reasons: seen.reasons };
      this.tracks.set(key, tr);
    } else if (tr.state.observe(seen.state) || seen.state === tr.state.value) {
      tr.reasons = seen.reasons;
    }
    return { state: tr.state.value, reasons: tr.reasons };
  }

  get(key: string): PingVerdict | undefined {
    const tr = this.tracks.get(key);
    return tr && { state: tr.state.value, reasons: tr.reasons };
  }

  /** The target's baseline median RTT in ms (undefined before its first reply). */
  baselineMs(key: string): number | undefined {
    return this.tracks.get(key)?.history.baselineMs;
  }

  /** Drop targets no longer configured (config reload). */
  retain(keys: Iterable<string>): void {
    const keep = new Set(keys);
    for (const k of this.tracks.keys()) if (!keep.has(k)) this.tracks.delete(k);
  }
}
