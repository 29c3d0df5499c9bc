/** Error and discard counters of one port over a window (the port page's second chart). */
import type { Window } from '../http/params.js';
import type { InterfaceErrorsResponse, PortCounter, PortCounterHistory } from '../http/contract.js';
import type { Store } from '../store/types.js';
import { portSeries, rateRangeAcross } from './series.js';
import { M } from './metrics.js';

/** The counters, in the order the page lists them (docs/metrics.md, "Interfaces"). */
const COUNTERS: [PortCounter, string][] = [
  ['in_errors', M.ifInErrors],
  ['out_errors', M.ifOutErrors],
  ['in_discards', 'netmon_interface_receive_discards_total'],
  ['out_discards', 'netmon_interface_transmit_discards_total'],
];

/** Undefined when the target has no such port (no traffic counter was ever stored for it). */
export function portErrors(store: Store, target: string, ifIndex: string, w: Window): InterfaceErrorsResponse | undefined {
  if (portSeries(store, M.ifIn, target, ifIndex).length === 0 && portSeries(store, M.ifOut, target, ifIndex).length === 0) return undefined;
  const counters = COUNTERS.map(([counter, metric]): PortCounterHistory => {
    const ids = portSeries(store, metric, target, ifIndex).map((s) => s.id);
    if (ids.length === 0) return { counter, series: null, total: null };
    const r = rateRangeAcross(store, ids, w.from, w.to, w.points);
    return { counter, series: { ts: r.ts, mean: r.mean.map((v) => Math.round(v * 1000) / 1000) }, total: ids.reduce((sum, id) => sum + store.increase(id, w.from, w.to), 0) };
  });
  return { target, if_index: ifIndex, from: w.from, to: w.to, capped: w.capped, counters };
}
