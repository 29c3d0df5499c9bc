/**
 * optical_rx_drop: Rx power fallen `drop_db` below its own baseline (the highest hourly mean over a window):
 * a slowly dying link, whatever level it started at. Loss of signal is optical_rx_low's.
 */
import { z } from 'zod';
import { duration } from '../../config/primitives.js';
import { BaselineTracker, type BaselinePersistence } from '../baseline.js';
import { defineKind, ruleCommon } from './kind.js';
import { aboveVerdict, perSample, sortedEntries } from './shared.js';

export const schema = z.strictObject({
  kind: z.literal('optical_rx_drop'),
  ...ruleCommon,
  drop_db: z.number().gt(0).max(40).describe('fires when Rx is this many dB below its own baseline (a slowly dying link)'),
  baseline_window: duration.prefault('7d').describe('baseline: highest hourly mean Rx over this window'),
  hysteresis_db: z.number().min(0).max(10).default(0.5),
});

/** -40 dBm is what transceivers report without light. */
const LOSS_OF_SIGNAL_DBM = -39.9;

/** Baselines of several rules share one table: keys are prefixed with the rule's name. */
function prefixed(p: BaselinePersistence, prefix: string): BaselinePersistence {
  return { load: (k) => p.load(`${prefix}|${k}`), save: (k, b) => p.save(`${prefix}|${k}`, b) };
}

export const opticalRxDrop = defineKind(schema, {
  summary: 'Fibre Rx power on {{ target }} {{ if_name }} ({{ site_name }}) fell {{ drop_db | round:1 }} dB below its baseline of {{ baseline_dbm | dbm }}: {{ value | dbm }}',
  compile(r, scope) {
    const tracker = new BaselineTracker(r.baseline_window, scope.baselines && prefixed(scope.baselines, scope.ruleName));
    return (res) =>
      perSample(scope, res, 'netmon_optical_rx_power_dbm', (s, labels) => {
        if (s.value <= LOSS_OF_SIGNAL_DBM) return undefined;
        const base = tracker.update(JSON.stringify(sortedEntries(labels)), s.ts, s.value);
        const drop = base - s.value;
        return { value: s.value, verdict: aboveVerdict(drop, r.drop_db - 1e-9, r.drop_db - r.hysteresis_db), threshold: base - r.drop_db, vars: { baseline_dbm: base, drop_db: drop } };
      });
  },
});
