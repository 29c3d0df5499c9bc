/** SeriesGuard (src/limits.ts) without the network: truncation, the series limits and label-set reuse. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, SeriesGuard, truncateLabel } from '../../src/limits.js';
import type { Sample } from '../../src/types.js';

const port = (i: number, alias = 'a'): Sample => ({ metric: 'm_total', labels: { if_index: String(i), if_alias: alias }, value: 1, ts: 1, type: 'counter' });
const ports = (n: number, alias?: string) => Array.from({ length: n }, (_, i) => port(i + 1, alias));
const ID = { target: 't', site: 's' };

describe('SeriesGuard', () => {
  it('cuts long values with the marker, never inside a surrogate pair', () => {
    expect(truncateLabel('abcdef', 4)).toBe('abc…');
    expect(truncateLabel('ab😀cd', 4)).toBe('ab…');
    expect(truncateLabel('abc', 4)).toBe('abc');
    const g = new SeriesGuard({ ...DEFAULT_LIMITS, label_value_length: 16 });
    const s = [port(1, 'x'.repeat(65_000))];
    g.admit('t', 'snmp', s, ID);
    expect(s[0]!.labels.if_alias).toHaveLength(16);
    expect(g.truncated).toBe(1);
  });

  it('refuses new series beyond the per-target limit, keeps existing ones, frees slots of vanished series', () => {
    const logs: string[] = [];
    const g = new SeriesGuard({ ...DEFAULT_LIMITS, series_per_target: 10 }, (m) => logs.push(m));
    const a = ports(12);
    g.admit('t', 'snmp', a, ID);
    expect(a).toHaveLength(10);
    expect(g.refused.target).toBe(2);
    expect(g.active).toBe(10);
    g.admit('t', 'snmp', ports(12), ID);
    expect(g.refused.target).toBe(4);
    expect(logs).toHaveLength(1); // once until it clears
    // Every alias changes: the 10 old series are gone from this result, so 10 renamed ones take their slots.
    const renamed = ports(12, 'b');
    g.admit('t', 'snmp', renamed, ID);
    expect(renamed).toHaveLength(10);
    expect(renamed[0]!.labels.if_alias).toBe('b');
    expect(g.active).toBe(10);
    g.retainTargets(new Set());
    expect(g.active).toBe(0);
  });

  it('says when the heap cannot hold series_total (a reload raised it beyond what the process was started with)', () => {
    const logs: string[] = [];
    const g = new SeriesGuard(DEFAULT_LIMITS, (m) => logs.push(m));
    expect(logs).toEqual([]);
    g.setLimits({ ...DEFAULT_LIMITS, series_total: 50_000_000 });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^limits\.series_total 50000000 needs a heap of 195569 MB, this process has \d+ MB/);
  });

  it('the total limit counts every target', () => {
    const g = new SeriesGuard({ ...DEFAULT_LIMITS, series_total: 15 });
    g.admit('a', 'snmp', ports(10), { ...ID, target: 'a' });
    const b = ports(10);
    g.admit('b', 'snmp', b, { ...ID, target: 'b' });
    expect(b).toHaveLength(5);
    expect(g.refused.total).toBe(5);
  });

  it('a series seen before gets the same label object; a changed identity or value gets a new, correct one', () => {
    const g = new SeriesGuard(DEFAULT_LIMITS);
    const first = ports(2);
    g.admit('t', 'snmp', first, ID);
    expect(first[0]!.labels).toEqual({ if_index: '1', if_alias: 'a', target: 't', site: 's' });
    const second = ports(2);
    g.admit('t', 'snmp', second, ID);
    expect(second[0]!.labels).toBe(first[0]!.labels);
    // A reload gave the target another label: new label sets, with it.
    const third = ports(2);
    g.admit('t', 'snmp', third, { ...ID, rack: 'R1' });
    expect(third[0]!.labels).not.toBe(first[0]!.labels);
    expect(third[0]!.labels).toEqual({ if_index: '1', if_alias: 'a', target: 't', site: 's', rack: 'R1' });
    // Identity wins over a probe label of the same name.
    const clash: Sample[] = [{ metric: 'x', labels: { target: 'spoofed' }, value: 1, ts: 1, type: 'gauge' }];
    g.admit('t', 'other', clash, ID);
    expect(clash[0]!.labels.target).toBe('t');
  });
});
