/** The shipped Grafana dashboard: valid JSON, well-formed panels, only netmon's (lint-clean) metric names. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string }[];
}

describe('config/grafana/netmon.json', () => {
  const dash = JSON.parse(readFileSync(join(ROOT, 'config', 'grafana', 'netmon.json'), 'utf8')) as { uid: string; title: string; panels: Panel[]; templating: { list: { name: string }[] } };

  it('has unique panel ids, sane grid positions and a Prometheus data source variable', () => {
    const ids = dash.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dash.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      if (p.type !== 'row') expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
    expect(dash.templating.list.map((v) => v.name)).toEqual(expect.arrayContaining(['datasource', 'target', 'interface']));
  });

  it('covers the required views', () => {
    const all = dash.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr).join('\n');
    expect(all).toContain('netmon_uplink_capacity_bytes_per_second'); // uplink bps vs capacity
    expect(all).toContain('netmon_uplink_utilization_ratio'); // utilisation
    expect(all).toMatch(/quantile_over_time\(0\.95, \(rate\(netmon_interface_receive_bytes_total\{[^}]*\}\[5m\]\) \* 8\)\[30d:5m\]\)/); // p95
    expect(all).toContain('netmon_ping_reachability_state'); // sites up/down
    expect(all).toContain('netmon_optical_rx_power_dbm'); // optical levels
  });

  it('uses only netmon_*/process_* metric names that follow the naming rules', () => {
    const names = new Set(
      dash.panels
        .flatMap((p) => p.targets ?? [])
        .flatMap((t) => t.expr.match(/\b(?:netmon|process)_[a-z0-9_]+/g) ?? []),
    );
    for (const n of names) {
      expect(n, n).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(n, `${n}: bits are not a base unit`).not.toMatch(/_bits(_|$)/);
    }
  });
});
