/**
 * promtool on what netmon ships: the exposition of every metric a profile, the ping probe, the host probe,
 * the pipeline and netmon itself produce (synthetic values), the example scrape config, the alerting rules
 * and their unit tests. Needs Debian's `prometheus` package (promtool); skips loudly without it, fails in CI.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Exporter } from '../../src/exporter.js';
import { registerSelfMetrics } from '../../src/self-metrics.js';
import { Pipeline } from '../../src/pipeline.js';
import { uplinkDeriver } from '../../src/uplinks.js';
import { ROOT } from '../../src/paths.js';
import { loadProfiles } from '../../probes/snmp/profile.js';
import { pingSamples } from '../../probes/icmp/index.js';
import type { MetricType, Sample } from '../../src/types.js';
import { requireTool } from '../helpers/requireTool.js';
import { ProbeError, promtool, promtoolCheckMetrics, result, target } from './helpers.js';

const haveTool = requireTool({ commands: ['promtool'] }, 'promtool checks (apt-get install prometheus)');
const PROM_DIR = join(ROOT, 'config', 'prometheus');

/** Every `{ metric, type }` (and `info_metric`) anywhere in a profile, whatever the profile schema's shape. */
function profileMetrics(node: unknown, out: { metric: string; type: MetricType; help?: string; labels: string[] }[] = [], labels: string[] = []): typeof out {
  if (Array.isArray(node)) {
    for (const n of node) profileMetrics(n, out, labels);
  } else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    const here = [...labels];
    if (typeof o.index_label === 'string') here.push(o.index_label);
    for (const k of ['labels', 'info_labels']) if (o[k] && typeof o[k] === 'object' && !Array.isArray(o[k])) here.push(...Object.keys(o[k]));
    if (typeof o.metric === 'string' && (o.type === 'counter' || o.type === 'gauge')) out.push({ metric: o.metric, type: o.type, help: typeof o.help === 'string' ? o.help : undefined, labels: here });
    if (typeof o.info_metric === 'string') out.push({ metric: o.info_metric, type: 'gauge', help: 'info', labels: here });
    for (const v of Object.values(o)) if (v && typeof v === 'object') profileMetrics(v, out, here);
  }
  return out;
}

/** promtool's complaints, one line per (metric, problem) instead of one per series. */
function problems(output: string): string[] {
  return [...new Set(output.split('\n').filter(Boolean))];
}

describe.runIf(haveTool)('promtool check metrics', () => {
  it('netmon self metrics and the exporter health series pass with no problem at all', async () => {
    const e = new Exporter();
    registerSelfMetrics(e.registry, {
      version: '0.1.0',
      scheduler: () => undefined,
      store: () => undefined,
      reload: () => ({ successful: false, lastSuccessMs: Date.now() }),
      exportedSeries: () => e.seriesCount(),
    });
    const pipeline = new Pipeline();
    pipeline.subscribe('exporter', (r) => e.accept(r));
    const t = target('sw-phu-hoi', 'Phường Phú Hội');
    pipeline.publish(result(t, 'snmp', []));
    pipeline.publish(result(target('sw-a-luoi', 'Huyện A Lưới'), 'ping', [], { error: new ProbeError('timeout', 'x') }));
    const text = await e.renderText();
    for (const m of ['netmon_probe_success', 'netmon_probe_failure_info', 'netmon_probe_last_success_timestamp_seconds', 'netmon_build_info', 'netmon_config_last_reload_successful', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']) {
      expect(text).toContain(`# TYPE ${m} `);
    }
    const r = promtoolCheckMetrics(text);
    expect(problems(r.output)).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('every metric of every SNMP profile, the ping probe, the host probe and the uplink figures passes', async () => {
    const e = new Exporter();
    const t = target('dc-core', 'Trung tâm Thông tin Dữ liệu điện tử');
    const base = { target: t.name, site: t.site };
    const samples: Sample[] = [];
    const seen = new Set<string>();
    for (const p of loadProfiles().values()) {
      for (const m of profileMetrics(p)) {
        if (seen.has(m.metric)) continue;
        seen.add(m.metric);
        const labels: Record<string, string> = { ...base };
        for (const l of m.labels) labels[l] = `${l} Đường truyền`;
        samples.push({ metric: m.metric, labels, value: 1, ts: Date.now(), type: m.type, help: m.help ?? m.metric });
      }
    }
    expect(seen.has('netmon_interface_receive_bytes_total')).toBe(true);
    const ping = pingSamples({
      target: t.name,
      address: '127.0.0.1',
      method: 'fping',
      ts: Date.now(),
      stats: { sent: 5, received: 4, loss: 0.2, sorted: [0.001, 0.002, 0.003, 0.004], min: 0.001, max: 0.004, mean: 0.0025, median: 0.0025, stddev: 0.001, jitter: 0.001 },
      state: 'up',
      duplicates: 0,
      icmpErrors: [],
    } as Parameters<typeof pingSamples>[0]);
    const host = ['netmon_host_cpu_utilization_ratio', 'netmon_host_memory_total_bytes', 'netmon_host_memory_available_bytes', 'netmon_host_filesystem_size_bytes', 'netmon_host_filesystem_used_bytes'].map(
      (metric): Sample => ({ metric, labels: { ...base, mountpoint: '/' }, value: 1, ts: Date.now(), type: 'gauge', help: metric }),
    );
    // Uplink figures: two polls of the uplink port so the deriver has a rate.
    const derive = uplinkDeriver([{ name: 'domestic', target: t.name, interface: 'Gi0/1', capacity: 100e6, warn_utilization: 0.8 }]);
    const port = (v: number, ts: number): Sample[] =>
      ['netmon_interface_receive_bytes_total', 'netmon_interface_transmit_bytes_total'].map((metric) => ({ metric, labels: { ...base, if_index: '1', if_name: 'Gi0/1' }, value: v, ts, type: 'counter' }));
    derive(result(t, 'snmp', port(1000, 1000)));
    const uplink = derive(result(t, 'snmp', port(2000, 11000)));
    e.accept(result(t, 'snmp', [...samples, ...uplink]));
    e.accept(result(t, 'ping', ping));
    e.accept(result(t, 'host', host));
    const r = promtoolCheckMetrics(await e.render());
    const found = problems(r.output);
    if (found.length) console.warn(`promtool check metrics found problems in metric names produced outside the exporter:\n  ${found.join('\n  ')}`);
    expect(found).toEqual([]);
    expect(r.status).toBe(0);
  });
});

describe.runIf(haveTool)('promtool on config/prometheus', () => {
  it('check config: the example scrape config and its rule file are valid', () => {
    const r = promtool(['check', 'config', 'prometheus.yml'], PROM_DIR);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('check rules: alerts.yml', () => {
    const r = promtool(['check', 'rules', 'alerts.yml'], PROM_DIR);
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  it('test rules: alerts.test.yml', () => {
    const r = promtool(['test', 'rules', 'alerts.test.yml'], PROM_DIR);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});
