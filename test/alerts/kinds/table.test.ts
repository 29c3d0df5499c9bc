/** The kinds table and the config schema composed from it: every kind reachable by its name, cross-field checks reported at the rule's field. */
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../../src/alerts/kinds/index.js';
import { alerting as alertingSchema, alertRule } from '../../../src/config/schema.js';

describe('the rule kinds table', () => {
  it('maps each kind to its module, and the config accepts exactly these kinds', () => {
    for (const [name, k] of Object.entries(KINDS)) {
      expect(k.kind).toBe(name);
      expect(k.summary.length).toBeGreaterThan(0);
    }
    const r = alertRule.safeParse({ name: 'X', kind: 'no_such_kind' });
    expect(r.success).toBe(false);
  });

  it("reports each kind's cross-field checks at rules[i].field", () => {
    const r = alertingSchema.safeParse({
      rules: [
        { name: 'a', kind: 'uplink_utilization', above: 0.8, clear_below: 0.9 },
        { name: 'b', kind: 'ping_latency', above: '100ms', clear_below: '150ms' },
        { name: 'c', kind: 'optical_rx_low' },
        { name: 'd', kind: 'threshold', metric: 'm', above: 1, below: 0 },
        { name: 'e', kind: 'threshold', metric: 'm', below: 5, clear: 4 },
        { name: 'f', kind: 'host_disk', above: 0.9, clear_below: 0.8 }, // fine
        { name: 'a', kind: 'interface_down' }, // duplicate name
      ],
    });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ['rules.0.clear_below', 'must not be greater than `above`'],
        ['rules.1.clear_below', 'must not be greater than `above`'],
        ['rules.2.below_dbm', 'set below_dbm, device_threshold, or both'],
        ['rules.3.above', 'set exactly one of `above` and `below`'],
        ['rules.4.clear', 'must be on the clear side of the threshold'],
        ['rules.6.name', 'duplicate rule name "a"'],
      ]),
    );
    expect(issues).toHaveLength(6);
  });
});
