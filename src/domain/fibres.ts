/**
 * All optical ports by margin to their Rx alarm level, with the trend of the last 7 days: a slowly dying
 * fibre is found on one list instead of by opening every site. The trend is the least-squares slope of the
 * store's hourly Rx means (the 1-hour rollup answers a week in 168 buckets).
 */
import type { LoadedConfig } from '../config/model.js';
import type { FibrePort, FibresResponse } from '../http/contract.js';
import type { LiveState } from '../live.js';
import type { Store } from '../store/types.js';
import { opticalByTarget, portKey } from './inventory.js';
import { M } from './metrics.js';
import { round } from './series.js';

const WEEK_MS = 7 * 86400e3;
/** Less history than this gives no trend (a few hours of noise would read as dB per week). */
const MIN_TREND_MS = 86400e3;

/** Slope (per ms) of y over x by least squares; null with fewer than 3 points. */
export function slope(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 3) return null;
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) [sx, sy] = [sx + x[i]!, sy + y[i]!];
  const mx = sx / n, my = sy / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    num += (x[i]! - mx) * (y[i]! - my);
    den += (x[i]! - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

/** The optical_rx_low rule's fixed level (`below_dbm`), the alarm level of a port whose transceiver reports none. */
function ruleLevel(config: LoadedConfig): number | null {
  for (const r of config.alerting?.rules ?? []) {
    const below = r.kind === 'optical_rx_low' ? (r as { below_dbm?: number }).below_dbm : undefined;
    if (below !== undefined) return below;
  }
  return null;
}

export function fibres(config: LoadedConfig, live: LiveState, store: Store, now = Date.now()): FibresResponse {
  const rule = ruleLevel(config);
  const ports: FibrePort[] = [];
  for (const [target, readings] of opticalByTarget(live)) {
    const series = store.findSeries(M.opticalRx, { target });
    for (const o of readings) {
      const device = o.thresholds.rx_low_alarm_dbm ?? null;
      const alarm = device ?? rule;
      const k = portKey(o.labels);
      // The port's newest Rx series (a renamed port keeps its key: target and ifIndex).
      const s = series.filter((x) => portKey(x.labels) === k).sort((a, b) => a.id - b.id).at(-1);
      let trend: number | null = null;
      let days = 0;
      if (s) {
        const r = store.range(s.id, now - WEEK_MS, now, 168);
        const span = r.ts.length ? r.ts[r.ts.length - 1]! - r.ts[0]! : 0;
        days = round(span / 86400e3, 1) ?? 0;
        const k7 = span >= MIN_TREND_MS ? slope(r.ts, r.mean) : null;
        trend = k7 === null ? null : round(k7 * WEEK_MS, 2);
      }
      ports.push({
        target,
        labels: o.labels,
        rx_dbm: o.rx_dbm,
        tx_dbm: o.tx_dbm,
        level: o.level,
        thresholds: o.thresholds,
        alarm_dbm: alarm,
        alarm_source: device !== null ? 'device' : rule !== null ? 'rule' : null,
        margin_db: alarm !== null && o.rx_dbm !== null ? round(o.rx_dbm - alarm, 2) : null,
        trend_db_per_week: trend,
        trend_days: days,
      });
    }
  }
  ports.sort((a, b) => (a.margin_db ?? Infinity) - (b.margin_db ?? Infinity) || a.target.localeCompare(b.target) || Number(a.labels.if_index ?? 0) - Number(b.labels.if_index ?? 0));
  return { now, ports, without_alarm_level: ports.filter((p) => p.alarm_dbm === null).length };
}
