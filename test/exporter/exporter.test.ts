/** The Exporter on synthetic probe results: format, escaping, freshness (fake clock), failure reasons, scale. */
import { describe, expect, it } from 'vitest';
import { Exporter, escapeLabelValue, formatValue, seriesKey } from '../../src/exporter.js';
import { registerSelfMetrics } from '../../src/self-metrics.js';
import { Pipeline } from '../../src/pipeline.js';
import { ProbeError, result, sample, target } from './helpers.js';

function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const ifLabels = (t: string, i: number) => ({ target: t, site: 'Sở Tài chính', if_index: String(i), if_name: `Gi0/${i}`, if_alias: 'Đường truyền Huế' });
const series = (text: string, metric: string) => text.split('\n').filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `));

describe('Exporter format', () => {
  it('renders HELP and TYPE once per family, families sorted, labels sorted and escaped, UTF-8 intact', async () => {
    const e = new Exporter();
    const t = target('dc-core');
    e.accept(
      result(t, 'snmp', [
        sample('netmon_interface_receive_bytes_total', ifLabels('dc-core', 1), 12345678901234, 'counter', 'Octets received.'),
        sample('netmon_interface_receive_bytes_total', ifLabels('dc-core', 2), 5, 'counter', 'Octets received.'),
        sample('netmon_interface_oper_up', { ...ifLabels('dc-core', 1), if_alias: 'a "quoted" \\ back\nslash' }, 1, 'gauge', 'Up.\nSecond line \\'),
      ]),
    );
    const text = await e.renderText();
    expect(text.match(/^# HELP netmon_interface_receive_bytes_total /gm)).toHaveLength(1);
    expect(text.match(/^# TYPE netmon_interface_receive_bytes_total counter$/gm)).toHaveLength(1);
    expect(text).toContain('# HELP netmon_interface_oper_up Up.\\nSecond line \\\\\n');
    expect(text).toContain('netmon_interface_oper_up{if_alias="a \\"quoted\\" \\\\ back\\nslash",if_index="1",if_name="Gi0/1",site="Sở Tài chính",target="dc-core"} 1\n');
    expect(text).toContain('netmon_interface_receive_bytes_total{if_alias="Đường truyền Huế",if_index="1",if_name="Gi0/1",site="Sở Tài chính",target="dc-core"} 12345678901234\n');
    expect(text.indexOf('# HELP netmon_interface_oper_up')).toBeLessThan(text.indexOf('# HELP netmon_interface_receive_bytes_total'));
    // The bytes are valid UTF-8 (a fatal decoder would throw otherwise).
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text))).not.toThrow();
  });

  it('formats every kind of value the text format allows', () => {
    expect([0, -0, 1, -17, 2 ** 53 - 1, 2 ** 64, 0.001, 1.5e-9, NaN, Infinity, -Infinity].map(formatValue)).toEqual([
      '0',
      '0',
      '1',
      '-17',
      '9007199254740991',
      '18446744073709552000',
      '0.001',
      '1.5e-9',
      'NaN',
      '+Inf',
      '-Inf',
    ]);
    expect(escapeLabelValue('plain')).toBe('plain');
    expect(seriesKey({ b: '2', a: '1' })).toBe('a="1",b="2"');
  });

  it('writes integers, floats and special values the same through the fast path', async () => {
    const e = new Exporter();
    const t = target('x');
    const vals = [0, -3, 42, 2 ** 53 + 2, 0.25, -1e-7, NaN, Infinity, -Infinity, 1e21];
    e.accept(result(t, 'host', vals.map((v, i) => sample('netmon_test_value', { target: 'x', i: String(i) }, v))));
    const lines = series(await e.renderText(), 'netmon_test_value');
    expect(lines.map((l) => l.split(' ')[1])).toEqual(vals.map(formatValue));
  });

  it('leaves out (and warns once about) invalid names, label names, type clashes and self-metric names', async () => {
    const warnings: string[] = [];
    const e = new Exporter({ warn: (m) => warnings.push(m) });
    registerSelfMetrics(e.registry, { version: 't', scheduler: () => undefined, store: () => undefined, reload: () => ({ successful: true, lastSuccessMs: 0 }), exportedSeries: () => 0 });
    const t = target('x');
    for (let i = 0; i < 2; i++) {
      e.accept(
        result(t, 'snmp', [
          sample('bad-name', { target: 'x' }, 1),
          sample('netmon_ok', { target: 'x', 'bad-label': 'v' }, 1),
          sample('netmon_ok', { target: 'x', __reserved: 'v' }, 1),
          sample('netmon_ok', { target: 'x' }, 1),
          sample('netmon_ok', { target: 'y' }, 1, 'counter'),
          sample('netmon_build_info', { target: 'x' }, 1),
        ]),
      );
    }
    const text = await e.renderText();
    expect(series(text, 'netmon_ok')).toEqual(['netmon_ok{target="x"} 1']);
    expect(text).not.toContain('bad-name');
    expect(text.match(/^# TYPE netmon_build_info /gm)).toHaveLength(1);
    expect(warnings).toHaveLength(5);
  });

  it('gives a family without help text a HELP line anyway', async () => {
    const e = new Exporter();
    e.accept(result(target('x'), 'snmp', [{ metric: 'netmon_nohelp', labels: { target: 'x' }, value: 1, ts: 0, type: 'gauge' }]));
    expect(await e.renderText()).toMatch(/^# HELP netmon_nohelp \S/m);
  });
});

describe('Exporter groups and freshness (fake clock)', () => {
  it('replaces a group: series missing from the new result disappear, values update in place, order is stable', async () => {
    const e = new Exporter();
    const t = target('sw1');
    e.accept(result(t, 'snmp', [1, 2, 3].map((i) => sample('netmon_interface_oper_up', ifLabels('sw1', i), 1))));
    e.accept(result(t, 'snmp', [1, 3].map((i) => sample('netmon_interface_oper_up', ifLabels('sw1', i), i === 3 ? 0 : 1))));
    const lines = series(await e.renderText(), 'netmon_interface_oper_up');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/if_index="1".* 1$/);
    expect(lines[1]).toMatch(/if_index="3".* 0$/);
    // Labels in another key order are the same series.
    const l = ifLabels('sw1', 1);
    const reordered = Object.fromEntries(Object.entries(l).reverse());
    e.accept(result(t, 'snmp', [sample('netmon_interface_oper_up', reordered, 0), sample('netmon_interface_oper_up', ifLabels('sw1', 3), 0)]));
    expect(series(await e.renderText(), 'netmon_interface_oper_up')).toHaveLength(2);
  });

  it('a target that stops answering: values ride out one lost poll, then disappear; probe_success 0 and failure_info say why', async () => {
    const clock = fakeClock();
    const e = new Exporter({ now: clock.now });
    const t = target('site-a', 'Phường Phú Hội');
    const ok = () => result(t, 'snmp', [sample('netmon_interface_receive_bytes_total', ifLabels('site-a', 1), 1000, 'counter')], { intervalMs: 10_000, timeoutMs: 2_000, at: clock.now() });
    const fail = (reason: 'timeout' | 'auth') => result(t, 'snmp', [], { error: new ProbeError(reason, 'no answer'), intervalMs: 10_000, timeoutMs: 2_000, at: clock.now() });
    // The pipeline makes the health series; the exporter only exposes them.
    const pipeline = new Pipeline();
    pipeline.subscribe('exporter', (r) => e.accept(r));
    const publish = (r: ReturnType<typeof ok>) => pipeline.publish(r);
    publish(ok());
    const okAt = (clock.now() + 5) / 1000; // the run's end: started now, took 5 ms
    let text = await e.renderText();
    expect(series(text, 'netmon_interface_receive_bytes_total')).toHaveLength(1);
    expect(text).toContain('netmon_probe_success{probe="snmp",site="Phường Phú Hội",target="site-a"} 1\n');
    expect(text).not.toContain('netmon_probe_failure_info{');

    clock.advance(10_000);
    publish(fail('timeout'));
    text = await e.renderText();
    // Within the grace period (2 × interval + timeout = 22 s since the last success) the values stay...
    expect(series(text, 'netmon_interface_receive_bytes_total')).toHaveLength(1);
    expect(text).toContain('netmon_probe_success{probe="snmp",site="Phường Phú Hội",target="site-a"} 0\n');
    expect(text).toContain('netmon_probe_failure_info{probe="snmp",reason="timeout",site="Phường Phú Hội",target="site-a"} 1\n');
    expect(text).toContain(`netmon_probe_last_success_timestamp_seconds{probe="snmp",site="Phường Phú Hội",target="site-a"} ${okAt}\n`);

    clock.advance(10_000);
    publish(fail('timeout'));
    expect(series(await e.renderText(), 'netmon_interface_receive_bytes_total')).toHaveLength(1); // 20 s ≤ 22 s
    clock.advance(2_001);
    text = await e.renderText(); // ...and are gone after it, even between two polls (swept at scrape time)
    expect(series(text, 'netmon_interface_receive_bytes_total')).toHaveLength(0);
    expect(text).not.toContain('# HELP netmon_interface_receive_bytes_total');
    expect(text).toContain('netmon_probe_success{probe="snmp",site="Phường Phú Hội",target="site-a"} 0\n');
    expect(e.seriesCount()).toBe(4); // success, duration, failure_info, last_success

    // The reason changes: only the new one is exposed.
    clock.advance(8_000);
    publish(fail('auth'));
    text = await e.renderText();
    expect(series(text, 'netmon_probe_failure_info')).toEqual(['netmon_probe_failure_info{probe="snmp",reason="auth",site="Phường Phú Hội",target="site-a"} 1']);

    // It answers again: values are back, failure_info gone.
    clock.advance(10_000);
    publish(ok());
    text = await e.renderText();
    expect(series(text, 'netmon_interface_receive_bytes_total')).toHaveLength(1);
    expect(series(text, 'netmon_probe_failure_info')).toHaveLength(0);
    expect(text).toContain(`netmon_probe_last_success_timestamp_seconds{probe="snmp",site="Phường Phú Hội",target="site-a"} ${(clock.now() + 5) / 1000}\n`);
  });

  it('health series go stale too if the probe stops running at all (no frozen probe_success)', () => {
    const clock = fakeClock();
    const e = new Exporter({ now: clock.now });
    const t = target('gone');
    e.accept(result(t, 'ping', [sample('netmon_probe_success', { target: 'gone', site: 's', probe: 'ping' }, 1)], { intervalMs: 10_000, timeoutMs: 1_000 }));
    clock.advance(5 * 10_000 + 1_000);
    expect(e.seriesCount()).toBe(1);
    clock.advance(1);
    expect(e.seriesCount()).toBe(0);
  });

  it('forgets targets removed by a reload', async () => {
    const e = new Exporter();
    e.accept(result(target('keep'), 'snmp', [sample('netmon_x', { target: 'keep' }, 1)]));
    e.accept(result(target('drop'), 'snmp', [sample('netmon_x', { target: 'drop' }, 1)]));
    e.retainTargets(new Set(['keep']));
    const text = await e.renderText();
    expect(series(text, 'netmon_x')).toEqual(['netmon_x{target="keep"} 1']);
    expect(text).not.toContain('target="drop"');
  });

  it('a series two groups both write is removed only by the group that wrote it last', async () => {
    const e = new Exporter();
    const shared = sample('netmon_uplink_utilization_ratio', { uplink: 'domestic', direction: 'in' }, 0.5);
    e.accept(result(target('a'), 'snmp', [shared]));
    e.accept(result(target('b'), 'snmp', [{ ...shared, value: 0.7 }]));
    e.accept(result(target('a'), 'snmp', [])); // a no longer has it; b wrote it last
    expect(series(await e.renderText(), 'netmon_uplink_utilization_ratio')).toEqual(['netmon_uplink_utilization_ratio{direction="in",uplink="domestic"} 0.7']);
  });

  it('an output already returned is never modified by later updates (concurrent scrapes are safe)', async () => {
    const e = new Exporter();
    const t = target('x');
    e.accept(result(t, 'snmp', [sample('netmon_a', { target: 'x' }, 1), sample('netmon_b', { target: 'x' }, 2)]));
    const first = await e.render();
    const copy = Buffer.from(first);
    e.accept(result(t, 'snmp', [sample('netmon_a', { target: 'x' }, 1000), sample('netmon_b', { target: 'x' }, 2)]));
    const second = await e.renderText();
    expect(first.equals(copy)).toBe(true);
    expect(second).toContain('netmon_a{target="x"} 1000\n');
    expect(second).toContain('netmon_b{target="x"} 2\n');
  });
});

describe('Exporter at scale', () => {
  it('100,000 series: updates and scrapes stay fast', async () => {
    const e = new Exporter();
    const targets = Array.from({ length: 1000 }, (_, i) => target(`edge-${i}`, `Huyện ${i}`));
    const feed = (v: number) => {
      for (const t of targets) {
        const samples = [];
        for (let i = 1; i <= 10; i++) for (const m of ['rx', 'tx', 'rxp', 'txp', 'rxe', 'txe', 'rxd', 'txd', 'up', 'admin']) samples.push(sample(`netmon_if_${m}_total`, ifLabels(t.name, i), v + i, 'counter'));
        e.accept(result(t, 'snmp', samples));
      }
    };
    feed(1);
    await e.render();
    const t0 = performance.now();
    feed(2);
    const updateMs = performance.now() - t0;
    const t1 = performance.now();
    const out = await e.render();
    const renderMs = performance.now() - t1;
    expect(e.seriesCount()).toBe(100_000);
    expect(out.length).toBeGreaterThan(10_000_000);
    // Generous bounds for a shared 2-core machine; bench/metrics.ts measures properly.
    expect(updateMs).toBeLessThan(5000);
    expect(renderMs).toBeLessThan(5000);
  }, 60_000);
});
