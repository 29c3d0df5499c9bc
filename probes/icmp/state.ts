/**
 * Reachability per target with hysteresis, so one lost echo never flaps a site:
 * 1. threshold hysteresis: entering `degraded` needs loss/median above the *enter* levels, leaving it
 *    needs both below the lower *exit* levels;
 * 2. time hysteresis: a new state must be observed on `confirmCycles` consecutive cycles.
 * The first cycle of a target is adopted at once (no history to protect).
 */

export type Reachability = 'down' | 'degraded' | 'up';
/** Value of `netmon_ping_reachability_state`. */
export const REACHABILITY_VALUE: Record<Reachability, number> = { down: 0, degraded: 1, up: 2 };

export interface Thresholds {
  /** Loss ratio at or above which a cycle counts as down (default 1: no reply at all). */
  downLoss: number;
  /** Loss ratio at or above which an up target counts as degraded (default 0.15: 3 of 20). */
  degradedLossEnter: number;
  /** Loss ratio a degraded/down target must be at or below to count as up again (default 0.05: 1 of 20). */
  degradedLossExit: number;
  /** Median RTT (ms) at or above which an up target counts as degraded (default 200). */
  degradedRttEnterMs: number;
  /** Median RTT (ms) a degraded/down target must be at or below to count as up again (default 150). */
  degradedRttExitMs: number;
  /** Consecutive cycles a new state must be seen before it is adopted (default 2). */
  confirmCycles: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  downLoss: 1,
  degradedLossEnter: 0.15,
  degradedLossExit: 0.05,
  degradedRttEnterMs: 200,
  degradedRttExitMs: 150,
  confirmCycles: 2,
};

/** What this one cycle says, given the current state (threshold hysteresis only). */
export function classify(current: Reachability | undefined, loss: number, medianMs: number | undefined, t: Thresholds): Reachability {
  if (loss >= t.downLoss || medianMs === undefined) return 'down';
  if (current === 'up' || current === undefined) {
    return loss >= t.degradedLossEnter || medianMs >= t.degradedRttEnterMs ? 'degraded' : 'up';
  }
  return loss <= t.degradedLossExit && medianMs <= t.degradedRttExitMs ? 'up' : 'degraded';
}

interface Track {
  state: Reachability;
  pending?: Reachability;
  pendingCycles: number;
}

export class ReachabilityTracker {
  private readonly tracks = new Map<string, Track>();
  readonly thresholds: Thresholds;

  constructor(thresholds: Partial<Thresholds> = {}) {
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  }

  /** Feed one cycle; returns the (possibly unchanged) state. */
  update(key: string, loss: number, medianMs: number | undefined): Reachability {
    const tr = this.tracks.get(key);
    const seen = classify(tr?.state, loss, medianMs, this.thresholds);
    if (!tr) {
      this.tracks.set(key, { state: seen, pendingCycles: 0 });
      return seen;
    }
    if (seen === tr.state) {
      tr.pending = undefined;
      tr.pendingCycles = 0;
    } else {
      tr.pendingCycles = tr.pending === seen ? tr.pendingCycles + 1 : 1;
      tr.pending = seen;
      if (tr.pendingCycles >= this.thresholds.confirmCycles) {
        tr.state = seen;
        tr.pending = undefined;
        tr.pendingCycles = 0;
      }
    }
    return tr.state;
  }

  get(key: string): Reachability | undefined {
    return this.tracks.get(key)?.state;
  }

  /** Drop targets no longer configured (config reload). */
  retain(keys: Iterable<string>): void {
    const keep = new Set(keys);
    for (const k of this.tracks.keys()) if (!keep.has(k)) this.tracks.delete(k);
  }
}
